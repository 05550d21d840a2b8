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
