"""Practice gives way to statute: a practice duty is not listed for an algorithm a statute binds.

An algorithm used by two products, one with public-opinion attributes and one without, is filed
once, under Art. 24 (its status is the strongest of its products', ``rules/catalogue/status.yaml``).
The practice filing that the product without attributes concludes (``practice_filing``) then
adds nothing for that algorithm, and listed beside the statute it dated a "recommended" filing
for the product that has the attributes. A catalogue duty names the statutory duties it yields
to (``yields_to``); this stage drops from it every algorithm one of them already applies to, and
drops the duty, with its conclusions in the trace, when no target is left. The rule still fired,
so the trace keeps its entry for the other conclusions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.model.assessment import ObligationOut, TraceEntry
from engine.rules.catalogue import Obligation


def yield_to_statute(obligations: Sequence[ObligationOut],
                     catalogue: Mapping[str, Obligation]) -> tuple[list[ObligationOut], frozenset[str]]:
    """The obligations with each yielding duty's bound algorithms removed, and the ids dropped whole."""
    applies = {o.id: o.applies_to for o in obligations}
    kept: list[ObligationOut] = []
    dropped: set[str] = set()
    for ob in obligations:
        bound = {t.id for other in catalogue[ob.id].yields_to for t in applies.get(other, ())
                 if t.kind == "algorithm"}
        targets = tuple(t for t in ob.applies_to if not (t.kind == "algorithm" and t.id in bound))
        if not targets:
            dropped.add(ob.id)
        elif len(targets) == len(ob.applies_to):
            kept.append(ob)
        else:
            kept.append(ob.model_copy(update={"applies_to": targets}))
    return kept, frozenset(dropped)


def dropped_conclusions(dropped: frozenset[str]) -> frozenset[str]:
    """How the trace names the conclusions of the duties dropped whole."""
    return frozenset(f"obligations.{oid}" for oid in dropped)


def without_dropped(trace: Sequence[TraceEntry], dropped: frozenset[str]) -> tuple[TraceEntry, ...]:
    """The trace without its conclusions of dropped duties (an entry left with none goes too)."""
    if not dropped:
        return tuple(trace)
    names = dropped_conclusions(dropped)
    out = []
    for entry in trace:
        conclusions = tuple(c for c in entry.conclusions if c not in names)
        if len(conclusions) == len(entry.conclusions):
            out.append(entry)
        elif conclusions:
            out.append(entry.model_copy(update={"conclusions": conclusions}))
    return tuple(out)
