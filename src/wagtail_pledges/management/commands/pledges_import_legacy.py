"""Import signatories of the original pledge from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wagtail_pledges import legacy
from wagtail_pledges.models import LegacySignatory


class Command(BaseCommand):
    help = (
        "Import legacy signatories from a CSV with header "
        "kind,name,email,organisation,signed_on. All or nothing; re-importing is harmless."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file (UTF-8).")
        parser.add_argument(
            "--invite", action="store_true",
            help="Then email a claim link to every signatory not yet invited or claimed.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {path}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        result = legacy.import_signatories(text)
        if result.errors:
            raise CommandError(
                "Nothing was imported. Fix these and run again:\n  " + "\n  ".join(result.errors)
            )
        self.stdout.write(f"created={result.created} unchanged={result.unchanged}")
        if options["invite"]:
            pending = LegacySignatory.objects.filter(
                invited_at__isnull=True, claimed_at__isnull=True
            )
            invited = sum(1 for s in pending.iterator() if legacy.invite(s))
            self.stdout.write(f"invited={invited}")
