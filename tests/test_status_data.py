"""Status precedence is data (issue 23.3): rules/catalogue/status.yaml, not a tuple in the engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import assemble, assess, assess_outline, build_facts, default_rulebook, load_answers, load_rulebook
from engine.errors import RulebookError
from engine.model.vocabulary import rules_dir

ROOT = Path(__file__).resolve().parent.parent
FOOD_DELIVERY = ROOT / "examples" / "food_delivery.yaml"
SHIPPED = "precedence: [required, recommended, needs_review, not_required]"


def _rules_with(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = target / "catalogue" / "status.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, "status.yaml changed: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_the_headline_status_follows_the_precedence_in_the_data(tmp_path: Path) -> None:
    """The lead has required and recommended conclusions; the data decides which one heads it."""
    shipped = assess(FOOD_DELIVERY)
    assert shipped.filing.status == "required"
    assert [r.status for r in shipped.filing.reasons][0] == "required"
    reorder = "precedence: [recommended, required, needs_review, not_required]"
    book = load_rulebook(_rules_with(tmp_path, SHIPPED, reorder))
    reordered = assess(FOOD_DELIVERY, rulebook=book)
    assert reordered.filing.status == "recommended"
    assert [r.status for r in reordered.filing.reasons][0] == "recommended"
    assert assess_outline(FOOD_DELIVERY, rulebook=book).status == "recommended"


@pytest.mark.parametrize(("new", "expected"), [
    ("precedence: [required, recommended, needs_review]", "'not_required' must appear exactly once"),
    ("precedence: [required, recommended, needs_review, not_required, required]",
     "'required' must appear exactly once"),
    ("precedence: [required, recommended, needs_reveiw, not_required]", "needs_review"),
])
def test_a_precedence_that_misses_or_repeats_a_status_fails_with_the_file_and_key(
        tmp_path: Path, new: str, expected: str) -> None:
    with pytest.raises(RulebookError) as info:
        load_rulebook(_rules_with(tmp_path, SHIPPED, new))
    message = str(info.value)
    assert "status.yaml" in message and "precedence" in message and expected in message


def test_the_status_when_no_rule_fires_is_data(tmp_path: Path) -> None:
    """Answers on which no rule concluded a status get the status the data names."""
    book = load_rulebook(_rules_with(tmp_path, "when_no_rule_fires: needs_review", "when_no_rule_fires: required"))
    answers = load_answers(FOOD_DELIVERY)
    roots = build_facts(answers, book.as_of)
    assert assemble(default_rulebook(), roots, [], book.as_of).filing.status == "needs_review"
    assert assemble(book, roots, [], book.as_of).filing.status == "required"
