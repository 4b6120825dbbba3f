"""Wagtail's API v2 (pages, documents, images) with the membership policy applied.

Wagtail's own viewsets already hide restricted pages and collections using Django
groups. These subclasses also ask the policy (through
:mod:`wagtail_pledges.visibility`), so a member whose benefits ended — a legacy member
after the deadline, before the daily job has run — sees no more than anyone else.
Mount them with Wagtail's router::

    from wagtail.api.v2.router import WagtailAPIRouter
    from wagtail_pledges.api.wagtail_v2 import (
        DocumentsAPIViewSet, ImagesAPIViewSet, PagesAPIViewSet,
    )

    api_router = WagtailAPIRouter("wagtailapi")
    api_router.register_endpoint("pages", PagesAPIViewSet)
    api_router.register_endpoint("documents", DocumentsAPIViewSet)
    api_router.register_endpoint("images", ImagesAPIViewSet)
    urlpatterns = [path("api/v2/", api_router.urls), ...]

Responses that depend on who asks are marked ``private, no-store`` with ``Vary: Cookie``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_vary_headers
from wagtail.api.v2.views import PagesAPIViewSet as WagtailPagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet as WagtailDocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet as WagtailImagesAPIViewSet

from ..visibility import hidden_collection_ids, keep_private, visible_pages


class _PerViewerMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # What an anonymous client gets is the same for all of them (a shared cache
        # may keep it); a signed-in or password-unlocked viewer's answer is theirs.
        if getattr(request.user, "is_authenticated", False) or (
            settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            keep_private(response)
        else:
            patch_vary_headers(response, ["Cookie"])
        return response


class PagesAPIViewSet(_PerViewerMixin, WagtailPagesAPIViewSet):
    """Live pages, without the private ones the viewer may not see."""

    def get_base_queryset(self):
        return visible_pages(super().get_base_queryset(), self.request)


class _CollectionFilterMixin(_PerViewerMixin):
    def get_queryset(self):
        return super().get_queryset().exclude(
            collection__in=hidden_collection_ids(self.request)
        )


class DocumentsAPIViewSet(_CollectionFilterMixin, WagtailDocumentsAPIViewSet):
    """Documents, without those in collections the viewer may not open."""


class ImagesAPIViewSet(_CollectionFilterMixin, WagtailImagesAPIViewSet):
    """Images, without those in collections the viewer may not open."""
