"""The JSON contract (schema 5.0): the rulebook's texts by id, and nothing a report shows lost.

The golden files in ``tests/fixtures/golden/`` are reports of three examples rendered straight from
the assessment, without the catalogue (with ``rules_version`` set to ``golden``): a report rendered
from the JSON read back must match them byte for byte. They change only when a report's content
changes on purpose (a rule or a renderer), rendered then by code without the JSON in between, never
to make the contract pass.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import contract_v4_writer
import pytest

import cli
from engine import AssessmentFileError, CompactAssessment, assess, assessment_json_schema, read_assessment
from engine.model.assessment import Assessment
from engine.model.contract_json import catalogue_json
from engine.render import render
from engine.render.short import render_short

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
TODAY = dt.date(2026, 11, 23)


def _example(name: str) -> Assessment:
    return assess(ROOT / "examples" / f"{name}.yaml")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_json_reads_back_into_the_same_assessment(path: Path) -> None:
    result = assess(path)
    for mode in ("ids", "embed"):
        text = result.to_json(catalogue=mode)
        assert read_assessment(text).model_dump_json() == result.model_dump_json(), mode
        line = result.to_json(indent=None, catalogue=mode)
        assert read_assessment(line).model_dump_json() == result.model_dump_json(), mode
        assert json.loads(line) == json.loads(text)
        # the contract model keeps the keys in the written order (the published schema is the written JSON)
        assert CompactAssessment.model_validate_json(text).model_dump_json(exclude_unset=True) == line


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_embedded_catalogue_is_the_rulebook_catalogue_s_entries(path: Path) -> None:
    # what a file embeds is what the published catalogue of its rules_version says of the same ids:
    # a file without it reads the same from the published catalogue
    result = assess(path)
    embedded = json.loads(result.to_json(catalogue="embed"))["catalogue"]
    published = json.loads(catalogue_json())
    assert embedded["rules_version"] == published["rules_version"] == result.rules_version
    for section, entries in embedded.items():
        if section == "rules_version":
            continue
        for key, entry in entries.items():
            if section == "labels":  # by group, then id
                for label_id, label in entry.items():
                    assert published["labels"][key][label_id] == label, f"labels.{key}.{label_id}"
            else:
                assert published[section][key] == entry, f"{section}.{key}"


@pytest.mark.parametrize("name,lang", [("news_app", "zh"), ("news_app", "en"), ("short_video_live", "zh")])
@pytest.mark.parametrize("mode", ["ids", "embed"])
def test_reports_from_the_json_read_back_match_the_golden_files(name: str, lang: str, mode: str) -> None:
    # the rules version is a hash of every rule file: fixed here, so that only a change of what these
    # reports show (not any rule edit elsewhere) calls for new golden files
    back = read_assessment(_example(name).to_json(catalogue=mode)).model_copy(update={"rules_version": "golden"})
    for fmt, ext in (("html", "html"), ("markdown", "md"), ("table", "txt")):
        golden = (GOLDEN / f"{name}.{lang}.{ext}").read_text(encoding="utf-8")
        assert render(back, fmt, lang, today=TODAY) == golden, f"{name}.{lang}.{ext}"
    short = (GOLDEN / f"{name}.{lang}.short.txt").read_text(encoding="utf-8")
    assert render_short(back, lang, today=TODAY, width=80) == short


def _texts(value: Any, found: list[str]) -> list[str]:
    """Every bilingual text ({zh, en}) in JSON data, as its JSON, in document order."""
    if isinstance(value, dict):
        if set(value) == {"zh", "en"}:
            found.append(json.dumps(value, ensure_ascii=False, sort_keys=True))
        else:
            for item in value.values():
                _texts(item, found)
    elif isinstance(value, list):
        for item in value:
            _texts(item, found)
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_rulebook_text_is_written_once_when_embedded(path: Path) -> None:
    result = assess(path)
    data = json.loads(result.to_json(catalogue="embed"))
    written = _texts(data, [])
    shown = [*(o.title for o in result.obligations), *(m.name for m in result.materials),
             *(m.contents for m in result.materials), *(law.title for law in result.laws),
             *(a.type_label for a in result.algorithms), *(a.role_label for a in result.algorithms),
             *(a.status_label for a in result.algorithms), result.filing.label,
             *(r.explanation for r in result.filing.reasons), *(s.what for s in result.steps)]
    assert shown, "no texts: the example would prove nothing"
    for text in {json.dumps(t.model_dump(), ensure_ascii=False, sort_keys=True) for t in shown}:
        assert written.count(text) == 1, text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_by_default_no_text_of_the_rulebook_is_written(path: Path) -> None:
    # what stays is this assessment's own: algorithm names, computed notes, the calendar's convention;
    # an algorithm's basis stays a list of citations (law, article and a short note such as "para. 2")
    rulebook_texts = set(_texts(json.loads(catalogue_json()), []))
    data = json.loads(assess(path).to_json())
    for algorithm in data["algorithms"]:
        assert all(set(citation) == {"law", "article", "note"} for citation in algorithm.pop("basis"))
    assert not rulebook_texts & set(_texts(data, []))


def test_rows_point_to_the_catalogue_by_id() -> None:
    result = _example("short_video_live")
    data = json.loads(result.to_json(catalogue="embed"))
    catalogue = data["catalogue"]
    assert list(data) == ["schema_version", "rules_version", "filing", "algorithms", "laws", "targets", "obligations",
                          "materials", "steps", "display", "open_questions", "trace", "catalogue"]
    assert data["schema_version"] == "5.0" and catalogue["rules_version"] == data["rules_version"]
    assert set(data["obligations"][0]) == {"id", "applies_to", "rules", "working_days", "due"}
    assert {o["id"] for o in data["obligations"]} == set(catalogue["duties"])
    assert {m["id"] for m in data["materials"]} == set(catalogue["materials"])
    assert {s["id"] for s in data["steps"]} == set(catalogue["steps"])
    assert {r["rule"] for r in data["filing"]["reasons"]} == set(catalogue["rules"])
    assert all(a["type"] in catalogue["labels"]["algorithm_type"] for a in data["algorithms"])
    # each set of targets once: the duty binding all nine algorithms points to it
    arp_6 = next(o for o in data["obligations"] if o["id"] == "arp_6")
    assert [t["id"] for t in data["targets"][arp_6["applies_to"]]] == [a.id for a in result.algorithms]
    assert len(data["targets"]) == len({json.dumps(t) for t in data["targets"]})
    trace = data["trace"]
    paths = [a["path"] for a in trace["answers"]]
    assert len(paths) == len(set(paths)) and len(trace["rules"]) == len(set(trace["rules"]))
    first = result.trace[0]
    row = trace["rows"][0]
    assert trace["rules"][row["rule"]] == first.rule and row["fact"] == first.fact
    assert [trace["conclusions"][c] for c in row["conclusions"]] == list(first.conclusions)
    assert [trace["answers"][i] for i in trace["answer_sets"][row["answers"]]] == [
        {"path": a.path, "value": json.loads(json.dumps(a.value))} for a in first.answers]
    audience = next(a for a in trace["answers"] if a["path"] == "products[0].audience")
    assert audience["value"] == ["public"]


MAX_LINE_JSON = 60_000
"""Issue 19: no example's full one-line JSON over 60 KB (short_video_live: 204,895 bytes in schema
4.0, 51,540 in 5.0; with ``catalogue=embed`` it is 130,862 bytes, an archive that reads anywhere)."""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_example_json_exceeds_60_kb(path: Path) -> None:
    """Both layouts: the one-line JSON (service, batch) and the file a person saves (``assess --format
    json``, one row per line; fully indented, short_video_live's was 103,589 bytes)."""
    result = assess(path)
    for indent in (None, 2):
        size = len(result.to_json(indent=indent).encode("utf-8"))
        assert size <= MAX_LINE_JSON, f"{path.name}, indent {indent}: {size:,} bytes"


def test_the_saved_json_has_one_row_per_line() -> None:
    """Each key of the document and of its sections on a line, each row of a list on one line: a
    line of the file is a whole row (an algorithm, a duty, a trace row), as a diff shows it."""
    result = assess(ROOT / "examples" / "news_app.yaml")
    text = result.to_json()
    data = json.loads(text)
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    assert lines[1] == '  "schema_version": "5.0",'
    for algorithm in data["algorithms"]:
        assert f"    {json.dumps(algorithm, ensure_ascii=False, separators=(',', ':'))}," in lines \
            or f"    {json.dumps(algorithm, ensure_ascii=False, separators=(',', ':'))}" in lines
    rows = data["trace"]["rows"]
    row_lines = [line for line in lines if line.startswith('      {"rule":') and '"fact":' in line]
    assert len(row_lines) == len(rows) and [json.loads(line.rstrip(",")) for line in row_lines] == rows
    assert '    "rows": [' in lines and '  "trace": {' in lines
    assert len(text) < 1.15 * len(result.to_json(indent=None))  # the layout adds little to one line


def test_the_published_json_schema_of_assessments_is_the_snapshot() -> None:
    """The contract moves only on purpose: a change here is a schema change for CHANGELOG.md."""
    published = json.loads((ROOT / "tests" / "fixtures" / "contract" / "assessment.schema.json").read_text("utf-8"))
    assert assessment_json_schema() == published
    assert published["properties"]["schema_version"]["const"] == "5.0"


def test_a_schema_4_assessment_still_reads() -> None:
    result = _example("short_video_live")
    old = contract_v4_writer.contract_json(result)  # what schema 4.0 wrote: the texts in the assessment's catalogue
    assert json.loads(old)["schema_version"] == "4.0"
    assert read_assessment(old).model_dump_json() == result.model_dump_json()


def test_a_schema_3_assessment_still_reads() -> None:
    result = _example("news_app")
    old = result.model_dump_json(indent=2)  # what schema 3.0 wrote: the rows with their texts
    assert json.loads(old)["schema_version"] == "3.0"
    assert read_assessment(old).model_dump_json() == result.model_dump_json()


def test_a_file_of_another_rulebook_reads_only_with_its_catalogue_embedded() -> None:
    result = _example("news_app").model_copy(update={"rules_version": "2026.10.0+0123456789ab"})
    with pytest.raises(AssessmentFileError) as caught:
        read_assessment(result.to_json(), file="old.json")
    message = caught.value.render()
    installed = _example("news_app").rules_version
    assert caught.value.key == "rules_version" and "\n" not in message
    assert message.startswith("old.json: rules_version: made with rules_version 2026.10.0+0123456789ab")
    assert f"installed rulebook is rules_version {installed}" in message
    assert "assess the answers again" in message and "--catalogue embed" in message
    assert read_assessment(result.to_json(catalogue="embed")).model_dump_json() == result.model_dump_json()


@pytest.mark.parametrize("text,where,says", [
    ('{"schema_version": "2.0", "filing": {}}', "schema_version",
     'schema_version "2.0": this version reads assessments of schema 3.0, 4.0, 5.0'),
    ('{"filing": {}}', "schema_version", "no schema_version"),
    ("[1, 2]", "schema_version", "no schema_version"),
    ("{not json", None, "not JSON"),
])
def test_an_unreadable_assessment_is_refused_with_one_message(text: str, where: str | None, says: str) -> None:
    with pytest.raises(AssessmentFileError) as caught:
        read_assessment(text, file="saved.json")
    assert caught.value.file == "saved.json" and caught.value.key == where
    assert says in caught.value.render() and "\n" not in caught.value.render()


def test_a_row_naming_an_id_the_catalogue_lacks_is_refused() -> None:
    data = json.loads(_example("news_app").to_json(catalogue="embed"))
    data["catalogue"]["duties"].pop(data["obligations"][1]["id"])
    with pytest.raises(AssessmentFileError) as caught:
        read_assessment(json.dumps(data), file="edited.json")
    message = caught.value.render()
    assert message.startswith("edited.json: obligations[1].id names '") and "catalogue.duties" in message


def test_a_row_pointing_past_a_list_is_refused() -> None:
    data = json.loads(_example("news_app").to_json())
    data["obligations"][0]["applies_to"] = len(data["targets"])
    with pytest.raises(AssessmentFileError) as caught:
        read_assessment(json.dumps(data), file="edited.json")
    assert caught.value.render().startswith(
        f"edited.json: obligations[0].applies_to points to position {len(data['targets'])}, which targets does "
        "not hold")


def test_a_broken_row_names_its_field() -> None:
    data = json.loads(_example("news_app").to_json())
    data["algorithms"][0]["status"] = "maybe"
    with pytest.raises(AssessmentFileError) as caught:
        read_assessment(json.dumps(data), file="edited.json")
    assert caught.value.key == "algorithms.0.status"


def test_a_saved_assessment_given_to_diff_is_refused_in_one_line(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(_example("news_app").to_json(), encoding="utf-8")
    code = cli.main(["diff", str(saved), str(ROOT / "examples" / "news_app.yaml")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    problems = err.splitlines()[1:]
    assert problems == [f"{saved}: (document): this is a saved assessment, not an answers document; give the "
                        "answers file it was assessed from (the one with `entity` and `products`)"]


def test_the_one_line_json_written_straight_from_assembly_is_the_assessment_s(monkeypatch: pytest.MonkeyPatch) -> None:
    """``assess_json`` writes the trace from assembly without entry models (``Tracer.compact``); it must
    be the very text of ``assess(...).to_json(indent=None)``, duties dropped for a statute included."""
    from engine import assess_json
    from engine.pipeline import assemble as assemble_module

    dropped_any: list[frozenset[str]] = []
    original = assemble_module.yield_to_statute

    def spy(*args: Any, **kwargs: Any) -> Any:
        kept, dropped = original(*args, **kwargs)
        dropped_any.append(dropped)
        return kept, dropped

    monkeypatch.setattr(assemble_module, "yield_to_statute", spy)
    mixed = ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl"
    shared = {"name": "推荐", "behaviours": ["recommend_by_profile"]}
    bound = {"entity": {"name": "某某公司"}, "products": [  # the practice filing yields whole to Art. 24
        {"name": "甲", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
         "features": [shared]},
        {"name": "乙", "forms": ["app"], "audience": ["public"], "opinion_features": [], "features": [shared]}]}
    documents: list[Any] = [*EXAMPLES, bound,
                            *(json.loads(line) for line in mixed.read_text("utf-8").splitlines() if line)]
    for document in documents:
        assert assess_json(document) == assess(document).to_json(indent=None), document
    assert any(dropped_any), "no document dropped a duty: the compact trace's dropping went untested"
