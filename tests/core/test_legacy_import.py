"""The legacy file parser: preview, skip-invalid, rejects CSV, every kind of bad row."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from wagtail_pledges.legacy_import import (
    import_signatories,
    parse_signatories,
    rejects_csv,
)
from wagtail_pledges.models import LegacySignatory

pytestmark = pytest.mark.django_db

HEADER = "kind,name,email,organisation,signed_on\n"

# Fifteen bad rows as an old system exports them; each must be caught, by line.
BAD_ROWS = [
    ("individual,Future Fay,fay@example.org,,2028-01-01", "signed_on", "future"),
    ("individual,Leap Lee,lee@example.org,,2015-02-30", "signed_on", "real"),
    ("individual,Month Mo,mo@example.org,,2015-13-01", "signed_on", "real"),
    ("individual,Slash Sam,sam@example.org,,01/06/2015", "signed_on", "real"),
    ("individual,Ancient Al,al@example.org,,1850-01-01", "signed_on", "before"),
    ("individual,No At,no-at.example.org,,2015-01-01", "email", "valid"),
    ("individual,Blank Email,,,2015-01-01", "email", "valid"),
    ("individual,Two Ats,a@@example.org,,2015-01-01", "email", "valid"),
    ("robot,Rob,rob@example.org,,2015-01-01", "kind", "individual"),
    (",Kindless,kindless@example.org,,2015-01-01", "kind", "individual"),
    ("individual,,nameless@example.org,,2015-01-01", "name", "empty"),
    ("individual,   ,spaces@example.org,,2015-01-01", "name", "empty"),
    ("organisation,Orgless Olive,olive@example.org,,2015-01-01", "organisation", "needs"),
    ("individual,Shifted,shift@example.org,,2015-01-01,extra", "row", "more cells"),
    # The same address as the second good row (an individual), under another name.
    ("individual,Ann Smyth,person1@example.org,,2015-01-01", "email", "already on line 3"),
]


def messy_file(good: int = 1985) -> tuple[str, dict[int, tuple[str, str]]]:
    """``good`` valid rows with the bad ones spread through; returns text and bad lines."""
    lines = [HEADER.strip()]
    bad_lines = {}
    bad = iter(BAD_ROWS)
    step = max(good // len(BAD_ROWS), 1)
    for n in range(good):
        kind = "organisation" if n % 5 == 0 else "individual"
        organisation = f"Trust {n}" if kind == "organisation" else ""
        lines.append(f"{kind},Person {n},person{n}@example.org,{organisation},2015-06-01")
        if n % step == step - 1:
            row = next(bad, None)
            if row:
                lines.append(row[0])
                bad_lines[len(lines)] = row[1:]
    return "\n".join(lines) + "\n", bad_lines


@freeze_time("2026-03-01")
class TestPreviewAndImport:
    def test_every_bad_row_is_reported_by_line_field_and_reason(self):
        text, bad_lines = messy_file()
        assert len(bad_lines) == 15
        parsed = parse_signatories(text)
        assert (len(parsed.new), parsed.unchanged, len(parsed.invalid)) == (1985, 0, 15)
        assert set(parsed.invalid) == set(bad_lines)
        for line, (field, reason) in bad_lines.items():
            problems = parsed.invalid[line][1]
            assert any(p.field == field and reason in p.reason for p in problems), (line, problems)
        assert not LegacySignatory.objects.exists()  # the preview writes nothing

    def test_duplicate_names_both_lines(self):
        text = HEADER + ("individual,Ann Smith,ann@example.org,,2015-01-01\n"
                         "individual,Anne Smith,ANN@example.org,,2016-01-01\n")
        errors = [str(e) for e in parse_signatories(text).errors]
        assert errors == ["line 3: email: ann@example.org is already on line 2; "
                          "one row per signatory"]

    def test_all_or_nothing_without_skip_invalid(self):
        text, _bad = messy_file(good=100)
        result = import_signatories(text)
        assert not result.written and result.created == 0 and result.invalid == 15
        assert not LegacySignatory.objects.exists()

    def test_skip_invalid_imports_the_rest_and_rejects_come_back_as_csv(self):
        text, bad_lines = messy_file()
        result = import_signatories(text, skip_invalid=True)
        assert (result.created, result.unchanged, result.invalid) == (1985, 0, 15)
        assert LegacySignatory.objects.count() == 1985
        assert LegacySignatory.objects.get(email="person1@example.org").name == "Person 1"
        assert not LegacySignatory.objects.filter(signed_on__year=2028).exists()

        rejects = list(csv.DictReader(io.StringIO(rejects_csv(text))))
        assert [int(r["line"]) for r in rejects] == sorted(bad_lines)
        assert rejects[0]["name"] == "Future Fay" and "future" in rejects[0]["problems"]

        # Re-importing the same file changes nothing.
        again = import_signatories(text, skip_invalid=True)
        assert (again.created, again.unchanged) == (0, 1985)
        assert LegacySignatory.objects.count() == 1985

        # The rejects file, fixed in a spreadsheet, goes straight back in.
        fixed = io.StringIO()
        writer = csv.DictWriter(fixed, fieldnames=list(rejects[0]))
        writer.writeheader()
        row = {**rejects[0], "signed_on": "2018-01-01"}
        writer.writerow(row)
        assert import_signatories(fixed.getvalue()).created == 1

    def test_unknown_and_missing_columns_name_the_expected_header(self):
        errors = [str(e) for e in parse_signatories("kind,name,mail,signed\nx,y,z,w\n").errors]
        assert any("missing column(s) email, organisation, signed_on" in e for e in errors)
        assert any("unknown column(s) mail, signed" in e for e in errors)
        assert all("expected header: kind,name,email,organisation,signed_on" in e
                   for e in errors)
        assert import_signatories("kind,name,mail\n").written is False

    def test_ten_thousand_rows_in_bounded_queries(self, django_assert_max_num_queries):
        rows = [f"individual,P {n},p{n}@example.org,,2015-01-01" for n in range(10_000)]
        text = HEADER + "\n".join(rows) + "\n"
        seen = []
        # Never a query per row: one SELECT of existing emails per 1,000 rows, and
        # INSERTs as large as the backend allows (SQLite: 999 parameters, 100 rows;
        # PostgreSQL: 1,000 rows). Measured: 112 on SQLite.
        with django_assert_max_num_queries(120):
            result = import_signatories(text, progress=lambda done, total: seen.append(done))
        assert result.created == 10_000
        assert seen[-1] == 10_000 and len(seen) == 10
        with django_assert_max_num_queries(12):
            assert import_signatories(text).unchanged == 10_000


@freeze_time("2026-03-01")
class TestCommand:
    def run(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("pledges_import_legacy", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_dry_run_skip_invalid_and_rejects(self, tmp_path):
        text, bad_lines = messy_file(good=60)
        path = tmp_path / "export.csv"
        path.write_text(text, encoding="utf-8")
        out, err = self.run(str(path), "--dry-run")
        assert "would create=60 unchanged=0 invalid=15" in out
        first_bad = min(bad_lines)
        assert f"invalid: line {first_bad}: signed_on: 2028-01-01 is in the future" in err
        assert not LegacySignatory.objects.exists()

        with pytest.raises(CommandError, match="Nothing was imported"):
            self.run(str(path))
        assert not LegacySignatory.objects.exists()

        rejects = tmp_path / "rejects.csv"
        out, err = self.run(str(path), "--skip-invalid", "--rejects", str(rejects))
        assert "created=60 unchanged=0 invalid=15" in out
        assert "imported 60/60" in err
        assert len(rejects.read_text().splitlines()) == 16
        out, _err = self.run(str(path), "--skip-invalid")
        assert "created=0 unchanged=60" in out
