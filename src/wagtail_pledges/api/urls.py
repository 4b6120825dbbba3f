"""``path("api/pledges/", include("wagtail_pledges.api.urls"))`` → ``/api/pledges/v1/…``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from .views import router

app_name = "wagtail_pledges_api"

urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
    path("v1/", include(router.urls)),
]
