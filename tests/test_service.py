"""The HTTP service (FastAPI's TestClient): every route, and its 200, 401, 404/405, 413, 422 and 500 answers.

What a route returns is compared with what the library and the command line give for the
same input, byte for byte: the service only carries the engine's answers over HTTP.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.requests import Request

import cli
import service.routes
from engine import (
    Answers,
    AnswersError,
    answers_json_schema,
    assess,
    assess_json,
    assessment_json_schema,
    decode_filing_number,
    default_rulebook,
    diff_answers,
    load_answers,
    parse_answers,
    render_html,
    triage_json_schema,
    triage_row,
)
from engine.intake.batch import run_batch
from engine.model.contract_json import (
    Catalogue,
    CompactAssessment,
    catalogue_json,
    catalogue_json_schema,
    read_assessment,
    resolve,
)
from service.app import create_app
from service.limits import read_body, split_lines
from service.problems import ApiError
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MIXED = ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl"
BROKEN = ROOT / "tests" / "fixtures" / "batch" / "broken.jsonl"
DIFF = ROOT / "tests" / "fixtures" / "diff"
NEWS = ROOT / "examples" / "news_app.yaml"
TOKEN = "s3cret-token-for-tests-0123456789"
NUMBER = "网信算备110108823483902220017号"
JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}


def document(path: Path) -> dict[str, Any]:
    """An answers file as the JSON document a client sends."""
    data: dict[str, Any] = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    return data


def examples() -> list[Path]:
    valid = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        try:
            load_answers(path)
        except AnswersError:
            continue
        valid.append(path)
    return valid


def triage_bytes(answers: Answers) -> bytes:
    """The triage row the service answers for one document (it is line 1 of one)."""
    return triage_row(assess(answers), line=1, entity=answers.entity.name).model_dump_json().encode()


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings())


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def small_app(**limits: int) -> TestClient:
    return TestClient(create_app(Settings(**limits)), base_url="http://127.0.0.1")


# ---------------------------------------------------------------- POST /v1/assessments

@pytest.mark.parametrize("path", examples(), ids=lambda p: p.stem)
def test_an_assessment_is_the_librarys_bytes(client: TestClient, path: Path) -> None:
    response = client.post("/v1/assessments", json=document(path))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == assess_json(document(path)).encode()


def test_an_assessment_with_its_catalogue_embedded_reads_back(client: TestClient) -> None:
    response = client.post("/v1/assessments", params={"catalogue": "embed"}, json=document(NEWS))
    assert response.status_code == 200
    assert response.content == assess(document(NEWS)).to_json(indent=None, catalogue="embed").encode()
    assert read_assessment(response.content).model_dump_json() == assess(document(NEWS)).model_dump_json()
    refused = client.post("/v1/assessments", params={"catalogue": "inline"}, json=document(NEWS))
    assert refused.status_code == 422


def test_the_catalogue_is_published_per_rules_version_and_cached(client: TestClient) -> None:
    response = client.get("/v1/catalogue")
    version = default_rulebook().rules_version
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.headers["etag"] == f'"{version}"'
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.json() == json.loads(catalogue_json())
    assert response.json()["rules_version"] == version
    # an assessment without its texts reads back with the catalogue of its rules_version
    saved = CompactAssessment.model_validate_json(client.post("/v1/assessments", json=document(NEWS)).content)
    back = resolve(saved, Catalogue.model_validate_json(response.content))
    assert back.model_dump_json() == assess(document(NEWS)).model_dump_json()
    again = client.get("/v1/catalogue", headers={"If-None-Match": f'"{version}"'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == f'"{version}"'
    assert client.get("/v1/catalogue", headers={"If-None-Match": '"2026.01.0+000000000000"'}).status_code == 200
    assert client.get("/v1/schema/catalogue").json() == catalogue_json_schema()


def test_the_triage_view_is_the_triage_row_of_the_assessment(client: TestClient) -> None:
    response = client.post("/v1/assessments", params={"view": "triage"}, json=document(NEWS))
    assert response.status_code == 200
    answers = load_answers(NEWS)
    assert response.content == triage_bytes(answers)
    assert response.json()["status"] == "required"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_is_the_printable_report_and_may_run_nothing(client: TestClient, lang: str) -> None:
    response = client.post("/v1/reports", params={"lang": lang}, json=document(NEWS))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == render_html(assess(load_answers(NEWS)), lang)  # type: ignore[arg-type]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_as_of_applies_the_rules_in_force_on_that_date(client: TestClient) -> None:
    doc = document(ROOT / "examples" / "chatbot_own_model.yaml")
    early = client.post("/v1/assessments", params={"as_of": "2025-06-01"}, json=doc)
    assert early.content == assess_json(doc, as_of=dt.date(2025, 6, 1)).encode()
    assert early.content != client.post("/v1/assessments", json=doc).content


def test_invalid_answers_get_the_command_lines_fields_and_did_you_mean(
        client: TestClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = document(NEWS)
    doc["products"][0]["features"][0]["behaviours"] = ["recomend_by_profile"]
    doc["products"][0]["forms"] = []
    doc["products"][0]["colour"] = "blue"
    response = client.post("/v1/assessments", json=doc)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_answers"
    problems = [(p["field"], p["message"]) for p in body["problems"]]
    assert ("products[0].features[0].behaviours[0]",
            "unknown behaviour id 'recomend_by_profile'; did you mean 'recommend_by_profile'?") in problems

    bad = tmp_path / "lead.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert cli.main(["assess", str(bad)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "algo-filing: invalid answers"
    assert lines[1:] == [f"{bad}: {field}: {message}" for field, message in problems]


@pytest.mark.parametrize(("body", "message"), [
    (b'{"entity": ', "not valid JSON at line 1, column 12"),
    (b"\xff\xfe{}", "not UTF-8 (byte 1)"),
    (b"[1, 2]", "expected a mapping with `entity` and `products`"),
])
def test_a_body_that_is_not_an_answers_document_is_422(client: TestClient, body: bytes, message: str) -> None:
    response = client.post("/v1/assessments", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert message in response.json()["problems"][0]["message"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("params", "field"), [
    ({"view": "everything"}, "query.view"), ({"as_of": "next tuesday"}, "query.as_of"), ({"lang": "fr"}, "query.lang"),
])
def test_a_bad_parameter_is_422_naming_it(client: TestClient, params: dict[str, str], field: str) -> None:
    route = "/v1/reports" if "lang" in params else "/v1/assessments"
    response = client.post(route, params=params, json=document(NEWS))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert [p["field"] for p in response.json()["problems"]] == [field]


# ---------------------------------------------------------------- size limits: 413

def test_a_body_over_the_limit_is_413_by_its_declared_length() -> None:
    client = small_app(max_body_bytes=2000)
    response = client.post("/v1/assessments", content=b" " * 2001, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert "2,000 bytes" in response.json()["message"]
    assert client.post("/v1/assessments", content=b" " * 1990 + b"{}", headers=JSON).status_code == 422


def test_a_streamed_body_is_refused_once_past_the_limit_and_not_read_further() -> None:
    client = small_app(max_body_bytes=2000)

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):
            yield b" " * 500

    response = client.post("/v1/assessments", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"

    received: list[int] = []

    async def receive() -> dict[str, Any]:
        received.append(len(received))
        return {"type": "http.request", "body": b" " * 500, "more_body": True}

    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []}, receive)
    with pytest.raises(ApiError) as refused:
        asyncio.run(read_body(request, 2000))
    assert refused.value.status == 413
    assert len(received) == 5, "reading stopped at the chunk that passed the limit"


def test_a_batch_over_its_declared_limit_is_413() -> None:
    client = small_app(max_batch_bytes=1000)
    response = client.post("/v1/batch", content=b"{}\n" * 400, headers=NDJSON)
    assert response.status_code == 413


# ---------------------------------------------------------------- POST /v1/batch

@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 4096])
def test_lines_are_split_as_a_file_splits_them_whatever_the_chunks(size: int) -> None:
    body = b'{"a": 1}\n\n{"b": "\xe4\xb8\xad"}\r\nlast line without an end'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start:start + size]

    async def collect() -> list[Any]:
        return [item async for group in split_lines(chunks(), 1000, 10_000) for item in group]

    assert asyncio.run(collect()) == body.splitlines(keepends=True)

@pytest.mark.parametrize("summary", [False, True])
@pytest.mark.parametrize("source", [MIXED, BROKEN], ids=["mixed", "broken"])
def test_a_batch_gives_what_the_command_line_writes(client: TestClient, tmp_path: Path, source: Path,
                                                    summary: bool) -> None:
    out = tmp_path / "out.jsonl"
    run_batch(source, out, summary=summary)
    response = client.post("/v1/batch", params={"summary": str(summary).lower()}, content=source.read_bytes(),
                           headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.content == out.read_bytes()
    assert len(response.content.splitlines()) == len(source.read_bytes().splitlines())


def test_a_batch_line_over_the_line_limit_is_an_error_record_and_the_batch_goes_on() -> None:
    client = small_app(max_line_bytes=2000)
    good = json.dumps(document(NEWS), ensure_ascii=False).encode()
    assert len(good) < 2000
    body = good + b"\n" + b'{"entity": "' + b"x" * 5000 + b'"}\n' + good + b"\n"
    lines = client.post("/v1/batch", params={"summary": "true"}, content=body, headers=NDJSON).text.splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["line"] == 1 and json.loads(lines[2])["line"] == 3
    error = json.loads(lines[1])
    assert error["line"] == 2 and "longer than 2,000 bytes" in error["error"]["message"]


def test_a_streamed_batch_over_its_limit_stops_at_the_line_that_passes_it() -> None:
    client = small_app(max_batch_bytes=5000)
    line = json.dumps(document(NEWS), ensure_ascii=False).encode() + b"\n"

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield line

    lines = client.post("/v1/batch", params={"summary": "true"}, content=chunks(), headers=NDJSON).text.splitlines()
    records = [json.loads(text) for text in lines]
    assert [r["line"] for r in records] == list(range(1, len(records) + 1))
    assert len(records) == 5000 // len(line) + 1
    assert all("status" in r for r in records[:-1])
    assert "the rest were not read" in records[-1]["error"]["message"]


def test_an_empty_batch_is_an_empty_answer(client: TestClient) -> None:
    response = client.post("/v1/batch", content=b"", headers=NDJSON)
    assert response.status_code == 200 and response.content == b""


# ---------------------------------------------------------------- the other routes

def test_a_diff_is_the_librarys_diff(client: TestClient) -> None:
    before, after = document(DIFF / "news_before.yaml"), document(DIFF / "news_after.yaml")
    response = client.post("/v1/diff", json={"before": before, "after": after})
    assert response.status_code == 200
    expected = diff_answers(parse_answers(before), parse_answers(after)).model_dump_json()
    assert response.content == expected.encode()
    assert any(a["type"] == "generation_synthesis" for a in response.json()["added"]["algorithms"])


def test_a_bad_diff_names_the_side_and_the_field(client: TestClient) -> None:
    after = document(DIFF / "news_after.yaml")
    after["products"][0]["audience"] = ["publik"]
    response = client.post("/v1/diff", json={"before": document(DIFF / "news_before.yaml"), "after": after})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["after.products[0].audience[0]"]
    assert "did you mean 'public'" in response.json()["problems"][0]["message"]
    response = client.post("/v1/diff", json={"before": {}, "later": {}})
    assert response.status_code == 422
    assert {p["field"] for p in response.json()["problems"]} == {"later", "after"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rules_are_the_command_lines_rules(client: TestClient, capsys: pytest.CaptureFixture[str],
                                               lang: str) -> None:
    assert cli.main(["rules", "--format", "json", "--lang", lang]) == 0
    expected = json.loads(capsys.readouterr().out)
    response = client.get("/v1/rules", params={"lang": lang})
    assert response.status_code == 200
    assert response.json() == expected


@pytest.mark.parametrize(("which", "schema"), [
    ("answers", answers_json_schema), ("assessment", assessment_json_schema), ("triage", triage_json_schema)])
def test_the_schemas_are_the_engines(client: TestClient, which: str, schema: Any) -> None:
    response = client.get(f"/v1/schema/{which}")
    assert response.status_code == 200
    assert response.json() == schema()


def test_an_unknown_schema_is_422_listing_the_known_ones(client: TestClient) -> None:
    response = client.get("/v1/schema/answer")
    assert response.status_code == 422
    assert "'answers'" in response.json()["problems"][0]["message"]


def test_a_filing_number_is_decoded(client: TestClient) -> None:
    response = client.get(f"/v1/filing-numbers/{NUMBER}")
    assert response.status_code == 200
    assert response.content == decode_filing_number(NUMBER).model_dump_json().encode()
    assert response.json()["type"]["type"] == "personalized_push"


def test_a_text_that_is_no_filing_number_is_422(client: TestClient) -> None:
    response = client.get("/v1/filing-numbers/网信算备12345号")
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "number"


def test_healthz_names_the_rules_version(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "rules_version": assess(load_answers(NEWS)).rules_version}


def test_unknown_routes_and_methods_get_the_error_body(client: TestClient) -> None:
    missing = client.get("/v1/assessment")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.get("/v1/assessments")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"


def test_the_docs_page_and_the_form_are_served(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    form = client.get("/")
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert "script-src 'sha256-" in form.headers["content-security-policy"]


# ---------------------------------------------------------------- the OpenAPI document

def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _api_routes(routes: Any) -> Iterator[APIRoute]:
    """Every route of the app, inside included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)
        elif hasattr(route, "routes"):
            yield from _api_routes(route.routes)


def test_the_openapi_document_lists_every_route_with_its_schemas(app: FastAPI, client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    routes = list(_api_routes(app.routes))
    assert {r.path for r in routes} == set(document["paths"]) == {
        "/", "/healthz", "/readyz", "/metrics", "/v1/assessments", "/v1/reports", "/v1/batch", "/v1/diff",
        "/v1/rules", "/v1/catalogue", "/v1/schema/{which}", "/v1/filing-numbers/{number}", "/v1/drafts",
        "/v1/similar"}
    components = document["components"]["schemas"]
    for route in routes:
        for method in route.methods:
            operation = document["paths"][route.path][method.lower()]
            ok = operation["responses"]["200"]["content"]
            assert all(media.get("schema") for media in ok.values()), f"{method} {route.path}: 200 has no schema"
            if route.path != "/":
                # every route that takes input can refuse it; /healthz and /v1/catalogue take none
                assert "422" in operation["responses"] or method == "GET" and route.path in ("/healthz",
                                                                                              "/v1/catalogue")
            if method == "POST":
                body = operation["requestBody"]["content"]
                assert all(media.get("schema") for media in body.values()), f"{route.path}: no body schema"
    assessments = document["paths"]["/v1/assessments"]["post"]
    assert assessments["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Answers"}
    assert {"413", "422", "500"} <= set(assessments["responses"])
    for ref in set(_refs(document)):
        assert ref.removeprefix("#/components/schemas/") in components, f"{ref} does not resolve"
    behaviours = components["Feature"]["properties"]["behaviours"]["oneOf"][0]["items"]["enum"]
    assert "recommend_by_profile" in behaviours
    assert components["CompactAssessment"]["properties"].keys() == assessment_json_schema()["properties"].keys()


def test_the_openapi_document_declares_the_bearer_scheme_when_a_token_is_set() -> None:
    with TestClient(create_app(Settings(token=SecretStr(TOKEN))), base_url="http://127.0.0.1") as client:
        document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert document["paths"]["/v1/assessments"]["post"]["security"] == [{"HTTPBearer": []}]
    assert "401" in document["paths"]["/v1/assessments"]["post"]["responses"]
    assert "security" not in document["paths"]["/healthz"]["get"]


# ---------------------------------------------------------------- auth: 401

@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(token=SecretStr(TOKEN))), base_url="http://127.0.0.1") as client:
        yield client


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_without_the_token_v1_routes_are_401(guarded: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    for method, path in [("POST", "/v1/assessments"), ("POST", "/v1/batch"), ("POST", "/v1/diff"),
                         ("GET", "/v1/rules"), ("GET", "/v1/schema/answers"), ("GET", f"/v1/filing-numbers/{NUMBER}")]:
        response = guarded.request(method, path, headers=headers, content=b"{}")
        assert response.status_code == 401, f"{method} {path}"
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"] == "unauthorized"


def test_with_the_token_the_routes_answer(guarded: TestClient) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = guarded.post("/v1/assessments", json=document(NEWS), headers=headers)
    assert response.status_code == 200 and response.content == assess_json(document(NEWS)).encode()
    assert guarded.get("/v1/rules", headers=headers).status_code == 200


def test_health_the_form_and_the_docs_need_no_token(guarded: TestClient) -> None:
    for path in ("/healthz", "/", "/docs", "/openapi.json"):
        assert guarded.get(path).status_code == 200, path


# ---------------------------------------------------------------- internal errors: 500

def test_an_internal_error_is_500_with_an_id_and_no_traceback(monkeypatch: pytest.MonkeyPatch, client: TestClient,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(service.routes, "assess_json", broken)
    with caplog.at_level(logging.ERROR, logger="algo_filing.service"):
        response = client.post("/v1/assessments", json=document(NEWS))
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error" and len(body["error_id"]) == 32
    assert "secret detail" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if body["error_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "secret detail of the failure" in str(logged[0].exc_info[1])


# ---------------------------------------------------------------- concurrency

@pytest.mark.slow
def test_concurrent_requests_give_the_same_bytes_as_the_library(client: TestClient) -> None:
    documents = [json.loads(line) for line in MIXED.read_text(encoding="utf-8").splitlines()]
    jobs = [(i, view) for i in range(len(documents)) for view in ("full", "triage")] * 4
    expected = {}
    for i, doc in enumerate(documents):
        try:
            answers = parse_answers(doc)
        except AnswersError:
            continue
        expected[i, "full"] = assess_json(answers).encode()
        expected[i, "triage"] = triage_bytes(answers)
    jobs = [job for job in jobs if job in expected]

    def call(job: tuple[int, str]) -> tuple[tuple[int, str], str, bytes]:
        index, view = job
        response = client.post("/v1/assessments", params={"view": view}, json=documents[index])
        return job, threading.current_thread().name, response.content

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, jobs))
    assert len({name for _, name, _ in results}) > 1
    for job, _, content in results:
        assert content == expected[job], f"document {job[0]} ({job[1]}) differs when concurrent"
