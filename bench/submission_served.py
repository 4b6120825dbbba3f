"""Where a served submission's CPU goes: the ceiling and pledge submission (HTML and
API) served by gunicorn on PostgreSQL, as ``bench/server.py`` serves them, with the CPU
each process spent per request.

    python bench/submission_served.py --reuse DIR [--workers 2] [--posts 300]
                                      [--rounds 1] [--no-worker]

``make bench`` gives the rates; this gives the cause. Around each run it reads every
process's CPU time from ``/proc`` and sums it by role: the app servers (gunicorn's
workers of each site), PostgreSQL (its backends and its own processes), the task
worker (django-tasks-db's ``db_worker``), Redis, and this load generator. Divided by
the requests of the run, that is each role's CPU per request — what the served rate
pays for on a 2-core machine where they all share the cores. PostgreSQL's backends of
connections that ended during the run are not counted (Django keeps the app servers'
and the worker's connections open: ``CONN_MAX_AGE``), nor is what the kernel does
outside process time.

``--drain`` takes each submission run's CPU readings only once the task worker has
sent that run's emails, so what it spends on them after the POSTs end (a delivery task
waits ``OUTBOX_GATHER_SECONDS`` to gather emails) is counted too.
``--no-worker`` leaves the task worker stopped while the POSTs run (the emails wait in
the queue) and starts it afterwards to send them: the difference is what sending the
emails beside the requests costs. ``--reuse DIR`` keeps both sites' databases and the
plain site between runs (as ``bench/cpu_per_request.py --reuse``); the people are new
on every run. ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ROLES = ("app (rrn)", "app (plain)", "postgres", "task worker", "redis", "load generator")
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_by_pid() -> dict[int, tuple[str, float]]:
    """pid → (command line, CPU seconds: user + system) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry.name)] = (cmdline, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def _role(cmdline: str, pid: int, sites: dict) -> str | None:
    if pid == os.getpid():
        return "load generator"
    if cmdline.startswith("postgres") or "/postgres " in cmdline:
        return "postgres"
    if "redis-server" in cmdline:
        return "redis"
    if "db_worker" in cmdline:
        return "task worker"
    if "gunicorn" in cmdline:
        for name, wsgi in sites.items():
            if wsgi in cmdline:
                return f"app ({name})"
    return None


def cpu_between(before: dict, after: dict, sites: dict) -> dict[str, float]:
    """CPU seconds per role between two readings (new processes counted from zero)."""
    spent = dict.fromkeys(ROLES, 0.0)
    for pid, (cmdline, seconds) in after.items():
        role = _role(cmdline, pid, sites)
        if role is None:
            continue
        spent[role] += seconds - before.get(pid, (cmdline, 0.0))[1]
    return spent


def _machine_busy() -> float:
    """Seconds of CPU the whole machine spent (all cores, not idle), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK


def _pids(role: str, sites: dict) -> list[int]:
    return [pid for pid, (cmdline, _) in _cpu_by_pid().items()
            if _role(cmdline, pid, sites) == role]


def run(kind: str, post, count: int, sites: dict, profile: Path | None = None,
        drain=None, gil: bool = False) -> dict:
    """One run of POSTs; with ``profile``, py-spy records the example's app servers and
    the task worker meanwhile (collapsed stacks, one file per process). With ``drain``
    (a callable that returns once the run's emails are sent), the CPU readings are
    taken after it: the task worker's work on this run's emails is counted whole, not
    only what it did while the POSTs ran (the rate is still the POSTs' own)."""
    spies = []
    if profile:
        profile.mkdir(parents=True, exist_ok=True)
        py_spy = Path(sys.executable).with_name("py-spy")
        for role in ("app (rrn)", "task worker"):
            for pid in _pids(role, sites):
                slug = re.sub(r"\W+", "-", f"{kind} {role.split()[0]}").strip("-")
                out = profile / f"{slug}-{pid}.txt"
                spies.append(subprocess.Popen(
                    [str(py_spy), "record", "--pid", str(pid), "--rate", "250", "--format",
                     "raw", "--nonblocking", *(["--gil"] if gil else []), "-o", str(out)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1)
    before, busy = _cpu_by_pid(), _machine_busy()
    figures = post()
    if drain is not None:
        drain()
    spent = cpu_between(before, _cpu_by_pid(), sites)
    machine = _machine_busy() - busy
    for spy in spies:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    per = {role: round(seconds * 1000 / count, 2) for role, seconds in spent.items()}
    return {"kind": kind, "rps": round(figures["rps"], 1), "p50_ms": round(figures["p50_ms"], 1),
            "errors": figures["errors"], "cpu_ms_per_request": per,
            "machine_cpu_ms_per_request": round(machine * 1000 / count, 2)}


def one_round(args, rrn, plain, urls: dict, sites: dict, workdir: Path) -> list[dict]:
    """Serve both sites, run the POSTs asked for (``--only``), each by new people."""
    from bench import loadgen

    only = set(args.only.split(","))
    plain_session = plain.inside("session")
    keys = json.dumps(urls["video_keys"])
    joiners = rrn.inside("submitters", str(args.posts), keys, "session")
    api_joiners = rrn.inside("submitters", str(args.posts), keys, "token")
    form = {"action": "Debrief after every incident", "strategy": urls["strategy"],
            "target_date": joiners["target_date"]}
    body = {"page": urls["pledge_page_id"], "action": "Debrief after every incident",
            "strategy": urls["strategy_slug"], "target_date": api_joiners["target_date"]}
    results = []
    with ExitStack() as stack:
        plain_port = stack.enter_context(plain.served(args.workers, workdir))
        rrn_port = stack.enter_context(rrn.served(args.workers, workdir))
        worker = None if args.no_worker else stack.enter_context(rrn.task_worker(workdir))
        # Warm every worker (templates, connections) before counting.
        loadgen.wrk(f"http://127.0.0.1:{rrn_port}/", duration=2, workdir=workdir)
        loadgen.wrk(f"http://127.0.0.1:{plain_port}/", duration=2, workdir=workdir)
        time.sleep(1)
        runs = {
            "ceiling": ("ceiling", lambda: loadgen.post_each(
                plain_port, "/bench/ceiling/",
                [{"cookie": plain_session["cookie"], "csrf": plain_session["csrf"]}]
                * args.posts), None),
            "html": ("submission (HTML)", lambda: loadgen.post_each(
                rrn_port, urls["commit"],
                [{"cookie": p["cookie"], "csrf": p["csrf"], "data": form}
                 for p in joiners["people"]], expect=(302,)), args.profile),
            "api": ("submission (API)", lambda: loadgen.post_each(
                rrn_port, urls["api_commit"],
                [{"authorization": p["authorization"], "json": body}
                 for p in api_joiners["people"]], expect=(200,)), args.profile),
        }
        people_of = {"html": joiners["people"], "api": api_joiners["people"]}

        def drainer(name):
            if not args.drain or name not in people_of:
                return None
            waited = workdir / f"drain-{name}.json"
            waited.write_text(json.dumps([p["email"] for p in people_of[name]]))
            return lambda: rrn.inside("wait-for-emails", str(waited), "120")

        for name, (kind, post, profile) in runs.items():
            if name in only:
                results.append(run(kind, post, args.posts, sites, profile, drainer(name),
                                   args.gil))
        people = [p["email"] for p in joiners["people"] + api_joiners["people"]]
        emails = workdir / "submitted.json"
        emails.write_text(json.dumps(people))
        if worker is None:
            # The emails queued above, sent now, with their CPU counted apart (the
            # worker's start included).
            before = _cpu_by_pid()
            with rrn.task_worker(workdir):
                drained = rrn.inside("wait-for-emails", str(emails), "300")
                spent = cpu_between(before, _cpu_by_pid(), sites)
            sent = max(drained["sent"], 1)
            results.append({"kind": "emails sent afterwards", "sent": drained["sent"],
                            "pending": drained["pending"], "cpu_ms_per_email": {
                                role: round(s * 1000 / sent, 2) for role, s in spent.items()}})
        else:
            drained = rrn.inside("wait-for-emails", str(emails), "120")
        checked = [p["email"] for p in joiners["people"]] * ("html" in only) + \
            [p["email"] for p in api_joiners["people"]] * ("api" in only)
        emails.write_text(json.dumps(checked))
        results.append({"kind": "check", **rrn.inside("check-submitters", str(emails)),
                        "emails": drained})
    return results


def main(argv: list[str]) -> int:
    from bench import cpu_per_request

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-worker", action="store_true")
    parser.add_argument("--drain", action="store_true",
                        help="count CPU until each run's emails are sent")
    parser.add_argument("--only", default="ceiling,html,api")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path, help="py-spy's collapsed stacks, here")
    parser.add_argument("--gil", action="store_true",
                        help="profile only samples holding the GIL (py-spy --gil)")
    args = parser.parse_args(argv)
    workdir = args.reuse
    workdir.mkdir(parents=True, exist_ok=True)
    rrn, plain, _built = cpu_per_request._sites(workdir, "bench.server_settings", True)
    urls = rrn.inside("rrn-urls")
    sites = {"rrn": rrn.wsgi, "plain": plain.wsgi}
    results = []
    for _round in range(args.rounds):
        results += one_round(args, rrn, plain, urls, sites, workdir)
    for row in results:
        print(json.dumps(row))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
