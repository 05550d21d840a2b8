"""Legal references as an assessment cites them: each basis rendered once per rulebook version,
and the laws an assessment cites as that rulebook describes them."""

from __future__ import annotations

from engine.model.assessment import Algorithm, DisplayOut, LawOut, LegalRef, ObligationOut, Reason
from engine.model.base import Text
from engine.rules.basis import Basis
from engine.rules.rulebook import Rulebook

_REFS: dict[tuple[str, Basis], LegalRef] = {}
"""Rendered citations per rulebook version and basis: the same few dozen recur in every assessment."""


def legal_refs(book: Rulebook, basis: list[Basis]) -> tuple[LegalRef, ...]:
    """A catalogue item's or rule's basis as the assessment cites it (rendered in both languages)."""
    key = (book.rules_version, tuple(basis))
    found = _BASES.get(key)
    if found is None:
        found = _BASES[key] = _render(book, basis)
    return found


_BASES: dict[tuple[str, tuple[Basis, ...]], tuple[LegalRef, ...]] = {}
"""Rendered citations per rulebook version and basis list (a few hundred per rulebook)."""


def _render(book: Rulebook, basis: list[Basis]) -> tuple[LegalRef, ...]:
    out = []
    for b in basis:
        key = (book.rules_version, b)
        ref = _REFS.get(key)
        if ref is None:
            ref = _REFS[key] = LegalRef(law=b.law, article=b.article,
                                        citation=Text(zh=b.render(book.laws, "zh"), en=b.render(book.laws, "en")))
        out.append(ref)
    return tuple(out)



def laws_cited(book: Rulebook, *cited: list[Reason] | list[Algorithm] | list[ObligationOut] | list[DisplayOut],
          ) -> tuple[LawOut, ...]:
    """The laws the assessment cites, as this rulebook describes them (titles, in-force dates)."""
    ids = {ref.law for items in cited for item in items for ref in item.basis}
    out = []
    for law in book.laws.values():
        if law.id in ids:
            key = (book.rules_version, law.id)
            if (cached := _LAWS.get(key)) is None:
                cached = _LAWS[key] = LawOut(id=law.id, title=law.title, short=law.short,
                                             in_force=law.in_force, statutory=law.statutory)
            out.append(cached)
    return tuple(out)


_LAWS: dict[tuple[str, str], LawOut] = {}
"""The laws as the assessment shows them, per rulebook version and law id."""
