"""The assessment: what an answers document leads to, with the reason for every conclusion.

In memory each row carries what a report shows of it (a duty's title and basis on its obligation,
a label beside every id, the value of every answer its trace entry used), so renderers read one
row at a time and never load a rulebook or vocabulary of their own: the texts are those of the
rulebook the assessment was made with. This is the layout of JSON schema 3.0, which
:func:`engine.model.contract_json.read_assessment` still reads as it is. Every list is sorted by a
stable key, so the same answers and rules give the same bytes.

As JSON (:meth:`Assessment.to_json`, schema 5.0: :mod:`engine.model.contract_json`) the rows point
by id to those texts, published once per rulebook version (its catalogue) or embedded on request;
reading it back gives this model field for field.

What a duty, a material or a due date applies to is a typed *target* (:data:`Target`): the
entity, a product (by its position in the answers, with its name) or an algorithm (by its id;
its name is that of the item of ``algorithms``). Names are shown, never used to tell targets
apart, so two products with the same name stay two products. ``CHANGELOG.md`` lists what each
version of the JSON contract changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from engine.model.base import StrictModel, Text
from engine.model.vocabulary import id_enum, known_id

Status = Annotated[str, AfterValidator(known_id("applicability")), id_enum("applicability")]
"""An ``applicability`` id of ``rules/vocabulary.yaml`` (a filing status): a status added there and
to the precedence of ``rules/catalogue/status.yaml`` needs no Python edit."""
AlgorithmType = Annotated[str, AfterValidator(known_id("algorithm_type")), id_enum("algorithm_type")]
"""An ``algorithm_type`` id of ``rules/vocabulary.yaml``: a type added there needs no Python edit."""
Subtype = Annotated[str, AfterValidator(known_id("algorithm_subtype")), id_enum("algorithm_subtype")]
"""An ``algorithm_subtype`` id of ``rules/vocabulary.yaml``."""
Role = Annotated[str, AfterValidator(known_id("role")), id_enum("role")]
"""A ``role`` id of ``rules/vocabulary.yaml``."""
BasisKind = Literal["statute", "practice"]
"""What a conclusion rests on: ``statute`` = a regulation's article whose condition the rule
tests; ``practice`` = what filers and the regulator do, or the published lists, not a regulation."""


SCHEMA_VERSION: Literal["3.0"] = "3.0"
"""The JSON layout this model has field for field (schema 3.0). The contract written today is 5.0
(:data:`engine.model.contract_json.SCHEMA_VERSION`): the major part changes when a field changes meaning."""


class EntityTarget(StrictModel):
    """The filing entity (the company) as a whole."""

    kind: Literal["entity"] = "entity"


class ProductRef(StrictModel):
    """One product of the answers: its position there identifies it, its name is for display."""

    kind: Literal["product"] = "product"
    index: int = Field(description="Position of the product in the answers' products (0 = first)")
    name: str = Field(description="The product's name as answered (shown, not an identity)")


class FeatureRef(StrictModel):
    """One feature of the answers: its product's position and its own position identify it."""

    product: int = Field(description="Position of its product in the answers' products (0 = first)")
    index: int = Field(description="Position of the feature in that product's features (0 = first)")
    name: str = Field(description="The feature's name as answered (shown, not an identity)")


class AlgorithmRef(StrictModel):
    """One algorithm of the assessment, by its stable id."""

    kind: Literal["algorithm"] = "algorithm"
    id: str = Field(description="Stable id (type.behaviour.role) of an item of ``algorithms``")


Target = Annotated[EntityTarget | ProductRef | AlgorithmRef, Field(discriminator="kind")]
"""What a duty or material applies to: the entity, a product or an algorithm."""


def target_key(target: EntityTarget | ProductRef | AlgorithmRef) -> tuple[str | int, ...]:
    """The identity of a target: its kind with its position or id, never its name."""
    if isinstance(target, ProductRef):
        return ("product", target.index)
    if isinstance(target, AlgorithmRef):
        return ("algorithm", target.id)
    return ("entity",)


class LegalRef(StrictModel):
    """A legal reference with its citation rendered in both languages."""

    law: str
    article: str | None = None
    citation: Text


class Reason(StrictModel):
    """Why the filing status is what it is: a rule that fired, and for which products."""

    rule: str
    status: Status
    title: Text
    explanation: Text
    basis_kind: BasisKind
    basis: tuple[LegalRef, ...]
    products: tuple[str, ...]


class LawOut(StrictModel):
    """A law the assessment cites, as the rulebook it was made with describes it."""

    id: str
    title: Text
    short: Text = Field(description="The name used in citations")
    in_force: dt.date | None
    statutory: bool = Field(description="False for non-statutory sources such as filing practice")


class CalendarInfo(StrictModel):
    """How due dates are counted, and which years the holiday calendar covers."""

    source: str = Field(description="The calendar package and version the working days come from")
    covered_from: int = Field(description="First year whose State Council holiday schedule is known")
    covered_to: int = Field(description="Last year whose State Council holiday schedule is known")
    convention: Text


class DueDate(StrictModel):
    """A deadline counted on the working-day calendar from one product's dated event."""

    product: ProductRef
    event: Literal["launch", "change", "termination"]
    event_date: dt.date
    working_days: int
    date: dt.date | None = Field(
        description="The last working day of the period; null when the holiday calendar does not cover it")
    estimate: dt.date | None = Field(
        default=None, description="Only when date is null: counted on Monday–Friday alone, not official")
    note: Text | None = None


class NextDue(StrictModel):
    """The earliest due date of the assessment's duties: what the summary puts first."""

    obligation: str
    title: Text
    basis: tuple[LegalRef, ...]
    due: DueDate
    basis_kind: BasisKind = Field(
        default="statute", description="statute: a statutory deadline; practice: a recommended date, "
                                       "counted the same way but binding no one")


class FilingDue(StrictModel):
    """When one algorithm should be filed: the earliest due date of its filing duty."""

    obligation: str = Field(description="The filing duty (arp_24, dsp_19, dsp_19_p2, gai_17, practice_filing)")
    basis_kind: BasisKind = Field(description="statute: a statutory deadline; practice: a recommended date")
    due: DueDate


class FiledRef(StrictModel):
    """The filing that already covers an algorithm (from the answers' ``filed_algorithms``)."""

    number: str
    name: str


class StatusCount(StrictModel):
    """How many algorithms have one status: the headline's "3 required, 2 recommended"."""

    status: Status
    label: Text
    count: int


class Action(StrictModel):
    """A dated thing to do, of any kind: a duty due on a date (filing, change, cancellation,
    security assessment before launch…) or a step that must be through by a date (the
    generative-AI filing or registration before launch). The summary lists the earliest ones
    first, so the most urgent item is on the first screen whatever its kind."""

    kind: Literal["obligation", "step"]
    id: str = Field(description="The id of the item of obligations or steps")
    title: Text
    basis_kind: BasisKind
    product: ProductRef
    event: Literal["launch", "change", "termination"]
    event_date: dt.date
    working_days: int | None = Field(
        description="Working days after the event; null when the action is due before the event")
    date: dt.date | None = Field(description="When it is due; null when the holiday calendar does not cover it")
    estimate: dt.date | None = Field(default=None, description="Only when date is null: Monday–Friday count")
    start_by: dt.date | None = Field(default=None, description="For a step: the last day to start it at the slow "
                                                               "end of practice")


class FilingConclusion(StrictModel):
    """Whether filing applies, and why."""

    status: Status
    label: Text
    as_of: dt.date = Field(description="The date whose rules were applied")
    reasons: tuple[Reason, ...]
    counts: tuple[StatusCount, ...] = Field(
        default_factory=tuple, description="Algorithms per status, strongest first; the status is the "
                                           "strongest of them (required > recommended > needs_review)")
    calendar: CalendarInfo | None = Field(
        default=None, description="Set when due dates were computed from the answers' dates")
    next_due: NextDue | None = Field(
        default=None, description="The earliest due date among the duties (past ones included: "
                                  "whether it is overdue depends on the day the report is read)")
    actions: tuple[Action, ...] = Field(
        default_factory=tuple, description="Every dated action, earliest first (ties: the one to start "
                                           "earliest, then the duties' order)")
    no_due: Text | None = Field(default=None, description="Why next_due is null, when it is")


class Algorithm(StrictModel):
    """One algorithm to file (or to review), with what it covers."""

    id: str = Field(description="Stable id: type.behaviours.role, the behaviours of one feature of this type "
                                "joined by '+' in vocabulary order (e.g. retrieval_filtering."
                                "content_moderation+spam_filtering.service_provider)")
    name: Text = Field(description="A suggested filing name")
    type: AlgorithmType
    type_label: Text
    subtype: Subtype | None
    subtype_label: Text | None
    role: Role | None = Field(description="The filing system's 填报角色; null for types it asks no role for")
    role_label: Text
    status: Status
    status_label: Text
    behaviours: tuple[str, ...] = Field(description="What the algorithm does: the behaviours its id joins")
    products: tuple[ProductRef, ...]
    features: tuple[str, ...] = Field(description="The names of the features it covers, each name once (shown)")
    feature_refs: tuple[FeatureRef, ...] = Field(
        description="The features it covers, by position, in answer order: what tells features apart")
    genai_route: str | None = Field(description="genai_filing, genai_registration, genai_none or null")
    genai_route_label: Text | None
    basis: tuple[LegalRef, ...]
    rules: tuple[str, ...]
    filing_due: FilingDue | None = Field(
        default=None, description="When to file this algorithm, from its products' (or features') launch "
                                  "dates: a statutory deadline or a recommended date (basis_kind); null once filed")
    filed: FiledRef | None = Field(
        default=None, description="The filing that covers it already (answers' filed_algorithms); null: not filed")


class Deadline(StrictModel):
    """A deadline; ``working_days`` and ``start`` are set where it is a working-day count."""

    text: Text
    working_days: int | None = None
    start: str | None = None


class ObligationOut(StrictModel):
    """A duty that applies, with its basis, deadline and what it applies to."""

    id: str
    title: Text
    basis_kind: BasisKind
    basis: tuple[LegalRef, ...]
    deadline: Deadline | None
    applies_to: tuple[Target, ...]
    rules: tuple[str, ...]
    files_algorithm: bool = Field(
        default=False, description="The duty is the filing itself: it dates algorithms[].filing_due")
    binds: Literal["filer", "platform"] = Field(
        default="filer", description="filer: the filer's duty; platform: the app store or mini-program platform's "
                                     "(it will check the product at listing), not the filer's")
    due: tuple[DueDate, ...] = Field(default_factory=tuple, description="Due dates from the answers' dates")


class PitfallOut(StrictModel):
    id: str
    text: Text


class MaterialOut(StrictModel):
    """An item of the materials checklist."""

    id: str
    name: Text
    group: str
    scope: Literal["entity", "product", "algorithm"]
    contents: Text
    condition: Text | None
    basis_kind: BasisKind
    pitfalls: tuple[PitfallOut, ...]
    applies_to: tuple[Target, ...]
    rules: tuple[str, ...]


class DurationOut(StrictModel):
    statutory_working_days: int | None
    practice_min_days: int | None
    practice_max_days: int | None
    practice_text: Text | None


class StepDates(StrictModel):
    """One product's step on the calendar: from a stated start, the statutory and practice ends."""

    product: ProductRef
    start: dt.date
    start_is: Text = Field(description="Why the step is placed at this start")
    statutory_by: dt.date | None = Field(description="start + the statutory working days, if any")
    practice_from: dt.date | None = Field(description="start + the practice minimum (calendar days)")
    practice_to: dt.date | None = Field(description="start + the practice maximum (calendar days)")
    note: Text | None = None


class StepOut(StrictModel):
    """A step of the filing process with its duration."""

    id: str
    order: int
    title: Text
    what: Text
    statute: Text | None
    duration: DurationOut
    dates: tuple[StepDates, ...] = Field(default_factory=tuple, description="The step on the calendar, per product")


class DisplayOut(StrictModel):
    """Where one product shows the filing number."""

    product: str
    form: str
    form_label: Text | None = Field(description="The product form's label; null for a place that is not a form")
    location: Text
    basis: tuple[LegalRef, ...]


class OpenQuestion(StrictModel):
    """An answer still needed before a conclusion is final."""

    id: str
    field: str
    product: str | None
    feature: str | None
    question: Text
    rule: str


class AnswerUsed(StrictModel):
    path: str
    value: Any


class TraceEntry(StrictModel):
    """One rule firing: what it concluded, on which fact, and the answers that made it fire.

    ``conclusions`` name what the firing added (``algorithms.<id>``, ``obligations.<id>``,
    ``filing.status.<status>``, ``classify.<behaviour>``…); ``via`` lists the rules that derived
    the fact it fired on (classification, then applicability), whose answers are included.
    """

    conclusions: tuple[str, ...]
    rule: str
    fact: str
    via: tuple[str, ...]
    answers: tuple[AnswerUsed, ...]


class Assessment(StrictModel):
    """The complete, explained filing assessment."""

    schema_version: Literal["3.0"] = Field(
        default=SCHEMA_VERSION, description="The layout of this model: schema 3.0 (the JSON written is 5.0)")
    filing: FilingConclusion
    algorithms: tuple[Algorithm, ...]
    obligations: tuple[ObligationOut, ...]
    materials: tuple[MaterialOut, ...]
    steps: tuple[StepOut, ...]
    display: tuple[DisplayOut, ...]
    open_questions: tuple[OpenQuestion, ...]
    laws: tuple[LawOut, ...] = Field(description="Every law cited above, in the rulebook's order")
    rules_version: str
    trace: tuple[TraceEntry, ...]

    def to_json(self, *, indent: int | None = 2, catalogue: Literal["ids", "embed"] = "ids") -> str:
        """The JSON contract (schema 5.0, :mod:`engine.model.contract_json`): what this assessment
        concluded, the rulebook's texts by id (``catalogue="embed"``: with the entries it points to).
        Two-space indent and a final newline by default; on one line with ``indent=None`` (the
        service's responses and batch lines)."""
        from engine.model.contract_json import contract_json

        return contract_json(self, indent=indent, catalogue=catalogue)


def assessment_json_schema() -> dict[str, Any]:
    """The published JSON Schema of an assessment: the contract's, schema 5.0."""
    from engine.model.contract_json import CompactAssessment

    return CompactAssessment.model_json_schema()


@dataclass(frozen=True)
class Outline:
    """The part of an assessment a triage row is read from, computed without the rest.

    ``algorithms`` holds, per algorithm, its type, role and generative-AI route; ``steps`` the
    durations of the listed steps. Not part of the JSON contract: a triage row is.
    """

    status: Status
    algorithms: tuple[tuple[str, str | None, str | None], ...]
    steps: tuple[DurationOut, ...]
    open_questions: int
    rules_version: str

    @classmethod
    def of(cls, assessment: Assessment) -> Outline:
        """The outline of a full assessment (the same as computed alone: ``tests/test_triage_outline.py``)."""
        return cls(status=assessment.filing.status,
                   algorithms=tuple((a.type, a.role, a.genai_route) for a in assessment.algorithms),
                   steps=tuple(s.duration for s in assessment.steps),
                   open_questions=len(assessment.open_questions), rules_version=assessment.rules_version)
