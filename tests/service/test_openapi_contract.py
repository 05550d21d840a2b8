"""The published contract (``/openapi.json``, ``/v1/schema/answers``) says what the service accepts.

A client is written against the document, not against a running server: the document must be
the same whatever the server was started with, declare every way in (the HTML report and the
JSON Lines batch included) under stable operation ids, and its answers schema must accept the
shipped examples, ``unsure`` answers included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from engine import answers_json_schema
from engine.model.yamlio import read_data_file
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TOKEN = "contract-token-of-enough-length-0123"
OPERATIONS = {
    ("get", "/"): "intake_form", ("get", "/healthz"): "health", ("post", "/v1/assessments"): "assess",
    ("post", "/v1/reports"): "report", ("post", "/v1/batch"): "assess_batch", ("post", "/v1/diff"): "diff",
    ("get", "/v1/rules"): "rules", ("get", "/v1/catalogue"): "catalogue", ("get", "/v1/schema/{which}"): "json_schema",
    ("get", "/v1/filing-numbers/{number}"): "decode_filing_number", ("post", "/v1/drafts"): "drafts",
    ("post", "/v1/similar"): "similar_filings", ("get", "/readyz"): "ready", ("head", "/healthz"): "health_head",
    ("head", "/readyz"): "ready_head", ("get", "/metrics"): "metrics"}


def _document(settings: Settings) -> dict[str, Any]:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="module")
def open_document() -> dict[str, Any]:
    return _document(Settings())


def test_the_document_is_the_same_with_or_without_a_token(open_document: dict[str, Any]) -> None:
    assert _document(Settings(token=SecretStr(TOKEN))) == open_document


def test_every_v1_operation_declares_the_bearer_scheme_and_its_401(open_document: dict[str, Any]) -> None:
    assert open_document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, methods in open_document["paths"].items():
        for method, operation in methods.items():
            if path.startswith("/v1/"):
                assert operation["security"] == [{"HTTPBearer": []}], f"{method} {path}"
                assert "401" in operation["responses"], f"{method} {path}"
            else:
                assert "security" not in operation, f"{method} {path}"


def test_operation_ids_are_stable_names(open_document: dict[str, Any]) -> None:
    found = {(method, path): operation["operationId"]
             for path, methods in open_document["paths"].items() for method, operation in methods.items()}
    assert found == OPERATIONS


def test_the_html_report_is_its_own_operation(open_document: dict[str, Any]) -> None:
    assess = open_document["paths"]["/v1/assessments"]["post"]["responses"]["200"]["content"]
    report = open_document["paths"]["/v1/reports"]["post"]["responses"]["200"]["content"]
    assert set(assess) == {"application/json"}
    assert set(report) == {"text/html"}


def test_the_batch_declares_json_lines_in_and_out(open_document: dict[str, Any]) -> None:
    batch = open_document["paths"]["/v1/batch"]["post"]
    assert set(batch["requestBody"]["content"]) == {"application/x-ndjson"}
    assert set(batch["responses"]["200"]["content"]) == {"application/x-ndjson"}


def _untyped_consts(node: Any) -> list[Any]:
    if isinstance(node, dict):
        own = [node] if "const" in node and "type" not in node else []
        return own + [c for value in node.values() for c in _untyped_consts(value)]
    if isinstance(node, list):
        return [c for value in node for c in _untyped_consts(value)]
    return []


def test_unsure_is_a_one_value_string_enum_not_a_const(open_document: dict[str, Any]) -> None:
    assert _untyped_consts(open_document["components"]) == []
    news = open_document["components"]["schemas"]["Product"]["properties"]["news"]
    assert {"type": "string", "enum": ["unsure"]} in news["oneOf"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates_against_the_published_answers_schema(example: Path) -> None:
    data = read_data_file(example)
    jsonschema.Draft202012Validator(answers_json_schema()).validate(_json(data))


def test_a_bare_unsure_list_is_in_the_schema_and_stored_as_a_list() -> None:
    data = _json(read_data_file(ROOT / "examples" / "unsure_answers.yaml"))
    assert data["products"][0]["user_groups"] == "unsure"
    jsonschema.Draft202012Validator(answers_json_schema()).validate(data)
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1") as client:
        response = client.post("/v1/assessments", json=data)
    assert response.status_code == 200, response.text


def _json(data: Any) -> Any:
    """YAML dates as the ISO strings a JSON client sends."""
    return json.loads(json.dumps(data, default=str))


def test_a_similar_filings_products_are_not_the_answers_products(open_document: dict[str, Any]) -> None:
    """Two models named Product once shared one component: the answers' one hid the precedents'."""
    schemas = open_document["components"]["schemas"]
    products = schemas["Match"]["properties"]["products"]["items"]["$ref"]
    assert schemas[products.rsplit("/", 1)[1]]["required"] == ["name", "forms"]
    assert "audience" in schemas["Product"]["properties"]
