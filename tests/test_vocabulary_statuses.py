"""A new filing status is data only (issue 23.3): the assessment, its JSON contract, its published
schema, the table and the triage take their statuses from rules/vocabulary.yaml (``applicability``)
and their order from rules/catalogue/status.yaml, not from Python."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_edits import edited_rules_package, run_probe

from engine import assess, assessment_json_schema
from engine.model.assessment import FilingConclusion
from engine.model.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
INTERNAL_TOOL = ROOT / "examples" / "internal_tool.yaml"

PROBE = r"""
import json, sys
import engine, rules
from engine import assess, assessment_json_schema, read_assessment
from engine.intake.triage import triage_json_schema, triage_row
from engine.render.table import render_table

result = assess(sys.argv[1])
text = result.to_json()
again = read_assessment(text)
table = render_table(result, "en")
row = triage_row(result, line=1, entity="x")
print(json.dumps({
    "packages": [engine.__file__, rules.__file__],
    "status": result.filing.status, "label": result.filing.label.zh,
    "algorithms": sorted({a.status for a in result.algorithms}),
    "counts": [(c.status, c.count) for c in result.filing.counts],
    "round_trip": again.to_json() == text,
    "table": "Exempt from filing" in table,
    "schema": assessment_json_schema()["$defs"]["FilingRow"]["properties"]["status"],
    "triage": [row.status, row.complexity],
    "triage_schema": triage_json_schema()["properties"]["status"],
}, ensure_ascii=False))
"""

EDITS: dict[str, list[tuple[str, str]]] = {
    "vocabulary.yaml": [('    not_required: {zh: "无需备案", en: "Filing not required"}\n',
                         '    exempt: {zh: "豁免备案", en: "Exempt from filing"}\n'
                         '    not_required: {zh: "无需备案", en: "Filing not required"}\n')],
    "catalogue/status.yaml": [("precedence: [required, recommended, needs_review, not_required]\n",
                               "precedence: [required, recommended, needs_review, exempt, not_required]\n")],
    "catalogue/triage.yaml": [("      - status: [not_required]\n", "      - status: [not_required, exempt]\n")],
    "applicability.yaml": [("      filing: {status: not_required, role: service_provider}\n",
                            "      filing: {status: exempt, role: service_provider}\n")],
}


def _rules_with_a_new_status(tmp_path: Path) -> Path:
    """A copy of the ``rules`` package where a service used by its own staff only is ``exempt``,
    a fifth status between needs_review and not_required: YAML edits only."""
    return edited_rules_package(tmp_path, EDITS)


def test_a_new_status_is_added_in_yaml_only(tmp_path: Path) -> None:
    packages = _rules_with_a_new_status(tmp_path)
    found = run_probe(packages, PROBE, str(INTERNAL_TOOL))
    assert Path(found["packages"][1]).is_relative_to(packages)
    shipped = assess(INTERNAL_TOOL)
    assert shipped.filing.status == "not_required" and not shipped.algorithms
    assert (found["status"], found["label"], found["algorithms"]) == ("exempt", "豁免备案", ["exempt"])
    assert found["counts"] and all(status == "exempt" for status, _ in found["counts"])
    assert found["round_trip"] and found["table"]
    assert found["schema"]["enum"] == ["required", "recommended", "needs_review", "exempt", "not_required"]
    assert found["triage"] == ["exempt", "none"]
    assert "exempt" in found["triage_schema"]["enum"]


def test_the_published_status_enum_is_the_vocabulary_in_file_order() -> None:
    schema = assessment_json_schema()["$defs"]["FilingRow"]["properties"]["status"]
    assert schema == {"enum": list(load_vocabulary().ids("applicability")), "title": "Status", "type": "string"}


def test_a_status_the_vocabulary_lacks_is_refused_with_a_did_you_mean() -> None:
    data = assess(INTERNAL_TOOL).filing.model_dump()
    with pytest.raises(ValueError, match="unknown applicability id 'not_requried'; did you mean 'not_required'"):
        FilingConclusion.model_validate({**data, "status": "not_requried"})
