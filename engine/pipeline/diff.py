"""What-if: what changes between two answers documents (e.g. before and after a new feature).

Both are assessed under the same rules date (``as_of``, else each document's own), then compared
by stable ids: algorithms by ``type.behaviours.role``, duties by obligation id, materials by
material id. What appears only after is ``added``, only before ``removed``; an item in both
whose coverage (products, features, targets, status, due dates) moved is listed in ``changed``.
Lists keep the assessments' own stable order, so the same two files give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from engine.model.answers import Answers
from engine.model.assessment import (
    Algorithm,
    AlgorithmRef,
    Assessment,
    CalendarInfo,
    DueDate,
    EntityTarget,
    MaterialOut,
    ObligationOut,
    ProductRef,
    Status,
    target_key,
)
from engine.model.base import StrictModel, Text
from engine.model.contract import answer_contract
from engine.pipeline.deadlines import due_date, products_of
from engine.pipeline.novelty import new_algorithms
from engine.pipeline.run import assess
from engine.rules.catalogue import Counting, NewAlgorithmDeadline
from engine.rules.rulebook import Rulebook, default_rulebook

ChangeField = Literal["status", "products", "features", "applies_to", "due"]

ChangeValue = EntityTarget | ProductRef | AlgorithmRef | str
"""What a changed field gained or lost: a target (applies_to), a product (products), else text."""


class DiffItems(StrictModel):
    """Items present on one side only, as the assessment of that side describes them."""

    algorithms: list[Algorithm]
    obligations: list[ObligationOut]
    materials: list[MaterialOut]


class Change(StrictModel):
    """An item on both sides whose coverage differs in one field: what the field gained and lost."""

    kind: Literal["algorithm", "obligation", "material"]
    id: str
    name: Text
    field: ChangeField
    added: list[ChangeValue]
    removed: list[ChangeValue]


class AssessmentDiff(StrictModel):
    """The difference between the assessments of two answers documents."""

    status_before: Status
    status_after: Status
    as_of_before: dt.date
    as_of_after: dt.date
    status_before_label: Text
    status_after_label: Text
    added: DiffItems = Field(description="Only in the assessment after")
    removed: DiffItems = Field(description="Only in the assessment before")
    changed: list[Change] = Field(description="In both, with different coverage")
    rules_version: str
    calendar: CalendarInfo | None = Field(description="How the due dates were counted")

    def to_json(self) -> str:
        """Canonical JSON: UTF-8 text, two-space indent, keys in model order."""
        return self.model_dump_json(indent=2) + "\n"


def _dues(ob: ObligationOut) -> list[str]:
    return [f"{d.product.name}: {(d.date or d.estimate or d.event_date).isoformat()} "
            f"({d.event} {d.event_date.isoformat()})" for d in ob.due]


def _changes(kind: Literal["algorithm", "obligation", "material"], item_id: str, name: Text,
             pairs: Sequence[tuple[ChangeField, Sequence[ChangeValue], Sequence[ChangeValue]]]) -> list[Change]:
    out = []
    for field, before, after in pairs:
        before_keys = {_identity(x) for x in before}
        after_keys = {_identity(x) for x in after}
        gained = [x for x in after if _identity(x) not in before_keys]
        lost = [x for x in before if _identity(x) not in after_keys]
        if gained or lost:
            out.append(Change(kind=kind, id=item_id, name=name, field=field, added=gained, removed=lost))
    return out


def _identity(value: ChangeValue) -> tuple[str | int, ...]:
    """What makes two values the same across documents: a product is its position and its name."""
    if isinstance(value, str):
        return ("text", value)
    if isinstance(value, ProductRef):
        return ("product", value.index, value.name)
    return target_key(value)


_Fields = list[tuple[ChangeField, Sequence[ChangeValue], Sequence[ChangeValue]]]
"""Per field of an item: its values before and after."""


def _algorithm_fields(b: Algorithm, a: Algorithm) -> _Fields:
    return [("status", [b.status], [a.status]), ("products", b.products, a.products),
            ("features", b.features, a.features)]


def _obligation_fields(b: ObligationOut, a: ObligationOut) -> _Fields:
    return [("applies_to", b.applies_to, a.applies_to), ("due", _dues(b), _dues(a))]


def _material_fields(b: MaterialOut, a: MaterialOut) -> _Fields:
    return [("applies_to", b.applies_to, a.applies_to)]


def _changed(before: Assessment, after: Assessment) -> list[Change]:
    """Every item on both sides whose coverage moved, algorithms first, then duties and materials."""
    changed: list[Change] = []
    earlier_algorithms = {x.id: x for x in before.algorithms}
    for a in after.algorithms:
        if (b := earlier_algorithms.get(a.id)) is not None:
            changed += _changes("algorithm", a.id, a.name, _algorithm_fields(b, a))
    earlier_obligations = {x.id: x for x in before.obligations}
    for o in after.obligations:
        if (ob := earlier_obligations.get(o.id)) is not None:
            changed += _changes("obligation", o.id, o.title, _obligation_fields(ob, o))
    earlier_materials = {x.id: x for x in before.materials}
    for m in after.materials:
        if (mb := earlier_materials.get(m.id)) is not None:
            changed += _changes("material", m.id, m.name, _material_fields(mb, m))
    return changed


def _only(these: Assessment, other: Assessment) -> DiffItems:
    """The items of ``these`` that ``other`` lacks (by id), in ``these``' order."""
    algorithms = {x.id for x in other.algorithms}
    obligations = {x.id for x in other.obligations}
    materials = {x.id for x in other.materials}
    return DiffItems(algorithms=[a for a in these.algorithms if a.id not in algorithms],
                     obligations=[o for o in these.obligations if o.id not in obligations],
                     materials=[m for m in these.materials if m.id not in materials])


def compare(before: Assessment, after: Assessment) -> AssessmentDiff:
    """Compare two assessments by stable ids."""
    return AssessmentDiff(
        status_before=before.filing.status, status_after=after.filing.status,
        status_before_label=before.filing.label, status_after_label=after.filing.label,
        as_of_before=before.filing.as_of, as_of_after=after.filing.as_of,
        added=_only(after, before), removed=_only(before, after), changed=_changed(before, after),
        rules_version=after.rules_version, calendar=after.filing.calendar or before.filing.calendar)


def diff_answers(before: Answers, after: Answers, *, as_of: dt.date | None = None,
                 rulebook: Rulebook | None = None) -> AssessmentDiff:
    """Assess both documents (with due dates) and compare them.

    ``as_of`` applies the same rules date to both; without it each document's own ``as_of``,
    else the rulebook's date, is used, as :func:`engine.assess` does. The new algorithms
    (:func:`engine.pipeline.novelty.new_algorithms`: only the assessment after has them, and no
    filed algorithm covers them) have their duties dated by ``new_algorithm`` of the rulebook
    (:func:`date_new_algorithms`).
    """
    book = rulebook or default_rulebook()
    old = assess(before, as_of=as_of, rulebook=book)  # assess() dates duties and steps from the answers' dates
    new = assess(after, as_of=as_of, rulebook=book)
    added = set(new_algorithms(old, new))
    return compare(old, date_new_algorithms(new, after, added, book.new_algorithm, book.counting))


def event_dates(answers: Answers, event: str) -> dict[int, dt.date]:
    """The date each product answers for ``event``, by product position: the product fields the
    answer contract gives that event (``fact: {date: ...}``, e.g. change_date for ``change``)."""
    fields = [f.answer for f in answer_contract().of("product") if f.fact is not None and f.fact.date == event]
    found: dict[int, dt.date] = {}
    for i, product in enumerate(answers.products):
        for name in fields:
            if (day := getattr(product, name, None)) is not None:
                found.setdefault(i, day)
    return found


def date_new_algorithms(a: Assessment, answers: Answers, new_ids: set[str],
                        rule: NewAlgorithmDeadline, counting: Counting) -> Assessment:
    """Count the duties of algorithms new to a product from the event ``rule`` names.

    Answers date products, not features: a duty to file within N working days of launch would
    otherwise be counted from the product's first launch, long before the new feature existed.
    ``rule`` (``new_algorithm`` of ``rules/catalogue/schedule.yaml``, with its basis) says which
    duties of a new algorithm are counted anew (those counted from ``instead_of``, the launch)
    and from which answered event (``counted_from``: the product's change, when the feature went
    live), and gives the note the due date carries; ``counting`` is the rulebook's convention.
    Products that do not answer that event keep the count they had.
    """
    changes = event_dates(answers, rule.counted_from)
    of_algorithm = {al.id: al.products for al in a.algorithms}
    obligations = tuple(_redate(ob, of_algorithm, changes, new_ids, rule, counting) for ob in a.obligations)
    return a.model_copy(update={"obligations": obligations})


def _redate(ob: ObligationOut, of_algorithm: dict[str, tuple[ProductRef, ...]], changes: dict[int, dt.date],
            new_ids: set[str], rule: NewAlgorithmDeadline, counting: Counting) -> ObligationOut:
    """One duty counted from ``rule.instead_of`` with its new algorithms' due dates counted from
    their product's ``rule.counted_from`` date."""
    deadline = ob.deadline
    if deadline is None or deadline.start != rule.instead_of or not deadline.working_days:
        return ob
    new = [t for t in ob.applies_to if isinstance(t, AlgorithmRef) and t.id in new_ids]
    old = {p.index for p in products_of([t for t in ob.applies_to if t not in new], of_algorithm)}
    due = [d for d in ob.due if d.product.index in old or d.product.index not in changes]
    due += _from_changes(products_of(new, of_algorithm), changes, deadline.working_days, rule, counting)
    return ob.model_copy(update={"due": tuple(due)}) if tuple(due) != ob.due else ob


def _from_changes(products: list[ProductRef], changes: dict[int, dt.date], working_days: int,
                  rule: NewAlgorithmDeadline, counting: Counting) -> list[DueDate]:
    """The due dates of a new algorithm in the products that answer the rule's event, with its note."""
    return [due_date(p, rule.counted_from, changes[p.index], working_days, counting)
            .model_copy(update={"note": rule.note}) for p in products if p.index in changes]


def diff_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a diff."""
    return AssessmentDiff.model_json_schema()
