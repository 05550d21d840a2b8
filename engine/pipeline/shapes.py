"""Answers that differ only in names share one assessment, filled in with each one's names.

No rule tests a name or a free text: the rules see ids, flags, counts and dates, and the
rule loader refuses a condition on a text attribute (``product``, ``feature``). The assembler
orders everything by answer position, never by name, and targets are typed (a product is its
position, an algorithm its id), so no name is ever read as anything else. So the assessment of
a product is a function of its *shape* (the answers without names and free texts, plus which
names are equal) and of its names, which only ever appear in ``name`` fields and inside
algorithm names.

Sales leads repeat a few shapes under thousands of names. :class:`ShapeMemo` assesses each
shape once with placeholder names and keeps that *template* with a plan of where the
placeholders are; a lead of a known shape costs a copy of the few parts that hold names, while
everything else (the trace, the texts of duties and materials) is shared. Sharing is safe
because an assessment is immutable (frozen models, tuples).

``tests/test_shapes.py`` requires the filled template and a fresh assessment to give the same
bytes, for every example and for generated answers with awkward names.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json

from engine.model.answers import Answers
from engine.model.assessment import Assessment
from engine.rules.rulebook import Rulebook

LABELS: dict[str, tuple[str, ...]] = {
    "entity": ("name", "credit_code"),
    "product": ("name", "description"),
    "feature": ("name", "description"),
}
"""Answer fields that are names or free text: they never decide a conclusion.

Product and feature names appear in the assessment; the entity's name, its credit code and the
descriptions never do (a feature's description without behaviours becomes suggested behaviours
when the answers are read, and those are part of the shape). Every other answer field is part of
the shape.
"""

_EXCLUDE: Any = {
    "entity": set(LABELS["entity"]),
    "products": {"__all__": {**dict.fromkeys(LABELS["product"], True),
                             "features": {"__all__": set(LABELS["feature"])}}},
}
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: no name may contain them
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def _placeholder(index: int) -> str:
    return f"{_OPEN}{index}{_CLOSE}"


class Shape:
    """The key of an answers document's shape, and its distinct names in order of appearance."""

    __slots__ = ("key", "names")

    def __init__(self, key: tuple[Any, ...], names: tuple[str, ...]) -> None:
        self.key = key
        self.names = names


def shape_of(answers: Answers) -> Shape | None:
    """The answers' shape, or None when a name holds a placeholder character or filed algorithms
    name products (their names decide what is covered)."""
    if answers.filed_algorithms:
        return None
    names: dict[str, int] = {}
    slots: list[int] = []
    for product in answers.products:
        slots.append(names.setdefault(product.name, len(names)))
        for feature in product.features:
            slots.append(names.setdefault(feature.name, len(names)))
    for name in names:
        if _OPEN in name or _CLOSE in name:
            return None
    return Shape((answers.model_dump_json(exclude=_EXCLUDE), tuple(slots)), tuple(names))


def _stand_in(answers: Answers, shape: Shape) -> Answers:
    """The answers with placeholders for names, and without the texts the assessment never shows."""
    index = {name: i for i, name in enumerate(shape.names)}
    products = [
        product.model_copy(update={
            "name": _placeholder(index[product.name]), "description": None,
            "features": [f.model_copy(update={"name": _placeholder(index[f.name]), "description": None})
                         for f in product.features]})
        for product in answers.products
    ]
    # The entity's name never reaches an assessment; were it to, its placeholder (one past the
    # names) would make filling fail loudly instead of showing one lead's entity to another.
    entity = answers.entity.model_copy(update={"name": _placeholder(len(index)), "credit_code": None})
    return answers.model_copy(update={"entity": entity, "products": products})


# A plan says where placeholders sit in a template: None (nowhere), _TEXT (this string), or
# (fields or indexes, sub-plans) for a model or a tuple.
Plan = Any
_TEXT = 0


def _plan(value: Any) -> Plan:
    if isinstance(value, str):
        return _TEXT if _PLACEHOLDER.search(value) else None
    if isinstance(value, BaseModel):
        parts = [(name, p) for name in type(value).model_fields if (p := _plan(getattr(value, name))) is not None]
        return (True, tuple(parts)) if parts else None
    if isinstance(value, tuple):
        items = [(i, p) for i, item in enumerate(value) if (p := _plan(item)) is not None]
        return (False, tuple(items)) if items else None
    return None


def _fill(value: Any, plan: Plan, names: tuple[str, ...], done: dict[int, Any]) -> Any:
    """A copy of ``value`` with its placeholders replaced; parts without any are shared.

    A part the template holds in several places (a product's reference appears in every list
    that applies to it) is filled once: ``done`` maps the template part's id to its copy.
    """
    filled = done.get(id(value))
    if filled is not None:
        return filled
    if plan == _TEXT:
        filled = _PLACEHOLDER.sub(lambda m: names[int(m[1])], value)
    else:
        is_model, parts = plan
        if is_model:
            filled = value.model_copy(update={name: _fill(getattr(value, name), p, names, done)
                                              for name, p in parts})
        else:
            items = list(value)
            for i, p in parts:
                items[i] = _fill(value[i], p, names, done)
            filled = tuple(items)
    done[id(value)] = filled
    return filled


class Template:
    """One shape's assessment with placeholder names, and where they sit."""

    __slots__ = ("assessment", "plan", "_json")

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment
        self.plan = _plan(assessment)
        self._json: str | None = None

    def fill(self, names: tuple[str, ...]) -> Assessment:
        """The assessment with ``names`` in place of the placeholders."""
        if self.plan is None:
            return self.assessment
        filled: Assessment = _fill(self.assessment, self.plan, names, {})
        return filled

    def fill_json(self, names: tuple[str, ...]) -> str:
        """``fill(names).to_json(indent=None)``, by filling the template's own JSON text.

        Dumping a whole assessment costs more than assessing a known shape; the template's text
        is dumped once (on first use: only batches ask for it) and each name is escaped as the
        same serialiser would escape it.
        """
        text = self._json
        if text is None:
            text = self._json = self.assessment.to_json(indent=None)
        escaped = [to_json(name).decode()[1:-1] for name in names]
        return _PLACEHOLDER.sub(lambda m: escaped[int(m[1])], text)


Assessor = Callable[[Answers, dt.date], Assessment]
"""Assesses answers from scratch on a date (the memo calls it once per shape)."""


class ShapeMemo:
    """A bounded, thread-safe cache of assessment templates, one per shape, date and rulebook.

    ``size`` templates at most (least recently used go first); a template weighs about as much
    as one assessment, most of it the trace.

    A template is made on the *second* sighting of a shape: making one (placeholders, a fresh
    assessment, the plan) costs about three fresh assessments, which a stream of shapes never
    seen twice would pay on every record. The first sighting is assessed afresh and only its
    key is kept (``4 * size`` keys at most).
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._templates: OrderedDict[tuple[Any, ...], Template] = OrderedDict()
        self._seen: OrderedDict[tuple[Any, ...], None] = OrderedDict()
        self._lock = threading.Lock()

    def template(self, answers: Answers, when: dt.date, book: Rulebook,
                 fresh: Assessor) -> tuple[Template, tuple[str, ...]] | None:
        """The template of the answers' shape (made with ``fresh`` if new) and their names.

        None when the shape is seen for the first time, or its names are unsafe to stand in
        for: assess those afresh.
        """
        shape = shape_of(answers)
        if shape is None:
            return None
        key = (book.rules_version, when, *shape.key)
        with self._lock:
            template = self._templates.get(key)
            if template is not None:
                self._templates.move_to_end(key)
            elif key not in self._seen:
                self._seen[key] = None
                if len(self._seen) > 4 * self.size:
                    self._seen.popitem(last=False)
                return None
        if template is None:
            template = Template(fresh(_stand_in(answers, shape), when))
            with self._lock:
                self._templates[key] = template
                self._seen.pop(key, None)
                while len(self._templates) > self.size:
                    self._templates.popitem(last=False)
        return template, shape.names

    def assess(self, answers: Answers, when: dt.date, book: Rulebook, fresh: Assessor) -> Assessment:
        """The assessment of ``answers``: from the template of its shape, else ``fresh``."""
        found = self.template(answers, when, book, fresh)
        if found is None:
            return fresh(answers, when)
        template, names = found
        return template.fill(names)

    def assess_json(self, answers: Answers, when: dt.date, book: Rulebook, fresh: Assessor) -> str:
        """``assess(...).to_json(indent=None)``, filled in as text."""
        found = self.template(answers, when, book, fresh)
        if found is None:
            return fresh(answers, when).to_json(indent=None)
        template, names = found
        return template.fill_json(names)

    def clear(self) -> None:
        """Forget every template and sighting (tests and benchmarks start from an empty memo)."""
        with self._lock:
            self._templates.clear()
            self._seen.clear()

    def __len__(self) -> int:
        return len(self._templates)
