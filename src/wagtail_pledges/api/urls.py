"""``path("api/pledges/", include("wagtail_pledges.api.urls"))`` → ``/api/pledges/v1/…``."""

from django.conf import settings
from django.urls import include, path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from .. import url_converters  # noqa: F401  (registers <pledges_id:…>)
from . import individual_views, member_views, organisation_views
from .auth import AUTHENTICATION_CLASSES
from .token_views import TokenCreateView, TokenViewSet
from .views import CountsView, MeView, VerifyView, router

app_name = "wagtail_pledges_api"

auth_router = DefaultRouter(trailing_slash=True)
auth_router.include_root_view = False
auth_router.register("tokens", TokenViewSet, basename="token")

v1 = [
    path("counts/", CountsView.as_view(), name="counts"),
    path("me/", MeView.as_view(), name="me"),
    path("verify/<slug:slug>/", VerifyView.as_view(), name="verify"),
    # The individual journey.
    path("pledge/", individual_views.PledgeView.as_view(), name="pledge"),
    path("pledge/start/", individual_views.StartPledgeView.as_view(), name="pledge_start"),
    path("pledge/videos/", individual_views.VideosView.as_view(), name="pledge_videos"),
    path("pledge/videos/progress/", individual_views.VideoProgressView.as_view(),
         name="pledge_video_progress"),
    path("pledge/commit/", individual_views.CommitPledgeView.as_view(), name="pledge_commit"),
    path("pledge/updates/", member_views.PledgeUpdatesView.as_view(), name="pledge_updates"),
    path("email/resend/", individual_views.ResendConfirmationView.as_view(),
         name="email_resend"),
    path("email/confirm/", individual_views.ConfirmEmailView.as_view(), name="email_confirm"),
    # The organisation journey.
    path("organisations/", organisation_views.OrganisationsView.as_view(),
         name="organisations"),
    path("organisations/<pledges_id:organisation_id>/",
         organisation_views.OrganisationDetailView.as_view(), name="organisation"),
    path("organisations/<pledges_id:organisation_id>/plans/",
         organisation_views.OrganisationPlansView.as_view(), name="organisation_plans"),
    path("organisations/<pledges_id:organisation_id>/invitations/",
         member_views.InvitationsView.as_view(), name="organisation_invitations"),
    path("organisations/<pledges_id:organisation_id>/people/", member_views.PeopleView.as_view(),
         name="organisation_people"),
    path("organisations/<pledges_id:organisation_id>/people/<pledges_id:user_id>/",
         member_views.PersonView.as_view(), name="organisation_person"),
    path("organisations/<pledges_id:organisation_id>/leave/", member_views.LeaveView.as_view(),
         name="organisation_leave"),
    path("action-plans/<pledges_id:plan_id>/", organisation_views.PlanView.as_view(),
         name="action_plan"),
    path("action-plans/<pledges_id:plan_id>/sign-off/", organisation_views.SignoffView.as_view(),
         name="action_plan_signoff"),
    path("action-plans/<pledges_id:plan_id>/submit/", organisation_views.SubmitPlanView.as_view(),
         name="action_plan_submit"),
    path("action-plans/<pledges_id:plan_id>/updates/", member_views.PlanUpdatesView.as_view(),
         name="action_plan_updates"),
    path("invitations/accept/", member_views.AcceptInvitationView.as_view(),
         name="invitation_accept"),
    path("legacy/claim/", member_views.ClaimLegacyView.as_view(), name="legacy_claim"),
    path("legacy/claim-link/", member_views.RequestClaimLinkView.as_view(),
         name="legacy_claim_link"),
    path("me/data/", member_views.ExportDataView.as_view(), name="me_data"),
    path("me/erase/", member_views.EraseAccountView.as_view(), name="me_erase"),
    path("auth/token/", TokenCreateView.as_view(), name="token_create"),
    path("auth/", include(auth_router.urls)),
    path("", include(router.urls)),
]


class PledgesSchemaGenerator(SchemaGenerator):
    """Our title and version, whatever the site's ``SPECTACULAR_SETTINGS`` say."""

    def get_schema(self, request=None, public=False):
        schema = super().get_schema(request, public)
        schema["info"] = {
            "title": "wagtail-pledges API",
            "version": "1",
            "description": "Membership, pledges and action plans. Errors are RFC 9457 "
                           "problem details (application/problem+json).",
        }
        return schema


class PledgesSchemaView(SpectacularAPIView):
    """The OpenAPI 3 document for this API only, not the whole site's URLs."""

    permission_classes = [AllowAny]
    authentication_classes = AUTHENTICATION_CLASSES
    generator_class = PledgesSchemaGenerator
    serve_public = True
    urlconf = None
    api_version = "1"
    schema = None  # the schema document is not itself an endpoint of the API

    def get(self, request, *args, **kwargs):
        # Paths are generated under whatever prefix the site mounted us at.
        prefix = request.path[: -len("schema/")].lstrip("/")
        self.patterns = [path(prefix, include(v1))]
        return super().get(request, *args, **kwargs)


@method_decorator(ensure_csrf_cookie, name="get")
class PledgesDocsView(TemplateView):
    """Swagger UI over the schema, from drf-spectacular-sidecar's static files (no CDN)."""

    template_name = "wagtail_pledges/api/docs.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "wagtail-pledges API"
        context["schema_url"] = self.request.path[: -len("docs/")] + "schema/"
        # Swagger UI sets the header by its HTTP name, not Django's META key.
        context["csrf_header"] = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace(
            "_", "-")
        return context


urlpatterns = [
    path("v1/schema/", PledgesSchemaView.as_view(), name="schema"),
    path("v1/docs/", PledgesDocsView.as_view(), name="docs"),
    path("v1/", include(v1)),
]
