"""Import signatories of the original pledge from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wagtail_pledges import legacy
from wagtail_pledges.legacy_import import import_signatories, parse_signatories, rejects_csv
from wagtail_pledges.models import LegacySignatory


class Command(BaseCommand):
    help = (
        "Import legacy signatories from a CSV with header "
        "kind,name,email,organisation,signed_on. All or nothing unless --skip-invalid; "
        "re-importing is harmless."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file (UTF-8).")
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Only show what would be imported and every invalid row; write nothing.",
        )
        parser.add_argument(
            "--skip-invalid", action="store_true",
            help="Import the valid rows even if some are invalid (they are listed).",
        )
        parser.add_argument(
            "--rejects", metavar="PATH",
            help="Write the invalid rows, with the problems, to this CSV to fix and re-import.",
        )
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
        if options["rejects"]:
            Path(options["rejects"]).write_text(rejects_csv(text), encoding="utf-8")
        if options["dry_run"]:
            parsed = parse_signatories(text)
            self._list_errors(parsed.errors)
            self.stdout.write(f"would create={len(parsed.new)} unchanged={parsed.unchanged} "
                              f"invalid={len(parsed.invalid)} (dry run: nothing written)")
            return
        result = import_signatories(text, skip_invalid=options["skip_invalid"],
                                    progress=self._progress)
        if not result.written:
            raise CommandError(
                "Nothing was imported. Fix these and run again (or use --skip-invalid):\n  "
                + "\n  ".join(str(e) for e in result.errors)
            )
        self._list_errors(result.errors)
        self.stdout.write(f"created={result.created} unchanged={result.unchanged} "
                          f"invalid={result.invalid}")
        if options["invite"]:
            try:
                legacy.refuse_if_deadline_passed()
            except legacy.DeadlinePassed as exc:
                raise CommandError(exc.messages[0]) from exc
            pending = LegacySignatory.objects.filter(
                invited_at__isnull=True, claimed_at__isnull=True
            )
            invited = sum(1 for s in pending.iterator() if legacy.invite(s))
            self.stdout.write(f"invited={invited}")

    def _list_errors(self, errors) -> None:
        for error in errors:
            self.stderr.write(f"invalid: {error}")

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"imported {done}/{total}")
