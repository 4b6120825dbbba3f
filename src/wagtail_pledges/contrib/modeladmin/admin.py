"""The membership listings as wagtail-modeladmin ``ModelAdmin`` classes.

The same listings as the default viewsets (:mod:`wagtail_pledges.admin.viewsets`),
for sites still on wagtail-modeladmin. Reviewing uses the package's own review
views (the "Membership reports" menu), because Wagtail workflows, revisions and
comparisons are only available to snippets.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup

from ...models import (
    ActionPlan,
    LegacySignatory,
    Membership,
    Organisation,
    OutboxMessage,
    Pledge,
    ProgressUpdate,
    RestrictivePractice,
    Sector,
    Strategy,
)


class LifecycleOwnedPermissionHelper(PermissionHelper):
    """Nothing the lifecycle owns is created or deleted by hand."""

    def user_can_create(self, user):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class ReadOnlyPermissionHelper(LifecycleOwnedPermissionHelper):
    def user_can_edit_obj(self, user, obj):
        return False


class MembershipAdmin(ModelAdmin):
    model = Membership
    menu_label = _("Members")
    menu_icon = "group"
    permission_helper_class = ReadOnlyPermissionHelper
    list_display = ("subject", "tier", "status", "period_end", "status_changed_at")
    list_filter = ("tier", "status")
    list_select_related = ("user", "organisation")
    search_fields = ("user__email", "user__first_name", "user__last_name", "organisation__name")
    list_export = ("subject", "tier", "status", "period_start", "period_end", "created_at",
                   "status_changed_at")
    export_filename = "memberships"
    inspect_view_enabled = True


class OrganisationAdmin(ModelAdmin):
    model = Organisation
    menu_icon = "site"
    list_display = ("name", "sector", "region", "country")
    list_filter = ("sector", "size_band")
    search_fields = ("name", "region", "country")
    list_export = ("name", "slug", "sector", "region", "country", "website", "size_band",
                   "created_at")
    export_filename = "organisations"


class PledgeAdmin(ModelAdmin):
    model = Pledge
    menu_icon = "pick"
    permission_helper_class = LifecycleOwnedPermissionHelper
    list_display = ("__str__", "strategy", "review_status", "submitted_at", "target_date")
    list_filter = ("review_status", "live", "strategy")
    list_select_related = ("user", "strategy")
    search_fields = ("action", "user__email")
    list_export = ("user", "sequence", "review_status", "live", "action", "strategy",
                   "target_date", "submitted_at", "decided_at", "period_end")
    export_filename = "individual-pledges"
    inspect_view_enabled = True


class ActionPlanAdmin(ModelAdmin):
    model = ActionPlan
    menu_icon = "list-ol"
    permission_helper_class = LifecycleOwnedPermissionHelper
    list_display = ("__str__", "review_status", "submitted_at", "period_end")
    list_filter = ("review_status", "live", "organisation__sector")
    list_select_related = ("organisation",)
    search_fields = ("public_summary", "organisation__name", "signoff_name")
    list_export = ("organisation", "sequence", "review_status", "live", "submitted_at",
                   "decided_at", "period_start", "period_end", "signoff_name", "signoff_role",
                   "public_summary", "reviewer_comment")
    export_filename = "action-plans"
    inspect_view_enabled = True


class ProgressUpdateAdmin(ModelAdmin):
    model = ProgressUpdate
    menu_icon = "comment"
    list_display = ("__str__", "plan", "pledge", "author", "created_at")
    search_fields = ("body",)
    list_export = ("created_at", "author", "plan", "pledge", "body")
    export_filename = "progress-updates"


class LegacySignatoryAdmin(ModelAdmin):
    model = LegacySignatory
    menu_icon = "history"
    list_display = ("name", "organisation_name", "email", "kind", "invited_at", "claimed_at")
    list_filter = ("kind",)
    search_fields = ("name", "email", "organisation_name")
    list_export = ("kind", "name", "email", "organisation_name", "signed_on", "invited_at",
                   "claimed_at")
    export_filename = "legacy-signatories"


class OutboxAdmin(ModelAdmin):
    model = OutboxMessage
    menu_label = _("Outbox")
    menu_icon = "mail"
    permission_helper_class = ReadOnlyPermissionHelper
    list_display = ("heading", "to", "template", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "template")
    search_fields = ("to", "subject")
    list_export = ("created_at", "template", "to", "subject", "state", "attempts", "sent_at",
                   "last_error")
    export_filename = "outbox"
    inspect_view_enabled = True


class StrategyAdmin(ModelAdmin):
    model = Strategy
    menu_icon = "tag"
    list_display = ("name", "slug", "sort_order")


class RestrictivePracticeAdmin(StrategyAdmin):
    model = RestrictivePractice


class SectorAdmin(StrategyAdmin):
    model = Sector


class MembershipAdminGroup(ModelAdminGroup):
    menu_label = _("Membership")
    menu_icon = "group"
    menu_order = 250
    items = (
        MembershipAdmin,
        OrganisationAdmin,
        PledgeAdmin,
        ActionPlanAdmin,
        ProgressUpdateAdmin,
        LegacySignatoryAdmin,
        OutboxAdmin,
        StrategyAdmin,
        RestrictivePracticeAdmin,
        SectorAdmin,
    )
