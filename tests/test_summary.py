"""The terminal result: the summary first, tables that fit the terminal, labels instead of ids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from wcwidth import wcswidth

from engine import assess, load_answers
from engine.model.answers import parse_answers
from engine.render.summary import render_summary, render_terminal

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
NEWS = ROOT / "examples" / "news_app.yaml"


def test_the_first_lines_give_status_algorithms_and_next_deadline() -> None:
    result = assess(load_answers(NEWS))
    text = render_terminal(result, "zh", today=dt.date(2026, 3, 10), width=80)
    head = "\n".join(text.splitlines()[:15])
    assert "结论：需要备案" in head
    assert all(f in head for al in result.algorithms for f in al.features)   # status per algorithm
    deadline = next(line for line in head.splitlines() if line.startswith("下一个期限"))
    assert "下一个期限：2026-03-16" in deadline and "已逾期" not in deadline  # not yet past on 2026-03-10
    assert all(al.name.zh in text for al in result.algorithms)
    assert "结论：需要备案" in "\n".join(text.splitlines()[-3:])            # and again at the end


def test_a_past_deadline_is_flagged_overdue_in_red_on_a_terminal() -> None:
    result = assess(load_answers(NEWS))
    assert result.filing.next_due is not None and result.filing.next_due.due.date == dt.date(2026, 3, 16)
    plain = render_summary(result, "en", today=dt.date(2026, 3, 17))
    assert "Next deadline: 2026-03-16 (overdue)" in plain and "\x1b[" not in plain
    coloured = render_summary(result, "en", today=dt.date(2026, 3, 17), color=True)
    assert "\x1b[31m (overdue)\x1b[0m" in coloured


def test_no_dates_no_next_deadline() -> None:
    result = assess(load_answers(ROOT / "examples" / "chatbot_own_model.yaml"))
    if result.filing.next_due is None:
        assert "not computed" in render_summary(result, "en", today=dt.date(2026, 1, 1))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("full", [False, True])
def test_no_line_is_wider_than_80_columns(example: Path, lang: str, full: bool) -> None:
    text = render_terminal(assess(load_answers(example)), lang, today=dt.date(2026, 11, 30), width=80,  # type: ignore[arg-type]
                           full=full)
    too_wide = [line for line in text.splitlines() if wcswidth(line) > 80]
    assert not too_wide, too_wide[:3]


def test_labels_not_ids_unless_asked() -> None:
    result = assess(load_answers(ROOT / "examples" / "photo_effects_mini_program.yaml"))
    plain = render_terminal(result, "en", today=dt.date(2026, 11, 30), width=100)
    for raw in ("genai_registration", "genai_filing", "(required)", "[arp_", "[lbl_", "mini_program"):
        assert raw not in plain, raw
    with_ids = render_terminal(result, "en", today=dt.date(2026, 11, 30), width=100, ids=True, full=True)
    assert "[arp_" in with_ids


def test_english_names_keep_acronyms() -> None:
    answers = parse_answers({"entity": {"name": "x"}, "products": [{
        "name": "Scan", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
        "features": [{"name": "OCR", "behaviours": ["ocr"], "model_source": "own"}]}]})
    names = [a.name.en for a in assess(answers).algorithms]
    assert names == ["Scan text recognition (OCR) algorithm"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_practice_action_whose_title_says_practice_is_not_tagged_twice(lang: str) -> None:
    from engine import assess
    from engine.render.summary import action_line

    a = assess(ROOT / "examples" / "food_delivery.yaml")
    lines = [action_line(x, a.filing.as_of, lang, several=True) for x in a.filing.actions if x.basis_kind == "practice"]
    assert lines and not any("[实务] （实务）" in line or "[practice] (practice)" in line for line in lines)
