"""Rebuild the live counters from the source tables, and re-sync member groups."""

from django.core.management.base import BaseCommand

from wagtail_pledges.counts import recount
from wagtail_pledges.groups import repair_groups


class Command(BaseCommand):
    help = "Recompute membership and plan counters from the database; repair group drift."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-groups", action="store_true", help="Only recount; leave group membership."
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000,
            help="Users re-synced per batch of statements (default 2000).",
        )

    def handle(self, *args, **options):
        values = recount()
        for key in sorted(values):
            if values[key]:
                self.stdout.write(f"{key}: {values[key]}")
        if not options["no_groups"]:
            repaired = repair_groups(batch_size=max(1, options["batch_size"]),
                                     progress=self._progress)
            self.stdout.write(f"group memberships repaired: {repaired}")

    def _progress(self, done: int, total: int) -> None:
        # Progress goes to stderr so stdout stays the report a script can read.
        self.stderr.write(f"groups: {done}/{total} users checked", ending="\r" if done < total
                          else "\n")
