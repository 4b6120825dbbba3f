"""URLs of the review views and reports, under the ``wagtail_pledges_admin`` namespace."""

from django.urls import path

from .. import url_converters  # noqa: F401  (registers <pledges_id:…>)
from . import campaign_report, legacy_upload, views
from .reports import REPORTS

app_name = "wagtail_pledges_admin"

urlpatterns = [
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("review/<slug:kind>/<pledges_id:pk>/", views.ReviewView.as_view(), name="review"),
    path("review/<slug:kind>/<pledges_id:pk>/approve/", views.ApproveView.as_view(),
         name="approve"),
    path("review/<slug:kind>/<pledges_id:pk>/request-changes/", views.RequestChangesView.as_view(),
         name="request_changes"),
    path("review/<slug:kind>/<pledges_id:pk>/decline/", views.DeclineView.as_view(),
         name="decline"),
    path("reports/legacy-campaign/summary.csv", campaign_report.campaign_summary_csv,
         name="legacy_campaign_csv"),
    path("legacy/import/", legacy_upload.LegacyUploadView.as_view(), name="legacy_upload"),
    path("legacy/import/rejects.csv", legacy_upload.rejects_download,
         name="legacy_upload_rejects"),
]
for report in REPORTS:
    slug = report.url_name.removeprefix("report_").replace("_", "-")
    urlpatterns += [
        path(f"reports/{slug}/", report.as_view(), name=report.url_name),
        path(f"reports/{slug}/results/", report.as_view(results_only=True),
             name=f"{report.url_name}_results"),
    ]
