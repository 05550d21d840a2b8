"""The JSON contract of schema 4.0, kept so that files saved by earlier versions still read
(:func:`engine.model.contract_json.read_assessment` resolves them here). Only reading ships: the
tests write 4.0 files with ``tests/contract_v4_writer.py``.

Schema 4.0: every text once in the assessment, rows pointing to it by id.

In memory an assessment (:class:`~engine.model.assessment.Assessment`) carries on each row what a
report shows of it: a duty's title, basis and deadline on its obligation, a label beside every id,
the value of every answer on each trace entry that used it. Written out like that, the same texts
came back on every row that named them (411 KB for ``examples/short_video_live.yaml``). The
contract therefore keeps each text once, in a ``catalogue`` section keyed by stable ids:

- ``duties`` and ``materials`` by their catalogue id (``rules/catalogue/``): what a duty or
  material *is* (title, basis, deadline, contents, pitfalls…); the rows of ``obligations`` and
  ``materials`` keep what this assessment adds (targets, rules, due dates);
- ``laws`` by law id, in the rulebook's order;
- ``labels`` by vocabulary group and id (``rules/vocabulary.yaml``): the labels of statuses,
  algorithm types, subtypes, roles, generative-AI routes and product forms; the rows keep the ids;
- ``answers`` by path: the value of every answer the trace names; a trace entry lists the paths.

:func:`resolve` reads that document back into the assessment, field for field
(``tests/test_contract_json.py`` writes one and checks it), so the renderers show the same bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from engine.model.assessment import (
    Action,
    AlgorithmType,
    Assessment,
    BasisKind,
    CalendarInfo,
    Deadline,
    DisplayOut,
    DueDate,
    FeatureRef,
    FiledRef,
    FilingConclusion,
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
    StepOut,
    Subtype,
    Target,
    TraceEntry,
)
from engine.model.base import StrictModel, Text
from engine.model.contract_reading import LABELLED, CatalogueReader, UnresolvedId

SCHEMA_VERSION: Literal["4.0"] = "4.0"
"""Version of the JSON contract (see CHANGELOG.md): 4.0 introduced the catalogue section."""

class Citation(StrictModel):
    """A legal reference: the law (catalogue.laws), the article and the rule's note on it. Its
    citation text is drawn from the law's ``short`` name: ``《算法推荐管理规定》第24条（note）`` /
    ``Algorithm Recommendation Provisions, Art. 24 (note)``; a non-statutory source by its name."""

    law: str = Field(description="A law id of catalogue.laws")
    article: str | None
    note: Text | None = Field(description="What the reference adds to the article (a paragraph, a reading)")


class ReasonRow(StrictModel):
    """Why the filing status is what it is: a rule that fired, and for which products."""

    rule: str
    status: Status
    title: Text
    explanation: Text
    basis_kind: BasisKind
    basis: tuple[Citation, ...]
    products: tuple[str, ...]


class DutyEntry(StrictModel):
    """What a duty is, whatever it applies to: the catalogue's text of one obligation id."""

    title: Text
    basis_kind: BasisKind
    basis: tuple[Citation, ...]
    deadline: Deadline | None
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
    """A law the assessment cites, as the rulebook it was made with describes it."""

    title: Text
    short: Text = Field(description="The name used in citations")
    in_force: dt.date | None
    statutory: bool = Field(description="False for non-statutory sources such as filing practice")


class Catalogue(StrictModel):
    """Every text the rows point to, once, keyed by stable id."""

    labels: dict[str, dict[str, Text]] = Field(
        description="Labels by vocabulary group and id: applicability (statuses), algorithm_type, "
                    "algorithm_subtype, role, no_filing_role (id none: a type the filing system asks no role "
                    "for), genai_route, product_form")
    laws: dict[str, LawEntry] = Field(description="Every law cited, by law id, in the rulebook's order")
    duties: dict[str, DutyEntry] = Field(description="Every duty of obligations[], by its id")
    materials: dict[str, MaterialEntry] = Field(description="Every item of materials[], by its id")
    answers: dict[str, Any] = Field(description="The value of every answer the trace names, by its path")


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
    """A dated thing to do; its title is catalogue.duties[id]'s (kind obligation) or steps[id]'s (step)."""

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
    applies_to: tuple[Target, ...]
    rules: tuple[str, ...]
    due: tuple[DueDate, ...] = Field(description="Due dates from the answers' dates")


class MaterialRow(StrictModel):
    """An item of the checklist needed here, and for what; what it is: catalogue.materials[id]."""

    id: str
    applies_to: tuple[Target, ...]
    rules: tuple[str, ...]


class DisplayRow(StrictModel):
    """Where one product shows the filing number (the form's label: catalogue.labels.product_form)."""

    product: str
    form: str
    location: Text
    basis: tuple[Citation, ...]


class TraceRow(StrictModel):
    """One rule firing; ``answers`` are paths, their values are in catalogue.answers."""

    conclusions: tuple[str, ...]
    rule: str
    fact: str
    via: tuple[str, ...]
    answers: tuple[str, ...]


class CompactAssessment(StrictModel):
    """The assessment as JSON (schema 4.0): rows pointing by id into one catalogue of texts."""

    schema_version: Literal["4.0"] = Field(
        default=SCHEMA_VERSION, description="Version of this JSON contract (see CHANGELOG.md)")
    filing: FilingRow
    algorithms: tuple[AlgorithmRow, ...]
    obligations: tuple[ObligationRow, ...]
    materials: tuple[MaterialRow, ...]
    steps: tuple[StepOut, ...]
    display: tuple[DisplayRow, ...]
    open_questions: tuple[OpenQuestion, ...]
    rules_version: str
    trace: tuple[TraceRow, ...]
    catalogue: Catalogue




class _Reader(CatalogueReader):
    """Puts the catalogue's texts back on the rows of a :class:`CompactAssessment`."""

    def __init__(self, doc: CompactAssessment) -> None:
        super().__init__(doc.catalogue)
        self.doc = doc
        self.catalogue: Catalogue = doc.catalogue

    def duty(self, key: str, used_at: str) -> DutyEntry:
        found: DutyEntry = self._get(self.catalogue.duties, key, "catalogue.duties", used_at)
        return found

    def filing(self) -> FilingConclusion:
        f = self.doc.filing
        steps = {s.id: s.title for s in self.doc.steps}
        next_due = None
        if f.next_due is not None:
            duty = self.duty(f.next_due.obligation, "filing.next_due.obligation")
            next_due = NextDue(obligation=f.next_due.obligation, title=duty.title,
                               basis=self.refs(duty.basis, "filing.next_due"),
                               due=f.next_due.due, basis_kind=f.next_due.basis_kind)
        actions = []
        for i, a in enumerate(f.actions):
            where = f"filing.actions[{i}].id"
            title = self.duty(a.id, where).title if a.kind == "obligation" else self._get(steps, a.id, "steps", where)
            actions.append(Action(title=title, **a.model_dump()))
        counts = tuple(StatusCount(status=c.status, count=c.count,
                                   label=self.label("applicability", c.status, f"filing.counts[{i}].status"))
                       for i, c in enumerate(f.counts))
        return FilingConclusion(status=f.status, label=self.label("applicability", f.status, "filing.status"),
                                as_of=f.as_of, counts=counts, calendar=f.calendar,
                                reasons=tuple(Reason(**{**dict(r), "basis": self.refs(r.basis, f"filing.reasons[{i}]")})
                                              for i, r in enumerate(f.reasons)),
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

    def obligation(self, i: int, o: ObligationRow) -> ObligationOut:
        duty = self.duty(o.id, f"obligations[{i}].id")
        return ObligationOut(id=o.id, applies_to=o.applies_to, rules=o.rules, due=o.due,
                             **{**dict(duty), "basis": self.refs(duty.basis, f"catalogue.duties.{o.id}")})

    def material(self, i: int, m: MaterialRow) -> MaterialOut:
        entry: MaterialEntry = self._get(self.catalogue.materials, m.id, "catalogue.materials",
                                         f"materials[{i}].id")
        return MaterialOut(id=m.id, applies_to=m.applies_to, rules=m.rules, **dict(entry))

    def display(self, i: int, d: DisplayRow) -> DisplayOut:
        return DisplayOut(product=d.product, form=d.form, location=d.location,
                          basis=self.refs(d.basis, f"display[{i}]"),
                          form_label=self.catalogue.labels.get("product_form", {}).get(d.form))

    def trace(self, i: int, t: TraceRow) -> TraceEntry:
        answers = tuple({"path": p, "value": self._get(self.catalogue.answers, p, "catalogue.answers",
                                                       f"trace[{i}].answers")} for p in t.answers)
        return TraceEntry.model_validate({**dict(t), "answers": answers})


def resolve(doc: CompactAssessment) -> Assessment:
    """The assessment a :class:`CompactAssessment` stands for: every row with its texts again.

    Raises :class:`UnresolvedId` (naming the row and the catalogue section) when a row points to
    an id the catalogue lacks, as a hand-edited file may.
    """
    r = _Reader(doc)
    laws = [{"id": key, **dict(law)} for key, law in doc.catalogue.laws.items()]
    return Assessment.model_validate({
        "filing": r.filing(),
        "algorithms": [r.algorithm(i, a) for i, a in enumerate(doc.algorithms)],
        "obligations": [r.obligation(i, o) for i, o in enumerate(doc.obligations)],
        "materials": [r.material(i, m) for i, m in enumerate(doc.materials)],
        "steps": doc.steps, "display": [r.display(i, x) for i, x in enumerate(doc.display)],
        "open_questions": doc.open_questions, "laws": laws, "rules_version": doc.rules_version,
        "trace": [r.trace(i, t) for i, t in enumerate(doc.trace)],
    })


__all__ = ["SCHEMA_VERSION", "CompactAssessment", "UnresolvedId", "resolve"]
