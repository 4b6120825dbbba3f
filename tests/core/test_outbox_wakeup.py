"""Delivery is asked for, not enqueued per email: commits share one waiting task, and
no email committed is left without a task to send it (docs/explanation/outbox.md)."""

import datetime
import logging

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail_pledges.models import OutboxMessage
from wagtail_pledges.notifications import outbox, tasks
from wagtail_pledges.notifications.delivery import deliver_queued
from wagtail_pledges.notifications.models import OutboxWakeup
from wagtail_pledges.task_framework import task_backend

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


@pytest.fixture
def queued_tasks(settings):
    """Tasks are kept, not run (the dummy backend): the list of those enqueued."""
    from wagtail_pledges.task_framework import TASKS_PACKAGE

    settings.TASKS = {"default": {"BACKEND": task_backend("dummy")}}
    backends = __import__(TASKS_PACKAGE, fromlist=["task_backends"]).task_backends
    backend = backends["default"]
    backend.clear()
    return backend.results


def commit_one(django_capture_on_commit_callbacks, key):
    with django_capture_on_commit_callbacks(execute=True):
        return outbox.queue_email(key, "lapsed", [f"{key}@example.org"], {
            "site_name": "Test", "dashboard_url": "http://x/", "subject_name": "S",
            "membership": None})


def wakeup():
    return OutboxWakeup.objects.get(pk=OutboxWakeup.ROW)


def test_the_wakeup_row_exists_after_migrate():
    assert wakeup().requested_at is None


def test_many_commits_share_one_waiting_task(queued_tasks, django_capture_on_commit_callbacks):
    for n in range(5):
        commit_one(django_capture_on_commit_callbacks, f"k{n}")
    assert [r.task.name for r in queued_tasks] == ["send_queued_emails"]
    assert wakeup().requested_at is not None
    assert OutboxMessage.objects.filter(state=State.PENDING).count() == 5

    done = tasks.send_queued_emails.call()
    assert done == {"seen": 5, "sent": 5}
    assert sorted(to for m in mail.outbox for to in m.to) == [
        f"k{n}@example.org" for n in range(5)]
    assert wakeup().requested_at is None
    # The next commit asks again: the task that was waiting has started.
    commit_one(django_capture_on_commit_callbacks, "later")
    assert len(queued_tasks) == 2


def test_the_task_clears_its_mark_before_it_reads_what_is_pending(
        queued_tasks, django_capture_on_commit_callbacks):
    """An email committed after the clear asks for a task of its own; one committed
    before it is read by this one. Reordering the two would strand an email."""
    commit_one(django_capture_on_commit_callbacks, "k")
    with CaptureQueriesContext(connection) as queries:
        deliver_queued()
    statements = [q["sql"] for q in queries]
    clear = next(i for i, sql in enumerate(statements) if "outboxwakeup" in sql)
    read = next(i for i, sql in enumerate(statements)
                if sql.startswith("SELECT") and "outboxmessage" in sql)
    assert clear < read
    assert statements[clear].startswith("UPDATE")


def test_a_lost_task_is_asked_for_again(queued_tasks, django_capture_on_commit_callbacks):
    commit_one(django_capture_on_commit_callbacks, "a")
    # Asked for a minute ago and not started: still waiting, so no second task.
    OutboxWakeup.objects.update(requested_at=timezone.now() - datetime.timedelta(minutes=1))
    commit_one(django_capture_on_commit_callbacks, "b")
    assert len(queued_tasks) == 1
    # Asked for longer ago than WAKEUP_STALE: taken to be lost, asked for again.
    OutboxWakeup.objects.update(
        requested_at=timezone.now() - tasks.WAKEUP_STALE - datetime.timedelta(seconds=1))
    commit_one(django_capture_on_commit_callbacks, "c")
    assert len(queued_tasks) == 2


def test_a_failed_enqueue_leaves_no_mark(queued_tasks, django_capture_on_commit_callbacks,
                                         monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("queue unreachable")

    backend = type(tasks.send_queued_emails.get_backend())
    monkeypatch.setattr(backend, "enqueue", refuse)
    with caplog.at_level(logging.ERROR, logger="wagtail_pledges.notifications.tasks"):
        commit_one(django_capture_on_commit_callbacks, "a")
    assert "Could not enqueue the outbox's delivery task" in caplog.text
    assert wakeup().requested_at is None  # so the next commit asks again
    assert OutboxMessage.objects.get().state == State.PENDING  # nothing lost
    monkeypatch.undo()
    commit_one(django_capture_on_commit_callbacks, "b")
    assert len(queued_tasks) == 1


def test_a_task_sends_its_share_and_asks_for_another_for_the_rest(
        queued_tasks, django_capture_on_commit_callbacks, monkeypatch):
    from wagtail_pledges.notifications import delivery

    for n in range(5):
        commit_one(django_capture_on_commit_callbacks, f"k{n}")
    monkeypatch.setattr(delivery, "QUEUED_BATCH", 2)
    monkeypatch.setattr(delivery, "QUEUED_MOST", 4)
    assert tasks.send_queued_emails.call() == {"seen": 4, "sent": 4}
    assert len(mail.outbox) == 4
    assert len(queued_tasks) == 2  # the first, and the one asked for the rest
    # A backlog's next task is not held back to gather more.
    assert queued_tasks[0].task.run_after is not None and queued_tasks[1].task.run_after is None
    assert tasks.send_queued_emails.call() == {"seen": 1, "sent": 1}
    assert not OutboxMessage.objects.filter(state=State.PENDING).exists()


def test_rows_another_sender_claimed_are_skipped_not_read_again(
        queued_tasks, django_capture_on_commit_callbacks):
    for n in range(3):
        commit_one(django_capture_on_commit_callbacks, f"k{n}")
    # A row whose clock is ahead (queued by a web server whose clock runs fast) is not
    # due yet: left for later, and the task does not spin on it.
    OutboxMessage.objects.filter(idempotency_key__startswith="k2").update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    assert deliver_queued(batch=1) == {"seen": 2, "sent": 2, "more": False}
    assert OutboxMessage.objects.filter(state=State.PENDING).count() == 1


def test_failed_and_sent_rows_are_left_alone(queued_tasks, django_capture_on_commit_callbacks):
    commit_one(django_capture_on_commit_callbacks, "a")
    OutboxMessage.objects.update(state=State.FAILED, next_attempt_at=timezone.now())
    assert deliver_queued() == {"seen": 0, "sent": 0, "more": False}
    assert mail.outbox == []  # retries keep their backoff: the daily run's, or an editor's


def test_retry_asks_for_a_task(queued_tasks, django_capture_on_commit_callbacks):
    commit_one(django_capture_on_commit_callbacks, "a")
    tasks.send_queued_emails.call()
    OutboxMessage.objects.update(state=State.DEAD)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry_now(OutboxMessage.objects.values_list("pk", flat=True)) == 1
    assert len(queued_tasks) == 2
    tasks.send_queued_emails.call()
    assert OutboxMessage.objects.get().state == State.SENT


def test_the_task_remakes_a_missing_row(queued_tasks):
    OutboxWakeup.objects.all().delete()
    assert deliver_queued() == {"seen": 0, "sent": 0, "more": False}
    assert wakeup().requested_at is None


def test_tasks_enqueued_one_per_email_before_this_change_still_send(
        queued_tasks, django_capture_on_commit_callbacks):
    [key] = commit_one(django_capture_on_commit_callbacks, "a")
    assert tasks.send_outbox_message.call(key) is True
    assert tasks.send_outbox_message.call(key) is False  # never twice
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_wakeup_row_is_back_after_a_flush():
    """A ``transaction=True`` test flushes every table; the ``post_migrate`` receiver
    (which a flush triggers) makes the row again, as ``migrate`` does."""
    assert wakeup().requested_at is None


def test_run_inside_a_request_it_sends_one_batch_and_chains_no_task(
        django_capture_on_commit_callbacks, monkeypatch):
    """With the immediate backend (no task worker) the task runs in the request whose
    commit asked for it: a backlog costs that request one batch, not all of it."""
    from wagtail_pledges.notifications import delivery

    monkeypatch.setattr(delivery, "QUEUED_BATCH", 2)
    OutboxWakeup.objects.update(requested_at=timezone.now())  # a task "waiting": none runs
    for n in range(5):
        commit_one(django_capture_on_commit_callbacks, f"k{n}")
    assert mail.outbox == []
    OutboxWakeup.objects.update(requested_at=None)
    commit_one(django_capture_on_commit_callbacks, "k5")  # this request's commit asks
    assert len(mail.outbox) == 2  # one batch, oldest first
    assert [to for m in mail.outbox for to in m.to] == ["k0@example.org", "k1@example.org"]
    assert OutboxMessage.objects.filter(state=State.PENDING).count() == 4
    assert wakeup().requested_at is None  # the next commit's task takes the rest


def test_the_wakeup_update_is_written_once_not_compiled_each_commit(queued_tasks):
    """Every commit that queued an email runs the wake-up UPDATE: its SQL is written
    once (sql_writes.written_sql), and it answers as the ORM's filter would."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLUpdateCompiler

    def wake():
        with mock.patch.object(SQLUpdateCompiler, "as_sql", autospec=True) as compiled:
            asked = tasks.wake_sender()
        assert not compiled.called
        return asked

    tasks.wake_sender()  # the first writes its SQL
    OutboxWakeup.objects.update(requested_at=None)
    assert wake() is True  # not set: set, one task
    assert wake() is False  # set and fresh: left
    OutboxWakeup.objects.update(
        requested_at=timezone.now() - tasks.WAKEUP_STALE - datetime.timedelta(seconds=1))
    assert wake() is True  # stale: set again
    OutboxWakeup.objects.update(
        requested_at=timezone.now() - tasks.WAKEUP_STALE + datetime.timedelta(seconds=30))
    assert wake() is False  # nearly stale, still fresh
    assert len(queued_tasks) == 3


def test_a_commits_task_waits_to_gather_the_next_commits_emails(
        queued_tasks, django_capture_on_commit_callbacks, settings):
    """Under load a task per email batch of a handful costs the worker more than the
    emails do: the task a commit asks for runs OUTBOX_GATHER_SECONDS later, and the
    commits meanwhile find it waiting and add their emails to it."""
    before = timezone.now()
    for n in range(3):
        commit_one(django_capture_on_commit_callbacks, f"k{n}")
    after = timezone.now()
    assert len(queued_tasks) == 1
    run_after = queued_tasks[0].task.run_after
    gather = datetime.timedelta(seconds=1)  # the default
    assert before + gather <= run_after <= after + gather
    assert tasks.send_queued_emails.call() == {"seen": 3, "sent": 3}

    settings.WAGTAIL_PLEDGES = {"OUTBOX_GATHER_SECONDS": 0}
    commit_one(django_capture_on_commit_callbacks, "now")
    assert len(queued_tasks) == 2 and queued_tasks[1].task.run_after is None


def test_a_backend_that_cannot_defer_sends_at_once(django_capture_on_commit_callbacks):
    """The immediate backend (the demo's, a site with no worker) cannot defer a task:
    the email goes in the commit's request, as before."""
    commit_one(django_capture_on_commit_callbacks, "now")
    assert [to for m in mail.outbox for to in m.to] == ["now@example.org"]
    assert OutboxMessage.objects.get().state == State.SENT
