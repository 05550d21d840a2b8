"""algo-filing: applicability assessment for China's algorithm filing (算法备案).

The public API is one call, :func:`assess`, plus the stages it chains so each can be called
and tested alone::

    answers -> parse_answers -> build_facts -> evaluate (durable-rules) -> assemble -> Assessment

:func:`assess_json` gives the same assessment as compact JSON text (what batches write). Both
memoise by default: answers that differ only in names share one assessment (:mod:`engine.shapes`).

Example::

    from engine import assess, load_answers
    result = assess(load_answers("examples/news_app.yaml"))
    print(result.filing.status, [a.type for a in result.algorithms])
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answers import Answers, answers_json_schema, load_answers, parse_answers
from .assemble import assemble
from .assessment import Assessment, assessment_json_schema
from .errors import AnswersError, EngineError, LoadError, RuleActionError, RulebookError
from .facts import RootFact, build_facts
from .rulebook import Rulebook, default_rulebook, load_rulebook
from .runtime import Firing, runtime_for
from .shapes import ShapeMemo

if TYPE_CHECKING:
    from .batch import assess_record, one_line
    from .decode import FilingNumber, FilingNumberError, decode_filing_number
    from .diff import AssessmentDiff, diff_answers, diff_json_schema
    from .records import Record, read_jsonl
    from .render import render_html
    from .triage import ErrorRecord, RecordProblem, TriageRow, error_record_json_schema, triage_json_schema, triage_row
    from .vocabulary import Vocabulary, load_vocabulary

__all__ = [
    "Answers", "AnswersError", "Assessment", "AssessmentDiff", "EngineError", "ErrorRecord", "FilingNumber",
    "FilingNumberError", "Firing", "LoadError", "Record", "RecordProblem", "RootFact", "RuleActionError",
    "Rulebook", "RulebookError", "TriageRow", "Vocabulary", "answers_json_schema", "assemble", "assess",
    "assess_json", "assess_record", "assessment_json_schema", "build_facts", "decode_filing_number",
    "default_rulebook", "diff_answers", "diff_json_schema", "error_record_json_schema", "evaluate",
    "load_answers", "load_rulebook", "load_vocabulary", "one_line", "parse_answers", "read_jsonl", "render_html",
    "triage_json_schema", "triage_row",
]

_LAZY: dict[str, str] = {
    "assess_record": "batch", "one_line": "batch",
    "FilingNumber": "decode", "FilingNumberError": "decode", "decode_filing_number": "decode",
    "AssessmentDiff": "diff", "diff_answers": "diff", "diff_json_schema": "diff",
    "Record": "records", "read_jsonl": "records",
    "render_html": "render",
    "ErrorRecord": "triage", "RecordProblem": "triage", "TriageRow": "triage", "error_record_json_schema": "triage",
    "triage_json_schema": "triage", "triage_row": "triage",
    "Vocabulary": "vocabulary", "load_vocabulary": "vocabulary",
}
"""Public names of the batch, diff, decode, rendering and vocabulary modules, imported on first use.

They are part of the library API (a service calls them without reaching into submodules), but
importing them all here would add tabulate and the renderers to every ``import engine``.
"""


def __getattr__(name: str) -> Any:
    """Import a public name of :data:`_LAZY` from its module when it is first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def evaluate(roots: list[RootFact], book: Rulebook | None = None, *, memoize: bool = True) -> list[Firing]:
    """Run root facts through the durable-rules engine and return every rule that fired."""
    book = book or default_rulebook()
    return runtime_for(book, memoize=memoize).evaluate([r.as_message() for r in roots])


SHAPES = ShapeMemo()
"""Assessments shared by answers that differ only in names (see :mod:`engine.shapes`)."""


def assess(answers: Answers | dict[str, Any] | str | Path, *, as_of: dt.date | None = None,
           rulebook: Rulebook | None = None, memoize: bool = True) -> Assessment:
    """Assess one answers document (model, dict, or path of a YAML/JSON file).

    ``as_of`` picks the rules in force on that date; without it the answers' own ``as_of``,
    else the rulebook's date, so the same answers always give the same assessment.
    With ``memoize`` (the default) answers that differ only in names share one rules run and
    one assembly (:mod:`engine.shapes`); ``memoize=False`` computes everything afresh, with the
    same bytes. The result is immutable and may be shared.
    Raises :class:`AnswersError` for invalid answers (every bad field listed).
    """
    model, when, book, fresh = _prepare(answers, as_of, rulebook, memoize)
    if memoize:
        return SHAPES.assess(model, when, book, fresh)
    return fresh(model, when)


def assess_json(answers: Answers | dict[str, Any] | str | Path, *, as_of: dt.date | None = None,
                rulebook: Rulebook | None = None, memoize: bool = True) -> str:
    """The assessment as compact JSON: the text of ``assess(...).model_dump_json()``.

    For batches: a memoised shape's JSON is filled in as text, which costs far less than
    dumping the whole assessment again.
    """
    model, when, book, fresh = _prepare(answers, as_of, rulebook, memoize)
    if memoize:
        return SHAPES.assess_json(model, when, book, fresh)
    return fresh(model, when).model_dump_json()


def _prepare(answers: Answers | dict[str, Any] | str | Path, as_of: dt.date | None, rulebook: Rulebook | None,
             memoize: bool) -> tuple[Answers, dt.date, Rulebook, Callable[[Answers, dt.date], Assessment]]:
    """Validated answers, the date whose rules apply, the rulebook, and the from-scratch pipeline."""
    if isinstance(answers, str | Path):
        model = load_answers(answers)
    else:
        model = parse_answers(answers)
    book = rulebook or default_rulebook()

    def fresh(answers: Answers, when: dt.date) -> Assessment:
        roots = build_facts(answers, when)
        firings = evaluate(roots, book, memoize=memoize)
        return assemble(book, roots, firings, when, answers=answers)

    return model, as_of or model.as_of or book.as_of, book, fresh
