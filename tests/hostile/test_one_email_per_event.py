"""Issue 10: one email per event, one live link, one stored update — however often a
request is repeated. (Concurrent versions on PostgreSQL: tests/postgres.)"""

import uuid

import pytest
from django.core import mail
from django.utils import timezone

from tests import factories
from wagtail_pledges import accounts, lifecycle, organisations
from wagtail_pledges.models import ActionToken, OutboxMessage, ProgressUpdate

pytestmark = pytest.mark.django_db


def templates():
    return sorted(OutboxMessage.objects.values_list("template", flat=True))


def test_a_plan_resubmitted_in_one_round_queues_one_email_each(reviewer,
                                                               django_capture_on_commit_callbacks):
    plan = factories.complete_plan(factories.draft_plan())
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            lifecycle.submit_plan(plan, plan.created_by)
    assert templates() == ["plan_submitted"]
    # The reviewer hears once: from Wagtail's workflow, not from us as well.
    to_reviewer = [m for m in mail.outbox if reviewer.email in m.to]
    assert len(to_reviewer) == 1


def test_a_new_round_after_changes_requested_is_a_new_email(reviewer):
    plan = factories.submitted_plan()
    lifecycle.request_changes(plan, reviewer, "Say more about debriefs.")
    plan.refresh_from_db()
    lifecycle.submit_plan(plan, plan.created_by)
    keys = list(OutboxMessage.objects.filter(template="plan_submitted", to=plan.created_by.email)
                .values_list("idempotency_key", flat=True))
    assert len(keys) == 2 and any(k.count(":first:") for k in keys)


def test_only_one_confirmation_link_is_ever_live(client):
    person = factories.UserFactory()
    for _ in range(3):
        accounts.send_verification(person)
    live = ActionToken.objects.filter(purpose=ActionToken.Purpose.VERIFY_EMAIL, user=person,
                                      used_at__isnull=True)
    assert live.count() == 3
    assert live.filter(expires_at__gt=timezone.now()).count() == 1


def test_only_one_invitation_link_is_live_per_address():
    plan = factories.approved_plan()
    for _ in range(2):
        organisations.invite_staff(plan.organisation, "new@example.org", plan.created_by)
    tokens = ActionToken.objects.filter(purpose=ActionToken.Purpose.STAFF_INVITE)
    assert [t.expires_at > timezone.now() for t in tokens.order_by("pk")] == [False, True]


def test_a_progress_update_posted_twice_is_stored_once(client):
    pledge = factories.active_individual()
    client.force_login(pledge.user)
    data = {"pledge-update-once": uuid.uuid4().hex, "pledge-update-body": "Two debriefs"}
    for _ in range(2):
        assert client.post(f"/pledges/updates/pledge/{pledge.pk}/", data).status_code == 302
    assert ProgressUpdate.objects.filter(pledge=pledge).count() == 1
    # Without the form's key (a hand-made post): a form error, nothing stored.
    response = client.post(f"/pledges/updates/pledge/{pledge.pk}/",
                           {"pledge-update-body": "No key"})
    assert response.status_code == 400
    assert ProgressUpdate.objects.filter(pledge=pledge).count() == 1
