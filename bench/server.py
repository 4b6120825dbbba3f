"""The real-server benchmark: gunicorn on PostgreSQL with a Redis cache, on loopback.

    make bench-server          # or: python bench/server.py

1. creates two PostgreSQL databases: the example project (migrated, ``load_rrn_demo``,
   then ``pledges_seed_bench``) and a fresh ``wagtail start`` site, the baseline;
2. serves both with gunicorn (sync workers: 1, then 2), Redis as the cache;
3. drives GETs with ``wrk`` and POSTs with a small threaded client, all bounded: the
   ceiling, and pledge submission as the HTML journey's last step (signed-in browsers)
   and through the API (clients holding bearer tokens), each POST by another person
   (prepared in bulk), 30 s each, taken in turns so the machine's drift moves all alike;
4. at two volumes (10 plans / 10 members beside the demo, then 10,000 / 100,000);
5. prints p50, p95, requests/s, the ratio to the plain Wagtail home page and queries
   per request (counted in-process once per endpoint), writes
   ``bench/results/latest.json`` and ``bench/results/latest.png``.

Environment: BENCH_PG (server URL, default postgres://postgres@127.0.0.1:5432),
BENCH_DB_PREFIX (default ``bench_server_``; its databases are dropped and re-created),
BENCH_REDIS (default redis://127.0.0.1:6379), BENCH_REDIS_DB (default 13; it and the
next are flushed), BENCH_DURATION (seconds per GET endpoint, default 10), BENCH_SUBMIT_SECONDS
(seconds of POSTs to the ceiling and to each way to submit, default 30), BENCH_SPELLS
(turns they are taken in, default 3), BENCH_GET_SPELLS (turns the GETs are taken in,
all endpoints in rotation, default 3), BENCH_JOINERS (people prepared per way to submit
and number of workers, default 300 a second of BENCH_SUBMIT_SECONDS + 1,000),
BENCH_WORKERS (default "1,2"), BENCH_LARGE (members and organisations, default
"100000,10000"), BENCH_VOLUMES ("small,large"), BENCH_KEEP=1 keeps the databases.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import loadgen, plain_site, report  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench_server_")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
SUBMIT_SECONDS = int(os.environ.get("BENCH_SUBMIT_SECONDS", "30"))
SPELLS = int(os.environ.get("BENCH_SPELLS", "3"))
# The GETs' turns: each endpoint is measured for DURATION / GET_SPELLS seconds (rounded
# up) in each, all endpoints in rotation.
GET_SPELLS = int(os.environ.get("BENCH_GET_SPELLS", "3"))
# People prepared per way to submit and number of workers: enough for SUBMIT_SECONDS
# at 300 submissions a second (this machine's two workers have done up to 250).
JOINERS = int(os.environ.get("BENCH_JOINERS", str(300 * SUBMIT_SECONDS + 1000)))
WORKERS = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2").split(",")]
LARGE_MEMBERS, LARGE_ORGS = (int(n) for n in
                             os.environ.get("BENCH_LARGE", "100000,10000").split(","))
VOLUMES = os.environ.get("BENCH_VOLUMES", "small,large").split(",")
SMALL = 10
GUNICORN = Path(sys.executable).with_name("gunicorn")


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# -- databases, caches, sites --------------------------------------------------------


def recreate_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(*dbs: int) -> None:
    import redis

    for db in dbs:
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


class Site:
    """One benchmarked site: its environment, working directory and WSGI app."""

    def __init__(self, name: str, env: dict, cwd: Path, wsgi: str):
        self.name, self.env, self.cwd, self.wsgi = name, env, cwd, wsgi

    def manage(self, *args: str) -> str:
        manage = REPO / "example_project" / "manage.py" if self.name == "rrn" \
            else self.cwd / "manage.py"
        return subprocess.run([sys.executable, str(manage), *args], cwd=self.cwd,
                              env=self.env, check=True, capture_output=True,
                              text=True).stdout

    def inside(self, command: str, *args: str):
        """Run a ``bench.server_site`` command in this site; its JSON answer."""
        out = subprocess.run([sys.executable, "-m", "bench.server_site", command, *args],
                             cwd=self.cwd, env=self.env, check=True, capture_output=True,
                             text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    @contextmanager
    def served(self, workers: int, workdir: Path):
        port = free_port()
        errors = workdir / f"{self.name}-{workers}w-gunicorn.log"
        process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
             "--chdir", str(self.cwd), "--log-level", "warning", "--error-logfile",
             str(errors), "--timeout", "60", self.wsgi],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, process)
            yield port
        finally:
            stop(process)

    @contextmanager
    def task_worker(self, workdir: Path):
        """django-tasks-db's ``db_worker`` beside the app servers, as production runs it:
        emails are queued in the request and sent by this process."""
        log_file = workdir / f"{self.name}-db_worker.log"
        with open(log_file, "ab") as log_out:
            process = subprocess.Popen(
                [sys.executable, str(REPO / "example_project" / "manage.py"), "db_worker",
                 "--no-startup-delay", "--no-reload", "--interval", "0.5"],
                cwd=self.cwd, env=self.env, stdout=log_out, stderr=log_out,
            )
            try:
                yield process
            finally:
                stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn on port {port} did not answer within {timeout} s")


def base_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(extra)
    return env


def rrn_site(workdir: Path, url: str, settings: str = "bench.server_settings") -> Site:
    """The example project served with ``settings`` on ``url`` (not built)."""
    env = base_env(
        DJANGO_SETTINGS_MODULE=settings, DATABASE_URL=url,
        REDIS_URL=f"{REDIS}/{REDIS_DB}", MEDIA_ROOT=str(workdir / "media"),
        BENCH_STATIC_ROOT=str(workdir / "static"),
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "src"),
                                    str(REPO / "example_project")]),
    )
    return Site("rrn", env, REPO / "example_project", "rrn.wsgi:application")


def plain_site_env(url: str) -> dict:
    return base_env(DJANGO_SETTINGS_MODULE="plainsite.settings.bench", DATABASE_URL=url,
                    REDIS_URL=f"{REDIS}/{REDIS_DB + 1}")


def plain_site_at(cwd: Path, env: dict) -> Site:
    """The plain site already built in ``cwd`` (see :func:`build_plain`)."""
    env = {**env, "PYTHONPATH": os.pathsep.join([str(REPO), str(cwd)])}
    return Site("plain", env, cwd, "plainsite.wsgi:application")


def build_rrn(workdir: Path) -> Site:
    site = rrn_site(workdir, recreate_database(PREFIX + "rrn"))
    log("example project: migrate, load_rrn_demo")
    site.manage("migrate", "--noinput", "-v0")
    site.manage("load_rrn_demo")
    return site


def build_plain(workdir: Path) -> Site:
    env = plain_site_env(recreate_database(PREFIX + "plain"))
    log("plain site: wagtail start, migrate")
    return plain_site_at(plain_site.build(workdir, env), env)


def seed(site: Site, members: int, organisations: int, prefix: str) -> dict:
    log(f"seeding {members} members and {organisations} organisations")
    start = time.perf_counter()
    out = site.manage("pledges_seed_bench", "--members", str(members), "--organisations",
                      str(organisations), "--prefix", prefix)
    wall = time.perf_counter() - start
    inner = re.search(r"organisations in ([\d.]+) s", out)
    return {"members": members, "organisations": organisations, "command_s": round(wall, 1),
            "writing_s": float(inner.group(1)) if inner else None,
            "first_member": f"member-{prefix}-0@bench.example"}


# -- one volume ----------------------------------------------------------------------


def endpoints(urls: dict, member: str, reader: str) -> dict:
    """name → (site, path, signed-in member or None).

    "plain home (signed in)" is the plain Wagtail home page for a signed-in account that
    may not use the admin (``reader``): not a budget's baseline (those are against the
    anonymous plain home page), shown beside the signed-in membership page.
    """
    return {
        "plain home": ("plain", "/", None),
        "plain child page": ("plain", "/about/", None),
        "plain home (signed in)": ("plain", "/", reader),
        "RRN home": ("rrn", urls["home"], None),
        "RRN standard page": ("rrn", urls["standard"], None),
        "membership (anonymous)": ("rrn", urls["membership"], None),
        "membership (signed in)": ("rrn", urls["membership"], member),
        "directory": ("rrn", urls["directory"], None),
        "directory (filtered)": ("rrn", urls["directory_filtered"], None),
        "directory (search)": ("rrn", urls["directory_search"], None),
        "one plan": ("rrn", urls["plan"], None),
        "API plan list": ("rrn", urls["api_plans"], None),
    }


def measure_volume(volume: str, sites: dict, workdir: Path, seeding: dict | None) -> list:
    """The GETs at each number of workers, then the POSTs at each (so every GET sees
    the same rows: the volume, before anyone submits)."""
    rrn, plain = sites["rrn"], sites["plain"]
    urls = rrn.inside("rrn-urls")
    member = seeding["first_member"]
    plain_session = plain.inside("session")
    gets = endpoints(urls, member, plain_session["email"])
    cookies = {member: rrn.inside("session", member)["cookie"],
               plain_session["email"]: plain_session["cookie"]}
    queries = {}
    for site_name in ("plain", "rrn"):
        spec = {name: {"url": path, "signed_in": who}
                for name, (where, path, who) in gets.items() if where == site_name}
        spec_file = workdir / f"queries-{site_name}.json"
        spec_file.write_text(json.dumps(spec))
        queries.update(sites[site_name].inside("queries", str(spec_file)))
    rows = []
    for workers in WORKERS:
        flush_redis(REDIS_DB, REDIS_DB + 1)
        with plain.served(workers, workdir) as plain_port, \
                rrn.served(workers, workdir) as rrn_port, rrn.task_worker(workdir):
            ports = {"plain": plain_port, "rrn": rrn_port}
            urls_of = {name: f"http://127.0.0.1:{ports[where]}{path}"
                       for name, (where, path, _who) in gets.items()}
            for name, (_where, _path, who) in gets.items():
                # Warm: templates, caches, every worker's database connection.
                loadgen.wrk(urls_of[name], cookie=cookies.get(who), duration=2,
                            workdir=workdir)
            # Every endpoint, the baselines included, in GET_SPELLS turns taken in
            # rotation: a machine that speeds up or slows down during the minutes this
            # takes moves them all alike, so each ratio compares like with like.
            spells = {name: [] for name in gets}
            for _turn in range(GET_SPELLS):
                for name, (_where, _path, who) in gets.items():
                    spells[name].append(loadgen.wrk(
                        urls_of[name], cookie=cookies.get(who),
                        duration=-(-DURATION // GET_SPELLS), workdir=workdir))
            for name, (where, path, _who) in gets.items():
                figures = loadgen.pool_runs(spells[name])
                figures.update(queries.get(name, {}))
                rows.append({"volume": volume, "workers": workers, "endpoint": name,
                             "site": where, "url": path, **figures})
                log(f"{volume} {workers}w {name}: p50 {figures['p50_ms']:.1f} ms, "
                    f"{figures['rps']:.0f}/s")
    for workers in WORKERS:
        flush_redis(REDIS_DB, REDIS_DB + 1)
        # Two separate sets of joiners, each person submitting at most once: the HTML
        # journey's (a signed-in browser) and the API's (a client holding a bearer
        # token). Prepared before anything is served.
        start = time.perf_counter()
        joiners = {auth: rrn.inside("submitters", str(JOINERS),
                                    json.dumps(urls["video_keys"]), auth)
                   for auth in ("session", "token")}
        log(f"{volume}: {2 * JOINERS} joiners for {workers}w prepared in "
            f"{time.perf_counter() - start:.1f} s")
        rows += measure_posts(volume, workers, sites, workdir, urls, plain_session,
                              joiners)
    return rows


def measure_posts(volume: str, workers: int, sites: dict, workdir: Path, urls: dict,
                  plain_session: dict, joiners: dict) -> list:
    """The ceiling and both ways to submit a pledge, ``SUBMIT_SECONDS`` each, taken in
    turns of ``SUBMIT_SECONDS / SPELLS`` (ceiling, HTML, API, ceiling, …): the
    machine's drift moves all three alike. Before each turn, off the clock, the task
    worker finishes sending the emails already queued, so no turn pays for another's."""
    rrn, plain = sites["rrn"], sites["plain"]
    people = {"html": joiners["session"]["people"], "api": joiners["token"]["people"]}
    form = {"action": "Debrief after every incident", "strategy": urls["strategy"],
            "target_date": joiners["session"]["target_date"]}
    body = {"page": urls["pledge_page_id"], "action": "Debrief after every incident",
            "strategy": urls["strategy_slug"],
            "target_date": joiners["token"]["target_date"]}
    jobs = {
        "html": iter([{"cookie": p["cookie"], "csrf": p["csrf"], "data": form}
                      for p in people["html"]]),
        "api": iter([{"authorization": p["authorization"], "json": body}
                     for p in people["api"]]),
    }
    drain = OutboxDrain(rrn.env["DATABASE_URL"], urls["outbox_table"])
    with plain.served(workers, workdir) as plain_port, \
            rrn.served(workers, workdir) as rrn_port, rrn.task_worker(workdir):
        ceiling_job = {"cookie": plain_session["cookie"], "csrf": plain_session["csrf"]}

        def streams():
            return {
                "ceiling": loadgen.Stream(plain_port, "/bench/ceiling/",
                                          itertools.repeat(ceiling_job)),
                "html": loadgen.Stream(rrn_port, urls["commit"], jobs["html"],
                                       expect=(302,)),
                "api": loadgen.Stream(rrn_port, urls["api_commit"], jobs["api"],
                                      expect=(200,)),
            }

        # Warm, uncounted: every worker's connections, templates and caches (the
        # people it uses are checked below with the rest).
        warm = streams()
        loadgen.interleaved(warm, seconds=1, spells=1, between=drain)
        measured = streams()
        figures = loadgen.interleaved(measured, seconds=SUBMIT_SECONDS, spells=SPELLS,
                                      between=drain)
        drain()
        checks = {}
        for kind in ("html", "api"):
            used = people[kind][:warm[kind].used + measured[kind].used]
            emails_file = workdir / f"{kind}-{workers}w-joiners.json"
            emails_file.write_text(json.dumps([p["email"] for p in used]))
            checks[kind] = {"check": rrn.inside("check-submitters", str(emails_file)),
                            "emails": rrn.inside("wait-for-emails", str(emails_file), "120")}
    rows = [{"volume": volume, "workers": workers, "site": "plain", "endpoint": report.CEILING,
             "url": "/bench/ceiling/", **figures["ceiling"]}]
    for kind, name, url in (("html", report.SUBMISSION, urls["commit"]),
                            ("api", report.SUBMISSION_API, urls["api_commit"])):
        rows.append({"volume": volume, "workers": workers, "site": "rrn", "endpoint": name,
                     "url": url, **figures[kind], **checks[kind],
                     "drain_s": round(drain.waited, 1)})
        if figures[kind]["ran_out"]:
            log(f"{volume} {workers}w {name}: ran out of prepared people after "
                f"{figures[kind]['seconds']} s (BENCH_JOINERS={JOINERS})")
    log(f"{volume} {workers}w ceiling {figures['ceiling']['rps']:.0f}/s, submission "
        f"{figures['html']['rps']:.0f}/s, {checks['html']['check']}; API "
        f"{figures['api']['rps']:.0f}/s, {checks['api']['check']}; spells "
        f"{figures['ceiling']['spells']} / {figures['html']['spells']} / "
        f"{figures['api']['spells']}")
    return rows


class OutboxDrain:
    """Wait (up to ``limit`` s) until no email waits in the outbox; the seconds spent
    waiting add up in ``waited``."""

    def __init__(self, url: str, table: str, limit: float = 120):
        self.url, self.table, self.limit, self.waited = url, table, limit, 0.0

    def __call__(self) -> None:
        import psycopg

        start = time.perf_counter()
        with psycopg.connect(self.url, autocommit=True) as conn:
            while time.perf_counter() - start < self.limit:
                pending = conn.execute(
                    f"SELECT count(*) FROM {self.table} WHERE state = 'pending'"  # noqa: S608
                ).fetchone()[0]
                if not pending:
                    break
                time.sleep(0.05)
        self.waited += time.perf_counter() - start


def main() -> int:
    if not shutil.which("wrk"):
        print("bench/server.py needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    started = datetime.datetime.now(datetime.UTC)
    workdir = Path(tempfile.mkdtemp(prefix="pledges-bench-server-"))
    rows, seeding = [], {}
    try:
        sites = {"rrn": build_rrn(workdir), "plain": build_plain(workdir)}
        sites["plain"].inside("plain-setup")
        if "small" in VOLUMES:
            seeding["small"] = seed(sites["rrn"], SMALL, SMALL, "small")
            rows += measure_volume("small", sites, workdir, seeding["small"])
        if "large" in VOLUMES:
            seeding["large"] = seed(sites["rrn"], LARGE_MEMBERS - SMALL, LARGE_ORGS - SMALL,
                                    "large")
            seeding["large"]["recount"] = sites["rrn"].inside("recount-check")
            log(f"seeded: {seeding['large']}")
            rows += measure_volume("large", sites, workdir, seeding["large"])
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            for name in ("rrn", "plain"):
                drop_database(PREFIX + name)
        shutil.rmtree(workdir, ignore_errors=True)
    result = report.build(rows, seeding=seeding, started=started,
                          settings={"duration_s": DURATION,
                                    "submit_s": SUBMIT_SECONDS, "spells": SPELLS,
                                    "get_spells": GET_SPELLS,
                                    "wrk": "-t2 -c8", "workers": WORKERS})
    out = REPO / "bench" / "results"
    report.write(result, out / "latest.json", out / "latest.png")
    missed = report.print_table(result)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
