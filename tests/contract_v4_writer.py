"""What schema 4.0 wrote, for the tests that read such files: every text once, in the
assessment's own ``catalogue`` section (``engine.model.contract_v4`` reads it back).

Only the reading of 4.0 ships; writing it is the tests' business, so this writer stays out of the
engine and is as plain as it can be: no process-wide caches, one pass over the assessment.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from engine.model.assessment import Assessment, LegalRef, Text
from engine.model.contract_json import LABELLED, _citation, _fields, _put
from engine.model.contract_v4 import (
    SCHEMA_VERSION,
    ActionRow,
    AlgorithmRow,
    DisplayRow,
    DutyEntry,
    FilingRow,
    LawEntry,
    MaterialEntry,
    NextDueRow,
    ReasonRow,
)


def contract_json(assessment: Assessment) -> str:
    """``assessment`` as a schema 4.0 file: two-space indented, ending in a newline."""
    a = assessment
    laws = {law.id: law for law in a.laws}
    labels: dict[str, dict[str, Text]] = {}
    answers: dict[str, Any] = {}
    duties: dict[str, Any] = {}
    materials: dict[str, Any] = {}

    def label(group: str, key: str, text: Text) -> None:
        _put(labels.setdefault(group, {}), key, text, f"catalogue.labels.{group}")

    def cited(basis: tuple[LegalRef, ...]) -> list[dict[str, Any]]:
        return [_citation(laws[ref.law], ref) for ref in basis]

    f = a.filing
    label("applicability", f.status, f.label)
    for count in f.counts:
        label("applicability", count.status, count.label)
    filing = _fields(f, FilingRow.model_fields)
    filing["reasons"] = [{**_fields(r, ReasonRow.model_fields), "basis": cited(r.basis)} for r in f.reasons]
    filing["counts"] = [{"status": c.status, "count": c.count} for c in f.counts]
    if f.next_due is not None:
        filing["next_due"] = _fields(f.next_due, NextDueRow.model_fields)
    filing["actions"] = [_fields(x, ActionRow.model_fields) for x in f.actions]

    algorithms = []
    for x in a.algorithms:
        for field, group in LABELLED:
            value = getattr(x, field)
            if value is not None:
                label(group, value, getattr(x, f"{field}_label"))
        label(*(("no_filing_role", "none") if x.role is None else ("role", x.role)), x.role_label)
        algorithms.append({**_fields(x, AlgorithmRow.model_fields), "basis": cited(x.basis)})

    for o in a.obligations:
        _put(duties, o.id, {**_fields(o, DutyEntry.model_fields), "basis": cited(o.basis)}, "catalogue.duties")
    for m in a.materials:
        _put(materials, m.id, _fields(m, MaterialEntry.model_fields), "catalogue.materials")
    display = []
    for d in a.display:
        if d.form_label is not None:
            label("product_form", d.form, d.form_label)
        display.append({**_fields(d, DisplayRow.model_fields), "basis": cited(d.basis)})
    trace = []
    for t in a.trace:
        for used in t.answers:
            _put(answers, used.path, used.value, "catalogue.answers")
        trace.append({"conclusions": t.conclusions, "rule": t.rule, "fact": t.fact, "via": t.via,
                      "answers": [used.path for used in t.answers]})

    data = {
        "schema_version": SCHEMA_VERSION,
        "filing": filing,
        "algorithms": algorithms,
        "obligations": [{"id": o.id, "applies_to": o.applies_to, "rules": o.rules, "due": o.due}
                        for o in a.obligations],
        "materials": [{"id": m.id, "applies_to": m.applies_to, "rules": m.rules} for m in a.materials],
        "steps": a.steps,
        "display": display,
        "open_questions": a.open_questions,
        "rules_version": a.rules_version,
        "trace": trace,
        "catalogue": {"labels": labels, "laws": {law.id: _fields(law, LawEntry.model_fields) for law in a.laws},
                      "duties": duties, "materials": materials, "answers": answers},
    }
    return to_json(data, indent=2).decode() + "\n"
