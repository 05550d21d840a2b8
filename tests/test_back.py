"""Back (Esc) from every question of the product manager's ride-hailing product (issue 16).

The questions are shown by the terminal layer (:class:`cli.session.Session`) and answered with
real keystrokes through a prompt_toolkit pipe input, one fresh pipe per prompt, so Esc is the
key a person presses, not a flag. The product is ``examples/shunlu_ride_hailing.yaml``: five
features named in one answer, whose names and "another feature?" answers are carried, which is
where Back used to land several questions too early and ask skipped questions again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from cli import Prompter
from cli.session import Session
from engine import load_answers
from engine.questionnaire.flow import Flow
from engine.questionnaire.loader import default_questionnaire

ROOT = Path(__file__).resolve().parent.parent
Q = default_questionnaire()
ESC, ENTER = "\x1b", "\r"
pytestmark = pytest.mark.timeout(120)

PRODUCT = {
    "product_name": "顺路出行", "forms": ["app", "mini_program"], "audience": ["public"],
    "opinion_features": ["own_account_or_mini_program"], "user_groups": ["consumers", "workers"],
    "launch_date": "2025-06-01",
    "feature_name": "订单派单、动态定价、首页推荐、AI客服、司机接单排序", "another_product": "no",
}
FEATURES = [
    {"does": ["decides"], "decides_what": ["order_dispatch"]},
    {"does": ["decides"], "decides_what": ["dynamic_pricing"]},
    {"does": ["picks_for_user"], "personalises": ["recommend_by_profile"]},
    {"does": ["makes_content"], "generates": ["smart_customer_service"], "model_source": "third_party_api"},
    {"does": ["orders_items"], "orders": ["list_sorting"]},
]


def script(flow: Flow) -> Any:
    """The PM's answer to the flow's current question."""
    slot = flow.current().slot  # type: ignore[union-attr]
    if slot.question == "entity_name":
        return "某某顺路科技有限公司"
    if slot.feature is None or slot.question == "feature_name":
        return PRODUCT[slot.question]
    return FEATURES[slot.feature][slot.question]


class Stop(Exception):
    """The keys of a test ran out: the session stops there."""


class Keys(Prompter):
    """A prompter typing the next string of ``presses`` into each prompt it shows."""

    def __init__(self, presses: list[str], flow: Flow) -> None:
        super().__init__()
        self.presses = presses
        self.flow = flow
        self.shown: list[str] = []
        """The slot of every question shown, in order."""

    def _typed(self, method: str, message: str, *args: Any, **kwargs: Any) -> Any:
        if not self.presses:
            raise Stop
        self.shown.append(self.flow.current().slot.key)  # type: ignore[union-attr]
        with create_pipe_input() as pipe:
            pipe.send_text(self.presses.pop(0))
            self.io = {"input": pipe, "output": DummyOutput()}
            return getattr(Prompter, method)(self, message, *args, **kwargs)

    def select(self, message: str, *args: Any, **kwargs: Any) -> Any:
        return self._typed("select", message, *args, **kwargs)

    def checkbox(self, message: str, *args: Any, **kwargs: Any) -> Any:
        return self._typed("checkbox", message, *args, **kwargs)

    def text(self, message: str, *args: Any, **kwargs: Any) -> Any:
        return self._typed("text", message, *args, **kwargs)

    def say(self, *args: Any, **kwargs: Any) -> None:
        """The session's other lines are not under test here."""


def ride() -> list[str]:
    """Every question the PM is asked, in order (slot keys)."""
    flow = Flow(Q)
    asked = []
    while (step := flow.current()) is not None:
        asked.append(step.slot.key)
        flow.answer(script(flow))
    return asked


def test_the_pm_product_is_the_example_file_and_takes_the_questions_counted() -> None:
    flow = Flow(Q)
    while flow.current() is not None:
        flow.answer(script(flow))
    example = load_answers(ROOT / "examples" / "shunlu_ride_hailing.yaml")
    answered = flow.answers()
    assert [f.behaviours for f in answered.products[0].features] == [
        f.behaviours for f in example.products[0].features]
    assert answered.products[0].opinion_features == example.products[0].opinion_features
    assert answered.products[0].features[3].large_model is True      # follows from the model source
    assert len(ride()) == PM_QUESTIONS <= 20                          # issue 16: at most 20


PM_QUESTIONS = 20
"""The questions the PM's product takes: the entity, six about the product (name, forms, audience,
the opinion checklist with news as its last tick, user groups, the launch date), the five features
named in one answer, two questions for each (what it does, which exactly) and the one model
question of the AI assistant, and "another product?"."""


@pytest.mark.parametrize("position", range(1, PM_QUESTIONS))
def test_esc_from_every_question_goes_back_one_and_enter_returns(position: int, tmp_path: Path) -> None:
    """At the question in ``position``, Esc shows the question before it with its answer; Enter keeps
    that answer and shows the question of ``position`` again, nothing skipped asked again."""
    asked = ride()
    flow = Flow(Q)
    for _ in range(position):
        flow.answer(script(flow))
    assert flow.current().slot.key == asked[position]  # type: ignore[union-attr]
    before = dict(flow.values)
    keys = Keys([ESC, ENTER], flow)
    with pytest.raises(Stop):
        Session(flow, tmp_path / "draft.yaml", "zh", keys).run_questions()
    assert keys.shown == [asked[position], asked[position - 1]]
    assert flow.current().slot.key == asked[position], (  # type: ignore[union-attr]
        f"Esc at {asked[position]} then Enter should come back to it")
    assert flow.values == before
    assert flow.answered_count() == position


def test_esc_at_the_last_question_after_five_features_lands_on_the_question_before(tmp_path: Path) -> None:
    """The reported case: Esc on "another product?" (last question) went to question 18."""
    asked = ride()
    flow = Flow(Q)
    for _ in range(len(asked) - 1):
        flow.answer(script(flow))
    assert flow.current().slot.question == "another_product"  # type: ignore[union-attr]
    keys = Keys([ESC], flow)
    with pytest.raises(Stop):
        Session(flow, tmp_path / "draft.yaml", "zh", keys).run_questions()
    step = flow.current()
    assert step is not None and step.slot.key == asked[-2]
    assert step.index == len(asked) - 2
