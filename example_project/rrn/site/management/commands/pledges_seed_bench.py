"""Seed benchmark volumes in bulk: ``pledges_seed_bench --members N --organisations M``."""

from django.core.management.base import BaseCommand, CommandError

from rrn.site.bench_seed import DEFAULT_VIDEO_KEYS, PASSWORD, seed
from wagtail_pledges.pages.models import IndividualPledgePage


class Command(BaseCommand):
    help = ("Create N active individual members and M organisations with approved, "
            "published plans, in bulk (benchmark volumes; not for real sites).")

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000,
                            help="individual members (default 100,000)")
        parser.add_argument("--organisations", type=int, default=10_000,
                            help="organisations with an approved plan (default 10,000)")
        parser.add_argument("--prefix", default=None,
                            help="makes emails and slugs unique to this run (default: random)")

    def handle(self, *args, **options):
        if options["members"] < 0 or options["organisations"] < 0:
            raise CommandError("--members and --organisations must be 0 or more.")
        result = seed(options["members"], options["organisations"], prefix=options["prefix"],
                      video_keys=_pledge_page_video_keys(),
                      progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {result.individuals} members and {result.organisations} organisations "
            f"in {result.seconds:.1f} s (prefix {result.prefix}; password {PASSWORD!r})."
        ))


def _pledge_page_video_keys() -> list[str]:
    """The awareness videos the site's pledge page counts, so seeded members have
    watched exactly those."""
    page = IndividualPledgePage.objects.live().first()
    keys = [video.video_key for video in page.video_blocks] if page else []
    return keys or list(DEFAULT_VIDEO_KEYS)
