"""A delivery task records each email as sent in the statement that claims the next
(PostgreSQL): one round trip and one commit per email, not two — and still nothing
sent is left unrecorded, nothing recorded that was not sent (docs/explanation/outbox.md).
"""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail_pledges.models import OutboxMessage
from wagtail_pledges.notifications import delivery, outbox
from wagtail_pledges.notifications.delivery import deliver_queued

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


def queue(*names):
    for name in names:
        outbox.queue_email(name, "lapsed", [f"{name}@example.org"], {
            "site_name": "Test", "dashboard_url": "http://x/", "subject_name": "S",
            "membership": None})


def writes_to_outbox(queries) -> list[str]:
    return [q["sql"] for q in queries
            if "outboxmessage" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_each_email_costs_one_write_on_postgresql():
    queue("a", "b", "c", "d")
    with CaptureQueriesContext(connection) as queries:
        assert deliver_queued() == {"seen": 4, "sent": 4, "more": False}
    writes = writes_to_outbox(queries)
    # Four claims, three of them carrying the previous email's "sent"; then the last.
    expected = 5 if connection.vendor == "postgresql" else 8
    assert len(writes) == expected, writes
    assert len(mail.outbox) == 4


def test_every_sent_email_is_recorded_with_what_it_said():
    queue("a", "b", "c")
    deliver_queued()
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [r.state for r in rows] == [State.SENT] * 3
    for row, sent in zip(rows, mail.outbox, strict=True):
        assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""
        assert (row.subject, row.body_text) == (sent.subject, sent.body)
        assert row.body_html and row.body_html == sent.alternatives[0][0]


def test_a_failure_between_two_sends_leaves_both_recorded(monkeypatch):
    queue("a", "b", "c")
    real = delivery.render_message

    def broken_for_b(message, loaded=None):
        if message.to == "b@example.org":
            raise RuntimeError("template broke")
        return real(message, loaded)

    monkeypatch.setattr(delivery, "render_message", broken_for_b)
    assert deliver_queued()["sent"] == 2
    states = dict(OutboxMessage.objects.values_list("to", "state"))
    assert states == {"a@example.org": State.SENT, "b@example.org": State.FAILED,
                      "c@example.org": State.SENT}


def test_a_row_another_sender_took_still_records_the_one_before(monkeypatch):
    """The next claim finds nothing to claim: the email sent before it is recorded
    all the same (the record runs whether or not the claim takes a row)."""
    queue("a", "b", "c")
    taken = OutboxMessage.objects.get(to="b@example.org")
    real_send = delivery._send

    def send_then_take_b(message, loaded=None, record=True):
        done = real_send(message, loaded, record)
        if message.to == "a@example.org":  # another worker claims "b" meanwhile
            OutboxMessage.objects.filter(pk=taken.pk).update(state=State.SENDING)
        return done

    monkeypatch.setattr(delivery, "_send", send_then_take_b)
    assert deliver_queued()["sent"] == 2
    states = dict(OutboxMessage.objects.values_list("to", "state"))
    assert states == {"a@example.org": State.SENT, "b@example.org": State.SENDING,
                      "c@example.org": State.SENT}
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["c@example.org"]]
