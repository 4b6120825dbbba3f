"""The review queue and the reviewer's three decisions: approve, request changes, decline.

Each decision view checks :meth:`MembershipPolicy.can_review`, validates a Django
form, calls one function of :mod:`.review` (which calls the lifecycle) and reports
the outcome — including a refused transition — as a Wagtail message, never a 500.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..conf import pledges_settings
from ..lifecycle import TransitionError
from ..models import ActionPlan, Organisation, Pledge, ReviewStatus
from . import review
from .permissions import can_review

KINDS = {"plan": ActionPlan, "pledge": Pledge}
QUEUE_LIMIT = 200


def kind_of(commitment) -> str:
    return "plan" if isinstance(commitment, ActionPlan) else "pledge"


def review_url(commitment) -> str:
    return reverse("wagtail_pledges_admin:review", args=[kind_of(commitment), commitment.pk])


def snippet_url(commitment, name: str, *args) -> str | None:
    """A URL of the commitment's snippet viewset, if the default admin is installed."""
    viewset = getattr(type(commitment), "snippet_viewset", None)
    if viewset is None:
        return None
    try:
        return reverse(viewset.get_url_name(name), args=[commitment.pk, *args])
    except NoReverseMatch:
        return None


def compare_url(commitment) -> str | None:
    """Wagtail's revision comparison: the previous submission against the latest."""
    revision_ids = list(
        commitment.revisions.order_by("-created_at", "-id").values_list("id", flat=True)[:2]
    )
    if len(revision_ids) < 2:
        return None
    return snippet_url(commitment, "revisions_compare", revision_ids[1], revision_ids[0])


class ReviewerRequiredMixin:
    """Only users the membership policy lets review; everyone else is turned away."""

    def dispatch(self, request, *args, **kwargs):
        if not can_review(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class CommitmentMixin(ReviewerRequiredMixin):
    def get_commitment(self):
        model = KINDS.get(self.kwargs["kind"])
        if model is None:
            raise Http404
        related = "organisation" if model is ActionPlan else "user"
        return get_object_or_404(
            model.objects.select_related("membership", related), pk=self.kwargs["pk"]
        )

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.commitment = None

    def dispatch(self, request, *args, **kwargs):
        if can_review(request.user):
            self.commitment = self.get_commitment()
        return super().dispatch(request, *args, **kwargs)


class ReviewBreadcrumbsMixin:
    """Home › Review queue › this view, so the header names what is being reviewed."""

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if not isinstance(self, ReviewQueueView):
            items.append({"url": reverse("wagtail_pledges_admin:review_queue"),
                          "label": _("Review queue")})
        items.append({"url": "", "label": self.get_page_title(),
                      "sublabel": self.get_page_subtitle()})
        return items


class ReviewQueueView(ReviewerRequiredMixin, ReviewBreadcrumbsMixin, WagtailAdminTemplateMixin,
                      TemplateView):
    """What awaits a decision, oldest first: plans, then pledges when they are reviewed."""

    page_title = _("Review queue")
    header_icon = "tasks"
    template_name = "wagtail_pledges/admin/review_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plans = list(
            ActionPlan.objects.awaiting_review().select_related("organisation")[:QUEUE_LIMIT]
        )
        pledges = list(
            Pledge.objects.awaiting_review().select_related("user", "strategy")[:QUEUE_LIMIT]
        )
        context.update(
            plans=[(plan, review_url(plan)) for plan in plans],
            pledges=[(pledge, review_url(pledge)) for pledge in pledges],
            individual_review=pledges_settings.INDIVIDUAL_REQUIRES_REVIEW,
        )
        return context


def review_organisation(commitment):
    """The plan's organisation with what a reviewer judges it by, or ``None`` for a pledge."""
    if not isinstance(commitment, ActionPlan):
        return None
    return Organisation.objects.select_related("sector", "location__parent").get(
        pk=commitment.organisation_id)


class ReviewView(CommitmentMixin, ReviewBreadcrumbsMixin, WagtailAdminTemplateMixin,
                 TemplateView):
    """One pledge or plan: its content, its history, and the three decisions."""

    header_icon = "tasks"
    template_name = "wagtail_pledges/admin/review.html"

    def get_page_title(self):
        return _("Review")

    def get_page_subtitle(self):
        return str(self.commitment)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        commitment = self.commitment
        context.update(
            commitment=commitment,
            kind=kind_of(commitment),
            is_plan=isinstance(commitment, ActionPlan),
            priorities=list(commitment.priorities.select_related("strategy"))
            if isinstance(commitment, ActionPlan) else [],
            practices=list(commitment.practices.all()),
            organisation=review_organisation(commitment),
            awaiting=commitment.review_status == ReviewStatus.SUBMITTED,
            may_decline=commitment.review_status
            in (ReviewStatus.SUBMITTED, ReviewStatus.CHANGES_REQUESTED),
            events=list(commitment.membership.events.select_related("actor")[:20]),
            edit_url=snippet_url(commitment, "edit"),
            history_url=snippet_url(commitment, "history"),
            compare_url=compare_url(commitment),
            request_changes_form=CommentForm(),
            decline_form=ReasonForm(),
        )
        return context


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"), widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("The organisation or member sees this comment."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
        help_text=_("The organisation or member sees this reason."),
    )


class DecisionView(CommitmentMixin, ReviewBreadcrumbsMixin, WagtailAdminTemplateMixin, FormView):
    """POST a decision; GET shows its form. Outcomes and refusals become messages."""

    template_name = "wagtail_pledges/admin/decision.html"
    header_icon = "tasks"
    form_class = forms.Form
    success_message = ""

    def get_page_subtitle(self):
        return str(self.commitment)

    def decide(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.decide(form)
        except PermissionDenied:
            return permission_denied(self.request)
        except TransitionError as error:
            messages.error(self.request, str(error))
            return redirect(review_url(self.commitment))
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(review_url(self.commitment))
        messages.success(self.request, self.success_message % {"object": self.commitment})
        return redirect("wagtail_pledges_admin:review_queue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(commitment=self.commitment, review_url=review_url(self.commitment),
                       submit_label=self.get_page_title())
        return context


class ApproveView(DecisionView):
    page_title = _("Approve")
    success_message = _("“%(object)s” approved and published.")

    def decide(self, form):
        review.approve_commitment(self.commitment, self.request.user)


class RequestChangesView(DecisionView):
    page_title = _("Request changes")
    form_class = CommentForm
    success_message = _("Changes requested on “%(object)s”; the member has been told.")

    def decide(self, form):
        review.request_changes_to_commitment(
            self.commitment, self.request.user, form.cleaned_data["comment"]
        )


class DeclineView(DecisionView):
    page_title = _("Decline")
    form_class = ReasonForm
    success_message = _("“%(object)s” declined; the member has been told.")

    def decide(self, form):
        review.decline_commitment(self.commitment, self.request.user, form.cleaned_data["reason"])
