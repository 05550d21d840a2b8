"""The command line as a user meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from engine import default_rulebook, read_assessment

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "news_app.yaml"
INVALID = ROOT / "tests" / "fixtures" / "invalid_answers"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_assess_table_in_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "assess", str(EXAMPLE))
    assert code == 0 and err == ""
    assert "需要备案" in out and "个性化推送类" in out and "材料（按由谁准备分组）" in out
    assert "不构成法律意见" in out
    code, full, _ = run(capsys, "assess", str(EXAMPLE), "--full")
    assert code == 0 and "材料清单" in full and "材料清单" not in out


def test_assess_table_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", str(EXAMPLE), "--lang", "en", "--full")
    assert code == 0
    assert "Filing required" in out and "Personalised" in out and "Where to display" in out


def test_assess_json_has_the_contract_keys_and_is_byte_stable(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "assess", str(EXAMPLE), "--format", "json")
    _, second, _ = run(capsys, "assess", str(EXAMPLE), "--format", "json")
    assert first == second
    data = json.loads(first)
    assert list(data) == [
        "schema_version", "rules_version", "filing", "algorithms", "laws", "targets", "obligations", "materials",
        "steps", "display", "open_questions", "trace"]
    assert data["filing"]["status"] == "required"


def test_assess_json_embeds_the_catalogue_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    _, plain, _ = run(capsys, "assess", str(EXAMPLE), "--format", "json")
    _, embedded, _ = run(capsys, "assess", str(EXAMPLE), "--format", "json", "--catalogue", "embed")
    assert "catalogue" not in json.loads(plain)
    data = json.loads(embedded)
    assert list(data)[-1] == "catalogue" and set(data["catalogue"]["duties"]) == {o["id"] for o in data["obligations"]}
    assert read_assessment(embedded).model_dump_json() == read_assessment(plain).model_dump_json()


def test_rules_format_catalogue_prints_the_catalogue_assessments_point_to(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--format", "catalogue")
    catalogue = json.loads(out)
    assert code == 0 and catalogue["rules_version"] == default_rulebook().rules_version
    assessment = json.loads(run(capsys, "assess", str(EXAMPLE), "--format", "json")[1])
    assert {o["id"] for o in assessment["obligations"]} <= set(catalogue["duties"])
    assert {r["rule"] for r in assessment["filing"]["reasons"]} <= set(catalogue["rules"])
    code, schema, _ = run(capsys, "schema", "catalogue")
    assert code == 0 and list(json.loads(schema)["properties"])[:2] == ["rules_version", "labels"]


def test_assess_markdown_has_checkboxes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", str(EXAMPLE), "--format", "markdown", "--lang", "en")
    assert code == 0 and out.startswith("# Algorithm filing assessment: Filing required\n\n- **Status: Filing required")
    assert "- [ ] **Business licence" in out


def test_assess_writes_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "assess", str(EXAMPLE), "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["filing"]["status"] == "required"


def test_as_of_before_the_labelling_measures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "ai.yaml"
    answers.write_text(EXAMPLE.read_text(encoding="utf-8") + """      - name: AI写作
        behaviours: [generate_text]
        model_source: own
""", encoding="utf-8")
    _, after, _ = run(capsys, "assess", str(answers), "--format", "json")
    _, before, _ = run(capsys, "assess", str(answers), "--format", "json", "--as-of", "2025-06-01")
    ids_after = {o["id"] for o in json.loads(after)["obligations"]}
    ids_before = {o["id"] for o in json.loads(before)["obligations"]}
    assert "lbl_4" in ids_after and "lbl_4" not in ids_before
    assert "dsp_16" in ids_before


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.iterdir()))
def test_bad_answers_exit_2_with_file_and_field(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = run(capsys, "assess", str(INVALID / name))
    assert code == 2 and out == ""
    assert str(INVALID / name) in err
    assert "Traceback" not in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "assess", "no/such/file.yaml")
    assert code == 2 and "no/such/file.yaml" in err and "file not found" in err


def test_bad_date_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["assess", str(EXAMPLE), "--as-of", "yesterday"])
    assert info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(EXAMPLE))
    assert code == 0 and "valid (1 products, 4 features)" in out
    code, _, err = run(capsys, "validate", str(INVALID / "unknown_id.yaml"))
    assert code == 2 and "did you mean 'recommend_by_profile'" in err


def test_rules_lists_every_rule_with_its_basis(capsys: pytest.CaptureFixture[str]) -> None:
    from engine import default_rulebook

    code, out, _ = run(capsys, "rules", "--format", "json", "--lang", "en")
    data = json.loads(out)
    assert code == 0 and len(data["rules"]) == len(default_rulebook().rules)
    assert all(r["basis"] for r in data["rules"])
    code, out, _ = run(capsys, "rules")
    # The basis column (the third), read down its wrapped lines.
    basis = "".join(line.split("│")[3].strip() for line in out.splitlines() if line.count("│") == 4)
    assert "classify_scheduling_decision" in out and "《算法推荐管理规定》第2条" in basis


@pytest.mark.parametrize("which", ["answers", "assessment", "triage", "batch-error"])
def test_schema(capsys: pytest.CaptureFixture[str], which: str) -> None:
    code, out, _ = run(capsys, "schema", which)
    assert code == 0 and json.loads(out)["type"] == "object"


def test_version_and_help() -> None:
    result = subprocess.run([sys.executable, "-m", "cli", "--version"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.startswith("algo-filing ")
    result = subprocess.run([sys.executable, "-m", "cli", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0 and "assess" in result.stdout and "validate" in result.stdout


@pytest.mark.skipif(shutil.which("algo-filing") is None, reason="console script not installed")
@pytest.mark.slow
def test_installed_console_script_works_outside_the_source_tree(tmp_path: Path) -> None:
    """The rules ship as package data: the installed command works from any directory."""
    env = {**os.environ, "PYTHONPATH": ""}
    result = subprocess.run(["algo-filing", "assess", str(EXAMPLE), "--format", "json"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["filing"]["status"] == "required"


def test_a_schema_2_answers_file_assesses_with_a_one_line_note(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    """Issue 16: old opinion ids are read as the checklist, said in one line, never refused."""
    old = tmp_path / "old.yaml"
    old.write_text(
        "entity: {name: 某某餐饮}\n"
        "products:\n"
        "  - name: 某某点餐\n"
        "    forms: [mini_program]\n"
        "    audience: [public]\n"
        "    opinion_features: [mini_program_platform, forum]\n"
        "    features:\n"
        "      - {name: 排序, behaviours: [list_sorting]}\n", encoding="utf-8")
    code, out, err = run(capsys, "assess", str(old), "--format", "json")
    assert code == 0
    assert json.loads(out)["filing"]["status"] == "required"
    notes = [line for line in err.splitlines() if line]
    assert len(notes) == 1 and str(old) in notes[0] and "schema 2.0" in notes[0]
    assert "mini_program_platform -> own_account_or_mini_program" in notes[0]
    assert "forum -> ugc_posting" in notes[0]
    code, out, err = run(capsys, "assess", str(EXAMPLE), "--format", "json")
    assert code == 0 and err == ""
