"""Public verification: the page and the API give one answer, with no personal data."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Membership, Organisation, OrganisationRole, Status, Tier
from wagtail_pledges.verification import verify_organisation

pytestmark = pytest.mark.django_db
API = "/api/pledges/v1/verify/"


def page(client, slug):
    return client.get(f"/pledges/verify/{slug}/")


def api(client, slug):
    return client.get(f"{API}{slug}/")


def state_of(client, slug):
    response = page(client, slug)
    assert response.status_code == 200
    data = api(client, slug).json()
    marker = f'data-pledges-verification="{data["state"]}"'
    assert marker in response.content.decode(), "page and API disagree"
    return data


def legacy_organisation(name="Old Pledge Trust"):
    organisation = Organisation.objects.create(name=name, slug="old-pledge-trust")
    membership, _ = lifecycle.get_or_create_membership(Tier.ORGANISATION,
                                                       organisation=organisation)
    lifecycle.mark_legacy(membership, None, "imported")
    return organisation


def test_active_member_with_tier_dates_and_plan_link(client, plans_page):
    with freeze_time("2026-01-10"):
        plan = factories.approved_plan()
    slug = plan.organisation.slug
    with freeze_time("2026-06-01"):
        data = state_of(client, slug)
        body = page(client, slug).content.decode()
    assert data["state"] == "current" and data["is_member"] is True
    assert data["tier"] == "organisation"
    assert data["member_since"] == "2026-01-10" and data["valid_until"] == "2028-01-10"
    assert data["ended_on"] is None
    plan_path = f"/plans/{slug}/"
    assert data["plan_url"].endswith(plan_path) and data["plan_url"].startswith("http")
    assert data["verify_url"].endswith(f"/pledges/verify/{slug}/")
    assert f'href="{plan_path}"' in body
    assert "10 January 2026" in body and "10 January 2028" in body
    assert "is a current member" in body


def test_renewal_due_is_still_current(client):
    with freeze_time("2026-01-10"):
        plan = factories.approved_plan()
    with freeze_time("2027-11-11"):
        lifecycle.run_daily()
        assert Membership.objects.get(organisation=plan.organisation).status == \
            Status.RENEWAL_DUE
        data = state_of(client, plan.organisation.slug)
    assert data["state"] == "current" and data["valid_until"] == "2028-01-10"


def test_member_since_spans_renewals_but_not_gaps(client):
    with freeze_time("2026-01-10"):
        plan = factories.approved_plan()
    admin, organisation = plan.created_by, plan.organisation
    with freeze_time("2027-12-01"):  # renewed before the first period ended
        lifecycle.run_daily()
        renewal = factories.complete_plan(lifecycle.start_organisation(
            admin, organisation=organisation))
        lifecycle.approve(lifecycle.submit_plan(renewal, admin),
                          factories.UserFactory(is_superuser=True))
        assert state_of(client, organisation.slug)["member_since"] == "2026-01-10"
    with freeze_time("2029-12-02"):  # lapsed after the second period ...
        lifecycle.run_daily()
        assert state_of(client, organisation.slug)["state"] == "lapsed"
    with freeze_time("2030-03-01"):  # ... and rejoined later: a new run of membership
        again = factories.complete_plan(lifecycle.start_organisation(
            admin, organisation=organisation))
        lifecycle.approve(lifecycle.submit_plan(again, admin),
                          factories.UserFactory(is_superuser=True))
        data = state_of(client, organisation.slug)
    assert data["state"] == "current" and data["member_since"] == "2030-03-01"


def test_legacy_in_grace_period(client, settings):
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2026-09-30"}
    with freeze_time("2026-06-01"):
        organisation = legacy_organisation()
        data = state_of(client, organisation.slug)
        body = page(client, organisation.slug).content.decode()
    assert data["state"] == "legacy_grace" and data["is_member"] is True
    assert data["valid_until"] == "2026-09-30" and data["plan_url"] == ""
    assert "signed the original pledge" in body and "30 September 2026" in body


def test_legacy_after_the_deadline_has_lapsed_even_before_the_daily_run(client, settings):
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2026-09-30"}
    with freeze_time("2026-06-01"):
        organisation = legacy_organisation()
    with freeze_time("2026-10-01"):
        before_run = state_of(client, organisation.slug)
        lifecycle.run_daily()
        after_run = state_of(client, organisation.slug)
    for data in (before_run, after_run):
        assert data["state"] == "lapsed" and data["is_member"] is False
        assert data["ended_on"] == "2026-09-30"


def test_lapsed_member_says_when_and_loses_the_plan_link(client, plans_page):
    with freeze_time("2026-01-10"):
        plan = factories.approved_plan()
    with freeze_time("2028-01-11"):
        lifecycle.run_daily()
        data = state_of(client, plan.organisation.slug)
        body = page(client, plan.organisation.slug).content.decode()
    assert data["state"] == "lapsed" and data["ended_on"] == "2028-01-10"
    assert data["plan_url"] == "" and "/plans/" not in body
    assert "no longer a member" in body and "10 January 2028" in body


def test_withdrawn_member_ended_when_it_left(client):
    with freeze_time("2026-01-10"):
        plan = factories.approved_plan()
    with freeze_time("2026-05-05"):
        lifecycle.withdraw(plan.organisation.membership, plan.created_by, "leaving")
        data = state_of(client, plan.organisation.slug)
    assert data["state"] == "lapsed" and data["ended_on"] == "2026-05-05"


@pytest.mark.parametrize("make", [
    lambda: factories.draft_plan().organisation,
    lambda: factories.submitted_plan().organisation,
    lambda: lifecycle.decline(factories.submitted_plan(),
                              factories.UserFactory(is_superuser=True), "No").organisation,
    lambda: Organisation.objects.create(name="No membership", slug="no-membership"),
], ids=["draft", "submitted", "declined", "no-membership"])
def test_never_a_member_is_not_found_like_an_unknown_slug(client, make):
    organisation = make()
    for slug in (organisation.slug, "no-such-organisation"):
        assert page(client, slug).status_code == 404
        response = api(client, slug)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404


def test_bad_slugs_are_404_not_500(client):
    assert client.get("/pledges/verify/%3Cscript%3E/").status_code == 404
    assert client.get(API + "%3Cscript%3E/").status_code == 404
    assert client.get("/pledges/verify/" + "a" * 500 + "/").status_code == 404


def test_no_personal_data_in_the_page_or_the_api(client, plans_page):
    plan = factories.approved_plan()
    Organisation.objects.filter(pk=plan.organisation_id).update(name="Riverside Care")
    admin = plan.created_by
    staff = factories.UserFactory(verified=True, first_name="Zebediah", last_name="Quill")
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
    slug = plan.organisation.slug
    outputs = [page(client, slug).content.decode(), api(client, slug).content.decode()]
    for output in outputs:
        for secret in (admin.email, admin.first_name, admin.last_name, staff.email,
                       "Zebediah", "Quill", plan.signoff_name):
            assert secret not in output
    assert set(api(client, slug).json()) == {
        "name", "slug", "state", "is_member", "tier", "member_since", "valid_until",
        "ended_on", "plan_url", "verify_url"}


def test_page_and_api_are_publicly_cacheable_but_briefly(client):
    plan = factories.approved_plan()
    for response in (page(client, plan.organisation.slug), api(client, plan.organisation.slug)):
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=300" in cache_control


def test_hostile_organisation_name_is_escaped_on_the_page_and_in_the_badge(client):
    plan = factories.approved_plan()
    organisation = plan.organisation
    organisation.name = '<script>alert("x")</script> & "Co"'
    organisation.save()
    body = page(client, organisation.slug).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body
    client.force_login(plan.created_by)
    dashboard = client.get("/pledges/").content.decode()
    assert "<script>alert" not in dashboard
    item = client.get("/pledges/").context["organisations"][0]
    badge = str(item["badge"])
    # The snippet itself is valid HTML with the name escaped once ...
    assert "&lt;script&gt;" in badge and "<script>" not in badge
    assert badge.startswith('<a href="http://testserver/pledges/verify/')
    # ... and the dashboard shows it as text, escaped once more.
    assert "&lt;a href=&quot;http://testserver/pledges/verify/" in dashboard
    assert "&amp;lt;script&amp;gt;" in dashboard


def test_badge_only_for_admins_of_current_members(client):
    plan = factories.approved_plan()
    staff = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
    client.force_login(staff)
    assert client.get("/pledges/").context["organisations"][0]["badge"] == ""
    client.force_login(plan.created_by)
    assert "pledges-badge-code" in client.get("/pledges/").content.decode()
    pending = factories.submitted_plan()
    client.force_login(pending.created_by)
    assert client.get("/pledges/").context["organisations"][0]["badge"] == ""


def test_verify_function_is_what_both_use():
    plan = factories.approved_plan()
    verification = verify_organisation(plan.organisation.slug)
    assert verification.is_member and verification.valid_until == plan.period_end
    assert verification.member_since == plan.period_start
    assert isinstance(verification.member_since, datetime.date)


def test_schema_documents_the_verify_endpoint(client):
    schema = client.get(reverse("wagtail_pledges_api:schema") + "?format=json").json()
    operation = schema["paths"]["/api/pledges/v1/verify/{slug}/"]["get"]
    assert "200" in operation["responses"]
    assert "Verification" in str(operation["responses"]["200"])
