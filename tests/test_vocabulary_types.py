"""A new algorithm type is data only (issue 23.3): the assessment, its JSON contract and its
published schema take their types, sub-types and roles from rules/vocabulary.yaml, not from Python."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_edits import edited_rules_package, run_probe

from engine import assess, assessment_json_schema
from engine.model.assessment import Algorithm
from engine.model.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
RIDE_HAILING = ROOT / "examples" / "ride_hailing.yaml"

PROBE = r"""
import json, sys
import engine, rules
from engine import assess, assessment_json_schema, read_assessment
from engine.intake.triage import triage_json_schema, triage_row
from engine.render.table import render_table

result = assess(sys.argv[1])
text = result.to_json()
again = read_assessment(text)
algorithm = next(a for a in result.algorithms if a.type == "risk_control")
print(json.dumps({
    "packages": [engine.__file__, rules.__file__],
    "type": algorithm.type, "label": algorithm.type_label.zh, "name": algorithm.name.zh,
    "status": algorithm.status,
    "round_trip": again.to_json() == text,
    "table": "风险防控类" in render_table(result, "zh"),
    "schema": assessment_json_schema()["$defs"]["AlgorithmRow"]["properties"]["type"],
    "triage_types": triage_row(result, line=1, entity="x").types,
    "triage_schema": triage_json_schema()["properties"]["types"]["items"],
}, ensure_ascii=False))
"""

EDITS: dict[str, list[tuple[str, str]]] = {
    "vocabulary.yaml": [('    scheduling_decision: {zh: "调度决策类", en: "Scheduling / decision"}\n',
                         '    scheduling_decision: {zh: "调度决策类", en: "Scheduling / decision"}\n'
                         '    risk_control: {zh: "风险防控类", en: "Risk control"}\n')],
    "catalogue/naming.yaml": [("  scheduling_decision: {zh: 调度决策, en: scheduling and decision}\n",
                               "  scheduling_decision: {zh: 调度决策, en: scheduling and decision}\n"
                               "  risk_control: {zh: 风险防控, en: risk control}\n")],
    "purpose_templates.yaml": [("  scheduling_decision:\n",
                                "  risk_control:\n"
                                '    input: {zh: "订单、位置、时间等业务数据", en: "orders, locations and times"}\n'
                                '    output: {zh: "识别风险（{behaviours}）", en: "identifies risks ({behaviours})"}\n'
                                "  scheduling_decision:\n")],
    "classification.yaml": [("      classify: {type: scheduling_decision}\n",
                             "      classify: {type: risk_control}\n")],
}


def _rules_with_a_new_type(tmp_path: Path) -> Path:
    """A copy of the ``rules`` package whose dispatch, pricing and other decision behaviours are
    classified as a sixth type, ``risk_control``: YAML edits only."""
    return edited_rules_package(tmp_path, EDITS)


def test_a_new_algorithm_type_is_added_in_yaml_only(tmp_path: Path) -> None:
    packages = _rules_with_a_new_type(tmp_path)
    found = run_probe(packages, PROBE, str(RIDE_HAILING))
    assert Path(found["packages"][1]).is_relative_to(packages)
    shipped = next(a for a in assess(RIDE_HAILING).algorithms if a.type == "scheduling_decision")
    # the rules that apply to every type but generation/synthesis apply to the new one as they did
    assert (found["type"], found["label"], found["status"]) == ("risk_control", "风险防控类", shipped.status)
    assert found["name"] == shipped.name.zh.replace("调度决策", "风险防控")
    assert found["round_trip"] and found["table"]
    assert found["schema"]["enum"][-1] == "risk_control" and found["schema"]["type"] == "string"
    assert found["triage_types"][-1] == "risk_control"  # in vocabulary order, the new type last
    assert "scheduling_decision" not in found["triage_types"]
    assert "risk_control" in found["triage_schema"]["enum"]


def test_the_published_enums_are_the_vocabulary_in_file_order() -> None:
    properties = assessment_json_schema()["$defs"]["AlgorithmRow"]["properties"]
    vocab = load_vocabulary()
    assert properties["type"] == {"enum": list(vocab.ids("algorithm_type")), "title": "Type", "type": "string"}
    assert properties["subtype"]["anyOf"][0]["enum"] == list(vocab.ids("algorithm_subtype"))
    assert properties["role"]["anyOf"][0]["enum"] == list(vocab.ids("role"))


def test_an_id_the_vocabulary_lacks_is_refused_with_a_did_you_mean() -> None:
    algorithm = assess(RIDE_HAILING).algorithms[0]
    data = algorithm.model_dump()
    with pytest.raises(ValueError, match="unknown algorithm_type id 'scheduling_decisions'; did you mean "
                                         "'scheduling_decision'"):
        Algorithm.model_validate({**data, "type": "scheduling_decisions"})
    assert Algorithm.model_validate(data) == algorithm
