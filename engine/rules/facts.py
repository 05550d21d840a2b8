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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import Field

from engine.model.answers import Answers, Feature, Product
from engine.model.base import StrictModel, Text
from engine.model.vocabulary import UNSURE, load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file
from engine.rules.basis import Basis

YES, NO = "yes", "no"
TRI: tuple[str, ...] = (YES, NO, UNSURE)
INT = "int"
TEXT = "text"
NONE = "none"

AttrSpec = tuple[str, ...] | str
"""Allowed values of an attribute: a tuple of ids, or ``"int"`` / ``"text"``."""

_VOCAB = load_vocabulary()


def _product_attrs() -> dict[str, AttrSpec]:
    attrs: dict[str, AttrSpec] = {
        "product": TEXT,
        "audience_public": TRI, "audience_business": TRI, "audience_internal": TRI,
        "external": TRI, "opinion": TRI, "own_product": TRI,
        "news": TRI, "commercial": TRI,
        "launch_status": (*_VOCAB.ids("launch_status"), UNSURE),
        "mau": INT, "as_of": INT,
    }
    attrs.update({f"form_{form}": TRI for form in _VOCAB.ids("product_form")})
    attrs.update({f"users_{group}": TRI for group in _VOCAB.ids("user_group")})
    attrs.update({f"opinion_{feature}": TRI for feature in _VOCAB.ids("opinion_feature")})
    return attrs


_PRODUCT = _product_attrs()
_BEHAVIOUR = {
    **_PRODUCT,
    "feature": TEXT,
    "behaviour": (*_VOCAB.ids("behaviour"), UNSURE),
    "model_source": (*_VOCAB.ids("model_source"), UNSURE, NONE),
    "offered_as_api": TRI,
    "large_model": (*TRI, NONE),
    "biometric_output": (*TRI, NONE),
}
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
"""Every fact kind with its attributes. ``kind``, ``fid`` and ``via`` are bookkeeping."""

DERIVED_FROM: dict[str, str] = {"algorithm": "behaviour", "filing": "algorithm"}
"""Which kind a derived kind is asserted from (by ``classify`` and ``filing`` conclusions)."""


@dataclass(frozen=True)
class Source:
    """Where an attribute came from in the answers: the path and the value given there."""

    path: str
    value: Any


@dataclass
class RootFact:
    """A fact built from the answers, with the answer each attribute came from.

    ``product_pos`` and ``feature_pos`` are the fact's place in the answers (``products[i]``,
    its ``features[j]``; ``None`` on a product fact): assembly groups by them, never by names
    and never by parsing ``fid``. ``dates`` are the answered event dates the fact's duties are
    counted from (``launch``, ``change``, ``termination`` of the product; ``feature_launch``
    of a feature added later). Neither goes to the rules engine: no rule may test a position.
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


def _dates(product: Product, feature: Feature | None = None) -> dict[str, dt.date]:
    """The answered event dates a fact's duties are counted from (absent dates left out)."""
    given = {"launch": product.launch_date, "change": product.change_date,
             "termination": product.termination_date,
             "feature_launch": feature.launch_date if feature is not None else None}
    return {event: day for event, day in given.items() if day is not None}


def _flags(prefix: str, chosen: list[str], group: str) -> dict[str, str]:
    """A multi-select answer as one tri-state flag per id."""
    if UNSURE in chosen:
        return {f"{prefix}{i}": (YES if i in chosen else UNSURE) for i in _VOCAB.ids(group)}
    return {f"{prefix}{i}": (YES if i in chosen else NO) for i in _VOCAB.ids(group)}


def _tri(value: bool | str | None, default: str = NO) -> str:
    if value is None:
        return default
    if value == UNSURE:
        return UNSURE
    return YES if value else NO


def _product_fact_attrs(product: Product, index: int, as_of: dt.date,
                        derived: Sequence[DerivedFlag]) -> tuple[dict[str, str | int], dict[str, Source]]:
    base = f"products[{index}]"
    attrs: dict[str, str | int] = {"product": product.name}
    sources: dict[str, Source] = {"product": Source(f"{base}.name", product.name)}

    def put(name: str, value: str | int, path: str, given: Any) -> None:
        attrs[name] = value
        sources[name] = Source(path, given)

    audience = _flags("audience_", product.audience, "audience")
    for name, value in audience.items():
        put(name, value, f"{base}.audience", product.audience)
    for name, value in _flags("opinion_", product.opinion_features, "opinion_feature").items():
        put(name, value, f"{base}.opinion_features", product.opinion_features)
    for name, value in _flags("form_", product.forms, "product_form").items():
        put(name, value, f"{base}.forms", product.forms)
    for flag in derived:
        chosen: list[str] = getattr(product, flag.answer)
        put(flag.attribute, flag.value(chosen), f"{base}.{flag.answer}", chosen)
    for name, value in _flags("users_", product.user_groups, "user_group").items():
        put(name, value, f"{base}.user_groups", product.user_groups)
    put("news", _tri(product.news), f"{base}.news", product.news)
    put("commercial", _tri(product.commercial, default=UNSURE), f"{base}.commercial", product.commercial)
    put("launch_status", product.launch_status, f"{base}.launch_status", product.launch_status)
    if isinstance(product.monthly_active_users, int):
        put("mau", product.monthly_active_users, f"{base}.monthly_active_users",
            product.monthly_active_users)
    put("as_of", int(as_of.strftime("%Y%m%d")), "as_of", as_of.isoformat())
    return attrs, sources


def _feature_attrs(feature: Feature, base: str) -> tuple[dict[str, str | int], dict[str, Source]]:
    attrs: dict[str, str | int] = {
        "feature": feature.name,
        "model_source": feature.model_source or NONE,
        "offered_as_api": _tri(feature.offered_as_api),
        "large_model": _tri(feature.large_model, default=NONE),
        "biometric_output": _tri(feature.biometric_output, default=NONE),
    }
    sources = {
        "feature": Source(f"{base}.name", feature.name),
        "model_source": Source(f"{base}.model_source", feature.model_source),
        "offered_as_api": Source(f"{base}.offered_as_api", feature.offered_as_api),
        "large_model": Source(f"{base}.large_model", feature.large_model),
        "biometric_output": Source(f"{base}.biometric_output", feature.biometric_output),
    }
    return attrs, sources


def build_facts(answers: Answers, as_of: dt.date,
                derived: Sequence[DerivedFlag] | None = None) -> list[RootFact]:
    """Turn validated answers into root facts, in answer order (deterministic).

    ``derived`` are the rulebook's derived flags (the shipped ones by default).
    """
    flags = shipped_derived_flags() if derived is None else derived
    facts: list[RootFact] = []
    for p_index, product in enumerate(answers.products):
        p_attrs, p_sources = _product_fact_attrs(product, p_index, as_of, flags)
        behaviour_facts: list[RootFact] = []
        for f_index, feature in enumerate(product.features):
            base = f"products[{p_index}].features[{f_index}]"
            f_attrs, f_sources = _feature_attrs(feature, base)
            for b_index, behaviour in enumerate(dict.fromkeys(feature.behaviours)):
                behaviour_facts.append(RootFact(
                    fid=f"p{p_index}.f{f_index}.b{b_index}",
                    kind="behaviour",
                    attrs={**p_attrs, **f_attrs, "behaviour": behaviour},
                    sources={**p_sources, **f_sources,
                             "behaviour": Source(f"{base}.behaviours", feature.behaviours)},
                    product_pos=p_index, feature_pos=f_index, dates=_dates(product, feature),
                ))
        product_fact = RootFact(
            fid=f"p{p_index}", kind="product",
            attrs={**p_attrs, "behaviour_count": len(behaviour_facts)},
            sources={**p_sources,
                     "behaviour_count": Source(f"products[{p_index}].features",
                                               [f.name for f in product.features])},
            product_pos=p_index, dates=_dates(product),
        )
        facts.append(product_fact)
        facts.extend(behaviour_facts)
    return facts
