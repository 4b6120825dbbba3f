"""Background work, in the task framework of this Django line (see
:mod:`wagtail_pledges.task_framework`: ``django.tasks`` on Django 6, the backport before).

Delivery is asked for, not enqueued per email: a commit that queued emails calls
:func:`wake_sender`, which enqueues :func:`send_queued_emails` only when no such task
is waiting already (the :class:`~.models.OutboxWakeup` row). The task clears that
mark *before* it reads what is pending, so an email committed after the clear asks
for a task of its own, and one committed before it is read: none is left behind, and
a hundred submissions a second share a handful of tasks instead of a hundred. A
commit's task waits ``OUTBOX_GATHER_SECONDS`` (when the backend can defer), so under
load one task a second sends what was committed in it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from importlib import import_module

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone

from ..conf import pledges_settings
from ..sql_writes import written_sql
from ..task_framework import TASKS_PACKAGE
from . import delivery
from .delivery import deliver, deliver_queued
from .models import OutboxMessage, OutboxWakeup

task = import_module(TASKS_PACKAGE).task
logger = logging.getLogger(__name__)
State = OutboxMessage.State

#: A task asked for this long ago and still not started is taken to be lost (a
#: worker's queue wiped, a broker restarted): the next commit asks for another.
WAKEUP_STALE = datetime.timedelta(minutes=10)


@task()
def send_queued_emails() -> dict[str, int]:
    """Send every email waiting to be sent for the first time, oldest first.

    Run by the immediate backend (the demo's, a site without a task worker), it runs
    inside the request whose commit asked for it: there it sends one batch at most
    and asks for no second task, so a backlog never holds a member's request; what is
    left goes with the next commit's task or the daily run.
    """
    inline = _runs_inline()
    done = deliver_queued(delivery.QUEUED_BATCH,
                          delivery.QUEUED_BATCH if inline else delivery.QUEUED_MOST)
    if done.pop("more") and not inline:  # stopped at its share: the rest is another task's
        wake_sender(gather=False)  # a backlog: no reason to wait
    return done


def _runs_inline() -> bool:
    immediate = import_module(f"{TASKS_PACKAGE}.backends.immediate").ImmediateBackend
    return isinstance(send_queued_emails.get_backend(), immediate)


@task()
def send_outbox_message(idempotency_key: str) -> bool:
    """Send one queued email (a no-op if it was sent already). Emails are no longer
    enqueued one by one; tasks enqueued before that change still run."""
    return deliver(key=idempotency_key)


def wake_sender(gather: bool = True) -> bool:
    """Ask for a :func:`send_queued_emails` task unless one is already waiting; call
    it once what it should send is committed. Returns whether this call enqueued one.

    One conditional ``UPDATE`` of the wake-up row decides it, so of many commits at
    once exactly one enqueues; the others find the mark set and return. With
    ``gather`` the task runs ``OUTBOX_GATHER_SECONDS`` later (when the backend can
    defer), so the emails committed meanwhile go with it: under load, a task per
    second sends them all instead of one task per handful of emails.
    """
    now = timezone.now()
    if not _mark_requested(now):
        return False
    try:
        _delivery_task(now, gather).enqueue()
    except Exception:  # the emails stay pending; the next commit or daily run asks again
        OutboxWakeup.objects.filter(pk=OutboxWakeup.ROW, requested_at=now).update(
            requested_at=None)
        logger.exception("Could not enqueue the outbox's delivery task")
        return False
    return True


def _delivery_task(now, gather: bool):
    """:func:`send_queued_emails`, to run ``OUTBOX_GATHER_SECONDS`` after ``now`` when
    gathering and the backend can defer a task, else as soon as a worker takes it."""
    seconds = pledges_settings.OUTBOX_GATHER_SECONDS if gather else 0
    if seconds and send_queued_emails.get_backend().supports_defer:
        return send_queued_emails.using(run_after=now + datetime.timedelta(seconds=seconds))
    return send_queued_emails


def _mark_requested(now) -> bool:
    """Set the wake-up mark unless it is set and fresh: the statement every commit that
    queued an email runs, written once (``sql_writes.written_sql``), not compiled each time."""
    connection = connections[router.db_for_write(OutboxWakeup)]
    sql = written_sql("wake", OutboxWakeup, connection, lambda table, column: (
        f"UPDATE {table} SET {column('requested_at')} = %s "  # noqa: S608 (quoted names)
        f"WHERE {column('id')} = %s "
        f"AND ({column('requested_at')} IS NULL OR {column('requested_at')} < %s)"))
    field = OutboxWakeup._meta.get_field("requested_at")
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_value(now, connection), OutboxWakeup.ROW,
                             field.get_db_prep_value(now - WAKEUP_STALE, connection)])
        return cursor.rowcount == 1


def retry_now(message_ids: Iterable[int]) -> int:
    """Make failed or dead messages pending again (an editor's "retry" action); a
    delivery task is asked for once that is committed."""
    retried = OutboxMessage.objects.filter(
        pk__in=list(message_ids), state__in=[State.FAILED, State.DEAD]
    ).update(state=State.PENDING, next_attempt_at=timezone.now())
    if retried:
        transaction.on_commit(wake_sender)
    return retried


def ensure_wakeup_row(**kwargs) -> None:
    """``post_migrate``: the wake-up row exists (after ``migrate``, and after a test
    database is flushed)."""
    # ``migrate`` sends its migration state's apps; ``flush`` sends none.
    apps, using = kwargs.get("apps"), kwargs.get("using", DEFAULT_DB_ALIAS)
    try:
        model = apps.get_model("wagtail_pledges", "OutboxWakeup") if apps else OutboxWakeup
    except LookupError:  # migrated back to before it existed
        return
    if router.allow_migrate_model(using, model):  # not on a database it is routed away from
        model.objects.using(using).get_or_create(pk=OutboxWakeup.ROW)
