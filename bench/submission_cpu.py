"""CPU and statements per pledge submission against the ceiling, in one process (issue 13).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME python bench/submission_cpu.py

Throughput on a shared machine is noisy; the CPU a request costs its worker is not.
Each request below is timed with ``time.process_time`` (this process only: Django,
the driver, our code) and its statements are counted, for:

* ``ceiling``: a signed-in POST whose view does one INSERT and one counter UPDATE in a
  transaction (what ``bench/plain_site.py``'s ceiling view does);
* ``lifecycle``: the commit step's work alone (form, ``submit_pledge``), no page;
* ``html commit``: the individual journey's last POST, through Wagtail's page
  serving, as a member's browser sends it;
* ``api commit``: ``POST /api/pledges/v1/pledge/commit/`` from a signed-in browser
  (the session);
* ``api (token)``: the same from an API client holding a bearer token.

Every submission makes a verified member active at once (two events, counters,
groups, the welcome email queued). ``BENCH_SUBMISSIONS`` (default 150) of each, after a
warm-up; ``BENCH_TASKS=db`` enqueues delivery in ``django_tasks_db``'s table as
production does (default: the dummy backend, as ``bench/run.py``); ``BENCH_SHOW=120``
prints each kind's statements (the first 120 characters); ``BENCH_COUNTER_WAITS=1``
then times the counter row's ``UPDATE`` with one and two worker processes (and an
event ``INSERT``, which waits for no row, as the control). Prints the median
and mean CPU ms, the median statement count, and each one's CPU as a share of the
ceiling's ("≥ 40 %" is the budget, in throughput).
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N = int(os.environ.get("BENCH_SUBMISSIONS", "150"))
WARM = 10
PROFILE = os.environ.get("BENCH_PROFILE")  # a kind: its CPU profile goes to the tmp dir
SHOW = int(os.environ.get("BENCH_SHOW", "0"))  # print each kind's last statements, cut

if os.environ.get("BENCH_TASKS") == "db":
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}


def fresh_database() -> None:
    """Drop and re-create the database (a flush would drop Wagtail's root page too)."""
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(db["NAME"] + suffix).unlink(missing_ok=True)
    else:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", "--noinput", verbosity=0)


def build_page():
    from wagtail.models import Page, Site

    from tests.testsite.models import PlainPage
    from wagtail_pledges.pages.models import IndividualPledgePage

    root = Page.get_first_root_node()
    home = root.add_child(instance=PlainPage(title="Home", slug="bench-home"))
    Site.objects.update_or_create(is_default_site=True,
                                  defaults={"hostname": "testserver", "root_page": home})
    videos = [("video", {"title": f"Video {n}", "video_url": f"https://cdn.example.org/v{n}.mp4",
                         "document": None, "captions": None, "transcript": "",
                         "duration": 60}) for n in (1, 2)]
    page = home.add_child(instance=IndividualPledgePage(
        title="Pledge", slug="pledge", videos=videos, done_text="<p>Thanks.</p>"))
    return page


def joiners(page, n: int, auth: str = "session") -> list[Client]:
    """``n`` verified members with a started pledge and both videos watched, signed in
    (``auth="session"``) or holding an API bearer token (``"token"``)."""
    from django.utils import timezone
    from knox.models import get_token_model

    from tests import factories
    from wagtail_pledges import lifecycle
    from wagtail_pledges.models import VideoProgress

    now = timezone.now()
    clients = []
    for _ in range(n):
        user = factories.UserFactory(verified=True)
        lifecycle.start_individual(user)
        for video in page.video_blocks:
            VideoProgress.objects.create(
                user=user, video_key=video.video_key, duration=60, watched=[[0, 60]],
                position=60, first_report_at=now - datetime.timedelta(minutes=2),
                last_report_at=now, completed_at=now)
        client = Client()
        if auth == "token":
            _instance, token = get_token_model().objects.create(
                user=user, expiry=datetime.timedelta(hours=1))
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        else:
            client.force_login(user)
        client.user = user
        clients.append(client)
    return clients


def timed(send, clients, show=False) -> tuple[list[float], list[int]]:
    cpu, statements = [], []
    for client in clients:
        connection.queries_log.clear()  # a full log would count nothing
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            send(client)
            cpu.append((time.process_time() - started) * 1000)
        statements.append(len(queries))
    if SHOW and show:
        print(f"-- {len(queries)} statements:")
        for query in queries:
            print("   ", query["sql"][:SHOW])
    return cpu, statements


def counter_waits(page, send, n: int) -> None:
    """Does the counter row every submission updates (and holds locked until commit)
    make two workers wait for each other? The wall time of that ``UPDATE`` per
    request: one process alone, then two forked processes submitting at once."""
    import multiprocessing

    from django.db import connections

    def run(clients, out):
        spent = {"counter": [], "event": []}

        def timer(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                if sql.startswith('UPDATE "wagtail_pledges_counter"'):
                    spent["counter"].append(time.perf_counter() - started)
                elif sql.startswith('INSERT INTO "wagtail_pledges_lifecycleevent"'):
                    spent["event"].append(time.perf_counter() - started)

        try:
            with connection.execute_wrapper(timer):
                for client in clients:
                    send(client)
        finally:
            connections.close_all()
        out.put(spent)

    context = multiprocessing.get_context("fork")
    for workers in (1, 2):
        clients = joiners(page, n)
        connections.close_all()  # never share a connection across a fork
        out = context.Queue()
        processes = [context.Process(target=run, args=(clients[i::workers], out))
                     for i in range(workers)]
        for process in processes:
            process.start()
        results = [out.get() for _p in processes]
        for process in processes:
            process.join()
        for name, label in (("counter", "counter UPDATE (hot row)"),
                            ("event", "event INSERT (control)")):
            spent = sorted(t for r in results for t in r[name])
            print(f"{label}, {workers} worker(s): mean {statistics.mean(spent) * 1000:.2f} "
                  f"ms, p95 {spent[int(len(spent) * 0.95)] * 1000:.2f} ms")


def main() -> int:
    from tests import factories
    from wagtail_pledges import lifecycle
    from wagtail_pledges.models import Counter, Membership

    fresh_database()
    page = build_page()
    Counter.objects.create(key="bench:tally", value=0)
    strategy = factories.strategy()
    target = (lifecycle.today() + datetime.timedelta(days=60)).isoformat()
    form = {"action": "Debrief after every incident", "strategy": str(strategy.pk),
            "target_date": target}
    api_body = {"page": page.pk, "action": "Debrief after every incident",
                "strategy": strategy.slug, "practices": [], "target_date": target}
    commit_url = page.url + page.reverse_subpage("commit")

    def expect(status):
        def check(response):
            assert response.status_code == status, (response.status_code,
                                                    response.content[:300])
        return check

    ok204, ok302, ok200 = expect(204), expect(302), expect(200)
    kinds = {
        "ceiling": lambda c: ok204(c.post("/bench/ceiling/", {"n": "1"})),
        "lifecycle": lambda c: ok204(c.post("/bench/submit/", form)),
        "html commit": lambda c: ok302(c.post(commit_url, form)),
        "api commit": lambda c: ok200(c.post("/api/pledges/v1/pledge/commit/", api_body,
                                             content_type="application/json")),
        "api (token)": lambda c: ok200(c.post("/api/pledges/v1/pledge/commit/", api_body,
                                              content_type="application/json")),
    }
    print(f"{connection.vendor}, tasks: {settings.TASKS['default']['BACKEND']}, "
          f"{N} requests each after {WARM} warm-up")
    people = {kind: joiners(page, N + WARM, "token" if "token" in kind else "session")
              for kind in kinds}
    for kind, send in kinds.items():
        timed(send, people[kind][:WARM])
    # Interleaved, one request of each kind in turn, so a busy moment on the shared
    # machine weighs on every kind alike.
    cpu, statements = {kind: [] for kind in kinds}, {kind: [] for kind in kinds}
    profile = None
    if PROFILE:
        import cProfile

        profile = cProfile.Profile(time.process_time)
    for n in range(WARM, WARM + N):
        for kind, send in kinds.items():
            if profile and kind == PROFILE:
                profile.enable()
            one_cpu, one_count = timed(send, [people[kind][n]], show=n == WARM + N - 1)
            if profile and kind == PROFILE:
                profile.disable()
            cpu[kind] += one_cpu
            statements[kind] += one_count
    if profile:
        profile.dump_stats(Path(tempfile.gettempdir()) / "submission.prof")
    results = {kind: (statistics.median(cpu[kind]), statistics.mean(cpu[kind]),
                      statistics.median(statements[kind])) for kind in kinds}
    users = [c.user for kind in kinds if kind != "ceiling" for c in people[kind]]
    active = Membership.objects.filter(user__in=users, status="active").count()
    assert active == len(users), f"{active} of {len(users)} submissions made a member active"
    ceiling = results["ceiling"][0]
    print(f"{'':<12} {'CPU p50':>9} {'CPU mean':>9} {'statements':>10} {'ceiling/it':>10}")
    for kind, (median, mean, statements) in results.items():
        print(f"{kind:<12} {median:7.2f}ms {mean:7.2f}ms {statements:10.0f} "
              f"{ceiling / median:9.0%}")
    if os.environ.get("BENCH_COUNTER_WAITS"):
        counter_waits(page, kinds["lifecycle"], N)
    return 0


if __name__ == "__main__":
    sys.exit(main())
