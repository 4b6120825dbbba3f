"""Queue emails as rows; the send task delivers them after commit (:mod:`.delivery`).

Guarantees (see docs/explanation/outbox.md):

* nothing lost — the row is written in the same transaction as the change that
  caused it, before any attempt to talk to a mail server;
* never sent twice — ``idempotency_key`` is unique, and a row is claimed by a
  conditional UPDATE before sending, so two workers never send the same row;
* failures visible — ``state``, ``attempts`` and ``last_error`` show in the admin.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from .delivery import STALE_SENDING, deliver, deliver_due, retry_now
from .models import OutboxMessage
from .tasks import send_outbox_message

# Sending lives in .delivery (the task imports it); these names stay importable
# from here, where callers have always found them.
__all__ = ["STALE_SENDING", "deliver", "deliver_due", "queue_email", "render_email",
           "retry_now"]

logger = logging.getLogger(__name__)
TEMPLATE_DIR = "wagtail_pledges/emails"


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
    for key in keys:
        _enqueue(send_outbox_message, key)


def _enqueue(task, key: str) -> None:
    try:
        task.enqueue(key)
    except Exception:  # the row stays pending; the next lifecycle run retries it
        logger.exception("Could not enqueue outbox message %s", key)
