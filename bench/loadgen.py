"""Bounded load on loopback: wrk for GETs, a small threaded client for POSTs.

Every run is bounded in time (wrk ``-d``) or in count (one POST per prepared
person), and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import queue
import statistics
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

# wrk prints its own summary; this adds p95 (not in --latency) and the error counts.
WRK_REPORT = r'''
done = function(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status))
end
'''


def wrk(url: str, *, cookie: str | None = None, duration: int = 10, connections: int = 8,
        threads: int = 2, workdir: Path) -> dict:
    """GET ``url`` for ``duration`` seconds; p50/p95 in ms, requests/s, errors."""
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
    pending: queue.Queue = queue.Queue()
    for job in jobs:
        pending.put(job)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker():
        while True:
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            body, headers = request_of(job)
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok, status = response.status in expect, str(response.status)
            except OSError as exc:
                ok, status = False, type(exc).__name__
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if not ok:
                    failures.append(status)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        "rps": len(jobs) / wall, "requests": len(jobs), "errors": len(failures),
        "error_statuses": sorted(set(failures)),
    }
