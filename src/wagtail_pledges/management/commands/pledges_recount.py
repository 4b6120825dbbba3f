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

    def handle(self, *args, **options):
        values = recount()
        for key in sorted(values):
            if values[key]:
                self.stdout.write(f"{key}: {values[key]}")
        if not options["no_groups"]:
            self.stdout.write(f"group memberships repaired: {repair_groups()}")
