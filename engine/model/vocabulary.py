"""The stable ids of ``rules/vocabulary.yaml`` and their labels.

Ids are what answers, facts, rules and assessments store; labels are only displayed. Every
id check goes through :func:`check_id`, which answers an unknown id with a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from engine.model.base import Lang, StrictModel, Text
from engine.model.suggest import did_you_mean
from engine.model.validation import validate_file
from engine.model.yamlio import read_data_file

UNSURE = "unsure"
"""The answer "not known yet", accepted wherever an answer can be unknown (the tri_state group)."""

YES, NO = "yes", "no"
"""The tri_state group's other two ids: a yes/no answer or fact attribute."""

NONE = "none"
""""None of these": a multi-select's choice (stored as an empty list), a fact attribute without a value."""


class Vocabulary(StrictModel):
    """Every group of ids with the label of each id."""

    groups: dict[str, dict[str, Text]]
    subtypes: dict[str, list[str]] = Field(
        default_factory=dict, description="The algorithm types that have sub-types, with their sub-types")

    @model_validator(mode="after")
    def _subtypes_known(self) -> Vocabulary:
        """Every type and sub-type of ``subtypes`` is an id of its group, each sub-type of one type."""
        seen: set[str] = set()
        for type_, subtypes in self.subtypes.items():
            for group, value in [("algorithm_type", type_)] + [("algorithm_subtype", s) for s in subtypes]:
                if (problem := self.check_id(group, value)):
                    raise ValueError(f"subtypes: {problem}")
            if seen & set(subtypes):
                raise ValueError(f"subtypes: {sorted(seen & set(subtypes))[0]} is a sub-type of two types")
            seen |= set(subtypes)
        return self

    def ids(self, group: str) -> tuple[str, ...]:
        """The ids of ``group`` in file order."""
        return tuple(self.groups[group])

    def label(self, group: str, value: str, lang: Lang) -> str:
        """The display label of ``value``; ``unsure`` and unknown ids show as themselves."""
        if value == UNSURE:
            return "不确定" if lang == "zh" else "unsure"
        text = self.groups.get(group, {}).get(value)
        return text.get(lang) if text else value

    def check_id(self, group: str, value: str) -> str | None:
        """None when ``value`` is an id of ``group``, else the message to show."""
        if value in self.groups[group]:
            return None
        return f"unknown {group} id '{value}'; {did_you_mean(value, self.groups[group])}"


def known_id(group: str) -> Callable[[str], str]:
    """A validator of the ids of ``group`` in the shipped vocabulary: an id the vocabulary lists
    is valid as soon as it is listed (no Python names the ids of a group)."""
    ids = load_vocabulary().groups[group]

    def check(value: str) -> str:
        if value not in ids:
            raise PydanticCustomError("unknown_id", "unknown {group} id '{value}'; {hint}",
                                      {"group": group, "value": value[:80], "hint": did_you_mean(value, ids)})
        return value

    return check


def id_enum(group: str) -> WithJsonSchema:
    """The JSON Schema of an id of ``group``: a string ``enum`` of the shipped vocabulary's ids, in
    file order (the published schema lists what the shipped rules can conclude)."""
    return WithJsonSchema({"enum": list(load_vocabulary().ids(group)), "type": "string"})


def rules_dir() -> Path:
    """The directory of the shipped rule files (package data of ``rules``)."""
    return Path(str(resources.files("rules")))


@cache
def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    """Load ``vocabulary.yaml`` from ``directory`` (default: the shipped rules)."""
    path = (directory or rules_dir()) / "vocabulary.yaml"
    raw = read_data_file(path)
    return validate_file(Vocabulary, raw, file=str(path))
