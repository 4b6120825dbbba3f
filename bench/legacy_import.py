"""Benchmark: a 10,000-row legacy signatory file, previewed, imported and re-imported.

    python bench/legacy_import.py                 # SQLite (temporary file)
    BENCH_DATABASE_URL=postgres://... python bench/legacy_import.py

Prints seconds and queries for each step; exits non-zero if the import takes more
than ``BENCH_IMPORT_SECONDS`` (default 10) — "10,000 rows in seconds".
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.run import connection, fresh_database  # noqa: E402  (sets Django up)

ROWS = int(os.environ.get("BENCH_LEGACY_ROWS", "10000"))
BUDGET = float(os.environ.get("BENCH_IMPORT_SECONDS", "10"))


def messy_export(rows: int) -> str:
    """``rows`` signatories, one in fifty of them wrong in some way."""
    lines = ["kind,name,email,organisation,signed_on"]
    for n in range(rows):
        if n % 50 == 49:
            lines.append(f"individual,Future {n},f{n}@example.org,,2099-01-01")
        elif n % 5 == 0:
            lines.append(f"organisation,Contact {n},c{n}@trust.example,Trust {n},2014-06-20")
        else:
            lines.append(f"individual,Person {n},p{n}@example.org,,2016-03-01")
    return "\n".join(lines) + "\n"


def timed(label, fn):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    print(f"  {label:<28} {seconds:6.2f} s  {len(queries):5d} queries")
    return result, seconds


def main() -> int:
    from wagtail_pledges.legacy_import import import_signatories, parse_signatories, rejects_csv

    engine = connection.settings_dict["ENGINE"].rsplit(".", 1)[-1]
    print(f"legacy import of {ROWS} rows on {engine}")
    fresh_database()
    text = messy_export(ROWS)
    parsed, _s = timed("preview (parse + lookup)", lambda: parse_signatories(text))
    result, seconds = timed("import --skip-invalid",
                            lambda: import_signatories(text, skip_invalid=True))
    again, _s = timed("re-import (nothing new)",
                      lambda: import_signatories(text, skip_invalid=True))
    _csv, _s = timed("rejects CSV", lambda: rejects_csv(text))
    print(f"  created={result.created} invalid={result.invalid} "
          f"re-import unchanged={again.unchanged}")
    assert len(parsed.new) == result.created and again.created == 0  # noqa: S101
    if seconds > BUDGET:
        print(f"Budget missed: import took {seconds:.1f} s (> {BUDGET:.0f} s)")
        return 1
    print(f"Budget met: import ≤ {BUDGET:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
