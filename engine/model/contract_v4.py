"""The JSON contract of schema 4.0, kept so that files saved by earlier versions still read
(:func:`engine.model.contract_json.read_assessment` resolves them here; tests write them here).

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

:func:`contract_json` writes that document and :func:`resolve` reads it back into the assessment,
field for field (``tests/test_contract_json.py`` checks every example and scenario), so the
renderers read exactly what they read before and show the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any, Literal

from pydantic import Field
from pydantic_core import to_json

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
    StepOut,
    Subtype,
    Target,
    TraceEntry,
)
from engine.model.base import StrictModel, Text, cite

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


DUTY_FIELDS = tuple(DutyEntry.model_fields)
MATERIAL_FIELDS = tuple(MaterialEntry.model_fields)
LABELLED = (("type", "algorithm_type"), ("subtype", "algorithm_subtype"), ("status", "applicability"),
            ("genai_route", "genai_route"))
"""Algorithm fields whose label is the vocabulary's (the role is apart: a null role has a label too)."""


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


def _citation(law: LawOut, ref: LegalRef) -> dict[str, Any]:
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


def _fields(item: Any, names: Iterable[str]) -> dict[str, Any]:
    """The named attributes of a model, as data for the serialiser (nested models stay models)."""
    return {name: getattr(item, name) for name in names}


_GETTERS: dict[tuple[str, ...], Callable[[Any], tuple[Any, ...]]] = {}


def _values(row: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The named attributes of ``row`` as a tuple (one C-level getter per list of names)."""
    getter = _GETTERS.get(names)
    if getter is None:
        get = attrgetter(*names)
        getter = _GETTERS[names] = (lambda row: (get(row),)) if len(names) == 1 else get
    return getter(row)


_Kept = dict[str, tuple[tuple[Any, ...], dict[str, Any]]]
_DUTIES: _Kept = {}
_MATERIALS: _Kept = {}
"""Per duty or material id, the catalogue entry last written, with the values (and the laws its
basis cites) it was written from: the rows of one rulebook carry the very same text objects, so
an entry is built once and reused while every value is the same object or an equal one."""


def _entry(table: _Kept, row: Any, names: tuple[str, ...], laws: tuple[LawOut, ...]) -> dict[str, Any] | None:
    """The entry kept for ``row``'s id, if it was written from the same values and laws (tuples
    compare each item by identity first, then by value)."""
    kept = table.get(row.id)
    if kept is None:
        return None
    values, entry = kept
    return entry if _values(row, names) + laws == values else None


def _keep(table: _Kept, row: Any, names: tuple[str, ...], laws: tuple[LawOut, ...],
          entry: dict[str, Any]) -> dict[str, Any]:
    table[row.id] = (_values(row, names) + laws, entry)
    return entry


_ABSENT = object()


class _Writer:
    """Builds the rows and the catalogue from the assessment's models. The serialiser writes the
    models left inside (targets, dates, texts) itself, so nothing is dumped twice."""

    def __init__(self, laws: tuple[LawOut, ...]) -> None:
        self.laws = {law.id: law for law in laws}
        self.labels: dict[str, dict[str, Text]] = {}
        self.duties: dict[str, Any] = {}
        self.materials: dict[str, Any] = {}
        self.answers: dict[str, Any] = {}
        self.paths: dict[int, list[str]] = {}
        """Per tuple of trace answers (by identity: the assessment keeps them alive), their paths."""

    def label(self, group: str, key: str, text: Text) -> None:
        _put(self.labels.setdefault(group, {}), key, text, f"catalogue.labels.{group}")

    def cited(self, basis: tuple[LegalRef, ...]) -> list[dict[str, Any]]:
        return [_citation(self.laws[ref.law], ref) for ref in basis]

    def filing(self, f: FilingConclusion) -> dict[str, Any]:
        self.label("applicability", f.status, f.label)
        for count in f.counts:
            self.label("applicability", count.status, count.label)
        out = _fields(f, FilingRow.model_fields)
        out["reasons"] = [{**_fields(r, ReasonRow.model_fields), "basis": self.cited(r.basis)} for r in f.reasons]
        out["counts"] = [{"status": c.status, "count": c.count} for c in f.counts]
        if f.next_due is not None:
            out["next_due"] = _fields(f.next_due, NextDueRow.model_fields)
        out["actions"] = [_fields(a, ActionRow.model_fields) for a in f.actions]
        return out

    def algorithm(self, a: Algorithm) -> dict[str, Any]:
        for field, group in LABELLED:
            value = getattr(a, field)
            if value is not None:
                self.label(group, value, getattr(a, f"{field}_label"))
        if a.role is None:
            self.label("no_filing_role", "none", a.role_label)
        else:
            self.label("role", a.role, a.role_label)
        return {**_fields(a, AlgorithmRow.model_fields), "basis": self.cited(a.basis)}

    def obligation(self, o: ObligationOut) -> dict[str, Any]:
        laws = tuple(self.laws[ref.law] for ref in o.basis)
        entry = _entry(_DUTIES, o, DUTY_FIELDS, laws)
        if entry is None:
            entry = _keep(_DUTIES, o, DUTY_FIELDS, laws, {**_fields(o, DUTY_FIELDS), "basis": self.cited(o.basis)})
        _put(self.duties, o.id, entry, "catalogue.duties")
        return {"id": o.id, "applies_to": o.applies_to, "rules": o.rules, "due": o.due}

    def material(self, m: MaterialOut) -> dict[str, Any]:
        entry = _entry(_MATERIALS, m, MATERIAL_FIELDS, ())
        if entry is None:
            entry = _keep(_MATERIALS, m, MATERIAL_FIELDS, (), _fields(m, MATERIAL_FIELDS))
        _put(self.materials, m.id, entry, "catalogue.materials")
        return {"id": m.id, "applies_to": m.applies_to, "rules": m.rules}

    def display(self, d: DisplayOut) -> dict[str, Any]:
        if d.form_label is not None:
            self.label("product_form", d.form, d.form_label)
        return {**_fields(d, DisplayRow.model_fields), "basis": self.cited(d.basis)}

    def trace(self, t: TraceEntry) -> dict[str, Any]:
        used_list = t.answers
        paths = self.paths.get(id(used_list))
        if paths is None:  # entries on one fact share their answers' tuple: each is written once
            table = self.answers
            paths = []
            for used in used_list:
                path, value = used.path, used.value
                found = table.get(path, _ABSENT)
                if found is _ABSENT:
                    table[path] = value
                elif found is not value and found != value:
                    _put(table, path, value, "catalogue.answers")
                paths.append(path)
            self.paths[id(used_list)] = paths
        return {"conclusions": t.conclusions, "rule": t.rule, "fact": t.fact, "via": t.via, "answers": paths}


_LAWS: dict[int, tuple[Any, Any]] = {}


def _law(law: LawOut) -> dict[str, Any]:
    """A law's catalogue entry, one object per law object (the rulebook's laws recur in every
    assessment, so :func:`_fragment` writes each once)."""
    entry: dict[str, Any] = _per_object(_LAWS, law, lambda: _fields(law, LawEntry.model_fields))
    return entry


def contract_data(assessment: Assessment) -> dict[str, Any]:
    """The assessment as the data of :class:`CompactAssessment` (keys in its field order), for the
    serialiser: plain containers holding the assessment's own models where they are kept whole."""
    a = assessment
    w = _Writer(a.laws)
    laws = {law.id: _law(law) for law in a.laws}
    return {
        "schema_version": SCHEMA_VERSION,
        "filing": w.filing(a.filing),
        "algorithms": [w.algorithm(x) for x in a.algorithms],
        "obligations": [w.obligation(o) for o in a.obligations],
        "materials": [w.material(m) for m in a.materials],
        "steps": a.steps,
        "display": [w.display(x) for x in a.display],
        "open_questions": a.open_questions,
        "rules_version": a.rules_version,
        "trace": [w.trace(t) for t in a.trace],
        "catalogue": {"labels": w.labels, "laws": laws, "duties": w.duties, "materials": w.materials,
                      "answers": w.answers},
    }


def contract_json(assessment: Assessment, *, indent: int | None = 2) -> str:
    """The assessment's JSON text: with ``indent`` (files, ``assess --format json``) two-space
    indented and ending in a newline; with ``indent=None`` (the service, batch lines) on one line,
    the texts every assessment shares written from :func:`_fragment` (the same bytes)."""
    data = contract_data(assessment)
    if indent is None:
        return _line(data).decode()
    return to_json(data, indent=indent).decode() + "\n"


_FRAGMENTS: dict[int, tuple[Any, Any]] = {}
_PER_OBJECT_MAX = 4096
"""The most objects :func:`_per_object` keeps in one table before it starts it again."""


def _per_object(table: dict[int, tuple[Any, Any]], value: Any, make: Callable[[], Any]) -> Any:
    """What ``make()`` gives for ``value``, made once per object: kept by identity, with the object
    itself so that its id is not reused while the entry lives; the table is emptied when full."""
    found = table.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    if len(table) >= _PER_OBJECT_MAX:
        table.clear()
    made = make()
    table[id(value)] = (value, made)
    return made


def _fragment(value: Any) -> bytes:
    """``to_json(value)`` of an object that many assessments share: a duty's or material's catalogue
    entry, a law, an undated step. Half of an assessment's JSON is such texts (about 55 KB of
    110 KB on varied documents); each is written once per process instead of once per assessment."""
    text: bytes = _per_object(_FRAGMENTS, value, lambda: to_json(value))
    return text


_KEYS: dict[str, bytes] = {}


def _object(items: Iterable[tuple[str, bytes]]) -> bytes:
    """A JSON object on one line (as :func:`pydantic_core.to_json` writes it) from its members' JSON."""
    keys = _KEYS
    out = [b"{"]
    for key, value in items:
        name = keys.get(key)
        if name is None:
            name = keys[key] = to_json(key) + b":"
        out += (name, value, b",")
    if len(out) > 1:
        out[-1] = b"}"  # the last member's comma
    else:
        out.append(b"}")
    return b"".join(out)


def _line(data: dict[str, Any]) -> bytes:
    """``to_json(data)`` of :func:`contract_data`'s data, with the shared texts from :func:`_fragment`:
    the catalogue's duties, materials and laws, and the steps without dates (the rulebook's own)."""
    catalogue = data["catalogue"]
    shared = {
        "steps": b"[" + b",".join(to_json(s) if s.dates else _fragment(s) for s in data["steps"]) + b"]",
        "catalogue": _object((
            ("labels", to_json(catalogue["labels"])),
            ("laws", _object((key, _fragment(law)) for key, law in catalogue["laws"].items())),
            ("duties", _object((key, _fragment(entry)) for key, entry in catalogue["duties"].items())),
            ("materials", _object((key, _fragment(entry)) for key, entry in catalogue["materials"].items())),
            ("answers", to_json(catalogue["answers"])))),
    }
    return _object((key, shared[key] if key in shared else to_json(value)) for key, value in data.items())


class UnresolvedId(ValueError):
    """A row of a compact assessment names an id its catalogue does not hold."""


class _Reader:
    """Puts the catalogue's texts back on the rows of a :class:`CompactAssessment`."""

    def __init__(self, doc: CompactAssessment) -> None:
        self.doc = doc
        self.catalogue = doc.catalogue
        self.cited: dict[Citation, LegalRef] = {}

    def _get(self, table: dict[str, Any], key: str, where: str, used_at: str) -> Any:
        try:
            return table[key]
        except KeyError:
            raise UnresolvedId(f"{used_at} names '{key}', which {where} does not hold") from None

    def label(self, group: str, key: str, used_at: str) -> Text:
        found: Text = self._get(self.catalogue.labels.get(group, {}), key, f"catalogue.labels.{group}", used_at)
        return found

    def refs(self, basis: tuple[Citation, ...], used_at: str) -> tuple[LegalRef, ...]:
        """The basis with each reference cited again from its law's name (as :func:`cite` did)."""
        out = []
        for c in basis:
            ref = self.cited.get(c)
            if ref is None:
                law: LawEntry = self._get(self.catalogue.laws, c.law, "catalogue.laws", f"{used_at}.law")
                text = Text(zh=cite(law.short, law.statutory, c.article, c.note, "zh"),
                            en=cite(law.short, law.statutory, c.article, c.note, "en"))
                ref = self.cited[c] = LegalRef(law=c.law, article=c.article, citation=text)
            out.append(ref)
        return tuple(out)

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


__all__ = ["SCHEMA_VERSION", "CompactAssessment", "UnresolvedId", "contract_json", "resolve"]
