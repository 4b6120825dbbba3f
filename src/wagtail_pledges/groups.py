"""Keep Django Groups in step with benefits, so Wagtail's own privacy works.

A page restricted to the "Members" group, or a collection restricted to it, is then
gated by the same rules as everything else: the groups are a projection of
:mod:`wagtail_pledges.policy`, never a second source of truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .conf import pledges_settings
from .models import Membership, OrganisationRole, Tier
from .policy import forget_standing, get_policy, preload_standings

TIER_GROUP_KEYS = {Tier.INDIVIDUAL: "individual", Tier.ORGANISATION: "organisation"}


GROUP_KEYS = ("members", "individual", "organisation")


def managed_groups() -> dict[str, Group]:
    """The three managed groups by key (one query), created on first use."""
    names = {key: pledges_settings.group_name(key) for key in GROUP_KEYS}
    found = {g.name: g for g in Group.objects.filter(name__in=names.values())}
    return {
        key: found.get(name) or Group.objects.get_or_create(name=name)[0]
        for key, name in names.items()
    }


def group_keys_for(user) -> frozenset[str]:
    """The managed groups (by key) the policy puts ``user`` in right now."""
    tiers = get_policy().member_tiers(user)
    keys = {TIER_GROUP_KEYS[t] for t in tiers}
    if tiers:
        keys.add("members")
    return frozenset(keys)


def sync_user_groups(user, groups: dict[str, Group] | None = None) -> bool:
    """Put the user in exactly the managed groups their benefits call for.

    Returns True when anything changed.
    """
    groups = groups or managed_groups()
    forget_standing(user)
    wanted = {groups[key].pk for key in group_keys_for(user)}
    managed = {g.pk for g in groups.values()}
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current == wanted:
        return False
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    return True


def users_of(membership: Membership) -> list:
    if membership.tier == Tier.INDIVIDUAL:
        return [membership.user]
    user_ids = OrganisationRole.objects.filter(
        organisation_id=membership.organisation_id
    ).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=user_ids))


def sync_membership_groups(membership: Membership) -> None:
    groups = managed_groups()
    for user in users_of(membership):
        sync_user_groups(user, groups)


def repair_groups(users: Iterable | None = None, *, batch_size: int = 2000,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Re-sync every user who is, or should be, in a managed group. Returns the number
    of users whose groups changed.

    Works in batches of ``batch_size`` users with a fixed number of statements each
    (load users, preload their standing, read their managed groups, one bulk insert,
    one delete), so 100,000 members take seconds, not a query per user. The policy
    still decides every user's groups. ``progress(done, total)`` is called after
    each batch.
    """
    groups = managed_groups()
    if users is None:
        User = get_user_model()
        ids = set(
            User.objects.filter(groups__in=groups.values()).values_list("pk", flat=True)
        )
        ids.update(Membership.objects.filter(user__isnull=False).values_list("user_id", flat=True))
        ids.update(OrganisationRole.objects.values_list("user_id", flat=True))
        ordered = sorted(ids)
        batches = (
            list(User.objects.filter(pk__in=ordered[i:i + batch_size]))
            for i in range(0, len(ordered), batch_size)
        )
        total = len(ordered)
    else:
        users = list(users)
        batches = (users[i:i + batch_size] for i in range(0, len(users), batch_size))
        total = len(users)
    changed = done = 0
    for batch in batches:
        changed += _repair_batch(batch, groups)
        done += len(batch)
        if progress:
            progress(done, total)
    return changed


def _repair_batch(users: list, groups: dict[str, Group]) -> int:
    Link = get_user_model().groups.through
    by_key = {key: g.pk for key, g in groups.items()}
    preload_standings(users)
    wanted = {(u.pk, by_key[key]) for u in users for key in group_keys_for(u)}
    links = {
        (user_id, group_id): pk
        for pk, user_id, group_id in Link.objects.filter(
            user_id__in=[u.pk for u in users], group_id__in=by_key.values()
        ).values_list("pk", "user_id", "group_id")
    }
    missing, extra = wanted - links.keys(), links.keys() - wanted
    if missing:
        Link.objects.bulk_create(
            [Link(user_id=u, group_id=g) for u, g in missing], ignore_conflicts=True
        )
    if extra:
        Link.objects.filter(pk__in=[links[pair] for pair in extra]).delete()
    return len({u for u, _g in missing | extra})
