"""In-process timings of the plan list API and the directory page (issue 13).

    DJANGO_SETTINGS_MODULE=bench.server_settings DATABASE_URL=postgres://…/NAME \\
    REDIS_URL=redis://127.0.0.1:6379/N PYTHONPATH=.:src:example_project \\
        python bench/directory_timing.py [--repeat 30] [--explain] [PATH …]

Each path is requested through Django's test client ``--repeat`` times after one
warm-up; printed per path: the median CPU time (``time.process_time``, which other
processes on a shared machine do not inflate), the median wall time, the number of
queries and the slowest query's time. ``--explain`` adds ``EXPLAIN (ANALYZE, BUFFERS)``
of each path's slowest query (PostgreSQL). A path with ``{n}`` in it is formatted
with the iteration number, so each request is a cache miss (the directory version is
bumped first). Without paths, the plans list, its filters and searches and the
directory page are measured, after the site's home page as the baseline; run it with
a plain Wagtail site's settings and ``/`` for that baseline instead.

``--rounds N`` measures CPU only, interleaved: N rounds, each a batch of ``--repeat``
requests to every path in turn, and prints each path's median batch (CPU per
request), its ratio to the first path's and its queries. On a shared machine the
load drifts during a run; interleaving spreads the drift over every path alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.server_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

API = "/api/pledges/v1/plans/"


def default_paths() -> list[str]:
    from wagtail_pledges import counts
    from wagtail_pledges.journey_urls import directory_page
    from wagtail_pledges.models import ActionPlan

    counts.bump_directory_version()  # every fragment below is rendered afresh once
    middle = ActionPlan.objects.published_for_directory().count() // 2
    # A cursor from the middle of the list: what a client walking every page sends.
    client = Client()
    body = client.get(API, {"page_size": 100}).json()
    for _ in range(middle // 100):
        body = client.get(body["next"]).json() if body["next"] else body
    deep = body["next"].split("/api/", 1)[-1]
    directory = directory_page()
    paths = ["/", API, API + "?page_size=1", API + "?page_size=100", "/api/" + deep,
             API + "?sector=health", API + "?region=scotland", API + "?region=united-kingdom",
             API + "?practice=chemical", API + "?strategy=debriefing",
             API + "?q=trust", API + "?q=restrictive", API + "?q=care",
             API + "?q=trust+4217", API + "?q=zzzz", API + "?sector=health&q=trust"]
    if directory is not None:
        url = directory.url
        paths += [url, url + "?page={n}", url + "?sector=health", url + "?q=trust",
                  url + "?q=trust+4217", url + "?q=care"]
    return paths


def measure(path: str, repeat: int, explain: bool) -> None:
    client = Client()
    client.get(path.format(n=repeat + 7))
    cpu, wall, queries, slowest, last = [], [], [], None, []
    for n in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            c0, w0 = time.process_time(), time.perf_counter()
            response = client.get(path.format(n=n + 2))
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        queries.append(len(captured))
        last = captured.captured_queries
        top = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
        if top and (slowest is None or float(top["time"]) > float(slowest["time"])):
            slowest = top
    print(f"{path:70.70} {response.status_code} cpu {statistics.median(cpu):7.2f} ms  "
          f"wall {statistics.median(wall):7.2f} ms  queries {max(queries):2d}  "
          f"slowest {float(slowest['time']) * 1000 if slowest else 0:6.2f} ms"
          f"{database_time(last)}", flush=True)
    if explain and slowest and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            print("    " + "\n    ".join(row[0] for row in cursor.fetchall()), flush=True)


def database_time(captured: list[dict]) -> str:
    """The server's own execution time of one request's queries (PostgreSQL: the median
    of five ``EXPLAIN ANALYZE`` runs of each, summed), unaffected by this process."""
    if connection.vendor != "postgresql":
        return ""
    total = 0.0
    with connection.cursor() as cursor:
        for query in captured:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            runs = []
            for _ in range(5):
                cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0][0]
                runs.append(plan["Execution Time"] + plan["Planning Time"])
            total += statistics.median(runs)
    return f"  db {total:7.2f} ms"


def interleaved(paths: list[str], rounds: int, repeat: int) -> None:
    client = Client()
    for path in paths:
        client.get(path)
    batches: dict[str, list[float]] = {path: [] for path in paths}
    for _ in range(rounds):
        for path in paths:
            start = time.process_time()
            for _ in range(repeat):
                client.get(path)
            batches[path].append((time.process_time() - start) * 1000 / repeat)
    first = statistics.median(batches[paths[0]])
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        cpu = statistics.median(batches[path])
        print(f"{path:70.70} {status} cpu {cpu:7.2f} ms  x{cpu / first:5.2f}  "
              f"queries {len(captured):2d}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--rounds", type=int, help="CPU only, interleaved, N rounds")
    args = parser.parse_args()
    paths = args.paths or default_paths()
    if args.rounds:
        interleaved(paths, args.rounds, args.repeat)
        return
    for path in paths:
        measure(path, args.repeat, args.explain)


if __name__ == "__main__":
    main()
