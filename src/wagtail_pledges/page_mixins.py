"""Abstract page mixins: the membership pages, without a concrete ``Page`` class.

A site builds its own page types from these on top of its own base page::

    class JoinPage(IndividualPledgePageMixin, MySiteBasePage):
        content_panels = MySiteBasePage.content_panels + IndividualPledgePageMixin.pledges_panels

``wagtail_pledges.pages`` ships ready-made concrete pages built the same way. The
mixins hold no rules: every state change goes through :mod:`wagtail_pledges.lifecycle`
or :mod:`wagtail_pledges.organisations`, and every "may this user …?" through the
policy. Journey pages use ``RoutablePageMixin`` sub-routes, so one page in the tree
serves a whole journey and no per-member or per-plan page is ever created.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site

from . import lifecycle
from .accounts import email_is_verified
from .blocks import AwarenessVideoBlock, MembershipBodyBlock, ResourceBodyBlock
from .conf import pledges_settings
from .counts import directory_version, get_counts
from .forms import (
    DirectoryFilterForm,
    OrganisationForm,
    PlanForm,
    PledgeActionForm,
    PriorityFormSet,
    SignoffForm,
    add_priority_row,
    priority_count_error,
    save_if_editable,
)
from .models import (
    ActionPlan,
    Organisation,
    OrganisationRole,
    Pledge,
    Priority,
    ProgressUpdate,
    ReviewStatus,
    VideoProgress,
)
from .policy import forget_standing, get_policy
from .ratelimits import over_limit

# -- helpers shared by the journeys ----------------------------------------------------


def journey_page_urls(individual_page=None, organisation_page=None, request=None):
    """URLs of the individual and organisation journey pages.

    Each argument may be a page, a page id, or ``None`` (then the first live page built
    from the matching mixin is used). At most two queries.
    """
    cacheable = all(isinstance(v, int | None) for v in (individual_page, organisation_page))
    if cacheable:
        site = Site.find_for_request(request) if request is not None else None
        key = (f"{JOURNEY_URLS_CACHE_PREFIX}{cache.get(JOURNEY_URLS_VERSION, 0)}:"
               f"{getattr(site, 'pk', '')}:{individual_page}:{organisation_page}")
        urls = cache.get(key)
        if urls is None:
            urls = _journey_page_urls(individual_page, organisation_page, request)
            cache.set(key, urls, 300)
        return urls
    return _journey_page_urls(individual_page, organisation_page, request)


# Page URLs change only when pages are published, moved or unpublished; those signals
# bump this version (see signal_handlers), and entries expire after 5 minutes anyway.
JOURNEY_URLS_CACHE_PREFIX = "wagtail_pledges:journey_urls:"
JOURNEY_URLS_VERSION = "wagtail_pledges:journey_urls:version"


def forget_journey_page_urls(**kwargs) -> None:
    try:
        cache.incr(JOURNEY_URLS_VERSION)
    except ValueError:
        cache.set(JOURNEY_URLS_VERSION, 1, None)


def _journey_page_urls(individual_page, organisation_page, request):
    wanted = {"individual": individual_page, "organisation": organisation_page}
    ids = [value for value in wanted.values() if isinstance(value, int)]
    if ids:
        by_id = {page.pk: page for page in Page.objects.live().filter(pk__in=ids)}
        wanted = {k: by_id.get(v) if isinstance(v, int) else v for k, v in wanted.items()}
    if None in wanted.values():
        mixins = {"individual": IndividualPledgePageMixin,
                  "organisation": OrganisationPledgePageMixin}
        for page in Page.objects.live().type(*mixins.values()).order_by("path"):
            for key, mixin in mixins.items():
                if wanted[key] is None and issubclass(page.specific_class, mixin):
                    wanted[key] = page
    return tuple(
        (wanted[key].get_url(request) or "") if wanted[key] is not None else ""
        for key in ("individual", "organisation")
    )


def _add_service_errors(form, error: ValidationError, fallback_fields=()) -> None:
    """Put a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields and field not in fallback_fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _private(response):
    """Journey pages show one person's state: never cache them in a shared cache."""
    from django.utils.cache import add_never_cache_headers, patch_cache_control

    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


class PrivateRoutesMixin(RoutablePageMixin):
    """A routable page whose every response is about the viewer."""

    def serve(self, request, *args, **kwargs):
        return _private(super().serve(request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        from urllib.parse import quote

        from django.shortcuts import resolve_url

        context = super().get_context(request, *args, **kwargs)
        context["login_url"] = (
            f"{resolve_url(settings.LOGIN_URL)}?next={quote(request.get_full_path())}"
        )
        return context

    def _login(self, request):
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    def _sub_url(self, request, name, *args):
        return self.get_url(request) + self.reverse_subpage(name, args=args)


# -- membership ----------------------------------------------------------------------


class MembershipPageMixin(models.Model):
    """Explains membership, with live counts and a call to action for the viewer."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)
    individual_summary = RichTextField(
        gettext_lazy("individual membership"), blank=True,
        help_text=gettext_lazy("What individuals do to join and what they get."),
    )
    organisation_summary = RichTextField(
        gettext_lazy("organisation membership"), blank=True,
        help_text=gettext_lazy("What organisations do to join and what they get."),
    )
    individual_pledge_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=gettext_lazy("individual pledge page"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    organisation_pledge_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=gettext_lazy("organisation pledge page"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    show_counts = models.BooleanField(gettext_lazy("show live counts"), default=True)
    body = StreamField(MembershipBodyBlock(), blank=True, verbose_name=gettext_lazy("body"))

    pledges_panels = [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("individual_summary"), FieldPanel("individual_pledge_page")],
            heading=gettext_lazy("Individuals"),
        ),
        MultiFieldPanel(
            [FieldPanel("organisation_summary"), FieldPanel("organisation_pledge_page")],
            heading=gettext_lazy("Organisations"),
        ),
        FieldPanel("show_counts"),
        FieldPanel("body"),
    ]
    template = "wagtail_pledges/pages/membership_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from .dashboard import call_to_action

        context = super().get_context(request, *args, **kwargs)
        context["counts"] = get_counts() if self.show_counts else None
        context["cta"] = call_to_action(
            request.user, request=request,
            individual_page=self.individual_pledge_page_id,
            organisation_page=self.organisation_pledge_page_id,
        )
        return context

    def serve(self, request, *args, **kwargs):
        from django.utils.cache import patch_cache_control, patch_vary_headers

        response = super().serve(request, *args, **kwargs)
        # The call to action differs per viewer.
        patch_vary_headers(response, ["Cookie"])
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


# -- individual journey ----------------------------------------------------------------


class IndividualPledgePageMixin(PrivateRoutesMixin, models.Model):
    """Sign in → video 1 → video 2 → commit to one action → confirm email → done."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)
    videos = StreamField(
        [("video", AwarenessVideoBlock())], blank=True,
        verbose_name=gettext_lazy("awareness videos"),
        help_text=gettext_lazy("Members watch these, in this order, before committing."),
    )
    commit_intro = RichTextField(
        gettext_lazy("text above the action form"), blank=True,
        help_text=gettext_lazy("Ideas and examples of good actions."),
    )
    done_text = RichTextField(
        gettext_lazy("next steps"), blank=True,
        help_text=gettext_lazy("Shown when the pledge is made."),
    )

    pledges_panels = [
        FieldPanel("intro"), FieldPanel("videos"), FieldPanel("commit_intro"),
        FieldPanel("done_text"),
    ]
    template = "wagtail_pledges/pages/individual_pledge_page.html"
    step_templates = {
        "video": "wagtail_pledges/pages/individual_pledge_video.html",
        "commit": "wagtail_pledges/pages/individual_pledge_commit.html",
        "check_email": "wagtail_pledges/pages/individual_pledge_check_email.html",
        "done": "wagtail_pledges/pages/individual_pledge_done.html",
    }

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        required = pledges_settings.REQUIRED_VIDEOS
        if self.live and len(self.videos) < required:
            raise ValidationError({"videos": _("Add %(n)s awareness videos.") % {"n": required}})

    # -- state -------------------------------------------------------------------

    @property
    def video_blocks(self) -> list:
        return [child.value for child in self.videos]

    def journey(self, request) -> dict:
        """Where the viewer is: ``step`` plus what the templates need. Three queries."""
        user = request.user
        if not user.is_authenticated:
            return {"step": "sign_in"}
        pledge = Pledge.objects.filter(user=user).order_by("-sequence").first()
        keys = [video.video_key for video in self.video_blocks]
        progress = {
            p.video_key: p for p in VideoProgress.objects.filter(user=user, video_key__in=keys)
        }
        watched = [bool(progress.get(k) and progress[k].completed_at) for k in keys]
        state = {"pledge": pledge, "progress": progress, "watched": watched, "keys": keys}
        status = pledge.review_status if pledge else None
        if pledge is None or status in (ReviewStatus.DECLINED, ReviewStatus.WITHDRAWN):
            state["step"] = "start"
        elif pledge.is_editable_by_member:
            state["step"] = "video" if not all(watched) else "commit"
            state["video_number"] = watched.index(False) + 1 if not all(watched) else None
        elif status == ReviewStatus.SUBMITTED and not email_is_verified(user) \
                and not pledges_settings.INDIVIDUAL_REQUIRES_REVIEW:
            state["step"] = "check_email"
        else:
            state["step"] = "done"
        membership = get_policy().standing(user).own
        state["membership"] = membership
        # A member whose period is ending (or over) may start the next pledge.
        if state["step"] == "done" and membership and membership.status in lifecycle.MAY_START \
                and status == ReviewStatus.APPROVED:
            state["step"] = "start"
            state["renewing"] = True
        return state

    def step_url(self, request, state) -> str:
        step = state["step"]
        if step == "video":
            return self._sub_url(request, "video", state["video_number"])
        if step in ("commit", "check_email", "done"):
            return self._sub_url(request, step)
        return self.get_url(request)

    def _render(self, request, template, state, **extra):
        status = extra.pop("status", 200)
        response = self.render(request, template=template, context_overrides={
            "journey": state, "continue_url": self.step_url(request, state), **extra,
        })
        response.status_code = status
        return response

    # -- routes ------------------------------------------------------------------

    @path("", name="index")
    def index_route(self, request, *args, **kwargs):
        return self._render(request, self.get_template(request), self.journey(request))

    @path("start/", name="start")
    def start_route(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            return self._login(request)
        if limited := over_limit(request, "join"):
            return limited
        try:
            lifecycle.start_individual(request.user)
        except lifecycle.TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self.get_url(request))
        forget_standing(request.user)
        return HttpResponseRedirect(self.step_url(request, self.journey(request)))

    def _open_state(self, request):
        """The journey state if the viewer has an editable pledge, else a redirect."""
        if not request.user.is_authenticated:
            return None, self._login(request)
        state = self.journey(request)
        if state["step"] not in ("video", "commit"):
            return None, HttpResponseRedirect(self.step_url(request, state))
        return state, None

    @path("video/<int:number>/", name="video")
    def video_route(self, request, number):
        state, redirect = self._open_state(request)
        if redirect:
            return redirect
        videos = self.video_blocks
        if not 1 <= number <= len(videos):
            raise Http404
        if not all(state["watched"][: number - 1]):
            messages.info(request, _("Watch the earlier video first."))
            return HttpResponseRedirect(self.step_url(request, state))
        video = videos[number - 1]
        progress = state["progress"].get(video.video_key)
        next_url = (self._sub_url(request, "video", number + 1) if number < len(videos)
                    else self._sub_url(request, "commit"))
        return self._render(request, self.step_templates["video"], state, video=video,
                            number=number, total=len(videos), video_progress=progress,
                            watched=bool(progress and progress.completed_at),
                            next_url=next_url)

    @path("commit/", name="commit")
    def commit_route(self, request):
        state, redirect = self._open_state(request)
        if redirect:
            return redirect
        if state["step"] != "commit":
            messages.info(request, _("Watch both awareness videos before you commit."))
            return HttpResponseRedirect(self.step_url(request, state))
        pledge = state["pledge"]
        if request.method != "POST":
            form = PledgeActionForm(instance=pledge)
            return self._render(request, self.step_templates["commit"], state, form=form)
        form = PledgeActionForm(request.POST, instance=pledge)
        if form.is_valid():
            # One transaction: the typed draft is kept even if submitting is refused
            # (submit_pledge runs in its own savepoint).
            with transaction.atomic():
                # None: a concurrent request submitted it first; submitting again
                # below is then a no-op and the journey moves on.
                pledge = form.save_draft() or pledge
                try:
                    lifecycle.submit_pledge(
                        pledge, request.user,
                        video_keys=[video.video_key for video in self.video_blocks],
                    )
                except ValidationError as exc:
                    _add_service_errors(form, exc)
                    submitted = False
                except lifecycle.TransitionError as exc:
                    messages.error(request, str(exc))
                    return HttpResponseRedirect(self.get_url(request))
                else:
                    submitted = True
            if submitted:
                forget_standing(request.user)
                return HttpResponseRedirect(self.step_url(request, self.journey(request)))
        return self._render(request, self.step_templates["commit"], state, form=form,
                            status=400)

    @path("check-email/", name="check_email")
    def check_email_route(self, request):
        if not request.user.is_authenticated:
            return self._login(request)
        return self._render(request, self.step_templates["check_email"], self.journey(request))

    @path("done/", name="done")
    def done_route(self, request):
        if not request.user.is_authenticated:
            return self._login(request)
        return self._render(request, self.step_templates["done"], self.journey(request))


# -- organisation journey --------------------------------------------------------------


def _unique_organisation_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisation"
    if not Organisation.objects.filter(slug=base).exists():
        return base
    return f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"


def _formset_without_errors(formset):
    """Show a bound formset again without validating it (after "add a priority")."""
    from django.forms.utils import ErrorDict, ErrorList

    formset._errors = []
    formset._non_form_errors = ErrorList()
    for form in formset.forms:
        form._errors = ErrorDict()
    return formset


class OrganisationPledgePageMixin(PrivateRoutesMixin, models.Model):
    """Profile → action plan (priorities) → preview → senior sign-off → submitted."""

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
    template = "wagtail_pledges/pages/organisation_pledge_page.html"
    step_templates = {
        "organisation": "wagtail_pledges/pages/organisation_profile.html",
        "plan": "wagtail_pledges/pages/organisation_plan_edit.html",
        "preview": "wagtail_pledges/pages/organisation_plan_preview.html",
        "signoff": "wagtail_pledges/pages/organisation_plan_signoff.html",
        "status": "wagtail_pledges/pages/organisation_plan_status.html",
    }
    priorities_prefix = "priorities"

    class Meta:
        abstract = True

    def _render(self, request, template, status=200, **context):
        response = self.render(request, template=template, context_overrides=context)
        response.status_code = status
        return response

    def _admin_organisations(self, user) -> list[dict]:
        roles = [
            role for role, _m in get_policy().standing(user).organisations
            if role.role == OrganisationRole.Role.ADMIN
        ]
        latest = {}
        for plan in ActionPlan.objects.filter(
            organisation_id__in=[r.organisation_id for r in roles]
        ).order_by("organisation_id", "sequence"):
            latest[plan.organisation_id] = plan
        return [
            {"organisation": r.organisation, "membership": getattr(r.organisation, "membership",
                                                                  None),
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

    def plan_url(self, request, plan, step="plan") -> str:
        if step == "plan" and not plan.is_editable_by_member:
            step = "status"
        return self._sub_url(request, step, plan.pk)

    # -- routes ------------------------------------------------------------------

    @path("", name="index")
    def index_route(self, request, *args, **kwargs):
        organisations = (self._admin_organisations(request.user)
                         if request.user.is_authenticated else [])
        for item in organisations:
            if item["plan"] is not None:
                item["plan_url"] = self.plan_url(request, item["plan"])
        return self.render(request, context_overrides={
            "organisations": organisations,
            "new_organisation_url": self._sub_url(request, "organisation"),
        })

    @path("organisation/", name="organisation")
    def organisation_route(self, request):
        if not request.user.is_authenticated:
            return self._login(request)
        if request.method == "POST" and (limited := over_limit(request, "join")):
            return limited
        form = OrganisationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            fields = form.organisation_fields()
            try:
                plan = lifecycle.start_organisation(
                    request.user, slug=_unique_organisation_slug(fields["name"]), **fields
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            except lifecycle.TransitionError as exc:
                form.add_error(None, str(exc))
            else:
                forget_standing(request.user)
                messages.success(request, _("%s is registered. Now write your action plan.")
                                 % plan.organisation.name)
                return HttpResponseRedirect(self.plan_url(request, plan))
        return self._render(request, self.step_templates["organisation"],
                            status=400 if form.is_bound else 200, form=form)

    @path("organisation/<int:organisation_id>/", name="organisation_edit")
    def organisation_edit_route(self, request, organisation_id):
        if not request.user.is_authenticated:
            return self._login(request)
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None or not get_policy().can_manage_organisation(
            request.user, organisation
        ):
            raise Http404
        form = OrganisationForm(request.POST or None, instance=organisation)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("Your organisation's details are saved."))
            return HttpResponseRedirect(self.get_url(request))
        return self._render(request, self.step_templates["organisation"],
                            status=400 if form.is_bound else 200, form=form,
                            organisation=organisation)

    @path("start/<int:organisation_id>/", name="start")
    def start_route(self, request, organisation_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            return self._login(request)
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise Http404
        try:
            plan = lifecycle.start_organisation(request.user, organisation=organisation)
        except lifecycle.TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self.get_url(request))
        return HttpResponseRedirect(self.plan_url(request, plan))

    @path("plan/<int:plan_id>/", name="plan")
    def plan_route(self, request, plan_id):
        if not request.user.is_authenticated:
            return self._login(request)
        plan = self._plan_for(request, plan_id)
        if not plan.is_editable_by_member:
            return HttpResponseRedirect(self.plan_url(request, plan, "status"))
        prefix = self.priorities_prefix
        if request.method != "POST":
            plan_form = PlanForm(instance=plan)
            # min_num (PLAN_MIN_PRIORITIES) empty rows when there are none yet.
            formset = PriorityFormSet(instance=plan, prefix=prefix)
            return self._plan_page(request, plan, plan_form, formset)
        data = request.POST.copy()
        count_error = priority_count_error(data, prefix)
        if count_error:  # a tampered TOTAL_FORMS: refused before any form is built
            messages.error(request, count_error)
            return self._plan_page(request, plan, PlanForm(instance=plan),
                                   PriorityFormSet(instance=plan, prefix=prefix), status=400)
        if "add_priority" in data:
            # No JavaScript needed: the same forms again, with one more empty row.
            full = add_priority_row(data, prefix)
            if full:
                messages.error(request, full)
            formset = _formset_without_errors(PriorityFormSet(data, instance=plan,
                                                              prefix=prefix))
            plan_form = PlanForm(data, instance=plan)
            plan_form._errors = {}
            return self._plan_page(request, plan, plan_form, formset, focus_last=not full)
        plan_form = PlanForm(data, instance=plan)
        formset = PriorityFormSet(data, instance=plan, prefix=prefix)
        if plan_form.is_valid() and formset.is_valid():
            self._save_plan(plan_form, formset)
            messages.success(request, _("Your draft is saved."))
            step = "preview" if "preview" in data else "plan"
            return HttpResponseRedirect(self.plan_url(request, plan, step))
        return self._plan_page(request, plan, plan_form, formset, status=400)

    @transaction.atomic
    def _save_plan(self, plan_form, formset) -> None:
        plan = save_if_editable(plan_form)
        if plan is None:  # submitted meanwhile (another tab): keep what was submitted
            return
        formset.save(commit=False)
        for priority in formset.deleted_objects:
            priority.delete()
        kept = [f for f in formset.forms if f not in formset.deleted_forms
                and (f.instance.pk or f.has_changed())]
        for order, form in enumerate(kept):
            form.instance.plan = plan
            form.instance.sort_order = order
            form.instance.save()

    def _plan_page(self, request, plan, plan_form, formset, status=200, focus_last=False):
        return self._render(request, self.step_templates["plan"], status=status, plan=plan,
                            plan_form=plan_form, formset=formset, focus_last=focus_last)

    def _plan_with_priorities(self, request, plan_id) -> ActionPlan:
        plan = self._plan_for(request, plan_id)
        plan.priority_list = list(
            Priority.objects.filter(plan=plan).select_related("strategy").order_by("sort_order")
        )
        return plan

    @path("plan/<int:plan_id>/preview/", name="preview")
    def preview_route(self, request, plan_id):
        if not request.user.is_authenticated:
            return self._login(request)
        plan = self._plan_with_priorities(request, plan_id)
        return self._render(request, self.step_templates["preview"], plan=plan,
                            edit_url=self.plan_url(request, plan),
                            signoff_url=self.plan_url(request, plan, "signoff"))

    @path("plan/<int:plan_id>/sign-off/", name="signoff")
    def signoff_route(self, request, plan_id):
        if not request.user.is_authenticated:
            return self._login(request)
        plan = self._plan_for(request, plan_id)
        if not plan.is_editable_by_member:
            return HttpResponseRedirect(self.plan_url(request, plan, "status"))
        form = SignoffForm(request.POST or None, instance=plan)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():  # never reset a plan submitted meanwhile
                plan = save_if_editable(form) or plan
            try:
                lifecycle.submit_plan(plan, request.user)
            except ValidationError as exc:
                # Problems elsewhere in the plan (priorities, summary) go to the top.
                _add_service_errors(form, exc)
            except lifecycle.TransitionError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(self.plan_url(request, plan, "status"))
            else:
                forget_standing(request.user)
                return HttpResponseRedirect(self.plan_url(request, plan, "status"))
        return self._render(request, self.step_templates["signoff"],
                            status=400 if form.is_bound else 200, plan=plan, form=form,
                            edit_url=self.plan_url(request, plan))

    @path("plan/<int:plan_id>/status/", name="status")
    def status_route(self, request, plan_id):
        if not request.user.is_authenticated:
            return self._login(request)
        plan = self._plan_with_priorities(request, plan_id)
        return self._render(request, self.step_templates["status"], plan=plan,
                            edit_url=self._sub_url(request, "plan", plan.pk))


# -- published plans directory ---------------------------------------------------------


def published_plans():
    """Approved, live plans with everything the directory shows, in constant queries."""
    return (
        ActionPlan.objects.published()
        .select_related("organisation", "organisation__sector")
        .prefetch_related(
            "practices",
            Prefetch("priorities",
                     queryset=Priority.objects.select_related("strategy").order_by("sort_order")),
        )
        .order_by("organisation__name", "pk")
    )


class PlansIndexPageMixin(RoutablePageMixin, models.Model):
    """A public directory of published action plans, one sub-route per plan.

    Plans are rows, not pages: see docs/explanation/directory.md.
    """

    intro = RichTextField(gettext_lazy("introduction"), blank=True)

    pledges_panels = [FieldPanel("intro")]
    template = "wagtail_pledges/pages/plans_index_page.html"
    directory_template = "wagtail_pledges/pages/_directory.html"
    plan_template = "wagtail_pledges/pages/plan_detail.html"
    plan_fragment_template = "wagtail_pledges/pages/_plan_detail.html"
    plans_per_page = 20

    class Meta:
        abstract = True

    def regions(self) -> list[str]:
        return list(
            ActionPlan.objects.published().exclude(organisation__region="")
            .order_by("organisation__region")
            .values_list("organisation__region", flat=True).distinct()
        )

    def filter_plans(self, plans, data: dict):
        if data.get("q"):
            q = data["q"]
            plans = plans.filter(models.Q(organisation__name__icontains=q)
                                 | models.Q(public_summary__icontains=q))
        if data.get("sector"):
            plans = plans.filter(organisation__sector=data["sector"])
        if data.get("region"):
            plans = plans.filter(organisation__region=data["region"])
        if data.get("strategy"):
            # A subquery, not a join: a plan with two such priorities is listed once.
            plans = plans.filter(
                pk__in=Priority.objects.filter(strategy=data["strategy"]).values("plan_id")
            )
        if data.get("practice"):
            plans = plans.filter(practices=data["practice"])
        return plans

    # Filters whose values come from a closed set: only these results are cached, so
    # free-text searches cannot fill the cache with one entry per query.
    cacheable_filters = ("sector", "region", "strategy", "practice", "page")
    fragment_timeout = 3600

    def cached_fragment(self, request, name: str, parts, build):
        """Render once per directory version; ``build() -> (value, cacheable)``.

        The key holds :func:`~wagtail_pledges.counts.directory_version`, which every
        change to a plan, organisation, priority, update or taxonomy bumps, so a
        cached fragment is never stale — in any process.
        """
        key = "wagtail_pledges:fragment:" + hashlib.sha1(repr((  # noqa: S324 - a cache key
            name, self.pk, self.last_published_at, get_language(), directory_version(),
            self.get_url(request), *parts,
        )).encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            value, cacheable = build()
            if cacheable:
                cache.set(key, value, self.fragment_timeout)
        return value

    @path("", name="index")
    def index_route(self, request, *args, **kwargs):
        status = 200

        def build():
            nonlocal status
            form = DirectoryFilterForm(request.GET or None, regions=self.regions())
            plans = published_plans()
            if form.is_bound:
                if form.is_valid():
                    plans = self.filter_plans(plans, form.cleaned_data)
                else:
                    status = 400
            page = Paginator(plans, self.plans_per_page).get_page(request.GET.get("page"))
            query = request.GET.copy()
            query.pop("page", None)
            plans = list(page.object_list)
            for plan in plans:
                plan.detail_url = self.plan_detail_url(request, plan)
            html = render_to_string(self.directory_template, {
                "page": self, "filter_form": form, "plans_page": page, "plans": plans,
                "query_string": query.urlencode(),
            }, request=request)
            return html, status == 200 and set(request.GET) <= set(self.cacheable_filters)

        parts = sorted((k, tuple(v)) for k, v in request.GET.lists())
        html = self.cached_fragment(request, "index", parts, build)
        response = self.render(request, context_overrides={"directory_html": html})
        response.status_code = status
        return response

    def plan_detail_url(self, request, plan) -> str:
        return self.get_url(request) + self.reverse_subpage(
            "plan", kwargs={"slug": plan.organisation.slug}
        )

    @path("<slug:slug>/", name="plan")
    def plan_route(self, request, slug):
        def build():
            plan = (
                published_plans().filter(organisation__slug=slug)
                .prefetch_related(Prefetch(
                    "updates", queryset=ProgressUpdate.objects.order_by("-created_at"),
                    to_attr="update_list",
                )).first()
            )
            if plan is None:
                raise Http404
            html = render_to_string(self.plan_fragment_template, {
                "page": self, "plan": plan, "organisation": plan.organisation,
            }, request=request)
            return (plan.organisation.name, html), True

        title, html = self.cached_fragment(request, "plan", [slug], build)
        return self.render(request, template=self.plan_template, context_overrides={
            "plan_html": html, "organisation_name": title,
        })

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        if not base:
            return urls
        for slug, decided_at in published_plans().values_list(
            "organisation__slug", "decided_at"
        ):
            urls.append({"location": base + self.reverse_subpage(
                "plan", kwargs={"slug": slug}).lstrip("/"), "lastmod": decided_at})
        return urls


# -- resources ---------------------------------------------------------------------------


class ResourceIndexPageMixin(models.Model):
    """Lists member resources (its child pages)."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)

    pledges_panels = [FieldPanel("intro")]
    template = "wagtail_pledges/pages/resource_index_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Only public children: a private resource's title must not reach others.
        context["resources"] = self.get_children().live().public().specific().order_by(
            "path"
        )
        return context


class ResourcePageMixin(models.Model):
    """One member resource: a summary, a body and its documents."""

    summary = models.TextField(gettext_lazy("summary"), blank=True, max_length=500)
    body = StreamField(ResourceBodyBlock(), blank=True, verbose_name=gettext_lazy("body"))

    pledges_panels = [FieldPanel("summary"), FieldPanel("body")]
    template = "wagtail_pledges/pages/resource_page.html"

    class Meta:
        abstract = True


__all__ = [
    "IndividualPledgePageMixin",
    "MembershipPageMixin",
    "OrganisationPledgePageMixin",
    "PlansIndexPageMixin",
    "ResourceIndexPageMixin",
    "ResourcePageMixin",
    "journey_page_urls",
    "published_plans",
]
