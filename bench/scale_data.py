"""A bulk-created dataset for timing maintenance and search at scale (issue 13).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME python bench/scale_data.py

Writes ``BENCH_MEMBERS`` (default 100,000) members — nine in ten individuals, one in
ten organisations with an admin and an approved, live plan — straight into the
tables, in the state a daily lifecycle run would have left them (statuses, reminders
sent, groups, counters), then times ``pledges_recount`` (nothing to repair, then with
every group link dropped), ``pledges_lifecycle`` and directory search.
``BENCH_SCALE_STEPS=busy`` times two busy days after seeding instead (run it on a
copy: ``createdb -T NAME NAME_run``; the days change the data). This is a small
generator for these timings only; ``pledges_seed_bench`` (helper H1) is the full one.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail_pledges import counts, groups  # noqa: E402
from wagtail_pledges.models import (  # noqa: E402
    ActionPlan,
    Location,
    Membership,
    Organisation,
    OrganisationRole,
    ReviewStatus,
    Sector,
    Status,
    Tier,
)

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
BATCH = 5000
WORDS = ("restraint seclusion debriefing training trauma informed care positive behaviour "
         "support review data dignity family advocacy reduction prone safety wellbeing "
         "listening restrictive practice learning culture leadership").split()


def _state(period_end: datetime.date, on: datetime.date) -> tuple[str, list[int]]:
    """The status and reminders a daily run leaves for a period ending then."""
    left = (period_end - on).days
    if left > 60:
        return Status.ACTIVE, []
    return Status.RENEWAL_DUE, [60] if left > 14 else [60, 14]


def seed(members: int = MEMBERS, seed_value: int = 13) -> None:
    rng = random.Random(seed_value)
    User = get_user_model()
    on = timezone.localdate()
    password = make_password(None)  # unusable, and hashed once, not per row
    sector_ids = list(Sector.objects.values_list("pk", flat=True))
    location_ids = list(Location.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, members, BATCH):
        users = User.objects.bulk_create(
            [User(email=f"m{n}@scale.example", password=password)
             for n in range(start, min(members, start + BATCH))]
        )
        rows, orgs = [], []
        for user in users:
            n = int(user.email[1:].split("@")[0])
            if n % 10 == 0:
                orgs.append((user, n))
                continue
            end = on + datetime.timedelta(days=rng.randint(1, 365))
            status, sent = _state(end, on)
            rows.append(Membership(tier=Tier.INDIVIDUAL, status=status, user=user,
                                   period_start=end - datetime.timedelta(days=730),
                                   period_end=end, reminders_sent=sent))
        Membership.objects.bulk_create(rows)
        created = Organisation.objects.bulk_create(
            [Organisation(name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} "
                               f"Trust {n}", slug=f"scale-trust-{n}",
                          sector_id=rng.choice(sector_ids), location_id=rng.choice(location_ids))
             for _u, n in orgs]
        )
        OrganisationRole.objects.bulk_create(
            [OrganisationRole(organisation=o, user=u, role=OrganisationRole.Role.ADMIN)
             for o, (u, _n) in zip(created, orgs, strict=True)]
        )
        org_memberships = []
        for org in created:
            end = on + datetime.timedelta(days=rng.randint(1, 365))
            status, sent = _state(end, on)
            org_memberships.append(Membership(
                tier=Tier.ORGANISATION, status=status, organisation=org, period_end=end,
                period_start=end - datetime.timedelta(days=730), reminders_sent=sent))
        Membership.objects.bulk_create(org_memberships)
        ActionPlan.objects.bulk_create(
            [ActionPlan(organisation=o, organisation_name=o.name, membership=m,
                        review_status=ReviewStatus.APPROVED, live=True, decided_at=now,
                        period_start=m.period_start, period_end=m.period_end,
                        public_summary=" ".join(rng.choice(WORDS) for _ in range(40)))
             for o, m in zip(created, org_memberships, strict=True)]
        )
        sys.stderr.write(f"seeded {start + len(users)}/{members}\r")
    sys.stderr.write("\n")
    counts.recount()
    groups.repair_groups()


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.2f} s", flush=True)
    return result


def search_timings(requests: int = 15) -> None:
    """Median latency of the API plan list (the directory's FilterSet) unfiltered and
    searched, in-process; the budget is a search within 2x of the unfiltered page."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    results = {}
    for label, query in (("unfiltered", {}), ("broad word", {"q": "care"}),
                         ("prefix of a name", {"q": "Trust 424"}),
                         ("no match", {"q": "zzzz"})):
        client.get("/api/pledges/v1/plans/", query)  # warm
        times = []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/api/pledges/v1/plans/", query)
                times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        times.sort()
        results[label] = times[len(times) // 2]
        print(f"API plans {label:>17}: p50 {results[label] * 1000:6.1f} ms, "
              f"{response.json()['count']:5} plans, {len(queries)} queries, "
              f"{results[label] / results['unfiltered']:.2f}x unfiltered", flush=True)


def busy_days(first: int = 1, last: int = 2) -> None:
    """The daily run on the days after seeding: each is a busy day (about 1/365 of the
    members reach each threshold), and from the second on it also retries the first
    500 emails the day before left pending (the dummy task backend sends nothing).
    Prints the time of each step (the outbox's is what is left after the reminders)."""
    from wagtail_pledges import lifecycle

    on = timezone.localdate()
    for days in range(first, last + 1):
        date = on + datetime.timedelta(days=days)
        statements: list[int] = []
        marks: dict[str, float] = {}

        def count(execute, sql, params, many, context, statements=statements):
            statements.append(1)
            return execute(sql, params, many, context)

        def progress(step, done, total, marks=marks):
            marks[step] = time.perf_counter()

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            done = lifecycle.run_daily(date, progress=progress)
        ended = time.perf_counter()
        steps, previous = [], started
        for step in ("renewal_due", "lapsed", "reminders"):
            if step in marks:
                steps.append(f"{step} {marks[step] - previous:.1f} s")
                previous = marks[step]
        steps.append(f"outbox {ended - previous:.1f} s")
        print(f"daily run on {date}: {ended - started:.2f} s, {len(statements)} statements "
              f"({', '.join(steps)})", flush=True)
        print("  " + " ".join(f"{k}={v}" for k, v in done.items() if v), flush=True)


#: BENCH_SCALE_STEPS picks what runs after seeding (comma-separated; default all).
STEPS = os.environ.get("BENCH_SCALE_STEPS", "search,recount,lifecycle").split(",")


def main() -> None:
    call_command("migrate", "--noinput", verbosity=0)
    if not Membership.objects.exists():
        timed(f"seed {MEMBERS} members", seed)
    print(f"{connection.vendor}: {Membership.objects.count()} memberships, "
          f"{ActionPlan.objects.published().count()} published plans")
    if "search" in STEPS:
        search_timings()
    if "recount" in STEPS:
        timed("pledges_recount, nothing to repair", lambda: call_command("pledges_recount"))
        get_user_model().groups.through.objects.all().delete()
        timed("pledges_recount, every group link dropped",
              lambda: call_command("pledges_recount"))
    if "lifecycle" in STEPS:
        timed("pledges_lifecycle, first run today", lambda: call_command("pledges_lifecycle"))
        timed("pledges_lifecycle, again (no-op)", lambda: call_command("pledges_lifecycle"))
    if "busy" in STEPS:
        busy_days()


if __name__ == "__main__":
    main()
