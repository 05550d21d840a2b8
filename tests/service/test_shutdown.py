"""Issue 20 item 7: a batch cut by the server's shutdown ends with an error record saying so.

The server is started as the README says (``algo-filing serve``); a batch is streamed in
chunks; after its first lines are answered the server gets SIGTERM, as an orchestrator stops
it, and the next chunk is answered by an error record naming the line the client must send
again. Every socket has a timeout, and the server is stopped however the test ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_edge_attacks import free_port, health

ROOT = Path(__file__).resolve().parents[2]
LEAD = (ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl").read_bytes().splitlines()[0]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


@contextmanager
def served(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=tmp_path,
                                   stdout=log, stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while health(port)[0] != 200:
                assert process.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the server did not answer /healthz within 60 s"
                time.sleep(0.2)
            yield port, process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def read_until(sock: socket.socket, done: bytes, seconds: float) -> bytes:
    """What the server sends until ``done`` is in it, it closes, or ``seconds`` pass."""
    answer = b""
    deadline = time.monotonic() + seconds
    sock.settimeout(0.5)
    while done not in answer and time.monotonic() < deadline:
        try:
            got = sock.recv(65536)
        except TimeoutError:
            continue
        if not got:
            break
        answer += got
    return answer


@pytest.mark.slow
def test_a_batch_cut_by_shutdown_ends_with_an_error_record(tmp_path: Path) -> None:
    with served(tmp_path) as (port, process), socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /v1/batch?summary=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
        sock.sendall(chunk(LEAD + b"\n" + LEAD + b"\n"))
        first = read_until(sock, b'"line":2', 30)
        assert b" 200 " in first.split(b"\r\n", 1)[0] and b'"line":2' in first, first[:500]
        os.killpg(process.pid, signal.SIGTERM)
        time.sleep(2)  # uvicorn tells every connection it is stopping
        sock.sendall(chunk(LEAD + b"\n"))
        rest = read_until(sock, b"0\r\n\r\n", 15)
        assert b'"line":3' in rest and b"the server is shutting down" in rest, rest[:500]
        assert b"Send them in another request" in rest
        assert process.wait(timeout=15) == 0
