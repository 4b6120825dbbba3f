"""An id too large for the database's integers is an unknown id (404), never a 500:
found by the signed-in schemathesis run (``/organisations/31215292708375547904/``)."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "31215292708375547904"


def test_api_and_pages_answer_404(client):
    plan = factories.approved_plan()
    client.force_login(plan.created_by)
    for url in (f"/api/pledges/v1/organisations/{HUGE}/",
                f"/api/pledges/v1/organisations/{plan.organisation_id}/people/{HUGE}/",
                f"/api/pledges/v1/action-plans/{HUGE}/",
                f"/pledges/organisations/{HUGE}/invite/",
                f"/pledges/updates/plan/{HUGE}/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    # The longest id the converter takes still reaches the view (an unknown id: 404).
    assert client.get("/api/pledges/v1/organisations/999999999999999999/").status_code == 404
    assert reverse("wagtail_pledges_api:organisation",
                   args=[plan.organisation_id]).endswith(f"/{plan.organisation_id}/")
