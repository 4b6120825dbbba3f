"""Email-link pages: GET shows a button and changes nothing; POST acts once."""

import json
import re

import pytest
from django.urls import reverse

from tests import factories
from wagtail_pledges import lifecycle, organisations
from wagtail_pledges.models import Membership, OrganisationRole, OutboxMessage

pytestmark = pytest.mark.django_db


def link(template):
    body = OutboxMessage.objects.filter(template=template).latest("pk").render().text
    return re.search(r"http://testserver(/pledges/\S+/)", body).group(1)


@pytest.fixture
def unconfirmed(db):
    person = factories.UserFactory()
    pledge = factories.complete_pledge(lifecycle.start_individual(person))
    lifecycle.submit_pledge(pledge, person)
    return person


def test_confirm_link_get_changes_nothing_post_activates(client, unconfirmed):
    url = link("confirm_email")
    response = client.get(url)
    assert response.status_code == 200
    assert b'method="post"' in response.content and b"Confirm my email address" in response.content
    assert response["Cache-Control"].startswith("max-age=0")
    assert Membership.objects.get(user=unconfirmed).status == "submitted"
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.get(user=unconfirmed).status == "active"
    again = client.post(url)
    assert again.status_code == 400 and b"already been used" in again.content


def test_bad_token_is_a_clear_400(client):
    response = client.get("/pledges/confirm/not-a-real-token/")
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_confirm_link_for_someone_else_is_refused(client, unconfirmed):
    client.force_login(factories.UserFactory())
    response = client.post(link("confirm_email"))
    assert response.status_code == 400 and b"different account" in response.content
    assert Membership.objects.get(user=unconfirmed).status == "submitted"


def test_invitation_requires_login_then_accepts(client):
    plan = factories.approved_plan()
    organisations.invite_staff(plan.organisation, "staff@example.org", plan.created_by)
    url = link("staff_invitation")
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    staff = factories.UserFactory(email="staff@example.org")
    client.force_login(staff)
    assert client.post(url).status_code == 302
    assert OrganisationRole.objects.get(user=staff).role == "staff"


def test_video_progress_endpoint_validates(client, user):
    url = reverse("wagtail_pledges:video_progress")
    assert client.post(url, "{}", content_type="application/json").status_code == 401
    client.force_login(user)
    assert client.post(url, "nonsense", content_type="application/json").status_code == 400
    assert client.post(url, "[1]", content_type="application/json").status_code == 400
    unknown = client.post(url, json.dumps({"video": "v", "start": 0, "end": 1}),
                          content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["error"] == "Unknown video."
    assert client.get(url).status_code == 405


def test_export_and_erase(client):
    user = factories.active_individual().user
    client.force_login(user)
    response = client.get(reverse("wagtail_pledges:export_data"))
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["membership"]["status"] == "active"
    url = reverse("wagtail_pledges:erase_account")
    assert client.post(url, {}).status_code == 400
    assert Membership.objects.get(user=user).status == "active"
    assert client.post(url, {"confirm": "erase"}).status_code == 302
    assert Membership.objects.get(user=user).status == "withdrawn"
    user.refresh_from_db()
    assert not user.is_active


def test_dashboard_requires_login(client):
    response = client.get(reverse("wagtail_pledges:dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_starting_a_plan_for_someone_elses_organisation_is_403(client):
    plan = factories.approved_plan()
    staff = factories.UserFactory()
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
    client.force_login(staff)
    response = client.post("/pledges/renew/", {"organisation": str(plan.organisation.pk)})
    assert response.status_code == 403
    assert plan.organisation.plans.count() == 1
