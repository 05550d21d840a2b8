"""Triage computes only what a triage row shows (issue 19.2), and shows the same as before."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine import Outline, assess, assess_outline, load_answers, triage_row
from engine.pipeline import assemble as assemble_module
from engine.pipeline.run import evaluate
from engine.rules.facts import build_facts
from engine.rules.rulebook import default_rulebook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_outline_alone_is_the_outline_of_the_full_assessment(path: Path) -> None:
    answers = load_answers(path)
    full = assess(answers)
    alone = assess_outline(answers)
    assert alone == Outline.of(full)
    assert triage_row(alone, line=3, entity="x") == triage_row(full, line=3, entity="x")


def test_the_outline_builds_no_duty_material_display_or_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    """What triage never shows is never built: the duties, display and trace steps are not called."""
    answers = load_answers(ROOT / "examples" / "short_video_live.yaml")
    for name in ("_duties", "_trace", "_obligations", "_materials", "build"):
        monkeypatch.setattr(assemble_module._Assembler, name, _refuse)
    monkeypatch.setattr(assemble_module.Tracer, "add", _refuse)
    outline = assess_outline(answers)
    assert outline.status == "required" and outline.algorithms and outline.steps


def test_an_unsure_lead_keeps_its_open_questions_and_status_in_the_outline() -> None:
    document = load_answers(ROOT / "examples" / "unsure_answers.yaml").model_dump(mode="json", exclude_none=True)
    renamed = copy.deepcopy(document)
    renamed["products"][0]["name"] = "另一个"
    full = assess(document)
    assert assess_outline(renamed) == Outline.of(full) and full.open_questions


def test_the_outline_evaluates_only_the_rules_whose_conclusions_it_shows() -> None:
    """Rules that conclude only duties, materials or display places are not evaluated for triage:
    the outline's rulebook has every other rule, the same version, and about half the rules."""
    book = default_rulebook()
    lean = assemble_module.outline_rulebook(book)
    assert lean is assemble_module.outline_rulebook(book) and lean.rules_version == book.rules_version
    left_out = {rid for rid in book.rules if rid not in lean.rules}
    assert left_out and len(lean.rules) < len(book.rules)
    for rid, rule in book.rules.items():
        then = rule.then
        shows = bool(then.classify or then.filing or then.genai_route or then.steps or then.open_question)
        assert (rid in lean.rules) == shows, rid
        if not shows:
            assert then.obligations or then.materials or then.display, rid


def test_an_outline_rule_left_out_would_change_the_outline() -> None:
    """The check above is not vacuous: for each example, evaluating the outline without one of the
    non-deriving rules it keeps that fired gives another outline for some rule."""
    book = default_rulebook()
    lean = assemble_module.outline_rulebook(book)
    changed = set()
    for path in EXAMPLES:
        answers = load_answers(path)
        when = answers.as_of or book.as_of
        roots = build_facts(answers, when, book.derived_flags)
        fired = {f.rule_id for f in evaluate(roots, lean)}
        kept = assemble_module.outline(book, roots, evaluate(roots, lean), when)
        assert kept == assemble_module.outline(book, roots, evaluate(roots, book), when), path.stem
        for rid in sorted(fired):
            rule = lean.rules[rid]
            if rule.then.classify or rule.then.filing or rid in changed:
                continue
            fewer = lean.model_copy(update={"rules": {k: v for k, v in lean.rules.items() if k != rid}})
            if assemble_module.outline(book, roots, evaluate(roots, fewer, memoize=False), when) != kept:
                changed.add(rid)
    assert changed, "no kept rule changes any outline: the outline rulebook keeps rules it need not"


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("the outline built a part of the assessment that triage never shows")
