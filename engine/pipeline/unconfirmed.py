"""Nothing unconfirmed becomes a conclusion: suggested behaviours hold the status at needs_review.

A feature given only as a description gets suggested behaviours (``behaviours_suggested``,
:mod:`engine.model.answers`); the rule ``confirm_suggested_behaviours`` lists the open question
``confirm_behaviours`` for it. The rules still run on the suggestion, so the person sees what it
would lead to, but a "required" drawn while any suggestion is unconfirmed is only a likely
outcome: the filing status, and the status of each algorithm a suggested feature takes part
in, are held at ``needs_review`` until the behaviours are written into the answers.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from engine.model.answers import Answers
from engine.model.assessment import Algorithm, Assessment, Outline
from engine.model.base import Text
from engine.model.vocabulary import load_vocabulary

HELD: Final = "needs_review"


def _label() -> Text:
    return load_vocabulary().groups["applicability"][HELD]


def _suggested(answers: Answers) -> set[tuple[int, int]]:
    """(product position, feature position) of every feature whose behaviours are only suggested."""
    return {(p, f) for p, product in enumerate(answers.products) for f, feature in enumerate(product.features)
            if feature.behaviours_suggested}


def _held(algorithm: Algorithm, suggested: set[tuple[int, int]]) -> Algorithm:
    if algorithm.status != "required" or not any((ref.product, ref.index) in suggested
                                                 for ref in algorithm.feature_refs):
        return algorithm
    return algorithm.model_copy(update={"status": HELD, "status_label": _label()})


def hold_unconfirmed(result: Assessment, answers: Answers) -> Assessment:
    """``result`` with "required" held at needs_review where it rests on suggested behaviours."""
    suggested = _suggested(answers)
    if not suggested:
        return result
    algorithms = tuple(_held(a, suggested) for a in result.algorithms)
    filing = result.filing
    if filing.status == "required":
        filing = filing.model_copy(update={"status": HELD, "label": _label()})
    return result.model_copy(update={"algorithms": algorithms, "filing": filing})


def hold_outline(outline: Outline, answers: Answers) -> Outline:
    """The triage outline held like the assessment (:func:`hold_unconfirmed`): the same status."""
    if outline.status != "required" or not _suggested(answers):
        return outline
    return dataclasses.replace(outline, status=HELD)
