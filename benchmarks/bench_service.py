"""Benchmark of the HTTP service on varied input, run by hand (never part of the test suite).

    python benchmarks/bench_service.py                   # this tree and the former main, side by side
    python benchmarks/bench_service.py --no-main         # this tree only
    python benchmarks/bench_service.py --compare ../old  # another checkout, run by its own .venv
    python benchmarks/bench_service.py --requests 1000 --clients 8 --workers 1   # a shorter run

For each server (this tree, then the former main: ``--main-ref``, default ``bench.MAIN_REF``,
taken with ``git archive`` and run by this interpreter, or ``--compare PATH``) it starts ``python -m service`` with
``--workers N`` on a free port of 127.0.0.1, waits for ``/healthz``, warms it on the mixed set
of ``benchmarks/bench.py`` and measures:

1. **full view**: ``--clients`` client processes (one keep-alive connection each) send
   ``POST /v1/assessments`` with ``--requests`` documents of ``varied.varied_documents``: at
   least 2,000 distinct answers shapes by default, none seen by the server before;
2. **triage view**: as 1, ``?view=triage``, with as many other varied documents;
3. **small requests beside two batches**: ``--small-clients`` clients send small triage
   requests (a one-product lead under a new name each time), first alone, then while two
   clients each stream a ``--batch-lines``-line batch (``POST /v1/batch``, varied documents).

Each phase prints requests per second, latency p50 and p99 (timed on the client), answers that
were not 200, and the server's CPU time per request (user + system of the server's process group,
from ``/proc``): on a shared machine the wall-clock figures move with other load, the CPU time
much less. The clients run on the same machine and take their share of its cores. The load
average is printed at the start and the end. Every request has a timeout, the phases are bounded
in count, and each server is stopped however the run ends.

Targets (issue 19, 2-core machine, varied input): server CPU <= 2 ms per full-view request and
<= 1 ms per triage request; p99 < 50 ms at 32 clients with ``--workers 2``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import MAIN_REF, checkout, interpreter, record  # noqa: E402 - the library benchmark's former main
from varied import mixed_set, shape_count, varied_documents  # noqa: E402 - the leads of every benchmark

TARGET_FULL_CPU_MS = 2.0
TARGET_TRIAGE_CPU_MS = 1.0
TARGET_P99_MS = 50.0
TIMEOUT = 30.0
"""Seconds a client waits for one answer (a batch: for each line of it)."""
START_TIMEOUT = 60.0
SMALL_ALONE = 400
"""Small requests sent with no batch running (the reference for the figures beside the batches)."""
SMALL_MAX = 20_000
"""At most this many small requests per client beside the batches (the phase ends with them anyway)."""
JSON_HEADERS = {"Content-Type": "application/json", "Host": "127.0.0.1", "Accept-Encoding": "gzip, deflate"}
"""As the common HTTP clients (requests, httpx) send them: they ask for a compressed answer, which the
server gzips when it is large (a full assessment). ``--no-gzip`` asks for none."""
NDJSON_HEADERS = {"Content-Type": "application/x-ndjson", "Host": "127.0.0.1"}


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(tree: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``python -m service`` of ``tree`` (its own packages first on the path, its own ``.venv`` if it
    has one), once ``/healthz`` answers."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
    python = interpreter(tree)
    where = subprocess.run([python, "-c", "import engine, service; print(engine.__file__, service.__file__)"],
                           cwd=tree, env=env, capture_output=True, text=True, check=True).stdout.split()
    if not all(path.startswith(str(tree)) for path in where):
        raise SystemExit(f"the server of {tree} would import {where}")
    log = tempfile.TemporaryFile()  # the server's log (an access line per request): a pipe would fill and stall it
    process = subprocess.Popen([python, "-m", "service", "--port", str(port), "--workers", str(workers)],
                               cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the server exited with {process.returncode}: {log.read().decode()[-2000:]}")
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


# ---------------------------------------------------------------- the clients (separate processes)

def client(port: int, path: str, bodies: list[bytes], start: Any, results: Any) -> None:
    """One client: its requests one after another on one keep-alive connection, each timed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    latencies: list[float] = []
    failures = 0
    start.wait()
    for body in bodies:
        began = time.perf_counter()
        connection.request("POST", path, body=body, headers=JSON_HEADERS)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        failures += response.status != 200
    connection.close()
    results.put((latencies, failures))


def small_client(port: int, body: bytes, start: Any, stop: Any, results: Any) -> None:
    """Small triage requests, one after another, until ``stop`` is set (at most ``SMALL_MAX``)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    latencies: list[float] = []
    failures = 0
    start.wait()
    while not stop.is_set() and len(latencies) < SMALL_MAX:
        began = time.perf_counter()
        connection.request("POST", "/v1/assessments?view=triage", body=body, headers=JSON_HEADERS)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        failures += response.status != 200
    connection.close()
    results.put((latencies, failures))


def batch_client(port: int, body: bytes, start: Any, results: Any) -> None:
    """One batch: its lines sent at once, the answer read to its end; the lines that came back fine."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    start.wait()
    began = time.perf_counter()
    connection.request("POST", "/v1/batch", body=body, headers=NDJSON_HEADERS)
    response = connection.getresponse()
    lines = response.read().splitlines()
    good = sum(1 for line in lines if b'"error"' not in line[:200]) if response.status == 200 else 0
    results.put(("batch", time.perf_counter() - began, good, len(body.splitlines())))
    connection.close()


@dataclass
class Phase:
    """What one phase measured."""

    latencies: list[float]
    failures: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def ms(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / len(self.latencies) if self.latencies else 0.0


def _collect(processes: list[multiprocessing.Process], start: Any, results: Any, wait: float,
             on_batches_done: Callable[[], None] | None = None, batches: int = 0) -> tuple[list[Any], float]:
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    got: list[Any] = []
    pending = batches
    for _ in processes:
        item = results.get(timeout=wait)
        got.append(item)
        if isinstance(item[0], str):
            pending -= 1
            if pending == 0 and on_batches_done is not None:
                on_batches_done()
    wall = time.perf_counter() - began
    for process in processes:
        process.join(timeout=TIMEOUT)
    return got, wall


def run_phase(server: subprocess.Popen[bytes], port: int, path: str, bodies: list[bytes], clients: int) -> Phase:
    """``clients`` clients sharing ``bodies`` against ``path``."""
    start = multiprocessing.Barrier(clients + 1)
    results: Any = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=client, args=(port, path, bodies[i::clients], start, results))
                 for i in range(clients)]
    cpu = server_cpu_seconds(server)
    got, wall = _collect(processes, start, results, TIMEOUT * len(bodies))
    return Phase([x for item in got for x in item[0]], sum(item[1] for item in got), wall,
                 server_cpu_seconds(server) - cpu)


def run_beside_batches(server: subprocess.Popen[bytes], port: int, small: bytes, batches: list[bytes],
                       clients: int) -> tuple[Phase, list[tuple[float, int, int]]]:
    """Small triage requests from ``clients`` clients while ``batches`` stream, until the batches end."""
    start = multiprocessing.Barrier(clients + len(batches) + 1)
    stop = multiprocessing.Event()
    results: Any = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=small_client, args=(port, small, start, stop, results))
                 for _ in range(clients)]
    processes += [multiprocessing.Process(target=batch_client, args=(port, body, start, results))
                  for body in batches]
    cpu = server_cpu_seconds(server)
    got, wall = _collect(processes, start, results, TIMEOUT * max(len(b.splitlines()) for b in batches),
                         on_batches_done=stop.set, batches=len(batches))
    smalls = [item for item in got if not isinstance(item[0], str)]
    done = [(item[1], item[2], item[3]) for item in got if isinstance(item[0], str)]
    return Phase([x for item in smalls for x in item[0]], sum(item[1] for item in smalls), wall,
                 server_cpu_seconds(server) - cpu), done


# ---------------------------------------------------------------- the documents

@dataclass
class Inputs:
    warm: list[bytes]
    full: list[bytes]
    triage: list[bytes]
    small: bytes
    batches: list[bytes]
    shapes: tuple[int, int, int]


def inputs(requests: int, batch_lines: int, root: Path = ROOT) -> tuple[Inputs, list[str]]:
    """The documents of every phase, each drawn from varied leads the server has not seen. With a
    former main's checkout as ``root`` they are drawn from its leads and examples, with the ids
    both vocabularies hold (as ``bench.py --compare``), so that both servers read every document."""
    documents, sources = mixed_set(root)
    count = 2 * requests + 2 * batch_lines
    varied = varied_documents(documents, 200 + count, root)[200:]  # as bench.py's side-by-side run
    full, triage = varied[:requests], varied[requests:2 * requests]
    batch_docs = [varied[2 * requests + i * batch_lines: 2 * requests + (i + 1) * batch_lines] for i in range(2)]
    lead = min(documents, key=lambda d: (len(d["products"]), len(json.dumps(d, ensure_ascii=False))))

    def encode(document: dict[str, Any]) -> bytes:
        return json.dumps(document, ensure_ascii=False).encode()

    made = Inputs(warm=[encode(record(documents, n)) for n in range(4 * len(documents))],
                  full=[encode(d) for d in full], triage=[encode(d) for d in triage],
                  small=encode(record([lead], 10**6)),
                  batches=[b"".join(encode(d) + b"\n" for d in docs) for docs in batch_docs],
                  shapes=(shape_count(full), shape_count(triage), shape_count(batch_docs[0] + batch_docs[1])))
    return made, sources


# ---------------------------------------------------------------- one server, every phase

@dataclass
class Figures:
    full: Phase
    triage: Phase
    small_alone: Phase
    small_beside: Phase
    batches: list[tuple[float, int, int]]


def measure(tree: Path, made: Inputs, args: argparse.Namespace) -> Figures:
    port = free_port()
    server = start_server(tree, port, args.workers)
    try:
        run_phase(server, port, "/v1/assessments", made.warm, args.clients)
        run_phase(server, port, "/v1/assessments?view=triage", made.warm, args.clients)
        full = run_phase(server, port, "/v1/assessments", made.full, args.clients)
        triage = run_phase(server, port, "/v1/assessments?view=triage", made.triage, args.clients)
        alone = run_phase(server, port, "/v1/assessments?view=triage", [made.small] * SMALL_ALONE,
                          args.small_clients)
        beside, batches = run_beside_batches(server, port, made.small, made.batches, args.small_clients)
    finally:
        stop_server(server)
    return Figures(full, triage, alone, beside, batches)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(columns: list[tuple[str, Figures]], made: Inputs, args: argparse.Namespace) -> int:
    """The figures, one column per server; the exit code (1 if any answer was not 200)."""
    print(f"\n  {'':<52}{''.join(f'{name:>16}' for name, _ in columns)}")

    def row(label: str, cells: list[str], target: str = "") -> None:
        print(f"  {label:<52}{''.join(f'{cell:>16}' for cell in cells)}   {target}".rstrip())

    views = ((f"full view, {len(made.full):,} requests, {made.shapes[0]:,} shapes", "full", TARGET_FULL_CPU_MS),
             (f"triage view, {len(made.triage):,} requests, {made.shapes[1]:,} shapes", "triage",
              TARGET_TRIAGE_CPU_MS))
    for title, view, cpu_target in views:
        phases: list[Phase] = [getattr(figures, view) for _, figures in columns]
        print(f"  {title}, {args.clients} clients")
        row("    server CPU per request (ms)", [f"{p.cpu_ms:.2f}" for p in phases], f"target <= {cpu_target:g}")
        row("    requests/s", [f"{p.rate:,.0f}" for p in phases])
        row("    latency p50 (ms)", [f"{p.ms(50):.1f}" for p in phases])
        row("    latency p99 (ms)", [f"{p.ms(99):.1f}" for p in phases], f"target < {TARGET_P99_MS:g}")
        row("    answers not 200", [f"{p.failures:,}" for p in phases])
    every = [figures for _, figures in columns]
    lines = sum(len(b.splitlines()) for b in made.batches)
    print(f"  small triage requests, {args.small_clients} clients: alone, then beside two batches of "
          f"{args.batch_lines:,} lines ({made.shapes[2]:,} shapes)")
    row("    alone: p50 / p99 (ms)", [f"{f.small_alone.ms(50):.1f} / {f.small_alone.ms(99):.1f}" for f in every])
    row("    beside the batches: p50 / p99 (ms)",
        [f"{f.small_beside.ms(50):.1f} / {f.small_beside.ms(99):.1f}" for f in every])
    row("    beside the batches: requests answered", [f"{len(f.small_beside.latencies):,}" for f in every])
    row("    beside the batches: answers not 200", [f"{f.small_beside.failures:,}" for f in every])
    row("    batches: wall s (the slower)", [f"{max(b[0] for b in f.batches):.1f}" for f in every])
    row(f"    batches: lines assessed, of {lines:,}", [f"{sum(b[1] for b in f.batches):,}" for f in every])
    row("    server CPU while the batches ran (s)", [f"{f.small_beside.cpu:.1f}" for f in every])
    failed = sum(f.full.failures + f.triage.failures + f.small_alone.failures + f.small_beside.failures
                 for f in every)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2400, help="requests per view (default 2400)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    parser.add_argument("--small-clients", type=int, default=4, help="clients of small requests (default 4)")
    parser.add_argument("--batch-lines", type=int, default=1500, help="lines of each of the two batches")
    parser.add_argument("--main-ref", default=MAIN_REF, help=f"the former main to compare (default {MAIN_REF})")
    parser.add_argument("--compare", type=Path, help="a checkout to compare instead, run by its own .venv")
    parser.add_argument("--no-main", action="store_true", help="measure this tree only")
    parser.add_argument("--no-gzip", action="store_true",
                        help="clients ask for no compression (default: gzip, as requests and httpx ask)")
    args = parser.parse_args()
    if args.no_gzip:
        del JSON_HEADERS["Accept-Encoding"]  # the client processes are forked after this
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers are stopped (finally)

    workdir = Path(tempfile.mkdtemp(prefix="algo-filing-bench-service-"))
    try:
        former = None if args.no_main else (
            args.compare.resolve() if args.compare is not None else checkout(args.main_ref, workdir))
        return _run(args, former)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, former: Path | None) -> int:
    """Every phase on this tree's server, then on the former main's (``former``), side by side."""
    made, sources = inputs(args.requests, args.batch_lines, former or ROOT)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"algo-filing service benchmark · nproc {os.cpu_count()} · {cpu} · Python {platform.python_version()}")
    print(f"server: python -m service (uvicorn), {args.workers} worker(s), 127.0.0.1; clients: processes on the "
          "same machine, one keep-alive connection each, "
          + ("asking for no compression" if args.no_gzip else "asking for gzip as requests and httpx do"))
    print(f"documents: varied.varied_documents over {'; '.join(sources)}; the server is warmed on "
          f"{len(made.warm)} renamed mixed-set records first")
    print(f"load average at start: {_load()}")
    columns = [("this tree", measure(ROOT, made, args))]
    if former is not None:
        name = args.compare.name if args.compare is not None else f"main {args.main_ref}"
        columns.append((name, measure(former, made, args)))
    code = report(columns, made, args)
    print(f"load average at the end: {_load()}")
    return code


if __name__ == "__main__":
    sys.exit(main())
