from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from wagtail_pledges.api.wagtail_v2 import (
    DocumentsAPIViewSet,
    ImagesAPIViewSet,
    PagesAPIViewSet,
)
from wagtail_pledges.files.views import GatedImageServeView

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    re_path(r"^images/([^/]*)/(\d*)/([^/]*)/.*$", GatedImageServeView.as_view(),
            name="wagtailimages_serve"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("pledges/", include("wagtail_pledges.urls")),
    path("api/pledges/", include("wagtail_pledges.api.urls")),
    path("api/v2/", api_router.urls),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}),
    path("", include(wagtail_urls)),
]
