"""What a feature added to known answers means for the filing: a new filing or a change filing.

``algo-filing ask --new-feature`` describes one more feature of a product that is presumably
filed already. For every algorithm the feature uses this module says which of the two the
rules catalogue (``rules/catalogue/process.yaml``, ``new_feature``) names: an algorithm the
answers before did not have is a new filing (算法推荐管理规定 Art. 24 ¶1); one they had gains a
feature, which changes its filed information (Art. 24 ¶2, a change filing). Either is due a
number of working days after the feature's own launch date, as the duty's deadline says.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from engine.model.answers import Answers
from engine.model.assessment import Assessment, BasisKind, DueDate, LegalRef, ProductRef
from engine.model.base import StrictModel, Text
from engine.pipeline.citations import legal_refs
from engine.pipeline.deadlines import due_date
from engine.pipeline.novelty import new_algorithms
from engine.rules.rulebook import Rulebook

FilingKind = Literal["new_algorithm", "filed_algorithm"]


class FeatureFilingOut(StrictModel):
    """One algorithm the new feature uses, and the filing it calls for."""

    algorithm: str = Field(description="The algorithm's id in the assessment after the feature")
    name: Text
    type_label: Text
    kind: FilingKind = Field(description="new_algorithm: a new filing; filed_algorithm: a change filing")
    label: Text
    explanation: Text
    obligation: str
    basis_kind: BasisKind = Field(description="statute: a statutory deadline; practice: a recommended date")
    basis: tuple[LegalRef, ...]
    deadline: Text
    due: DueDate | None = Field(description="From the feature's launch date; null when it was not given")


class NewFeatureFilings(StrictModel):
    """The filings one new feature calls for, per algorithm it uses."""

    product: str
    feature: str
    launch_date: str | None
    filings: tuple[FeatureFilingOut, ...]


def feature_filings(book: Rulebook, before: Assessment, after: Assessment, answers: Answers,
                    product: int, feature: int) -> NewFeatureFilings:
    """The filings the ``feature``-th feature of the ``product``-th product calls for.

    ``before`` is the assessment without the feature, ``after`` with it (of ``answers``). A filed
    algorithm gains a change filing; one not filed a new filing, counted from the feature's launch
    where it is new (:func:`engine.pipeline.novelty.new_algorithms`, as ``algo-filing diff``
    decides), else due as it was from the product's launch.
    """
    item = answers.products[product]
    new = item.features[feature]
    # What is filed comes from the answers (filed_algorithms), never from the assessment before:
    # an algorithm the earlier answers had may never have been filed (rulings.md #16). What is
    # new, and so counted from the feature's launch, is the one decision `algo-filing diff` takes.
    filed = {a.id for a in after.algorithms if a.filed is not None}
    new_ids = new_algorithms(before, after)
    out: list[FeatureFilingOut] = []
    for algorithm in after.algorithms:
        if not any(f.product == product and f.index == feature for f in algorithm.feature_refs):
            continue
        kind: FilingKind = "filed_algorithm" if algorithm.id in filed else "new_algorithm"
        spec = getattr(book.new_feature, kind)
        duty = book.obligations[spec.obligation if kind == "filed_algorithm" else _own_filing_duty(after, algorithm.id)
                                or spec.obligation]
        deadline = duty.deadline
        assert deadline is not None and deadline.working_days is not None, "checked when the rulebook loads"
        if kind == "new_algorithm" and algorithm.id not in new_ids:
            # not new: an algorithm the answers before had, never filed, was due from its launch
            due = algorithm.filing_due.due if algorithm.filing_due is not None else None
        else:
            due = _due_from_feature(book, ProductRef(index=product, name=item.name), kind, new.launch_date,
                                    deadline.working_days_at(after.filing.as_of))
        out.append(FeatureFilingOut(
            algorithm=algorithm.id, name=algorithm.name, type_label=algorithm.type_label, kind=kind,
            label=spec.label, explanation=spec.explanation, obligation=duty.id, basis_kind=duty.basis_kind,
            basis=legal_refs(book, duty.basis), deadline=deadline.text, due=due))
    return NewFeatureFilings(product=item.name, feature=new.name,
                             launch_date=new.launch_date.isoformat() if new.launch_date else None,
                             filings=tuple(out))


def _due_from_feature(book: Rulebook, product: ProductRef, kind: FilingKind, launch: dt.date | None,
                      working_days: int | None) -> DueDate | None:
    """A filing counted from the feature's launch: a new algorithm's as from a launch, a filed
    one's as from a change; None without the feature's launch date or a count in force."""
    if launch is None or working_days is None:
        return None
    event: Literal["launch", "change"] = "launch" if kind == "new_algorithm" else "change"
    return due_date(product, event, launch, working_days, book.counting)


def _own_filing_duty(after: Assessment, algorithm: str) -> str | None:
    """The filing duty the algorithm's own assessment concluded (statute first): ARP Art. 24 only
    with opinion attributes, the practice filing without, DSP Art. 19 para. 2 for a supporter."""
    duties = [o for o in after.obligations if o.files_algorithm
              and any(t.kind == "algorithm" and t.id == algorithm for t in o.applies_to)]
    duties.sort(key=lambda o: o.basis_kind != "statute")
    return duties[0].id if duties else None

