"""Real concurrency against PostgreSQL: many threads, one result."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.lifecycle import TransitionError
from wagtail_pledges.models import (
    LifecycleEvent,
    Membership,
    OutboxMessage,
    Pledge,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ATTEMPTS = 100
WORKERS = 30  # PostgreSQL's default max_connections is 100


def hammer(fn, attempts=ATTEMPTS):
    """Run ``fn`` ``attempts`` times from WORKERS threads released together."""
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker(n):
        try:
            if n < WORKERS:
                barrier.wait(timeout=30)
            return fn()
        except TransitionError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
            return exc
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(worker, range(attempts)))
    assert errors == [], errors[:3]
    return results


def test_100_concurrent_starts_make_one_membership_and_one_pledge():
    user = factories.UserFactory(verified=True)
    results = hammer(lambda: lifecycle.start_individual(user).pk)
    assert len(set(results)) == 1
    assert Membership.objects.filter(user=user).count() == 1
    assert Pledge.objects.filter(user=user).count() == 1
    assert LifecycleEvent.objects.filter(action="start").count() == 1


def test_100_concurrent_identical_submissions_make_one_record():
    user = factories.UserFactory(verified=True)
    pledge = factories.complete_pledge(lifecycle.start_individual(user))
    hammer(lambda: lifecycle.submit_pledge(Pledge.objects.get(pk=pledge.pk), user))
    membership = Membership.objects.get(user=user)
    assert membership.status == "active"
    assert LifecycleEvent.objects.filter(membership=membership, action="submit").count() == 1
    assert LifecycleEvent.objects.filter(membership=membership, action="approve").count() == 1
    assert sorted(OutboxMessage.objects.values_list("template", flat=True)) == ["approved"]
    from wagtail_pledges.counts import recount
    from wagtail_pledges.models import Counter

    live = dict(Counter.objects.values_list("key", "value"))
    rebuilt = recount()
    assert {k: v for k, v in live.items() if v} == {k: v for k, v in rebuilt.items() if v}


def test_100_concurrent_submissions_of_different_text_write_one_of_them_once():
    """Each request brings its own typed text (a double click, two tabs, a replay):
    the first to lock the pledge writes its text with the submission; the others see
    it submitted and change nothing, so what was submitted is one request's whole."""
    import datetime
    import itertools

    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    factories.watch_videos(user)
    strategy = factories.strategy()
    target = lifecycle.today() + datetime.timedelta(days=60)
    numbers = itertools.count()

    def submit():
        n = next(numbers)
        return lifecycle.submit_pledge(
            Pledge.objects.get(pk=pledge.pk), user,
            edits={"action": f"Action {n}", "strategy": strategy,
                   "target_date": target + datetime.timedelta(days=n % 7), "practices": []})

    hammer(submit)
    pledge.refresh_from_db()
    n = int(pledge.action.removeprefix("Action "))
    assert pledge.review_status == "approved"
    assert pledge.target_date == target + datetime.timedelta(days=n % 7)
    membership = Membership.objects.get(user=user)
    assert LifecycleEvent.objects.filter(membership=membership, action="approve").count() == 1
    assert OutboxMessage.objects.filter(to=user.email).count() == 1


def test_100_concurrent_organisation_starts_make_one_open_plan():
    plan = factories.draft_plan()
    admin, organisation = plan.created_by, plan.organisation
    results = hammer(lambda: lifecycle.start_organisation(admin, organisation=organisation).pk)
    assert set(results) == {plan.pk}


def test_two_lifecycle_runs_at_once_equal_one():
    import datetime

    from freezegun import freeze_time

    with freeze_time("2026-01-10"):
        members = [factories.active_individual() for _ in range(6)]
    assert len(members) == 6
    OutboxMessage.objects.all().delete()
    with freeze_time("2027-11-20"):
        results = hammer(lifecycle.run_daily, attempts=2 * WORKERS)
    total = {key: sum(r[key] for r in results) for key in ("renewal_due", "reminders")}
    assert total == {"renewal_due": 6, "reminders": 6}
    assert OutboxMessage.objects.filter(template="renewal_due").count() == 6
    assert set(Membership.objects.values_list("status", flat=True)) == {"renewal_due"}
    with freeze_time(datetime.date(2028, 1, 11)):
        results = hammer(lifecycle.run_daily, attempts=2 * WORKERS)
    assert sum(r["lapsed"] for r in results) == 6
    assert LifecycleEvent.objects.filter(action="lapse").count() == 6


def test_a_token_is_used_once_under_concurrency():
    from wagtail_pledges import accounts

    person = factories.UserFactory()
    pledge = factories.complete_pledge(lifecycle.start_individual(person))
    lifecycle.submit_pledge(pledge, person)
    body = OutboxMessage.objects.get(template="confirm_email").render().text
    token = body.split("/pledges/confirm/")[1].split("/")[0]
    from wagtail_pledges.tokens import TokenError

    def confirm():
        try:
            accounts.confirm_email(token)
            return "ok"
        except TokenError:
            return "used"

    results = hammer(confirm, attempts=WORKERS)
    assert results.count("ok") == 1
    assert Membership.objects.get(user=person).status == "active"


def test_commits_at_once_ask_for_one_delivery_task(settings, monkeypatch):
    """Of 100 commits that queued emails at once, one enqueues the delivery task; the
    rest find it waiting (docs/explanation/outbox.md, "One task for many emails")."""
    from wagtail_pledges.notifications import outbox
    from wagtail_pledges.notifications.models import OutboxWakeup
    from wagtail_pledges.notifications.tasks import send_queued_emails
    from wagtail_pledges.task_framework import task_backend

    settings.TASKS = {"default": {"BACKEND": task_backend("dummy")}}
    # Each thread has its own backend instance: count enqueues on the class.
    backend = type(send_queued_emails.get_backend())
    enqueued, original = [], backend.enqueue
    monkeypatch.setattr(backend, "enqueue", lambda self, task, args, kwargs: (
        enqueued.append(task.name), original(self, task, args, kwargs))[1])
    OutboxWakeup.objects.update(requested_at=None)
    counter = iter(range(ATTEMPTS))
    lock = threading.Lock()

    def commit_an_email():
        with lock:
            n = next(counter)
        outbox.queue_email(f"wake-{n}", "lapsed", [f"p{n}@example.org"], {
            "site_name": "Test", "dashboard_url": "http://x/", "subject_name": "S",
            "membership": None})  # autocommit: its own transaction, then the ask

    hammer(commit_an_email)
    assert OutboxMessage.objects.filter(state="pending").count() == ATTEMPTS
    assert enqueued == ["send_queued_emails"]
    sent = send_queued_emails.call()
    assert sent == {"seen": ATTEMPTS, "sent": ATTEMPTS}


def test_delivery_tasks_at_once_send_each_email_once(mailoutbox):
    """Two delivery tasks draining the same pending emails at once (two workers, or a
    task beside `pledges_send_outbox`): each row is claimed by one of them."""
    from django.utils import timezone

    from wagtail_pledges.notifications import outbox
    from wagtail_pledges.notifications.delivery import deliver_queued

    for n in range(ATTEMPTS):
        outbox.queue_email(f"race-{n}", "lapsed", [f"r{n}@example.org"], {
            "site_name": "Test", "dashboard_url": "http://x/", "subject_name": "S",
            "membership": None})
    mailoutbox.clear()  # the immediate backend sent them at each commit: make them pending again
    OutboxMessage.objects.update(state="pending", attempts=0, subject="", body_text="",
                                 body_html="", sent_at=None, next_attempt_at=timezone.now())
    done = hammer(deliver_queued, attempts=WORKERS)
    assert sum(d["sent"] for d in done) == ATTEMPTS
    assert sorted(to for m in mailoutbox for to in m.to) == sorted(
        f"r{n}@example.org" for n in range(ATTEMPTS))
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {("sent", 1)}
