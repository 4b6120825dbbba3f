"""Membership reports: Wagtail ``ReportView`` listings, each exportable as CSV/XLSX."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView

from ..campaign import steering_without_membership
from ..conf import pledges_settings
from ..models import ActionPlan, LegacySignatory, Membership, Status
from .campaign_report import campaign_by_tier, days_to_deadline, legacy_signatories
from .permissions import can_view_memberships

ENDING_SOON_DAYS = 60


def today() -> datetime.date:
    return timezone.localdate()


class MembershipReportView(ReportView):
    """Reports are for users who may see memberships (reviewers hold that right)."""

    header_icon = "group"
    url_name = ""  # "report_<name>" in the wagtail_pledges_admin namespace

    def dispatch(self, request, *args, **kwargs):
        if not can_view_memberships(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    @property
    def index_url_name(self):
        return f"wagtail_pledges_admin:{self.url_name}"

    @property
    def index_results_url_name(self):
        return f"wagtail_pledges_admin:{self.url_name}_results"

    def get_filename(self):
        return f"{self.export_filename}-{today().isoformat()}"


def membership_subject_url(membership: Membership) -> str | None:
    viewset = getattr(Membership, "snippet_viewset", None)
    if viewset is None or not viewset.inspect_view_enabled:
        return None
    return reverse(viewset.get_url_name("inspect"), args=[membership.pk])


MEMBERSHIP_EXPORT = ["subject", "tier", "status", "period_start", "period_end", "contact"]
MEMBERSHIP_HEADINGS = {
    "subject": _("Member"), "tier": _("Tier"), "status": _("Status"),
    "period_start": _("Period start"), "period_end": _("Period end"),
    "contact": _("Contact email"),
}


class MembershipRow:
    """A membership as a report row: display values and one contact address."""

    def __init__(self, membership: Membership, contact: str = ""):
        self.membership = membership
        self.pk = membership.pk
        self.subject = str(membership.subject)
        self.tier = membership.get_tier_display()
        self.status = membership.get_status_display()
        self.period_start = membership.period_start
        self.period_end = membership.period_end
        self.status_changed_at = membership.status_changed_at
        self.contact = contact
        self.days_left = (membership.period_end - today()).days if membership.period_end else None

    def __str__(self) -> str:
        return self.subject


def membership_rows(memberships) -> list[MembershipRow]:
    """Rows with one contact each: the member, or the organisation's first admin."""
    from ..models import OrganisationRole

    memberships = list(memberships)
    admins: dict[int, str] = {}
    for organisation_id, email in OrganisationRole.objects.filter(
        organisation_id__in=[m.organisation_id for m in memberships if m.organisation_id],
        role=OrganisationRole.Role.ADMIN,
    ).order_by("pk").values_list("organisation_id", "user__email"):
        admins.setdefault(organisation_id, email)
    return [
        MembershipRow(m, m.user.email if m.user_id else admins.get(m.organisation_id, ""))
        for m in memberships
    ]


MEMBERSHIP_COLUMNS = [
    TitleColumn("subject", label=_("Member"),
                get_url=lambda row: membership_subject_url(row.membership)),
    Column("tier", label=_("Tier")),
    Column("status", label=_("Status")),
    DateColumn("period_end", label=_("Period ends")),
    Column("contact", label=_("Contact")),
]


class EndingSoonReport(MembershipReportView):
    page_title = _("Memberships ending in the next 60 days")
    url_name = "report_ending_soon"
    export_filename = "memberships-ending-soon"
    list_export = [*MEMBERSHIP_EXPORT, "days_left"]
    export_headings = {**MEMBERSHIP_HEADINGS, "days_left": _("Days left")}
    columns = [*MEMBERSHIP_COLUMNS, Column("days_left", label=_("Days left"))]
    no_results_message = _("No membership ends in the next 60 days.")

    def get_queryset(self):
        start = today()
        memberships = (
            Membership.objects.current()
            .filter(period_end__gte=start,
                    period_end__lte=start + datetime.timedelta(days=ENDING_SOON_DAYS))
            .select_related("user", "organisation")
            .order_by("period_end", "pk")
        )
        return membership_rows(memberships)


class LapsedThisMonthReport(MembershipReportView):
    page_title = _("Memberships lapsed this month")
    url_name = "report_lapsed"
    export_filename = "memberships-lapsed-this-month"
    list_export = [*MEMBERSHIP_EXPORT, "status_changed_at"]
    export_headings = {**MEMBERSHIP_HEADINGS, "status_changed_at": _("Lapsed on")}
    columns = [*MEMBERSHIP_COLUMNS[:2], DateColumn("status_changed_at", label=_("Lapsed on")),
               MEMBERSHIP_COLUMNS[-1]]
    no_results_message = _("No membership has lapsed this month.")

    def get_queryset(self):
        now = timezone.localtime()
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        memberships = (
            Membership.objects.filter(status=Status.LAPSED, status_changed_at__gte=month_start)
            .select_related("user", "organisation")
            .order_by("-status_changed_at", "pk")
        )
        return membership_rows(memberships)


class SteeringGroupReport(MembershipReportView):
    """Steering-group members the policy does not count as members.

    "Member" is :meth:`MembershipPolicy.is_member` — their own membership or one
    through an organisation — so a swapped policy is reported on its own terms.
    The steering group is small; the policy is asked once per person.
    """

    page_title = _("Steering group members without an active membership")
    url_name = "report_steering_group"
    export_filename = "steering-group-without-membership"
    list_export = ["name", "email"]
    export_headings = {"name": _("Name"), "email": _("Email")}
    columns = [Column("name", label=_("Name")), Column("email", label=_("Email"))]

    @property
    def no_results_message(self):
        return _("Every member of the “%s” group holds a membership.") % (
            pledges_settings.STEERING_GROUP
        )

    def get_queryset(self):
        return [SteeringRow(user) for user in steering_without_membership()]


class SteeringRow:
    def __init__(self, user):
        self.pk = user.pk
        self.name = user.get_full_name() or str(user)
        self.email = user.email

    def __str__(self) -> str:
        return self.name


class AwaitingReviewReport(MembershipReportView):
    page_title = _("Plans awaiting review (oldest first)")
    url_name = "report_awaiting_review"
    export_filename = "plans-awaiting-review"
    list_export = ["organisation.name", "sequence", "submitted_at", "signoff_name"]
    export_headings = {
        "organisation.name": _("Organisation"), "sequence": _("Commitment period"),
        "submitted_at": _("Submitted"), "signoff_name": _("Signed off by"),
    }
    columns = [
        TitleColumn("organisation", label=_("Organisation"),
                    get_url=lambda plan: reverse("wagtail_pledges_admin:review",
                                                 args=["plan", plan.pk])),
        Column("sequence", label=_("Period")),
        DateColumn("submitted_at", label=_("Submitted")),
        Column("signoff_name", label=_("Signed off by")),
    ]
    no_results_message = _("No plan is awaiting review.")

    def get_queryset(self):
        return ActionPlan.objects.awaiting_review().select_related("organisation")


class LegacyState:
    NOT_INVITED = "not_invited"
    INVITED = "invited"
    CLAIMED = "claimed"
    MOVED = "moved"
    CHOICES = [
        (NOT_INVITED, _("Not invited yet")),
        (INVITED, _("Invited, not claimed")),
        (CLAIMED, _("Claimed, not moved")),
        (MOVED, _("Moved to an approved commitment")),
    ]


def legacy_campaign_summary() -> dict:
    """The migration campaign in two aggregate queries."""
    totals = LegacySignatory.objects.aggregate(
        total=Count("pk"),
        invited=Count("pk", filter=Q(invited_at__isnull=False)),
        claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
    )
    # An aggregate filtered on the EXISTS annotation is not supported on every
    # backend, so "moved" is counted on its own.
    totals["moved"] = legacy_signatories().filter(moved=True).count()
    totals["deadline"] = pledges_settings.legacy_deadline
    totals["days_to_deadline"] = days_to_deadline()
    return totals


class LegacyFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Progress"), choices=LegacyState.CHOICES, method="filter_state",
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(choices=LegacySignatory.Kind.choices, empty_label=_("All"))

    class Meta:
        model = LegacySignatory
        fields = ["kind"]

    def filter_state(self, queryset, name, value):
        return {
            LegacyState.NOT_INVITED: queryset.filter(invited_at__isnull=True,
                                                     claimed_at__isnull=True),
            LegacyState.INVITED: queryset.filter(invited_at__isnull=False, claimed_at__isnull=True),
            LegacyState.CLAIMED: queryset.filter(claimed_at__isnull=False, moved=False),
            LegacyState.MOVED: queryset.filter(moved=True),
        }.get(value, queryset)


class LegacyCampaignReport(MembershipReportView):
    page_title = _("Migration campaign")
    url_name = "report_legacy_campaign"
    header_icon = "history"
    template_name = "wagtail_pledges/admin/legacy_campaign.html"
    export_filename = "legacy-signatories"
    filterset_class = LegacyFilterSet
    list_export = ["name", "organisation_name", "email", "kind", "signed_on", "invited_at",
                   "claimed_at", "moved"]
    export_headings = {"moved": _("Moved to an approved commitment")}
    columns = [
        Column("name", label=_("Name")),
        Column("organisation_name", label=_("Organisation")),
        Column("email", label=_("Email")),
        DateColumn("invited_at", label=_("Invited")),
        DateColumn("claimed_at", label=_("Claimed")),
        Column("moved", label=_("Moved"),
               accessor=lambda s: _("Yes") if s.moved else _("No")),
    ]
    no_results_message = _("No signatory matches.")

    def get_queryset(self):
        return legacy_signatories().order_by("name", "pk")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["summary"] = legacy_campaign_summary()
        context["campaign"] = campaign_by_tier()
        context["summary_csv_url"] = reverse("wagtail_pledges_admin:legacy_campaign_csv")
        return context


REPORTS = [
    EndingSoonReport,
    LapsedThisMonthReport,
    SteeringGroupReport,
    AwaitingReviewReport,
    LegacyCampaignReport,
]
