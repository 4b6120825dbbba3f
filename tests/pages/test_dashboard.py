import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import (
    ActionToken,
    Membership,
    OrganisationRole,
    Pledge,
    ProgressUpdate,
)

pytestmark = pytest.mark.django_db
DASH = "/pledges/"


def once(prefix):
    """The one-time key a rendered progress-update form carries."""
    return {f"{prefix}-once": uuid.uuid4().hex}


def test_dashboard_requires_login(client):
    response = client.get(DASH)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_dashboard_shows_status_and_period(client):
    pledge = factories.active_individual()
    client.force_login(pledge.user)
    response = client.get(DASH)
    membership = Membership.objects.get(user=pledge.user)
    body = response.content.decode()
    assert "Active" in body and membership.period_end.strftime("%Y") in body
    assert "Post an update on your action" in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response[
        "Cache-Control"]


def test_dashboard_query_count_constant_in_staff(client):
    plan = factories.approved_plan()
    admin = plan.created_by
    client.force_login(admin)
    client.get(DASH)
    with CaptureQueriesContext(connection) as few:
        client.get(DASH)
    for _ in range(15):
        OrganisationRole.objects.create(organisation=plan.organisation,
                                        user=factories.UserFactory(), role="staff")
    with CaptureQueriesContext(connection) as many:
        response = client.get(DASH)
    assert len(response.context["organisations"][0]["people"]) == 16
    assert len(few.captured_queries) == len(many.captured_queries)
    print(f"dashboard: {len(many.captured_queries)} queries")


def test_post_update_on_own_approved_pledge(client):
    pledge = factories.active_individual()
    client.force_login(pledge.user)
    response = client.post(f"/pledges/updates/pledge/{pledge.pk}/",
                           {**once("pledge-update"),
                            "pledge-update-body": "Three debriefs this month"})
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(pledge=pledge).body == "Three debriefs this month"
    response = client.post(f"/pledges/updates/pledge/{pledge.pk}/",
                           {**once("pledge-update"), "pledge-update-body": ""})
    assert response.status_code == 400
    assert "body" in response.context["pledge_update_form"].errors


def test_cannot_post_update_on_someone_elses_or_unapproved(client):
    pledge = factories.active_individual()
    other = factories.UserFactory(verified=True)
    client.force_login(other)
    response = client.post(f"/pledges/updates/pledge/{pledge.pk}/",
                           {**once("pledge-update"), "pledge-update-body": "Hijack"})
    assert response.status_code == 404
    draft = factories.draft_pledge(other)
    response = client.post(f"/pledges/updates/pledge/{draft.pk}/",
                           {**once("pledge-update"), "pledge-update-body": "Too early"})
    assert response.status_code == 400
    assert "approved" in str(response.context["pledge_update_form"].non_field_errors())
    plan = factories.approved_plan()
    response = client.post(f"/pledges/updates/plan/{plan.pk}/",
                           {**once(f"plan-update-{plan.organisation_id}"),
                            f"plan-update-{plan.organisation_id}-body": "Not mine"})
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_admin_posts_plan_update(client):
    plan = factories.approved_plan()
    client.force_login(plan.created_by)
    response = client.post(f"/pledges/updates/plan/{plan.pk}/",
                           {**once(f"plan-update-{plan.organisation_id}"),
                            f"plan-update-{plan.organisation_id}-body": "Restraint down 30%"})
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(plan=plan).author == plan.created_by


def test_invite_staff(client, django_capture_on_commit_callbacks):
    plan = factories.approved_plan()
    client.force_login(plan.created_by)
    prefix = f"invite-{plan.organisation_id}"
    url = f"/pledges/organisations/{plan.organisation_id}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {f"{prefix}-email": "new@example.org",
                                     f"{prefix}-role": "staff"})
    assert response.status_code == 302
    assert ActionToken.objects.filter(email="new@example.org").exists()
    response = client.post(url, {f"{prefix}-email": "nope", f"{prefix}-role": "king"})
    assert response.status_code == 400
    form = response.context["organisations"][0]["invite_form"]
    assert {"email", "role"} <= set(form.errors)
    response = client.post(url, {f"{prefix}-email": plan.created_by.email,
                                 f"{prefix}-role": "staff"})
    assert response.status_code == 400
    assert "already part" in str(response.context["organisations"][0]["invite_form"].errors)


def test_staff_cannot_manage_people(client):
    plan = factories.approved_plan()
    staff = factories.UserFactory()
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
    client.force_login(staff)
    org = plan.organisation_id
    assert client.post(f"/pledges/organisations/{org}/invite/",
                       {f"invite-{org}-email": "x@example.org"}).status_code == 403
    assert client.post(f"/pledges/organisations/{org}/people/{plan.created_by.pk}/role/",
                       {"role": "staff"}).status_code == 403
    assert client.post(f"/pledges/organisations/{org}/people/{plan.created_by.pk}/remove/"
                       ).status_code == 403
    assert OrganisationRole.objects.get(user=plan.created_by).role == "admin"
    assert client.get(f"/pledges/organisations/{org}/leave/").status_code == 405


def test_set_role_remove_and_leave(client):
    plan = factories.approved_plan()
    admin, org = plan.created_by, plan.organisation
    staff = factories.UserFactory()
    OrganisationRole.objects.create(organisation=org, user=staff, role="staff")
    client.force_login(admin)
    base = f"/pledges/organisations/{org.pk}/people"
    assert client.post(f"{base}/{staff.pk}/role/", {"role": "admin"}).status_code == 302
    assert OrganisationRole.objects.get(user=staff).role == "admin"
    assert client.post(f"{base}/{staff.pk}/role/", {"role": "emperor"}).status_code == 400
    assert client.post(f"{base}/999999/role/", {"role": "staff"}).status_code == 404
    assert client.post(f"{base}/{staff.pk}/remove/").status_code == 302
    assert not OrganisationRole.objects.filter(user=staff).exists()
    # The last admin cannot leave: a message, not a 500.
    response = client.post(f"/pledges/organisations/{org.pk}/leave/")
    assert response.status_code == 400
    assert OrganisationRole.objects.filter(user=admin).exists()
    assert "last admin" in response.content.decode()


def test_start_renewal_from_dashboard(client, individual_page):
    pledge = factories.active_individual()
    user = pledge.user
    client.force_login(user)
    response = client.post("/pledges/renew/")
    assert response.status_code == 302  # not renewable yet: message, back to dashboard
    assert response["Location"] == DASH
    assert Pledge.objects.filter(user=user).count() == 1
    lifecycle.mark_renewal_due(Membership.objects.get(user=user))
    response = client.post("/pledges/renew/")
    assert response["Location"] == individual_page.url
    assert Pledge.objects.filter(user=user).count() == 2
    assert client.post("/pledges/renew/", {"organisation": "abc"}).status_code == 400
    assert client.post("/pledges/renew/", {"organisation": "999999"}).status_code == 404
    assert client.get("/pledges/renew/").status_code == 405


def test_state_changes_need_csrf(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/pledges/renew/").status_code == 403
    assert not Membership.objects.filter(user=user).exists()


# -- issue 14: what members are told, shown back to them ------------------------------


def test_org_admin_and_staff_are_not_told_they_have_not_joined(client):
    plan = factories.approved_plan()
    staff = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
    for person in (plan.created_by, staff):
        client.force_login(person)
        body = client.get(DASH).content.decode()
        assert "You have not joined yet." not in body
        assert "You&#x27;re a member. Thank you." in body or "You're a member" in body


def test_individual_waiting_for_email_is_not_told_awaiting_review(client):
    pledge = factories.complete_pledge(factories.draft_pledge())
    lifecycle.submit_pledge(pledge, pledge.user)
    client.force_login(pledge.user)
    body = client.get(DASH).content.decode()
    assert "Awaiting review" not in body and "awaiting review" not in body
    assert "Waiting for you to confirm your email address" in body


def test_declined_member_sees_reason_action_and_dates(client, settings):
    settings.WAGTAIL_PLEDGES = {"INDIVIDUAL_REQUIRES_REVIEW": True}
    pledge = factories.complete_pledge(factories.draft_pledge(verified=True))
    reviewer = factories.UserFactory(is_superuser=True, is_staff=True)
    lifecycle.submit_pledge(pledge, pledge.user)
    lifecycle.decline(pledge, reviewer, "Your action needs to be about your own work.")
    client.force_login(pledge.user)
    body = client.get(DASH).content.decode()
    assert "Your action needs to be about your own work." in body
    assert "Hold a debrief after every incident." in body
    pledge.refresh_from_db()
    assert pledge.decided_at.strftime("%-d %B %Y") in body
    assert "Declined" in body


def test_own_progress_updates_are_shown(client):
    pledge = factories.active_individual()
    ProgressUpdate.objects.create(pledge=pledge, author=pledge.user, body="Ran two debriefs")
    client.force_login(pledge.user)
    assert "Ran two debriefs" in client.get(DASH).content.decode()


def test_org_dashboard_links_to_published_plan_and_shows_comments(client, plans_page):
    plan = factories.approved_plan()
    ProgressUpdate.objects.create(plan=plan, author=plan.created_by, body="Board lead named")
    client.force_login(plan.created_by)
    body = client.get(DASH).content.decode()
    assert f'href="{plans_page.url}{plan.organisation.slug}/"' in body
    assert "Board lead named" in body and "Priority 1" in body
    assert "Approved: membership active" in body


def test_legacy_member_sees_one_way_to_renew(client):
    from wagtail_pledges.models import Membership as M

    pledge = factories.active_individual()
    M.objects.filter(user=pledge.user).update(status="legacy")
    client.force_login(pledge.user)
    body = client.get(DASH).content.decode()
    assert "Start my renewal" in body and "Renew your membership" not in body


def test_changes_requested_plan_comment_on_dashboard(client):
    plan = factories.submitted_plan()
    reviewer = factories.UserFactory(is_superuser=True, is_staff=True)
    lifecycle.request_changes(plan, reviewer, "Name a lead for priority 2.")
    client.force_login(plan.created_by)
    body = client.get(DASH).content.decode()
    assert "Name a lead for priority 2." in body and "What our reviewers asked" in body


def test_progress_update_label_has_no_colon_after_question_mark(client):
    pledge = factories.active_individual()
    client.force_login(pledge.user)
    body = client.get(DASH).content.decode()
    assert "How is it going?" in body and "How is it going?:" not in body
