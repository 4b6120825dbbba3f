"""Self-service claim: "Signed the original pledge? Enter your email"."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from wagtail_pledges.models import LegacySignatory, OutboxMessage

pytestmark = pytest.mark.django_db
URL = "/pledges/claim/"


@pytest.fixture
def signatories(settings):
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2026-09-30"}
    LegacySignatory.objects.create(kind="individual", name="Ann", email="ann@example.org")
    LegacySignatory.objects.create(kind="organisation", name="Ann", email="ann@example.org",
                                   organisation_name="Hill Trust")
    LegacySignatory.objects.create(kind="individual", name="Bo", email="bo@example.org",
                                   claimed_at=timezone.now())


def test_url_is_named():
    assert reverse("wagtail_pledges:request_claim_link") == URL


@freeze_time("2026-06-01 10:00")
def test_known_and_unknown_addresses_get_the_same_answer(client, signatories):
    form = client.get(URL)
    assert form.status_code == 200 and 'type="email"' in form.content.decode()
    known = client.post(URL, {"email": "ANN@example.org"})
    unknown = client.post(URL, {"email": "nobody@example.org"})
    claimed = client.post(URL, {"email": "bo@example.org"})
    assert known.status_code == unknown.status_code == claimed.status_code == 200
    assert known.content == unknown.content == claimed.content
    assert "we have emailed it a link" in known.content.decode()
    # One email, to the known address, with a link for each of its signatures.
    message = OutboxMessage.objects.get()
    assert message.to == "ann@example.org" and message.template == "legacy_claim_link"
    assert len(re.findall(r"/pledges/claim/[^/\s]+/", message.render().text)) == 2
    assert "Hill Trust" in message.render().text and "30 September 2026" in message.render().text


def test_at_most_one_email_per_address_per_period(client, signatories):
    with freeze_time("2026-06-01 10:05"):
        for _ in range(5):
            client.post(URL, {"email": "ann@example.org"})
    assert OutboxMessage.objects.count() == 1
    with freeze_time("2026-06-01 11:10"):
        client.post(URL, {"email": "ann@example.org"})
    assert OutboxMessage.objects.count() == 2


@freeze_time("2026-06-01")
def test_bad_input_is_a_form_error(client, signatories):
    response = client.post(URL, {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not OutboxMessage.objects.exists()


@freeze_time("2026-10-01")
def test_after_the_deadline_nothing_is_sent_and_the_page_says_why(client, signatories):
    assert "The deadline to move from the original pledge was 30 September 2026" in \
        client.get(URL).content.decode()
    client.post(URL, {"email": "ann@example.org"})
    assert not OutboxMessage.objects.exists()


def test_the_claim_page_names_the_deadline(client, signatories):
    from wagtail_pledges import legacy

    signatory = LegacySignatory.objects.filter(claimed_at__isnull=True).first()
    with freeze_time("2026-07-01"):
        raw = legacy.issue_claim_token(signatory)
        assert "until 30 September 2026" in client.get(f"/pledges/claim/{raw}/").content.decode()
    with freeze_time("2026-10-01"):
        html = client.get(f"/pledges/claim/{raw}/").content.decode()
    assert "The deadline to move was 30 September 2026" in html and "until" not in html


@freeze_time("2026-06-01 10:00")
def test_the_api_asks_the_same_service_and_answers_the_same_for_everyone(signatories):
    from rest_framework.test import APIClient

    api = APIClient()
    answers = [api.post("/api/pledges/v1/legacy/claim-link/", {"email": email}, format="json")
               for email in ("ANN@example.org", "nobody@example.org", "bo@example.org")]
    assert {a.status_code for a in answers} == {202}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "we have emailed it a link" in answers[0].json()["detail"]
    assert answers[0].json()["deadline_passed"] is False
    message = OutboxMessage.objects.get()
    assert message.to == "ann@example.org"
    # Asking again within the hour sends nothing more; a bad address is a 400 problem.
    api.post("/api/pledges/v1/legacy/claim-link/", {"email": "ann@example.org"}, format="json")
    assert OutboxMessage.objects.count() == 1
    bad = api.post("/api/pledges/v1/legacy/claim-link/", {"email": "nope"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()["errors"]


@freeze_time("2026-10-01")
def test_the_api_says_when_the_deadline_has_passed(signatories):
    from rest_framework.test import APIClient

    answer = APIClient().post("/api/pledges/v1/legacy/claim-link/",
                              {"email": "ann@example.org"}, format="json")
    assert answer.status_code == 202 and answer.json()["deadline_passed"] is True
    assert not OutboxMessage.objects.exists()
    # The page says the same, word for word.
    detail = answer.json()["detail"]
    assert "was 30 September 2026" in detail and "committing to an action" in detail
    page = Client().get(URL).content.decode()
    assert f"<p>{detail}</p>" in page


@freeze_time("2026-06-01 10:00")
def test_one_visitor_cannot_make_the_site_email_address_after_address(client, signatories,
                                                                       settings):
    settings.WAGTAIL_PLEDGES = {**settings.WAGTAIL_PLEDGES, "RATE_LIMITS": {"claim": "3/h"}}
    codes = [client.post(URL, {"email": f"victim{n}@example.org"}).status_code
             for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
