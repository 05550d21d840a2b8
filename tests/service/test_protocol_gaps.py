"""Issue 20 item 6: dates out of range, unknown parameters, trailing slashes, HEAD, HTTP wording."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LEAD = (ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl").read_bytes().splitlines()[0]
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings()), base_url="http://127.0.0.1")


@pytest.mark.parametrize("date", ["1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"])
def test_as_of_outside_1900_to_2199_is_422(client: TestClient, date: str) -> None:
    response = client.post(f"/v1/assessments?as_of={date}", content=LEAD, headers=JSON)
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "query.as_of"


@pytest.mark.parametrize("date", ["1899-12-31", "2200-01-01"])
def test_the_command_line_refuses_as_of_out_of_range_too(date: str) -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "assess", str(ROOT / "examples" / "news_app.yaml"),
                           "--as-of", date], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert "between 1900-01-01 and 2199-12-31" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_query_parameter_is_422_naming_it(client: TestClient) -> None:
    response = client.post("/v1/assessments?veiw=triage", content=LEAD, headers=JSON)
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "query.veiw" and "view" in problem["message"]
    assert client.get("/v1/rules?lang=en&x=1").status_code == 422
    assert client.get("/healthz?probe=1").status_code == 422
    assert client.post("/v1/assessments?view=triage", content=LEAD, headers=JSON).status_code == 200
    assert client.post("/v1/assessments?lang=en", content=LEAD, headers=JSON).status_code == 422  # the report's
    assert client.post("/v1/reports?lang=en", content=LEAD, headers=JSON).status_code == 200


def test_a_trailing_slash_is_a_json_404_not_an_empty_redirect(client: TestClient) -> None:
    response = client.get("/v1/rules/", follow_redirects=False)
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_head_on_the_probes_answers(client: TestClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.head(path)
        assert response.status_code == 200 and response.content == b""


def test_a_limit_message_speaks_to_an_http_client(client: TestClient) -> None:
    body = b'{"entity": {"name": "' + b"x" * 300 + b'"}, "products": []}'
    response = client.post("/v1/assessments", content=body, headers=JSON)
    assert response.status_code == 422
    message = response.json()["problems"][0]["message"]
    assert "more than the limit of 200" in message and "--max-name-length" not in message


def test_a_name_over_the_limit_does_not_hide_the_other_problems(client: TestClient) -> None:
    body = (b'{"entity": {"name": "' + b"x" * 300 + b'"}, "products": [{"name": "p", "forms": ["no-such-form"], '
            b'"audience": ["public"], "features": []}]}')
    response = client.post("/v1/assessments", content=body, headers=JSON)
    assert response.status_code == 422
    fields = [problem["field"] for problem in response.json()["problems"]]
    assert "entity.name" in fields and any(field.startswith("products[0].forms") for field in fields), fields
