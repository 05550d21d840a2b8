"""What a feature added to known answers means for the filing: a new filing or a change filing.

``algo-filing ask --new-feature`` describes one more feature of a product that is presumably
filed already. For every algorithm the feature uses this module says which of the two the
rules catalogue (``rules/catalogue/process.yaml``, ``new_feature``) names: an algorithm the
answers before did not have is a new filing (算法推荐管理规定 Art. 24 ¶1); one they had gains a
feature, which changes its filed information (Art. 24 ¶2, a change filing). Either is due a
number of working days after the feature's own launch date, as the duty's deadline says.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.model.answers import Answers
from engine.model.assessment import Assessment, BasisKind, DueDate, LegalRef, ProductRef
from engine.model.base import StrictModel, Text
from engine.pipeline.citations import legal_refs
from engine.pipeline.deadlines import due_date
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

    ``before`` is the assessment without the feature, ``after`` with it (of ``answers``).
    """
    item = answers.products[product]
    new = item.features[feature]
    # What is filed comes from the answers (filed_algorithms), never from the assessment before:
    # an algorithm the earlier answers had may never have been filed (rulings.md #16).
    filed = {a.id for a in after.algorithms if a.filed is not None}
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
        working_days = deadline.working_days_at(after.filing.as_of)
        event: Literal["launch", "change"] = "launch" if kind == "new_algorithm" else "change"
        due = (due_date(ProductRef(index=product, name=item.name), event, new.launch_date, working_days, book.counting)
               if new.launch_date is not None and working_days is not None else None)
        out.append(FeatureFilingOut(
            algorithm=algorithm.id, name=algorithm.name, type_label=algorithm.type_label, kind=kind,
            label=spec.label, explanation=spec.explanation, obligation=duty.id, basis_kind=duty.basis_kind,
            basis=legal_refs(book, duty.basis), deadline=deadline.text, due=due))
    return NewFeatureFilings(product=item.name, feature=new.name,
                             launch_date=new.launch_date.isoformat() if new.launch_date else None,
                             filings=tuple(out))


def _own_filing_duty(after: Assessment, algorithm: str) -> str | None:
    """The filing duty the algorithm's own assessment concluded (statute first): ARP Art. 24 only
    with opinion attributes, the practice filing without, DSP Art. 19 para. 2 for a supporter."""
    duties = [o for o in after.obligations if o.files_algorithm
              and any(t.kind == "algorithm" and t.id == algorithm for t in o.applies_to)]
    duties.sort(key=lambda o: o.basis_kind != "statute")
    return duties[0].id if duties else None

