"""Starting (or resuming) a pledge or an action plan."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..conf import pledges_settings
from ..models import (
    ActionPlan,
    MemberProfile,
    Membership,
    Organisation,
    OrganisationRole,
    Pledge,
    Tier,
)
from ..models.commitments import Commitment
from .rules import MEMBERSHIP_MOVES
from .writer import _lock, _set_status, get_or_create_membership


def _open_or_new_commitment(model, membership: Membership, **fields) -> Commitment:
    existing = model.objects.filter(membership=membership).open().first()
    if existing:
        return existing
    last = model.objects.filter(membership=membership).aggregate(n=Max("sequence"))["n"] or 0
    try:
        with transaction.atomic():
            return model.objects.create(
                membership=membership, sequence=last + 1, live=False, **fields
            )
    except IntegrityError:  # a concurrent request opened one first
        return model.objects.filter(membership=membership).open().get()


def _begin(membership: Membership, user) -> None:
    """Check a new commitment may start; a declined or withdrawn membership restarts."""
    MEMBERSHIP_MOVES["start"].check(
        membership.status, end=membership.period_end, days=pledges_settings.renewal_due_days
    )
    restart = MEMBERSHIP_MOVES["restart"]
    if restart.allows(membership.status):
        _set_status(membership, restart.target, "restart", user)


@transaction.atomic
def start_individual(member, user=None) -> Pledge:
    """Start (or resume) ``member``'s pledge. Returns the open pledge.

    ``user`` is the person acting; it defaults to ``member``.
    """
    user = user or member
    membership, _created = get_or_create_membership(Tier.INDIVIDUAL, member=member, user=user)
    membership = _lock(membership)
    MemberProfile.objects.get_or_create(user=member)
    open_pledge = Pledge.objects.filter(membership=membership).open().first()
    if open_pledge:
        return open_pledge
    _begin(membership, user)
    return _open_or_new_commitment(Pledge, membership, user=member)


@transaction.atomic
def start_organisation(user, *, organisation: Organisation | None = None,
                       **organisation_fields) -> ActionPlan:
    """Create an organisation with ``user`` as its first admin (or resume its plan).

    Pass ``organisation`` to start a plan for an existing one; ``user`` must be one
    of its admins, or ``PermissionDenied`` is raised.
    """
    if organisation is None:
        organisation = Organisation.objects.create(**organisation_fields)
        OrganisationRole.objects.create(
            organisation=organisation, user=user, role=OrganisationRole.Role.ADMIN
        )
    elif not OrganisationRole.objects.filter(
        organisation=organisation, user=user, role=OrganisationRole.Role.ADMIN
    ).exists():
        raise PermissionDenied(_("Only an admin of %s can do this.") % organisation)
    membership, _created = get_or_create_membership(
        Tier.ORGANISATION, organisation=organisation, user=user
    )
    membership = _lock(membership)
    MemberProfile.objects.get_or_create(user=user)
    open_plan = ActionPlan.objects.filter(membership=membership).open().first()
    if open_plan:
        return open_plan
    _begin(membership, user)
    return _open_or_new_commitment(
        ActionPlan, membership, organisation=organisation, created_by=user
    )
