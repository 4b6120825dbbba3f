"""Background work, in the task framework of this Django line (see
:mod:`wagtail_pledges.task_framework`: ``django.tasks`` on Django 6, the backport before)."""

from importlib import import_module

from ..task_framework import TASKS_PACKAGE
from .delivery import deliver

task = import_module(TASKS_PACKAGE).task


@task()
def send_outbox_message(idempotency_key: str) -> bool:
    """Send one queued email (a no-op if it was sent already)."""
    return deliver(key=idempotency_key)
