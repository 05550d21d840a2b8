"""The real server: ``algo-filing serve`` started as a process on a free port of 127.0.0.1, called over HTTP.

Every call has a timeout and every server is stopped (SIGINT, then SIGKILL of its process
group) however the test ends, so a failure never leaves a server behind or hangs the suite.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from engine import assess, assess_json, parse_answers, triage_row

ROOT = Path(__file__).resolve().parent.parent
MIXED = ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl"
SERVE = [sys.executable, "-m", "cli", "serve"]
"""The work tree's ``algo-filing serve`` (``python -m cli`` with the work tree first on the path), so the
tests never run a stale installed copy; tests/test_cli.py checks the installed console script."""
WORK_TREE_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
TIMEOUT = 20.0
START_TIMEOUT = 60.0
TOKEN = "a-long-enough-token-for-the-test-0123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def call(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    method = "POST" if body is not None else "GET"
    kind = "application/x-ndjson" if "/v1/batch" in url else "application/json"
    headers = {"Content-Type": kind, **(headers or {})} if body is not None else headers or {}
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextmanager
def server(tmp_path: Path, *args: str) -> Iterator[str]:
    """``algo-filing serve`` on a free port; yields its base URL once ``/healthz`` answers."""
    port = free_port()
    log = (tmp_path / f"server-{port}.log").open("wb")
    process = subprocess.Popen([*SERVE, "--port", str(port), *args], cwd=tmp_path, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True, env=WORK_TREE_ENV)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{Path(log.name).read_text()}")
            try:
                if call(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer from /healthz within {START_TIMEOUT:.0f} s:\n{Path(log.name).read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()


def readme_curl_example() -> tuple[str, dict[str, Any]]:
    """The README's curl command for the service, and the answer it shows."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Over HTTP: `algo-filing serve`"):]
    command = re.search(r"```sh\n(curl .*?)```", section, re.S)
    shown = re.search(r"```json\n(.*?)```", section, re.S)
    assert command and shown, "the README shows a curl example and its answer"
    return command.group(1), json.loads(shown.group(1))


@pytest.mark.slow
def test_the_readme_curl_example_answers_as_shown(tmp_path: Path) -> None:
    command, shown = readme_curl_example()
    with server(tmp_path) as base:
        port = base.rsplit(":", 1)[1]
        done = subprocess.run(["bash", "-c", command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
                              capture_output=True, timeout=TIMEOUT, check=True)
    answer = json.loads(done.stdout)
    assert {k: v for k, v in answer.items() if k != "rules_version"} == \
        {k: v for k, v in shown.items() if k != "rules_version"}
    document = json.loads(re.search(r"-d '(.*)'", command, re.S).group(1))  # type: ignore[union-attr]
    answers = parse_answers(document)
    assert done.stdout == triage_row(assess(answers), line=1, entity=answers.entity.name).model_dump_json().encode()


@pytest.mark.slow
def test_over_http_concurrent_requests_give_the_librarys_bytes_and_limits_hold(tmp_path: Path) -> None:
    documents = [line for line in MIXED.read_bytes().splitlines() if line.strip()]
    expected: dict[int, bytes] = {}
    for i, line in enumerate(documents):
        try:
            expected[i] = assess_json(parse_answers(json.loads(line))).encode()
        except Exception:  # noqa: BLE001 - the invalid documents of the fixture are checked for 422 below
            continue
    jobs = list(range(len(documents))) * 3
    with server(tmp_path) as base:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda i: (i, *call(f"{base}/v1/assessments", documents[i])), jobs))
        status, body = call(f"{base}/v1/batch?summary=true", MIXED.read_bytes())
        too_large = _answer_to_a_declared_length(base, (1 << 20) + 2)
        answered_early = _answer_before_the_whole_body(base)
    for i, code, content in results:
        if i in expected:
            assert code == 200 and content == expected[i], f"document {i}"
        else:
            assert code == 422 and json.loads(content)["error"] == "invalid_answers"
    assert status == 200 and len(body.splitlines()) == len(MIXED.read_bytes().splitlines())
    head, _, payload = too_large.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and json.loads(payload)["error"] == "body_too_large"
    assert answered_early.startswith(b"HTTP/1.1 413")


def _answer_to_a_declared_length(base: str, length: int) -> bytes:
    """Declare a body over the limit and send none of it: the server answers from the header alone.

    (Sending the whole body races with the server closing the connection once it has answered.)
    """
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(b"POST /v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % length)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _answer_before_the_whole_body(base: str) -> bytes:
    """Send 1.5 MiB of a chunked body, never its end, and read what the server says meanwhile."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(b"POST /v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b" " * 65536
        try:
            for _ in range(24):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # the server may close the connection once it has answered
        return sock.recv(65536)


@pytest.mark.slow
def test_with_a_token_file_only_a_bearer_of_the_token_gets_through(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    document = MIXED.read_bytes().splitlines()[0]
    with server(tmp_path, "--token-file", str(token_file), "--workers", "2") as base:
        refused = call(f"{base}/v1/assessments", document)
        wrong = call(f"{base}/v1/assessments", document, {"Authorization": "Bearer " + TOKEN[:-1]})
        allowed = [call(f"{base}/v1/assessments", document, {"Authorization": f"Bearer {TOKEN}"}) for _ in range(4)]
        health = call(f"{base}/healthz")
    assert refused[0] == 401 and wrong[0] == 401
    assert all(code == 200 and body == assess_json(json.loads(document)).encode() for code, body in allowed)
    assert health[0] == 200


def test_the_served_code_is_the_work_trees() -> None:
    """Regression: the tests once ran the console script installed in the venv, which after a
    ``pip install .`` (not editable) is a copy that does not change with the work tree."""
    done = subprocess.run([sys.executable, "-c", "import cli, engine, service; print(cli.__file__, engine.__file__, "
                           "service.__file__)"], capture_output=True, text=True, timeout=TIMEOUT, cwd="/",
                          env=WORK_TREE_ENV)
    assert done.returncode == 0, done.stderr
    for module in done.stdout.split():
        assert Path(module).is_relative_to(ROOT), module


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1"])
@pytest.mark.slow
def test_the_server_refuses_to_listen_beyond_loopback_without_a_token(host: str) -> None:
    done = subprocess.run([*SERVE, "--host", host], capture_output=True, text=True, timeout=TIMEOUT,
                          env=WORK_TREE_ENV)
    assert done.returncode == 2
    assert f"refusing to listen on {host} without a token" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("", "token file is empty"), ("short", "token is 5 characters"), ("two words but long enough", "whitespace")])
@pytest.mark.slow
def test_a_token_file_that_cannot_serve_is_refused(tmp_path: Path, content: str, message: str) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(content, encoding="utf-8")
    done = subprocess.run([*SERVE, "--token-file", str(token_file)], capture_output=True, text=True,
                          timeout=TIMEOUT, env=WORK_TREE_ENV)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
