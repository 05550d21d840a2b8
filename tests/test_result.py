"""Issue 17: the result a product manager can forward (first screen, short default, exports)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import assess, load_answers
from engine.model.assessment import Assessment

FIXTURE = Path(__file__).parent / "fixtures" / "result" / "ride_hailing_pm.yaml"
AS_OF = dt.date(2026, 12, 4)


@pytest.fixture(scope="module")
def ride() -> Assessment:
    return assess(load_answers(FIXTURE), as_of=AS_OF)


@pytest.fixture(scope="module")
def ride_no_opinion() -> Assessment:
    answers = load_answers(FIXTURE)
    product = answers.products[0].model_copy(update={"opinion_features": ()})
    return assess(answers.model_copy(update={"products": (product,)}), as_of=AS_OF)


def test_actions_put_the_generative_ai_registration_first(ride: Assessment) -> None:
    actions = ride.filing.actions
    assert actions[0].kind == "step" and actions[0].id == "genai_service_filing"
    assert actions[0].date == dt.date(2025, 6, 1) and actions[0].start_by == dt.date(2024, 10, 4)
    assert [a.date for a in actions] == sorted(a.date for a in actions if a.date)
    assert "genai_registration" not in [a.id for a in actions], "the dated step stands for the duty"
    filing = next(a for a in actions if a.id == "arp_24")
    assert filing.date == dt.date(2025, 6, 16) and filing.working_days == 10
    assert "arp_27" in [a.id for a in actions[:3]], "the security assessment is due before launch"


def test_no_due_says_why(ride: Assessment, ride_no_opinion: Assessment) -> None:
    assert ride.filing.no_due is None
    assert ride_no_opinion.filing.next_due is None
    reason = ride_no_opinion.filing.no_due
    assert reason is not None and "无法定期限" in reason.zh and "没有上线" not in reason.zh
    assert [a.id for a in ride_no_opinion.filing.actions] == ["genai_service_filing"]


def test_no_dates_at_all_is_the_reason_when_none_is_given() -> None:
    answers = load_answers(FIXTURE)
    product = answers.products[0].model_copy(update={"launch_date": None})
    result = assess(answers.model_copy(update={"products": (product,)}), as_of=AS_OF)
    assert result.filing.no_due is not None and "没有上线" in result.filing.no_due.zh
    assert result.filing.actions == ()
