"""The daily run at scale: set-based candidate selection, a cheap no-op, changes in
batches of savepoints, progress on stderr, fresh emails left to the task worker."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.core.test_recount_scale import bulk_members
from wagtail_pledges import counts, lifecycle
from wagtail_pledges.lifecycle import TransitionError, scheduler
from wagtail_pledges.models import LifecycleEvent, Membership, OutboxMessage, Status
from wagtail_pledges.task_framework import task_backend

pytestmark = pytest.mark.django_db


def queries_of_a_quiet_day() -> int:
    with CaptureQueriesContext(connection) as queries:
        done = lifecycle.run_daily()
    assert not any(done[k] for k in ("renewal_due", "reminders", "lapsed"))
    return len(queries)


def test_a_day_with_nothing_due_costs_the_same_for_10_and_200_members():
    bulk_members(10, "q-")
    with_10 = queries_of_a_quiet_day()
    bulk_members(190, "r-")
    assert queries_of_a_quiet_day() == with_10


def test_a_refused_transition_undoes_only_itself(monkeypatch):
    users = bulk_members(6, "b-")
    Membership.objects.filter(user__in=users).update(
        period_end=timezone.localdate() - datetime.timedelta(days=1))
    refused = Membership.objects.get(user=users[2])
    real_lapse = scheduler.lapse

    def lapse(membership, *args):
        if membership.pk == refused.pk:
            with transaction.atomic():  # as a lifecycle function refuses: inside
                real_lapse(membership, *args)  # its rows are written, then undone
                raise TransitionError("changed meanwhile")
        return real_lapse(membership, *args)

    monkeypatch.setattr(scheduler, "lapse", lapse)
    monkeypatch.setattr(scheduler, "BATCH", 4)  # the refused one shares a batch
    done = lifecycle.run_daily()
    assert done["lapsed"] == 5  # every individual but the refused one
    refused.refresh_from_db()
    assert refused.status == Status.ACTIVE
    assert not LifecycleEvent.objects.filter(membership=refused).exists()
    assert Membership.objects.filter(status=Status.LAPSED).count() == 5


def test_progress_goes_to_stderr_and_the_summary_to_stdout():
    users = bulk_members(4, "p-")
    Membership.objects.filter(user__in=users).update(
        period_end=timezone.localdate() + datetime.timedelta(days=10))
    out, err = StringIO(), StringIO()
    call_command("pledges_lifecycle", stdout=out, stderr=err)
    assert "renewal_due=4" in out.getvalue() and "reminders=4" in out.getvalue()
    assert "renewal_due: 4/4" in err.getvalue() and "reminders: 4/4" in err.getvalue()


def test_emails_the_run_queues_are_left_to_the_task_worker(settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": task_backend("dummy")}}
    earlier = OutboxMessage.objects.create(
        idempotency_key="earlier", template="t", to="a@example.org", subject="Hi",
        body_text="Hi", next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    users = bulk_members(2, "o-")
    Membership.objects.filter(user__in=users).update(
        period_end=timezone.localdate() + datetime.timedelta(days=10))
    done = lifecycle.run_daily()
    assert done["reminders"] == 2 and done["outbox_sent"] == 1
    assert [m.to for m in mailoutbox] == [[earlier.to]]
    fresh = OutboxMessage.objects.exclude(pk=earlier.pk)
    assert fresh.count() == 2
    assert set(fresh.values_list("state", flat=True)) == {OutboxMessage.State.PENDING}


def test_each_change_costs_a_few_statements():
    """Per membership the run changes: a renewal due is four statements (lock, update,
    counters, event: its groups stay), a reminder four (lock, update, event, email),
    an individual's lapse eight (no plans to look for, no event read back)."""
    users = bulk_members(3, "c-")
    today = timezone.localdate()
    due, remind, lapsing = (Membership.objects.get(user=u) for u in users[:3])
    Membership.objects.filter(pk=due.pk).update(period_end=today + datetime.timedelta(days=30))
    Membership.objects.filter(pk=remind.pk).update(
        status=Status.RENEWAL_DUE, period_end=today + datetime.timedelta(days=10),
        reminders_sent=[60])
    Membership.objects.filter(pk=lapsing.pk).update(period_end=today - datetime.timedelta(days=1))
    counts.recount()  # every counter row exists, as on a live site

    def statements(fn, *args):
        with CaptureQueriesContext(connection) as queries:
            assert fn(*args)
        return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]

    assert len(statements(lifecycle.mark_renewal_due, due)) == 4
    assert len(statements(lifecycle.send_renewal_reminder, remind, 14)) == 4
    lapse = statements(lifecycle.lapse, lapsing)
    assert len(lapse) == 7, "\n".join(lapse)  # the standing is one query (was 2)
    assert not [s for s in lapse if "wagtail_pledges_actionplan" in s]
    message = OutboxMessage.objects.get(template="lapsed", to=users[2].email)
    assert message.context["legacy_deadline"] is None
