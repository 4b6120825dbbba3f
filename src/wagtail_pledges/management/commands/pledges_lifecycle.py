"""Daily: mark renewals due, send reminders, lapse what has ended, retry the outbox."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from wagtail_pledges import lifecycle


class Command(BaseCommand):
    help = (
        "Run the daily membership lifecycle: renewal due, reminders, lapses, outbox. "
        "Idempotent; safe to run twice or concurrently."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Act as if today were this date (YYYY-MM-DD); for catching up."
        )

    def handle(self, *args, **options):
        on = None
        if options["date"]:
            try:
                on = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        done = lifecycle.run_daily(on, progress=self._progress)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in done.items()))

    def _progress(self, step: str, done: int, total: int) -> None:
        # stderr, so stdout stays the one-line summary a script or cron mail reads.
        self.stderr.write(f"{step}: {done}/{total}")
