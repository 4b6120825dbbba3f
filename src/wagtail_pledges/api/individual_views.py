"""The individual journey over the API: start → videos → commit → confirm email.

The same steps as the individual pledge page, calling the same services: the page's
own action form saves the draft, :func:`~wagtail_pledges.lifecycle.submit_pledge`
decides whether it may go, and only the page's own awareness videos count.
"""

from __future__ import annotations

from django.db import router
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from .. import accounts, lifecycle
from ..blocks import page_videos, viewable_live_page
from ..forms import PledgeActionForm
from ..journey_urls import INDIVIDUAL, journey_page_models
from ..models import (
    Membership,
    Pledge,
    RestrictivePractice,
    ReviewStatus,
    VideoProgress,
)
from ..row_writes import related_objects, saved_links_attribute
from ..videos import ProgressError, record_video_progress
from . import write_serializers as ws
from .base import ErrorSerializer, PledgesAPIView, extend_schema, form_errors


def journey_page(request, page_id: int):
    """The live individual pledge page ``page_id`` (specific) the viewer may see, or a
    404."""
    models = journey_page_models(INDIVIDUAL)
    page = viewable_live_page(request, page_id, models) if models else None
    if page is None:
        raise NotFound("No live individual pledge page has that id.")
    return page


def page_video(request, page_id: int, key: str):
    """The live individual pledge page's own awareness video ``key`` (as the page's
    player finds it): a page the viewer may not see is a 404, any other key a 400."""
    video = page_videos(journey_page(request, page_id)).get(key)
    if video is None:
        raise ValidationError({"video": ["This video is not one of the page's awareness "
                                         "videos."]})
    return video


def pledge_state(user) -> dict:
    pledge = (Pledge.objects.filter(user=user).select_related("strategy")
              .prefetch_related("practices").order_by("-sequence").first())
    return {
        "pledge": pledge,
        "membership": Membership.objects.filter(user=user).first(),
        "email_verified": accounts.email_is_verified(user),
    }


def _prefetch_practices(pledge: Pledge) -> None:
    """``prefetch_related_objects([pledge], "practices")``, in the practices' own order:
    the ones the submission has just written (nothing to read), or else read in one
    prepared query (the answer to every API submission shows them)."""
    field = Pledge._meta.get_field("practices")
    practices = pledge.__dict__.pop(saved_links_attribute(field), None)
    if practices is None:
        practices = related_objects(field, pledge.pk, router.db_for_read(RestrictivePractice))
    queryset = pledge.practices.get_queryset()
    queryset._result_cache, queryset._prefetch_done = practices, True  # as prefetch does
    if not hasattr(pledge, "_prefetched_objects_cache"):
        pledge._prefetched_objects_cache = {}
    pledge._prefetched_objects_cache[field.name] = queryset


def submitted_state(pledge: Pledge, edits: dict) -> dict:
    """:func:`pledge_state` from the pledge ``submit_pledge`` returned: locked and
    loaded with its membership, user and profile, so only its practices are read."""
    strategy = edits.get("strategy")
    if pledge.strategy_id == getattr(strategy, "pk", None):
        pledge.strategy = strategy  # the body's check has just read it
    _prefetch_practices(pledge)
    return {"pledge": pledge, "membership": pledge.membership,
            "email_verified": accounts.email_is_verified(pledge.user)}


def state_response(user, status_code=status.HTTP_200_OK) -> Response:
    return Response(ws.PledgeStateSerializer(pledge_state(user)).data, status=status_code)


class PledgeView(PledgesAPIView):
    """The member's latest pledge, their membership and whether their email is confirmed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ws.PledgeStateSerializer)
    def get(self, request):
        return state_response(request.user)


class StartPledgeView(PledgesAPIView):
    """Start (or resume) a pledge; once a membership is due for renewal, the next one."""

    permission_classes = [permissions.IsAuthenticated]
    rate_limit = "join"

    @extend_schema(request=None, responses={200: ws.PledgeStateSerializer,
                                            409: ErrorSerializer})
    def post(self, request):
        lifecycle.start_individual(request.user)
        self.changed_standing()
        return state_response(request.user)


class VideosView(PledgesAPIView):
    """A pledge page's awareness videos, in order, with the member's progress on each."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("page", int, required=True)],
                   responses={200: ws.VideoSerializer(many=True), 404: ErrorSerializer})
    def get(self, request):
        query = ws.VideoQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = journey_page(request, query.validated_data["page"])
        videos = page.video_blocks
        progress = {p.video_key: p for p in VideoProgress.objects.filter(
            user=request.user, video_key__in=[v.video_key for v in videos])}
        return Response(ws.VideoSerializer([
            {"key": v.video_key, "title": v.get("title", ""), "src": v.src,
             "duration": v.duration,
             "position": getattr(progress.get(v.video_key), "position", 0.0),
             "completed": bool(getattr(progress.get(v.video_key), "completed_at", None))}
            for v in videos
        ], many=True).data)


class VideoProgressView(PledgesAPIView):
    """One heartbeat from the member's player (the same service as the page's player)."""

    permission_classes = [permissions.IsAuthenticated]
    rate_limit = "video_progress"

    @extend_schema(request=ws.VideoProgressInputSerializer,
                   responses={200: ws.VideoProgressSerializer, 400: ErrorSerializer})
    def post(self, request):
        data = self.validated(ws.VideoProgressInputSerializer)
        video = page_video(request, data["page"], data["video"])
        # Always the server's length (read from the file or set by an editor), never
        # the client's: a client that could name a short length could skip the video.
        if not video.duration:
            raise ValidationError({"video": ["This video's length is not known yet; "
                                             "an editor must set it."]})
        try:
            progress = record_video_progress(request.user, video.video_key, video.duration,
                                             data["start"], data["end"])
        except ProgressError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc
        return Response(ws.VideoProgressSerializer({
            "video": progress.video_key, "position": progress.position,
            "completed": progress.completed_at is not None,
        }).data)


def commit_edits(page, data: dict) -> dict:
    """What the body asks to commit, checked as the page's commit step checks it: by
    the page's own commit form (``page.get_form_class("commit")``), so a site's rules
    hold for API clients too. The default form is not built: the body's serializer
    has checked each of its fields at least as strictly and cleaned it to the same
    value (``tests/api/test_commit_form.py`` keeps it so); building and validating
    the form again cost about 8 % of the API's CPU per submission. 400 by field."""
    form_class = page.get_form_class("commit")
    if form_class is PledgeActionForm:
        return {"action": data["action"], "strategy": data["strategy"],
                "target_date": data["target_date"],
                # Once each, in the order named (the form's set of choices dedups too).
                "practices": list(dict.fromkeys(data["practices"]))}
    form = form_class(data={
        # The strategy the serializer found by slug: not looked up again.
        "action": data["action"], "strategy": data["strategy"],
        "target_date": data["target_date"].isoformat(),
        "practices": [p.pk for p in data["practices"]],
    })
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.edits()


class CommitPledgeView(PledgesAPIView):
    """Commit to one action and submit the pledge.

    The body is checked as the page's commit form checks it (:func:`commit_edits`).
    What was typed is kept as the draft even when submitting is refused (as on the
    page), so a member who has not finished the videos keeps what they typed.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ws.PledgeCommitSerializer,
                   responses={200: ws.PledgeStateSerializer, 400: ErrorSerializer,
                              409: ErrorSerializer})
    def post(self, request):
        data = self.validated(ws.PledgeCommitSerializer)
        page = journey_page(request, data["page"])
        edits = commit_edits(page, data)
        # The pledge is found under its row locks, not read before them. What was
        # typed is written with the submission, or kept as the draft when submitting
        # is refused (a 400 by field).
        try:
            pledge, submitted = lifecycle.submit_latest_pledge(
                request.user, video_keys=page.video_keys, edits=edits)
        except Pledge.DoesNotExist:
            raise lifecycle.TransitionError(_("Start a pledge first."),
                                            code="not_started") from None
        if not submitted:  # left as it was
            if pledge.review_status != ReviewStatus.SUBMITTED:
                raise lifecycle.TransitionError(
                    _("Your pledge is %(status)s. Start a new one to commit again.")
                    % {"status": pledge.get_review_status_display().lower()},
                    code="not_started")
            return state_response(request.user)  # a repeated request: already done
        self.changed_standing()
        return Response(ws.PledgeStateSerializer(submitted_state(pledge, edits)).data)


class ResendConfirmationView(PledgesAPIView):
    """Email a new confirmation link, unless the address is already confirmed."""

    permission_classes = [permissions.IsAuthenticated]
    rate_limit = "resend_confirmation"

    @extend_schema(request=None, responses=ws.EmailStatusSerializer)
    def post(self, request):
        if accounts.email_is_verified(request.user):
            return Response({"email_verified": True, "sent": False})
        accounts.send_verification(request.user)
        return Response({"email_verified": False, "sent": True},
                        status=status.HTTP_202_ACCEPTED)


class ConfirmEmailView(PledgesAPIView):
    """Use the token from the confirmation email. A pledge waiting only for this
    becomes active. The token is the proof: no session is needed, but a signed-in
    user must be the one it was sent to."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=ws.TokenSerializer,
                   responses={200: ws.EmailStatusSerializer, 400: ErrorSerializer})
    def post(self, request):
        data = self.validated(ws.TokenSerializer)
        accounts.confirm_email(data["token"], request.user)
        self.changed_standing()
        return Response({"email_verified": True, "sent": False})
