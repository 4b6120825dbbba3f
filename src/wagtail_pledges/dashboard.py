"""What the member dashboard shows, gathered in a fixed number of queries."""

from __future__ import annotations

from .accounts import email_is_verified
from .models import ActionPlan, Membership, OrganisationRole, Pledge
from .policy import get_policy


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
    return {
        "membership": membership,
        "pledge": pledge,
        "organisations": [
            {"role": r, "organisation": r.organisation,
             "membership": getattr(r.organisation, "membership", None),
             "plan": plans.get(r.organisation_id)}
            for r in roles
        ],
        "benefits": sorted(policy.benefits_for(user)),
        "is_member": policy.is_member(user),
        "email_verified": email_is_verified(user),
    }
