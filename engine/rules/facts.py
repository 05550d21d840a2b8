"""Answers -> flat facts, the only thing the rules see.

Each product becomes one ``product`` fact and each behaviour of each feature one ``behaviour``
fact that also carries its product's and feature's attributes. Lists of ids become tri-state
flags (``yes`` / ``no`` / ``unsure``) so that every rule tests one fact with plain equality:
the rules engine is never asked to join two facts (see ``docs/durable-rules.md``: a partial
join followed by ``delete_state`` crashes the process).

Rules derive two more kinds from these roots: ``algorithm`` (a classified behaviour) and
``filing`` (an algorithm with its filing status and role). :data:`FACT_SCHEMA` lists every
attribute each kind carries and the values it may take; the rule loader checks every condition
against it, so a misspelt attribute or value fails at load time with a did-you-mean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, NamedTuple

from pydantic import Field

from engine.errors import LoadError
from engine.model.answers import Answers, Product
from engine.model.base import StrictModel, Text
from engine.model.contract import AnswerField, Scope, answer_contract
from engine.model.vocabulary import NO, NONE, UNSURE, YES, load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file
from engine.rules.basis import Basis

TRI: tuple[str, ...] = (YES, NO, UNSURE)
INT = "int"
TEXT = "text"

AttrSpec = tuple[str, ...] | str
"""Allowed values of an attribute: a tuple of ids, or ``"int"`` / ``"text"``."""

_VOCAB = load_vocabulary()


def _answer_attrs(scope: Scope) -> dict[str, AttrSpec]:
    """The attributes the contract's fields of ``scope`` give (``rules/answer_contract.yaml``)."""
    attrs: dict[str, AttrSpec] = {}
    for answer in answer_contract().of(scope):
        attrs.update(answer.attribute_values())
    return attrs


def _product_attrs() -> dict[str, AttrSpec]:
    """A product's answers, the attributes drawn from several of them, the flags derived from them
    (``catalogue/derived_facts.yaml``) and the date."""
    attrs = _answer_attrs("product")
    for derived in answer_contract().derived_of("product"):
        attrs.update(derived.attribute_values())
    attrs.update(dict.fromkeys(("external", "opinion", "own_product"), TRI))
    attrs["as_of"] = INT
    return attrs


_PRODUCT = _product_attrs()
_BEHAVIOUR = {**_PRODUCT, **_answer_attrs("feature")}
_ALGORITHM = {
    **_BEHAVIOUR,
    "type": (*_VOCAB.ids("algorithm_type"), NONE),
    "subtype": (*_VOCAB.ids("algorithm_subtype"), NONE),
}
_FILING = {
    **_ALGORITHM,
    "status": _VOCAB.ids("applicability"),
    "role": _VOCAB.ids("role"),
}

FACT_SCHEMA: dict[str, dict[str, AttrSpec]] = {
    "product": {**_PRODUCT, "behaviour_count": INT},
    "behaviour": _BEHAVIOUR,
    "algorithm": _ALGORITHM,
    "filing": _FILING,
}
"""Every fact kind with its attributes: the answers' from the contract, the derived flags, the
date, and what rules conclude (``type``, ``subtype``, ``status``, ``role``). ``kind``, ``fid`` and
``via`` are bookkeeping."""

DERIVED_FROM: dict[str, str] = {"algorithm": "behaviour", "filing": "algorithm"}
"""Which kind a derived kind is asserted from (by ``classify`` and ``filing`` conclusions)."""


class Source(NamedTuple):
    """Where an attribute came from in the answers: the path and the value given there.

    A named tuple, immutable as before: dozens are made per fact for answers never seen before,
    and a frozen dataclass sets each field through ``object.__setattr__``."""

    path: str
    value: Any


@dataclass
class RootFact:
    """A fact built from the answers, with the answer each attribute came from.

    ``product_pos`` and ``feature_pos`` are the fact's place in the answers (``products[i]``,
    its ``features[j]``; ``None`` on a product fact): assembly groups by them, never by names
    and never by parsing ``fid``. ``dates`` are the answered event dates the fact's duties are
    counted from (the contract's ``date`` fields: ``launch``, ``change``, ``termination`` of the
    product; ``feature_launch`` of a feature added later). Neither goes to the rules engine: no
    rule may test a position.
    """

    fid: str
    kind: str
    attrs: dict[str, str | int]
    sources: dict[str, Source] = field(default_factory=dict)
    product_pos: int = 0
    feature_pos: int | None = None
    dates: dict[str, dt.date] = field(default_factory=dict)

    def as_message(self) -> dict[str, str | int]:
        """The fact as the rules engine receives it."""
        return {"kind": self.kind, "fid": self.fid, **self.attrs}


class DerivedFlag(StrictModel):
    """A flag drawn from a multi-select answer by a judgement (``rules/catalogue/derived_facts.yaml``).

    The rulebook loader checks the ids against the vocabulary and the laws catalogue.
    """

    attribute: Literal["external", "opinion", "own_product"]
    answer: Literal["audience", "opinion_features", "forms"]
    yes_if_any: list[str] = Field(min_length=1)
    unsure_overrides_yes: bool
    explanation: Text
    basis: list[Basis] = Field(min_length=1)

    def value(self, chosen: list[str]) -> str:
        """``yes``, ``no`` or ``unsure`` for the ids an answer lists."""
        yes = any(i in self.yes_if_any for i in chosen)
        if UNSURE in chosen and (self.unsure_overrides_yes or not yes):
            return UNSURE
        return YES if yes else NO


class DerivedFlagsFile(StrictModel):
    flags: list[DerivedFlag] = Field(min_length=1)


ANSWER_GROUPS = {"audience": "audience", "opinion_features": "opinion_feature", "forms": "product_form"}
"""The vocabulary group of each answer a derived flag may read."""


@cache
def shipped_derived_flags() -> tuple[DerivedFlag, ...]:
    """The derived flags of the shipped rules (the rulebook loader checks them; a custom
    rulebook passes its own to :func:`build_facts`)."""
    raw = read_data_file(rules_dir() / "catalogue" / "derived_facts.yaml")
    return tuple(DerivedFlagsFile.model_validate(raw).flags)


def _tri(value: bool | str | None, absent: str) -> str:
    if value is None:
        return absent
    if value == UNSURE:
        return UNSURE
    return YES if value else NO


@dataclass(frozen=True)
class _Reading:
    """How one answer of a scope reaches the facts, as the contract says: the event date it gives,
    or its flags (``(attribute, id)`` per id of its vocabulary), or its one attribute."""

    field: AnswerField
    date: str | None = None
    flags: tuple[tuple[str, str], ...] | None = None
    attribute: str | None = None


@cache
def _readings(scope: Scope) -> tuple[_Reading, ...]:
    """The readings of ``scope``'s answers in contract order, worked out once per process (the
    contract is read once): every fact built used to filter the whole contract for its scope and
    spell every flag's name again. Answers that give no attribute (no fact use, or the field whose
    ids each make a fact) are left out."""
    readings: list[_Reading] = []
    for answer in answer_contract().of(scope):
        use = answer.fact
        if use is None or use.each is not None:
            continue
        if use.date is not None:
            readings.append(_Reading(answer, date=use.date))
        elif use.flags is not None:
            readings.append(_Reading(answer, flags=tuple((f"{use.flags}{i}", i) for i in answer.ids())))
        else:
            assert use.attribute is not None
            readings.append(_Reading(answer, attribute=use.attribute))
    return tuple(readings)


def _scalar(answer: AnswerField, value: Any) -> str | int | None:
    """One answer's value as a fact attribute; None where a count is not a number (no attribute)."""
    if answer.kind == "yes_no":
        return _tri(value, answer.absent or NO)
    if answer.kind == "count":
        return value if isinstance(value, int) else None
    if answer.kind == "id":
        return value if value is not None else (answer.absent or NONE)
    return value  # type: ignore[no-any-return]


class _Scope:
    """The attributes, answer sources and event dates one mapping of the answers gives."""

    def __init__(self, scope: Scope, model: Any, base: str) -> None:
        self.attrs: dict[str, str | int] = {}
        self.sources: dict[str, Source] = {}
        self.dates: dict[str, dt.date] = {}
        attrs, sources = self.attrs, self.sources
        for reading in _readings(scope):
            name = reading.field.answer
            value = getattr(model, name)
            if reading.date is not None:
                if value is not None:
                    self.dates[reading.date] = value
                continue
            source = Source(f"{base}.{name}", value)  # one answer, one source for all its attributes
            if reading.flags is not None:
                chosen = value or []
                unticked = UNSURE if UNSURE in chosen else NO   # unsure: unticked
                for attribute, i in reading.flags:
                    attrs[attribute] = YES if i in chosen else unticked
                    sources[attribute] = source
            else:
                encoded = _scalar(reading.field, value)
                if encoded is not None:
                    assert reading.attribute is not None
                    attrs[reading.attribute] = encoded
                    sources[reading.attribute] = source

    def put(self, name: str, value: str | int, path: str, given: Any) -> None:
        self.attrs[name] = value
        self.sources[name] = Source(path, given)


def _product_scope(product: Product, index: int, as_of: dt.date, derived: Sequence[DerivedFlag]) -> _Scope:
    base = f"products[{index}]"
    scope = _Scope("product", product, base)
    for flag in derived:
        chosen: list[str] = getattr(product, flag.answer)
        scope.put(flag.attribute, flag.value(chosen), f"{base}.{flag.answer}", chosen)
    scope.put("as_of", int(as_of.strftime("%Y%m%d")), "as_of", as_of.isoformat())
    return scope


def _each(scope: Scope) -> AnswerField:
    """The field whose ids each make one fact (``behaviours``)."""
    return next(a for a in answer_contract().of(scope) if a.fact is not None and a.fact.each is not None)


def _behaviour_facts(product: Product, p_index: int, p_scope: _Scope) -> list[RootFact]:
    each = _each("feature")
    attribute = str(each.fact.each if each.fact else "")
    facts: list[RootFact] = []
    for f_index, feature in enumerate(product.features):
        base = f"products[{p_index}].features[{f_index}]"
        f_scope = _Scope("feature", feature, base)
        chosen: list[str] = getattr(feature, each.answer)
        for b_index, value in enumerate(dict.fromkeys(chosen)):
            facts.append(RootFact(
                fid=f"p{p_index}.f{f_index}.b{b_index}", kind="behaviour",
                attrs={**p_scope.attrs, **f_scope.attrs, attribute: value},
                sources={**p_scope.sources, **f_scope.sources,
                         attribute: Source(f"{base}.{each.answer}", chosen)},
                product_pos=p_index, feature_pos=f_index, dates={**p_scope.dates, **f_scope.dates},
            ))
    return facts


def _has_filed(answers: Answers, p_index: int) -> tuple[str, str, Any]:
    """``yes`` where an algorithm of ``filed_algorithms`` is linked to the product, else ``no``."""
    name = answers.products[p_index].name
    filed = [i for i, f in enumerate(answers.filed_algorithms) if name in f.products]
    if filed:
        return YES, f"filed_algorithms[{filed[0]}].products", answers.filed_algorithms[filed[0]].number
    return NO, "filed_algorithms", []


Derivation = Callable[[Answers, int], tuple[str, str, Any]]
"""Draws a derived attribute for ``products[p_index]``: its value, and the path and value it came from."""

DERIVATIONS: dict[str, Derivation] = {"has_filed": _has_filed}
"""How each attribute of the contract's ``derived`` is drawn from the answers (one function each)."""

_DERIVED_PRODUCT = tuple(d.attribute for d in answer_contract().derived_of("product"))
if missing := {d.attribute for d in answer_contract().derived} ^ set(DERIVATIONS):
    raise LoadError(f"derived attributes without a derivation, or derivations the contract does not declare: "
                    f"{', '.join(sorted(missing))}", file="answer_contract.yaml")


def build_facts(answers: Answers, as_of: dt.date,
                derived: Sequence[DerivedFlag] | None = None) -> list[RootFact]:
    """Turn validated answers into root facts, in answer order (deterministic).

    Every attribute is the contract's reading of one answer (``rules/answer_contract.yaml``);
    ``derived`` are the rulebook's derived flags (the shipped ones by default).
    """
    flags = shipped_derived_flags() if derived is None else derived
    facts: list[RootFact] = []
    for p_index, product in enumerate(answers.products):
        p_scope = _product_scope(product, p_index, as_of, flags)
        for attribute in _DERIVED_PRODUCT:
            p_scope.put(attribute, *DERIVATIONS[attribute](answers, p_index))
        behaviour_facts = _behaviour_facts(product, p_index, p_scope)
        facts.append(RootFact(
            fid=f"p{p_index}", kind="product",
            attrs={**p_scope.attrs, "behaviour_count": len(behaviour_facts)},
            sources={**p_scope.sources,
                     "behaviour_count": Source(f"products[{p_index}].features",
                                               [f.name for f in product.features])},
            product_pos=p_index, dates=dict(p_scope.dates),
        ))
        facts.extend(behaviour_facts)
    return facts
