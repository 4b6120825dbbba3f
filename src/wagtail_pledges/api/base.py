"""What every view of our API sets for itself, so it needs nothing from the site.

A site's ``REST_FRAMEWORK`` setting is for its own APIs; ours name their schema
class, authentication, throttle, renderer, parser and exception handler here, and
every view still names its own ``permission_classes``. Subclass
:class:`PledgesAPIView` or :class:`PledgesGenericViewSet` (or mix in
:class:`PledgesAPIMixin`) for any new endpoint.
"""

from __future__ import annotations

import copy

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema as spectacular_extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from ..policy import forget_standing
from ..ratelimits import over_limit
from .auth import AUTHENTICATION_CLASSES
from .pagination import PledgesCursorPagination
from .problems import Conflict, problem_exception_handler  # noqa: F401 (Conflict: for views)
from .throttling import PledgesRateThrottle


class RefuseUndeclared(permissions.BasePermission):
    """The default: a view that forgot to say who may call it serves no one."""

    def has_permission(self, request, view) -> bool:
        return False


def extend_schema(**kwargs):
    """drf-spectacular's ``extend_schema`` for our views' methods.

    On a method, drf-spectacular builds on the site's ``DEFAULT_SCHEMA_CLASS`` (DRF's
    own ``AutoSchema`` unless the site set drf-spectacular's); this starts from
    drf-spectacular's whatever the site says.
    """

    def decorator(view_method):
        if not hasattr(view_method, "kwargs"):
            view_method.kwargs = {}
        view_method.kwargs.setdefault("schema", AutoSchema)
        return spectacular_extend_schema(**kwargs)(view_method)

    return decorator


class PledgesAPIMixin:
    """Our API's policies, independent of ``REST_FRAMEWORK``."""

    schema = AutoSchema()
    authentication_classes = AUTHENTICATION_CLASSES
    throttle_classes = [PledgesRateThrottle]
    # JSON only: the interactive page is the docs page (Swagger UI), not DRF's
    # browsable API, whose forms need templates from apps a site may not install.
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    pagination_class = PledgesCursorPagination
    # Every view says who may call it; one that does not refuses everyone.
    permission_classes = [RefuseUndeclared]

    def get_exception_handler(self):
        return problem_exception_handler


class PledgesAPIView(PledgesAPIMixin, APIView):
    """Base for a plain endpoint (every write endpoint of the journeys is one).

    Service errors become problems (:mod:`.problems`): a Django ``ValidationError`` is
    a 400 by field, a ``TransitionError`` a 409, ``PermissionDenied`` a 403.
    """

    #: Which of the pages' rate limits this endpoint shares (the same key as the page
    #: doing the same thing: ``join``, ``resend_confirmation``, ``video_progress``,
    #: ``claim``, ``invite``, ``progress_update``); empty for none.
    rate_limit: str = ""
    # A plain endpoint answers a bounded list whole (a member's organisations, a plan's
    # people, a page's videos); saying so keeps the OpenAPI document true (a paginated
    # envelope was documented for them, a bare list sent).
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The same per-user and per-IP limits as the page doing the same thing.
        if self.rate_limit and request.method not in permissions.SAFE_METHODS:
            limited = over_limit(request._request, self.rate_limit, json=True)
            if limited is not None:
                raise exceptions.Throttled(wait=int(limited["Retry-After"]))

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


class PledgesGenericViewSet(PledgesAPIMixin, viewsets.GenericViewSet):
    """Base for a viewset; add DRF's mixins for its actions."""


def form_errors(form) -> dict:
    """A Django form's errors as DRF reports them: messages by field."""
    return {field: [error["message"] for error in errors]
            for field, errors in form.errors.get_json_data().items()}


class FieldsBuiltOnce:
    """For a serializer that answers (or validates) on every request.

    DRF builds a serializer's fields for each instance: a ``ModelSerializer`` inspects
    its model again, and every field, declared or built, is deep-copied, which
    constructs it anew from its arguments (a nested serializer's own fields
    included) — most of the cost of serialising one object. These fields depend on
    nothing but the class, so they are built once per class, never bound, and each
    instance gets a shallow copy of each (:func:`fresh_field`), which its own
    ``fields`` then binds to it as DRF binds any field. A field that keeps per-request
    state must keep it on itself (its copy), not in a value it shares with the others.
    """

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built_once = built
        return {name: fresh_field(field) for name, field in built.items()}


def fresh_field(field: serializers.Field) -> serializers.Field:
    """A copy of an unbound ``field`` that shares nothing it would change by being
    bound or used: its own attributes, and its own copy of the field it wraps (a list
    field's ``child``, a many-related field's ``child_relation``), whose ``parent`` is
    the copy — so ``root`` and ``context`` lead to the serializer that binds it."""
    fresh = copy.copy(field)
    for name in ("child", "child_relation"):
        inner = field.__dict__.get(name)
        if isinstance(inner, serializers.Field):
            inner = fresh_field(inner)
            inner.parent = fresh  # bound to the wrapper, as its constructor bound it
            setattr(fresh, name, inner)
    return fresh


class DetailSerializer(serializers.Serializer):
    """A short answer with nothing else to say."""

    detail = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """An error (RFC 9457 problem details): ``errors`` holds messages by field."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
