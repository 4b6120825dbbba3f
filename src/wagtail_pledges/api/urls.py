"""``path("api/pledges/", include("wagtail_pledges.api.urls"))`` → ``/api/pledges/v1/…``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from .views import CountsView, MeView, VerifyView, router

app_name = "wagtail_pledges_api"

v1 = [
    path("counts/", CountsView.as_view(), name="counts"),
    path("me/", MeView.as_view(), name="me"),
    path("verify/<slug:slug>/", VerifyView.as_view(), name="verify"),
    path("", include(router.urls)),
]


class PledgesSchemaView(SpectacularAPIView):
    """The OpenAPI 3 document for this API only, not the whole site's URLs."""

    permission_classes = [AllowAny]
    api_version = "1"
    schema = None  # the schema document is not itself an endpoint of the API

    def get(self, request, *args, **kwargs):
        # Paths are generated under whatever prefix the site mounted us at.
        prefix = request.path[: -len("schema/")].lstrip("/")
        self.patterns = [path(prefix, include(v1))]
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("v1/schema/", PledgesSchemaView.as_view(), name="schema"),
    path("v1/", include(v1)),
]
