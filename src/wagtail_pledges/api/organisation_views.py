"""The organisation journey over the API: register → draft the plan → preview →
sign off → submit (→ the reviewer's comments → edit → resubmit).

Objects are found only among the signed-in user's own organisations (anything else
is a 404, so another organisation's drafts are not even confirmed to exist); changes
need an admin (403). Every step calls the service the organisation page calls.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from .. import lifecycle, organisations
from ..forms import SignoffForm
from ..models import ActionPlan, Organisation, OrganisationRole, Priority
from . import write_serializers as ws
from .base import ErrorSerializer, PledgesAPIView, extend_schema, form_errors
from .permissions import IsOrganisationAdmin, IsOrganisationAdminOrReadOnly


class OrganisationObjectMixin:
    """Look objects up among the user's own organisations, then check permissions."""

    def get_organisation(self, organisation_id) -> Organisation:
        role = (OrganisationRole.objects
                .select_related("organisation__membership", "organisation__sector",
                                "organisation__location")
                .filter(organisation_id=organisation_id, user=self.request.user).first())
        if role is None:
            raise NotFound(_("You are not part of an organisation with that id."))
        self.roles = {role.organisation_id: role.role}
        self.check_object_permissions(self.request, role.organisation)
        return role.organisation

    def get_plan(self, plan_id) -> ActionPlan:
        plan = (ActionPlan.objects.select_related("organisation")
                .filter(pk=plan_id, organisation__roles__user=self.request.user).first())
        if plan is None:
            raise NotFound(_("No action plan of your organisations has that id."))
        self.check_object_permissions(self.request, plan)
        return plan


def with_priorities(plan: ActionPlan) -> ActionPlan:
    plan.priority_list = list(
        Priority.objects.filter(plan=plan).select_related("strategy").order_by("sort_order"))
    return plan


def plan_response(plan: ActionPlan, status_code=status.HTTP_200_OK) -> Response:
    return Response(ws.MemberPlanSerializer(with_priorities(plan)).data, status=status_code)


def require_editable(plan: ActionPlan) -> None:
    if not plan.is_editable_by_member:
        raise lifecycle.TransitionError(
            _("This plan is %(status)s: it can no longer be edited.")
            % {"status": plan.get_review_status_display().lower()}, code="not_editable")


OrganisationCreated = inline_serializer("OrganisationCreated", {
    "organisation": ws.OrganisationWriteSerializer(),
    "plan": ws.MemberPlanSerializer(),
})


class OrganisationsView(OrganisationObjectMixin, PledgesAPIView):
    """The organisations the user is part of; POST registers a new one."""

    permission_classes = [IsOrganisationAdminOrReadOnly]
    rate_limit = "join"

    @extend_schema(responses=ws.OrganisationWriteSerializer(many=True))
    def get(self, request):
        roles = list(OrganisationRole.objects.filter(user=request.user).select_related(
            "organisation__membership", "organisation__sector", "organisation__location")
            .order_by("organisation__name"))
        return Response(ws.OrganisationWriteSerializer(
            [r.organisation for r in roles], many=True,
            context={"roles": {r.organisation_id: r.role for r in roles}}).data)

    @extend_schema(request=ws.OrganisationWriteSerializer,
                   responses={201: OrganisationCreated, 400: ErrorSerializer})
    def post(self, request):
        serializer = ws.OrganisationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.organisation_fields()
        plan = lifecycle.start_organisation(
            request.user, slug=organisations.unique_organisation_slug(fields["name"]), **fields)
        self.changed_standing()
        organisation = plan.organisation
        return Response({
            "organisation": ws.OrganisationWriteSerializer(
                organisation, context={"roles": {organisation.pk: "admin"}}).data,
            "plan": ws.MemberPlanSerializer(with_priorities(plan)).data,
        }, status=status.HTTP_201_CREATED)


class OrganisationDetailView(OrganisationObjectMixin, PledgesAPIView):
    """One of the user's organisations; its admins edit the profile."""

    permission_classes = [IsOrganisationAdminOrReadOnly]

    @extend_schema(responses=ws.OrganisationWriteSerializer)
    def get(self, request, organisation_id):
        organisation = self.get_organisation(organisation_id)
        return Response(ws.OrganisationWriteSerializer(
            organisation, context={"roles": self.roles}).data)

    @extend_schema(request=ws.OrganisationWriteSerializer,
                   responses={200: ws.OrganisationWriteSerializer, 400: ErrorSerializer,
                              403: ErrorSerializer})
    def patch(self, request, organisation_id):
        organisation = self.get_organisation(organisation_id)
        serializer = ws.OrganisationWriteSerializer(
            organisation, data=request.data, partial=True, context={"roles": self.roles})
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


class OrganisationPlansView(OrganisationObjectMixin, PledgesAPIView):
    """An organisation's plans, newest first; POST starts the next one (renewal), or
    resumes the open one."""

    permission_classes = [IsOrganisationAdminOrReadOnly]

    @extend_schema(responses=ws.MemberPlanSerializer(many=True))
    def get(self, request, organisation_id):
        organisation = self.get_organisation(organisation_id)
        plans = list(ActionPlan.objects.filter(organisation=organisation)
                     .select_related("organisation").prefetch_related("practices")
                     .order_by("-sequence"))
        by_plan: dict[int, list] = {}
        for priority in Priority.objects.filter(plan__in=plans).select_related(
                "strategy").order_by("sort_order"):
            by_plan.setdefault(priority.plan_id, []).append(priority)
        for plan in plans:
            plan.priority_list = by_plan.get(plan.pk, [])
        return Response(ws.MemberPlanSerializer(plans, many=True).data)

    @extend_schema(request=None, responses={201: ws.MemberPlanSerializer,
                                            409: ErrorSerializer})
    def post(self, request, organisation_id):
        organisation = self.get_organisation(organisation_id)
        plan = lifecycle.start_organisation(request.user, organisation=organisation)
        self.changed_standing()
        return plan_response(plan, status.HTTP_201_CREATED)


class PlanView(OrganisationObjectMixin, PledgesAPIView):
    """A plan as its organisation sees it (the preview, with the reviewer's comment);
    PUT saves the whole editable draft."""

    permission_classes = [IsOrganisationAdminOrReadOnly]

    @extend_schema(responses=ws.MemberPlanSerializer)
    def get(self, request, plan_id):
        return plan_response(self.get_plan(plan_id))

    @extend_schema(request=ws.PlanDraftSerializer,
                   responses={200: ws.MemberPlanSerializer, 400: ErrorSerializer,
                              409: ErrorSerializer})
    def put(self, request, plan_id):
        plan = self.get_plan(plan_id)
        require_editable(plan)
        data = self.validated(ws.PlanDraftSerializer)
        kept = {item.get("id") for item in data["priorities"]}
        saved = set(Priority.objects.filter(plan=plan).values_list("pk", flat=True))
        organisations.save_plan_draft(
            plan, user=request.user, public_summary=data["public_summary"],
            practices=data["practices"],
            priorities=[dict(item) for item in data["priorities"]],
            delete=sorted(saved - kept),
        )
        return plan_response(plan)


class SignoffView(OrganisationObjectMixin, PledgesAPIView):
    """Name the senior leader who approved the plan (saved by the page's own form)."""

    permission_classes = [IsOrganisationAdmin]
    form_class = SignoffForm

    @extend_schema(request=ws.SignoffSerializer,
                   responses={200: ws.MemberPlanSerializer, 400: ErrorSerializer,
                              409: ErrorSerializer})
    def post(self, request, plan_id):
        plan = self.get_plan(plan_id)
        require_editable(plan)
        data = self.validated(ws.SignoffSerializer)
        form = self.form_class(data=data, instance=plan)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return plan_response(form.save())


class SubmitPlanView(OrganisationObjectMixin, PledgesAPIView):
    """Submit (or, after the reviewer asked for changes, resubmit) the plan for review.
    400 lists what is missing, by field."""

    permission_classes = [IsOrganisationAdmin]

    @extend_schema(request=None, responses={200: ws.MemberPlanSerializer,
                                            400: ErrorSerializer, 409: ErrorSerializer})
    def post(self, request, plan_id):
        plan = lifecycle.submit_plan(self.get_plan(plan_id), request.user)
        self.changed_standing()
        return plan_response(plan)
