"""Issue 20 item 1: JSON the parser cannot hold (deep nesting, huge integers) is a 422, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings

DEEP = b'{"entity": {"name": "a"}, "products": ' + b"[" * 1000 + b"]" * 1000 + b"}"
HUGE = b'{"entity": {"name": "a"}, "products": [], "x": ' + b"9" * 5000 + b"}"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings()), base_url="http://127.0.0.1")


@pytest.mark.parametrize(("body", "said"), [(DEEP, "nested too deeply"), (HUGE, "digits")])
@pytest.mark.parametrize("path", ["/v1/assessments", "/v1/diff"])
def test_unreadable_json_is_refused_with_422(client: TestClient, path: str, body: bytes, said: str) -> None:
    if path == "/v1/diff":
        body = b'{"before": ' + body + b', "after": {}}'
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == "invalid_request"
    assert said in error["problems"][0]["message"]
