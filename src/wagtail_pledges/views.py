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
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import accounts, legacy, lifecycle, organisations, privacy
from .blocks import viewable_page_video
from .conf import pledges_settings
from .dashboard import dashboard_context, post_progress_update
from .dashboard_benefits import benefits_context
from .forms import InviteStaffForm, ProgressUpdateForm, SetRoleForm
from .journey_urls import journey_page_urls
from .models import ActionPlan, ActionToken, Organisation, OrganisationRole, Pledge
from .policy import get_policy
from .ratelimits import over_limit
from .tokens import TokenError, peek_token
from .videos import ProgressError, record_video_progress


@method_decorator(never_cache, name="dispatch")
class TokenActionView(View):
    """GET shows what the link will do and a button; POST does it."""

    purpose: str = ""
    template_name = ""
    login_required = True
    #: The RATE_LIMITS key counted on POST, if any.
    rate_limit: str = ""

    def get(self, request, token):
        try:
            action_token = peek_token(token, self.purpose)
        except TokenError as exc:
            return self.invalid(request, exc)
        return render(request, self.template_name, self.get_context(request, action_token))

    def post(self, request, token):
        if self.login_required and not request.user.is_authenticated:
            return redirect_to_login(request.path)
        if self.rate_limit and (limited := over_limit(request, self.rate_limit)):
            return limited
        try:
            return self.perform(request, token)
        except TokenError as exc:
            return self.invalid(request, exc)

    def get_context(self, request, action_token):
        return {"token": action_token, "login_url": redirect_to_login(request.path).url}

    def invalid(self, request, exc):
        return render(
            request, "wagtail_pledges/token_invalid.html", {"message": str(exc)}, status=400
        )

    def perform(self, request, token):
        raise NotImplementedError


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
    rate_limit = "claim"
    template_name = "wagtail_pledges/claim_legacy.html"

    def get_context(self, request, action_token):
        return {**super().get_context(request, action_token),
                "deadline": pledges_settings.legacy_deadline,
                "deadline_passed": legacy.deadline_passed()}

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
        if limited := over_limit(request, "resend_confirmation"):
            return limited
        if accounts.email_is_verified(request.user):
            messages.info(request, _("Your email address is already confirmed."))
        else:
            accounts.send_verification(request.user)
            messages.success(request, _("We have sent a new link to %s.") % request.user.email)
        return HttpResponseRedirect(reverse("wagtail_pledges:dashboard"))


class VideoProgressView(View):
    """The tracked player POSTs ``{"page", "video", "start", "end"}`` as it plays.

    Only the named page's own awareness videos are accepted, and the video's length
    is the server's (any ``duration`` the client sends is ignored).
    """

    http_method_names = ["post"]

    def post(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "Sign in to record progress."}, status=401)
        if limited := over_limit(request, "video_progress", json=True):
            return limited
        try:
            data = json.loads(request.body or b"{}")
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            return JsonResponse({"error": "Send a JSON object."}, status=400)
        video = self.video(data)
        if video is None:
            return JsonResponse({"error": "Unknown video."}, status=400)
        try:
            progress = record_video_progress(
                request.user, video.video_key, video.duration, data.get("start"),
                data.get("end"),
            )
        except ProgressError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({
            "video": progress.video_key,
            "position": progress.position,
            "completed": progress.completed_at is not None,
        })

    def video(self, data):
        """The awareness video named by ``page`` and ``video``, if it is on that live page
        and the viewer may see the page."""
        page_id, key = data.get("page"), data.get("video")
        if isinstance(page_id, bool) or not isinstance(page_id, int | str) \
                or not str(page_id).isdigit() or len(str(page_id)) > 12 \
                or not isinstance(key, str):
            return None
        return viewable_page_video(self.request, int(page_id), key)[1]


@method_decorator(never_cache, name="dispatch")
class DashboardView(LoginRequiredMixin, TemplateView):
    """The member's own page: status, renewal, updates, organisation staff, data."""

    template_name = "wagtail_pledges/dashboard.html"
    #: Bound forms with errors, shown in place of the blank ones (set by POST views).
    bound_forms: dict | None = None

    def get_context_data(self, **kwargs):
        context = {**super().get_context_data(**kwargs), **dashboard_context(self.request.user,
                                                                          request=self.request)}
        context.update(benefits_context(self.request, context["organisations"]))
        bound = self.bound_forms or {}
        context["pledge_update_form"] = bound.get("pledge_update") or ProgressUpdateForm(
            prefix="pledge-update")
        for item in context["organisations"]:
            pk = item["organisation"].pk
            item["invite_form"] = bound.get(("invite", pk)) or InviteStaffForm(
                prefix=f"invite-{pk}")
            item["update_form"] = bound.get(("plan_update", pk)) or ProgressUpdateForm(
                prefix=f"plan-update-{pk}")
        return context


def render_dashboard(request, status: int = 400, **bound_forms):
    """The dashboard again, with a form's errors, for a POST that did not go through."""
    forms = {}
    for key, form in bound_forms.items():
        kind, _sep, pk = key.partition("__")
        forms[(kind, int(pk)) if pk else kind] = form
    view = DashboardView(request=request, kwargs={}, args=(), bound_forms=forms)
    response = view.render_to_response(view.get_context_data())
    response.status_code = status
    return response


def _back_to_dashboard():
    return HttpResponseRedirect(reverse("wagtail_pledges:dashboard"))


def _message_for(error: ValidationError) -> str:
    return " ".join(error.messages)


class MemberActionView(LoginRequiredMixin, View):
    """A dashboard POST. Subclasses call one service function in ``act``."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        try:
            return self.act(request, **kwargs)
        except lifecycle.TransitionError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, _message_for(exc))
            return render_dashboard(request)
        return _back_to_dashboard()

    def act(self, request, **kwargs):
        raise NotImplementedError

    def organisation(self, organisation_id) -> Organisation:
        return get_object_or_404(Organisation, pk=organisation_id)


class StartRenewalView(MemberActionView):
    """Start the next pledge (``tier=individual``) or plan (``organisation=<id>``)."""

    def act(self, request):
        individual_url, organisation_url = journey_page_urls(request=request)
        organisation_id = request.POST.get("organisation")
        if organisation_id:
            if not organisation_id.isdigit():
                return HttpResponseBadRequest(_("Unknown organisation."))
            lifecycle.start_organisation(request.user,
                                         organisation=self.organisation(organisation_id))
            url = organisation_url
        else:
            lifecycle.start_individual(request.user)
            url = individual_url
        messages.success(request, _("Your renewal has started."))
        return HttpResponseRedirect(url or reverse("wagtail_pledges:dashboard"))


class PostUpdateView(MemberActionView):
    """A progress update on one's approved pledge, or on a plan one administers."""

    def act(self, request, kind, pk):
        if limited := over_limit(request, "progress_update"):
            return limited
        if kind == "pledge":
            pledge = get_object_or_404(Pledge, pk=pk, user=request.user)
            form = ProgressUpdateForm(request.POST, prefix="pledge-update")
            target, form_key = {"pledge": pledge}, "pledge_update"
        else:
            plan = get_object_or_404(ActionPlan.objects.select_related("organisation"), pk=pk)
            form = ProgressUpdateForm(request.POST, prefix=f"plan-update-{plan.organisation_id}")
            target, form_key = {"plan": plan}, f"plan_update__{plan.organisation_id}"
        if form.is_valid():
            try:
                post_progress_update(request.user, form.cleaned_data["body"], **target,
                                     submission_key=form.cleaned_data["once"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your update is published."))
                return _back_to_dashboard()
        return render_dashboard(request, **{form_key: form})


class InviteStaffView(MemberActionView):
    def act(self, request, organisation_id):
        organisation = self.organisation(organisation_id)
        if not get_policy().can_manage_organisation(request.user, organisation):
            raise PermissionDenied
        if limited := over_limit(request, "invite"):
            return limited
        form = InviteStaffForm(request.POST, prefix=f"invite-{organisation.pk}")
        if form.is_valid():
            try:
                organisations.invite_staff(organisation, form.cleaned_data["email"],
                                           request.user, form.cleaned_data["role"])
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, _("We have emailed an invitation to %s.")
                                 % form.cleaned_data["email"])
                return _back_to_dashboard()
        return render_dashboard(request, **{f"invite__{organisation.pk}": form})


def _errors_onto(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error)


class PersonView(MemberActionView):
    """Change someone's role in, or remove them from, an organisation (admins only)."""

    action = ""

    def act(self, request, organisation_id, user_id):
        organisation = self.organisation(organisation_id)
        if not get_policy().can_manage_organisation(request.user, organisation):
            raise PermissionDenied
        role = get_object_or_404(
            OrganisationRole.objects.select_related("user"),
            organisation=organisation, user_id=user_id,
        )
        if self.action == "remove":
            organisations.remove_person(organisation, role.user, request.user)
            messages.success(request, _("%s has been removed.") % role.user)
        else:
            form = SetRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose admin or staff."))
                return render_dashboard(request)
            organisations.set_role(organisation, role.user, form.cleaned_data["role"],
                                   request.user)
            messages.success(request, _("%s's role is changed.") % role.user)
        return _back_to_dashboard()


class LeaveOrganisationView(MemberActionView):
    def act(self, request, organisation_id):
        organisation = self.organisation(organisation_id)
        if not OrganisationRole.objects.filter(organisation=organisation,
                                               user=request.user).exists():
            raise Http404
        organisations.remove_person(organisation, request.user, request.user)
        messages.success(request, _("You have left %s.") % organisation.name)
        return _back_to_dashboard()


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
        except ValidationError as exc:
            return render(request, self.template_name, {"error": _message_for(exc)}, status=400)
        except PermissionDenied as exc:
            return render(request, self.template_name, {"error": str(exc)}, status=400)
        logout(request)
        messages.success(request, _("Your account and personal data have been erased."))
        return HttpResponseRedirect("/")
