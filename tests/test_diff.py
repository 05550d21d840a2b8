"""What-if: `algo-filing diff BEFORE AFTER` for a news app that adds an AI-writing feature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "diff"
BEFORE = FIXTURES / "news_before.yaml"
AFTER = FIXTURES / "news_after.yaml"
GENERATION = "generation_synthesis.generate_text.service_provider"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def diff_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "diff", *argv, "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def test_adding_ai_writing_lists_algorithm_labelling_duties_and_materials(
        capsys: pytest.CaptureFixture[str]) -> None:
    d = diff_json(capsys, str(BEFORE), str(AFTER), "--as-of", "2025-10-01")
    assert list(d)[:4] == ["status_before", "status_after", "as_of_before", "as_of_after"]
    for side in ("added", "removed"):
        assert list(d[side]) == ["algorithms", "obligations", "materials"]
    assert (d["status_before"], d["status_after"]) == ("required", "required")
    assert ids(d["added"]["algorithms"]) == [GENERATION]
    added_duties = ids(d["added"]["obligations"])
    assert {"lbl_4", "lbl_5", "lbl_8", "lbl_9", "lbl_12", "dsp_17", "gai_17"} <= set(added_duties)
    assert "labelling_materials" in ids(d["added"]["materials"])
    assert d["removed"] == {"algorithms": [], "obligations": [], "materials": []}


def test_the_new_algorithm_is_due_from_the_feature_going_live(capsys: pytest.CaptureFixture[str]) -> None:
    d = diff_json(capsys, str(BEFORE), str(AFTER), "--as-of", "2025-10-01")
    dsp_19 = next(o for o in d["added"]["obligations"] if o["id"] == "dsp_19")
    assert [(x["event"], x["event_date"], x["date"]) for x in dsp_19["due"]] == [
        ("change", "2025-09-30", "2025-10-21")]
    change = {(c["id"], c["field"]): c for c in d["changed"]}
    added = change[("arp_24", "applies_to")]["added"]
    assert [(t["kind"], t["id"]) for t in added] == [("algorithm", GENERATION)]
    assert change[("arp_24_p2", "due")]["added"] == ["某某新闻: 2025-10-21 (change 2025-09-30)"]
    assert d["calendar"]["source"].startswith("chinese-calendar")


def test_before_the_labelling_measures_no_labelling_duty_is_added(capsys: pytest.CaptureFixture[str]) -> None:
    d = diff_json(capsys, str(BEFORE), str(AFTER), "--as-of", "2025-06-01")
    assert ids(d["added"]["algorithms"]) == [GENERATION]
    assert not [i for i in ids(d["added"]["obligations"]) if i.startswith("lbl_")]
    assert "labelling_materials" not in ids(d["added"]["materials"])


def test_reversed_diff_removes_what_was_added(capsys: pytest.CaptureFixture[str]) -> None:
    forward = diff_json(capsys, str(BEFORE), str(AFTER), "--as-of", "2025-10-01")
    backward = diff_json(capsys, str(AFTER), str(BEFORE), "--as-of", "2025-10-01")
    assert ids(backward["removed"]["algorithms"]) == ids(forward["added"]["algorithms"])
    assert ids(backward["removed"]["materials"]) == ids(forward["added"]["materials"])
    assert backward["added"] == {"algorithms": [], "obligations": [], "materials": []}


def test_same_files_same_bytes_and_no_change_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "diff", str(BEFORE), str(AFTER), "--format", "json")[1]
    assert run(capsys, "diff", str(BEFORE), str(AFTER), "--format", "json")[1] == first
    code, out, _ = run(capsys, "diff", str(BEFORE), str(BEFORE), "--lang", "en")
    assert code == 0 and "No change" in out


def test_table_and_markdown_show_what_a_reader_needs(capsys: pytest.CaptureFixture[str]) -> None:
    code, table, _ = run(capsys, "diff", str(BEFORE), str(AFTER), "--as-of", "2025-10-01")
    assert code == 0
    assert "新增 · 算法" in table and "文本生成算法" in table and "[lbl_4]" not in table
    assert "2025-10-21" in table and "不构成法律意见" in table
    assert "applies_to" not in table and "generation_synthesis." not in table     # labels, not ids
    code, with_ids, _ = run(capsys, "diff", str(BEFORE), str(AFTER), "--as-of", "2025-10-01", "--ids")
    assert code == 0 and "[lbl_4]" in with_ids
    code, md, _ = run(capsys, "diff", str(BEFORE), str(AFTER), "--format", "markdown", "--lang", "en",
                      "--as-of", "2025-10-01")
    assert code == 0 and md.startswith("# What changes")
    assert "## Added · Materials" in md and "labelling_materials" in md


def test_a_missing_file_is_one_clear_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = run(capsys, "diff", str(BEFORE), str(missing))
    assert code == 2 and out == ""
    assert str(missing) in err and "Traceback" not in err
