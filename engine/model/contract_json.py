"""The assessment's JSON contract (schema 5.0): what this assessment concluded, the rulebook's texts by id.

In memory an assessment (:class:`~engine.model.assessment.Assessment`) carries on each row what a
report shows of it: a duty's title, basis and deadline on its obligation, a label beside every id,
a rule's title and explanation on each reason, the value of every answer on each trace entry that
used it. Those texts are the rulebook's, the same in every assessment made with it: schema 4.0 wrote
them once per assessment (a ``catalogue`` section), which still made 60-205 KB of the examples.

Schema 5.0 writes what *this* assessment concluded and points to every text of the rulebook by id:

- ``rules_version`` (release and content hash) names the rulebook **catalogue** the ids point into:
  labels, laws, duties, materials, rules (the reasons' titles, explanations and basis), steps,
  display places and open questions, both languages. It is published per rules version
  (:func:`rulebook_catalogue`: ``algo-filing rules --format catalogue``, ``GET /v1/catalogue``);
- with ``catalogue="embed"`` the document carries a ``catalogue`` section with exactly the entries
  its rows point to, so that it reads without the rulebook it was made with (an archive);
- what the assessment itself computed stays on the rows: dates, targets, product and feature
  names, generated algorithm names, notes computed for this assessment, the working days in force
  on ``filing.as_of``, and in ``trace`` the values of the answers its entries used;
- ``targets`` lists each distinct set of targets once; obligations and materials point to one;
- ``trace`` lists the rules, the conclusions, the answers and the sets of answers once each; its
  rows point to them by position.

:func:`contract_json` writes that document and :func:`resolve` reads it back into the assessment,
field for field (``tests/test_contract_json.py`` checks every example and scenario, in both
modes), from the embedded catalogue or, when the document has none, from the installed rulebook's
when its ``rules_version`` is the document's. Schema 4.0 and 3.0 files still read
(:mod:`engine.model.contract_v4`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_core import to_json

from engine.errors import EngineError
from engine.model import contract_v4
from engine.model.assessment import (
    Action,
    Algorithm,
    AlgorithmType,
    Assessment,
    BasisKind,
    CalendarInfo,
    Deadline,
    DisplayOut,
    DueDate,
    DurationOut,
    FeatureRef,
    FiledRef,
    FilingConclusion,
    LawOut,
    LegalRef,
    MaterialOut,
    NextDue,
    ObligationOut,
    OpenQuestion,
    PitfallOut,
    ProductRef,
    Reason,
    Role,
    Status,
    StatusCount,
    StepDates,
    StepOut,
    Subtype,
    Target,
    TraceEntry,
)
from engine.model.base import StrictModel, Text, cite
from engine.model.contract_reading import LABELLED, CatalogueReader, UnresolvedId

SCHEMA_VERSION: Literal["5.0"] = "5.0"
"""Version of the JSON contract (see CHANGELOG.md): 5.0 points to the rulebook's texts by id."""

CatalogueMode = Literal["ids", "embed"]
"""How an assessment is written: ``ids`` (the default) points to the rulebook catalogue of its
``rules_version``; ``embed`` also carries the catalogue entries its rows point to."""
CATALOGUE_MODES: tuple[CatalogueMode, ...] = ("ids", "embed")


# ---------------------------------------------------------------- the catalogue's entries

class Citation(StrictModel):
    """A legal reference: the law (catalogue.laws), the article and the rule's note on it. Its
    citation text is drawn from the law's ``short`` name: ``《算法推荐管理规定》第24条（note）`` /
    ``Algorithm Recommendation Provisions, Art. 24 (note)``; a non-statutory source by its name."""

    law: str = Field(description="A law id of catalogue.laws")
    article: str | None
    note: Text | None = Field(description="What the reference adds to the article (a paragraph, a reading)")


class DeadlineEntry(StrictModel):
    """A duty's deadline as the rulebook states it; its working days (dated) are on the row."""

    text: Text
    start: str | None = Field(description="The event the working days count from")


class DutyEntry(StrictModel):
    """What a duty is, whatever it applies to: the catalogue's text of one obligation id."""

    title: Text
    basis_kind: BasisKind
    basis: tuple[Citation, ...]
    deadline: DeadlineEntry | None
    files_algorithm: bool = Field(description="The duty is the filing itself: it dates algorithms[].filing_due")
    binds: Literal["filer", "platform"] = Field(
        description="filer: the filer's duty; platform: the app store or mini-program platform's (it will "
                    "check the product at listing), not the filer's")


class MaterialEntry(StrictModel):
    """What an item of the materials checklist is: the catalogue's text of one material id."""

    name: Text
    group: str
    scope: Literal["entity", "product", "algorithm"]
    contents: Text
    condition: Text | None
    basis_kind: BasisKind
    pitfalls: tuple[PitfallOut, ...]


class LawEntry(StrictModel):
    """A law, as the rulebook describes it."""

    title: Text
    short: Text = Field(description="The name used in citations")
    in_force: dt.date | None
    statutory: bool = Field(description="False for non-statutory sources such as filing practice")


class RuleEntry(StrictModel):
    """A rule as a reason of the filing status shows it."""

    title: Text
    explanation: Text
    basis_kind: BasisKind
    basis: tuple[Citation, ...]


class StepEntry(StrictModel):
    """A step of the filing process; its statutory working days (dated) are on the row."""

    order: int
    title: Text
    what: Text
    statute: Text | None
    practice_min_days: int | None
    practice_max_days: int | None
    practice_text: Text | None


class DisplayEntry(StrictModel):
    """Where a product of one form (or one place) shows the filing number."""

    location: Text
    basis: tuple[Citation, ...]


class Catalogue(StrictModel):
    """The rulebook's texts, keyed by stable id: published whole per rules_version, or embedded in
    an assessment with exactly the entries its rows point to."""

    rules_version: str = Field(description="The rulebook these texts are from")
    labels: dict[str, dict[str, Text]] = Field(
        description="Labels by vocabulary group and id: applicability (statuses), algorithm_type, "
                    "algorithm_subtype, role, no_filing_role (id none: a type the filing system asks no role "
                    "for), genai_route, product_form")
    laws: dict[str, LawEntry] = Field(description="Laws by id, in the rulebook's order")
    duties: dict[str, DutyEntry] = Field(description="Duties (obligations[].id) by id")
    materials: dict[str, MaterialEntry] = Field(description="Items of the materials checklist by id")
    rules: dict[str, RuleEntry] = Field(description="Rules (filing.reasons[].rule) by id")
    steps: dict[str, StepEntry] = Field(description="Steps of the filing process (steps[].id) by id")
    display: dict[str, DisplayEntry] = Field(description="Display places (display[].form) by id")
    questions: dict[str, Text] = Field(description="The question an open question asks, by the rule that asks it")


# ---------------------------------------------------------------- the rows

class ReasonRow(StrictModel):
    """Why the filing status is what it is: a rule that fired (title, explanation and basis:
    catalogue.rules[rule]), and for which products."""

    rule: str
    status: Status
    products: tuple[str, ...] = Field(description="The names of the products it fired for")


class StatusCountRow(StrictModel):
    """How many algorithms have one status (its label: catalogue.labels.applicability)."""

    status: Status
    count: int


class NextDueRow(StrictModel):
    """The earliest due date; the duty's title and basis are catalogue.duties[obligation]'s."""

    obligation: str
    due: DueDate
    basis_kind: BasisKind = Field(description="statute: a statutory deadline; practice: a recommended date, "
                                              "counted the same way but binding no one")


class ActionRow(StrictModel):
    """A dated thing to do; its title is catalogue.duties[id]'s (kind obligation) or catalogue.steps[id]'s."""

    kind: Literal["obligation", "step"]
    id: str = Field(description="The id of the item of obligations or steps")
    basis_kind: BasisKind
    product: ProductRef
    event: Literal["launch", "change", "termination"]
    event_date: dt.date
    working_days: int | None = Field(description="Working days after the event; null when due before the event")
    date: dt.date | None = Field(description="When it is due; null when the holiday calendar does not cover it")
    estimate: dt.date | None = Field(description="Only when date is null: Monday–Friday count")
    start_by: dt.date | None = Field(description="For a step: the last day to start it at the slow end of practice")


class FilingRow(StrictModel):
    """Whether filing applies, and why (the status's label: catalogue.labels.applicability)."""

    status: Status
    as_of: dt.date = Field(description="The date whose rules were applied")
    reasons: tuple[ReasonRow, ...]
    counts: tuple[StatusCountRow, ...] = Field(description="Algorithms per status, strongest first")
    calendar: CalendarInfo | None
    next_due: NextDueRow | None = Field(description="The earliest due date among the duties (past ones included)")
    actions: tuple[ActionRow, ...] = Field(description="Every dated action, earliest first")
    no_due: Text | None = Field(description="Why next_due is null, when it is")


class FilingDueRow(StrictModel):
    """When one algorithm should be filed: the earliest due date of its filing duty."""

    obligation: str
    basis_kind: BasisKind
    due: DueDate


class AlgorithmRow(StrictModel):
    """One algorithm; the labels of its type, subtype, role, status and route are in catalogue.labels."""

    id: str = Field(description="Stable id: type.behaviours.role")
    name: Text = Field(description="A suggested filing name")
    type: AlgorithmType
    subtype: Subtype | None
    role: Role | None = Field(description="The filing system's 填报角色; null for types it asks no role for "
                                          "(label: catalogue.labels.no_filing_role.none)")
    status: Status
    behaviours: tuple[str, ...]
    products: tuple[ProductRef, ...]
    features: tuple[str, ...] = Field(description="The names of the features it covers, each name once (shown)")
    feature_refs: tuple[FeatureRef, ...]
    genai_route: str | None = Field(description="genai_filing, genai_registration, genai_none or null")
    basis: tuple[Citation, ...]
    rules: tuple[str, ...]
    filing_due: FilingDueRow | None
    filed: FiledRef | None


class ObligationRow(StrictModel):
    """A duty that applies here: what it applies to and when; what it is: catalogue.duties[id]."""

    id: str
    applies_to: int = Field(description="What it applies to: the position of a set in targets")
    rules: tuple[str, ...]
    working_days: int | None = Field(
        description="The working days of its deadline in force on filing.as_of (the deadline's text: "
                    "catalogue.duties[id].deadline); null when it has no deadline or none counted in days")
    due: tuple[DueDate, ...] = Field(description="Due dates from the answers' dates")


class MaterialRow(StrictModel):
    """An item of the checklist needed here, and for what; what it is: catalogue.materials[id]."""

    id: str
    applies_to: int = Field(description="What it is needed for: the position of a set in targets")
    rules: tuple[str, ...]


class StepRow(StrictModel):
    """A step of the filing process that applies; what it is: catalogue.steps[id]."""

    id: str
    working_days: int | None = Field(
        description="Its statutory working days in force on filing.as_of; null when the statute sets none")
    dates: tuple[StepDates, ...] = Field(description="The step on the calendar, per product")


class DisplayRow(StrictModel):
    """Where one product shows the filing number: catalogue.display[form] (the form's label:
    catalogue.labels.product_form, absent for a place that is not a product form)."""

    product: str = Field(description="The product's name")
    form: str


class OpenQuestionRow(StrictModel):
    """An answer still needed; the question is catalogue.questions[rule]."""

    id: str
    field: str = Field(description="The path of the answer it asks for")
    product: str | None
    feature: str | None
    rule: str


class AnswerRow(StrictModel):
    """One answer a trace row used: its path in the answers and its value."""

    path: str
    value: Any


class TraceRow(StrictModel):
    """One rule firing; every number is a position in a list of ``trace``."""

    rule: int = Field(description="The rule that fired: a position in trace.rules")
    fact: str = Field(description="The fact it fired on (p<product>.f<feature>.b<behaviour>, …)")
    via: tuple[int, ...] = Field(description="The rules that derived the fact (classification, then "
                                             "applicability), whose answers are included: positions in trace.rules")
    answers: int = Field(description="The answers that made it fire: a position in trace.answer_sets")
    conclusions: tuple[int, ...] = Field(
        description="What the firing added: positions in trace.conclusions")


class Trace(StrictModel):
    """Every rule firing, with what it concluded and the answers it used: each rule, conclusion,
    answer and set of answers is listed once, and the rows point to them by position (0 = first)."""

    rules: tuple[str, ...] = Field(description="Rule ids, each once")
    conclusions: tuple[str, ...] = Field(
        description="Conclusions, each once: algorithms.<id>, obligations.<id>, filing.status.<status>, "
                    "classify.<behaviour>…")
    answers: tuple[AnswerRow, ...] = Field(description="Every answer a row used, each path once")
    answer_sets: tuple[tuple[int, ...], ...] = Field(
        description="Sets of answers used together, each once: positions in trace.answers")
    rows: tuple[TraceRow, ...] = Field(description="The firings, in the assessment's order")


class CompactAssessment(StrictModel):
    """The assessment as JSON (schema 5.0): what it concluded, pointing by id to the rulebook
    catalogue of its rules_version (or to the catalogue section, when embedded)."""

    schema_version: Literal["5.0"] = Field(
        default=SCHEMA_VERSION, description="Version of this JSON contract (see CHANGELOG.md)")
    rules_version: str = Field(
        description="The rulebook the assessment was made with: release and content hash. Its catalogue "
                    "(algo-filing rules --format catalogue, GET /v1/catalogue) holds every text an id points to")
    filing: FilingRow
    algorithms: tuple[AlgorithmRow, ...]
    laws: tuple[str, ...] = Field(description="The laws cited: ids of catalogue.laws, in the rulebook's order")
    targets: tuple[tuple[Target, ...], ...] = Field(
        description="Each distinct set of targets (the entity, a product, an algorithm) once: what "
                    "obligations[].applies_to and materials[].applies_to point to")
    obligations: tuple[ObligationRow, ...]
    materials: tuple[MaterialRow, ...]
    steps: tuple[StepRow, ...]
    display: tuple[DisplayRow, ...]
    open_questions: tuple[OpenQuestionRow, ...]
    trace: Trace
    catalogue: Catalogue | None = Field(
        default=None, description="Only when written with catalogue=embed: the catalogue entries the rows "
                                  "point to, so that the file reads without its rulebook")


LABEL_GROUPS = ("applicability", "algorithm_type", "algorithm_subtype", "role", "no_filing_role", "genai_route",
                "product_form")
"""The vocabulary groups whose labels an assessment shows."""


class CatalogueConflict(ValueError):
    """One id with two different texts in one assessment: the catalogue could not stay lossless."""


def _put(table: dict[str, Any], key: str, value: Any, where: str) -> None:
    """Record ``value`` under ``key``; the same key must always carry the same value."""
    found = table.setdefault(key, value)
    if found is not value and found != value:
        raise CatalogueConflict(f"{where}: '{key}' has two different values in one assessment")


_NOTES: dict[tuple[str, str, str | None, str, str], dict[str, Any]] = {}
"""Each reference as :class:`Citation` data, per law, article and citation: the same few dozen
recur in every assessment (a law's name is part of the key: its citation text is)."""


def _citation(law: Any, ref: LegalRef) -> dict[str, Any]:
    """``ref`` as :class:`Citation` data: the note is the citation less what :func:`cite` gives
    without one (whose brackets are :func:`cite`'s too); checked by citing again."""
    key = (ref.law, law.short.zh + law.short.en, ref.article, ref.citation.zh, ref.citation.en)
    found = _NOTES.get(key)
    if found is None:
        citation = {"zh": ref.citation.zh, "en": ref.citation.en}
        plain = {lang: cite(law.short, law.statutory, ref.article, None, lang) for lang in ("zh", "en")}
        note = None
        if citation != plain:
            note = Text(zh=ref.citation.zh[len(plain["zh"]) + 1:-1], en=ref.citation.en[len(plain["en"]) + 2:-1])
            again = {lang: cite(law.short, law.statutory, ref.article, note, lang) for lang in ("zh", "en")}
            if again != citation:
                raise CatalogueConflict(f"the citation {citation} is not how catalogue.laws cites {law.id}")
        found = _NOTES[key] = {"law": ref.law, "article": ref.article, "note": note}
    return found


def _cited(laws: dict[str, Any], basis: Iterable[LegalRef]) -> list[dict[str, Any]]:
    return [_citation(laws[ref.law], ref) for ref in basis]


def _fields(item: Any, names: Iterable[str]) -> dict[str, Any]:
    """The named attributes of a model, as data for the serialiser (nested models stay models)."""
    return {name: getattr(item, name) for name in names}


# ---------------------------------------------------------------- catalogue entries from data

def _duty_entry(o: Any, basis: list[dict[str, Any]]) -> dict[str, Any]:
    deadline = o.deadline
    return {"title": o.title, "basis_kind": o.basis_kind, "basis": basis,
            "deadline": None if deadline is None else {"text": deadline.text, "start": deadline.start},
            "files_algorithm": o.files_algorithm, "binds": o.binds}


def _material_entry(m: Any, pitfalls: Sequence[PitfallOut]) -> dict[str, Any]:
    return {"name": m.name, "group": m.group, "scope": m.scope, "contents": m.contents, "condition": m.condition,
            "basis_kind": m.basis_kind, "pitfalls": pitfalls}


def _law_entry(law: Any) -> dict[str, Any]:
    return {"title": law.title, "short": law.short, "in_force": law.in_force, "statutory": law.statutory}


def _rule_entry(r: Any, basis: list[dict[str, Any]]) -> dict[str, Any]:
    return {"title": r.title, "explanation": r.explanation, "basis_kind": r.basis_kind, "basis": basis}


def _step_entry(s: Any) -> dict[str, Any]:
    d = s.duration
    return {"order": s.order, "title": s.title, "what": s.what, "statute": s.statute,
            "practice_min_days": d.practice_min_days, "practice_max_days": d.practice_max_days,
            "practice_text": d.practice_text}


# ---------------------------------------------------------------- writing

class _Writer:
    """Builds the rows from the assessment's models. The serialiser writes the models left inside
    (targets, dates, texts) itself, so nothing is dumped twice."""

    def __init__(self, assessment: Assessment) -> None:
        self.laws = {law.id: law for law in assessment.laws}
        self.targets: dict[tuple[Target, ...], int] = {}
        self.target_ids: dict[int, int] = {}

    def cited(self, basis: tuple[LegalRef, ...]) -> list[dict[str, Any]]:
        return _cited(self.laws, basis)

    def filing(self, f: FilingConclusion) -> dict[str, Any]:
        out = _fields(f, FilingRow.model_fields)
        out["reasons"] = [{"rule": r.rule, "status": r.status, "products": r.products} for r in f.reasons]
        out["counts"] = [{"status": c.status, "count": c.count} for c in f.counts]
        if f.next_due is not None:
            out["next_due"] = _fields(f.next_due, NextDueRow.model_fields)
        out["actions"] = [_fields(a, ActionRow.model_fields) for a in f.actions]
        return out

    def algorithm(self, a: Algorithm) -> dict[str, Any]:
        return {**_fields(a, AlgorithmRow.model_fields), "basis": self.cited(a.basis)}

    def target_set(self, targets: tuple[Target, ...]) -> int:
        """The position of ``targets`` in the document's list of target sets (added when new)."""
        index = self.target_ids.get(id(targets))
        if index is None:
            index = self.targets.setdefault(targets, len(self.targets))
            self.target_ids[id(targets)] = index
        return index

    def obligation(self, o: ObligationOut) -> dict[str, Any]:
        return {"id": o.id, "applies_to": self.target_set(o.applies_to), "rules": o.rules,
                "working_days": None if o.deadline is None else o.deadline.working_days, "due": o.due}

    def material(self, m: MaterialOut) -> dict[str, Any]:
        return {"id": m.id, "applies_to": self.target_set(m.applies_to), "rules": m.rules}


class TraceTables:
    """The trace as the JSON contract writes it (:class:`Trace` data): each rule, conclusion, answer
    and set of answers listed once, in the order first met, and rows pointing to them by position.

    Filled row by row, from an assessment's entries (:func:`_trace`) or straight from assembly
    (:meth:`engine.pipeline.trace.Tracer.compact`, for the one-line JSON), with the same result."""

    def __init__(self) -> None:
        self.rules: dict[str, int] = {}
        self.conclusions: dict[str, int] = {}
        self.answers: dict[str, int] = {}
        self.values: list[dict[str, Any]] = []
        self.sets: dict[tuple[int, ...], int] = {}
        self.rows: list[dict[str, Any]] = []
        self._by_id: dict[int, tuple[tuple[str, ...], list[int]]] = {}
        """Per tuple of conclusions or rules, by identity (rows share them), its positions; the entry
        keeps the tuple, so that no other object takes its id meanwhile."""

    def answer_set(self, answers: Iterable[tuple[str, Any]]) -> int:
        """The position of a set of answers (``(path, value)`` in path order), each path added once."""
        positions = []
        for path, value in answers:
            at = self.answers.get(path)
            if at is None:
                at = self.answers[path] = len(self.values)
                self.values.append({"path": path, "value": value})
            elif self.values[at]["value"] != value:
                raise CatalogueConflict(f"trace.answers: '{path}' has two different values in one assessment")
            positions.append(at)
        return self.sets.setdefault(tuple(positions), len(self.sets))

    def row(self, rule: str, fact: str, via: tuple[str, ...], answer_set: int, conclusions: tuple[str, ...]) -> None:
        """One row: the derivation's and the rule's positions are taken in that order, as always."""
        concluded = self._positions(conclusions, self.conclusions)
        chain = self._positions(via, self.rules)
        at = self.rules.get(rule)
        if at is None:
            at = self.rules[rule] = len(self.rules)
        self.rows.append({"rule": at, "fact": fact, "via": chain, "answers": answer_set, "conclusions": concluded})

    def _positions(self, names: tuple[str, ...], table: dict[str, int]) -> list[int]:
        found = self._by_id.get(id(names))
        if found is None:
            found = self._by_id[id(names)] = (names, [table.setdefault(n, len(table)) for n in names])
        return found[1]

    def data(self) -> dict[str, Any]:
        return {"rules": list(self.rules), "conclusions": list(self.conclusions), "answers": self.values,
                "answer_sets": list(self.sets), "rows": self.rows}


def _trace(entries: tuple[TraceEntry, ...]) -> dict[str, Any]:
    """The trace as :class:`Trace` data: each rule, conclusion, answer and set of answers once."""
    tables = TraceTables()
    by_answers: dict[int, int] = {}
    """Per tuple of answers (by identity: entries on one fact share it, and the assessment keeps
    it alive), its position in the sets."""
    for t in entries:
        answer_set = by_answers.get(id(t.answers))
        if answer_set is None:
            answer_set = by_answers[id(t.answers)] = tables.answer_set((a.path, a.value) for a in t.answers)
        tables.row(t.rule, t.fact, t.via, answer_set, t.conclusions)
    return tables.data()


def _labels(a: Assessment) -> dict[str, dict[str, Text]]:
    """The labels an assessment shows, by vocabulary group and id."""
    labels: dict[str, dict[str, Text]] = {}

    def label(group: str, key: str, text: Text) -> None:
        _put(labels.setdefault(group, {}), key, text, f"catalogue.labels.{group}")

    label("applicability", a.filing.status, a.filing.label)
    for count in a.filing.counts:
        label("applicability", count.status, count.label)
    for x in a.algorithms:
        for field, group in LABELLED:
            value = getattr(x, field)
            if value is not None:
                label(group, value, getattr(x, f"{field}_label"))
        if x.role is None:
            label("no_filing_role", "none", x.role_label)
        else:
            label("role", x.role, x.role_label)
    for d in a.display:
        if d.form_label is not None:
            label("product_form", d.form, d.form_label)
    return labels


def embedded_catalogue(assessment: Assessment) -> dict[str, Any]:
    """The catalogue entries an assessment's rows point to, as :class:`Catalogue` data, taken from
    the assessment itself (so any assessment, whatever rulebook made it, can be embedded)."""
    a = assessment
    f = a.filing
    laws = {law.id: law for law in a.laws}
    rules: dict[str, Any] = {}
    for r in f.reasons:
        _put(rules, r.rule, _rule_entry(r, _cited(laws, r.basis)), "catalogue.rules")
    display: dict[str, Any] = {}
    for d in a.display:
        _put(display, d.form, {"location": d.location, "basis": _cited(laws, d.basis)}, "catalogue.display")
    questions: dict[str, Any] = {}
    for q in a.open_questions:
        _put(questions, q.rule, q.question, "catalogue.questions")
    return {
        "rules_version": a.rules_version,
        "labels": _labels(a),
        "laws": {law.id: _law_entry(law) for law in a.laws},
        "duties": {o.id: _duty_entry(o, _cited(laws, o.basis)) for o in a.obligations},
        "materials": {m.id: _material_entry(m, m.pitfalls) for m in a.materials},
        "rules": rules,
        "steps": {s.id: _step_entry(s) for s in a.steps},
        "display": display,
        "questions": questions,
    }


def contract_data(assessment: Assessment, *, catalogue: CatalogueMode = "ids",
                  trace: dict[str, Any] | None = None) -> dict[str, Any]:
    """The assessment as the data of :class:`CompactAssessment` (keys in its field order), for the
    serialiser: plain containers holding the assessment's own models where they are kept whole.
    ``catalogue="embed"`` adds the catalogue entries the rows point to."""
    a = assessment
    w = _Writer(a)
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "rules_version": a.rules_version,
        "filing": w.filing(a.filing),
        "algorithms": [w.algorithm(x) for x in a.algorithms],
        "laws": [law.id for law in a.laws],
        "targets": None,
        "obligations": [w.obligation(o) for o in a.obligations],
        "materials": [w.material(m) for m in a.materials],
        "steps": [{"id": s.id, "working_days": s.duration.statutory_working_days, "dates": s.dates}
                  for s in a.steps],
        "display": [{"product": d.product, "form": d.form} for d in a.display],
        "open_questions": [{"id": q.id, "field": q.field, "product": q.product, "feature": q.feature,
                            "rule": q.rule} for q in a.open_questions],
        "trace": _trace(a.trace) if trace is None else trace,
    }
    data["targets"] = list(w.targets)
    if catalogue == "embed":
        data["catalogue"] = embedded_catalogue(a)
    elif catalogue != "ids":
        raise ValueError(f"catalogue must be one of {', '.join(CATALOGUE_MODES)}, not {catalogue!r}")
    return data


def contract_json(assessment: Assessment, *, indent: int | None = 2, catalogue: CatalogueMode = "ids",
                  trace: dict[str, Any] | None = None) -> str:
    """The assessment's JSON text: with ``indent`` (files, ``assess --format json``) laid out one row
    per line (:func:`rows_per_line`) and ending in a newline; with ``indent=None`` (the service,
    batch lines) on one line. ``catalogue="embed"`` also writes the catalogue entries the rows point to.
    ``trace`` is the trace's data when assembly made it apart (``assemble_compact``), else it is
    written from ``assessment.trace``."""
    data = contract_data(assessment, catalogue=catalogue, trace=trace)
    if indent is None:
        return to_json(data).decode()
    return rows_per_line(data, indent) + "\n"


ROW_DEPTH = 2
"""Objects nested up to this depth (the document, its sections such as ``filing`` and ``trace``, and
their parts such as ``filing.calendar`` or ``catalogue.duties``) get a line per key; a list inside
them gets a line per item, written on one line."""


def rows_per_line(data: Any, indent: int = 2, depth: int = 0) -> str:
    """JSON text with one row per line: objects down to :data:`ROW_DEPTH` are indented by ``indent``
    spaces a level, and every item of a list in them (an algorithm, a duty, a trace row) is on a
    line of its own. A person reads it like a fully indented file, a diff or ``grep`` shows whole
    rows, and it is about the size of the one-line JSON: fully indented, short_video_live's
    assessment was twice that (103,589 bytes against 51,540)."""
    pad = " " * (indent * (depth + 1))
    if isinstance(data, dict) and data and depth <= ROW_DEPTH:
        lines = [f"{pad}{json.dumps(key, ensure_ascii=False)}: {rows_per_line(value, indent, depth + 1)}"
                 for key, value in data.items()]
        return "{\n" + ",\n".join(lines) + "\n" + pad[indent:] + "}"
    if isinstance(data, list) and data and depth <= ROW_DEPTH:
        return "[\n" + ",\n".join(pad + to_json(item).decode() for item in data) + "\n" + pad[indent:] + "]"
    return to_json(data).decode()


# ---------------------------------------------------------------- the rulebook's catalogue

_BOOK_CATALOGUES: dict[str, tuple[Any, dict[str, Any], Catalogue, bytes]] = {}
"""Per rules version: the rulebook object, its catalogue's data, model and one-line JSON."""


def _book_catalogue(book: Any = None) -> tuple[dict[str, Any], Catalogue, bytes]:
    from engine.model.vocabulary import load_vocabulary
    from engine.pipeline.citations import legal_refs
    from engine.rules.rulebook import default_rulebook

    book = book or default_rulebook()
    found = _BOOK_CATALOGUES.get(book.rules_version)
    if found is not None and found[0] is book:
        return found[1], found[2], found[3]
    groups = load_vocabulary().groups
    laws = book.laws

    def cited(basis: list[Any]) -> list[dict[str, Any]]:
        return _cited(laws, legal_refs(book, basis))

    data = {
        "rules_version": book.rules_version,
        "labels": {group: dict(groups.get(group, {})) for group in LABEL_GROUPS},
        "laws": {law_id: _law_entry(law) for law_id, law in laws.items()},
        "duties": {oid: _duty_entry(o, cited(o.basis)) for oid, o in book.obligations.items()},
        "materials": {mid: _material_entry(m, tuple(PitfallOut(id=p, text=book.pitfalls[p].text)
                                                    for p in m.pitfalls))
                      for mid, m in book.materials.items()},
        "rules": {rid: _rule_entry(r, cited(r.basis)) for rid, r in book.rules.items()},
        "steps": {sid: _step_entry(s) for sid, s in book.steps.items()},
        "display": {form: {"location": d.location, "basis": cited(d.basis)} for form, d in book.display.items()},
        "questions": {rid: r.then.open_question.text for rid, r in book.rules.items()
                      if r.then.open_question is not None},
    }
    text = to_json(data)
    model = Catalogue.model_validate_json(text)
    _BOOK_CATALOGUES[book.rules_version] = (book, data, model, text)
    return data, model, text


def rulebook_catalogue(book: Any = None) -> Catalogue:
    """The catalogue of a rulebook (the installed one by default): every text an assessment made
    with it may point to, both languages (``algo-filing rules --format catalogue``, ``GET /v1/catalogue``)."""
    return _book_catalogue(book)[1]


def catalogue_json(book: Any = None, *, indent: int | None = 2) -> str:
    """:func:`rulebook_catalogue` as JSON text (two-space indented with a final newline, or one line)."""
    data, _, line = _book_catalogue(book)
    if indent is None:
        return line.decode()
    return to_json(data, indent=indent).decode() + "\n"


def catalogue_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the rulebook catalogue."""
    return Catalogue.model_json_schema()


# ---------------------------------------------------------------- reading

class CatalogueMissing(ValueError):
    """A document without a catalogue, made with a rulebook other than the installed one."""

    def __init__(self, written: str, installed: str) -> None:
        super().__init__(
            f"made with rules_version {written}, whose texts it does not embed, and the installed rulebook is "
            f"rules_version {installed}")
        self.written, self.installed = written, installed


def _position(items: Sequence[Any], index: int, where: str, used_at: str) -> Any:
    if 0 <= index < len(items):
        return items[index]
    raise UnresolvedId(f"{used_at} points to position {index}, which {where} does not hold ({len(items)} items)")


class _Reader(CatalogueReader):
    """Puts the catalogue's texts back on the rows of a :class:`CompactAssessment`."""

    def __init__(self, doc: CompactAssessment, catalogue: Catalogue) -> None:
        super().__init__(catalogue)
        self.doc = doc
        self.catalogue: Catalogue = catalogue

    def duty(self, key: str, used_at: str) -> DutyEntry:
        found: DutyEntry = self._get(self.catalogue.duties, key, "catalogue.duties", used_at)
        return found

    def step(self, key: str, used_at: str) -> StepEntry:
        found: StepEntry = self._get(self.catalogue.steps, key, "catalogue.steps", used_at)
        return found

    def filing(self) -> FilingConclusion:
        f = self.doc.filing
        next_due = None
        if f.next_due is not None:
            duty = self.duty(f.next_due.obligation, "filing.next_due.obligation")
            next_due = NextDue(obligation=f.next_due.obligation, title=duty.title,
                               basis=self.refs(duty.basis, "filing.next_due"),
                               due=f.next_due.due, basis_kind=f.next_due.basis_kind)
        actions = []
        for i, a in enumerate(f.actions):
            where = f"filing.actions[{i}].id"
            title = self.duty(a.id, where).title if a.kind == "obligation" else self.step(a.id, where).title
            actions.append(Action(title=title, **a.model_dump()))
        counts = tuple(StatusCount(status=c.status, count=c.count,
                                   label=self.label("applicability", c.status, f"filing.counts[{i}].status"))
                       for i, c in enumerate(f.counts))
        reasons = []
        for i, r in enumerate(f.reasons):
            rule: RuleEntry = self._get(self.catalogue.rules, r.rule, "catalogue.rules", f"filing.reasons[{i}].rule")
            reasons.append(Reason(rule=r.rule, status=r.status, title=rule.title, explanation=rule.explanation,
                                  basis_kind=rule.basis_kind, basis=self.refs(rule.basis, f"catalogue.rules.{r.rule}"),
                                  products=r.products))
        return FilingConclusion(status=f.status, label=self.label("applicability", f.status, "filing.status"),
                                as_of=f.as_of, counts=counts, calendar=f.calendar, reasons=tuple(reasons),
                                next_due=next_due, actions=tuple(actions), no_due=f.no_due)

    def algorithm(self, i: int, a: AlgorithmRow) -> dict[str, Any]:
        where = f"algorithms[{i}]"
        out: dict[str, Any] = a.model_dump()
        for field, group in LABELLED:
            value = getattr(a, field)
            out[f"{field}_label"] = None if value is None else self.label(group, value, f"{where}.{field}")
        out["role_label"] = (self.label("no_filing_role", "none", f"{where}.role") if a.role is None
                             else self.label("role", a.role, f"{where}.role"))
        out["basis"] = self.refs(a.basis, where)
        return out

    def targets(self, index: int, used_at: str) -> tuple[Target, ...]:
        found: tuple[Target, ...] = _position(self.doc.targets, index, "targets", used_at)
        return found

    def obligation(self, i: int, o: ObligationRow) -> ObligationOut:
        duty = self.duty(o.id, f"obligations[{i}].id")
        deadline = None
        if duty.deadline is not None:
            deadline = Deadline(text=duty.deadline.text, working_days=o.working_days, start=duty.deadline.start)
        return ObligationOut(id=o.id, title=duty.title, basis_kind=duty.basis_kind,
                             basis=self.refs(duty.basis, f"catalogue.duties.{o.id}"), deadline=deadline,
                             applies_to=self.targets(o.applies_to, f"obligations[{i}].applies_to"), rules=o.rules,
                             files_algorithm=duty.files_algorithm, binds=duty.binds, due=o.due)

    def material(self, i: int, m: MaterialRow) -> MaterialOut:
        entry: MaterialEntry = self._get(self.catalogue.materials, m.id, "catalogue.materials",
                                         f"materials[{i}].id")
        return MaterialOut(id=m.id, applies_to=self.targets(m.applies_to, f"materials[{i}].applies_to"),
                           rules=m.rules, **dict(entry))

    def step_out(self, i: int, s: StepRow) -> StepOut:
        e = self.step(s.id, f"steps[{i}].id")
        return StepOut(id=s.id, order=e.order, title=e.title, what=e.what, statute=e.statute,
                       duration=DurationOut(statutory_working_days=s.working_days,
                                            practice_min_days=e.practice_min_days,
                                            practice_max_days=e.practice_max_days, practice_text=e.practice_text),
                       dates=s.dates)

    def display(self, i: int, d: DisplayRow) -> DisplayOut:
        e: DisplayEntry = self._get(self.catalogue.display, d.form, "catalogue.display", f"display[{i}].form")
        return DisplayOut(product=d.product, form=d.form, location=e.location,
                          basis=self.refs(e.basis, f"catalogue.display.{d.form}"),
                          form_label=self.catalogue.labels.get("product_form", {}).get(d.form))

    def question(self, i: int, q: OpenQuestionRow) -> OpenQuestion:
        text: Text = self._get(self.catalogue.questions, q.rule, "catalogue.questions", f"open_questions[{i}].rule")
        return OpenQuestion(id=q.id, field=q.field, product=q.product, feature=q.feature, question=text, rule=q.rule)

    def law(self, i: int, law_id: str) -> LawOut:
        e: LawEntry = self._get(self.catalogue.laws, law_id, "catalogue.laws", f"laws[{i}]")
        return LawOut(id=law_id, **dict(e))

    def trace(self) -> list[TraceEntry]:
        t = self.doc.trace
        answers = t.answers
        sets = [tuple(_position(answers, j, "trace.answers", f"trace.answer_sets[{i}]") for j in s)
                for i, s in enumerate(t.answer_sets)]
        out = []
        for i, row in enumerate(t.rows):
            where = f"trace.rows[{i}]"
            out.append(TraceEntry.model_validate({
                "conclusions": tuple(_position(t.conclusions, c, "trace.conclusions", f"{where}.conclusions")
                                     for c in row.conclusions),
                "rule": _position(t.rules, row.rule, "trace.rules", f"{where}.rule"),
                "fact": row.fact,
                "via": tuple(_position(t.rules, v, "trace.rules", f"{where}.via") for v in row.via),
                "answers": tuple(dict(a) for a in _position(sets, row.answers, "trace.answer_sets",
                                                            f"{where}.answers")),
            }))
        return out


def resolve(doc: CompactAssessment, catalogue: Catalogue | None = None) -> Assessment:
    """The assessment a :class:`CompactAssessment` stands for: every row with its texts again, from
    ``catalogue``, else the document's own, else the installed rulebook's (when its rules_version
    is the document's).

    Raises :class:`UnresolvedId` (naming the row and the list or catalogue section) when a row
    points to an id or position that is not there, as a hand-edited file may; :class:`CatalogueMissing`
    when no catalogue of the document's rules_version is at hand.
    """
    if catalogue is None:
        catalogue = doc.catalogue
    if catalogue is None:
        catalogue = rulebook_catalogue()
        if catalogue.rules_version != doc.rules_version:
            raise CatalogueMissing(doc.rules_version, catalogue.rules_version)
    r = _Reader(doc, catalogue)
    return Assessment.model_validate({
        "filing": r.filing(),
        "algorithms": [r.algorithm(i, a) for i, a in enumerate(doc.algorithms)],
        "obligations": [r.obligation(i, o) for i, o in enumerate(doc.obligations)],
        "materials": [r.material(i, m) for i, m in enumerate(doc.materials)],
        "steps": [r.step_out(i, s) for i, s in enumerate(doc.steps)],
        "display": [r.display(i, x) for i, x in enumerate(doc.display)],
        "open_questions": [r.question(i, q) for i, q in enumerate(doc.open_questions)],
        "laws": [r.law(i, law) for i, law in enumerate(doc.laws)], "rules_version": doc.rules_version,
        "trace": r.trace(),
    })


READS = ("3.0", contract_v4.SCHEMA_VERSION, SCHEMA_VERSION)
"""The schema versions :func:`read_assessment` reads: 3.0 is the resolved layout itself, 4.0 embeds
its texts (:mod:`engine.model.contract_v4`)."""


class AssessmentFileError(EngineError):
    """A saved assessment that cannot be read: not JSON, another schema version, a broken row, or
    texts neither embedded nor those of the installed rulebook."""


def read_assessment(text: str | bytes, *, file: str | None = None) -> Assessment:
    """A saved assessment (JSON of schema 5.0, 4.0 or 3.0) as the model the renderers read. Anything
    else is refused with one message naming the file and the field."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AssessmentFileError(f"not JSON ({exc})", file=file, hint="give the JSON an assessment was saved as") \
            from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in READS:
        found = "no schema_version" if version is None else f"schema_version {json.dumps(version)}"
        raise AssessmentFileError(f"{found}: this version reads assessments of schema {', '.join(READS)}",
                                  file=file, key="schema_version",
                                  hint="assess the answers again to get a current assessment")
    try:
        if version == SCHEMA_VERSION:
            return resolve(CompactAssessment.model_validate(data))
        if version == contract_v4.SCHEMA_VERSION:
            return contract_v4.resolve(contract_v4.CompactAssessment.model_validate(data))
        return Assessment.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise AssessmentFileError(first["msg"] + more, file=file, key=where,
                                  hint=f"a schema {version} assessment as algo-filing writes it") from None
    except UnresolvedId as exc:
        raise AssessmentFileError(str(exc), file=file, hint="the catalogue must hold every id a row names") from None
    except CatalogueMissing as exc:
        raise AssessmentFileError(str(exc), file=file, key="rules_version",
                                  hint="assess the answers again with this version, or save assessments with "
                                       "--catalogue embed so that they read with any version") from None


def compact_json_schema() -> dict[str, Any]:
    """The published JSON Schema of an assessment (schema 5.0)."""
    return CompactAssessment.model_json_schema()


__all__ = ["CATALOGUE_MODES", "READS", "SCHEMA_VERSION", "AssessmentFileError", "Catalogue", "CatalogueConflict",
           "CatalogueMissing", "CatalogueMode", "CompactAssessment", "UnresolvedId", "catalogue_json",
           "catalogue_json_schema", "compact_json_schema", "contract_data", "contract_json", "embedded_catalogue",
           "read_assessment", "resolve", "rulebook_catalogue"]
