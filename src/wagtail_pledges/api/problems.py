"""One error format for the whole API: RFC 9457 "problem details".

Every error our views answer — validation, authentication, permission, not found,
throttling, an illegal lifecycle move — has the same JSON body, served as
``application/problem+json``::

    {"type": "urn:wagtail-pledges:problem:invalid", "title": "Invalid input.",
     "status": 400, "detail": "Check the fields named in errors.",
     "errors": {"target_date": ["Pick a date within the commitment period."]}}

``errors`` maps a field name (``non_field_errors`` for the whole request) to its
messages; it is ``{}`` when no field is at fault. The handler is set on our base view
(:mod:`.base`), not through the site's ``REST_FRAMEWORK`` setting, so a site's own
handler for its other APIs changes nothing here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from ..lifecycle import TransitionError
from ..tokens import TokenError
from ..videos import ProgressError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:wagtail-pledges:problem:"


class Conflict(exceptions.APIException):
    """The request is valid but the membership or plan is not in a state that allows it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This cannot be done in the current state.")
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    """An ``Idempotency-Key`` already stored a different request's result."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used for a different request.")
    default_code = "idempotency-key-reused"


def as_api_exception(exc: Exception) -> exceptions.APIException | None:
    """The DRF exception that stands for ``exc``, or ``None`` for a real server error."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, TransitionError):
        return Conflict(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, TokenError | ProgressError):
        return exceptions.ValidationError({"non_field_errors": [str(exc)]})
    return None


def _field_errors(detail) -> dict[str, list[str]]:
    """DRF's nested error detail flattened to ``{field: [messages]}`` (dotted paths)."""
    found: dict[str, list[str]] = {}

    def walk(value, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                found.setdefault(path or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, inner in enumerate(value):
                    if inner:
                        walk(inner, f"{path}.{index}" if path else str(index))
        else:
            found.setdefault(path or "non_field_errors", []).append(str(value))

    walk(detail, "")
    return found


def problem_response(exc: exceptions.APIException) -> Response:
    """The problem-details response for a DRF exception."""
    code = exc.get_codes()
    is_validation = isinstance(exc, exceptions.ValidationError)
    if is_validation:
        errors = _field_errors(exc.detail)
        title = str(_("Invalid input."))
        detail = str(_("Check the fields named in errors."))
        code = "invalid"
        if list(errors) == ["non_field_errors"] and len(errors["non_field_errors"]) == 1:
            detail = errors["non_field_errors"][0]
    else:
        errors = {}
        title = str(exc.default_detail)
        detail = str(exc.detail)
        code = code if isinstance(code, str) else exc.default_code
    body = {"type": TYPE_PREFIX + code, "title": title, "status": exc.status_code,
            "detail": detail, "errors": errors}
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{exc.wait:.0f}"
        body["retry_after"] = int(exc.wait)
    return Response(body, status=exc.status_code, headers=headers,
                    content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler: every handled error as a problem; ``None`` → a real 500."""
    api_exc = as_api_exception(exc)
    if api_exc is None:
        return None
    set_rollback()
    return problem_response(api_exc)
