"""The pipeline in one call: answers -> facts -> durable-rules -> assembly -> assessment.

Each stage is a function of its own package (:mod:`engine.model`, :mod:`engine.rules`,
:mod:`engine.pipeline`); this module only chains them and keeps the shape memo, which only
batches turn on (``shapes=True``): a single assessment is always computed from its answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.model.answers import Answers, load_answers, parse_answers
from engine.model.assessment import Assessment, Outline
from engine.model.contract_json import contract_json
from engine.pipeline.assemble import assemble, assemble_compact, outline, outline_rulebook
from engine.pipeline.filed import mark_filed
from engine.pipeline.shapes import ShapeMemo
from engine.pipeline.unconfirmed import hold_outline, hold_unconfirmed
from engine.rules.facts import RootFact, build_facts
from engine.rules.rulebook import Rulebook, default_rulebook
from engine.rules.runtime import Firing, runtime_for


def evaluate(roots: list[RootFact], book: Rulebook | None = None, *, memoize: bool = True) -> list[Firing]:
    """Run root facts through the durable-rules engine and return every rule that fired."""
    book = book or default_rulebook()
    return runtime_for(book, memoize=memoize).evaluate([r.as_message() for r in roots])


SHAPES = ShapeMemo()
"""Assessments shared by answers that differ only in names (see :mod:`engine.pipeline.shapes`)."""


def assess(answers: Answers | dict[str, Any] | str | Path, *, as_of: dt.date | None = None,
           rulebook: Rulebook | None = None, memoize: bool = True, shapes: bool = False) -> Assessment:
    """Assess one answers document (model, dict, or path of a YAML/JSON file).

    ``as_of`` picks the rules in force on that date; without it the answers' own ``as_of``,
    else the rulebook's date, so the same answers always give the same assessment.
    With ``memoize`` (the default) durable-rules firings are cached per fact (keyed by what the
    rules test); ``memoize=False`` sends every fact through the engine, with the same bytes.
    ``shapes=True`` (batches) also lets answers that differ only in names share one assembly
    (:mod:`engine.pipeline.shapes`, only with ``memoize``). The result is immutable and may be shared.
    Raises :class:`AnswersError` for invalid answers (every bad field listed).
    """
    model, when, book, fresh = _prepare(answers, as_of, rulebook, memoize)
    if memoize and shapes:
        return SHAPES.assess(model, when, book, fresh)
    return fresh(model, when)


def assess_json(answers: Answers | dict[str, Any] | str | Path, *, as_of: dt.date | None = None,
                rulebook: Rulebook | None = None, memoize: bool = True, shapes: bool = False) -> str:
    """The assessment as one line of JSON: the text of ``assess(...).to_json(indent=None)``.

    For batches: with ``shapes=True`` a memoised shape's JSON is filled in as text, which costs
    far less than dumping the whole assessment again.
    """
    model, when, book, fresh = _prepare(answers, as_of, rulebook, memoize)
    if memoize and shapes:
        return SHAPES.assess_json(model, when, book, fresh)
    # The trace is written straight from assembly: no entry models for a text that needs none.
    result, trace = assemble_compact(book, *_fired(model, when, book, memoize), when)
    return contract_json(_finished(result, model, book), indent=None, trace=trace)


def assess_outline(answers: Answers | dict[str, Any] | str | Path, *, as_of: dt.date | None = None,
                   rulebook: Rulebook | None = None, memoize: bool = True) -> Outline:
    """What a triage row shows of ``assess(answers)`` (status, algorithms, steps, open questions),
    computed without the rest of the assessment: for ``batch --summary`` and the triage view. Only
    the rules whose conclusions an outline shows are evaluated (:func:`outline_rulebook`)."""
    model, when, book, _ = _prepare(answers, as_of, rulebook, memoize)
    return hold_outline(outline(book, *_fired(model, when, outline_rulebook(book), memoize), when), model)


def _prepare(answers: Answers | dict[str, Any] | str | Path, as_of: dt.date | None, rulebook: Rulebook | None,
             memoize: bool) -> tuple[Answers, dt.date, Rulebook, Callable[[Answers, dt.date], Assessment]]:
    """Validated answers, the date whose rules apply, the rulebook, and the from-scratch pipeline."""
    if isinstance(answers, str | Path):
        model = load_answers(answers)
    else:
        model = parse_answers(answers)
    book = rulebook or default_rulebook()

    def fresh(answers: Answers, when: dt.date) -> Assessment:
        return _finished(assemble(book, *_fired(answers, when, book, memoize), when), answers, book)

    return model, as_of or model.as_of or book.as_of, book, fresh


def _fired(answers: Answers, when: dt.date, book: Rulebook, memoize: bool) -> tuple[list[RootFact], list[Firing]]:
    """The root facts of ``answers`` on ``when``, and every rule of ``book`` that fired on them (the
    facts come from the rulebook's derived flags, which an outline's rulebook shares)."""
    roots = build_facts(answers, when, book.derived_flags)
    return roots, evaluate(roots, book, memoize=memoize)


def _finished(result: Assessment, answers: Answers, book: Rulebook) -> Assessment:
    """The assembled assessment with the algorithms already filed marked, and what rests on unconfirmed
    suggestions held at needs_review."""
    return hold_unconfirmed(mark_filed(result, answers), answers, book.status.precedence)
