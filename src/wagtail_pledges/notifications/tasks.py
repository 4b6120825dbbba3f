"""Background work. Uses ``django.tasks`` where Django has it, else the backport."""

try:  # Django 6.0+
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport, same API
    from django_tasks import task

from . import outbox


@task()
def send_outbox_message(message_id: int) -> bool:
    return outbox.deliver(message_id)
