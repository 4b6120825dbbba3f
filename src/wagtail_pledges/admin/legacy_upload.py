"""Upload a legacy signatory file in the admin: preview, import the valid rows, rejects.

The same parser as ``pledges_import_legacy`` (:mod:`wagtail_pledges.legacy_import`).
The uploaded text waits in the editor's session between the preview and the import,
so nothing is written until the editor has seen every invalid row and confirmed;
a digest in the confirm form makes sure the rows imported are the rows previewed.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..legacy_import import import_signatories, parse_signatories, rejects_csv

SESSION_KEY = "wagtail_pledges_legacy_upload"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # ~100,000 rows
PREVIEW_LIMIT = 500  # invalid rows listed on the page; the rejects CSV has them all


def can_import_signatories(user) -> bool:
    return user.has_perm("wagtail_pledges.add_legacysignatory")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Signatory file (CSV)"),
        help_text=_("UTF-8 CSV with the header kind,name,email,organisation,signed_on."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB; split it."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                _("The file is not UTF-8 text. Save it from your spreadsheet as "
                  "“CSV UTF-8”.")) from exc


class ConfirmForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput)


class LegacyUploadView(WagtailAdminTemplateMixin, FormView):
    """Step 1: upload and preview. Step 2 (``confirm``): import the valid rows."""

    page_title = _("Import legacy signatories")
    header_icon = "upload"
    template_name = "wagtail_pledges/admin/legacy_upload.html"
    form_class = UploadForm

    def dispatch(self, request, *args, **kwargs):
        if not can_import_signatories(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        text = form.cleaned_data["file"]
        self.request.session[SESSION_KEY] = {"text": text}
        return self.render_to_response(self.get_context_data(
            form=form, preview=parse_signatories(text), digest=_digest(text),
        ))

    def confirm(self, request):
        stored = request.session.get(SESSION_KEY)
        form = ConfirmForm(request.POST)
        if not stored or not form.is_valid() or form.cleaned_data["digest"] != _digest(
                stored["text"]):
            messages.error(request, _("That preview has expired or was replaced in another "
                                      "tab. Upload the file again."))
            return redirect("wagtail_pledges_admin:legacy_upload")
        result = import_signatories(stored["text"], skip_invalid=True)
        if not result.written:
            messages.error(request, _("Nothing was imported: the file's header is wrong."))
            return redirect("wagtail_pledges_admin:legacy_upload")
        messages.success(request, _(
            "%(created)d signatories imported, %(unchanged)d already there, %(invalid)d rows "
            "left out."
        ) % {"created": result.created, "unchanged": result.unchanged,
             "invalid": result.invalid})
        return self.render_to_response(self.get_context_data(
            form=self.get_form_class()(), result=result,
        ))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        preview = context.get("preview")
        if preview is not None:
            context["invalid_rows"] = sorted(preview.invalid.items())[:PREVIEW_LIMIT]
            context["preview_limit"] = PREVIEW_LIMIT
        context["rejects_url"] = reverse("wagtail_pledges_admin:legacy_upload_rejects")
        context["campaign_url"] = reverse("wagtail_pledges_admin:report_legacy_campaign")
        return context


def rejects_download(request):
    """The invalid rows of the file in the session, as CSV to fix and upload again."""
    if not can_import_signatories(request.user):
        return permission_denied(request)
    stored = request.session.get(SESSION_KEY)
    if not stored:
        messages.error(request, _("Upload a file first."))
        return redirect("wagtail_pledges_admin:legacy_upload")
    response = HttpResponse(rejects_csv(stored["text"]), content_type="text/csv; charset=utf-8")
    filename = f"legacy-rejects-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
