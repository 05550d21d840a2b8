"""Issue 19 item 5: a plain ``POST /v1/assessments`` takes the short way to its endpoint, with the same answer.

Sent with ``Content-Type: application/json`` it takes the short way (:class:`service.lane.AssessmentLane`);
with ``application/json; charset=utf-8``, which the route takes as well, it goes the whole way
through FastAPI. Both must give the same status, headers and bytes, refusals included; and
every request the route refuses must still be refused, whichever way it came.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LEADS = [json.loads(line) for line in (ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
TOKEN = "a-token-long-enough-for-the-lane-0123456"
SHORT = "application/json"
WHOLE = "application/json; charset=utf-8"


def same(short: httpx.Response, whole: httpx.Response) -> None:
    """The two answers are the same but for the request id each request gets."""
    assert short.status_code == whole.status_code
    assert [(k, v) for k, v in short.headers.items() if k != "x-request-id"] == \
        [(k, v) for k, v in whole.headers.items() if k != "x-request-id"]
    if short.headers["content-type"] == "application/json" and short.status_code >= 400:
        body, other = short.json(), whole.json()
        assert body.pop("request_id") == short.headers["x-request-id"]
        assert other.pop("request_id") == whole.headers["x-request-id"]
        assert body == other
    else:
        assert short.content == whole.content


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(max_body_bytes=20_000)), base_url="http://127.0.0.1") as test_client:
        yield test_client


def both(client: TestClient, body: bytes, query: str = "", **headers: str) -> tuple[httpx.Response, httpx.Response]:
    return tuple(client.post(f"/v1/assessments{query}", content=body, headers={"Content-Type": kind, **headers})
                 for kind in (SHORT, WHOLE))  # type: ignore[return-value]


@pytest.mark.parametrize("query", ["", "?view=full", "?view=triage"])
def test_assessments_the_short_way_are_the_bytes_of_the_whole_way(client: TestClient, query: str) -> None:
    for lead in LEADS:
        short, whole = both(client, json.dumps(lead, ensure_ascii=False).encode(), query)
        assert short.status_code == 200
        same(short, whole)


def test_a_large_assessment_is_gzipped_alike_for_a_client_that_accepts_it(client: TestClient) -> None:
    lead = max(LEADS, key=lambda d: len(json.dumps(d)))
    short, whole = both(client, json.dumps(lead).encode(), **{"Accept-Encoding": "gzip"})
    assert short.headers["content-encoding"] == "gzip"
    same(short, whole)


@pytest.mark.parametrize("body", [
    b'{"entity": {"name": "x"}, "products": [{"name": "p", "forms": ["ap"]}]}',  # invalid answers
    b'{"entity": ',  # not JSON
    b"\xff\xfe",  # not UTF-8
    b"[]",  # not a mapping
    b'{"entity": {"name": "' + b"x" * 30_000 + b'"}}',  # over the body limit
])
def test_refused_bodies_are_refused_alike(client: TestClient, body: bytes) -> None:
    short, whole = both(client, body)
    assert short.status_code in (413, 422)
    same(short, whole)


@pytest.mark.parametrize(("query", "status"), [
    ("?view=summary", 422), ("?veiw=triage", 422), ("?as_of=2025-13-01", 422), ("?view=triage&view=full", 200),
    ("?view=full&as_of=2026-01-01", 200), ("?as_of=2026-01-01", 200), ("?view=triage&", 200)])
def test_other_queries_are_answered_as_the_route_answers_them(client: TestClient, query: str, status: int) -> None:
    short, whole = both(client, json.dumps(LEADS[0]).encode(), query)
    assert short.status_code == status
    same(short, whole)


def test_the_access_log_and_the_metrics_name_the_route(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="algo_filing.access"):
        response = client.post("/v1/assessments?view=triage", content=json.dumps(LEADS[0]).encode(),
                               headers={"Content-Type": SHORT})
    entries = [json.loads(record.getMessage()) for record in caplog.records if record.name == "algo_filing.access"]
    assert [(e["route"], e["status"], e["request_id"]) for e in entries] == \
        [("/v1/assessments", 200, response.headers["x-request-id"])]
    metrics = client.get("/metrics").text
    assert 'algo_filing_requests_total{method="POST",route="/v1/assessments",status="200"}' in metrics


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(token=SecretStr(TOKEN))), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"Bearer  {TOKEN} "])
def test_with_the_token_both_ways_answer_alike(guarded: TestClient, header: str) -> None:
    short, whole = both(guarded, json.dumps(LEADS[0]).encode(), "?view=triage", Authorization=header)
    assert short.status_code == 200
    same(short, whole)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
                                    f"Bearer {TOKEN[:-1]}", f"Token {TOKEN}", f"Bearer{TOKEN}"])
def test_without_the_token_both_ways_are_401(guarded: TestClient, header: str | None) -> None:
    headers: dict[str, Any] = {"Authorization": header} if header is not None else {}
    short, whole = both(guarded, json.dumps(LEADS[0]).encode(), **headers)
    assert short.status_code == 401
    assert short.headers["www-authenticate"] == "Bearer"
    assert short.json()["error"] == "unauthorized"
    same(short, whole)
