"""The membership panel on the Wagtail dashboard (home page)."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.ui.components import Component

from ..campaign import steering_without_membership
from ..conf import pledges_settings
from ..counts import get_counts
from ..models import LegacySignatory
from .permissions import can_review, can_view_memberships
from .reports import days_to_deadline


class MembershipSummaryPanel(Component):
    """Members by tier, awaiting review, legacy still to move, days to the deadline.

    Reads the counter rows (:func:`wagtail_pledges.counts.get_counts`): one cached
    query, never a ``COUNT(*)`` over members.
    """

    name = "wagtail_pledges_summary"
    template_name = "wagtail_pledges/admin/dashboard_panel.html"
    order = 110

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        return {
            "counts": get_counts(),
            # The admin home, not a public page: one indexed count is fine here.
            "unclaimed_signatories": LegacySignatory.objects.filter(
                claimed_at__isnull=True
            ).count(),
            "days_to_deadline": days_to_deadline(),
            "deadline": pledges_settings.legacy_deadline,
            # The steering group is a handful of people: the policy is asked per person.
            "steering_without_membership": [
                user.get_full_name() or user.email for user in steering_without_membership()
            ],
            "steering_group": pledges_settings.STEERING_GROUP,
            "steering_report_url": reverse("wagtail_pledges_admin:report_steering_group"),
            "review_queue_url": reverse("wagtail_pledges_admin:review_queue")
            if can_review(user) else None,
        }


def add_membership_panel(request, panels) -> None:
    """``construct_homepage_panels`` hook: only for users who may see memberships."""
    if can_view_memberships(request.user):
        panels.append(MembershipSummaryPanel())
