"""Member flows that are not pages: ``path("pledges/", include("wagtail_pledges.urls"))``."""

from django.urls import path

from . import (
    legacy_views,
    logo_kit_views,
    url_converters,  # noqa: F401  (registers <pledges_id:…>)
    verification_views,
    views,
)
from .files.views import PrivateFileView

app_name = "wagtail_pledges"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("confirm/<str:token>/", views.ConfirmEmailView.as_view(), name="confirm_email"),
    path("confirm-again/", views.ResendConfirmationView.as_view(), name="resend_confirmation"),
    path("invitation/<str:token>/", views.AcceptInvitationView.as_view(),
         name="accept_invitation"),
    path("claim/", legacy_views.RequestClaimLinkView.as_view(), name="request_claim_link"),
    path("claim/<str:token>/", views.ClaimLegacyView.as_view(), name="claim_legacy"),
    path("videos/progress/", views.VideoProgressView.as_view(), name="video_progress"),
    path("renew/", views.StartRenewalView.as_view(), name="start_renewal"),
    path("updates/pledge/<pledges_id:pk>/", views.PostUpdateView.as_view(), {"kind": "pledge"},
         name="pledge_update"),
    path("updates/plan/<pledges_id:pk>/", views.PostUpdateView.as_view(), {"kind": "plan"},
         name="plan_update"),
    path("organisations/<pledges_id:organisation_id>/invite/", views.InviteStaffView.as_view(),
         name="invite_staff"),
    path("organisations/<pledges_id:organisation_id>/people/<pledges_id:user_id>/role/",
         views.PersonView.as_view(action="set_role"), name="set_role"),
    path("organisations/<pledges_id:organisation_id>/people/<pledges_id:user_id>/remove/",
         views.PersonView.as_view(action="remove"), name="remove_person"),
    path("organisations/<pledges_id:organisation_id>/leave/", views.LeaveOrganisationView.as_view(),
         name="leave_organisation"),
    path("organisations/<pledges_id:organisation_id>/logo-kit/accept/",
         logo_kit_views.AcceptLogoTermsView.as_view(), name="accept_logo_terms"),
    path("organisations/<pledges_id:organisation_id>/logo-kit/<pledges_id:file_id>/",
         logo_kit_views.LogoDownloadView.as_view(), name="logo_download"),
    path("verify/<slug:slug>/", verification_views.VerifyOrganisationView.as_view(),
         name="verify_organisation"),
    path("my-data/export/", views.ExportDataView.as_view(), name="export_data"),
    path("my-data/erase/", views.EraseAccountView.as_view(), name="erase_account"),
    # Restricted documents, image originals and renditions (see files/storage.py).
    path("files/<path:name>", PrivateFileView.as_view(), name="private_file"),
]
