"""Laws and legal references: what every rule, catalogue entry and data judgement cites.

Kept apart from the rulebook so that the stages below it (the facts) can carry a basis too.
"""

from __future__ import annotations

import datetime as dt

from engine.model.base import Lang, StrictModel, Text, cite


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
        return cite(law.short, law.statutory, self.article, self.note, lang)
