"""Production shape: with django-tasks' database backend an email is queued in the
request and sent by the worker (``db_worker``), never inside the request."""

import time
from unittest import mock

import django
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.core.test_views_core import link, unconfirmed  # noqa: F401  (a fixture)
from wagtail_pledges.models import Membership, OutboxMessage

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default"]}}


def test_request_enqueues_the_email_and_the_worker_sends_it(
    client, settings, unconfirmed, django_capture_on_commit_callbacks  # noqa: F811
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    mail.outbox.clear()
    already = set(OutboxMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link("confirm_email"))
    assert response.status_code == 302
    assert Membership.objects.get(user=unconfirmed).status == "active"
    queued = OutboxMessage.objects.exclude(pk__in=already)
    assert queued.exists()
    # The request wrote the outbox rows and asked for one delivery task, and sent nothing.
    assert mail.outbox == []
    assert set(queued.values_list("state", flat=True)) == {OutboxMessage.State.PENDING}
    [task] = DBTaskResult.objects.filter(status="READY")
    assert task.task_path.endswith("send_queued_emails")
    # It waits OUTBOX_GATHER_SECONDS (1) to gather the next commits' emails: a worker
    # does not take it before then.
    wait = (task.run_after - timezone.now()).total_seconds()
    assert 0 < wait <= 1
    # The fixture's own emails were queued inside this test's transaction, whose
    # commit never comes: still pending, and the task sends them too.
    pending = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count()

    # The worker closes stale connections between tasks; inside this test's
    # transaction that would close the test's own PostgreSQL connection.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert mail.outbox == []  # not yet
        time.sleep((task.run_after - timezone.now()).total_seconds() + 0.05)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert {to for m in mail.outbox for to in m.to} == {unconfirmed.email}
    assert len(mail.outbox) == pending
    assert set(queued.values_list("state", flat=True)) == {OutboxMessage.State.SENT}
    assert not OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).exists()
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_tasks_belong_to_one_framework_on_every_django_line():
    """Our task is built by the configured backend of this Django line's framework, so
    django-tasks-db's worker (which speaks that framework) can run it."""
    from wagtail_pledges.notifications.tasks import send_outbox_message
    from wagtail_pledges.task_framework import TASKS_PACKAGE, task_backend

    expected = "django.tasks" if django.VERSION >= (6,) else "django_tasks"
    assert TASKS_PACKAGE == expected
    assert task_backend("immediate") == f"{expected}.backends.immediate.ImmediateBackend"
    assert task_backend("dummy") == f"{expected}.backends.dummy.DummyBackend"
    assert type(send_outbox_message).__module__ == f"{expected}.base"
    with pytest.raises(ValueError, match="Unknown built-in task backend 'celery'"):
        task_backend("celery")


def test_check_w014_names_a_backend_of_the_other_framework(settings):
    from wagtail_pledges.checks import check_task_framework
    from wagtail_pledges.task_framework import OTHER_PACKAGE, task_backend

    settings.TASKS = {"default": {"BACKEND": task_backend("immediate")},
                      "db": DATABASE_TASKS["default"]}
    assert check_task_framework() == []
    foreign = f"{OTHER_PACKAGE}.backends.immediate.ImmediateBackend"
    settings.TASKS = {"default": {"BACKEND": foreign}}
    [warning] = check_task_framework()
    assert warning.id == "wagtail_pledges.W014"
    assert foreign in warning.msg and "task_backend(" in warning.hint
