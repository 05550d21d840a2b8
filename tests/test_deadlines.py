"""Due dates in the assessment, from the answers' launch, change and termination dates.

Hand-counted from the State Council's 2025 holiday notice (1–8 October off; 28 September and
11 October worked): see tests/test_workdays.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from engine import (
    Answers,
    Assessment,
    assess,
    build_facts,
    default_rulebook,
    evaluate,
    parse_answers,
    read_assessment,
)
from engine.pipeline.assemble import assemble
from engine.pipeline.workdays import covered_years

ROOT = Path(__file__).resolve().parent.parent
AFTER = ROOT / "tests" / "fixtures" / "diff" / "news_after.yaml"
D = dt.date


def _answers(**dates: str) -> Answers:
    return parse_answers({
        "entity": {"name": "某某科技有限公司"},
        "products": [{
            "name": "某某新闻", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
            "news": True, "commercial": True, **dates,
            "features": [{"name": "首页推荐", "behaviours": ["recommend_by_profile"]}],
        }],
    })


def _assess_dated(answers: Answers, as_of: dt.date | None = None) -> Assessment:
    """The assessment pipeline, stage by stage (the dates reach the schedule through the facts)."""
    book = default_rulebook()
    when = as_of or answers.as_of or book.as_of
    roots = build_facts(answers, when)
    return assemble(book, roots, evaluate(roots, book), when)


def _due(a: Assessment, obligation: str) -> list[dict[str, Any]]:
    ob = next(o for o in a.obligations if o.id == obligation)
    return [d.model_dump(mode="json") for d in ob.due]


def test_filing_due_ten_working_days_after_launch_across_national_day() -> None:
    a = _assess_dated(_answers(launch_date="2025-09-30"))
    [due] = _due(a, "arp_24")
    assert due["date"] == "2025-10-21" and due["event"] == "launch" and due["working_days"] == 10


def test_launch_on_the_sunday_make_up_day() -> None:
    [due] = _due(_assess_dated(_answers(launch_date="2025-09-28")), "arp_24")
    assert due["date"] == "2025-10-17"


def test_change_and_cancellation_due_dates() -> None:
    a = _assess_dated(_answers(launch_date="2025-03-03", change_date="2025-09-30",
                               termination_date="2025-09-26"))
    assert [d["date"] for d in _due(a, "arp_24_p2")] == ["2025-10-21"]
    assert [(d["date"], d["working_days"]) for d in _due(a, "arp_24_p3")] == [("2025-10-30", 20)]


def test_review_step_statutory_and_practice_dates() -> None:
    a = _assess_dated(_answers(launch_date="2025-09-30"))
    review = next(s for s in a.steps if s.id == "review")
    [dates] = review.dates
    assert dates.start == D(2025, 10, 21)  # complete materials on the last day to file
    assert dates.statutory_by == D(2025, 12, 2)  # + 30 working days (Art. 25)
    assert (dates.practice_from, dates.practice_to) == (D(2026, 1, 19), D(2026, 2, 18))  # + 90–120 days
    entity = next(s for s in a.steps if s.id == "entity_filing")
    assert entity.dates[0].practice_to == D(2025, 10, 21)  # through by the last day to file


def test_no_dates_no_due_dates_but_the_convention_is_stated() -> None:
    a = _assess_dated(_answers())
    assert all(not o.due for o in a.obligations) and all(not s.dates for s in a.steps)
    assert a.filing.calendar is not None
    assert "day 1 is the first working day after it" in a.filing.calendar.convention.en
    assert (a.filing.calendar.covered_from, a.filing.calendar.covered_to) == covered_years()


def test_a_date_beyond_the_calendar_gets_a_marked_estimate_not_a_due_date() -> None:
    last = covered_years()[1]
    [due] = _due(_assess_dated(_answers(launch_date=f"{last}-12-28")), "arp_24")
    assert due["date"] is None and due["estimate"] is not None
    assert due["estimate"].startswith(str(last + 1))
    assert str(last + 1) in due["note"]["en"] and "estimate" in due["note"]["en"]


def test_dated_assessment_keeps_the_top_level_keys_and_round_trips() -> None:
    text = _assess_dated(_answers(launch_date="2025-09-30")).to_json()
    assert list(json.loads(text)) == [
        "schema_version", "rules_version", "filing", "algorithms", "laws", "targets", "obligations", "materials",
        "steps", "display", "open_questions", "trace"]
    assert read_assessment(text).to_json() == text
    assert _assess_dated(_answers(launch_date="2025-09-30")).to_json() == text


def test_labelling_duties_do_not_apply_before_2025_09_01() -> None:
    before = assess(AFTER, as_of=D(2025, 6, 1))
    on = assess(AFTER, as_of=D(2025, 9, 1))
    assert not [o.id for o in before.obligations if o.id.startswith("lbl_")]
    assert "labelling_materials" not in [m.id for m in before.materials]
    assert {"lbl_4", "lbl_5", "lbl_8", "lbl_9", "lbl_12"} <= {o.id for o in on.obligations}
    assert "labelling_materials" in [m.id for m in on.materials]
    assert before.filing.as_of == D(2025, 6, 1)


def test_a_service_launched_before_the_provisions_counts_from_their_entry_into_force() -> None:
    """Art. 24 did not exist in 2020: a 2020 launch is due 10 working days after 2022-03-01."""
    from engine import assess, parse_answers

    answers = parse_answers({
        "entity": {"name": "某公司"},
        "products": [{"name": "老应用", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
                      "launch_date": "2020-09-01",
                      "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}],
    })
    filing = next(o for o in assess(answers).obligations if o.id == "arp_24")
    assert filing.due is not None
    due = filing.due[0]
    assert due.event_date.isoformat() == "2020-09-01"
    assert due.date is not None and due.date.isoformat() == "2022-03-15"
    assert due.note is not None and "2022-03-01" in due.note.en
