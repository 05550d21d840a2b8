"""Benchmark of the HTTP service, run by hand (never part of the test suite).

    python benchmarks/bench_service.py                  # 8 clients, 8,000 requests, one worker
    python benchmarks/bench_service.py --workers 2      # uvicorn with two worker processes
    python benchmarks/bench_service.py --requests 2000  # a shorter run

It starts the real server (``python -m service``, uvicorn) on a free port of 127.0.0.1, waits
for ``/healthz``, and has 8 client processes (one keep-alive connection each) send
``POST /v1/assessments`` with the documents of the mixed set of ``benchmarks/bench.py`` (each
request under its own names, as real leads are; the shapes repeat). Every request is timed on
the client. The script prints requests per second over the whole run, the latency
percentiles and the server's CPU time per request (from ``/proc``: on a shared machine the
wall-clock figures move with other load, the CPU time much less), checks that every answer
was 200, and stops the server. The request count is bounded, every request has a timeout, and
the server is stopped however the run ends.

Target (2-core machine, repeated shapes): >= 1,000 requests/s with p99 < 50 ms. The clients run
on the same machine as the server and take their share of the two cores; the figures are
printed as they are.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import mixed_set, record  # noqa: E402 - the same documents as the library benchmark

TARGET_RATE = 1000
TARGET_P99_MS = 50.0
TIMEOUT = 10.0
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    """The server process, once ``/healthz`` answers (or an error if it does not in time)."""
    process = subprocess.Popen([sys.executable, "-m", "service", "--port", str(port), "--workers", str(workers)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}: "
                             f"{process.stderr.read().decode() if process.stderr else ''}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise SystemExit(f"the server did not answer /healthz within {START_TIMEOUT:.0f} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, then SIGKILL if it has not stopped in 15 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by the server's processes (its session: workers included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == server.pid:  # the process group the server leads (start_new_session)
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def client(port: int, bodies: list[bytes], start: Any, results: Any) -> None:
    """One client: its requests one after another on one keep-alive connection, each timed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    headers = {"Content-Type": "application/json"}
    latencies: list[float] = []
    failures = 0
    start.wait()
    for body in bodies:
        began = time.perf_counter()
        connection.request("POST", "/v1/assessments", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        failures += response.status != 200
    connection.close()
    results.put((latencies, failures))


def run(port: int, bodies: list[bytes], clients: int) -> tuple[list[float], int, float]:
    """All latencies, the failures and the wall time of ``clients`` clients sharing ``bodies``."""
    start = multiprocessing.Barrier(clients + 1)
    results: Any = multiprocessing.Queue()
    shares = [bodies[i::clients] for i in range(clients)]
    processes = [multiprocessing.Process(target=client, args=(port, share, start, results)) for share in shares]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    latencies: list[float] = []
    failures = 0
    for _ in processes:
        got, failed = results.get(timeout=TIMEOUT * len(bodies))
        latencies += got
        failures += failed
    wall = time.perf_counter() - began
    for process in processes:
        process.join(timeout=TIMEOUT)
    return latencies, failures, wall


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=8000, help="requests in the measured run (default 8000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    args = parser.parse_args()

    documents, sources = mixed_set()
    bodies = [json.dumps(record(documents, n), ensure_ascii=False).encode() for n in range(args.requests)]
    warm = [json.dumps(record(documents, args.requests + n), ensure_ascii=False).encode()
            for n in range(4 * len(documents))]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"algo-filing service benchmark · nproc {os.cpu_count()} · {cpu} · Python {platform.python_version()}")
    print(f"server: python -m service (uvicorn), {args.workers} worker(s), 127.0.0.1 · clients: {args.clients} "
          "processes, one keep-alive connection each, on the same machine")
    print(f"requests: POST /v1/assessments, {args.requests:,} measured after {len(warm)} warm-up; documents: "
          f"{'; '.join(sources)}; names varied per request, shapes repeat")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    port = free_port()
    server = start_server(port, args.workers)
    try:
        run(port, warm, args.clients)
        cpu_before = server_cpu_seconds(server)
        latencies, failures, wall = run(port, bodies, args.clients)
        cpu = server_cpu_seconds(server) - cpu_before
    finally:
        stop_server(server)

    rate = len(latencies) / wall
    ms = [x * 1000 for x in latencies]
    p99 = percentile(ms, 99)
    print()
    print(f"  requests/s        {rate:9,.0f}   target >= {TARGET_RATE:,}: {'met' if rate >= TARGET_RATE else 'MISSED'}")
    print(f"  latency p50 (ms)  {percentile(ms, 50):9.2f}")
    print(f"  latency p90 (ms)  {percentile(ms, 90):9.2f}")
    verdict = "met" if p99 < TARGET_P99_MS else "MISSED"
    print(f"  latency p99 (ms)  {p99:9.2f}   target < {TARGET_P99_MS:.0f}: {verdict}")
    print(f"  latency max (ms)  {max(ms):9.2f}   mean {statistics.fmean(ms):.2f}")
    print(f"  answers not 200   {failures:9,}   of {len(latencies):,}")
    per_request = cpu / len(latencies) * 1e6
    print(f"  server CPU per request (us)  {per_request:6.0f}   i.e. about {1e6 / per_request:,.0f} requests/s "
          "per core the server has to itself (less sensitive to other load than the wall-clock rate)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
