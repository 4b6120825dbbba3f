"""The member dashboard over the API: progress updates, people and roles, leaving,
invitations, claiming an original pledge, and the member's own data.

Renewing is starting again: ``POST pledge/start/`` (individual) or
``POST organisations/{id}/plans/`` (organisation) once the membership is due.
"""

from __future__ import annotations

import re

from django.contrib.auth import logout
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from .. import legacy, organisations, privacy
from ..dashboard import post_progress_update
from ..models import OrganisationRole, Pledge, ReviewStatus
from . import write_serializers as ws
from .base import ErrorSerializer, PledgesAPIView, extend_schema
from .organisation_views import OrganisationObjectMixin
from .permissions import IsOrganisationAdmin
from .problems import IdempotencyKeyReused

#: An ``Idempotency-Key`` header: 8 to 64 letters, digits, ``-``, ``_``, ``.`` or ``:``
#: (a UUID fits).
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="A fresh key per update (e.g. a UUID). Sending the same request again "
                "with the same key returns the update the first one stored instead of "
                "storing a second; the same key with a different body is 422.")


class UpdatesPostMixin:
    """Posting a progress update, once per ``Idempotency-Key``."""

    def post_update(self, request, **target):
        data = self.validated(ws.ProgressUpdateWriteSerializer)
        key = request.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
            raise serializers.ValidationError({"Idempotency-Key": [_(
                "Send 8 to 64 letters, digits, '-', '_', '.' or ':' (a UUID fits).")]})
        update = post_progress_update(request.user, data["body"], submission_key=key,
                                      **target)
        if key is not None and update.body != data["body"].strip():
            raise IdempotencyKeyReused()
        return Response(ws.PostedUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class PledgeUpdatesView(UpdatesPostMixin, PledgesAPIView):
    """Post a progress update on one's own approved pledge (the latest approved one)."""

    permission_classes = [permissions.IsAuthenticated]
    rate_limit = "progress_update"

    @extend_schema(request=ws.ProgressUpdateWriteSerializer, parameters=[KEY_PARAMETER],
                   responses={201: ws.PostedUpdateSerializer, 400: ErrorSerializer,
                              422: ErrorSerializer})
    def post(self, request):
        pledges = Pledge.objects.filter(user=request.user).order_by("-sequence")
        # During a renewal the approved pledge is still the one being carried out.
        pledge = pledges.filter(review_status=ReviewStatus.APPROVED).first() or pledges.first()
        if pledge is None:
            raise NotFound(_("You have no pledge yet."))
        return self.post_update(request, pledge=pledge)


class PlanUpdatesView(UpdatesPostMixin, OrganisationObjectMixin, PledgesAPIView):
    """Post a progress update on an approved plan (its organisation's admins)."""

    permission_classes = [IsOrganisationAdmin]
    rate_limit = "progress_update"

    @extend_schema(request=ws.ProgressUpdateWriteSerializer, parameters=[KEY_PARAMETER],
                   responses={201: ws.PostedUpdateSerializer, 400: ErrorSerializer,
                              403: ErrorSerializer, 422: ErrorSerializer})
    def post(self, request, plan_id):
        return self.post_update(request, plan=self.get_plan(plan_id))


class InvitationsView(OrganisationObjectMixin, PledgesAPIView):
    """Email someone an invitation to join the organisation as staff or admin."""

    permission_classes = [IsOrganisationAdmin]
    rate_limit = "invite"

    @extend_schema(request=ws.InvitationSerializer,
                   responses={202: ws.InvitationSerializer, 400: ErrorSerializer,
                              403: ErrorSerializer})
    def post(self, request, organisation_id):
        organisation = self.get_organisation(organisation_id)
        data = self.validated(ws.InvitationSerializer)
        organisations.invite_staff(organisation, data["email"], request.user, data["role"])
        return Response(ws.InvitationSerializer(data).data, status=status.HTTP_202_ACCEPTED)


Joined = inline_serializer("Joined", {
    "organisation": ws.OrganisationRefSerializer(),
    "role": serializers.CharField(),
})


class AcceptInvitationView(PledgesAPIView):
    """Accept an invitation with the token from its email (sent to the user's address)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ws.TokenSerializer, responses={200: Joined, 400: ErrorSerializer})
    def post(self, request):
        data = self.validated(ws.TokenSerializer)
        role = organisations.accept_invitation(data["token"], request.user)
        self.changed_standing()
        return Response({"organisation": ws.OrganisationRefSerializer(role.organisation).data,
                         "role": role.role})


class PeopleView(OrganisationObjectMixin, PledgesAPIView):
    """The organisation's people and their roles (its admins only)."""

    permission_classes = [IsOrganisationAdmin]

    @extend_schema(responses={200: ws.PersonSerializer(many=True), 403: ErrorSerializer})
    def get(self, request, organisation_id):
        organisation = self.get_organisation(organisation_id)
        people = OrganisationRole.objects.filter(organisation=organisation).select_related(
            "user").order_by("role", "pk")
        return Response(ws.PersonSerializer(people, many=True).data)


class PersonView(OrganisationObjectMixin, PledgesAPIView):
    """Change someone's role (PATCH) or remove them (DELETE). The last admin stays."""

    permission_classes = [IsOrganisationAdmin]

    def get_person(self, organisation, user_id):
        return get_object_or_404(OrganisationRole.objects.select_related("user"),
                                 organisation=organisation, user_id=user_id).user

    @extend_schema(request=ws.RoleSerializer,
                   responses={200: ws.PersonSerializer, 400: ErrorSerializer,
                              403: ErrorSerializer})
    def patch(self, request, organisation_id, user_id):
        organisation = self.get_organisation(organisation_id)
        person = self.get_person(organisation, user_id)
        data = self.validated(ws.RoleSerializer)
        row = organisations.set_role(organisation, person, data["role"], request.user)
        return Response(ws.PersonSerializer(row).data)

    @extend_schema(responses={204: None, 400: ErrorSerializer, 403: ErrorSerializer})
    def delete(self, request, organisation_id, user_id):
        organisation = self.get_organisation(organisation_id)
        person = self.get_person(organisation, user_id)
        organisations.remove_person(organisation, person, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LeaveView(OrganisationObjectMixin, PledgesAPIView):
    """Leave one of the user's organisations (an only admin must hand over first)."""

    # Anyone in the organisation may leave it: being found among theirs is enough.
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 400: ErrorSerializer})
    def post(self, request, organisation_id):
        organisation = self.get_organisation(organisation_id)
        organisations.remove_person(organisation, request.user, request.user)
        self.changed_standing()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClaimLegacyView(PledgesAPIView):
    """Claim an original-pledge signature with the token from the invitation email."""

    permission_classes = [permissions.IsAuthenticated]
    rate_limit = "claim"

    @extend_schema(request=ws.TokenSerializer,
                   responses={200: ws.MembershipStatusSerializer, 400: ErrorSerializer})
    def post(self, request):
        data = self.validated(ws.TokenSerializer)
        membership = legacy.claim(data["token"], request.user)
        self.changed_standing()
        return Response(ws.MembershipStatusSerializer(membership).data)


class RequestClaimLinkView(PledgesAPIView):
    """"Signed the original pledge? Send me a new claim link" — the page's service.

    Anyone may ask; the answer is the same for every well-formed address (known,
    unknown, already claimed or asked within the hour), so it reveals nothing. At most
    one email per address per hour, and the ``claim`` rate limit per IP address.
    """

    permission_classes = [permissions.AllowAny]
    rate_limit = "claim"

    @extend_schema(request=ws.ClaimLinkRequestSerializer,
                   responses={202: ws.ClaimLinkAnswerSerializer, 400: ErrorSerializer,
                              429: ErrorSerializer})
    def post(self, request):
        data = self.validated(ws.ClaimLinkRequestSerializer)
        legacy.request_claim_link(data["email"])
        passed = legacy.deadline_passed()
        detail = (legacy.claim_links_closed_message() if passed
                  else str(legacy.CLAIM_LINK_SENT))
        return Response({"detail": detail, "deadline_passed": passed},
                        status=status.HTTP_202_ACCEPTED)


class ExportDataView(PledgesAPIView):
    """Everything the package holds about the user (the dashboard's download)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=inline_serializer("MemberData", {
        "account": serializers.DictField(), "profile": serializers.DictField(),
        "membership": serializers.DictField(allow_null=True),
        "pledges": serializers.ListField(child=serializers.DictField()),
        "organisations": serializers.ListField(child=serializers.DictField()),
        "videos": serializers.ListField(child=serializers.DictField()),
    }))
    def get(self, request):
        return Response(privacy.export_member_data(request.user))


class EraseAccountView(PledgesAPIView):
    """Erase the user's account and personal data for good, and sign them out."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ws.EraseSerializer,
                   responses={204: None, 400: ErrorSerializer})
    def post(self, request):
        self.validated(ws.EraseSerializer)
        privacy.erase_member(request.user)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
