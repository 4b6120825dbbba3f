"""Issue 10: the same answer for known and unknown addresses; long text wraps."""

import pathlib

import pytest
from django.contrib.messages import get_messages

from tests import factories
from wagtail_pledges.models import OutboxMessage

pytestmark = pytest.mark.django_db
CSS = pathlib.Path(__file__).parents[2] / "src/wagtail_pledges/static/wagtail_pledges/pledges.css"


def test_inviting_answers_the_same_for_known_and_unknown_addresses(client):
    plan = factories.approved_plan()
    known = factories.UserFactory(email="known@example.net")
    client.force_login(plan.created_by)
    org = plan.organisation_id
    answers = []
    for email in (known.email, "nobody@example.net"):
        response = client.post(f"/pledges/organisations/{org}/invite/", {
            f"invite-{org}-email": email, f"invite-{org}-role": "staff"})
        text = [str(m) for m in get_messages(response.wsgi_request)]
        answers.append((response.status_code, response["Location"],
                        text[-1].replace(email, "<email>")))
    assert answers[0] == answers[1]
    assert OutboxMessage.objects.filter(template="staff_invitation").count() == 2


def test_resend_uses_only_the_signed_in_accounts_address(client):
    person = factories.UserFactory()
    client.force_login(person)
    client.post("/pledges/confirm-again/", {"email": "someone-else@example.net"})
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [person.email]


def test_one_long_unbroken_string_wraps_on_the_dashboard(client):
    pledge = factories.active_individual()
    pledge.action = "x" * 5000
    pledge.save()
    client.force_login(pledge.user)
    body = client.get("/pledges/").content.decode()
    assert 'class="pledges-page pledges-dashboard"' in body and "x" * 5000 in body
    assert "pledges.css" in body
    assert ".pledges-page, .pledges-video, .pledges-notice { overflow-wrap: anywhere; }" in (
        CSS.read_text())
