"""Slots: a question asked about the entity, one product or one feature of a product.

Every answer of a flow is stored under its slot's key (``entity:entity_name``, ``p0:forms``,
``p1.f0:does``); :class:`Step` is what the terminal asks now, and the review items are the
answers shown back before the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import FlowError
from engine.questionnaire.schema import Question, Repeat
from engine.questionnaire.targets import Scope

Value = str | int | list[str]
"""A raw answer: a choice id, yes/no/unsure, text, an ISO date, a count, or a list of choice ids."""

SLOT_KEY = re.compile(r"^(?:entity|p(\d+)(?:\.f(\d+))?):([a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class Slot:
    """A question asked about one entity, product or feature."""

    question: str
    product: int | None = None
    feature: int | None = None

    @property
    def scope_key(self) -> str:
        """``entity``, ``p0`` or ``p0.f1``: the item the question is about."""
        if self.product is None:
            return "entity"
        return f"p{self.product}" if self.feature is None else f"p{self.product}.f{self.feature}"

    @property
    def key(self) -> str:
        """The slot's key in ``values``."""
        return f"{self.scope_key}:{self.question}"

    @classmethod
    def parse(cls, key: str) -> Slot:
        """The slot of a key; a FlowError for anything else."""
        match = SLOT_KEY.match(key)
        if not match:
            raise FlowError(f"'{key}' is not a slot key (e.g. p0.f1:does)")
        product, feature, question = match.groups()
        return cls(question, None if product is None else int(product),
                   None if feature is None else int(feature))


@dataclass(frozen=True)
class Step:
    """What the terminal asks now: the slot, its question (or repeat) and the answer to preselect."""

    slot: Slot
    question: Question | None
    repeat: Repeat | None
    value: Value | None
    index: int
    total: int

    @property
    def scope(self) -> Scope:
        """Whether this step is about the entity, a product or a feature."""
        if self.slot.product is None:
            return "entity"
        return "product" if self.slot.feature is None else "feature"


@dataclass(frozen=True)
class ReviewItem:
    """One answer on the review screen."""

    slot: Slot
    question: Question
    value: Value


@dataclass(frozen=True)
class ReviewSection:
    """The answers about one item (the entity, a product, or a feature of a product)."""

    scope: Scope
    product: int | None
    feature: int | None
    items: list[ReviewItem]


