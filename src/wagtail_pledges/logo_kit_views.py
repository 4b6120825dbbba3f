"""Dashboard flows for the logo kit: accept the terms (POST), download a file.

The rules are the policy's and :mod:`.logo_kit`'s; these views only translate them
into responses.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from . import logo_kit
from .models import LogoKitFile, Organisation
from .views import MemberActionView


class AcceptLogoTermsView(MemberActionView):
    """An organisation admin ticks "I accept the terms" on the dashboard."""

    def act(self, request, organisation_id):
        organisation = self.organisation(organisation_id)
        if request.POST.get("accept") != "yes":
            raise ValidationError(_("Tick the box to accept the logo terms."))
        logo_kit.accept_terms(request.user, organisation)
        messages.success(request, _("Thank you: %s may now download the logo kit.")
                         % organisation.name)
        return HttpResponseRedirect(
            reverse("wagtail_pledges:dashboard") + f"#logo-kit-{organisation.pk}")


def _private(response):
    """Nothing here may be kept by a shared cache or answered from one for someone
    else: the same URL is a file for one person and a refusal for another."""
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response


class LogoDownloadView(View):
    """Stream one kit file to someone the policy lets use the logo; log the download.

    No ETag or Last-Modified is sent and none is checked, so a conditional request
    gets exactly the answer a plain GET would: the file, or the refusal.
    """

    http_method_names = ["get"]

    def get(self, request, organisation_id, file_id):
        if not request.user.is_authenticated:
            return _private(redirect_to_login(request.get_full_path()))
        organisation = get_object_or_404(Organisation, pk=organisation_id)
        try:
            kit_file = logo_kit.file_for_download(request.user, organisation, file_id)
        except PermissionDenied as exc:
            return _private(HttpResponseForbidden(str(exc)))
        except LogoKitFile.DoesNotExist as exc:
            raise Http404 from exc
        document = kit_file.document
        try:
            handle = document.file.open("rb")
        except OSError as exc:  # listed in the kit but gone from storage
            raise Http404 from exc
        logo_kit.record_download(request.user, organisation, kit_file)
        return _private(FileResponse(handle, as_attachment=True, filename=document.filename))
