"""Send queued emails: claim a row, send it, record the outcome, back off on failure.

Guarantees (see docs/explanation/outbox.md): a row is claimed by a conditional
UPDATE before sending, so two workers never send the same row; a row left in
"sending" was interrupted and is marked dead, never resent; failures show in the
admin (``state``, ``attempts``, ``last_error``). The message is rendered here, at
send time (:func:`~.rendering.render_message`); one about an object deleted since it
was queued is marked dead with the reason, never sent.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connections, router
from django.db.models import F
from django.utils import timezone

from ..conf import pledges_settings
from ..sql_writes import written_sql
from . import context
from .context import Gone
from .models import OutboxMessage, OutboxWakeup
from .rendering import render_message

logger = logging.getLogger(__name__)
State = OutboxMessage.State
# A row left in "sending" this long was interrupted mid-send: we cannot know if the
# server accepted it, so it is marked dead for a person to look at, never resent.
STALE_SENDING = datetime.timedelta(minutes=15)
#: Pending emails read at a time by :func:`deliver_queued` (what they are about is
#: read once per batch), and the most one call sends before leaving the rest to the
#: next task, so one task never holds the worker for long.
QUEUED_BATCH = 100
QUEUED_MOST = 1000
SENT_FIELDS = ("state", "sent_at", "last_error", "subject", "body_text", "body_html")


def deliver(message_id: int | None = None, *, key: str | None = None) -> bool:
    """Try to send one message (by pk or idempotency key) now.

    Returns True when it was sent by this call.
    """
    target = {"pk": message_id} if key is None else {"idempotency_key": key}
    if not _claim(target, timezone.now()):
        return False
    return _send(OutboxMessage.objects.get(**target))


def _claim(target: dict, now) -> bool:
    """The conditional UPDATE that makes this process the only sender of a row.

    By primary key (every claim but a legacy task's) it is written once per database
    vendor rather than compiled by the ORM for every email: the same statement."""
    if set(target) == {"pk"} and type(target["pk"]) is int:
        return _claim_pk(target["pk"], now)
    return bool(OutboxMessage.objects.filter(
        **target, state__in=[State.PENDING, State.FAILED], next_attempt_at__lte=now
    ).update(
        state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=None, claimed_at=now
    ))


def _claim_pk(pk: int, now, sent: OutboxMessage | None = None) -> bool:
    """Claim row ``pk``. ``sent``, a message just sent whose outcome is not yet
    written (see :func:`_send_each`), is written in the same statement on PostgreSQL:
    one round trip and one commit per email instead of two."""
    connection = connections[router.db_for_write(OutboxMessage)]
    if sent is not None and connection.vendor != "postgresql":
        _record_sent(sent)
        sent = None
    claim = written_sql("claim", OutboxMessage, connection, lambda table, column: (
        f"UPDATE {table} SET {column('state')} = %s, "  # noqa: S608 (quoted names)
        f"{column('attempts')} = {column('attempts')} + 1, {column('next_attempt_at')} = NULL, "
        f"{column('claimed_at')} = %s WHERE {column('id')} = %s "
        f"AND {column('state')} IN (%s, %s) AND {column('next_attempt_at')} <= %s"))
    at = OutboxMessage._meta.get_field("claimed_at").get_db_prep_value(now, connection)
    params = [State.SENDING.value, at, pk, State.PENDING.value, State.FAILED.value, at]
    if sent is not None:
        record, record_params = _sent_update(sent, connection)
        claim, params = f"WITH sent AS ({record}) {claim}", [*record_params, *params]
    with connection.cursor() as cursor:
        cursor.execute(claim, params)
        return cursor.rowcount == 1


def _sent_update(message: OutboxMessage, connection) -> tuple[str, list]:
    """The ``UPDATE`` that records ``message`` as sent (``SENT_FIELDS``), and its
    parameters. Like the claim it sends no ``pre_save``/``post_save``."""
    sql = written_sql("sent", OutboxMessage, connection, lambda table, column: (
        f"UPDATE {table} SET "  # noqa: S608 (quoted names)
        + ", ".join(f"{column(name)} = %s" for name in SENT_FIELDS)
        + f" WHERE {column('id')} = %s"))
    meta = OutboxMessage._meta
    return sql, [*(meta.get_field(name).get_db_prep_save(getattr(message, name), connection)
                   for name in SENT_FIELDS), message.pk]


def _record_sent(message: OutboxMessage) -> None:
    connection = connections[router.db_for_write(OutboxMessage)]
    with connection.cursor() as cursor:
        cursor.execute(*_sent_update(message, connection))


def _send(message: OutboxMessage, loaded: dict | None = None, record: bool = True) -> bool:
    """Render and send a message this process has claimed; record the outcome. With
    ``record=False`` a message that was sent is only marked so (in memory): the caller
    writes it (with its next claim, :func:`_send_each`)."""
    try:
        rendered = render_message(message, loaded)
    except Gone as exc:
        # What it was about is gone (a member erased, a plan deleted): nothing true
        # is left to say. Not sent, not retried; the admin shows why.
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=State.DEAD, last_error=f"Not sent: {exc}."[:2000])
        logger.info("Outbox message %s not sent: %s", message.pk, exc)
        return False
    except Exception as exc:  # a broken template: record it and back off, as a send
        _record_failure(message, exc)
        return False
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=pledges_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"X-Pledges-Message": message.idempotency_key[:100]},
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # any transport error: record it and back off
        _record_failure(message, exc)
        return False
    # Keep what was sent, for the admin (and so a resend of this row says the same).
    message.state, message.sent_at, message.last_error = State.SENT, timezone.now(), ""
    message.subject, message.body_text, message.body_html = rendered
    if record:
        _record_sent(message)  # written once, not compiled per email
    return True


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    attempts = message.attempts
    if attempts >= pledges_settings.OUTBOX_MAX_ATTEMPTS:
        state, next_at = State.DEAD, None
    else:
        delay = pledges_settings.OUTBOX_BACKOFF_SECONDS * (2 ** (attempts - 1))
        state, next_at = State.FAILED, timezone.now() + datetime.timedelta(seconds=delay)
    logger.warning("Outbox message %s failed (attempt %s): %s", message.pk, attempts, exc)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=state, next_attempt_at=next_at, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def _send_each(messages: list[OutboxMessage]) -> int:
    """Claim, render and send each of ``messages``; how many were sent. What they are
    about is read once for all of them (one query per model).

    That a message was sent is written with the next one's claim (one statement on
    PostgreSQL), and the last one's after the loop: nothing else happens between a
    send and that write, so it is as safe as writing each at once — a process that
    dies after a send leaves the row "sending", marked dead later, never resent."""
    loaded = context.load(m.context for m in messages if not m.body_text)
    sent, unrecorded = 0, None
    for message in messages:
        claimed = _claim_pk(message.pk, timezone.now(), sent=unrecorded)
        unrecorded = None
        if claimed:
            message.attempts += 1  # as the claim did
            if _send(message, loaded, record=False):
                sent, unrecorded = sent + 1, message
    if unrecorded is not None:
        _record_sent(unrecorded)
    return sent


def deliver_due(limit: int = 500, due_before=None) -> dict[str, int]:
    """Send what is due (pending or failed past its backoff). Safe to run concurrently.

    ``due_before`` leaves messages that fell due later (just queued, so the task
    worker's) alone: the daily run retries only what was due when it started.
    """
    now = timezone.now()
    dead = OutboxMessage.objects.filter(
        state=State.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(state=State.DEAD, last_error="Interrupted while sending; not retried.")
    due = list(
        OutboxMessage.objects.filter(
            state__in=[State.PENDING, State.FAILED],
            next_attempt_at__lte=min(now, due_before or now),
        )
        .order_by("next_attempt_at")[:limit]
    )
    sent = _send_each(due)
    return {"due": len(due), "sent": sent, "failed": len(due) - sent, "interrupted": dead}


def deliver_queued(batch: int = QUEUED_BATCH, most: int = QUEUED_MOST) -> dict[str, int]:
    """Send the emails waiting to be sent for the first time (``pending`` and due),
    oldest first, ``batch`` at a time: what a delivery task does (see
    :mod:`.tasks`). ``more`` says it stopped at ``most`` with some left.

    It first clears the wake-up mark, then reads: an email committed after the clear
    asks for a task of its own, one committed before it is read here. Each row is
    still claimed on its own, so this can run beside other senders.
    """
    if not OutboxWakeup.objects.filter(pk=OutboxWakeup.ROW).update(requested_at=None):
        OutboxWakeup.objects.get_or_create(pk=OutboxWakeup.ROW)
    sent = seen = after = 0
    more = False
    while True:
        rows = list(OutboxMessage.objects.filter(
            state=State.PENDING, next_attempt_at__lte=timezone.now(), pk__gt=after,
        ).order_by("pk")[:batch])
        if not rows:
            break
        sent += _send_each(rows)
        seen, after = seen + len(rows), rows[-1].pk
        if len(rows) < batch:
            break
        if seen >= most:
            more = True
            break
    return {"seen": seen, "sent": sent, "more": more}
