"""Benchmarks for the SPEC's speed budgets, each against a baseline in the same run.

    make bench-quick                # SQLite (temporary file); `make bench` is bench/server.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pledges make bench-quick

Prints figures and ratios; exits non-zero when a budget is missed:

* membership page: ≤ plain page queries + 3, median latency ≤ 1.3 × plain page
* plans directory (and one plan): median ≤ 1.5 × plain page
* API plan list: ≤ 4 queries
* pledge submission throughput (2 workers): ≥ 40 % of a bare insert's
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import loadgen  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "150"))
PLANS = int(os.environ.get("BENCH_PLANS", "60"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "150"))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "200"))
failures: list[str] = []


def fresh_database():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(db["NAME"] + suffix).unlink(missing_ok=True)
    else:
        call_command("flush", "--noinput", verbosity=0) if _has_tables() else None
    call_command("migrate", "--noinput", verbosity=0)


def _has_tables():
    return "wagtail_pledges_membership" in connection.introspection.table_names()


def build_site():
    from wagtail.models import Page, Site

    from tests import factories
    from tests.testsite.models import PlainPage
    from wagtail_pledges.pages.models import MembershipPage, PlansIndexPage

    root = Page.get_first_root_node()
    home = PlainPage(title="Home", slug="bench-home", body="<p>Home</p>")
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "testserver", "root_page": home}
    )
    plain = PlainPage(title="About", slug="about", body="<p>" + "About us. " * 50 + "</p>")
    home.add_child(instance=plain)
    membership = MembershipPage(title="Membership", slug="membership",
                                intro="<p>" + "Join us. " * 50 + "</p>")
    home.add_child(instance=membership)
    plans = PlansIndexPage(title="Plans", slug="plans")
    home.add_child(instance=plans)
    for page in (plain, membership, plans):
        page.save_revision().publish()
    for _ in range(PLANS):
        factories.approved_plan()
    for _ in range(MEMBERS):
        factories.active_individual()
    from wagtail_pledges.models import ActionPlan

    return {
        "plain": plain.url,
        "membership": membership.url,
        "plans": plans.url,
        "plan": plans.url + ActionPlan.objects.published()
        .select_related("organisation").first().organisation.slug + "/",
        "api": "/api/pledges/v1/plans/",
    }


def measure(client, url, n=REQUESTS):
    client.get(url)  # warm caches and templates
    times = []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    query_count = len(queries)  # now: later requests reset the connection's log
    for _ in range(n):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, query_count


def check(label, ok, detail):
    mark = "ok  " if ok else "MISS"
    print(f"  [{mark}] {label}: {detail}")
    if not ok:
        failures.append(label)


def page_budgets(urls):
    client = Client()
    print(f"\nPages ({REQUESTS} requests each, {PLANS} plans, {MEMBERS} individual members)")
    results = {name: measure(client, url) for name, url in urls.items()}
    for name, (ms, q) in results.items():
        print(f"  {name:<11} median {ms:7.2f} ms   {q:2d} queries")
    base_ms, base_q = results["plain"]
    ms, q = results["membership"]
    check("membership page queries ≤ plain + 3", q <= base_q + 3, f"{q} vs {base_q}")
    check("membership page latency ≤ 1.3× plain", ms <= 1.3 * base_ms,
          f"{ms / base_ms:.2f}×")
    for name in ("plans", "plan"):
        ms, q = results[name]
        check(f"{name} latency ≤ 1.5× plain", ms <= 1.5 * base_ms, f"{ms / base_ms:.2f}×")
    check("API plan list ≤ 4 queries", results["api"][1] <= 4, f"{results['api'][1]}")


def in_processes(work, items, workers=2):
    """Run ``work(item)`` over ``items`` in ``workers`` forked processes, like a web
    server's worker processes (threads would share one GIL). Returns items/second."""
    import multiprocessing

    connections.close_all()  # never share a database connection across a fork
    context = multiprocessing.get_context("fork")
    chunks = [items[i::workers] for i in range(workers)]

    def run(chunk):
        try:
            for item in chunk:
                work(item)
        finally:
            connections.close_all()

    processes = [context.Process(target=run, args=(chunk,)) for chunk in chunks]
    elapsed = loadgen.run_together(processes)
    failed = [p.exitcode for p in processes if p.exitcode]
    if failed:
        raise RuntimeError(f"a benchmark worker failed (exit codes {failed})")
    return len(items) / elapsed


def submission_budget():
    """Both sides are whole signed-in HTTP POSTs through Django, 2 worker processes."""
    import datetime

    from tests import factories
    from wagtail_pledges import lifecycle
    from wagtail_pledges.models import Membership

    print(f"\nPledge submission ({SUBMISSIONS} signed-in POSTs each, 2 worker processes)")
    users = [factories.UserFactory(verified=True) for _ in range(SUBMISSIONS)]
    clients = []
    for user in users:  # earlier steps of the journey, not timed
        factories.watch_videos(user)
        lifecycle.start_individual(user)
        client = Client()
        client.force_login(user)
        clients.append(client)
    form = {
        "action": "Debrief after every incident",
        "strategy": str(factories.strategy().pk),
        "target_date": (lifecycle.today() + datetime.timedelta(days=60)).isoformat(),
    }

    def post(url, data):
        def send(client):
            response = client.post(url, data)
            assert response.status_code == 204, response.content[:300]
        return send

    bare = in_processes(post("/bench/insert/", {"n": "1"}), clients)
    full = in_processes(post("/bench/submit/", form), clients)
    assert Membership.objects.filter(status="active", user__in=users).count() == SUBMISSIONS
    print(f"  bare insert      {bare:8.1f} /s  (POST → one INSERT)")
    print(f"  pledge submitted {full:8.1f} /s  (POST → form, submit → active, 2 events, "
          "groups, welcome email queued)")
    check("submission ≥ 40% of bare insert", full >= 0.4 * bare, f"{full / bare:.0%}")


def main():
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"wagtail-pledges benchmarks on {engine}")
    fresh_database()
    urls = build_site()
    page_budgets(urls)
    submission_budget()
    print()
    if failures:
        print("Budgets missed: " + ", ".join(failures))
        return 1
    print("All budgets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
