"""Issue 19 item 4: a per-request time budget and concurrency caps, so heavy work cannot stall the rest."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import service.routes
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LEAD = (ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl").read_bytes().splitlines()[0]
JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}
WAIT = 20.0


def client(**settings: Any) -> TestClient:
    return TestClient(create_app(Settings(**settings)), base_url="http://127.0.0.1")


def test_an_assessment_over_the_time_budget_is_503_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    released, done = threading.Event(), threading.Event()

    def held(*args: Any) -> str:
        released.wait(WAIT)  # the work outlives the budget until the test lets it go
        done.set()
        return "{}"

    monkeypatch.setattr(service.routes, "_assess_json", held)
    over_budget = client(request_seconds=0.2)
    try:
        response = over_budget.post("/v1/assessments", content=LEAD, headers=JSON)
        assert not done.is_set()  # answered at the budget, while the work was still running
    finally:
        released.set()
    assert response.status_code == 503
    assert response.json()["error"] == "over_budget"
    assert "ALGO_FILING_REQUEST_SECONDS" in response.json()["problems"][0]["message"]
    assert done.wait(WAIT)


def test_past_the_assessment_cap_requests_get_busy_and_the_worker_is_not_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    entered, gate = threading.Event(), threading.Event()

    def held(*args: Any) -> str:
        entered.set()
        gate.wait(WAIT)
        return "{}"

    monkeypatch.setattr(service.routes, "_assess_json", held)
    capped = client(max_assessments=1)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(capped.post, "/v1/assessments", content=LEAD, headers=JSON)
        try:
            assert entered.wait(WAIT)
            second = capped.post("/v1/assessments?view=triage", content=LEAD, headers=JSON)
            ready = capped.get("/readyz")
        finally:
            gate.set()
        assert first.result(timeout=WAIT).status_code == 200
    assert second.status_code == 503 and second.json()["error"] == "busy"
    assert second.headers["retry-after"] == "1"
    assert "ALGO_FILING_MAX_ASSESSMENTS" in second.json()["problems"][0]["message"]
    assert ready.status_code == 503
    assert capped.get("/readyz").status_code == 200
    assert capped.post("/v1/assessments?view=triage", content=LEAD, headers=JSON).status_code == 200


def test_past_the_batch_cap_a_batch_gets_busy() -> None:
    sent, gate = threading.Event(), threading.Event()

    def body() -> Iterator[bytes]:
        yield LEAD + b"\n"
        sent.set()
        gate.wait(WAIT)
        yield LEAD + b"\n"

    capped = client(max_batches=1)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(capped.post, "/v1/batch", content=body(), headers=NDJSON)
        try:
            assert sent.wait(WAIT)
            time.sleep(0.2)
            second = capped.post("/v1/batch", content=LEAD + b"\n", headers=NDJSON)
        finally:
            gate.set()
        assert first.result(timeout=WAIT).text.count("\n") == 2
    assert second.status_code == 503 and second.json()["error"] == "busy"
    assert "ALGO_FILING_MAX_BATCHES" in second.json()["problems"][0]["message"]
    assert capped.post("/v1/batch", content=LEAD + b"\n", headers=NDJSON).status_code == 200
