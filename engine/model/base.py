"""Shared building blocks of every data model: strictness and bilingual text."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

Lang = Literal["zh", "en"]


class StrictModel(BaseModel):
    """A model that rejects unknown keys and cannot be changed once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_M = TypeVar("_M", bound=BaseModel)


def trusted(cls: type[_M], **values: Any) -> _M:
    """A model built from values that are already valid, without validating them again: for the
    assembly's many rows (trace entries, duties, materials), whose values come from a validated
    rulebook and answers. Every field must be given, as validation would leave it (tuples, not
    lists); ``tests/test_contract_json.py`` reads every example back and compares field for field."""
    return _built(cls, values, set(values))


def replaced(model: _M, **update: Any) -> _M:
    """``model.model_copy(update=update)`` for a frozen model of ours, without pydantic's generic
    deep-capable copy: dating makes a few per duty, step and algorithm. Our models have no private
    attributes and forbid extras, so a new ``__dict__`` with the same fields set (plus the updated
    ones) is the whole copy; ``update`` holds valid values only, as for :func:`trusted`."""
    return _built(type(model), {**model.__dict__, **update}, model.__pydantic_fields_set__ | update.keys())


def _built(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """A model of ``cls`` holding ``values`` as they are (what pydantic's own construction sets)."""
    model = object.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


class Text(StrictModel):
    """A text in Chinese and English; the stored form of every label or explanation."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.zh if lang == "zh" else self.en


def cite(short: Text, statutory: bool, article: str | None, note: Text | None, lang: Lang) -> str:
    """How a legal reference is cited: ``《算法推荐管理规定》第24条（第一款）`` /
    ``Algorithm Recommendation Provisions, Art. 24 (¶1)``; a non-statutory source by its name alone.

    One function for the rulebook (which renders its bases) and the JSON contract (which stores
    the law, article and note, and renders the citation again when read back)."""
    if not statutory:
        text = short.get(lang)
    elif lang == "zh":
        text = f"《{short.zh}》" + (f"第{article}条" if article else "")
    else:
        text = short.en + (f", Art. {article}" if article else "")
    if note:
        text += f" ({note.get(lang)})" if lang == "en" else f"（{note.get(lang)}）"
    return text
