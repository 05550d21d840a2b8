"""Did-you-mean suggestions for unknown ids and keys.

Typos are mostly one slip: a swapped pair, a missing, extra or wrong letter. The edit distance
with transpositions (optimal string alignment) ranks those first, so ``apr`` suggests ``arp``
rather than ``sar``; ``difflib``'s similarity ratio breaks ties and catches longer near-misses.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def _osa_distance(a: str, b: str) -> int:
    """Edit distance counting an adjacent transposition as one edit."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The most likely intended candidate, or None when nothing is close."""
    options = sorted(set(candidates))
    if not options:
        return None
    best = min(options, key=lambda c: (_osa_distance(word, c),
                                       -difflib.SequenceMatcher(None, word, c).ratio(), c))
    distance = _osa_distance(word, best)
    if distance <= max(1, len(word) // 3) or difflib.SequenceMatcher(None, word, best).ratio() >= 0.75:
        return best
    return None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``"did you mean 'x'?"`` for the closest candidate, or a short list of valid ones."""
    options = sorted(set(candidates))
    best = closest(word, options)
    if best is not None:
        return f"did you mean '{best}'?"
    if len(options) <= 8:
        return "expected one of: " + ", ".join(options)
    return "expected one of: " + ", ".join(options[:8]) + ", …"
