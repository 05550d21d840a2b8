"""Which algorithms of an assessment are filed already (``filed_algorithms`` of the answers).

Filing is per algorithm (rulings.md #16): the tool knows what is filed only from the answers,
never by assumption. An algorithm of the assessment is covered by a filed one when the filed
number's type (decoded with :func:`engine.model.filing_number.decode_filing_number`) is its type,
the filed algorithm is linked to one of its products and, where the filed entry names features,
to one of its features. A covered algorithm needs no new filing: its filing due date is cleared
and the filing duty counts only for the algorithms still to file.
"""

from __future__ import annotations

from engine.model.answers import Answers, FiledAlgorithm
from engine.model.assessment import Algorithm, Assessment, FiledRef, ObligationOut
from engine.model.base import Text
from engine.model.filing_number import decode_filing_number, number_types
from engine.pipeline.deadlines import next_due

_ALL_FILED = Text(zh="无待办期限：需要备案的算法均已备案", en="no deadline: every algorithm to file is filed already")


def _types(filed: FiledAlgorithm) -> frozenset[str]:
    """The algorithm types a filed number may stand for (the lists' known exceptions included)."""
    return number_types(decode_filing_number(filed.number))


def _covers(filed: FiledAlgorithm, algorithm: Algorithm, answers: Answers) -> bool:
    if algorithm.type not in _types(filed):
        return False
    products = {p.index for p in algorithm.products if answers.products[p.index].name in filed.products}
    if not products:
        return False
    if not filed.features:
        return True
    return any(f.product in products and answers.products[f.product].features[f.index].name in filed.features
               for f in algorithm.feature_refs)


def mark_filed(assessment: Assessment, answers: Answers) -> Assessment:
    """The assessment with each covered algorithm's ``filed`` set and no filing date of its own."""
    if not answers.filed_algorithms:
        return assessment
    algorithms = []
    covered: set[str] = set()
    for algorithm in assessment.algorithms:
        filed = next((f for f in answers.filed_algorithms if _covers(f, algorithm, answers)), None)
        if filed is None:
            algorithms.append(algorithm)
            continue
        covered.add(algorithm.id)
        algorithms.append(algorithm.model_copy(update={
            "filed": FiledRef(number=filed.number, name=filed.name), "filing_due": None}))
    obligations = tuple(_without_covered(o, covered) for o in assessment.obligations)
    done = {o.id for o, now in zip(assessment.obligations, obligations, strict=True) if o.due and not now.due}
    due = next_due(obligations)
    filing = assessment.filing.model_copy(update={
        "next_due": due,
        "actions": tuple(a for a in assessment.filing.actions if not (a.kind == "obligation" and a.id in done)),
        "no_due": None if due is not None else (assessment.filing.no_due or _ALL_FILED)})
    return assessment.model_copy(update={"algorithms": tuple(algorithms), "obligations": obligations,
                                         "filing": filing})


def _without_covered(obligation: ObligationOut, covered: set[str]) -> ObligationOut:
    """A filing duty whose algorithms are all filed keeps no due date (it is done)."""
    if not obligation.files_algorithm or not obligation.due:
        return obligation
    algorithms = [t for t in obligation.applies_to if t.kind == "algorithm"]
    if algorithms and all(t.id in covered for t in algorithms):
        return obligation.model_copy(update={"due": ()})
    return obligation
