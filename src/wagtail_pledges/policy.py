"""The one place that answers "may this user have this benefit?".

Pages, documents, blocks, the API, templates and group sync all ask
:func:`get_policy`. A site swaps the rules with ``WAGTAIL_PLEDGES["POLICY"]``
pointing at a subclass of :class:`MembershipPolicy` (like django-allauth adapters).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import router
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .conf import pledges_settings
from .models import Membership, Organisation, OrganisationRole, Status, Tier
from .prepared import PreparedQuery
from .versioned_cache import field_names

RESOURCES = "resources"
FORUM = "forum"
LOGO = "logo"
DIRECTORY = "directory"
BENEFITS = (RESOURCES, FORUM, LOGO, DIRECTORY)

# Cached on the user object so one request asks the database once.
_CACHE_ATTR = "_wagtail_pledges_standing"


@dataclass(frozen=True)
class Standing:
    """What one user holds: their own membership and their organisations'."""

    own: Membership | None = None
    organisations: tuple[tuple[OrganisationRole, Membership | None], ...] = field(
        default_factory=tuple
    )


class MembershipPolicy:
    """Default rules. Override any method in a subclass to change them."""

    benefits = BENEFITS
    #: Benefits an organisation's staff (not only its admins) inherit. Staff show the
    #: logo on the organisation's behalf, so they may download the kit (issue 9).
    staff_benefits = (RESOURCES, FORUM, LOGO)
    #: Benefits only the organisation tier carries.
    organisation_only_benefits = (LOGO, DIRECTORY)

    # -- status → benefits ----------------------------------------------------

    def today(self) -> datetime.date:
        return timezone.localdate()

    def membership_grants_benefits(self, membership: Membership | None) -> bool:
        """Whether a membership in its present status carries member benefits."""
        if membership is None:
            return False
        status = membership.status
        if status in (Status.ACTIVE, Status.RENEWAL_DUE):
            return True
        if status == Status.LEGACY:
            deadline = pledges_settings.legacy_deadline
            return deadline is None or self.today() <= deadline
        if status == Status.SUBMITTED:
            return bool(pledges_settings.SUBMITTED_HAS_BENEFITS)
        return False

    def benefit_granting_memberships(self) -> Q:
        """:meth:`membership_grants_benefits` as a filter on memberships, so batch
        work (``pledges_recount``'s group repair) asks the database, not each row.

        A subclass that changes :meth:`membership_grants_benefits`,
        :meth:`member_tiers` or :meth:`standing` should change this too; until it does,
        group repair falls back to asking those methods user by user.
        """
        statuses = [Status.ACTIVE, Status.RENEWAL_DUE]
        deadline = pledges_settings.legacy_deadline
        if deadline is None or self.today() <= deadline:
            statuses.append(Status.LEGACY)
        if pledges_settings.SUBMITTED_HAS_BENEFITS:
            statuses.append(Status.SUBMITTED)
        return Q(status__in=statuses)

    def answers_in_bulk(self) -> bool:
        """Whether :meth:`benefit_granting_memberships` states this policy's rule: true
        for the default rules, and for a subclass that overrides it."""
        cls = type(self)
        if cls.benefit_granting_memberships is not MembershipPolicy.benefit_granting_memberships:
            return True
        return all(getattr(cls, name) is getattr(MembershipPolicy, name) for name in
                   ("membership_grants_benefits", "member_tiers", "standing"))

    # -- user → benefits --------------------------------------------------------

    def standing(self, user) -> Standing:
        if user is None or not getattr(user, "is_authenticated", False):
            return Standing()
        cached = getattr(user, _CACHE_ATTR, None)
        if cached is not None:
            return cached
        result = _read_standing(user)
        setattr(user, _CACHE_ATTR, result)
        return result

    def benefits_for(self, user) -> frozenset[str]:
        """Every benefit the user holds now."""
        standing = self.standing(user)
        held: set[str] = set()
        if self.membership_grants_benefits(standing.own):
            held.update(b for b in self.benefits if b not in self.organisation_only_benefits)
        for role, membership in standing.organisations:
            if not self.membership_grants_benefits(membership):
                continue
            if role.role == OrganisationRole.Role.ADMIN:
                held.update(self.benefits)
            else:
                held.update(self.staff_benefits)
        return frozenset(held)

    def has_benefit(self, user, benefit: str) -> bool:
        if benefit not in self.benefits:
            raise ValueError(f"Unknown benefit {benefit!r}; expected one of {self.benefits}")
        return benefit in self.benefits_for(user)

    def is_member(self, user) -> bool:
        """Any benefit at all — what "members-only" means by default."""
        return bool(self.benefits_for(user))

    def member_tiers(self, user) -> frozenset[str]:
        """Tiers through which the user currently holds benefits (for group sync)."""
        standing = self.standing(user)
        tiers: set[str] = set()
        if self.membership_grants_benefits(standing.own):
            tiers.add(Tier.INDIVIDUAL)
        if any(self.membership_grants_benefits(m) for _r, m in standing.organisations):
            tiers.add(Tier.ORGANISATION)
        return frozenset(tiers)

    def organisation_benefits(self, user, organisation) -> frozenset[str]:
        """Benefits the user holds *through this organisation* (admin or staff)."""
        for role, membership in self.standing(user).organisations:
            if role.organisation_id != organisation.pk:
                continue
            if not self.membership_grants_benefits(membership):
                return frozenset()
            if role.role == OrganisationRole.Role.ADMIN:
                return frozenset(self.benefits)
            return frozenset(self.staff_benefits)
        return frozenset()

    def may_use_logo(self, user, organisation) -> bool:
        """Download the logo kit on behalf of ``organisation``."""
        return LOGO in self.organisation_benefits(user, organisation)

    def may_accept_logo_terms(self, user, organisation) -> bool:
        """Accept the kit's terms for the organisation: its admins, while it is a member."""
        return self.may_use_logo(user, organisation) and self.can_manage_organisation(
            user, organisation)

    def can_manage_organisation(self, user, organisation) -> bool:
        return any(
            role.organisation_id == organisation.pk and role.role == OrganisationRole.Role.ADMIN
            for role, _m in self.standing(user).organisations
        )

    def can_review(self, user) -> bool:
        """Reviewers approve, decline and request changes (see the reviewer group)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.is_superuser:
            return True
        return user.has_perm("wagtail_pledges.review_membership")

    # -- who is emailed -----------------------------------------------------------

    def email_recipients(self, membership: Membership, event: str) -> list[str]:
        """Addresses for the email ``event`` about a membership (``approved``,
        ``changes_requested``, ``declined``, ``lapsed``, ``renewal_due``,
        ``pledge_received``, ``plan_submitted``): the member, or an organisation's
        admins."""
        if membership.tier == Tier.INDIVIDUAL:
            return [membership.user.email] if membership.user and membership.user.email else []
        return list(
            OrganisationRole.objects.filter(
                organisation_id=membership.organisation_id, role=OrganisationRole.Role.ADMIN
            ).values_list("user__email", flat=True)
        )

    def reviewer_recipients(self, commitment) -> list[str]:
        """Addresses told that ``commitment`` awaits review: active members of the
        ``REVIEWER_GROUP`` group."""
        group = Group.objects.filter(name=pledges_settings.REVIEWER_GROUP).first()
        if group is None:
            return []
        reviewers = get_user_model().objects.filter(is_active=True, groups=group)
        return list(reviewers.exclude(email="").values_list("email", flat=True))


# -- one user's standing: one query, compiled once per connection --------------------

_PARTS = (  # (model, path from the user)
    (Membership, "pledges_membership"),
    (OrganisationRole, "pledges_roles"),
    (Organisation, "pledges_roles__organisation"),
    (Membership, "pledges_roles__organisation__membership"),
)


def standing_paths() -> list[str]:
    """The columns of a standing, as ``values_list`` paths from the user model: the
    user's own membership, then each role with its organisation and that
    organisation's membership (outer joins; order the query by ``pledges_roles__pk``)."""
    return [f"{path}__{name}" for model, path in _PARTS for name in field_names(model)]


def _standing_rows(key):
    """The user's own membership beside each of their roles with its organisation and
    the organisation's membership: one row per role (one row if none), outer joins."""
    return (get_user_model()._base_manager.filter(pk=key)
            .order_by("pledges_roles__pk").values_list(*standing_paths()))


_standing_query = PreparedQuery(_standing_rows)


def _read_standing(user) -> Standing:
    """What ``standing`` returns, read in one query (the ORM's objects, with the
    relations between them already in place: no query when they are followed)."""
    using = router.db_for_read(Membership)
    return standing_from_rows(user, _standing_query.rows(user.pk, using), 0, using)


def standing_from_rows(user, rows, start_at: int, using: str) -> Standing:
    """The standing held in ``rows`` (:func:`standing_paths`' columns, from position
    ``start_at`` of each row), its objects linked to each other and to ``user``."""
    built = []
    for row in rows:
        objects, start = [], start_at
        for model, _path in _PARTS:
            names = field_names(model)
            values = row[start:start + len(names)]
            start += len(names)
            objects.append(model.from_db(using, names, values) if values[0] is not None
                           else None)
        built.append(objects)
    own = built[0][0] if built else None
    if own is not None:
        Membership.user.field.set_cached_value(own, user)
    organisations = []
    for _own, role, organisation, membership in built:
        if role is None:
            continue
        OrganisationRole.user.field.set_cached_value(role, user)
        OrganisationRole.organisation.field.set_cached_value(role, organisation)
        Membership.organisation.field.remote_field.set_cached_value(organisation, membership)
        if membership is not None:
            Membership.organisation.field.set_cached_value(membership, organisation)
        organisations.append((role, membership))
    return Standing(own=own, organisations=tuple(organisations))


def ids_filter(field: str, ids) -> Q:
    """``field`` is one of ``ids``: as a range when the ids are dense (a sorted batch
    of users), which the database answers from an index without parsing a long
    ``IN`` list; as ``IN`` otherwise. A range may also match rows of users outside
    ``ids``; callers ignore those."""
    if not ids:
        return Q(pk__in=[])
    lo, hi = min(ids), max(ids)
    if hi - lo < 2 * len(ids):
        return Q(**{f"{field}__gte": lo, f"{field}__lte": hi})
    return Q(**{f"{field}__in": ids})


def preload_standings(users) -> None:
    """Load the standing of many users at once (two queries, whatever their number),
    so batch work such as :func:`wagtail_pledges.groups.repair_groups` asks the
    policy about each of them without a query per user."""
    users = [u for u in users if u is not None]
    which = ids_filter("user_id", [u.pk for u in users])
    own = {m.user_id: m for m in Membership.objects.filter(which)}
    roles: dict[int, list] = {}
    for role in (
        OrganisationRole.objects.filter(which)
        .select_related("organisation__membership")
        .order_by("pk")
    ):
        roles.setdefault(role.user_id, []).append(
            (role, getattr(role.organisation, "membership", None))
        )
    for user in users:
        setattr(user, _CACHE_ATTR, Standing(own=own.get(user.pk),
                                            organisations=tuple(roles.get(user.pk, ()))))


def remember_standing(user, standing: Standing) -> None:
    """Keep ``standing`` as ``user``'s for this request (read with the user, say)."""
    setattr(user, _CACHE_ATTR, standing)


def forget_standing(user) -> None:
    """Drop the per-request cache after this user's memberships changed."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


@cache
def _policy_for(path: str) -> MembershipPolicy:
    return import_string(path)()


def get_policy() -> MembershipPolicy:
    """The configured policy instance."""
    return _policy_for(pledges_settings.POLICY)
