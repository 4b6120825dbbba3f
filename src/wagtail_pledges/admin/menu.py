"""The "Membership reports" menu: the review queue and every report."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from .legacy_upload import can_import_signatories
from .permissions import can_review, can_view_memberships
from .reports import REPORTS


class ReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review(request.user)


class MembershipReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_memberships(request.user)


class LegacyUploadMenuItem(MenuItem):
    def is_shown(self, request):
        return can_import_signatories(request.user)


def reports_menu_item() -> SubmenuMenuItem:
    items = [
        ReviewerMenuItem(_("Review queue"), reverse_lazy("wagtail_pledges_admin:review_queue"),
                         name="pledges-review-queue", icon_name="tasks", order=0),
    ]
    for order, report in enumerate(REPORTS, start=1):
        items.append(MembershipReportsMenuItem(
            report.page_title, reverse_lazy(f"wagtail_pledges_admin:{report.url_name}"),
            name=f"pledges-{report.url_name}", icon_name=report.header_icon, order=order,
        ))
    items.append(LegacyUploadMenuItem(
        _("Import legacy signatories"), reverse_lazy("wagtail_pledges_admin:legacy_upload"),
        name="pledges-legacy-upload", icon_name="upload", order=len(items) + 1,
    ))
    return SubmenuMenuItem(_("Membership reports"), Menu(items=items),
                           name="pledges-reports", icon_name="table", order=260)
