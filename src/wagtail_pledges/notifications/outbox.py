"""Queue emails as rows, deliver them after commit, retry with backoff.

Guarantees (see docs/explanation/outbox.md):

* nothing lost — the row is written in the same transaction as the change that
  caused it, before any attempt to talk to a mail server;
* never sent twice — ``idempotency_key`` is unique, and a row is claimed by a
  conditional UPDATE before sending, so two workers never send the same row;
* failures visible — ``state``, ``attempts`` and ``last_error`` show in the admin.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from ..conf import pledges_settings
from .models import OutboxMessage

logger = logging.getLogger(__name__)
State = OutboxMessage.State
TEMPLATE_DIR = "wagtail_pledges/emails"
# A row left in "sending" this long was interrupted mid-send: we cannot know if the
# server accepted it, so it is marked dead for a person to look at, never resent.
STALE_SENDING = datetime.timedelta(minutes=15)


def html_body(text: str, context: dict) -> SafeString:
    """The plain text as HTML: every character escaped, then only *our* links linked.

    The text part is rendered with autoescape off (it is plain text), so it holds
    whatever a member typed — an organisation name, a reviewer's comment — verbatim.
    It is escaped here as a whole before anything is marked safe; the only markup
    added is an ``<a>`` around the context's own ``*_url`` values (links we built), so
    an address a member typed is never made clickable.
    """
    escaped = escape(str.__str__(text))  # str.__str__: drop a SafeString's "safe" mark
    urls = sorted(
        {escape(v) for k, v in context.items() if k.endswith("_url") and isinstance(v, str) and v},
        key=len, reverse=True,
    )
    if urls:
        pattern = re.compile("|".join(re.escape(u) for u in urls))
        escaped = pattern.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return SafeString(escaped)


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and (optional) ``.html``.

    The HTML part is rendered with autoescape on; a site's own ``<template>.html``
    extends ``emails/base.html`` and gets the same escaped ``html_body``.
    """
    subject = render_to_string(f"{TEMPLATE_DIR}/{template}_subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"{TEMPLATE_DIR}/{template}.txt", context)
    frame = {**context, "subject": subject, "html_body": html_body(text, context)}
    try:
        html = render_to_string(f"{TEMPLATE_DIR}/{template}.html", frame)
    except TemplateDoesNotExist:
        # No HTML version of its own: the text, in the site's HTML email frame.
        html = render_to_string(f"{TEMPLATE_DIR}/base.html", frame)
    return subject, str(text), html


def queue_email(key: str, template: str, recipients: Iterable[str], context: dict) -> list[str]:
    """Write one outbox row per recipient; delivery is scheduled after commit.

    Returns the rows' idempotency keys.

    Safe to call twice with the same key: the insert skips rows whose
    ``idempotency_key`` exists (one ``INSERT … ON CONFLICT DO NOTHING``), so the
    first rows stand and nothing is queued twice.
    """
    now = timezone.now()
    messages = []
    for to in sorted({r.strip().lower() for r in recipients if r and r.strip()}):
        subject, text, html = render_email(template, {**context, "recipient": to})
        messages.append(OutboxMessage(
            idempotency_key=f"{key}:{to}"[:200], template=template, to=to,
            subject=subject[:255], body_text=text, body_html=html, next_attempt_at=now,
        ))
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    keys = [m.idempotency_key for m in messages]
    if keys:
        transaction.on_commit(lambda: _enqueue_keys(keys))
    return keys


def _enqueue_keys(keys: list[str]) -> None:
    from .tasks import send_outbox_message

    for key in keys:
        _enqueue(send_outbox_message, key)


def _enqueue(task, key: str) -> None:
    try:
        task.enqueue(key)
    except Exception:  # the row stays pending; the next lifecycle run retries it
        logger.exception("Could not enqueue outbox message %s", key)


def deliver(message_id: int | None = None, *, key: str | None = None) -> bool:
    """Try to send one message (by pk or idempotency key) now.

    Returns True when it was sent by this call.
    """
    now = timezone.now()
    target = {"pk": message_id} if key is None else {"idempotency_key": key}
    claimed = OutboxMessage.objects.filter(
        **target, state__in=[State.PENDING, State.FAILED], next_attempt_at__lte=now
    ).update(
        state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=None, claimed_at=now
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(**target)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=pledges_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"X-Pledges-Message": message.idempotency_key[:100]},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # any transport error: record it and back off
        _record_failure(message, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.SENT, sent_at=timezone.now(), last_error=""
    )
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


def deliver_due(limit: int = 500) -> dict[str, int]:
    """Send what is due (pending or failed past its backoff). Safe to run concurrently."""
    now = timezone.now()
    dead = OutboxMessage.objects.filter(
        state=State.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(state=State.DEAD, last_error="Interrupted while sending; not retried.")
    due = list(
        OutboxMessage.objects.filter(
            state__in=[State.PENDING, State.FAILED], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for pk in due if deliver(pk))
    return {"due": len(due), "sent": sent, "failed": len(due) - sent, "interrupted": dead}


def retry_now(message_ids: Iterable[int]) -> int:
    """Make failed or dead messages due again (an editor's "retry" action)."""
    return OutboxMessage.objects.filter(
        pk__in=list(message_ids), state__in=[State.FAILED, State.DEAD]
    ).update(state=State.PENDING, next_attempt_at=timezone.now())
