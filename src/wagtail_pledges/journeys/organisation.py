"""The organisation journey: profile → action plan (priorities) → preview → senior
sign-off → submitted."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import path
from wagtail.fields import RichTextField

from .. import (
    lifecycle,
    organisations,
    url_converters,  # noqa: F401  (registers <pledges_id:…>)
)
from ..forms import (
    OrganisationForm,
    PlanForm,
    PriorityFormSet,
    SignoffForm,
    priority_count_error,
    save_if_editable,
)
from ..journey_urls import ORGANISATION
from ..models import ActionPlan, Organisation, OrganisationRole, Priority
from ..policy import forget_standing, get_policy
from ..ratelimits import over_limit
from .base import PrivateRoutesMixin, add_service_errors, route


class OrganisationPledgePageMixin(PrivateRoutesMixin, models.Model):
    """Profile → action plan (priorities) → preview → senior sign-off → submitted."""

    pledges_journey = ORGANISATION

    intro = RichTextField(gettext_lazy("introduction"), blank=True)
    plan_intro = RichTextField(
        gettext_lazy("text above the action plan form"), blank=True,
        help_text=gettext_lazy("How to write good priorities; the Six Core Strategies."),
    )
    signoff_intro = RichTextField(gettext_lazy("text above the sign-off form"), blank=True)
    done_text = RichTextField(
        gettext_lazy("next steps"), blank=True,
        help_text=gettext_lazy("Shown once the plan is submitted for review."),
    )

    pledges_panels = [
        FieldPanel("intro"), FieldPanel("plan_intro"), FieldPanel("signoff_intro"),
        FieldPanel("done_text"),
    ]
    # Wagtail's API v2 (``?fields=…``): what a front end shows on each step.
    api_fields = [APIField(name) for name in (
        "intro", "plan_intro", "signoff_intro", "done_text")]
    template = "wagtail_pledges/pages/organisation_pledge_page.html"
    step_templates = {
        "organisation": "wagtail_pledges/pages/organisation_profile.html",
        "plan": "wagtail_pledges/pages/organisation_plan_edit.html",
        "preview": "wagtail_pledges/pages/organisation_plan_preview.html",
        "signoff": "wagtail_pledges/pages/organisation_plan_signoff.html",
        "status": "wagtail_pledges/pages/organisation_plan_status.html",
    }
    form_classes = {
        "organisation": OrganisationForm,
        "plan": PlanForm,
        "priorities": PriorityFormSet,
        "signoff": SignoffForm,
    }
    priorities_prefix = "priorities"

    class Meta:
        abstract = True

    def _admin_organisations(self, user) -> list[dict]:
        roles = [
            role for role, _m in get_policy().standing(user).organisations
            if role.role == OrganisationRole.Role.ADMIN
        ]
        latest = {
            plan.organisation_id: plan
            for plan in ActionPlan.objects.latest_per_organisation(
                [r.organisation_id for r in roles]
            )
        }
        return [
            {"organisation": r.organisation,
             "membership": getattr(r.organisation, "membership", None),
             "plan": latest.get(r.organisation_id)}
            for r in roles
        ]

    def _plan_for(self, request, plan_id) -> ActionPlan:
        """The plan, if the viewer administers its organisation; 404 otherwise."""
        plan = ActionPlan.objects.select_related("organisation").filter(pk=plan_id).first()
        if plan is None or not get_policy().can_manage_organisation(
            request.user, plan.organisation
        ):
            raise Http404
        return plan

    def _plan_with_priorities(self, request, plan_id) -> ActionPlan:
        plan = self._plan_for(request, plan_id)
        plan.priority_list = list(
            Priority.objects.filter(plan=plan).select_related("strategy").order_by("sort_order")
        )
        return plan

    def plan_url(self, request, plan, step="plan") -> str:
        if step == "plan" and not plan.is_editable_by_member:
            step = "status"
        return self.sub_url(request, step, plan.pk)

    # -- routes ------------------------------------------------------------------

    @path("", name="index")
    @route(login_required=False)
    def index_route(self, request, *args, **kwargs):
        organisations_ = (self._admin_organisations(request.user)
                          if request.user.is_authenticated else [])
        for item in organisations_:
            if item["plan"] is not None:
                item["plan_url"] = self.plan_url(request, item["plan"])
        return self.render_step(request, organisations=organisations_,
                                new_organisation_url=self.sub_url(request, "organisation"))

    @path("organisation/", name="organisation")
    @route()
    def organisation_route(self, request):
        if request.method == "POST" and (limited := over_limit(request, "join")):
            return limited
        form = self.get_form_class("organisation")(request.POST or None)
        if request.method == "POST" and form.is_valid():
            fields = form.organisation_fields()
            try:
                plan = lifecycle.start_organisation(
                    request.user, slug=organisations.unique_organisation_slug(fields["name"]),
                    **fields,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except lifecycle.TransitionError as exc:
                form.add_error(None, str(exc))
            else:
                forget_standing(request.user)
                messages.success(request, _("%s is registered. Now write your action plan.")
                                 % plan.organisation.name)
                return HttpResponseRedirect(self.plan_url(request, plan))
        return self.render_step(request, self.step_templates["organisation"],
                                status=400 if form.is_bound else 200, form=form)

    @path("organisation/<pledges_id:organisation_id>/", name="organisation_edit")
    @route()
    def organisation_edit_route(self, request, organisation_id):
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None or not get_policy().can_manage_organisation(
            request.user, organisation
        ):
            raise Http404
        form = self.get_form_class("organisation")(request.POST or None, instance=organisation)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("Your organisation's details are saved."))
            return HttpResponseRedirect(self.get_url(request))
        return self.render_step(request, self.step_templates["organisation"],
                                status=400 if form.is_bound else 200, form=form,
                                organisation=organisation)

    @path("start/<pledges_id:organisation_id>/", name="start")
    @route(methods=["POST"])
    def start_route(self, request, organisation_id):
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise Http404
        try:
            plan = lifecycle.start_organisation(request.user, organisation=organisation)
        except lifecycle.TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self.get_url(request))
        return HttpResponseRedirect(self.plan_url(request, plan))

    @path("plan/<pledges_id:plan_id>/", name="plan")
    @route()
    def plan_route(self, request, plan_id):
        plan = self._plan_for(request, plan_id)
        if not plan.is_editable_by_member:
            return HttpResponseRedirect(self.plan_url(request, plan, "status"))
        plan_form_class = self.get_form_class("plan")
        formset_class = self.get_form_class("priorities")
        prefix = self.priorities_prefix
        if request.method != "POST":
            # A new plan opens with PLAN_MIN_PRIORITIES empty rows (the formset's min_num).
            formset = formset_class(instance=plan, prefix=prefix)
            return self._plan_page(request, plan, plan_form_class(instance=plan), formset)
        count_error = priority_count_error(request.POST, prefix)
        if count_error:  # a tampered TOTAL_FORMS: refused before any form is built
            messages.error(request, count_error)
            return self._plan_page(request, plan, plan_form_class(instance=plan),
                                   formset_class(instance=plan, prefix=prefix), status=400)
        if "add_priority" in request.POST:
            # No JavaScript needed: the same forms again, as typed, with one more row.
            formset, full = formset_class.with_extra_row(request.POST, instance=plan,
                                                         prefix=prefix)
            if full:
                messages.error(request, full)
            return self._plan_page(
                request, plan, plan_form_class(request.POST, instance=plan, validate=False),
                formset, focus_last=not full,
            )
        plan_form = plan_form_class(request.POST, instance=plan)
        formset = formset_class(request.POST, instance=plan, prefix=prefix)
        if plan_form.is_valid() and formset.is_valid():
            try:
                organisations.save_plan_draft(
                    plan, user=request.user,
                    public_summary=plan_form.cleaned_data["public_summary"],
                    practices=plan_form.cleaned_data["practices"],
                    **formset.draft_priorities(),
                )
            except ValidationError as exc:
                add_service_errors(plan_form, exc)
            else:
                messages.success(request, _("Your draft is saved."))
                step = "preview" if "preview" in request.POST else "plan"
                return HttpResponseRedirect(self.plan_url(request, plan, step))
        return self._plan_page(request, plan, plan_form, formset, status=400)

    def _plan_page(self, request, plan, plan_form, formset, status=200, focus_last=False):
        return self.render_step(request, self.step_templates["plan"], status=status,
                                plan=plan, plan_form=plan_form, formset=formset,
                                focus_last=focus_last)

    @path("plan/<pledges_id:plan_id>/preview/", name="preview")
    @route(methods=["GET"])
    def preview_route(self, request, plan_id):
        plan = self._plan_with_priorities(request, plan_id)
        return self.render_step(request, self.step_templates["preview"], plan=plan,
                                edit_url=self.plan_url(request, plan),
                                signoff_url=self.plan_url(request, plan, "signoff"))

    @path("plan/<pledges_id:plan_id>/sign-off/", name="signoff")
    @route()
    def signoff_route(self, request, plan_id):
        plan = self._plan_for(request, plan_id)
        if not plan.is_editable_by_member:
            return HttpResponseRedirect(self.plan_url(request, plan, "status"))
        form = self.get_form_class("signoff")(request.POST or None, instance=plan)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():  # never reset a plan submitted meanwhile
                plan = save_if_editable(form) or plan
            try:
                lifecycle.submit_plan(plan, request.user)
            except ValidationError as exc:
                # Problems elsewhere in the plan (priorities, summary) go to the top.
                add_service_errors(form, exc)
            except lifecycle.TransitionError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(self.plan_url(request, plan, "status"))
            else:
                forget_standing(request.user)
                return HttpResponseRedirect(self.plan_url(request, plan, "status"))
        return self.render_step(request, self.step_templates["signoff"],
                                status=400 if form.is_bound else 200, plan=plan, form=form,
                                edit_url=self.plan_url(request, plan))

    @path("plan/<pledges_id:plan_id>/status/", name="status")
    @route(methods=["GET"])
    def status_route(self, request, plan_id):
        plan = self._plan_with_priorities(request, plan_id)
        return self.render_step(request, self.step_templates["status"], plan=plan,
                                edit_url=self.sub_url(request, "plan", plan.pk))
