"""algo-filing: applicability assessment for China's algorithm filing (算法备案).

The public API is one call, :func:`assess`, plus the stages it chains so each can be called
and tested alone::

    answers -> parse_answers -> build_facts -> evaluate (durable-rules) -> assemble -> Assessment

:func:`assess_json` gives the same assessment as one line of JSON (what batches write; schema 5.0,
the rulebook's texts by id: :func:`rulebook_catalogue` holds them), :func:`read_assessment` reads a
saved one back, and
:func:`assess_outline` only what a triage row shows. All memoise durable-rules' verdicts by
default (``memoize=False`` sends every fact through the engine); only with ``shapes=True`` (what
batches pass) do answers that differ only in names share one assembly
(:mod:`engine.pipeline.shapes`). :func:`similar` finds the published filings nearest to a
one-sentence description (:mod:`engine.precedents`).

Example::

    from engine import assess, load_answers
    result = assess(load_answers("examples/news_app.yaml"))
    print(result.filing.status, [a.type for a in result.algorithms])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.errors import AnswersError, EngineError, LoadError, RuleActionError, RulebookError
    from engine.intake.batch import assess_record, one_line
    from engine.intake.records import Record, read_jsonl
    from engine.intake.triage import (
        ErrorRecord,
        RecordProblem,
        TriageRow,
        error_record_json_schema,
        triage_json_schema,
        triage_row,
    )
    from engine.model.answers import Answers, answers_json_schema, load_answers, parse_answers
    from engine.model.assessment import Assessment, Outline, assessment_json_schema
    from engine.model.contract_json import (
        AssessmentFileError,
        Catalogue,
        CompactAssessment,
        catalogue_json_schema,
        read_assessment,
        rulebook_catalogue,
    )
    from engine.model.filing_number import FilingNumber, FilingNumberError, decode_filing_number
    from engine.model.vocabulary import Vocabulary, load_vocabulary
    from engine.pipeline.assemble import assemble
    from engine.pipeline.diff import AssessmentDiff, diff_answers, diff_json_schema
    from engine.pipeline.run import SHAPES, assess, assess_json, assess_outline, evaluate
    from engine.precedents.similar import SimilarResult, similar, similar_json_schema
    from engine.render.html import render_html
    from engine.rules.facts import RootFact, build_facts
    from engine.rules.rulebook import Rulebook, default_rulebook, load_rulebook
    from engine.rules.runtime import Firing

__all__ = [
    "SHAPES", "Answers", "AnswersError", "Assessment", "AssessmentDiff", "AssessmentFileError", "Catalogue",
    "CompactAssessment", "EngineError", "ErrorRecord", "FilingNumber", "FilingNumberError", "Firing", "LoadError",
    "Outline", "Record", "RecordProblem", "RootFact", "RuleActionError", "Rulebook", "RulebookError", "SimilarResult",
    "TriageRow", "Vocabulary", "answers_json_schema", "assemble", "assess", "assess_json", "assess_outline",
    "assess_record", "assessment_json_schema", "build_facts", "catalogue_json_schema", "decode_filing_number",
    "default_rulebook", "diff_answers", "diff_json_schema", "error_record_json_schema", "evaluate", "load_answers",
    "load_rulebook", "load_vocabulary", "one_line", "parse_answers", "read_assessment", "read_jsonl", "render_html",
    "rulebook_catalogue", "similar", "similar_json_schema", "triage_json_schema", "triage_row",
]

_LAZY: dict[str, str] = {
    "AnswersError": "errors", "EngineError": "errors", "LoadError": "errors", "RuleActionError": "errors",
    "RulebookError": "errors",
    "Answers": "model.answers", "answers_json_schema": "model.answers", "load_answers": "model.answers",
    "parse_answers": "model.answers",
    "Assessment": "model.assessment", "Outline": "model.assessment", "assessment_json_schema": "model.assessment",
    "AssessmentFileError": "model.contract_json", "CompactAssessment": "model.contract_json",
    "read_assessment": "model.contract_json", "Catalogue": "model.contract_json",
    "catalogue_json_schema": "model.contract_json", "rulebook_catalogue": "model.contract_json",
    "assemble": "pipeline.assemble",
    "SHAPES": "pipeline.run", "assess": "pipeline.run", "assess_json": "pipeline.run",
    "assess_outline": "pipeline.run", "evaluate": "pipeline.run",
    "RootFact": "rules.facts", "build_facts": "rules.facts",
    "Rulebook": "rules.rulebook", "default_rulebook": "rules.rulebook", "load_rulebook": "rules.rulebook",
    "Firing": "rules.runtime",
    "assess_record": "intake.batch", "one_line": "intake.batch",
    "FilingNumber": "model.filing_number", "FilingNumberError": "model.filing_number",
    "decode_filing_number": "model.filing_number",
    "AssessmentDiff": "pipeline.diff", "diff_answers": "pipeline.diff", "diff_json_schema": "pipeline.diff",
    "Record": "intake.records", "read_jsonl": "intake.records",
    "render_html": "render.html",
    "ErrorRecord": "intake.triage", "RecordProblem": "intake.triage", "TriageRow": "intake.triage",
    "error_record_json_schema": "intake.triage", "triage_json_schema": "intake.triage", "triage_row": "intake.triage",
    "Vocabulary": "model.vocabulary", "load_vocabulary": "model.vocabulary",
    "SimilarResult": "precedents.similar", "similar": "precedents.similar",
    "similar_json_schema": "precedents.similar",
}
"""Every public name and the module it lives in, imported on first use.

``import engine`` (or of any one submodule, such as ``engine.limits`` for the CLI's flag
defaults) then costs nothing: the rules engine, pydantic models and renderers load only when a
name that needs them is asked for, which keeps ``algo-filing --version`` and ``--help`` fast.
"""


def __getattr__(name: str) -> Any:
    """Import a public name of :data:`_LAZY` from its module when it is first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"engine.{module}"), name)
    globals()[name] = value
    return value
