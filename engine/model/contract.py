"""The answer-to-fact contract (``rules/answer_contract.yaml``): what each answer field means, once.

The answers model adds the fields it declares and Python does not, the facts and their schema are
built from it (:mod:`engine.rules.facts`), and so are the CSV layout (:mod:`engine.intake.csv_layout`)
and the column table of ``docs/batch.md``. A question a rule reads is therefore data only: its
field here, its question in ``questionnaires/``, its test in a rule.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from engine.model.base import StrictModel
from engine.model.suggest import did_you_mean
from engine.model.validation import validate_file
from engine.model.vocabulary import NONE, UNSURE, load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file

CONTRACT_FILE = "answer_contract.yaml"

Scope = Literal["document", "entity", "product", "feature"]
Kind = Literal["text", "ids", "id", "yes_no", "count", "date"]


class FactUse(StrictModel):
    """How a field reaches the rules: exactly one of the four forms."""

    attribute: str | None = None
    flags: str | None = None
    each: str | None = None
    date: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> FactUse:
        given = [k for k in ("attribute", "flags", "each", "date") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of attribute, flags, each, date (got {given or 'none'})")
        return self


class AnswerField(StrictModel):
    """One field of the answers document and what the rules see of it."""

    answer: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Scope
    kind: Kind
    vocabulary: str | None = None
    required: bool = False
    absent: str | None = None
    unsure: Literal["unticked"] | None = None
    fact: FactUse | None = None
    csv: str | None = None
    description: str | None = None
    basis: list[dict[str, Any]]

    @model_validator(mode="after")
    def _consistent(self) -> AnswerField:
        self._check_vocabulary()
        self._check_absent()
        self._check_fact_use()
        return self

    def _check_vocabulary(self) -> None:
        vocab = load_vocabulary()
        if (self.kind in ("ids", "id")) != (self.vocabulary is not None):
            raise ValueError("`vocabulary` is given exactly for kinds ids and id")
        if self.vocabulary is not None and self.vocabulary not in vocab.groups:
            hint = did_you_mean(self.vocabulary, vocab.groups)
            raise ValueError(f"unknown vocabulary group '{self.vocabulary}'; {hint}")

    def _check_absent(self) -> None:
        if self.kind == "yes_no" and self.absent not in ("no", UNSURE, NONE):
            raise ValueError("a yes_no field says what absent means: absent: \"no\", unsure or none")
        if self.kind != "id":
            return
        if self.absent is None:
            raise ValueError("an id field says what absent means: an id of its vocabulary, or none")
        if self.absent != NONE and self.absent not in load_vocabulary().groups.get(self.vocabulary or "", {}):
            raise ValueError(f"absent: '{self.absent}' is no id of {self.vocabulary} (nor none)")

    def _check_fact_use(self) -> None:
        if self.unsure is not None and self.kind != "ids":
            raise ValueError("`unsure: unticked` is for multi-selects (kind ids)")
        if self.fact is not None and self.fact.each is not None and self.kind != "ids":
            raise ValueError("`each` makes one fact per id of a multi-select (kind ids)")
        if self.fact is not None and self.fact.flags is not None and self.unsure is None:
            raise ValueError("a multi-select read as flags says how unsure spreads: unsure: unticked")

    @property
    def path(self) -> str:
        """Where the field is in an answers document, ``products[].forms``."""
        return {"document": "", "entity": "entity.", "product": "products[].",
                "feature": "products[].features[]."}[self.scope] + self.answer

    def column(self) -> str | None:
        """Its CSV column (``feature<N>_`` prefixed for feature fields), None where it has none."""
        if self.csv == "-":
            return None
        return self.csv or self.answer

    def attribute_values(self) -> dict[str, tuple[str, ...] | str]:
        """The fact attributes it gives and their values (ids, or ``"int"`` / ``"text"``)."""
        use = self.fact
        if use is None or use.date is not None:
            return {}
        tri = ("yes", "no", UNSURE)
        if use.flags is not None:
            return {f"{use.flags}{i}": tri for i in self.ids()}
        if use.each is not None:
            return {use.each: (*self.ids(), UNSURE)}
        assert use.attribute is not None
        values: tuple[str, ...] | str
        if self.kind == "text":
            values = "text"
        elif self.kind == "count":
            values = "int"
        elif self.kind == "yes_no":
            values = (*tri, NONE) if self.absent == NONE else tri
        else:
            values = (*self.ids(), UNSURE, *((NONE,) if self.absent == NONE else ()))
        return {use.attribute: values}

    def ids(self) -> tuple[str, ...]:
        assert self.vocabulary is not None
        return load_vocabulary().ids(self.vocabulary)


class DerivedAttribute(StrictModel):
    """A fact attribute that no single answer gives: drawn from several answers or from a list of
    structured entries (``filed_algorithms``). The contract declares what the rules see; how it is
    drawn is one function of :mod:`engine.rules.facts`, named by the attribute."""

    attribute: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Literal["product"]
    kind: Literal["yes_no"]
    reads: list[str] = Field(min_length=1)
    description: str
    basis: list[dict[str, Any]]

    def attribute_values(self) -> dict[str, tuple[str, ...] | str]:
        """The attribute and its values (yes / no / unsure)."""
        return {self.attribute: ("yes", "no", UNSURE)}


class AnswerContract(StrictModel):
    """Every answer field, in the answers model's order within each scope, and the attributes drawn
    from more than one answer."""

    fields: list[AnswerField] = Field(min_length=1)
    derived: list[DerivedAttribute] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> AnswerContract:
        seen: set[tuple[str, str]] = set()
        for field in self.fields:
            key = (field.scope, field.answer)
            if key in seen:
                raise ValueError(f"the field {field.path} is declared twice")
            seen.add(key)
        given = {a for f in self.fields for a in f.attribute_values()}
        for derived in self.derived:
            if derived.attribute in given:
                raise ValueError(f"the attribute {derived.attribute} is given by an answer field and derived too")
            given.add(derived.attribute)
        return self

    def of(self, scope: Scope) -> list[AnswerField]:
        return [f for f in self.fields if f.scope == scope]

    def field(self, scope: Scope, answer: str) -> AnswerField | None:
        return next((f for f in self.fields if f.scope == scope and f.answer == answer), None)

    def derived_of(self, scope: Scope) -> list[DerivedAttribute]:
        return [d for d in self.derived if d.scope == scope]


def read_contract(path: Path) -> AnswerContract:
    """Read and check a contract file; a problem names the file and the field."""
    contract: AnswerContract = validate_file(AnswerContract, read_data_file(path), file=str(path))
    return contract


@cache
def answer_contract() -> AnswerContract:
    """The shipped contract (``rules/answer_contract.yaml``), read once per process."""
    return read_contract(rules_dir() / CONTRACT_FILE)
