"""The intake form at ``/``, as a sales person uses it in a browser.

Headless Chromium (Debian's package, installed by ``.ci/run``; the test is skipped, with the
reason, where it is absent) is driven over the DevTools protocol on a pipe: the page is loaded
from the real server, text is typed into the fields (``Input.insertText``), choices are
ticked, the form is sent, and the test reads what the page then shows. The lead's names try
to inject markup; the page must show them as text, run nothing, and load nothing from outside.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_html import _chromium  # the same Chromium, or the same skip with its reason
from test_service_server import server

from engine import assess, load_vocabulary, parse_answers

TIMEOUT = 30.0
TOKEN = "form-token-of-enough-length-0123456789"
ENTITY = '某某科技 <img src=x onerror="window.__injected=1">'
PRODUCT = "<script>window.__injected=2</script>资讯"


class DevTools:
    """A Chromium driven over ``--remote-debugging-pipe`` (JSON messages ended by NUL on fds 3 and 4)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError("Chromium did not answer in time")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise AssertionError("Chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        data: dict[str, Any] = json.loads(message)
        return data

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.send("Network.enable")
        self.send("Log.enable")
        self.send("Runtime.enable")
        self.send("Page.navigate", {"url": url})

    def js(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                               "returnByValue": True})
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str) -> Any:
        """The value of ``expression`` once it is truthy (it may fail while the page is loading)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            value = self.js(f"(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()")
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"the page never showed {expression}")

    def type_into(self, selector: str, text: str) -> None:
        """Focus a field and type ``text`` as a keyboard would (after clearing it)."""
        self.js(f"(() => {{ const f = document.querySelector({json.dumps(selector)}); f.focus(); f.select(); }})()")
        self.send("Input.insertText", {"text": text})

    def tick(self, selector: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def requested(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def console(self) -> list[str]:
        return [e["params"]["entry"]["text"] for e in self.events if e.get("method") == "Log.entryAdded"]


@contextmanager
def chromium(tmp_path: Path) -> Iterator[DevTools]:
    binary = _chromium()
    log = (tmp_path / "chromium.log").open("wb")
    # fd 3 is what Chromium reads commands from, fd 4 where it writes: here our stdin and stdout pipes.
    command = ['exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', binary, "--headless", "--no-sandbox",
               "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--remote-debugging-pipe",
               f"--user-data-dir={tmp_path / 'profile'}", "about:blank"]
    process = subprocess.Popen(["sh", "-c", *command], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                               start_new_session=True)
    try:
        yield DevTools(process)
    finally:
        process.kill()
        process.wait(timeout=10)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        log.close()


def fill_lead(browser: DevTools, *, forms: bool = True) -> None:
    browser.wait_for("document.documentElement.dataset.ready === 'true'")
    browser.type_into(".q[data-q=entity_name] input", ENTITY)
    browser.type_into(".q[data-q=product_name] input", PRODUCT)
    if forms:
        browser.tick(".q[data-q=forms] input[value=app]")
    browser.tick(".q[data-q=audience] input[value=public]")
    browser.tick(".q[data-q=opinion_features] input[value=comments]")
    browser.tick(".q[data-q=user_groups] input[value=none]")
    browser.type_into("#features .q[data-q=feature_name] input", "首页推荐")
    browser.tick("#features .q[data-q=does] input[value=picks_for_user]")
    browser.tick("#features .q[data-q=personalises] input[value=recommend_by_profile]")


def submit(browser: DevTools) -> None:
    browser.js("document.getElementById('triage').hidden = true; document.getElementById('submit').click()")


@pytest.mark.slow
def test_a_lead_typed_into_the_form_shows_its_triage_row_and_a_full_report(tmp_path: Path) -> None:
    with server(tmp_path) as base, chromium(tmp_path) as browser:
        browser.open(f"{base}/")
        fill_lead(browser, forms=False)
        submit(browser)
        beside = browser.wait_for("!document.querySelector('.q[data-q=forms] .error').hidden && "
                                  "document.querySelector('.q[data-q=forms] .error').textContent")
        assert beside == "请回答这一题 · Please answer this question"

        browser.tick(".q[data-q=forms] input[value=app]")
        submit(browser)
        browser.wait_for("!document.getElementById('triage').hidden && !document.getElementById('report').hidden")
        row = browser.js("Object.fromEntries([...document.querySelectorAll('#triage tr')]"
                         ".map(tr => [tr.dataset.key, tr.querySelector('td').textContent]))")
        injected = browser.js("[window.__injected, document.querySelectorAll('img').length, "
                              "[...document.scripts].map(s => s.id)]")
        link = browser.js("document.getElementById('report-link').href")
        requested = browser.requested()
        console = browser.console()
        browser.open(link)  # the full report, in a tab of its own, as the link opens it
        browser.wait_for("document.readyState === 'complete' && document.title.length > 0")
        report = browser.js("[document.title, document.body.innerText, document.querySelectorAll('script, img')"
                            ".length, window.__injected]")

    answers = parse_answers({"entity": {"name": ENTITY}, "products": [{
        "name": PRODUCT, "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
        "news": False, "user_groups": [], "features": [{"name": "首页推荐", "behaviours": ["recommend_by_profile"]}]}]})
    expected = assess(answers)
    status = expected.filing.status
    labels = [load_vocabulary().label("applicability", status, lang) for lang in ("zh", "en")]  # type: ignore[arg-type]
    assert row["status"] == f"{labels[0]} · {labels[1]} ({status})"
    assert row["algorithms"] == str(len(expected.algorithms))
    assert row["rules_version"] == expected.rules_version
    assert row["entity"] == ENTITY
    assert link.startswith("blob:")
    title, text, elements, ran = report
    assert title.startswith("算法备案评估报告") and PRODUCT in text and "不构成法律意见" in text
    assert elements == 0 and ran is None
    assert injected == [None, 0, ["vocabulary", ""]], "the names were shown as text and ran nothing"
    assert all(url.startswith((base, "blob:", "data:")) for url in requested), requested
    assert not [line for line in console if "Content Security Policy" in line], console


@pytest.mark.slow
def test_the_form_asks_for_the_token_when_the_service_needs_one(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN, encoding="utf-8")
    with server(tmp_path, "--token-file", str(token_file)) as base, chromium(tmp_path) as browser:
        browser.open(f"{base}/")
        fill_lead(browser)
        assert browser.js("document.getElementById('auth').hidden") is True
        submit(browser)
        browser.wait_for("!document.getElementById('auth').hidden")
        assert "令牌" in browser.js("document.getElementById('message').textContent")
        browser.type_into("#token", TOKEN)
        submit(browser)
        status = browser.wait_for("!document.getElementById('triage').hidden && "
                                  "document.querySelector('#triage tr[data-key=status] td').textContent")
    assert status.endswith("(required)")
