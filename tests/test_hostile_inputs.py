"""Hostile input, second round (issue 24, items 8-19): inputs that cost minutes or memory, dates,
numbers and flags out of range, and text that reaches a terminal, a spreadsheet or a browser.

Each test is named by its item of issue 24 and fails on the code before the fix; the files of
``tests/fixtures/hostile/`` that these attacks added also run through every command in
``tests/test_hostile.py``'s corpus test. Timings and memory are measured by
``benchmarks/hostile.py``; the bounds asserted here are loose (ten times the measured figure).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from fastapi.testclient import TestClient
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import cli
from cli import Prompter
from cli.session import Session
from engine.questionnaire.flow import Flow
from engine.questionnaire.loader import default_questionnaire
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
EXAMPLE = ROOT / "examples" / "news_app.yaml"
ENTER = "\r"

pytestmark = pytest.mark.timeout(120)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def document(**feature: Any) -> dict[str, Any]:
    """A small valid answers document; keyword arguments are added to its one feature."""
    return {"entity": {"name": "某某科技有限公司"},
            "products": [{"name": "某某App", "forms": ["app"], "audience": ["public"], "launch_date": "2025-01-01",
                          "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"], **feature}]}]}


def write_json(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------- 11. one date range at every door

@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-05", "1899-12-31", "2200-01-01"])
@pytest.mark.parametrize("command", ["assess", "validate"])
def test_11_a_features_launch_date_out_of_range_is_refused_by_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, date: str) -> None:
    path = write_json(tmp_path / "a.json", document(launch_date=date))
    code, _, err = run(capsys, command, str(path))
    assert code == 2, err
    assert f"products[0].features[0].launch_date: {date} is out of range" in err
    assert "1900-01-01 and 2199-12-31" in err and "internal error" not in err


def test_11_the_edges_of_the_range_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for date in ("1900-01-01", "2199-12-31"):
        path = write_json(tmp_path / "a.json", document(launch_date=date))
        code, _, err = run(capsys, "validate", str(path))
        assert code == 0, err


@pytest.mark.parametrize("command", [["assess", str(EXAMPLE)], ["diff", str(EXAMPLE), str(EXAMPLE)],
                                     ["batch", "in.jsonl", "-o", "out.jsonl"]])
@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_11_as_of_flags_take_the_same_range_as_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        command: list[str], date: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text(json.dumps(document()) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        cli.main([*command, "--as-of", date])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert f"argument --as-of: {date} is out of range; give a date between 1900-01-01 and 2199-12-31" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_11_a_batch_record_with_a_far_date_is_an_error_record_not_an_internal_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(document(launch_date="9999-12-31")) + "\n" + json.dumps(document()) + "\n",
                      encoding="utf-8")
    code, _, _ = run(capsys, "batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert code == 1 and "error" in records[0] and "error" not in records[1]
    assert records[0]["error"]["field"] == "products[0].features[0].launch_date"
    assert "out of range" in records[0]["error"]["message"]


def test_11_the_service_refuses_a_far_date_in_the_body_and_in_as_of() -> None:
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1") as client:
        body = client.post("/v1/assessments", json=document(launch_date="9999-12-31"))
        assert body.status_code == 422 and "out of range" in body.text and "launch_date" in body.text
        flag = client.post("/v1/assessments", params={"as_of": "9999-12-31"}, json=document())
        assert flag.status_code == 422 and "out of range" in flag.text
        early = client.post("/v1/assessments", params={"as_of": "0001-01-01"}, json=document())
        assert early.status_code == 422


def _session_at_launch_date(tmp_path: Path, pipe: Any) -> tuple[Session, Any]:
    flow = Flow(default_questionnaire())
    script = {"entity_name": "x", "product_name": "p", "forms": ["app"], "audience": ["public"],
              "opinion_features": ["none"], "user_groups": ["none"]}
    while (step := flow.current()) is not None and step.slot.question != "launch_date":
        flow.answer(script[step.slot.question])
    return Session(flow, tmp_path / "d.yaml", "en", Prompter(input=pipe, output=DummyOutput())), flow.current()


@pytest.mark.parametrize("typed", ["9999-12-31", "0001-01-01"])
def test_11_the_date_prompt_refuses_a_date_out_of_range(tmp_path: Path, typed: str) -> None:
    with create_pipe_input() as pipe:
        pipe.send_text(typed + ENTER + "\x7f" * 10 + "2025-03-01" + ENTER)
        session, step = _session_at_launch_date(tmp_path, pipe)
        assert session.ask_step(step) == "2025-03-01"


# ---------------------------------------------------------------- 12. limit flags too large

@pytest.mark.parametrize("flag", ["--max-file-size", "--max-products", "--max-features", "--max-name-length"])
def test_12_a_huge_limit_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str], flag: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["validate", str(EXAMPLE), flag, "99999999999999999999"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "is too large; give at most 1,000,000,000,000" in err
    assert "internal error" not in err


def test_12_batch_line_size_and_start_line_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--max-line-size", "--start-line"):
        with pytest.raises(SystemExit) as exc:
            cli.main(["batch", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"), flag, "9" * 30])
        assert exc.value.code == 2 and "too large" in capsys.readouterr().err


def test_12_a_large_limit_within_range_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(EXAMPLE), "--max-file-size", "1000000000000")
    assert code == 0 and "valid" in out, err


# ---------------------------------------------------------------- 13. JSON duplicate keys

def test_13_a_duplicate_json_key_is_refused_like_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(HOSTILE / "refused_duplicate_json_key.json"))
    assert code == 2 and "duplicate key 'forms'" in err and "refused_duplicate_json_key.json" in err
    yaml_twin = tmp_path / "a.yaml"
    yaml_twin.write_text("entity: {name: x}\nproducts:\n- {name: a, forms: [web], forms: [app]}\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", str(yaml_twin))
    assert code == 2 and "duplicate key 'forms'" in err


def test_13_batch_and_service_refuse_duplicate_keys_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = json.dumps(document()).replace('"forms": ["app"]', '"forms": ["web"], "forms": ["app"]')
    (tmp_path / "in.jsonl").write_text(line + "\n", encoding="utf-8")
    code, _, _ = run(capsys, "batch", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert code == 1 and "duplicate key 'forms'" in record["error"]["message"]
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1") as client:
        response = client.post("/v1/assessments", content=line.encode(),
                               headers={"content-type": "application/json"})
        assert response.status_code == 422 and "duplicate key 'forms'" in response.text


# ---------------------------------------------------------------- 14. decode clips what it echoes

def test_14_decode_echoes_at_most_200_characters_of_a_huge_number(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "decode", "1" * 120_000)
    assert code == 2 and out == ""
    assert "1" * 200 in err and "1" * 201 not in err and "120,000 characters in all" in err
    assert len(err) < 1_000


def test_14_decode_escapes_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "decode", "网信算备\x1b]0;PWNED\x07号")
    assert code == 2 and "\x1b" not in err and "\\x1b" in err


# ---------------------------------------------------------------- 17. the HTML report shows controls

def test_17_the_html_report_escapes_bidi_overrides_escapes_and_carriage_returns(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "assess", str(HOSTILE / "shown_html_bidi_override.json"), "--format", "html")
    assert code == 0, err
    assert not any(raw in out for raw in ("\u202e", "\u2066", "\x1b", "\r"))
    assert "\\u202e某某App" in out and "推荐\\x1b[31m\\u2066\\x0d伪造的一行" in out


# ---------------------------------------------------------------- 18. NO_COLOR and TERM=dumb

def _assess_on_a_terminal(**env: str) -> str:
    """What ``assess`` prints on a pseudo-terminal, escape sequences and all."""
    out: str = pexpect.run(f"{sys.executable} -m cli assess {EXAMPLE} --as-of 2030-01-01", cwd=str(ROOT),
                           env={**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT), **env},
                           encoding="utf-8", timeout=60)
    assert "结论" in out, out[-2000:]
    return out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_18_no_color_and_a_dumb_terminal_get_no_colours(env: dict[str, str]) -> None:
    assert "\x1b[1m" in _assess_on_a_terminal()                       # colours on a terminal otherwise
    assert "\x1b[" not in _assess_on_a_terminal(**env)


@pytest.mark.parametrize(("env", "dim"), [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)])
def test_18_ask_dims_its_notes_only_when_colours_are_wanted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], dim: bool) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    leader, follower = os.openpty()
    with open(follower, "w", encoding="utf-8") as terminal, create_pipe_input() as pipe:
        monkeypatch.setattr(sys, "stdout", terminal)
        session = Session(Flow(default_questionnaire()), tmp_path / "d.yaml", "en",
                          Prompter(input=pipe, output=DummyOutput()))
    os.close(leader)
    assert session.dim is dim
