"""Laws and legal references: what every rule, catalogue entry and data judgement cites.

Kept apart from the rulebook so that the stages below it (the facts) can carry a basis too.
"""

from __future__ import annotations

import datetime as dt

from engine.model.base import Lang, StrictModel, Text


class Law(StrictModel):
    """A regulation (or a non-statutory source such as practice) that rules cite."""

    id: str
    title: Text
    short: Text
    in_force: dt.date | None = None
    statutory: bool = True


class Basis(StrictModel):
    """A legal reference: a law id of ``catalogue/laws.yaml`` and an article."""

    law: str
    article: str | None = None
    note: Text | None = None

    def render(self, laws: dict[str, Law], lang: Lang) -> str:
        """``《算法推荐管理规定》第24条`` / ``Algorithm Recommendation Provisions, Art. 24``."""
        law = laws[self.law]
        if not law.statutory:
            text = law.short.get(lang)
        elif lang == "zh":
            text = f"《{law.short.zh}》" + (f"第{self.article}条" if self.article else "")
        else:
            text = law.short.en + (f", Art. {self.article}" if self.article else "")
        if self.note:
            text += f" ({self.note.get(lang)})" if lang == "en" else f"（{self.note.get(lang)}）"
        return text
