"""Responses for restricted files: the file itself, or the refusal — never cacheable.

Every response here (file, 304, refusal, redirect) carries
``Cache-Control: private, no-store`` and ``Vary: Cookie``, so no shared cache keeps a
member's file, and none serves one person's refusal to another. The access check runs
before any conditional-request handling: ``If-None-Match`` / ``If-Modified-Since``
from a refused visitor get the refusal, never a 304.
"""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition
from wagtail.forms import PasswordViewRestrictionForm
from wagtail.utils import sendfile_streaming_backend
from wagtail.utils.sendfile import sendfile
from wagtail.wagtail_hooks import require_wagtail_login

from ..conf import pledges_settings
from .access import Refusal
from .storage import is_private_name, private_storage, public_name


def gate(response: HttpResponse) -> HttpResponse:
    """Mark a response as for this visitor only."""
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ("Cookie",))
    return response


def refusal_response(request, refusal: Refusal, restriction) -> HttpResponse:
    """What Wagtail shows for a document it refuses, but 403 for a signed-in visitor
    whom the policy refuses (sending them to log in again would only loop)."""
    if refusal is Refusal.LOGIN:
        return gate(require_wagtail_login(next=request.get_full_path()))
    if refusal is Refusal.PASSWORD:
        form = PasswordViewRestrictionForm(
            instance=restriction, initial={"return_url": request.get_full_path()}
        )
        try:
            action_url = reverse("wagtaildocs_authenticate_with_password",
                                 args=[restriction.pk])
        except NoReverseMatch:
            action_url = ""
        template = getattr(settings, "WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE",
                           "wagtaildocs/password_required.html")
        response = TemplateResponse(request, template,
                                    {"form": form, "action_url": action_url})
        return gate(response)
    return gate(TemplateResponse(request, "wagtail_pledges/files/refused.html", status=403))


def _sendfile(request, path: str, *, content_type: str, filename: str, attachment: bool):
    options = {"attachment": attachment, "attachment_filename": filename,
               "mimetype": content_type}
    if not hasattr(settings, "SENDFILE_BACKEND"):
        # As Wagtail's document view: stream from Python unless the site configured
        # X-Sendfile / X-Accel-Redirect.
        options["backend"] = sendfile_streaming_backend.sendfile
    return sendfile(request, path, **options)


def serve_file(request, fieldfile, *, filename: str, content_type: str | None = None,
               attachment: bool = False, etag: str | None = None) -> HttpResponse:
    """The file, to a visitor already accepted by :func:`access.check_access`."""
    content_type = content_type or mimetypes.guess_type(filename)[0] or (
        "application/octet-stream")
    if pledges_settings.PRIVATE_SERVE_METHOD == "redirect" and is_private_name(fieldfile.name):
        # e.g. a short-lived signed S3 URL (querystring_auth): the bucket is not public.
        return gate(HttpResponseRedirect(private_storage().url(public_name(fieldfile.name))))

    @condition(etag_func=lambda request: etag or None)
    def respond(request):
        try:
            local_path = fieldfile.path
        except NotImplementedError:
            local_path = None
        if local_path:
            response = _sendfile(request, local_path, content_type=content_type,
                                 filename=filename, attachment=attachment)
        else:
            response = FileResponse(fieldfile.storage.open(fieldfile.name, "rb"),
                                    content_type=content_type, as_attachment=attachment,
                                    filename=filename)
        response["Content-Security-Policy"] = "default-src 'none'"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    return gate(respond(request))
