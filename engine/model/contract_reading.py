"""What reading a compact assessment shares across the contract's versions (4.0 and 5.0): which
algorithm fields carry a vocabulary label, the error a row naming an unknown id raises, and the
lookups of a catalogue's labels and laws. The versions' row and catalogue models stay their own
(:mod:`engine.model.contract_v4` is frozen); these read them alike, by their field names."""

from __future__ import annotations

from typing import Any

from engine.model.assessment import LegalRef
from engine.model.base import Text, cite

LABELLED = (("type", "algorithm_type"), ("subtype", "algorithm_subtype"), ("status", "applicability"),
            ("genai_route", "genai_route"))
"""Algorithm fields whose label is the vocabulary's (the role is apart: a null role has a label too)."""


class UnresolvedId(ValueError):
    """A row of a compact assessment names an id (or a position) its catalogue or lists do not hold."""


class CatalogueReader:
    """Looks up what a row names in a catalogue (``labels``, ``laws``: the same fields in every
    version), each failure an :class:`UnresolvedId` naming the row and the section."""

    def __init__(self, catalogue: Any) -> None:
        self.catalogue = catalogue
        self.cited: dict[Any, LegalRef] = {}

    def _get(self, table: dict[str, Any], key: str, where: str, used_at: str) -> Any:
        try:
            return table[key]
        except KeyError:
            raise UnresolvedId(f"{used_at} names '{key}', which {where} does not hold") from None

    def label(self, group: str, key: str, used_at: str) -> Text:
        found: Text = self._get(self.catalogue.labels.get(group, {}), key, f"catalogue.labels.{group}", used_at)
        return found

    def refs(self, basis: tuple[Any, ...], used_at: str) -> tuple[LegalRef, ...]:
        """The basis (citations: law, article, note) with each reference cited again from its law's
        name (as :func:`cite` did when the file was written)."""
        out = []
        for c in basis:
            ref = self.cited.get(c)
            if ref is None:
                law = self._get(self.catalogue.laws, c.law, "catalogue.laws", f"{used_at}.law")
                text = Text(zh=cite(law.short, law.statutory, c.article, c.note, "zh"),
                            en=cite(law.short, law.statutory, c.article, c.note, "en"))
                ref = self.cited[c] = LegalRef(law=c.law, article=c.article, citation=text)
            out.append(ref)
        return tuple(out)
