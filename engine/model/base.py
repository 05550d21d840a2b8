"""Shared building blocks of every data model: strictness and bilingual text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Lang = Literal["zh", "en"]


class StrictModel(BaseModel):
    """A model that rejects unknown keys and cannot be changed once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
