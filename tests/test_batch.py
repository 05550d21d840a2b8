"""``algo-filing batch``: what an intake team sees, through the real command line.

One output line per input record, in input order; error records for bad lines that never stop
the batch; triage rows and a triage CSV with ``--summary``; exit 0 / 1 / 2; a closing summary
on stderr; an output written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import cli
from engine import CompactAssessment, assess, read_assessment
from engine.intake.batch import run_batch
from engine.intake.triage import ErrorRecord, TriageRow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "batch"
MIXED = FIXTURES / "mixed.jsonl"
BROKEN = FIXTURES / "broken.jsonl"
PRODUCTS = FIXTURES / "products.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(["batch", *argv])
    return code, capsys.readouterr().err


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def mixed_documents() -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines_of(MIXED)]


# ---------------------------------------------------------------- JSON Lines in, assessments out

def test_every_record_gets_its_assessment_in_input_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code, err = run(capsys, str(MIXED), "-o", str(out))
    assert code == 0
    written = lines_of(out)
    documents = mixed_documents()
    assert len(written) == len(documents)
    for document, line in zip(documents, written, strict=True):
        assert line == assess(document).to_json(indent=None)
        CompactAssessment.model_validate_json(line)
    assert f"{len(documents)} records, {len(documents)} assessed, 0 failed" in err


def test_with_catalogue_embed_every_line_carries_the_texts_it_points_to(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code, _ = run(capsys, str(MIXED), "-o", str(out), "--catalogue", "embed")
    assert code == 0
    for document, line in zip(mixed_documents(), lines_of(out), strict=True):
        assert line == assess(document).to_json(indent=None, catalogue="embed")
        assert read_assessment(line).model_dump_json() == assess(document).model_dump_json()


def test_broken_lines_become_error_records_and_the_batch_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code, err = run(capsys, str(BROKEN), "-o", str(out))
    assert code == 1
    written = [json.loads(line) for line in lines_of(out)]
    assert len(written) == len(lines_of(BROKEN)) == 8
    errors = {record["line"]: record["error"] for record in written if "error" in record}
    assert sorted(errors) == [2, 3, 5, 6, 8]
    assert errors[2] == {"field": None, "message": "invalid JSON at column 41: Expecting value; "
                                                   "each line must be one complete JSON object"}
    assert errors[3]["field"] is None and "blank line" in errors[3]["message"]
    assert errors[5] == {"field": "products[0].forms[1]",
                         "message": "unknown product_form id 'webiste'; did you mean 'website'?"}
    assert errors[6]["field"] == "(document)"
    assert errors[8]["field"] == "entity" and "add `entity:`" in errors[8]["message"]
    for index in (0, 3, 6):
        CompactAssessment.model_validate(written[index])
    for record in written:
        if "error" in record:
            ErrorRecord.model_validate(record)
    assert "8 records, 3 assessed, 5 failed" in err
    assert "failed lines: 2, 3, 5, 6, 8" in err


@pytest.mark.slow
def test_a_large_file_with_a_few_broken_lines_keeps_count_and_order(tmp_path: Path) -> None:
    """1,200 records (distinct names), every 100th broken: 1,200 lines out, each at its place."""
    documents = mixed_documents()
    source = tmp_path / "leads.jsonl"
    with source.open("w", encoding="utf-8") as stream:
        for n in range(1, 1201):
            if n % 100 == 0:
                stream.write('{"entity": {"name": "broken"}, "products": [\n')
                continue
            document = json.loads(json.dumps(documents[n % len(documents)]))
            document["entity"]["name"] = f"客户{n}"
            stream.write(json.dumps(document, ensure_ascii=False) + "\n")
    out = tmp_path / "triage.jsonl"
    stats = run_batch(source, out, summary=True)
    rows = [json.loads(line) for line in lines_of(out)]
    assert (stats.records, stats.errors) == (1200, 12)
    assert [row["line"] for row in rows] == list(range(1, 1201))
    assert [row["line"] for row in rows if "error" in row] == list(range(100, 1201, 100))
    assert {row["error"]["message"] for row in rows if "error" in row} == {
        "invalid JSON at column 45: Expecting value; each line must be one complete JSON object"}
    assert all(row["entity"] == f"客户{row['line']}" for row in rows if "error" not in row)


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch(BROKEN, first)
    run_batch(BROKEN, second, memoize=False)
    assert first.read_bytes() == second.read_bytes()


def test_as_of_applies_to_every_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code, _ = run(capsys, str(MIXED), "-o", str(out), "--as-of", "2025-08-31")
    assert code == 0
    assert {json.loads(line)["filing"]["as_of"] for line in lines_of(out)} == {"2025-08-31"}


# ---------------------------------------------------------------- --summary

def test_summary_rows_agree_with_the_assessments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "triage.jsonl"
    code, _ = run(capsys, str(MIXED), "-o", str(out), "--summary")
    assert code == 0
    rows = [TriageRow.model_validate_json(line) for line in lines_of(out)]
    for number, (row, document) in enumerate(zip(rows, mixed_documents(), strict=True), start=1):
        result = assess(document)
        assert row.line == number
        assert row.entity == document["entity"]["name"]
        assert row.status == result.filing.status
        assert row.algorithms == len(result.algorithms)
        assert set(row.types) == {a.type for a in result.algorithms}
        assert set(row.roles) == {a.role for a in result.algorithms if a.role}
        assert row.open_questions == len(result.open_questions)
        if result.steps:
            assert row.days_min == sum(s.duration.practice_min_days or 0 for s in result.steps)
        else:
            assert row.days_min is None and row.complexity in ("none", "medium")


def test_summary_tiers_follow_the_documented_rules(tmp_path: Path) -> None:
    """The tier table of docs/batch.md, applied to each full assessment, gives each row's tier."""
    out = tmp_path / "triage.jsonl"
    run_batch(MIXED, out, summary=True)
    seen = set()
    for line, document in zip(lines_of(out), mixed_documents(), strict=True):
        row = TriageRow.model_validate_json(line)
        result = assess(document)
        count = len(result.algorithms)
        roles = {a.role for a in result.algorithms if a.role}
        routes = {a.genai_route for a in result.algorithms}
        if result.filing.status == "not_required":
            expected = "none"
        elif count >= 4 or len(roles) == 2 or "genai_filing" in routes:
            expected = "high"
        elif count in (2, 3) or "genai_registration" in routes or result.filing.status == "needs_review":
            expected = "medium"
        else:
            expected = "low"
        assert row.complexity == expected, row
        seen.add(expected)
    assert seen == {"none", "low", "medium", "high"}, "the fixture covers every tier"


def test_summary_csv_has_a_header_and_one_row_per_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "triage.csv"
    code, _ = run(capsys, str(BROKEN), "-o", str(out), "--summary")
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [int(row["line"]) for row in rows] == list(range(1, 9))
    assert rows[0]["status"] == "required"
    assert rows[0]["roles"] == "service_provider;technical_supporter"
    assert rows[4]["error_field"] == "products[0].forms[1]" and "webiste" in rows[4]["error_message"]
    assert rows[4]["status"] == ""


# ---------------------------------------------------------------- CSV in

def test_csv_rows_are_assessed_and_errors_name_the_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code, _ = run(capsys, str(PRODUCTS), "-o", str(out), "--summary")
    assert code == 1
    rows = [json.loads(line) for line in lines_of(out)]
    assert [row["line"] for row in rows] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert rows[0]["entity"] == "北京某某资讯科技有限公司" and rows[0]["status"] == "required"
    assert rows[1]["roles"] == ["service_provider", "technical_supporter"]
    # generative with unknown opinion attributes: statute or practice turns on that answer (issue 16)
    assert rows[3]["status"] == "needs_review" and rows[3]["open_questions"] > 0
    assert rows[4]["error"]["field"] == "feature1_behaviours"
    assert "did you mean 'recommend_by_profile'" in rows[4]["error"]["message"]
    assert "blank row" in rows[5]["error"]["message"]
    assert "25 cells but the header has 24" in rows[6]["error"]["message"]
    assert rows[7]["error"] == {"field": "feature1_name", "message": "required; fill in the 'feature1_name' column"}


def test_a_csv_row_is_the_same_product_as_its_json_document(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_batch(PRODUCTS, out)
    first = json.loads(lines_of(out)[0])
    document = {"entity": {"name": "北京某某资讯科技有限公司"}, "products": [{
        "name": "某某新闻", "description": "资讯APP, 含评论、热榜", "forms": ["app", "website"],
        "audience": ["public"], "opinion_features": ["comments", "ugc_posting"],
        "monthly_active_users": 3200000, "user_groups": ["minors", "elderly"], "news": True, "commercial": True,
        "launch_status": "launched", "launch_date": "2026-03-02",
        "features": [{"name": "首页推荐", "description": "根据点击为每个用户挑选资讯",
                      "behaviours": ["recommend_by_profile"]},
                     {"name": "热榜", "behaviours": ["hot_list"]}]}]}
    assert first == json.loads(assess(document).to_json(indent=None))


@pytest.mark.parametrize("header, expected", [
    ("entity_name,product_name,forms,audience,feature1_name,feature1_behaviour",
     "unknown column 'feature1_behaviour'; did you mean 'feature1_behaviours'?"),
    ("entity_name,product_name,forms,feature1_name,feature1_behaviours", "required column 'audience' is missing"),
    ("entity_name,product_name,forms,audience", "no feature columns"),
    ("entity_name,product_name,forms,audience,feature1_name,feature1_behaviours,forms", "column 'forms' appears twice"),
    ("entity_name,product_name,forms,audience,feature1_name,feature1_behaviours,feature2_name",
     "column 'feature2_behaviours' is missing"),
])
def test_a_bad_csv_header_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str,
                                           expected: str) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(header + "\n某某,某某,app,public,推荐,recommend_by_profile\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, err = run(capsys, str(source), "-o", str(out))
    assert code == 2
    assert str(source) in err and expected in err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_csv_that_is_not_utf8_says_how_to_save_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "leads.csv"
    source.write_bytes(PRODUCTS.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    code, err = run(capsys, str(source), "-o", str(tmp_path / "out.jsonl"))
    assert code == 2
    assert "not UTF-8" in err and "CSV UTF-8" in err


def test_a_jsonl_line_that_is_not_utf8_is_one_error_record(tmp_path: Path) -> None:
    source = tmp_path / "leads.jsonl"
    good = MIXED.read_bytes().splitlines(keepends=True)[1]
    source.write_bytes(good + '{"entity": {"name": "网站"}}\n'.encode("gbk") + good)
    out = tmp_path / "out.jsonl"
    stats = run_batch(source, out)
    records = [json.loads(line) for line in lines_of(out)]
    assert stats.errors == 1 and len(records) == 3
    assert records[1] == {"line": 2, "error": {"field": None,
                                                "message": "not UTF-8 (byte 22); save the file as UTF-8"}}


# ---------------------------------------------------------------- usage errors and the output file

@pytest.mark.parametrize("make_args, expected", [
    (lambda d: [str(d / "missing.jsonl"), "-o", str(d / "out.jsonl")], "input file not found"),
    (lambda d: [str(d / "leads.txt"), "-o", str(d / "out.jsonl")], "cannot tell the format from the suffix '.txt'"),
    (lambda d: [str(d / "leads.jsonl"), "-o", str(d / "out.csv")], "full assessments are written as JSON Lines"),
    (lambda d: [str(d / "leads.jsonl"), "-o", str(d / "leads.jsonl")], "the output would overwrite the input"),
    (lambda d: [str(d / "leads.jsonl"), "-o", str(d / "nowhere" / "out.jsonl")], "directory does not exist"),
    (lambda d: [str(d / "leads.jsonl"), "-o", str(d)], "the output is a directory"),
])
def test_usage_errors_exit_2_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               make_args: Any, expected: str) -> None:
    shutil.copy(MIXED, tmp_path / "leads.jsonl")
    shutil.copy(MIXED, tmp_path / "leads.txt")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, err = run(capsys, *make_args(tmp_path))
    assert code == 2
    assert expected in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "leads.jsonl").read_bytes() == MIXED.read_bytes()


def test_an_unknown_input_format_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["batch", str(MIXED), "-o", str(tmp_path / "o.jsonl"), "--input-format", "xml"])
    assert exited.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_input_format_overrides_the_suffix(tmp_path: Path) -> None:
    source = tmp_path / "leads.txt"
    shutil.copy(MIXED, source)
    stats = run_batch(source, tmp_path / "out.jsonl", input_format="jsonl")
    assert (stats.records, stats.errors) == (13, 0)


def test_an_empty_file_gives_an_empty_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    code, err = run(capsys, str(source), "-o", str(out))
    assert code == 0 and out.read_bytes() == b""
    assert "0 records" in err


def test_an_interrupted_batch_keeps_the_lines_done_and_no_temporary_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.intake.batch as batch

    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n", encoding="utf-8")
    real = batch.assess_record
    calls = {"n": 0}

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "assess_record", interrupted)
    code, err = run(capsys, str(MIXED), "-o", str(out))
    assert code == 130 and "interrupted" in err
    kept = out.read_text(encoding="utf-8").splitlines()
    assert len(kept) == 2 and all(json.loads(line) for line in kept)
    assert "--start-line 3" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_progress_bar_goes_to_stderr_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_batch(MIXED, tmp_path / "a.jsonl", progress=True)
    shown = capsys.readouterr()
    assert "mixed.jsonl" in shown.err and shown.out == ""
    run_batch(MIXED, tmp_path / "b.jsonl", progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_a_terminal_sees_a_progress_bar(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    out = tmp_path / "out.jsonl"
    child = pexpect.spawn(sys.executable, ["-m", "cli", "batch", str(MIXED), "-o", str(out)],
                          cwd=str(ROOT), timeout=60, encoding="utf-8", dimensions=(24, 120))
    child.expect("mixed.jsonl")
    child.expect(r"13 records, 13 assessed, 0 failed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(lines_of(out)) == 13


def test_unicode_line_separators_in_names_do_not_split_a_record(tmp_path: Path) -> None:
    document = mixed_documents()[1]
    document["entity"]["name"] = "某某\u2028科技\u2029有限\x85公司"
    source = tmp_path / "leads.jsonl"
    source.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch(source, out, summary=True)
    text = out.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 1
    assert json.loads(text)["entity"] == document["entity"]["name"]


def test_a_csv_row_says_whether_a_business_products_output_reaches_individuals(tmp_path: Path) -> None:
    """Issue 16 item 3: the product-level answer is a column of its own; without it, needs_review."""
    source = tmp_path / "b2b.csv"
    source.write_text(
        "entity_name,product_name,forms,audience,output_reaches_individuals,feature1_name,feature1_behaviours\n"
        "某某软件,排产云,website,business,yes,智能排产,production_scheduling\n"
        "某某软件,排产云,website,business,,智能排产,production_scheduling\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch(source, out)
    rows = [json.loads(line) for line in lines_of(out)]
    assert [row["filing"]["status"] for row in rows] == ["recommended", "needs_review"]
