"""Background work. Uses ``django.tasks`` where Django has it, else the backport."""

try:  # Django 6.0+
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport, same API
    from django_tasks import task

from .delivery import deliver


@task()
def send_outbox_message(idempotency_key: str) -> bool:
    """Send one queued email (a no-op if it was sent already)."""
    return deliver(key=idempotency_key)
