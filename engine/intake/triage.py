"""The triage row: one assessment reduced to what an intake team sorts leads by.

A row says whether filing applies, how many algorithms and of which types and roles, how long
the steps take in practice and how complex the case is. Everything in it is read off the
assessment; nothing is concluded here that the rules did not conclude.

Time range. ``days_min`` / ``days_max`` add up the practice durations (calendar days, from
``rules/catalogue/process.yaml``) of the steps the assessment lists, as if the steps ran one
after the other. The domain reference does not say whether the generative-AI filing or
registration runs alongside the algorithm filing, so the sum is the cautious reading; statutory
working-day limits are not added (they are ceilings, not estimates). Both are ``null`` when the
assessment lists no step with a practice duration (nothing to file, or nothing known).

Complexity tiers are data: ``rules/catalogue/triage.yaml`` lists them in the order they are
tried, each with its tests, description and basis (practice: they sort leads by effort and are
not a legal category); the first tier one of whose tests holds applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from engine.model.assessment import AlgorithmType, Assessment, Outline, Role, Status
from engine.model.base import StrictModel
from engine.model.vocabulary import load_vocabulary
from engine.rules.catalogue import TierTest, TriageTier
from engine.rules.rulebook import default_rulebook
from engine.sanitize import csv_cell

Tier = Literal["none", "low", "medium", "high"]

_TYPE_ORDER = load_vocabulary().ids("algorithm_type")
_ROLE_ORDER = load_vocabulary().ids("role")


class TriageRow(StrictModel):
    """One assessed record of a batch, as a triage row (``algo-filing batch --summary``)."""

    line: int = Field(description="The record's line in the input file (1 = first line)")
    entity: str = Field(description="The entity's name, as given")
    status: Status = Field(description="Whether filing applies: required, recommended, needs_review, not_required")
    algorithms: int = Field(description="How many algorithms to file or review")
    types: list[AlgorithmType] = Field(description="Their algorithm types, each once")
    roles: list[Role] = Field(description="The filing roles, each once")
    days_min: int | None = Field(description="Calendar days the listed steps take at best (practice)")
    days_max: int | None = Field(description="Calendar days the listed steps take at worst (practice)")
    complexity: Tier = Field(description="none, low, medium or high (see docs/batch.md)")
    open_questions: int = Field(description="Answers still needed before the conclusion is final")
    rules_version: str


class RecordProblem(StrictModel):
    """Why one record could not be assessed."""

    field: str | None = Field(description="The answers key (or CSV column) at fault; null when the "
                                          "whole line is unreadable")
    message: str


class ErrorRecord(StrictModel):
    """The output line of a record that could not be assessed."""

    line: int = Field(description="The record's line in the input file (1 = first line)")
    error: RecordProblem


def _outline(source: Assessment | Outline) -> Outline:
    return source if isinstance(source, Outline) else Outline.of(source)


def _holds(test: TierTest, outline: Outline) -> bool:
    """Whether every key the test gives holds for the assessment."""
    algorithms = outline.algorithms
    return ((test.status is None or outline.status in test.status)
            and (test.algorithms_at_least is None or len(algorithms) >= test.algorithms_at_least)
            and (test.roles_at_least is None or len({role for _, role, _ in algorithms if role}) >= test.roles_at_least)
            and (test.genai_route is None or any(route in test.genai_route for _, _, route in algorithms)))


def complexity(assessment: Assessment | Outline, tiers: Sequence[TriageTier]) -> Tier:
    """The complexity tier of an assessment: the first of ``tiers`` (the rulebook's) that applies."""
    outline = _outline(assessment)
    for tier in tiers:
        if tier.any is None or any(_holds(test, outline) for test in tier.any):
            return tier.id
    raise ValueError("no tier applies: the last tier of rules/catalogue/triage.yaml takes every lead")


def calendar_days(assessment: Assessment | Outline) -> tuple[int | None, int | None]:
    """The practice duration of the listed steps, summed as if run one after the other."""
    known = [d for d in _outline(assessment).steps
             if d.practice_min_days is not None or d.practice_max_days is not None]
    if not known:
        return None, None
    low = sum(d.practice_min_days or 0 for d in known)
    high = sum(d.practice_max_days if d.practice_max_days is not None else (d.practice_min_days or 0)
               for d in known)
    return low, high


def triage_row(assessment: Assessment | Outline, *, line: int, entity: str,
               tiers: Sequence[TriageTier] | None = None) -> TriageRow:
    """Reduce an assessment (or the outline :func:`engine.pipeline.run.outline` computes alone, at a
    fraction of the cost) to its triage row; ``tiers`` default to the shipped rulebook's."""
    outline = _outline(assessment)
    types = {type_ for type_, _, _ in outline.algorithms}
    roles = {role for _, role, _ in outline.algorithms if role}
    days_min, days_max = calendar_days(outline)
    tier = complexity(outline, default_rulebook().tiers if tiers is None else tiers)
    return TriageRow(
        line=line, entity=entity, status=outline.status, algorithms=len(outline.algorithms),
        types=[t for t in _TYPE_ORDER if t in types], roles=[r for r in _ROLE_ORDER if r in roles],
        days_min=days_min, days_max=days_max, complexity=tier,
        open_questions=outline.open_questions, rules_version=outline.rules_version)


CSV_COLUMNS: tuple[str, ...] = ("line", "entity", "status", "algorithms", "types", "roles", "days_min",
                                "days_max", "complexity", "open_questions", "rules_version",
                                "error_field", "error_message")
"""Columns of a triage CSV: a triage row, or ``line`` and the two ``error_*`` columns."""


def csv_cells(record: TriageRow | ErrorRecord) -> list[str]:
    """One output record as the cells of a triage CSV row (lists joined with ``;``).

    A cell that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``…) starts
    with a ``'`` (:func:`engine.sanitize.csv_cell`).
    """
    if isinstance(record, ErrorRecord):
        return [str(record.line), *[""] * 10, csv_cell(record.error.field or ""), csv_cell(record.error.message)]
    data: dict[str, Any] = record.model_dump()
    cells = []
    for column in CSV_COLUMNS[:-2]:
        value = data[column]
        if isinstance(value, list):
            cells.append(";".join(value))
        else:
            cells.append("" if value is None else str(value))
    return [*(csv_cell(c) for c in cells), "", ""]


def triage_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a triage row."""
    return TriageRow.model_json_schema()


def error_record_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a batch error record."""
    return ErrorRecord.model_json_schema()
