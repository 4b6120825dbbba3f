"""The test site with Wagtail's own image ServeView (for check W012)."""

from django.urls import re_path
from wagtail.images.views.serve import ServeView

from tests.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    re_path(r"^images/([^/]*)/(\d*)/([^/]*)/[^/]*$", ServeView.as_view(),
            name="wagtailimages_serve"),
    *site_urlpatterns,
]
