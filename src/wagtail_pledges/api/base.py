"""What every view of our API sets for itself, so it needs nothing from the site.

A site's ``REST_FRAMEWORK`` setting is for its own APIs; ours name their schema
class, authentication, throttle, renderer, parser and exception handler here, and
every view still names its own ``permission_classes``. Subclass
:class:`PledgesAPIView` or :class:`PledgesGenericViewSet` (or mix in
:class:`PledgesAPIMixin`) for any new endpoint.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema as spectacular_extend_schema
from rest_framework import permissions, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from .auth import AUTHENTICATION_CLASSES
from .pagination import PledgesCursorPagination
from .problems import problem_exception_handler
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
    """Base for a plain endpoint."""


class PledgesGenericViewSet(PledgesAPIMixin, viewsets.GenericViewSet):
    """Base for a viewset; add DRF's mixins for its actions."""
