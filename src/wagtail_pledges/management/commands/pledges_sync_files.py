"""Move every document, image and rendition file to where its collection's privacy
says it belongs (after installing the package, or after moving collections)."""

from django.core.management.base import BaseCommand

from wagtail_pledges.files.placement import sync_files


class Command(BaseCommand):
    help = ("Move files of restricted collections to the private storage, and files of "
            "public collections back to the public storage.")

    def handle(self, *args, **options):
        moved = sync_files()
        if options["verbosity"]:
            self.stdout.write(f"files moved: {moved}")
