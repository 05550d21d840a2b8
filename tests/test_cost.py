"""Cost that grows with what is new, not with what repeats (issue 19.1, 19.4)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine import build_facts, default_rulebook, load_answers, parse_answers
from engine.rules import runtime as runtime_module
from engine.rules.runtime import PartitionedRuntime, RulesRuntime

ROOT = Path(__file__).resolve().parents[1]
NEWS_APP = ROOT / "examples" / "news_app.yaml"


def _asserted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the facts every engine session asserts."""
    counts: list[int] = []
    original = RulesRuntime._run_session

    def counting(self: RulesRuntime, facts: list[dict[str, object]]) -> object:
        counts.append(len(facts))
        return original(self, facts)  # type: ignore[arg-type]

    monkeypatch.setattr(RulesRuntime, "_run_session", counting)
    return counts


def _products(n: int) -> list[runtime_module.Fact]:
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    document["products"] = [copy.deepcopy(document["products"][0]) for _ in range(n)]
    for i, product in enumerate(document["products"]):
        product["name"] = f"产品{i}"
    answers = parse_answers(document)
    return [r.as_message() for r in build_facts(answers, default_rulebook().as_of)]


def test_alike_products_in_one_document_cost_one_engine_run_each_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 100-product document took 39 s: every fact went through durable-rules although 99
    products repeated the first. Facts with one memo key now run once per document."""
    book = default_rulebook()
    one, twenty = PartitionedRuntime(book), PartitionedRuntime(book)
    counts = _asserted(monkeypatch)
    firings_one = one.evaluate(_products(1))
    asserted_one = sum(counts)
    counts.clear()
    firings_twenty = twenty.evaluate(_products(20))
    assert sum(counts) == asserted_one
    assert len(firings_twenty) == 20 * len(firings_one)


def test_the_partitioned_memo_gives_the_firings_of_the_full_ruleset() -> None:
    """Memoised per group of rules, the firings are those of one session of the whole rulebook."""
    book = default_rulebook()
    facts = _products(3)
    plain = RulesRuntime(book, memoize=False).evaluate(facts)
    partitioned = PartitionedRuntime(book).evaluate(facts)

    def key(firings: list[runtime_module.Firing]) -> list[tuple[str, str, str, str]]:
        return sorted((f.rule_id, f.fact["fid"], f.fact["kind"], str(f.fact.get("via", ""))) for f in firings)

    assert key(partitioned) == key(plain)
    def facts(firings: list[runtime_module.Firing]) -> dict[tuple[str, str, str, str], runtime_module.Fact]:
        return {(f.rule_id, f.fact["fid"], f.fact["kind"], str(f.fact.get("via", ""))): f.fact for f in firings}

    assert facts(partitioned) == facts(plain)
