"""Issue 20 items 3 and 4: the factory's exposure rule, Content-Type, the Host allowlist and CORS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.server import app_from_environment
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LEAD = (ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl").read_bytes().splitlines()[0]
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def app() -> object:
    return create_app(Settings())


def test_the_factory_refuses_v1_to_clients_beyond_loopback_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ALGO_FILING_TOKEN_FILE", "ALGO_FILING_INSECURE", "ALGO_FILING_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    factory_app = app_from_environment()
    beyond = TestClient(factory_app, base_url="http://192.0.2.2:8000")  # reached on the machine's own address
    refused = beyond.post("/v1/assessments", content=LEAD, headers=JSON)
    assert refused.status_code == 403
    assert refused.json()["error"] == "exposed_without_token"
    assert "ALGO_FILING_TOKEN_FILE" in refused.json()["problems"][0]["message"]
    assert beyond.get("/healthz").status_code == 200  # probes stay open
    local = TestClient(factory_app, base_url="http://127.0.0.1:8000")
    assert local.post("/v1/assessments", content=LEAD, headers=JSON).status_code == 200


def test_the_factory_serves_beyond_loopback_when_told_insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALGO_FILING_TOKEN_FILE", raising=False)
    monkeypatch.setenv("ALGO_FILING_INSECURE", "1")
    monkeypatch.setenv("ALGO_FILING_ALLOWED_HOSTS", "192.0.2.2")
    beyond = TestClient(app_from_environment(), base_url="http://192.0.2.2:8000")
    assert beyond.post("/v1/assessments", content=LEAD, headers=JSON).status_code == 200


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_a_body_that_is_not_declared_json_is_415(app: object, content_type: str | None) -> None:
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    headers = {"Content-Type": content_type} if content_type else {}
    for path in ("/v1/assessments", "/v1/diff", "/v1/batch", "/v1/drafts", "/v1/similar"):
        response = client.post(path, content=LEAD, headers=headers)
        assert response.status_code == 415, path
        assert response.json()["error"] == "unsupported_media_type"
        assert response.json()["problems"][0]["field"] == "Content-Type"


def test_a_batch_must_be_ndjson_and_json_may_carry_a_charset(app: object) -> None:
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    assert client.post("/v1/batch", content=LEAD, headers=JSON).status_code == 415
    assert client.post("/v1/batch", content=LEAD, headers={"Content-Type": "application/x-ndjson"}).status_code == 200
    charset = {"Content-Type": "application/json; charset=utf-8"}
    assert client.post("/v1/assessments", content=LEAD, headers=charset).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "attacker.test:8000", "127.0.0.1.nip.io"])
def test_a_host_outside_the_allowlist_is_refused(app: object, host: str) -> None:
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    response = client.post("/v1/assessments", content=LEAD, headers={**JSON, "Host": host})
    assert response.status_code == 400
    assert response.json()["error"] == "host_not_allowed"
    assert client.get("/healthz", headers={"Host": host}).status_code == 200  # probes answer any host


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:1", "[::1]:8000"])
def test_loopback_names_are_allowed_by_default(app: object, host: str) -> None:
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    assert client.post("/v1/assessments", content=LEAD, headers={**JSON, "Host": host}).status_code == 200


def test_cors_is_off_by_default_and_an_explicit_option() -> None:
    preflight = {"Origin": "https://intake.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    closed = TestClient(create_app(Settings()), base_url="http://127.0.0.1")
    answer = closed.options("/v1/assessments", headers=preflight)
    assert "access-control-allow-origin" not in answer.headers
    opened = TestClient(create_app(Settings(cors_origins=("https://intake.example",))), base_url="http://127.0.0.1")
    answer = opened.options("/v1/assessments", headers=preflight)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://intake.example"
    other = opened.options("/v1/assessments", headers={**preflight, "Origin": "https://evil.example"})
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"
    assert json.loads(opened.post("/v1/assessments", content=LEAD, headers=JSON).content)["rules_version"]
