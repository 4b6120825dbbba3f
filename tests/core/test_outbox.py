import datetime
import smtplib

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from wagtail_pledges.models import OutboxMessage
from wagtail_pledges.notifications import outbox

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


class RefusingBackend:
    """A mail backend whose server refuses connections."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    def open(self):
        raise smtplib.SMTPConnectError(421, "refused")

    def close(self):
        pass


def queue(key="k1"):
    keys = outbox.queue_email(key, "lapsed", ["Someone@Example.org"], {
        "site_name": "Test", "dashboard_url": "http://x/", "subject_name": "S",
        "membership": None,
    })
    return list(OutboxMessage.objects.filter(idempotency_key__in=keys))


def test_queue_is_idempotent_and_normalises_recipient():
    first = queue()
    second = queue()
    assert [m.pk for m in first] == [m.pk for m in second]
    assert OutboxMessage.objects.count() == 1
    message = first[0]
    assert message.to == "someone@example.org"
    assert message.render().subject and "lapsed" in message.render().subject
    assert "<html" in message.render().html and "&amp;" not in message.render().text


def test_delivered_after_commit_exactly_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue()
        queue()
    assert len(mail.outbox) == 1
    message = OutboxMessage.objects.get()
    assert message.state == State.SENT and message.attempts == 1
    assert outbox.deliver(message.pk) is False  # already sent: never twice
    assert outbox.deliver_due()["sent"] == 0
    assert len(mail.outbox) == 1


def test_refused_connection_loses_nothing_and_delivers_once_later(
    django_capture_on_commit_callbacks, use_email_backend,
):
    use_email_backend("tests.core.test_outbox.RefusingBackend")
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    message = OutboxMessage.objects.get()
    assert message.state == State.FAILED
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at > timezone.now()
    # not yet due: a retry now does nothing
    assert outbox.deliver_due()["due"] == 0
    with freeze_time(timezone.now() + datetime.timedelta(minutes=2)):
        assert outbox.deliver_due() == {"due": 1, "sent": 0, "failed": 1, "interrupted": 0}
    message.refresh_from_db()
    assert message.attempts == 2
    # backoff doubles: 60s, then 120s
    assert message.next_attempt_at - timezone.now() > datetime.timedelta(seconds=100)
    use_email_backend("django.core.mail.backends.locmem.EmailBackend")
    assert len(mail.outbox) == 0
    with freeze_time(timezone.now() + datetime.timedelta(hours=1)):
        assert outbox.deliver_due()["sent"] == 1
        assert outbox.deliver_due()["sent"] == 0
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == State.SENT and message.last_error == ""


def test_gives_up_after_max_attempts_and_editor_can_retry(settings, use_email_backend):
    settings.WAGTAIL_PLEDGES = {"OUTBOX_MAX_ATTEMPTS": 2, "OUTBOX_BACKOFF_SECONDS": 1}
    use_email_backend("tests.core.test_outbox.RefusingBackend")
    message = queue()[0]
    outbox.deliver(message.pk)
    with freeze_time(timezone.now() + datetime.timedelta(seconds=5)):
        outbox.deliver(message.pk)
    message.refresh_from_db()
    assert message.state == State.DEAD
    assert outbox.retry_now([message.pk]) == 1
    use_email_backend("django.core.mail.backends.locmem.EmailBackend")
    assert outbox.deliver(message.pk) is True


def test_interrupted_send_is_not_retried():
    message = queue()[0]
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.SENDING, claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert outbox.deliver_due()["interrupted"] == 1
    message.refresh_from_db()
    assert message.state == State.DEAD
    assert len(mail.outbox) == 0


def test_site_can_override_email_templates(settings, tmp_path):
    emails = tmp_path / "wagtail_pledges" / "emails"
    emails.mkdir(parents=True)
    (emails / "lapsed_subject.txt").write_text("Custom subject")
    (emails / "lapsed.txt").write_text("Custom body for {{ recipient }}")
    (emails / "lapsed.html").write_text("<p>Custom html</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    message = queue("custom")[0]
    assert message.render().subject == "Custom subject"
    assert message.render().text == "Custom body for someone@example.org"
    assert message.render().html == "<p>Custom html</p>"


# -- rendered when sent ------------------------------------------------------------


def test_queueing_renders_nothing_and_stores_ids_not_text(monkeypatch):
    """The transaction that queues an email pays one insert: the row holds the
    template and a JSON context of ids and values, rendered by the sender."""
    from tests import factories
    from wagtail_pledges import lifecycle
    from wagtail_pledges.notifications import rendering

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered inside the transaction")

    monkeypatch.setattr(rendering, "render_to_string", no_rendering)
    user = factories.UserFactory(verified=True)
    pledge = factories.complete_pledge(lifecycle.start_individual(user))
    lifecycle.submit_pledge(pledge, user)
    message = OutboxMessage.objects.get(template="approved")
    assert (message.subject, message.body_text, message.body_html) == ("", "", "")
    assert message.context["commitment"] == {"$model": "wagtail_pledges.pledge",
                                             "pk": pledge.pk}
    assert message.context["$language"] == "en-gb"


def test_the_sender_renders_escapes_and_keeps_what_it_sent(
    django_capture_on_commit_callbacks,
):
    from tests import factories
    from tests.hostile.test_email_escaping import HOSTILE
    from wagtail_pledges import lifecycle
    from wagtail_pledges.models import Organisation

    plan = factories.complete_plan(factories.draft_plan())
    Organisation.objects.filter(pk=plan.organisation_id).update(name=HOSTILE)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.submit_plan(plan, plan.created_by)
    sent = next(m for m in mail.outbox if m.to == [plan.created_by.email])
    html = sent.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert HOSTILE in sent.body
    message = OutboxMessage.objects.get(template="plan_submitted")
    assert message.state == State.SENT
    assert (message.subject, message.body_text, message.body_html) == (
        sent.subject, sent.body, html)


def test_an_email_about_something_deleted_before_sending_is_not_sent():
    from tests import factories
    from wagtail_pledges import lifecycle
    from wagtail_pledges.models import Organisation

    plan = factories.complete_plan(factories.draft_plan())
    lifecycle.submit_plan(plan, plan.created_by)  # not committed: nothing sent yet
    message = OutboxMessage.objects.get(template="plan_submitted")
    Organisation.objects.filter(pk=plan.organisation_id).delete()  # plan and membership go too
    assert outbox.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.state == State.DEAD
    assert message.last_error.startswith("Not sent: ") and "deleted" in message.last_error
    assert mail.outbox == []
    assert outbox.deliver_due()["due"] == 0  # never retried


def test_a_row_queued_rendered_is_sent_as_it_was():
    """Rows queued before rendering moved to send time keep their text."""
    message = OutboxMessage.objects.create(
        idempotency_key="old", template="lapsed", to="a@example.org", subject="Old",
        body_text="Old text", body_html="<p>Old</p>", next_attempt_at=timezone.now())
    assert outbox.deliver(message.pk) is True
    assert (mail.outbox[0].subject, mail.outbox[0].body) == ("Old", "Old text")


def test_context_packs_ids_and_values_and_refuses_anything_else():
    from wagtail_pledges.notifications.context import pack, unpack

    when = datetime.date(2026, 9, 30)
    packed = pack({"days": 14, "deadline": when, "links": [{"claim_url": "http://x/"}],
                   "none": None})
    assert unpack(packed) == {"days": 14, "deadline": when,
                              "links": [{"claim_url": "http://x/"}], "none": None}
    with pytest.raises(TypeError):
        pack({"anything": object()})


def test_the_daily_retry_reads_what_its_emails_are_about_once(settings):
    """Two statements per email (claim, then record it sent; on PostgreSQL one, the
    record going with the next claim) plus one query per model for the whole batch,
    not one per email."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories
    from wagtail_pledges import notify

    memberships = [factories.active_individual().membership for _ in range(4)]
    OutboxMessage.objects.all().delete()
    for membership in memberships:
        notify.renewal_due(membership, 14)
    with CaptureQueriesContext(connection) as queries:
        assert outbox.deliver_due()["sent"] == 4
    # stale "sending" rows, the due list, the memberships, then per email
    per_email = 4 + 1 if connection.vendor == "postgresql" else 2 * 4
    assert len(queries) == 3 + per_email, "\n".join(q["sql"][:90] for q in queries)
    assert {m.to[0] for m in mail.outbox} == {m.user.email for m in memberships}
