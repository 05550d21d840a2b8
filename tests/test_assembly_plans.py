"""Assembly plans each firing once per rule and kind of fact (engine/pipeline/assemble.py): a plan
made for one lead must never leak into another. Each example is assessed after the others (its
firings' plans were made by other leads first) and with a fresh index; the bytes are the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import assess
from engine.pipeline import assemble as assemble_module
from engine.rules.rulebook import default_rulebook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _fresh_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assemble_module, "_CATALOGUES", {})


def test_plans_made_for_other_leads_change_no_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    warm = {path.stem: assess(path).to_json(indent=None) for path in EXAMPLES}
    for path in reversed(EXAMPLES):
        _fresh_index(monkeypatch)
        assert assess(path).to_json(indent=None) == warm[path.stem], path.stem


def test_one_index_serves_every_lead_in_any_order(monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_index(monkeypatch)
    first = {path.stem: assess(path).to_json(indent=None) for path in EXAMPLES}
    _fresh_index(monkeypatch)
    again = {path.stem: assess(path).to_json(indent=None) for path in reversed(EXAMPLES)}
    assert again == first
    index = assemble_module._catalogue(default_rulebook())
    # many firings share a plan: far fewer plans than firings over the examples
    assert 0 < len(index._plans) < sum(len(assess(p).trace) for p in EXAMPLES)


def test_a_plan_keeps_every_dimension_of_its_fact() -> None:
    """Two firings of one rule on facts of another classification, role or behaviour get two plans."""
    book = default_rulebook()
    index = assemble_module._catalogue(book)
    rule = next(rid for rid, r in book.rules.items() if r.then.filing and r.when.fact == "algorithm")
    a = index.plan(rule, "algorithm", "", "generation_synthesis", "none", None, "generate_text")
    b = index.plan(rule, "algorithm", "", "personalized_push", "none", None, "recommend_by_profile")
    assert a is not b and a.unit != b.unit and a.unit is not None
    assert index.plan(rule, "algorithm", "", "generation_synthesis", "none", None, "generate_text") is a
