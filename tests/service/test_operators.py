"""Issue 20 item 7: request ids, the JSON access log, /metrics, readiness, gzip."""

from __future__ import annotations

import gzip
import json
import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine import assess_json, parse_answers
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LEAD = (ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl").read_bytes().splitlines()[0]
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings()), base_url="http://127.0.0.1")


def test_a_request_id_is_echoed_or_made_and_in_every_error_body(client: TestClient) -> None:
    given = client.post("/v1/assessments", content=LEAD, headers={**JSON, "X-Request-ID": "crm-42.a"})
    assert given.status_code == 200 and given.headers["x-request-id"] == "crm-42.a"
    made = client.get("/v1/rules")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    for response in (client.post("/v1/assessments", content=b"{", headers={**JSON, "X-Request-ID": "r-1"}),
                     client.get("/v1/nothing-here", headers={"X-Request-ID": "r-2"}),
                     client.post("/v1/assessments", content=LEAD, headers={"X-Request-ID": "r-3"}),
                     client.post("/v1/assessments", content=LEAD, headers={**JSON, "Host": "evil.example",
                                                                            "X-Request-ID": "r-4"})):
        assert response.status_code >= 400
        assert response.json()["request_id"] == response.headers["x-request-id"]
        assert response.json()["request_id"].startswith("r-")
    for bad in ("<script>", "two words", "y" * 200):
        forged = client.get("/v1/rules", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])  # replaced, never echoed


def test_the_access_log_is_one_json_object_a_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="algo_filing.access"):
        client.get("/v1/filing-numbers/网信算备110108823483902220017号", headers={"X-Request-ID": "log-1"})
    entries = [json.loads(r.getMessage()) for r in caplog.records if r.name == "algo_filing.access"]
    entry = next(e for e in entries if e["request_id"] == "log-1")
    assert entry["status"] == 200 and entry["method"] == "GET"
    assert entry["route"] == "/v1/filing-numbers/{number}" and entry["ms"] >= 0 and entry["bytes"] > 0


def test_metrics_count_requests_latency_refusals_and_batch_lines(client: TestClient) -> None:
    client.post("/v1/assessments", content=LEAD, headers={**JSON, "Host": "evil.example"})
    client.post("/v1/batch", content=LEAD + b"\n{}\n", headers={"Content-Type": "application/x-ndjson"})
    client.post("/v1/assessments", content=LEAD, headers=JSON)
    text = client.get("/metrics").text
    assert re.search(r'algo_filing_requests_total\{method="POST",route="/v1/assessments",status="200"\} [1-9]', text)
    assert 'algo_filing_request_seconds_bucket{le="0.1",route="/v1/assessments"}' in text
    assert re.search(r'algo_filing_refusals_total\{reason="host_not_allowed"\} [1-9]', text)
    assert re.search(r'algo_filing_batch_lines_total\{outcome="assessed"\} [1-9]', text)
    assert re.search(r'algo_filing_batch_lines_total\{outcome="error"\} [1-9]', text)


def test_readiness_is_its_own_probe_and_head_works(client: TestClient) -> None:
    assert client.get("/readyz").json()["status"] == "ok"
    assert client.head("/readyz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.head("/readyz").content == b""


def test_large_answers_are_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    response = client.post("/v1/assessments", content=LEAD, headers={**JSON, "Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == assess_json(parse_answers(json.loads(LEAD))).encode()
    raw = client.post("/v1/assessments", content=LEAD, headers={**JSON, "Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.content == response.content
    assert len(gzip.compress(response.content)) < len(response.content)


def test_gzip_is_the_fast_level(client: TestClient) -> None:
    """Most clients ask for gzip: it is written at the fastest level (service/app.py GZIP_LEVEL), whose
    header says so (XFL 4), and it reads back to the very bytes of the uncompressed answer."""
    with client.stream("POST", "/v1/assessments", content=LEAD,
                       headers={**JSON, "Accept-Encoding": "gzip"}) as response:
        compressed = b"".join(response.iter_raw())
    assert compressed[:2] == b"\x1f\x8b" and compressed[8] == 4  # gzip magic; XFL: fastest
    assert gzip.decompress(compressed) == assess_json(parse_answers(json.loads(LEAD))).encode()


def test_the_rules_carry_an_etag_and_a_matching_request_gets_304(client: TestClient) -> None:
    first = client.get("/v1/rules")
    tag = first.headers["etag"]
    assert first.status_code == 200 and re.fullmatch(r'"[0-9a-f]{32}"', tag)
    assert first.json()["rules"] and client.get("/v1/rules").headers["etag"] == tag  # the same rules, the same tag
    for header in (tag, f'"other", W/{tag}', "*"):
        again = client.get("/v1/rules", headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get("/v1/rules", headers={"If-None-Match": '"other"'}).status_code == 200
    english = client.get("/v1/rules?lang=en")
    assert english.headers["etag"] != tag
    assert client.get("/v1/rules?lang=en", headers={"If-None-Match": tag}).status_code == 200


def test_swagger_ui_is_served_from_the_installed_package_not_a_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another host
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 1000, source
