"""Triage computes only what a triage row shows (issue 19.2), and shows the same as before."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine import Outline, assess, assess_outline, load_answers, triage_row
from engine.pipeline import assemble as assemble_module

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


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("the outline built a part of the assessment that triage never shows")
