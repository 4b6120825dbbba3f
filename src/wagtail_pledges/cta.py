"""The call to action that adapts to whoever is looking: join, finish, renew, member.

Used by the membership page, the call-to-action block and the member dashboard; it
imports no page or block module, so each of those can import it at the top.
"""

from __future__ import annotations

from dataclasses import dataclass

from .journey_urls import journey_page_urls
from .member_record import individual_status_label
from .models import Membership, OrganisationRole, Status, Tier
from .policy import get_policy

# What each membership status asks of its member next, most urgent first.
_NEXT_STEP = {
    Status.CHANGES_REQUESTED: "finish",
    Status.DRAFT: "finish",
    Status.RENEWAL_DUE: "renew",
    Status.LAPSED: "renew",
    Status.LEGACY: "renew",
    Status.DECLINED: "try_again",
    Status.WITHDRAWN: "try_again",
    Status.SUBMITTED: "awaiting",
    Status.ACTIVE: "member",
}
_URGENCY = ["finish", "renew", "try_again", "awaiting", "member"]


@dataclass(frozen=True)
class CallToAction:
    """What to invite the viewer to do.

    ``kind`` is ``join``, ``finish``, ``renew``, ``try_again`` (declined or withdrawn:
    apply again), ``awaiting`` or ``member``; ``tier`` says which membership it is about
    (``None`` for ``join``).
    """

    kind: str
    tier: str | None = None
    membership: Membership | None = None
    individual_url: str = ""
    organisation_url: str = ""
    is_member: bool = False

    @property
    def waiting_for_email(self) -> bool:
        """An individual's pledge waits for their email confirmation, not a reviewer."""
        membership = self.membership
        return (self.kind == "awaiting" and membership is not None
                and membership.tier == Tier.INDIVIDUAL
                and individual_status_label(membership, membership.user)
                != membership.get_status_display())

    @property
    def url(self) -> str:
        if self.tier == Tier.ORGANISATION:
            return self.organisation_url
        return self.individual_url


def call_to_action(user, *, individual_page=None, organisation_page=None,
                   request=None) -> CallToAction:
    """Choose the call to action for ``user`` from their memberships and the policy.

    Reads the policy's per-request standing (two queries for a signed-in user, none
    for anyone else). Pages not given are found among live pages built from the
    journey mixins.
    """
    policy = get_policy()
    standing = policy.standing(user)
    candidates = []
    if standing.own is not None:
        candidates.append(standing.own)
    candidates.extend(
        membership for role, membership in standing.organisations
        if membership is not None and role.role == OrganisationRole.Role.ADMIN
    )
    steps = [(m, _NEXT_STEP.get(m.status)) for m in candidates]
    steps = [(m, kind) for m, kind in steps if kind]
    individual_url, organisation_url = journey_page_urls(
        individual_page, organisation_page, request=request
    )
    common = {"individual_url": individual_url, "organisation_url": organisation_url,
              "is_member": policy.is_member(user)}
    if not steps:
        if common["is_member"]:  # staff of a member organisation
            return CallToAction("member", Tier.ORGANISATION, **common)
        return CallToAction("join", **common)
    membership, kind = min(steps, key=lambda step: _URGENCY.index(step[1]))
    return CallToAction(kind, membership.tier, membership, **common)
