"""What every write endpoint shares: authentication, the schema class, and service
errors turned into HTTP answers.

The views call the same services as the HTML journeys (:mod:`wagtail_pledges.lifecycle`,
:mod:`~wagtail_pledges.organisations`, :mod:`~wagtail_pledges.accounts`, …) and hold no
rules of their own. What those services raise becomes:

* Django ``ValidationError`` → 400, messages by field (``non_field_errors`` otherwise);
* :class:`~wagtail_pledges.lifecycle.TransitionError` → 409 (the move is not allowed
  from the current state);
* ``PermissionDenied`` → 403; ``Http404`` → 404 (DRF's own handling);
* a bad or used link (:class:`~wagtail_pledges.tokens.TokenError`) or a bad video
  report (:class:`~wagtail_pledges.videos.ProgressError`) → 400.

Authentication, throttling and the exception handler are class attributes of
:class:`PledgesAPIView`, so a site (or a later release) sets them in one place.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import Throttled
from rest_framework.fields import get_error_detail
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.views import APIView

from ..lifecycle import TransitionError
from ..policy import forget_standing
from ..ratelimits import over_limit
from ..tokens import TokenError
from ..videos import ProgressError


class Conflict(exceptions.APIException):
    """The request is well formed but the membership's state does not allow it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Not allowed in the current state."
    default_code = "illegal_transition"


def api_exception(exc: Exception) -> Exception:
    """The DRF exception for a service's exception (or ``exc`` unchanged)."""
    if isinstance(exc, DjangoValidationError):
        # DRF's own conversion keeps the per-field dict (or a list for the whole request).
        detail = get_error_detail(exc)
        if isinstance(detail, list):
            detail = {"non_field_errors": detail}
        return exceptions.ValidationError(detail)
    if isinstance(exc, TransitionError):
        return Conflict(str(exc), code=exc.code)
    if isinstance(exc, TokenError):
        return exceptions.ValidationError({"token": [str(exc)]}, code="invalid_token")
    if isinstance(exc, ProgressError):
        return exceptions.ValidationError({"non_field_errors": [str(exc)]})
    return exc


class PledgesAPIView(APIView):
    """The base of every write endpoint (and a subclass point for the site).

    Session authentication with CSRF (DRF's ``SessionAuthentication``); each subclass
    names its ``permission_classes``. Its own schema class, so the site needs no
    ``REST_FRAMEWORK`` setting.
    """

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    schema = AutoSchema()
    #: Which of the pages' rate limits this endpoint shares (the same key as the page
    #: doing the same thing: ``join``, ``resend_confirmation``, ``video_progress``,
    #: ``claim``, ``invite``, ``progress_update``); empty for none.
    rate_limit: str = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The same per-user and per-IP limits as the page doing the same thing.
        if self.rate_limit and request.method not in SAFE_METHODS:
            limited = over_limit(request._request, self.rate_limit, json=True)
            if limited is not None:
                raise Throttled(wait=int(limited["Retry-After"]))

    def handle_exception(self, exc):
        return super().handle_exception(api_exception(exc))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Every answer here is about one person: never kept by a shared cache.
        response.setdefault("Cache-Control", "private, no-store")
        return response

    def validated(self, serializer_class, **kwargs) -> dict:
        """The request body validated by ``serializer_class`` (400 with field errors)."""
        serializer = serializer_class(data=self.request.data,
                                      context={"request": self.request, "view": self}, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def changed_standing(self) -> None:
        """The user's memberships changed in this request: ask the database again."""
        forget_standing(self.request.user)


def form_errors(form) -> dict:
    """A Django form's errors as DRF reports them: messages by field."""
    return {field: [error["message"] for error in errors]
            for field, errors in form.errors.get_json_data().items()}


class DetailSerializer(serializers.Serializer):
    """A short answer with nothing else to say."""

    detail = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """What a 4xx body holds: ``detail``, or messages by field name."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
