"""Issue 20 item 5: clients generated from ``/openapi.json`` send every example and read every response.

The two generators an intake engineer is likely to reach for are run on the document a real
``algo-filing serve`` publishes (started with a token, so the generated bearer auth is used):

- openapi-python-client, with the shipped ``docs/clients/openapi-python-client.yaml`` (it maps
  the batch's JSON Lines and the drafts' zip to bytes, which the generator otherwise skips);
- datamodel-code-generator, whose pydantic models validate every example before it is sent and
  every JSON body (and every batch line) that comes back.

Each answer is also compared with the library's own bytes, so a client that silently dropped or
rewrote a field would fail here. Generation takes a few seconds: the module is marked slow.
"""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from test_service_server import call, server

from engine import assess, assess_json, default_rulebook, diff_answers, parse_answers, render_html
from engine.model.yamlio import read_data_file

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
CONFIG = ROOT / "docs" / "clients" / "openapi-python-client.yaml"
TOKEN = "generated-client-token-0123456789"
FILING_NUMBER = "网信算备110108823483902220017号"
GENERATE_TIMEOUT = 120


def _example(path: Path) -> dict[str, Any]:
    """An example as the JSON a client holds (YAML dates become ISO strings)."""
    data: dict[str, Any] = json.loads(json.dumps(read_data_file(path), default=str))
    return data


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served")
    (folder / "token").write_text(TOKEN, encoding="utf-8")
    with server(folder, "--token-file", str(folder / "token")) as url:
        yield url


@pytest.fixture(scope="module")
def document(base: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    status, body = call(f"{base}/openapi.json")
    assert status == 200
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_bytes(body)
    return path


def _import_from(folder: Path, name: str) -> ModuleType:
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


@pytest.fixture(scope="module")
def generated(document: Path) -> Iterator[ModuleType]:
    """The package openapi-python-client writes from the served document, imported as ``afclient``."""
    out = document.parent / "afclient"
    done = subprocess.run([sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document),
                           "--output-path", str(out), "--meta", "none", "--config", str(CONFIG),
                           "--fail-on-warning"], capture_output=True, text=True, timeout=GENERATE_TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    package = _import_from(document.parent, "afclient")
    importlib.import_module("afclient.models")
    importlib.import_module("afclient.types")
    yield package
    for name in [n for n in sys.modules if n == "afclient" or n.startswith("afclient.")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def models(document: Path) -> Iterator[ModuleType]:
    """The pydantic models datamodel-code-generator writes from the served document, as ``afmodels``."""
    out = document.parent / "afmodels.py"
    done = subprocess.run([sys.executable, "-m", "datamodel_code_generator", "--input", str(document),
                           "--input-file-type", "openapi", "--output", str(out), "--output-model-type",
                           "pydantic_v2.BaseModel", "--target-python-version", "3.11", "--formatters", "builtin"],
                          capture_output=True, text=True, timeout=GENERATE_TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    module = _import_from(document.parent, "afmodels")
    yield module
    sys.modules.pop("afmodels", None)


@pytest.fixture
def client(generated: ModuleType, base: str) -> Iterator[Any]:
    """The generated client with the server's token (closed after the test: no socket left open)."""
    with _client(generated, base, TOKEN) as opened:
        yield opened


def _client(generated: ModuleType, base: str, token: str) -> Any:
    return generated.AuthenticatedClient(base_url=base, token=token, timeout=httpx.Timeout(60.0))


def _op(generated: ModuleType, name: str) -> Any:
    return importlib.import_module(f"afclient.api.default.{name}")


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_openapi_python_client_assesses_and_reports_every_example(
        generated: ModuleType, client: Any, example: Path) -> None:
    data = _example(example)
    body = generated.models.Answers.from_dict(data)
    full = _op(generated, "assess").sync_detailed(client=client, body=body)
    assert full.status_code == 200, full.content
    assert isinstance(full.parsed, generated.models.CompactAssessment)
    assert full.content == assess_json(parse_answers(data)).encode()
    embedded = _op(generated, "assess").sync_detailed(client=client, body=body,
                                                      catalogue=generated.models.AssessCatalogue.EMBED)
    assert isinstance(embedded.parsed, generated.models.CompactAssessment)
    assert isinstance(embedded.parsed.catalogue, generated.models.Catalogue)
    assert embedded.content == assess(parse_answers(data)).to_json(indent=None, catalogue="embed").encode()
    triage = _op(generated, "assess").sync_detailed(client=client, body=body, view=generated.models.AssessView.TRIAGE)
    assert isinstance(triage.parsed, generated.models.TriageRow), triage.content
    report = _op(generated, "report").sync_detailed(client=client, body=body)
    assert report.status_code == 200
    assert report.parsed == render_html(assess(parse_answers(data)), "zh")
    diff = _op(generated, "diff").sync_detailed(
        client=client, body=generated.models.DiffRequest.from_dict({"before": data, "after": data}))
    assert isinstance(diff.parsed, generated.models.AssessmentDiff), diff.content
    drafts = _op(generated, "drafts").sync_detailed(client=client, body=body)
    assert drafts.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(drafts.content)).namelist()


def test_openapi_python_client_streams_a_batch_and_reads_every_line(generated: ModuleType, client: Any) -> None:
    lines = [json.dumps(_example(p), ensure_ascii=False) for p in EXAMPLES] + ["{\"entity\": {}}"]
    payload = ("\n".join(lines) + "\n").encode()
    file = generated.types.File(payload=io.BytesIO(payload), mime_type="application/x-ndjson")
    response = _op(generated, "assess_batch").sync_detailed(client=client, body=file)
    assert response.status_code == 200, response.content
    out = response.content.decode().splitlines()
    assert len(out) == len(lines)
    for line in out[:-1]:
        read = generated.models.CompactAssessment.from_dict(json.loads(line))
        assert isinstance(read, generated.models.CompactAssessment)
    assert generated.models.ErrorRecord.from_dict(json.loads(out[-1])).line == len(lines)


def test_openapi_python_client_reads_the_other_operations(generated: ModuleType, client: Any, base: str) -> None:
    models = generated.models
    assert isinstance(_op(generated, "health").sync(client=client), models.Health)
    assert isinstance(_op(generated, "ready").sync(client=client), models.Health)
    assert "# HELP" in _op(generated, "metrics").sync(client=client)
    assert "<form" in _op(generated, "intake_form").sync(client=client)
    assert isinstance(_op(generated, "rules").sync(client=client), models.RulesDocument)
    catalogue = _op(generated, "catalogue").sync(client=client)
    assert isinstance(catalogue, models.Catalogue) and catalogue.rules_version == default_rulebook().rules_version
    for which in models.JsonSchemaWhich:
        schema = _op(generated, "json_schema").sync(client=client, which=which)
        assert schema is not None and schema.to_dict() == json.loads(call(
            f"{base}/v1/schema/{which.value}", None, {"Authorization": f"Bearer {TOKEN}"})[1])
    number = _op(generated, "decode_filing_number").sync(client=client, number=FILING_NUMBER)
    assert isinstance(number, models.FilingNumber)
    similar = _op(generated, "similar_filings").sync(
        client=client, body=models.SimilarRequest.from_dict({"sentence": "根据用户浏览记录推荐短视频"}))
    assert isinstance(similar, models.SimilarResult)


def test_openapi_python_client_reads_the_error_bodies(generated: ModuleType, client: Any, base: str) -> None:
    body = generated.models.Answers.from_dict(_example(EXAMPLES[0]))
    with _client(generated, base, "wrong-token") as wrong:
        refused = _op(generated, "assess").sync_detailed(client=wrong, body=body)
    assert refused.status_code == 401
    assert isinstance(refused.parsed, generated.models.ErrorBody)
    bad = _example(EXAMPLES[0])
    bad["products"][0]["features"][0]["name"] = ""  # the generated model has no minLength: the server refuses
    invalid = _op(generated, "assess").sync_detailed(client=client, body=generated.models.Answers.from_dict(bad))
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, generated.models.ErrorBody)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_datamodel_code_generator_models_send_every_example_and_read_the_answers(
        models: ModuleType, base: str, example: Path) -> None:
    answers = models.Answers.model_validate(_example(example))
    sent = answers.model_dump_json(by_alias=True, exclude_unset=True).encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    status, body = call(f"{base}/v1/assessments", sent, headers)
    assert status == 200, body
    assert body == assess_json(parse_answers(_example(example))).encode()
    models.CompactAssessment.model_validate_json(body)
    status, body = call(f"{base}/v1/assessments?catalogue=embed", sent, headers)
    assert status == 200, body
    assert models.CompactAssessment.model_validate_json(body).catalogue is not None
    status, body = call(f"{base}/v1/catalogue", None, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, body
    models.Catalogue.model_validate_json(body)
    status, body = call(f"{base}/v1/assessments?view=triage", sent, headers)
    assert status == 200, body
    models.TriageRow.model_validate_json(body)
    diff = models.DiffRequest.model_validate({"before": _example(example), "after": _example(example)})
    status, body = call(f"{base}/v1/diff", diff.model_dump_json(by_alias=True, exclude_unset=True).encode(), headers)
    assert status == 200, body
    models.AssessmentDiff.model_validate_json(body)


def test_datamodel_code_generator_models_read_batch_lines_and_errors(models: ModuleType, base: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-ndjson"}
    payload = "".join(json.dumps(_example(p), ensure_ascii=False) + "\n" for p in EXAMPLES) + "not json\n"
    status, body = call(f"{base}/v1/batch?summary=true", payload.encode(), headers)
    assert status == 200
    *rows, error = body.decode().splitlines()
    assert len(rows) == len(EXAMPLES)
    for row in rows:
        models.TriageRow.model_validate_json(row)
    models.ErrorRecord.model_validate_json(error)
    status, body = call(f"{base}/v1/rules", None, {"Authorization": "Bearer nope"})
    assert status == 401
    models.ErrorBody.model_validate_json(body)
    for name, path in (("RulesDocument", "/v1/rules"), ("Health", "/healthz"), ("Health", "/readyz"),
                       ("FilingNumber", f"/v1/filing-numbers/{FILING_NUMBER}")):
        status, body = call(base + quote(path), None, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200, (path, body)
        getattr(models, name).model_validate_json(body)


def test_the_diff_of_two_examples_is_the_librarys(models: ModuleType, base: str) -> None:
    before, after = _example(EXAMPLES[0]), _example(EXAMPLES[1])
    request = models.DiffRequest.model_validate({"before": before, "after": after})
    status, body = call(f"{base}/v1/diff", request.model_dump_json(by_alias=True, exclude_unset=True).encode(),
                        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert status == 200, body
    assert body == diff_answers(parse_answers(before), parse_answers(after)).model_dump_json().encode()
