"""Send every outbox message that is due (pending, or failed and past its backoff)."""

from django.core.management.base import BaseCommand

from wagtail_pledges.notifications.delivery import deliver_due


class Command(BaseCommand):
    help = "Deliver due outbox emails now. Safe to run alongside the task worker."

    def handle(self, *args, **options):
        done = deliver_due()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in done.items()))
