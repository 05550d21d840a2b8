"""The same fact must read the same in every draft and form field: contradictions get filings rejected.

The check reads the composed documents, not the answers: every sentence records the facts it
states (path and value as written), and a path written with two values anywhere is a conflict,
named with the documents that disagree.
"""

from __future__ import annotations

from collections import defaultdict

from engine.drafts.model import Conflict, Filing

SELF = "drafts."
"""Facts about the drafts themselves (the check's own count) are not compared."""


def check(filings: list[Filing]) -> tuple[int, list[Conflict]]:
    """How many distinct facts the drafts state, and each that reads differently in two places."""
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for filing in filings:
        for document in filing.documents:
            where = f"{filing.folder}/{document.title}"
            for sentence in document.sentences():
                for fact in sentence.facts:
                    if fact.path.startswith(SELF):
                        continue
                    seen[fact.path].setdefault(fact.value, where)
    conflicts = [Conflict(path=path, values=tuple((where, value) for value, where in values.items()))
                 for path, values in sorted(seen.items()) if len(values) > 1]
    return len(seen), conflicts
