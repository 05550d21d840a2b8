"""Several products with the same features (issue 16 item 5): "same as the previous product",
several names at once, and the question asked before their features become one algorithm."""

from __future__ import annotations

from typing import Any

from engine import assess
from engine.questionnaire.flow import Flow
from engine.questionnaire.loader import default_questionnaire
from engine.questionnaire.slots import Slot

Q = default_questionnaire()

FIRST = {
    "entity_name": "某某词典科技有限公司", "product_name": "某某英汉词典", "forms": ["website"],
    "audience": ["public"], "opinion_features": ["none"], "user_groups": ["none"],
    "launch_date": "2024-03-01", "feature_name": "在线翻译",
    "does": ["makes_content"], "generates": ["machine_translation"],
    "model_source": "third_party_api", "another_feature": "no",
}


def four_websites(separate: str = "no") -> tuple[Flow, list[str]]:
    """An entity with four dictionary websites sharing one translation feature, as a person answers."""
    flow = Flow(Q)
    asked: list[str] = []
    while (step := flow.current()) is not None:
        slot = step.slot
        asked.append(slot.key)
        answer: Any
        if slot.question == "another_product":
            answer = "yes"
        elif slot.question == "same_as_previous":
            answer = "yes"
        elif slot.question == "product_name" and slot.product == 1:
            answer = "某某日汉词典、某某法汉词典、某某德汉词典"
        elif slot.question == "separate_algorithms":
            answer = separate
        else:
            answer = FIRST[slot.question]
        flow.answer(answer)
    return flow, asked


def test_four_websites_with_one_feature_take_at_most_20_questions_and_file_one_algorithm() -> None:
    flow, asked = four_websites()
    assert len(asked) == 16 <= 20, asked       # issue 16 item 5: at most 20
    answers = flow.answers()
    assert [p.name for p in answers.products] == ["某某英汉词典", "某某日汉词典", "某某法汉词典", "某某德汉词典"]
    assert all(p.forms == ["website"] and p.features[0].behaviours == ["machine_translation"]
               for p in answers.products)
    result = assess(answers)
    assert [(a.id, len(a.products)) for a in result.algorithms] == [
        ("generation_synthesis.machine_translation.service_provider", 4)]


def test_separate_algorithms_are_not_merged() -> None:
    flow, _ = four_websites(separate="yes")
    result = assess(flow.answers())
    assert len(result.algorithms) == 4
    assert [len(a.products) for a in result.algorithms] == [1, 1, 1, 1]
    assert [c.count for c in result.filing.counts] == [4]
    ids = [a.id for a in result.algorithms]
    assert len(set(ids)) == 4 and ids[0] == "generation_synthesis.machine_translation.service_provider"


def test_back_walks_through_the_copy_questions_and_no_drops_the_copies() -> None:
    flow, asked = four_websites()
    flow.edit("p1:separate_algorithms")
    assert flow.back()
    assert flow.current().slot.key == "p1:product_name"  # type: ignore[union-attr]
    assert flow.back()
    assert flow.current().slot.key == "p1:same_as_previous"  # type: ignore[union-attr]
    assert flow.back()
    assert flow.current().slot.key == "p0:another_product"  # type: ignore[union-attr]
    flow.answer("yes")
    flow.answer("no")  # p1 is not the same after all: its own questions come back
    assert Slot("forms", 1).key not in flow.values
    assert flow.current().slot.key == "p1:product_name"  # type: ignore[union-attr]


def test_the_first_product_is_never_asked_whether_it_is_the_same_as_the_previous() -> None:
    _, asked = four_websites()
    assert "p0:same_as_previous" not in asked and "p0:separate_algorithms" not in asked


def test_back_from_every_question_of_the_four_websites_lands_on_the_one_before_and_returns() -> None:
    """Issue 16 item 6 for a run with copied products: Back steps over the carried copies and the
    names carried by the list, and moving on comes back to the same question, nothing re-asked."""
    _, asked = four_websites()
    for position in range(1, len(asked)):
        flow = _answered_up_to(position)
        assert flow.current().slot.key == asked[position]  # type: ignore[union-attr]
        before = dict(flow.values)
        assert flow.back()
        step = flow.current()
        assert step is not None and step.slot.key == asked[position - 1], (asked[position], step)
        assert step.index == position - 1
        flow.answer(step.value)
        assert flow.current().slot.key == asked[position]  # type: ignore[union-attr]
        assert flow.values == before


def _answered_up_to(count: int) -> Flow:
    """The four-websites flow with its first ``count`` questions answered as in :func:`four_websites`."""
    flow = Flow(Q)
    for _ in range(count):
        slot = flow.current().slot  # type: ignore[union-attr]
        answer: Any = {"another_product": "yes", "same_as_previous": "yes", "separate_algorithms": "no"}.get(
            slot.question)
        names = "某某日汉词典、某某法汉词典、某某德汉词典"
        if answer is None:
            answer = names if (slot.question, slot.product) == ("product_name", 1) else FIRST[slot.question]
        flow.answer(answer)
    return flow
