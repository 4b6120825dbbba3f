"""What the member dashboard shows, gathered in a fixed number of queries.

The call to action lives in :mod:`wagtail_pledges.cta`; it is re-exported here for
code that imported it from this module.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .accounts import email_is_verified
from .cta import CallToAction, call_to_action
from .member_record import member_record
from .models import (
    ActionPlan,
    Membership,
    OrganisationRole,
    Pledge,
    ProgressUpdate,
    ReviewStatus,
)
from .policy import get_policy

__all__ = ["CallToAction", "call_to_action", "dashboard_context", "post_progress_update"]


def post_progress_update(user, body: str, *, pledge: Pledge | None = None,
                         plan: ActionPlan | None = None,
                         submission_key: str | None = None) -> ProgressUpdate:
    """Publish a note on how an approved pledge (its owner) or plan (an admin) is going.

    ``submission_key``, the form's one-time key (or the API's ``Idempotency-Key``),
    makes a repeated post by the same person return the update the first one stored
    instead of storing another.
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
        # Scoped to the author: one person's key can never find (or block) another's.
        submission_key = hashlib.sha256(f"{user.pk}:{submission_key}".encode()).hexdigest()
        existing = ProgressUpdate.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return ProgressUpdate.objects.create(pledge=pledge, plan=plan, author=user,
                                                 body=body, submission_key=submission_key)
    except IntegrityError:  # the same form posted at the same moment: the first stands
        return ProgressUpdate.objects.get(submission_key=submission_key)


def dashboard_context(user, request=None) -> dict:
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
        for plan in ActionPlan.objects.latest_per_organisation(
            [r.organisation_id for r in roles]
        )
    }
    admin_org_ids = [r.organisation_id for r in roles if r.role == OrganisationRole.Role.ADMIN]
    people: dict[int, list[OrganisationRole]] = {}
    for person in (
        OrganisationRole.objects.filter(organisation_id__in=admin_org_ids)
        .select_related("user").order_by("organisation_id", "role", "pk")
    ):
        people.setdefault(person.organisation_id, []).append(person)
    organisations = [
        {"role": r, "organisation": r.organisation,
         "membership": getattr(r.organisation, "membership", None),
         "plan": plans.get(r.organisation_id),
         "is_admin": r.role == OrganisationRole.Role.ADMIN,
         "people": people.get(r.organisation_id, [])}
        for r in roles
    ]
    return {
        **member_record(user, membership, organisations, request=request),
        "membership": membership,
        "pledge": pledge,
        "organisations": organisations,
        "benefits": sorted(policy.benefits_for(user)),
        "is_member": policy.is_member(user),
        "email_verified": email_is_verified(user),
        "cta": call_to_action(user),
        "ReviewStatus": ReviewStatus,
    }
