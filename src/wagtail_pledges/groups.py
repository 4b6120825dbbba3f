"""Keep Django Groups in step with benefits, so Wagtail's own privacy works.

A page restricted to the "Members" group, or a collection restricted to it, is then
gated by the same rules as everything else: the groups are a projection of
:mod:`wagtail_pledges.policy`, never a second source of truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from .conf import pledges_settings
from .models import Membership, OrganisationRole, Tier
from .policy import (
    MembershipPolicy,
    forget_standing,
    get_policy,
    ids_filter,
    preload_standings,
)
from .sql_writes import write

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


def _link_table() -> tuple[str, str, str]:
    """The user–group link table and its two columns (any user model)."""
    field = get_user_model()._meta.get_field("groups")
    return field.m2m_db_table(), field.m2m_column_name(), field.m2m_reverse_name()


def _by_name(keys: Iterable[str]) -> tuple[str, list[str]]:
    """``IN (…)`` of the managed groups named by ``keys``, as SQL and params."""
    names = sorted(pledges_settings.group_name(key) for key in keys)
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(names))
    return (f"SELECT {quote('id')} FROM {quote(Group._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('name')} IN ({placeholders})"), names  # (quoted names only)


def add_to_groups(user_id: int, keys: Iterable[str], *, later: bool = False) -> int | None:
    """Put a user in the managed groups ``keys`` in one statement, whatever they are in
    now (``INSERT … SELECT … ON CONFLICT DO NOTHING``: no group ids to look up first).
    Returns how many links were added.

    Fewer than asked means the user was in some already, or a group does not exist
    yet (a new site): only then are the groups read, created if missing, and the
    insert repeated.

    ``later``: the insert is a :func:`~wagtail_pledges.sql_writes.write`, sent with the
    other writes of a :func:`~wagtail_pledges.sql_writes.writes_together` block (and the
    check above made after it); returns None.
    """
    keys = set(keys)
    if not keys:
        return 0
    added = []

    def check(count: int) -> None:
        if count < len(keys):
            names = {pledges_settings.group_name(key) for key in keys}
            if Group.objects.filter(name__in=names).count() < len(names):
                managed_groups()
                _insert_links(user_id, keys, then=lambda more: added.append(count + more))
                return
        added.append(count)

    _insert_links(user_id, keys, then=check, later=later)
    return None if later else added[0]


def _insert_links(user_id: int, keys: set[str], then, later: bool = False) -> None:
    table, user_column, group_column = (connection.ops.quote_name(n) for n in _link_table())
    groups, names = _by_name(keys)
    sql = (f"INSERT INTO {table} ({user_column}, {group_column}) "  # noqa: S608 (names
           f"SELECT %s, g.id FROM ({groups}) g WHERE 1 = 1 "  # are quoted; SQLite
           "ON CONFLICT DO NOTHING")  # needs a WHERE before an upsert's ON)
    if later:
        write(sql, [user_id, *names], using=connection.alias, then=then)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, *names])
        count = cursor.rowcount
    then(count)


def remove_from_groups(user_id: int, keys: Iterable[str]) -> int:
    """Take a user out of the managed groups ``keys`` (one ``DELETE``). Returns how many
    links were removed."""
    keys = set(keys)
    if not keys:
        return 0
    table, user_column, group_column = (connection.ops.quote_name(n) for n in _link_table())
    groups, names = _by_name(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {user_column} = %s "  # noqa: S608 (quoted names)
            f"AND {group_column} IN ({groups})",
            [user_id, *names],
        )
        return cursor.rowcount


def sync_user_groups(user, groups: dict[str, Group] | None = None) -> bool:
    """Put the user in exactly the managed groups their benefits call for.

    Asks the policy (the user's standing: two queries), then adds the wanted links
    and removes the others, one statement each, without reading the current ones.
    Returns True when anything changed. ``groups`` is accepted for compatibility and
    not needed.
    """
    forget_standing(user)
    wanted = group_keys_for(user)
    added = add_to_groups(user.pk, wanted)
    removed = remove_from_groups(user.pk, set(GROUP_KEYS) - wanted)
    return bool(added or removed)


def users_of(membership: Membership) -> list:
    if membership.tier == Tier.INDIVIDUAL:
        return [membership.user]
    user_ids = OrganisationRole.objects.filter(
        organisation_id=membership.organisation_id
    ).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=user_ids))


def _default_group_rules(policy) -> bool:
    """Whether groups follow the default rules: an individual membership that grants
    benefits puts its member in "individual" and "members", whatever else they hold."""
    cls = type(policy)
    return all(getattr(cls, name) is getattr(MembershipPolicy, name)
               for name in ("member_tiers", "standing"))


def sync_membership_groups(membership: Membership, gained: bool = False) -> None:
    """Re-sync the groups of the people a membership covers, after its status changed.

    ``gained``: the membership now grants benefits and did not before. Under the
    default rules an individual's sync is then one ``INSERT`` (their individual and
    members groups; their organisations' standing changes nothing of that).
    """
    if gained and membership.tier == Tier.INDIVIDUAL and membership.user_id \
            and _default_group_rules(get_policy()):
        add_to_groups(membership.user_id, {TIER_GROUP_KEYS[Tier.INDIVIDUAL], "members"},
                      later=True)
        if Membership.user.is_cached(membership):
            forget_standing(membership.user)
        return
    for user in users_of(membership):
        sync_user_groups(user)


def repair_groups(users: Iterable | None = None, *, batch_size: int = 2000,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Re-sync every user who is, or should be, in a managed group (or only ``users``).
    Returns the number of users whose groups changed.

    Works in batches of ``batch_size`` users with a fixed number of statements each:
    which groups the batch should be in (asked of the database through
    :meth:`~wagtail_pledges.policy.MembershipPolicy.benefit_granting_memberships`,
    or of the policy user by user when a site's policy has no bulk answer), which
    it is in, one bulk insert and one delete. ``progress(done, total)`` is called
    after each batch.
    """
    groups = managed_groups()
    if users is None:
        ids = set(
            get_user_model().groups.through.objects.filter(group__in=groups.values())
            .values_list("user_id", flat=True)
        )
        ids.update(Membership.objects.filter(user__isnull=False).values_list("user_id", flat=True))
        ids.update(OrganisationRole.objects.values_list("user_id", flat=True))
    else:
        ids = {user.pk for user in users}
    ordered = sorted(ids)
    policy = get_policy()
    wanted_for = _wanted_in_bulk if policy.answers_in_bulk() else _wanted_user_by_user
    changed = 0
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start:start + batch_size]
        changed += _repair_batch(set(batch), groups, wanted_for(batch, groups, policy))
        if progress:
            progress(start + len(batch), len(ordered))
    return changed


def _wanted_in_bulk(ids: list[int], groups: dict[str, Group], policy) -> set[tuple[int, int]]:
    """(user id, group id) pairs the batch should have: two queries of ids."""
    granting = Membership.objects.filter(policy.benefit_granting_memberships())
    tiers = {
        TIER_GROUP_KEYS[Tier.INDIVIDUAL]: granting.filter(
            ids_filter("user_id", ids), tier=Tier.INDIVIDUAL
        ).values_list("user_id", flat=True),
        TIER_GROUP_KEYS[Tier.ORGANISATION]: OrganisationRole.objects.filter(
            ids_filter("user_id", ids), organisation__membership__in=granting
        ).values_list("user_id", flat=True),
    }
    wanted = set()
    for key, user_ids in tiers.items():
        for user_id in user_ids:
            wanted.add((user_id, groups[key].pk))
            wanted.add((user_id, groups["members"].pk))
    return wanted


def _wanted_user_by_user(ids: list[int], groups: dict[str, Group], policy
                         ) -> set[tuple[int, int]]:
    """The same pairs from the policy's per-user answer, with standings preloaded."""
    users = list(get_user_model().objects.filter(ids_filter("pk", ids)).only("pk"))
    preload_standings(users)
    return {(u.pk, groups[key].pk) for u in users for key in group_keys_for(u)}


def _repair_batch(ids: set[int], groups: dict[str, Group],
                  wanted: set[tuple[int, int]]) -> int:
    Link = get_user_model().groups.through
    wanted = {(u, g) for u, g in wanted if u in ids}
    links = {
        (user_id, group_id): pk
        for pk, user_id, group_id in Link.objects.filter(
            ids_filter("user_id", ids), group_id__in=[g.pk for g in groups.values()]
        ).values_list("pk", "user_id", "group_id")
        if user_id in ids
    }
    missing, extra = wanted - links.keys(), links.keys() - wanted
    if missing:
        Link.objects.bulk_create(
            [Link(user_id=u, group_id=g) for u, g in missing], ignore_conflicts=True
        )
    if extra:
        Link.objects.filter(pk__in=[links[pair] for pair in extra]).delete()
    return len({u for u, _g in missing | extra})
