"""Admin for the logo kit: editors edit the kit; the terms acceptances and the
download log are read-only listings (with export) that no one edits."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import DateColumn
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import LogoDownload, LogoKit, LogoTermsAcceptance


class LogoKitViewSet(SnippetViewSet):
    model = LogoKit
    icon = "image"
    menu_label = _("Logo kit")
    base_url_path = "pledges/logo-kit"
    list_display = ["title", DateColumn("updated_at", label=_("Updated"))]
    copy_view_enabled = False


class LogoTermsAcceptanceViewSet(SnippetViewSet):
    model = LogoTermsAcceptance
    icon = "tick"
    menu_label = _("Logo terms accepted")
    base_url_path = "pledges/logo-terms"
    list_display = ["organisation", "user", DateColumn("accepted_at", label=_("Accepted"))]
    search_fields = ["organisation__name"]
    search_backend_name = None
    list_export = ["organisation", "user", "accepted_at", "terms_digest", "terms"]
    export_filename = "logo-terms-acceptances"
    ordering = ["-accepted_at"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return LogoTermsAcceptance.objects.select_related("organisation", "user")


class LogoDownloadViewSet(SnippetViewSet):
    model = LogoDownload
    icon = "download"
    menu_label = _("Logo downloads")
    base_url_path = "pledges/logo-downloads"
    list_display = ["organisation", "document", "user", DateColumn("at", label=_("When"))]
    list_filter = ["organisation"]
    search_fields = ["organisation__name"]
    search_backend_name = None
    list_export = ["organisation", "document", "user", "at"]
    export_filename = "logo-downloads"
    ordering = ["-at"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return LogoDownload.objects.select_related("organisation", "user", "document")


LOGO_KIT_VIEWSETS = (LogoKitViewSet, LogoTermsAcceptanceViewSet, LogoDownloadViewSet)
#: Rows only the download and accept views write.
READ_ONLY_MODELS = (LogoTermsAcceptance, LogoDownload)
