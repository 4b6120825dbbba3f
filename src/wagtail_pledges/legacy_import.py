"""Read a legacy signatory file: one parser for the command and the admin upload.

:func:`parse_signatories` reads a CSV and sorts every row into *new*, *unchanged*
(already imported) or *invalid* (with line number, field and reason) without writing
anything — the preview. :func:`import_signatories` then writes the new rows; unless
``skip_invalid`` is set, one invalid row means nothing is written. Rows are keyed by
(kind, email, organisation), so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LegacySignatory

COLUMNS = ("kind", "name", "email", "organisation", "signed_on")
# Added by rejects_csv() and ignored on import, so a fixed rejects file goes straight back in.
REJECT_COLUMNS = ("line", "problems")
MAX_ROWS = 100_000
BATCH_SIZE = 1_000
# The original pledge opened in June 2014; an earlier "signature" is a typo in the
# export, as is one in the future.
EARLIEST_SIGNATURE = datetime.date(2000, 1, 1)


@dataclass(frozen=True)
class RowError:
    """One problem: the file's line number (the header is line 1), a field, a reason."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.reason}"


@dataclass
class ParsedFile:
    """The preview: what an import would do, row by row."""

    new: list[dict] = field(default_factory=list)
    unchanged: int = 0
    # line number -> (raw row, its problems); the raw row is returned in the rejects CSV.
    invalid: dict[int, tuple[dict, list[RowError]]] = field(default_factory=dict)
    file_errors: list[RowError] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [*self.file_errors,
                *(e for _row, problems in self.invalid.values() for e in problems)]

    @property
    def total(self) -> int:
        return len(self.new) + self.unchanged + len(self.invalid)


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


def _key(kind: str, email: str, organisation: str) -> tuple[str, str, str]:
    # An individual is one person per address whatever the organisation column says.
    return (kind, email, organisation if kind == LegacySignatory.Kind.ORGANISATION else "")


def _parse_row(line: int, row: dict, today: datetime.date) -> tuple[dict, list[RowError]]:
    problems: list[RowError] = []

    def problem(name: str, reason: str) -> None:
        problems.append(RowError(line, name, reason))

    kind = (row.get("kind") or "").strip().lower()
    if kind not in LegacySignatory.Kind.values:
        problem("kind", _("must be 'individual' or 'organisation', not %r") % kind)
    name = (row.get("name") or "").strip()
    if not name:
        problem("name", _("is empty"))
    elif len(name) > 200:
        problem("name", _("is longer than 200 characters"))
    email = (row.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        problem("email", _("%r is not a valid address") % email)
    organisation = (row.get("organisation") or "").strip()
    if kind == LegacySignatory.Kind.ORGANISATION and not organisation:
        problem("organisation", _("an organisation signatory needs an organisation name"))
    elif len(organisation) > 200:
        problem("organisation", _("is longer than 200 characters"))
    signed_on = None
    raw_date = (row.get("signed_on") or "").strip()
    if raw_date:
        try:
            signed_on = datetime.date.fromisoformat(raw_date)
        except ValueError:
            problem("signed_on", _("%r is not a real YYYY-MM-DD date") % raw_date)
        else:
            if signed_on > today:
                problem("signed_on", _("%s is in the future") % raw_date)
            elif signed_on < EARLIEST_SIGNATURE:
                problem("signed_on", _("%s is before the pledge existed") % raw_date)
    data = {"kind": kind, "name": name, "email": email, "organisation_name": organisation,
            "signed_on": signed_on}
    return data, problems


def _header_errors(fieldnames: list[str] | None) -> list[RowError]:
    names = [(n or "").strip().lower() for n in (fieldnames or [])]
    expected = ",".join(COLUMNS)
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS and n not in REJECT_COLUMNS]
    problems = []
    if missing:
        problems.append(RowError(1, "header", _("missing column(s) %(cols)s; expected header: "
                                                "%(expected)s")
                                 % {"cols": ", ".join(missing), "expected": expected}))
    if unknown:
        problems.append(RowError(1, "header", _("unknown column(s) %(cols)s; expected header: "
                                                "%(expected)s")
                                 % {"cols": ", ".join(unknown), "expected": expected}))
    return problems


def _existing_keys(keys: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Which of ``keys`` are already imported: one query per batch of emails."""
    emails = sorted({email for _kind, email, _org in keys})
    found = set()
    for start in range(0, len(emails), BATCH_SIZE):
        rows = LegacySignatory.objects.filter(
            email__in=emails[start:start + BATCH_SIZE]).order_by()
        found.update(_key(k, e, o) for k, e, o in rows.values_list("kind", "email",
                                                                    "organisation_name"))
    return found & keys


def parse_signatories(text: str) -> ParsedFile:
    """Sort every row of a CSV (header ``kind,name,email,organisation,signed_on``).

    Writes nothing. Caught: unknown or missing columns (with the expected header),
    unknown kinds, empty names, bad emails, an organisation row without an
    organisation, impossible, future or pre-pledge dates, and a second row for the
    same signatory in the file (naming both lines).
    """
    parsed = ParsedFile()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    parsed.file_errors = _header_errors(reader.fieldnames)
    if parsed.file_errors:
        return parsed
    reader.fieldnames = [n.strip().lower() for n in reader.fieldnames]
    today = timezone.localdate()
    first_line: dict[tuple[str, str, str], int] = {}
    candidates: list[tuple[int, dict]] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(candidates) + len(parsed.invalid) >= MAX_ROWS:
                parsed.file_errors.append(RowError(line, "file", _("more than %d rows; split the "
                                                                   "file") % MAX_ROWS))
                return parsed
            raw = {c: row.get(c) or "" for c in COLUMNS}
            data, problems = _parse_row(line, row, today)
            if None in row:  # more cells than columns: the row is shifted, trust none of it
                problems.append(RowError(line, "row", _("has more cells than the header")))
            if not problems:
                key = _key(data["kind"], data["email"], data["organisation_name"])
                if key in first_line:
                    problems.append(RowError(line, "email", _(
                        "%(email)s is already on line %(first)d; one row per signatory"
                    ) % {"email": data["email"], "first": first_line[key]}))
                else:
                    first_line[key] = line
            if problems:
                parsed.invalid[line] = (raw, problems)
            else:
                candidates.append((line, data))
    except csv.Error as exc:  # e.g. a stray carriage return inside an unquoted field
        parsed.file_errors.append(RowError(reader.line_num, "file", _(
            "the file cannot be read as CSV: %s") % exc))
        return parsed
    existing = _existing_keys(set(first_line))
    for _line, data in candidates:
        if _key(data["kind"], data["email"], data["organisation_name"]) in existing:
            parsed.unchanged += 1
        else:
            parsed.new.append(data)
    return parsed


def import_signatories(text: str, *, skip_invalid: bool = False,
                       progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import a CSV; see :func:`parse_signatories` for what is checked.

    All or nothing unless ``skip_invalid``: then the valid rows are written and the
    invalid ones are left for :func:`rejects_csv`. ``progress(done, total)`` is called
    after each batch written.
    """
    parsed = parse_signatories(text)
    result = ImportResult(unchanged=parsed.unchanged, invalid=len(parsed.invalid),
                          errors=parsed.errors)
    if parsed.file_errors or (parsed.invalid and not skip_invalid):
        return result
    total = len(parsed.new)
    with transaction.atomic():
        for start in range(0, total, BATCH_SIZE):
            batch = [LegacySignatory(**data) for data in parsed.new[start:start + BATCH_SIZE]]
            # ignore_conflicts: a row imported by someone else since the preview stays
            # as it was; the unique constraint decides.
            LegacySignatory.objects.bulk_create(batch, ignore_conflicts=True)
            if progress:
                progress(min(start + BATCH_SIZE, total), total)
    result.created = total
    result.written = True
    return result


def rejects_csv(text: str) -> str:
    """The invalid rows of a file, as a CSV to fix and import again.

    The original columns come first, then ``line`` and ``problems``; the import
    ignores those two, so the corrected file can be imported as it is.
    """
    parsed = parse_signatories(text)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "line", "problems"])
    for problem in parsed.file_errors:
        writer.writerow([*([""] * len(COLUMNS)), problem.line, f"{problem.field}: "
                         f"{problem.reason}"])
    for line, (raw, problems) in sorted(parsed.invalid.items()):
        writer.writerow([*(raw[c] for c in COLUMNS), line,
                         "; ".join(f"{p.field}: {p.reason}" for p in problems)])
    return out.getvalue()
