"""The answers document of a flow: exactly the answers given so far, in the answers model's order.

What a draft file holds, and what :meth:`engine.questionnaire.flow.Flow.answers` validates.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from engine.model.answers import Answers, Entity, Feature, Product
from engine.model.vocabulary import NO, NONE, UNSURE, YES
from engine.questionnaire.schema import Question
from engine.questionnaire.slots import Slot, Value
from engine.questionnaire.targets import parse_target

if TYPE_CHECKING:
    from engine.questionnaire.flow import Flow

_DATE_FIELDS = frozenset(name for model in (Answers, Entity, Product, Feature)
                         for name, field in model.model_fields.items() if "date" in str(field.annotation))
_MODEL_ORDER: dict[str, list[str]] = {
    "": list(Answers.model_fields), "entity": list(Entity.model_fields),
    "product": list(Product.model_fields), "feature": list(Feature.model_fields),
}


def _kept_given(flow: Flow, slot: Slot) -> bool:
    """A value read from a file stays, though not asked, while what it depends on is unchanged."""
    if slot.key not in flow.given:
        return False
    question = flow.q.questions[slot.question]
    deps = question.when.subjects() if question.when else []
    gate = flow.q.gate_of.get(question.id)
    if gate is not None:
        deps.append(gate[0])
    for dep in deps:
        dep_key = flow._slot_for(dep, slot.product, slot.feature).key
        if flow.values.get(dep_key) != flow.given.get(dep_key):
            return False
    return True


def document_of(flow: Flow) -> dict[str, Any]:
    """The answers so far as an answers document (keys in the answers model's order).

    Only answered fields appear, so a draft shows exactly what was said; a product or
    feature without any answer yet appears as ``{}`` only when a later one has answers.
    """
    containers: dict[str, dict[str, Any]] = {key: dict(fields) for key, fields in flow.extras.items()}
    _fill(flow, _answered_slots(flow), containers)
    return _nest(flow, containers)


def _answered_slots(flow: Flow) -> list[Slot]:
    """The slots whose answers the document holds, in question order then by position.

    Answers of the questions still on the path, and values read from a file that are kept
    (:func:`_kept_given`) though their question is no longer asked.
    """
    seq = flow.sequence()
    active = {s.key for s in seq}
    scopes = {s.scope_key for s in seq}
    candidates = [s for s in seq if s.question in flow.q.questions and s.key in flow.values]
    candidates += [s for s in (Slot.parse(k) for k in flow.given)
                   if s.key not in active and s.key in flow.values and s.scope_key in scopes
                   and _kept_given(flow, s)]
    order = {qid: i for i, qid in enumerate(flow.q.questions)}
    candidates.sort(key=lambda s: (order[s.question], s.product or 0, s.feature or 0))
    return candidates


def _fill(flow: Flow, slots: list[Slot], containers: dict[str, dict[str, Any]]) -> None:
    """Each answer stored under its scope key; a multi-select and its follow-ups make one list."""
    lists: dict[tuple[str, str], tuple[list[str], bool]] = {}
    for slot in slots:
        question = flow.q.questions[slot.question]
        leaf = flow.q.targets[question.id].leaf
        value = flow.values[slot.key]
        if question.type == "multi":
            assert isinstance(value, list)
            bucket, none = lists.get((slot.scope_key, leaf), ([], False))
            stored = set(question.stored_ids())
            bucket += [v for v in value if v in stored and v not in bucket]
            setters = question.setters()
            lists[(slot.scope_key, leaf)] = (bucket, none or NONE in value or any(v in setters for v in value))
            for choice_id, path in setters.items():
                containers.setdefault(slot.scope_key, {})[parse_target(path).leaf] = _set_by_tick(choice_id, value)
            continue
        stored_value = _stored(question, value)
        if stored_value is not None:
            containers.setdefault(slot.scope_key, {})[leaf] = stored_value
    for (scope_key, leaf), (bucket, none) in lists.items():
        if bucket or none:
            containers.setdefault(scope_key, {})[leaf] = bucket


def _nest(flow: Flow, containers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The scope containers nested as the answers model has them; empty trailing items dropped."""
    doc = dict(containers.get("", {}))
    if containers.get("entity"):
        doc["entity"] = _ordered(containers["entity"], "entity")
    products: list[dict[str, Any]] = []
    for p in range(flow.product_count()):
        product = dict(containers.get(f"p{p}", {}))
        features = [_ordered(containers.get(f"p{p}.f{f}", {}), "feature")
                    for f in range(flow.feature_count(p))]
        while features and not features[-1]:
            features.pop()
        if features:
            product["features"] = features
        products.append(_ordered(product, "product"))
    while products and not products[-1]:
        products.pop()
    if products:
        doc["products"] = products
    return _ordered(doc, "")


def _set_by_tick(choice_id: str, ticked: list[str]) -> bool | str:
    """The field a checklist tick answers: true when ticked; with nothing known (only 'unsure'
    ticked besides) unsure; false when the checklist was answered without it."""
    if choice_id in ticked:
        return True
    return UNSURE if UNSURE in ticked else False


def _stored(question: Question, value: Value) -> Any:
    """A raw answer as the answers model stores it (None: leave the field out)."""
    if question.type == "yes_no":
        return {YES: True, NO: False}.get(str(value), UNSURE)
    if question.type == "date":
        return dt.date.fromisoformat(str(value)) if value else None
    if question.type == "text":
        return value if value else None
    return value


def _ordered(mapping: dict[str, Any], kind: str) -> dict[str, Any]:
    """Keys in the answers model's order; ISO dates (e.g. from a sidecar) back to dates."""
    order = _MODEL_ORDER[kind]
    return {k: _as_date(mapping[k]) if k in _DATE_FIELDS else mapping[k]
            for k in sorted(mapping, key=lambda k: order.index(k) if k in order else len(order))}


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
