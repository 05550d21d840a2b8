"""The filing window that places the dated steps is data (issue 23.3): schedule.yaml's filing_window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rule_edits import edit_in_place

from engine import Rulebook, assess, load_rulebook
from engine.errors import RulebookError
from engine.model.vocabulary import rules_dir

ROOT = Path(__file__).resolve().parent.parent
NEWS_APP = ROOT / "examples" / "news_app.yaml"
SHIPPED = "filing_window: [arp_24, dsp_19, dsp_19_p2, gai_17]"


def _rules_with(tmp_path: Path, new: str) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = target / "catalogue" / "schedule.yaml"
    text = path.read_text(encoding="utf-8")
    assert SHIPPED in text, "schedule.yaml changed: update the test"
    path.write_text(text.replace(SHIPPED, new, 1), encoding="utf-8")
    return target


def _review_starts(rulebook: Rulebook | None = None) -> list[str]:
    result = assess(NEWS_APP, rulebook=rulebook)
    return [d.start.isoformat() for s in result.steps if s.id == "review" for d in s.dates]


def test_the_steps_count_from_the_duty_the_data_names(tmp_path: Path) -> None:
    """The news app concludes arp_24 (10 working days from its launch on 2026-03-02), not gai_17."""
    assert _review_starts() == ["2026-03-16"]
    book = load_rulebook(_rules_with(tmp_path, "filing_window: [gai_17]"))
    assert _review_starts(book) == []


@pytest.mark.parametrize(("new", "expected"), [
    ("filing_window: [arp_42]", "arp_42"),
    ("filing_window: [arp_16]", "no deadline in working days from launch"),
])
def test_a_filing_window_of_an_unknown_or_undated_duty_fails_with_the_file_and_key(
        tmp_path: Path, new: str, expected: str) -> None:
    with pytest.raises(RulebookError) as info:
        load_rulebook(_rules_with(tmp_path, new))
    message = str(info.value)
    assert "schedule.yaml" in message and "filing_window" in message and expected in message


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    rules = _rules_with(tmp_path, SHIPPED)
    edit_in_place(rules / "catalogue" / "schedule.yaml", [(old, new)])
    return rules


REVIEW_EN = 'en: "assuming complete materials are submitted on {day}, the last day allowed ({days} working days'


def test_what_a_report_says_of_a_step_start_is_data(tmp_path: Path) -> None:
    """The placement prose (why a step starts there) comes from schedule.yaml, with its values."""
    shipped = next(s for s in assess(NEWS_APP).steps if s.id == "review").dates[0].start_is.en
    assert shipped == "assuming complete materials are submitted on 2026-03-16, the last day allowed " \
                      "(10 working days after launch)"
    book = load_rulebook(_edited(tmp_path, REVIEW_EN, 'en: "filed on {day} ({days} working days) or earlier'))
    custom = next(s for s in assess(NEWS_APP, rulebook=book).steps if s.id == "review").dates[0].start_is.en
    assert custom.startswith("filed on 2026-03-16 (10 working days) or earlier")


def test_a_start_text_quoting_a_value_its_start_does_not_give_fails_with_the_file(tmp_path: Path) -> None:
    with pytest.raises(RulebookError) as info:
        load_rulebook(_edited(tmp_path, REVIEW_EN, 'en: "submitted by {launch}'))
    message = str(info.value)
    assert "schedule.yaml" in message and "start_is" in message and "launch" in message
