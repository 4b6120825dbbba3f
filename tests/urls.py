from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from wagtail_pledges.files.views import GatedImageServeView

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    re_path(r"^images/([^/]*)/(\d*)/([^/]*)/.*$", GatedImageServeView.as_view(),
            name="wagtailimages_serve"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("pledges/", include("wagtail_pledges.urls")),
    path("api/pledges/", include("wagtail_pledges.api.urls")),
    path("", include(wagtail_urls)),
]
