"""What a member wrote and what was decided about them, for their dashboard.

Everything a member is told by email is also shown back to them here: reviewer
comments and decline reasons, their action or plan, their progress updates, and
the dated decisions on each membership. A fixed number of queries, whatever the
number of pledges, plans or updates.
"""

from __future__ import annotations

from django.db import router
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from .conf import pledges_settings
from .email_verification import email_is_verified
from .journey_urls import directory_page
from .models import (
    ActionPlan,
    LifecycleEvent,
    Pledge,
    Priority,
    ProgressUpdate,
    Status,
)
from .prepared import PreparedObjects

# The history lines a member is shown; other events (invitations, reminders) are
# bookkeeping. Keys are LifecycleEvent.action values written by the lifecycle.
DECISIONS = {
    "submit": _("Submitted for review"),
    "approve": _("Approved: membership active"),
    "renew": _("Renewed"),
    "request_changes": _("Changes requested"),
    "decline": _("Declined"),
    "renewal_due": _("Renewal due"),
    "lapse": _("Lapsed"),
    "withdraw": _("Withdrawn"),
    "restart": _("Started again"),
}
HISTORY_LIMIT = 20


# The individual journey's steps (the page's and the API's) all start from this read,
# the commit step on every submission: compiled once per connection. The pledge's
# membership is the member's own: read with it, not asked again.
_latest_pledge = PreparedObjects(
    lambda user_pk: Pledge.objects.filter(user_id=user_pk).select_related("membership")
    .order_by("-sequence")[:1]
)


def latest_pledge(user) -> Pledge | None:
    """``user``'s latest pledge, with its membership (one query)."""
    pledges = _latest_pledge.objects(user.pk, router.db_for_read(Pledge))
    return pledges[0] if pledges else None


def individual_status_label(membership, user) -> str:
    """The status in words, telling an individual when we wait for *them*, not a reviewer."""
    if membership is None:
        return ""
    if membership.status == Status.SUBMITTED and not pledges_settings.INDIVIDUAL_REQUIRES_REVIEW \
            and not email_is_verified(user):
        return str(_("Waiting for you to confirm your email address"))
    return membership.get_status_display()


def _decisions(membership_ids) -> dict[int, list[LifecycleEvent]]:
    history: dict[int, list[LifecycleEvent]] = {}
    for event in LifecycleEvent.objects.filter(
        membership_id__in=membership_ids, action__in=DECISIONS
    ).order_by("-created_at", "-pk"):
        rows = history.setdefault(event.membership_id, [])
        if len(rows) < HISTORY_LIMIT:
            event.label = DECISIONS[event.action]
            rows.append(event)
    return history


def plans_directory_url(request=None) -> str:
    """The public directory's address (the first live directory page), or ``""``."""
    page = directory_page()
    return page.get_url(request) or "" if page is not None else ""


def member_record(user, membership, organisations, request=None) -> dict:
    """Pledges, plans, updates and decisions for ``user``'s dashboard.

    ``organisations`` is the dashboard's list of ``{"organisation", "membership",
    "is_admin", ...}`` items; each gains ``plans`` (newest first, with updates and
    priorities), ``decisions`` and, once published, ``public_url``.
    """
    updates = Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-created_at"),
                       to_attr="update_list")
    pledges = list(
        Pledge.objects.filter(user=user).select_related("strategy")
        .prefetch_related(updates).order_by("-sequence")
    )
    org_ids = [item["organisation"].pk for item in organisations]
    plans: dict[int, list[ActionPlan]] = {}
    for plan in (
        ActionPlan.objects.filter(organisation_id__in=org_ids)
        .prefetch_related(updates, Prefetch(
            "priorities", queryset=Priority.objects.select_related("strategy")
            .order_by("sort_order"), to_attr="priority_list"))
        .order_by("-sequence")
    ):
        plans.setdefault(plan.organisation_id, []).append(plan)
    membership_ids = [m.pk for m in [membership, *(i["membership"] for i in organisations)]
                      if m is not None]
    decisions = _decisions(membership_ids) if membership_ids else {}
    directory = ""
    if any(plan.live for rows in plans.values() for plan in rows):
        directory = plans_directory_url(request)
    for item in organisations:
        rows = plans.get(item["organisation"].pk, [])
        item["plans"] = rows
        item["decisions"] = decisions.get(getattr(item["membership"], "pk", None), [])
        if directory and any(plan.live for plan in rows):
            item["public_url"] = f"{directory}{item['organisation'].slug}/"
    status_label = individual_status_label(membership, user)
    if pledges and pledges[0].review_status == Status.SUBMITTED:
        pledges[0].review_label = status_label  # waiting for the member, maybe
    return {
        "pledges": pledges,
        "decisions": decisions.get(getattr(membership, "pk", None), []),
        "status_label": status_label,
    }
