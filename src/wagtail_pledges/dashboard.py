"""What the member dashboard shows, gathered in a fixed number of queries, and the
call to action that adapts to whoever is looking.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .accounts import email_is_verified
from .models import (
    ActionPlan,
    Membership,
    OrganisationRole,
    Pledge,
    ProgressUpdate,
    ReviewStatus,
    Status,
    Tier,
)
from .policy import get_policy

# What each membership status asks of its member next, most urgent first.
_NEXT_STEP = {
    Status.CHANGES_REQUESTED: "finish",
    Status.DRAFT: "finish",
    Status.RENEWAL_DUE: "renew",
    Status.LAPSED: "renew",
    Status.LEGACY: "renew",
    Status.SUBMITTED: "awaiting",
    Status.ACTIVE: "member",
}
_URGENCY = ["finish", "renew", "awaiting", "member"]


@dataclass(frozen=True)
class CallToAction:
    """What to invite the viewer to do.

    ``kind`` is ``join``, ``finish``, ``renew``, ``awaiting`` or ``member``; ``tier``
    says which membership it is about (``None`` for ``join``).
    """

    kind: str
    tier: str | None = None
    membership: Membership | None = None
    individual_url: str = ""
    organisation_url: str = ""
    is_member: bool = False

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
    from .page_mixins import journey_page_urls

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


def post_progress_update(user, body: str, *, pledge: Pledge | None = None,
                         plan: ActionPlan | None = None,
                         submission_key: str | None = None) -> ProgressUpdate:
    """Publish a note on how an approved pledge (its owner) or plan (an admin) is going.

    ``submission_key``, the form's one-time key, makes a repeated post return the
    update the first one stored instead of storing another.
    """
    commitment = pledge or plan
    if commitment is None or (pledge and plan):
        raise ValueError("Give a pledge or a plan.")
    if pledge is not None and pledge.user_id != user.pk:
        raise PermissionDenied(_("You can only post updates on your own pledge."))
    if plan is not None and not get_policy().can_manage_organisation(user, plan.organisation):
        raise PermissionDenied(_("Only an admin of the organisation can post updates."))
    if commitment.review_status != ReviewStatus.APPROVED:
        raise ValidationError(_("You can post updates once it has been approved."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write your update.")]})
    if submission_key:
        existing = ProgressUpdate.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return ProgressUpdate.objects.create(pledge=pledge, plan=plan, author=user,
                                                 body=body, submission_key=submission_key)
    except IntegrityError:  # the same form posted at the same moment: the first stands
        return ProgressUpdate.objects.get(submission_key=submission_key)


def dashboard_context(user) -> dict:
    policy = get_policy()
    membership = Membership.objects.filter(user=user).first()
    pledge = (
        Pledge.objects.filter(user=user).select_related("strategy").order_by("-sequence").first()
    )
    roles = list(
        OrganisationRole.objects.filter(user=user).select_related(
            "organisation", "organisation__membership"
        )
    )
    plans = {
        plan.organisation_id: plan
        for plan in ActionPlan.objects.filter(
            organisation_id__in=[r.organisation_id for r in roles]
        ).order_by("organisation_id", "sequence")
    }
    admin_org_ids = [r.organisation_id for r in roles if r.role == OrganisationRole.Role.ADMIN]
    people: dict[int, list[OrganisationRole]] = {}
    for person in (
        OrganisationRole.objects.filter(organisation_id__in=admin_org_ids)
        .select_related("user").order_by("organisation_id", "role", "pk")
    ):
        people.setdefault(person.organisation_id, []).append(person)
    return {
        "membership": membership,
        "pledge": pledge,
        "organisations": [
            {"role": r, "organisation": r.organisation,
             "membership": getattr(r.organisation, "membership", None),
             "plan": plans.get(r.organisation_id),
             "is_admin": r.role == OrganisationRole.Role.ADMIN,
             "people": people.get(r.organisation_id, [])}
            for r in roles
        ],
        "benefits": sorted(policy.benefits_for(user)),
        "is_member": policy.is_member(user),
        "email_verified": email_is_verified(user),
        "cta": call_to_action(user),
        "ReviewStatus": ReviewStatus,
    }
