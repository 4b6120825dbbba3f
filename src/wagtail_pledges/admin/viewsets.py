"""The "Membership" menu: Wagtail snippet viewsets in one viewset group.

Pledges and plans are snippets so they get Wagtail's revisions, comparisons,
locking and workflows. What only the lifecycle may create or change is read-only
here (see :mod:`.permissions`).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.views.snippets import (
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
    UnpublishView,
)

from ..models import (
    ActionPlan,
    LegacySignatory,
    Location,
    Membership,
    Organisation,
    OutboxMessage,
    Pledge,
    ProgressUpdate,
    RestrictivePractice,
    Sector,
    Strategy,
)
from .logo_kit import LOGO_KIT_VIEWSETS


class MembershipFilterSet(WagtailFilterSet):
    period_end = django_filters.DateFromToRangeFilter(label=_("Period ends"))

    class Meta:
        model = Membership
        fields = ["tier", "status"]


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "group"
    menu_label = _("Members")
    base_url_path = "pledges/memberships"
    list_display = [
        "subject", Column("tier", label=_("Tier"), accessor="get_tier_display"),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        DateColumn("period_end", label=_("Period ends"), sort_key="period_end"),
        DateColumn("status_changed_at", label=_("Status changed"), sort_key="status_changed_at"),
    ]
    filterset_class = MembershipFilterSet
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name"]
    search_backend_name = None  # plain database lookups across the relations
    list_export = ["subject", "tier", "status", "period_start", "period_end", "created_at",
                   "status_changed_at"]
    export_headings = {"subject": _("Member")}
    export_filename = "memberships"
    ordering = ["-status_changed_at"]
    inspect_view_enabled = True
    inspect_view_fields = ["tier", "status", "user", "organisation", "period_start",
                           "period_end", "reminders_sent", "created_at", "status_changed_at"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Membership.objects.select_related("user", "organisation")


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "site"
    menu_label = _("Organisations")
    base_url_path = "pledges/organisations"
    list_display = ["name", "sector", "location",
                    Column("status", label=_("Membership"),
                           accessor=lambda o: getattr(getattr(o, "membership", None),
                                                      "get_status_display", lambda: "")())]
    list_filter = ["sector", "location", "size_band"]
    search_fields = ["name", "region", "country"]
    search_backend_name = None
    list_export = ["name", "slug", "sector", "region", "country", "website", "size_band",
                   "created_at"]
    export_filename = "organisations"
    copy_view_enabled = False

    def get_queryset(self, request):
        return Organisation.objects.select_related("sector", "membership", "location__parent")


class CommitmentFilterSet(WagtailFilterSet):
    submitted_at = django_filters.DateFromToRangeFilter(label=_("Submitted"))


class PlanFilterSet(CommitmentFilterSet):
    class Meta:
        model = ActionPlan
        fields = ["review_status", "live", "organisation__sector", "practices"]


class PledgeFilterSet(CommitmentFilterSet):
    class Meta:
        model = Pledge
        fields = ["review_status", "live", "strategy", "practices"]


# Editor actions that would move a pledge or plan without the lifecycle: publishing it
# (approving it), submitting it for review (the member submits it), and restarting or
# cancelling its review (a reviewer decides: approve, request changes or decline).
LIFECYCLE_EDITOR_ACTIONS = ("publish", "submit", "restart-workflow", "cancel-workflow")


class CommitmentEditView(EditView):
    """The editor of a pledge or plan, without the actions only the lifecycle takes.

    Publishing a commitment is approving it, which the lifecycle does when a reviewer
    decides (it also unpublishes the one it renews, counts and emails); a bare publish
    would skip all of that and could put an older plan live beside its renewal.
    Submitting or restarting a review would start Wagtail's workflow on a commitment
    whose member never submitted it (an old, approved plan, say), and cancelling one
    would leave a submitted commitment no workflow to decide it. A forged POST asking
    for any of them is refused (Wagtail's permission-denied message, nothing saved),
    not quietly saved as a draft. "Save draft" and the workflow's Approve / Request
    changes (``action-workflow-action``) stay.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and any(
                f"action-{action}" in request.POST for action in LIFECYCLE_EDITOR_ACTIONS):
            raise PermissionDenied("Only the membership lifecycle publishes, submits or "
                                   "withdraws a pledge or plan.")
        return super().dispatch(request, *args, **kwargs)


class CommitmentUnpublishView(UnpublishView):
    """Refused: a commitment leaves the directory by the lifecycle (lapse, withdrawal,
    renewal), which also moves the counters; a bare unpublish would leave them wrong."""

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied("Commitments are unpublished by the membership lifecycle.")


class ActionPlanViewSet(SnippetViewSet):
    model = ActionPlan
    edit_view_class = CommitmentEditView
    unpublish_view_class = CommitmentUnpublishView
    icon = "list-ol"
    menu_label = _("Action plans")
    base_url_path = "pledges/plans"
    list_display = [
        "__str__", Column("review_status", label=_("Review"),
                          accessor="get_review_status_display", sort_key="review_status"),
        DateColumn("submitted_at", label=_("Submitted"), sort_key="submitted_at"),
        DateColumn("period_end", label=_("Period ends"), sort_key="period_end"),
    ]
    filterset_class = PlanFilterSet
    search_fields = ["public_summary", "organisation__name", "signoff_name"]
    search_backend_name = None
    list_export = ["organisation.name", "sequence", "review_status", "live", "submitted_at",
                   "decided_at", "period_start", "period_end", "signoff_name", "signoff_role",
                   "public_summary", "reviewer_comment"]
    export_headings = {"organisation.name": _("Organisation")}
    export_filename = "action-plans"
    ordering = ["-submitted_at", "-created_at"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return ActionPlan.objects.select_related("organisation")


class PledgeViewSet(SnippetViewSet):
    model = Pledge
    edit_view_class = CommitmentEditView
    unpublish_view_class = CommitmentUnpublishView
    icon = "pick"
    menu_label = _("Individual pledges")
    base_url_path = "pledges/pledges"
    list_display = [
        "__str__", "strategy",
        Column("review_status", label=_("Review"), accessor="get_review_status_display",
               sort_key="review_status"),
        DateColumn("submitted_at", label=_("Submitted"), sort_key="submitted_at"),
        DateColumn("target_date", label=_("Target date"), sort_key="target_date"),
    ]
    filterset_class = PledgeFilterSet
    search_fields = ["action", "user__email", "user__first_name", "user__last_name"]
    search_backend_name = None
    list_export = ["user.email", "sequence", "review_status", "live", "action", "strategy",
                   "target_date", "submitted_at", "decided_at", "period_end"]
    export_headings = {"user.email": _("Member email")}
    export_filename = "individual-pledges"
    ordering = ["-submitted_at", "-created_at"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Pledge.objects.select_related("user", "strategy")


class ProgressUpdateViewSet(SnippetViewSet):
    model = ProgressUpdate
    icon = "comment"
    menu_label = _("Progress updates")
    base_url_path = "pledges/updates"
    list_display = ["__str__", "plan", "pledge", "author",
                    DateColumn("created_at", label=_("Posted"))]
    search_fields = ["body"]
    search_backend_name = None
    list_export = ["created_at", "author", "plan", "pledge", "body"]
    export_filename = "progress-updates"
    ordering = ["-created_at"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return ProgressUpdate.objects.select_related("author", "plan__organisation", "pledge__user")


class LegacyFilterSet(WagtailFilterSet):
    invited = django_filters.BooleanFilter(field_name="invited_at", lookup_expr="isnull",
                                           exclude=True, label=_("Invited"))
    claimed = django_filters.BooleanFilter(field_name="claimed_at", lookup_expr="isnull",
                                           exclude=True, label=_("Claimed"))

    class Meta:
        model = LegacySignatory
        fields = ["kind"]


class LegacySignatoryViewSet(SnippetViewSet):
    model = LegacySignatory
    icon = "history"
    menu_label = _("Legacy signatories")
    base_url_path = "pledges/legacy"
    list_display = ["name", "organisation_name", "email", "kind",
                    DateColumn("invited_at", label=_("Invited")),
                    DateColumn("claimed_at", label=_("Claimed"))]
    filterset_class = LegacyFilterSet
    search_fields = ["name", "email", "organisation_name"]
    search_backend_name = None
    list_export = ["kind", "name", "email", "organisation_name", "signed_on", "invited_at",
                   "claimed_at"]
    export_filename = "legacy-signatories"
    copy_view_enabled = False


class OutboxViewSet(SnippetViewSet):
    model = OutboxMessage
    icon = "mail"
    menu_label = _("Outbox")
    base_url_path = "pledges/outbox"
    list_display = ["heading", "to", "template", "state", "attempts",
                    DateColumn("created_at", label=_("Queued")),
                    DateColumn("sent_at", label=_("Sent"))]
    list_filter = ["state", "template"]
    search_fields = ["to", "subject"]
    search_backend_name = None
    list_export = ["created_at", "template", "to", "subject", "state", "attempts", "sent_at",
                   "last_error"]
    export_filename = "outbox"
    ordering = ["-created_at"]
    inspect_view_enabled = True
    inspect_view_fields = ["to", "subject", "template", "state", "attempts", "created_at",
                           "sent_at", "last_error", "preview_text"]
    copy_view_enabled = False


class TermViewSet(SnippetViewSet):
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]
    search_backend_name = None
    list_export = ["name", "slug", "description", "sort_order"]
    ordering = ["sort_order", "name"]
    copy_view_enabled = False


class StrategyViewSet(TermViewSet):
    model = Strategy
    icon = "tag"
    menu_label = _("Strategies")
    base_url_path = "pledges/strategies"
    export_filename = "strategies"


class RestrictivePracticeViewSet(TermViewSet):
    model = RestrictivePractice
    icon = "tag"
    menu_label = _("Restrictive practices")
    base_url_path = "pledges/practices"
    export_filename = "restrictive-practices"


class SectorViewSet(TermViewSet):
    model = Sector
    icon = "tag"
    menu_label = _("Sectors")
    base_url_path = "pledges/sectors"
    export_filename = "sectors"


class LocationViewSet(TermViewSet):
    model = Location
    icon = "site"
    menu_label = _("Locations")
    base_url_path = "pledges/locations"
    export_filename = "locations"
    list_display = ["name", "parent", "slug", "sort_order"]
    list_filter = ["parent"]
    list_export = ["name", "slug", "parent", "description", "sort_order"]
    ordering = ["parent__name", "sort_order", "name"]

    def get_queryset(self, request):
        return Location.objects.select_related("parent")


class MembershipViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Membership")
    menu_icon = "group"
    menu_order = 250
    items = (
        MembershipViewSet,
        OrganisationViewSet,
        PledgeViewSet,
        ActionPlanViewSet,
        ProgressUpdateViewSet,
        LegacySignatoryViewSet,
        OutboxViewSet,
        StrategyViewSet,
        RestrictivePracticeViewSet,
        SectorViewSet,
        *LOGO_KIT_VIEWSETS,
        LocationViewSet,
    )


# Publishing a pledge or plan *is* approving it, which only the lifecycle does (after
# a reviewer's decision): the editor offers "Save draft" and the workflow's
# Approve / Request changes, not the bare Publish / Unpublish buttons, nor Submit,
# Restart or Cancel workflow (CommitmentEditView refuses them when posted).
LIFECYCLE_ACTIONS = {"action-unpublish",
                     *(f"action-{action}" for action in LIFECYCLE_EDITOR_ACTIONS)}


def hide_lifecycle_actions(menu_items, request, context) -> None:
    """``construct_snippet_action_menu`` hook."""
    if context.get("model") in (ActionPlan, Pledge):
        menu_items[:] = [item for item in menu_items if item.name not in LIFECYCLE_ACTIONS]
