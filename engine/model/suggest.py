"""Did-you-mean suggestions for unknown ids and keys.

Typos are mostly one slip: a swapped pair, a missing, extra or wrong letter. The edit distance
with transpositions (optimal string alignment) ranks those first, so ``apr`` suggests ``arp``
rather than ``sar``; ``difflib``'s similarity ratio breaks ties and catches longer near-misses.

A suggestion costs time in the product of the two lengths, for every candidate. So that a
hostile document (a thousand unknown 100-character ids) is refused in well under a second,
three bounds hold: words and candidates longer than :data:`LONGEST` characters are never
compared (no id is that long, and a typo in a long name is found by reading it), candidates
whose length alone rules them out are skipped, and while a document is validated
(:func:`suggestions_limited`) only its first :data:`SUGGESTED` unknown values get a
suggestion; the rest are listed plainly with the valid choices.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LONGEST = 64
"""Longest word or candidate compared for a suggestion (ids are at most ~40 characters)."""

SUGGESTED = 10
"""Unknown values of one document that get a suggestion; the rest get the plain list."""

_LEFT: ContextVar[int | None] = ContextVar("suggestions_left", default=None)
"""Suggestions still to give while a document is validated; None: no limit (one message)."""


@contextmanager
def suggestions_limited(count: int = SUGGESTED) -> Iterator[None]:
    """Within the block, only the first ``count`` calls of :func:`did_you_mean` look for the closest
    candidate (one document's validation: its problems are many, the typos behind them few)."""
    token = _LEFT.set(count)
    try:
        yield
    finally:
        _LEFT.reset(token)


def _take_one() -> bool:
    """Whether a suggestion may still be computed (and count it)."""
    left = _LEFT.get()
    if left is None:
        return True
    if left <= 0:
        return False
    _LEFT.set(left - 1)
    return True


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


def _could_be_close(word: str, candidate: str, edits: int) -> bool:
    """Whether ``candidate`` could pass :func:`closest`'s test, judged by the lengths alone: the
    edit distance is at least the length difference, the ratio at most 2·shorter/(sum)."""
    if len(candidate) > LONGEST:
        return False
    shorter, total = min(len(word), len(candidate)), len(word) + len(candidate)
    return abs(len(word) - len(candidate)) <= edits or (total > 0 and 2 * shorter / total >= 0.75)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The most likely intended candidate, or None when nothing is close."""
    if len(word) > LONGEST:
        return None
    edits = max(1, len(word) // 3)
    scored = []
    for candidate in sorted(set(candidates)):
        if _could_be_close(word, candidate, edits):
            ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
            scored.append((_osa_distance(word, candidate), -ratio, candidate))
    if not scored:
        return None
    distance, ratio, best = min(scored)
    return best if distance <= edits or -ratio >= 0.75 else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``"did you mean 'x'?"`` for the closest candidate, or a short list of valid ones."""
    options = sorted(set(candidates))
    best = closest(word, options) if _take_one() else None
    if best is not None:
        return f"did you mean '{best}'?"
    if len(options) <= 8:
        return "expected one of: " + ", ".join(options)
    return "expected one of: " + ", ".join(options[:8]) + ", …"
