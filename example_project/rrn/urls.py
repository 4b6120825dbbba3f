from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from rrn.site.views import search
from wagtail_pledges.api.wagtail_v2 import (
    DocumentsAPIViewSet,
    ImagesAPIViewSet,
    PagesAPIViewSet,
)

# Wagtail's API v2, with private pages and restricted collections filtered by the
# membership policy (the package's subclasses of Wagtail's viewsets).
api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("pledges/", include("wagtail_pledges.urls")),
    path("api/pledges/", include("wagtail_pledges.api.urls")),
    path("api/v2/", api_router.urls),
    path("search/", search, name="search"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # MEDIA_ROOT only: members-only files live in "private-media" beside it and are
    # served by /pledges/files/… after the policy check, in DEBUG or not.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
