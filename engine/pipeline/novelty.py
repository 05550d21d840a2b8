"""Which algorithms a change of the answers brings: one decision for ``algo-filing diff`` and
``algo-filing ask --new-feature``, so the two never disagree on what is new.

Filing is per algorithm (rulings.md #16): an algorithm the answers after have and the answers
before did not is new — a new filing (算法推荐管理规定 Art. 24 ¶1) counted from the feature going
live — unless a filed algorithm of the answers (``filed_algorithms``) covers it, which makes the
feature a change of that filing (Art. 24 ¶2). An algorithm the answers before had already is not
new: if it is not filed, its filing was due from the product's launch and still is.
"""

from __future__ import annotations

from engine.model.assessment import Assessment


def new_algorithms(before: Assessment, after: Assessment) -> frozenset[str]:
    """The ids of the algorithms of ``after`` that ``before`` lacks and no filed algorithm covers
    (``after`` as :func:`engine.assess` gives it, with ``filed`` set from the answers)."""
    had = {a.id for a in before.algorithms}
    return frozenset(a.id for a in after.algorithms if a.id not in had and a.filed is None)
