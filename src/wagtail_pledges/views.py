"""Views for flows reached from emails and the member dashboard.

Every state change is a POST behind a page with a button: mail scanners that
follow links (GET) change nothing. Views validate, call one service function, and
render; they hold no rules of their own.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import accounts, legacy, organisations, privacy
from .models import ActionToken
from .tokens import TokenError, peek_token
from .videos import ProgressError, record_video_progress


@method_decorator(never_cache, name="dispatch")
class TokenActionView(View):
    """GET shows what the link will do and a button; POST does it."""

    purpose: str = ""
    template_name = ""
    login_required = True

    def get(self, request, token):
        try:
            action_token = peek_token(token, self.purpose)
        except TokenError as exc:
            return self.invalid(request, exc)
        return render(request, self.template_name, self.get_context(request, action_token))

    def post(self, request, token):
        if self.login_required and not request.user.is_authenticated:
            return HttpResponseRedirect(
                f"{reverse_login()}?next={request.path}"
            )
        try:
            return self.perform(request, token)
        except TokenError as exc:
            return self.invalid(request, exc)

    def get_context(self, request, action_token):
        return {"token": action_token, "login_url": f"{reverse_login()}?next={request.path}"}

    def invalid(self, request, exc):
        return render(
            request, "wagtail_pledges/token_invalid.html", {"message": str(exc)}, status=400
        )

    def perform(self, request, token):
        raise NotImplementedError


def reverse_login() -> str:
    from django.conf import settings
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


class ConfirmEmailView(TokenActionView):
    purpose = ActionToken.Purpose.VERIFY_EMAIL
    template_name = "wagtail_pledges/confirm_email.html"
    login_required = False  # the secret in the link is the proof; no session needed

    def perform(self, request, token):
        accounts.confirm_email(token, request.user)
        messages.success(request, _("Thank you: your email address is confirmed."))
        return HttpResponseRedirect(
            reverse("wagtail_pledges:dashboard") if request.user.is_authenticated else "/"
        )


class AcceptInvitationView(TokenActionView):
    purpose = ActionToken.Purpose.STAFF_INVITE
    template_name = "wagtail_pledges/accept_invitation.html"

    def perform(self, request, token):
        role = organisations.accept_invitation(token, request.user)
        messages.success(request, _("You have joined %s.") % role.organisation.name)
        return HttpResponseRedirect(reverse("wagtail_pledges:dashboard"))


class ClaimLegacyView(TokenActionView):
    purpose = ActionToken.Purpose.LEGACY_CLAIM
    template_name = "wagtail_pledges/claim_legacy.html"

    def perform(self, request, token):
        legacy.claim(token, request.user)
        messages.success(
            request, _("Your original pledge is now linked to your account. Next: commit to "
                       "your actions.")
        )
        return HttpResponseRedirect(reverse("wagtail_pledges:dashboard"))


class ResendConfirmationView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        if accounts.email_is_verified(request.user):
            messages.info(request, _("Your email address is already confirmed."))
        else:
            accounts.send_verification(request.user)
            messages.success(request, _("We have sent a new link to %s.") % request.user.email)
        return HttpResponseRedirect(reverse("wagtail_pledges:dashboard"))


class VideoProgressView(View):
    """The tracked player POSTs ``{"video", "duration", "start", "end"}`` as it plays."""

    http_method_names = ["post"]

    def post(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "Sign in to record progress."}, status=401)
        try:
            data = json.loads(request.body or b"{}")
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            return JsonResponse({"error": "Send a JSON object."}, status=400)
        try:
            progress = record_video_progress(
                request.user, str(data.get("video", "")), data.get("duration"),
                data.get("start"), data.get("end"),
            )
        except ProgressError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({
            "video": progress.video_key,
            "position": progress.position,
            "completed": progress.completed_at is not None,
        })


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "wagtail_pledges/dashboard.html"

    def get_context_data(self, **kwargs):
        from .dashboard import dashboard_context

        return {**super().get_context_data(**kwargs), **dashboard_context(self.request.user)}


class ExportDataView(LoginRequiredMixin, View):
    def get(self, request):
        response = JsonResponse(privacy.export_member_data(request.user),
                                json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="my-membership-data.json"'
        response["Cache-Control"] = "no-store"
        return response


class EraseAccountView(LoginRequiredMixin, TemplateView):
    template_name = "wagtail_pledges/erase_account.html"

    def post(self, request):
        if request.POST.get("confirm") != "erase":
            return render(request, self.template_name, {
                "error": _("Tick the box to confirm you want your account erased."),
            }, status=400)
        try:
            privacy.erase_member(request.user)
        except (ValidationError, PermissionDenied) as exc:
            return render(request, self.template_name, {"error": str(exc)}, status=400)
        logout(request)
        messages.success(request, _("Your account and personal data have been erased."))
        return HttpResponseRedirect("/")
