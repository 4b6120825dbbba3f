"""CPU time and queries per request, in-process: the example site against a plain
``wagtail start`` site, with the production settings and the Redis cache.

    python bench/cpu_per_request.py [--reuse DIR] [--settings MODULE] [--batches 7]
                                    [--requests 30] [--rounds 1] [NAME=URL ...]

Wall-clock latency on a shared machine measures the neighbours as much as the code;
this measures what one request costs the web worker's own process
(``time.process_time``), which other processes barely move. Both sites are built as
``bench/server.py`` builds them (the same helpers: PostgreSQL from ``BENCH_PG`` with
``BENCH_DB_PREFIX``, Redis ``BENCH_REDIS`` db ``BENCH_REDIS_DB`` and the next), with the
small volume seeded. Each site then runs in its own process (its own settings, DEBUG
off, the Redis cache): Django's WSGI handler is called directly — no test client, no
server — with a minimal WSGI environ, after a warm-up (templates, caches, the database
connection). Per endpoint: queries of one request, then ``--batches`` batches of
``--requests`` requests; the figure is the median batch's CPU per request. ``--rounds``
repeats plain then example, alternately, and keeps the median of the rounds.

``--reuse DIR`` keeps the databases and the plain site's directory in DIR between runs
(built on the first); without it everything is built in a temporary directory and
dropped. ``--settings`` is the example's settings module (default
``bench.server_settings``). ``NAME=URL`` arguments replace the example's endpoints.
Prints a table and the ratios to the plain home page (and the example's standard page
to the plain child page); ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# "plain home (signed in)": the same page for a signed-in account that may not use the
# admin (a member of the public), for comparison with the signed-in membership page.
PLAIN_ENDPOINTS = {"plain home": ["/", False], "plain child page": ["/about/", False],
                   "plain home (signed in)": ["/", True]}


def example_endpoints(urls: dict) -> dict:
    """name → [url, signed in?]: the pages issue 13's budgets are about."""
    return {
        "RRN home": [urls["home"], False],
        "RRN standard page": [urls["standard"], False],
        "membership (anonymous)": [urls["membership"], False],
        "membership (signed in)": [urls["membership"], True],
        "directory": [urls["directory"], False],
        "one plan": [urls["plan"], False],
    }


# -- inside a site's process -------------------------------------------------------------


def _environ(url: str, cookie: str) -> dict:
    import io

    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
        "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT": "text/html",
        "HTTP_USER_AGENT": "bench-cpu", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


class _QueryLog:
    def __init__(self, sqls: list[str]):
        self.sqls = sqls

    def __call__(self, execute, sql, params, many, context):
        self.sqls.append(sql)
        return execute(sql, params, many, context)


def _profile(get, environ: dict, count: int, out: str | None) -> None:
    """cProfile ``count`` requests (CPU time): the top 60 to stderr, all to ``out``."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)  # CPU, not waits on the database
    profiler.enable()
    for _ in range(count):
        get(environ)
    profiler.disable()
    if out:
        profiler.dump_stats(out)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)


def measure(spec: dict) -> dict:
    """Run in the site's own process (``python -m bench.cpu_per_request measure FILE``)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from bench import server_site

    assert not settings.DEBUG, "measure with DEBUG off"
    app = get_wsgi_application()
    signed_in = any(signed for _url, signed in spec["endpoints"].values())
    cookie = server_site.session(spec.get("member"))["cookie"] if signed_in else ""
    batches, per_batch = spec["batches"], spec["requests"]

    def get(environ: dict) -> tuple[str, int]:
        status = []
        environ["wsgi.input"].seek(0)
        body = app(dict(environ), lambda s, headers, exc_info=None: status.append(s))
        try:
            size = sum(len(chunk) for chunk in body)
        finally:
            getattr(body, "close", lambda: None)()
        return status[0], size

    out = {}
    for name, (url, signed_in) in spec["endpoints"].items():
        environ = _environ(url, cookie if signed_in else "")
        for _ in range(max(5, per_batch // 2)):  # warm-up
            status, size = get(environ)
        # Counted with an execute wrapper: the handler's request_started signal empties
        # connection.queries_log, so CaptureQueriesContext would see nothing.
        captured: list[str] = []
        with connection.execute_wrapper(_QueryLog(captured)):
            get(environ)
        if spec.get("profile") == name:
            _profile(get, environ, per_batch * batches, spec.get("profile_out"))
        cpu, wall = [], []
        for _ in range(batches):
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            for _ in range(per_batch):
                get(environ)
            cpu.append((time.process_time() - cpu_start) / per_batch * 1000)
            wall.append((time.perf_counter() - wall_start) / per_batch * 1000)
        out[name] = {"url": url, "status": status, "bytes": size,
                     "queries": len(captured), "sql": captured,
                     "cpu_ms": round(statistics.median(cpu), 2),
                     "cpu_ms_min": round(min(cpu), 2),
                     "wall_ms": round(statistics.median(wall), 2)}
    return out


# -- the orchestrator --------------------------------------------------------------------


def _sites(workdir: Path, settings: str, reuse: bool):
    from bench import server

    marker = workdir / "built.json"
    (workdir / "static").mkdir(exist_ok=True)  # whitenoise's STATIC_ROOT (none collected)
    if reuse and marker.exists():
        built = json.loads(marker.read_text())
        rrn = server.rrn_site(workdir, built["rrn"], settings)
        plain = server.plain_site_at(Path(built["plain_dir"]), server.plain_site_env(
            built["plain"]))
        return rrn, plain, built
    rrn, plain = server.build_rrn(workdir), server.build_plain(workdir)
    plain.inside("plain-setup")
    seeding = server.seed(rrn, server.SMALL, server.SMALL, "small")
    built = {"rrn": rrn.env["DATABASE_URL"], "plain": plain.env["DATABASE_URL"],
             "plain_dir": str(plain.cwd), "member": seeding["first_member"]}
    marker.write_text(json.dumps(built))
    if settings != "bench.server_settings":
        rrn = server.rrn_site(workdir, built["rrn"], settings)
    return rrn, plain, built


def _run_in(site, spec: dict, workdir: Path) -> dict:
    spec_file = workdir / f"cpu-{site.name}.json"
    spec_file.write_text(json.dumps(spec))
    done = subprocess.run([sys.executable, "-m", "bench.cpu_per_request", "measure",
                           str(spec_file)], cwd=site.cwd, env=site.env, check=True,
                          stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_rounds(rounds: list[dict]) -> dict:
    merged = {}
    for name in rounds[0]:
        figures = [r[name] for r in rounds]
        merged[name] = {**figures[0], **{k: round(statistics.median(f[k] for f in figures), 2)
                                         for k in ("cpu_ms", "cpu_ms_min", "wall_ms")}}
    return merged


def print_table(results: dict) -> None:
    base = results["plain home"]["cpu_ms"]
    child = results.get("plain child page", {}).get("cpu_ms")
    print(f"\n{'endpoint':<26} {'CPU ms':>7} {'min':>6} {'wall ms':>8} {'×home':>6} "
          f"{'queries':>7} {'status':>8}")
    for name, r in results.items():
        print(f"{name:<26} {r['cpu_ms']:7.2f} {r['cpu_ms_min']:6.2f} {r['wall_ms']:8.2f} "
              f"{r['cpu_ms'] / base:6.2f} {r['queries']:7d} {r['status'][:8]:>8}")
    if child and "RRN standard page" in results:
        print(f"\nRRN standard page / plain child page: "
              f"{results['RRN standard page']['cpu_ms'] / child:.2f}× CPU")
    print("(×home: CPU per request over the plain Wagtail home page's, same run)")


def main(argv: list[str]) -> int:
    if argv[:1] == ["measure"]:
        print(json.dumps(measure(json.loads(Path(argv[1]).read_text()))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", type=Path, help="keep the sites in this directory")
    parser.add_argument("--settings", default="bench.server_settings")
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--sql", action="store_true", help="print each endpoint's queries")
    parser.add_argument("--profile", metavar="NAME",
                        help="also cProfile this endpoint (stats to --profile-out, top "
                             "60 by cumulative time to stderr)")
    parser.add_argument("--profile-out", type=Path)
    parser.add_argument("endpoints", nargs="*", help="NAME=URL (example site, anonymous)")
    args = parser.parse_args(argv)
    workdir = args.reuse or Path(tempfile.mkdtemp(prefix="pledges-bench-cpu-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rrn, plain, built = _sites(workdir, args.settings, bool(args.reuse))
        if args.endpoints:
            wanted = {e.split("=", 1)[0]: [e.split("=", 1)[1], False] for e in args.endpoints}
        else:
            wanted = example_endpoints(rrn.inside("rrn-urls"))
        common = {"batches": args.batches, "requests": args.requests,
                  "profile": args.profile,
                  "profile_out": str(args.profile_out) if args.profile_out else None}
        rounds = []
        for _ in range(args.rounds):
            results = _run_in(plain, {**common, "endpoints": PLAIN_ENDPOINTS}, workdir)
            results.update(_run_in(rrn, {**common, "endpoints": wanted,
                                         "member": built["member"]}, workdir))
            rounds.append(results)
    finally:
        if not args.reuse:
            from bench import server

            for name in ("rrn", "plain"):
                server.drop_database(server.PREFIX + name)
            shutil.rmtree(workdir, ignore_errors=True)
    results = _median_rounds(rounds)
    if args.sql:
        for name, r in results.items():
            print(f"\n{name} ({r['url']}): {r['queries']} queries")
            for sql in r["sql"]:
                print(f"  {sql[:300]}")
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
