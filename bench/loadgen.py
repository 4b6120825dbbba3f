"""Bounded load on loopback: wrk for GETs, a small threaded client for POSTs.

Every run is bounded in time (wrk ``-d``) or in count (one POST per prepared
person), and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

# wrk prints its own summary; this adds p95 (not in --latency), the error counts, and
# every percentile from 1 to 99, so the figures of several runs can be pooled.
WRK_REPORT = r'''
done = function(summary, latency, requests)
  local quantiles = {}
  for p = 1, 99 do quantiles[p] = string.format("%d", latency:percentile(p)) end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"errors": %d, "non_2xx": %d, "quantiles_us": [%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status, table.concat(quantiles, ",")))
end
'''


def wrk(url: str, *, cookie: str | None = None, duration: int = 10, connections: int = 8,
        threads: int = 2, workdir: Path) -> dict:
    """GET ``url`` for ``duration`` seconds; p50/p95 in ms, requests/s, errors, and the
    percentiles 1–99 (``quantiles_ms``, for :func:`pool_runs`)."""
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True,
                            timeout=duration + 60, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    return {
        "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000,
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"], "errors": raw["errors"] + raw["non_2xx"],
        "seconds": raw["duration_us"] / 1e6,
        "quantiles_ms": [q / 1000 for q in raw["quantiles_us"]],
    }


def _weighted_quantile(points: list[tuple[float, float]], share: float) -> float:
    """The value below which ``share`` of the weight lies (points: (value, weight))."""
    points = sorted(points)
    total = sum(weight for _value, weight in points)
    passed = 0.0
    for value, weight in points:
        passed += weight
        if passed >= share * total:
            return value
    return points[-1][0]


def pool_runs(runs: list[dict]) -> dict:
    """One endpoint's figures from several :func:`wrk` runs of it (its spells): requests
    and seconds summed (so ``rps`` is over the whole time), errors summed, and p50/p95
    from every run's percentiles pooled, each run weighted by its requests — as if
    one run had lasted the whole time, without the drift one long run would measure
    at one moment only."""
    requests = sum(run["requests"] for run in runs)
    seconds = sum(run["seconds"] for run in runs)
    points = [(value, run["requests"] or 1e-9) for run in runs
              for value in run["quantiles_ms"]]
    return {
        "p50_ms": _weighted_quantile(points, 0.50), "p95_ms": _weighted_quantile(points, 0.95),
        "rps": requests / seconds if seconds else 0.0, "requests": requests,
        "errors": sum(run["errors"] for run in runs), "seconds": seconds,
        "spells": len(runs), "spell_rps": [round(run["rps"], 1) for run in runs],
    }


def request_of(job: dict) -> tuple[str, dict]:
    """The body and headers of one job's POST (see :func:`post_each`)."""
    headers = {"Connection": "close"}
    if "json" in job:
        body = json.dumps(job["json"])
        headers["Content-Type"] = "application/json"
        headers["Accept"] = "application/json"
    else:
        body = urlencode(job.get("data", {}), doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if job.get("authorization"):
        headers["Authorization"] = job["authorization"]
    if job.get("cookie"):
        headers["Cookie"] = job["cookie"]
    if job.get("csrf"):
        headers["X-CSRFToken"] = job["csrf"]
    return body, headers


def post_each(port: int, path: str, jobs: list[dict], *, connections: int = 8,
              expect: tuple[int, ...] = (204, 302), timeout: float = 30) -> dict:
    """POST once per job from ``connections`` threads.

    A job is a browser's form (``{"cookie", "csrf", "data"}``: the session cookie, the
    CSRF token, form fields) or an API client's (``{"authorization", "json"}``: an
    ``Authorization`` header and a JSON body). Sync gunicorn workers close the
    connection after each response, so each POST opens its own (as wrk's requests to
    them do).
    """
    stream = Stream(port, path, jobs, expect=expect, timeout=timeout)
    stream.spell(float("inf"), connections)
    return stream.figures()


def _post_once(port: int, path: str, job: dict, expect: tuple, timeout: float) -> tuple:
    """One POST: (seconds, failure status or None)."""
    body, headers = request_of(job)
    start = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        failure = None if response.status in expect else str(response.status)
    except OSError as exc:
        failure = type(exc).__name__
    return time.perf_counter() - start, failure


class Stream:
    """POSTs to one endpoint, run in timed spells (see :func:`interleaved`).

    ``jobs`` is an iterator (one job per person: each is sent at most once; or
    ``itertools.repeat`` for an endpoint anyone may call again). Figures add up over
    the spells: requests, seconds, latencies, failures, and how many jobs were used.
    """

    def __init__(self, port: int, path: str, jobs, *, expect: tuple[int, ...] = (204, 302),
                 timeout: float = 30):
        self.port, self.path, self.expect, self.timeout = port, path, expect, timeout
        self.jobs = iter(jobs)
        self.used = 0
        self.exhausted = False
        self.seconds = 0.0
        self.spells: list[float] = []  # requests/s of each spell
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()

    def _next(self) -> dict | None:
        with self.lock:
            if self.exhausted:
                return None
            try:
                job = next(self.jobs)
            except StopIteration:
                self.exhausted = True
                return None
            self.used += 1
            return job

    def spell(self, seconds: float, connections: int = 8) -> None:
        """POST from ``connections`` threads until ``seconds`` have passed (requests
        under way then are finished and counted) or the jobs run out."""
        deadline = time.perf_counter() + seconds

        def worker():
            while time.perf_counter() < deadline:
                job = self._next()
                if job is None:
                    return
                elapsed, failure = _post_once(self.port, self.path, job, self.expect,
                                              self.timeout)
                with self.lock:
                    self.latencies.append(elapsed)
                    if failure:
                        self.failures.append(failure)

        before = len(self.latencies)
        elapsed = run_together([threading.Thread(target=worker) for _ in range(connections)])
        self.seconds += elapsed
        self.spells.append(round((len(self.latencies) - before) / elapsed, 1))

    def figures(self) -> dict:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
            "rps": len(self.latencies) / self.seconds if self.seconds else 0.0,
            "requests": len(self.latencies), "seconds": round(self.seconds, 1),
            "errors": len(self.failures), "error_statuses": sorted(set(self.failures)),
            "ran_out": self.exhausted, "spells": self.spells,
        }


def run_together(runners: list) -> float:
    """Start every thread or process in ``runners``, wait for them all: the seconds."""
    start = time.perf_counter()
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    return time.perf_counter() - start


def interleaved(streams: dict[str, Stream], *, seconds: float, spells: int,
                between=None) -> dict[str, dict]:
    """Run each stream for ``seconds`` in all, in ``spells`` turns taken in rotation
    (A B C, A B C, …), so a machine that speeds up or slows down during the run moves
    every stream alike, and their ratios hold. ``between()`` runs before each turn,
    off the clock (say, waiting for a queue to drain). name → :meth:`Stream.figures`."""
    for _turn in range(spells):
        for stream in streams.values():
            if between:
                between()
            if not stream.exhausted:
                stream.spell(seconds / spells)
    return {name: stream.figures() for name, stream in streams.items()}
