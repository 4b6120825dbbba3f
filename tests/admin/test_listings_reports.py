"""Listings, exports, bulk actions, reports and the dashboard panel."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import (
    ActionPlan,
    LegacySignatory,
    Membership,
    OutboxMessage,
    ReviewStatus,
    Status,
)

pytestmark = pytest.mark.django_db


def report(name):
    return reverse(f"wagtail_pledges_admin:report_{name}")


def listing(model):
    return reverse(model.snippet_viewset.get_url_name("list"))


def bulk(model, action, *objects):
    ids = "&".join(f"id={o.pk}" for o in objects)
    return (reverse("wagtail_bulk_action", args=[model._meta.app_label, model._meta.model_name,
                                                 action]) + f"?{ids}&next=/admin/")


def test_membership_menu_has_every_listing(client, reviewer):
    client.force_login(reviewer)
    html = client.get("/admin/").content.decode()
    for label in ("Membership", "Members", "Action plans", "Legacy signatories", "Outbox",
                  "Membership reports", "Review queue"):
        assert label in html


def test_listing_export_and_permissions(client, reviewer, editor):
    plan = factories.submitted_plan()
    client.force_login(reviewer)
    response = client.get(listing(ActionPlan) + "?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert plan.organisation.name in body
    assert "Awaiting review" in body or "submitted" in body
    response = client.get(listing(Membership) + "?status=submitted")
    assert plan.organisation.name in response.content.decode()
    # Lifecycle-owned records are never created or deleted by hand.
    assert client.get(reverse(Membership.snippet_viewset.get_url_name("add"))).status_code == 302
    assert client.get(reverse(ActionPlan.snippet_viewset.get_url_name("add"))).status_code == 302
    client.force_login(editor)
    assert client.get(listing(Membership)).status_code == 302
    assert client.get(listing(ActionPlan) + "?export=csv").status_code == 302


def test_editor_may_edit_taxonomies(client, editor):
    from wagtail_pledges.models import Strategy

    client.force_login(editor)
    response = client.get(listing(Strategy))
    assert response.status_code == 200
    assert "Debriefing" in response.content.decode()


def test_bulk_approve(client, reviewer, editor, django_capture_on_commit_callbacks):
    plans = [factories.submitted_plan(), factories.submitted_plan()]
    client.force_login(editor)
    client.post(bulk(ActionPlan, "approve_commitments", *plans))
    assert ActionPlan.objects.filter(review_status=ReviewStatus.APPROVED).count() == 0
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk(ActionPlan, "approve_commitments", *plans))
    assert response.status_code == 302
    assert ActionPlan.objects.filter(review_status=ReviewStatus.APPROVED, live=True).count() == 2
    assert Membership.objects.filter(status=Status.ACTIVE).count() == 2


def test_bulk_legacy_invitation(client, reviewer, editor):
    signatory = LegacySignatory.objects.create(kind="individual", name="Ann",
                                               email="ann@example.org")
    client.force_login(editor)
    client.post(bulk(LegacySignatory, "invite_legacy", signatory))
    assert not OutboxMessage.objects.filter(template="legacy_invitation").exists()
    client.force_login(reviewer)
    response = client.post(bulk(LegacySignatory, "invite_legacy", signatory))
    assert response.status_code == 302
    signatory.refresh_from_db()
    assert signatory.invited_at is not None
    assert OutboxMessage.objects.get(template="legacy_invitation").to == "ann@example.org"


def test_bulk_renewal_reminder(client, reviewer):
    pledge = factories.active_individual()
    membership = Membership.objects.get(user=pledge.user)
    Membership.objects.filter(pk=membership.pk).update(
        period_end=lifecycle.today() + datetime.timedelta(days=30))
    client.force_login(reviewer)
    client.post(bulk(Membership, "send_renewal_reminder", membership))
    assert OutboxMessage.objects.filter(template="renewal_due", to=pledge.user.email).count() == 1


def _ending_in(days):
    pledge = factories.active_individual()
    membership = Membership.objects.get(user=pledge.user)
    Membership.objects.filter(pk=membership.pk).update(
        period_end=lifecycle.today() + datetime.timedelta(days=days))
    return pledge.user


def test_reports(client, reviewer, editor):
    soon, later = _ending_in(20), _ending_in(200)
    lapsed_user = _ending_in(10)
    lifecycle.lapse(Membership.objects.get(user=lapsed_user))
    waiting = factories.submitted_plan()
    steering = Group.objects.create(name="Steering group")
    outside = factories.UserFactory(verified=True)
    steering.user_set.add(soon, outside)
    signatory = LegacySignatory.objects.create(kind="individual", name="Bo", email="bo@example.org")

    client.force_login(reviewer)
    text = client.get(report("ending_soon")).content.decode()
    assert soon.email in text and later.email not in text and lapsed_user.email not in text
    text = client.get(report("lapsed")).content.decode()
    assert lapsed_user.email in text and soon.email not in text
    text = client.get(report("steering_group")).content.decode()
    assert outside.email in text and soon.email not in text
    text = client.get(report("awaiting_review")).content.decode()
    assert waiting.organisation.name in text
    response = client.get(report("legacy_campaign"))
    assert response.context["summary"]["total"] == 1
    assert response.context["summary"]["moved"] == 0
    assert "Bo" in response.content.decode()
    csv = b"".join(client.get(report("ending_soon") + "?export=csv").streaming_content).decode()
    assert soon.email in csv and later.email not in csv
    assert signatory.pk

    client.force_login(editor)
    for name in ("ending_soon", "lapsed", "steering_group", "awaiting_review", "legacy_campaign"):
        assert client.get(report(name)).status_code == 302


def test_legacy_campaign_counts_moved(client, reviewer):
    user = factories.UserFactory(verified=True)
    pledge = factories.active_individual(user)
    LegacySignatory.objects.create(
        kind="individual", name="Cyrano Moved-Signatory", email=user.email,
        invited_at=timezone.now(), claimed_at=timezone.now(),
        membership=Membership.objects.get(user=pledge.user))
    LegacySignatory.objects.create(kind="individual", name="Dinah Invited-Signatory",
                                   email="di@example.org", invited_at=timezone.now())
    client.force_login(reviewer)
    with override_settings(WAGTAIL_PLEDGES={"LEGACY_DEADLINE": lifecycle.today()
                                            + datetime.timedelta(days=30)}):
        summary = client.get(report("legacy_campaign")).context["summary"]
    counted = (summary["total"], summary["invited"], summary["claimed"], summary["moved"])
    assert counted == (2, 2, 1, 1)
    assert summary["days_to_deadline"] == 30
    text = client.get(report("legacy_campaign") + "?state=invited").content.decode()
    assert "Dinah Invited-Signatory" in text and "Cyrano Moved-Signatory" not in text


def test_dashboard_panel(client, reviewer, editor):
    factories.active_individual()
    factories.submitted_plan()
    client.force_login(reviewer)
    response = client.get("/admin/")
    html = response.content.decode()
    assert "Individual members" in html
    panel = [p for p in response.context["panels"] if p.name == "wagtail_pledges_summary"][0]
    context = panel.get_context_data({"request": response.wsgi_request})
    assert context["counts"].individual_members == 1
    assert context["counts"].awaiting_review == 1
    client.force_login(editor)
    assert "wagtail_pledges_summary" not in [
        p.name for p in client.get("/admin/").context["panels"]]


def test_outbox_is_read_only_with_retry(client, reviewer):
    message = OutboxMessage.objects.create(
        idempotency_key="k", template="t", to="x@example.org", subject="s", body_text="b",
        state=OutboxMessage.State.DEAD)
    client.force_login(reviewer)
    assert client.get(listing(OutboxMessage)).status_code == 200
    edit = reverse(OutboxMessage.snippet_viewset.get_url_name("edit"), args=[message.pk])
    assert client.get(edit).status_code == 302
    client.post(bulk(OutboxMessage, "retry_outbox", message))
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING


def test_outbox_shows_a_message_not_yet_rendered(client, reviewer):
    """Rows are rendered when sent: the listing names the template until then, and
    the inspect view shows the text as it would be sent now."""
    from wagtail_pledges.notifications.outbox import queue_email

    key, = queue_email("k", "lapsed", ["x@example.org"], {
        "site_name": "Test", "dashboard_url": "http://x/", "subject_name": "Hill Trust"})
    message = OutboxMessage.objects.get(idempotency_key=key)
    client.force_login(reviewer)
    assert "lapsed (rendered when sent)" in client.get(listing(OutboxMessage)).content.decode()
    inspect = reverse(OutboxMessage.snippet_viewset.get_url_name("inspect"), args=[message.pk])
    assert "The membership of Hill Trust has lapsed" in client.get(inspect).content.decode()


def test_dashboard_panel_legacy_and_passed_deadline(client, reviewer, settings):
    from wagtail_pledges import legacy

    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2020-09-30"}
    legacy.import_signatories("kind,name,email,organisation,signed_on\n"
                              "individual,Ann,ann@example.org,,2015-01-01\n")
    client.force_login(reviewer)
    html = client.get("/admin/").content.decode()
    assert "The deadline passed on 30 September 2020" in html
    panel_html = html[html.index("pledges-dashboard-heading"):]
    assert "have not claimed yet</dt><dd>1</dd>" in panel_html
