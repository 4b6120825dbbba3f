"""Queue emails as rows; a delivery task sends them after commit (:mod:`.tasks`,
:mod:`.delivery`).

Guarantees (see docs/explanation/outbox.md):

* nothing lost — the row is written in the same transaction as the change that
  caused it, before any attempt to talk to a mail server (its template and a JSON
  context: rendering is the sender's work, see :func:`render_message`);
* never sent twice — ``idempotency_key`` is unique, and a row is claimed by a
  conditional UPDATE before sending, so two workers never send the same row;
* failures visible — ``state``, ``attempts`` and ``last_error`` show in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone, translation

from ..row_writes import insert_rows
from .context import pack
from .delivery import STALE_SENDING, deliver, deliver_due
from .models import OutboxMessage
from .rendering import (
    LANGUAGE,
    TEMPLATE_DIR,
    TIME_ZONE,
    Rendered,
    html_body,
    render_email,
    render_message,
)
from .tasks import retry_now, wake_sender

# Sending lives in .delivery (the task imports it); these names stay importable
# from here, where callers have always found them.
__all__ = ["STALE_SENDING", "TEMPLATE_DIR", "Rendered", "deliver", "deliver_due",
           "html_body", "queue_email", "render_email", "render_message", "retry_now"]


def queue_email(key: str, template: str, recipients: Iterable[str], context: dict) -> list[str]:
    """Write one outbox row per recipient; delivery is scheduled after commit.

    Returns the rows' idempotency keys.

    Nothing is rendered here: the row keeps ``template`` and the context packed as
    JSON (model instances by reference, see :mod:`.context`), with the language and
    time zone active now, and the sender renders it (:func:`render_message`). So the
    transaction that queues it pays one insert, not three template renders.

    Safe to call twice with the same key: the insert skips rows whose
    ``idempotency_key`` exists (one ``INSERT … ON CONFLICT DO NOTHING``), so the
    first rows stand and nothing is queued twice.
    """
    now = timezone.now()
    packed = {**pack(context), LANGUAGE: translation.get_language(),
              TIME_ZONE: timezone.get_current_timezone_name()}
    messages = [
        OutboxMessage(idempotency_key=f"{key}:{to}"[:200], template=template, to=to,
                      context=packed, next_attempt_at=now)
        for to in sorted({r.strip().lower() for r in recipients if r and r.strip()})
    ]
    if messages:
        insert_rows(messages, ignore_conflicts=True)  # bulk_create's, written once
        # Once committed, a delivery task is asked for (one for many commits at once).
        transaction.on_commit(wake_sender)
    return [m.idempotency_key for m in messages]
