"""Thousands of sessions through durable-rules in this very process.

durable-rules crashes the process on some misuse (a segfault) and refuses a 1,025th live
session (``MemoryError``, after which it is corrupt): both would show up here as a failure.
Every evaluation is un-memoised, so each one opens and deletes a real engine session, and each
is checked against the reference evaluator so the engine is not merely alive but right.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import reference_evaluator as reference

from engine import RuleActionError, assess, build_facts, default_rulebook, evaluate, parse_answers
from engine.model.vocabulary import load_vocabulary
from engine.rules.rulebook import Rule
from engine.rules.runtime import RulesRuntime

SESSIONS = 3000
VOCAB = load_vocabulary()


def _pick(rng: random.Random, group: str, k: int) -> list[str] | str:
    options = [*VOCAB.ids(group), "unsure"]
    if rng.random() < 0.1:
        return "unsure"
    return rng.sample(options, k)


def varied_answers(rng: random.Random) -> dict[str, Any]:
    """One answers document drawn from the whole vocabulary (deterministic for a seeded ``rng``)."""
    products = []
    for p in range(rng.choice((1, 1, 2))):
        features = []
        for f in range(rng.choice((1, 2, 3))):
            feature: dict[str, Any] = {"name": f"功能{f}", "behaviours": _pick(rng, "behaviour", rng.randint(1, 3))}
            if rng.random() < 0.6:
                feature["model_source"] = rng.choice([*VOCAB.ids("model_source"), "unsure"])
            if rng.random() < 0.5:
                feature["offered_as_api"] = rng.choice([True, False, "unsure"])
            features.append(feature)
        products.append({
            "name": f"产品{p}-{rng.randrange(10**6)}",
            "forms": _pick(rng, "product_form", rng.randint(1, 3)),
            "audience": _pick(rng, "audience", rng.randint(1, 2)),
            "opinion_features": _pick(rng, "opinion_feature", rng.randint(0, 2)),
            "user_groups": _pick(rng, "user_group", rng.randint(0, 2)),
            "news": rng.choice([True, False, "unsure"]),
            "commercial": rng.choice([True, False, "unsure", None]),
            "launch_status": rng.choice(VOCAB.ids("launch_status")),
            "features": features,
        })
    document: dict[str, Any] = {"entity": {"name": f"主体{rng.randrange(10**6)}"}, "products": products}
    if rng.random() < 0.5:
        document["as_of"] = rng.choice(["2023-01-09", "2024-06-01", "2025-08-31", "2025-09-01", "2026-11-23"])
    return document


@pytest.mark.slow
def test_thousands_of_engine_sessions_stay_alive_and_right() -> None:
    rng = random.Random(20261123)
    book = default_rulebook()
    fired_rules: set[str] = set()
    for _ in range(SESSIONS):
        model = parse_answers(varied_answers(rng))
        roots = build_facts(model, model.as_of or book.as_of)
        firings = evaluate(roots, book, memoize=False)
        expected = reference.evaluate(book, [r.as_message() for r in roots])
        assert sorted((f.rule_id, f.fact["fid"], f.fact["kind"]) for f in firings) == \
            sorted((rule_id, fact["fid"], fact["kind"]) for rule_id, fact in expected)
        fired_rules.update(f.rule_id for f in firings)
    # the sessions were varied enough to exercise most of the rulebook
    assert len(fired_rules) > len(book.rules) * 0.8, sorted(set(book.rules) - fired_rules)


def _broken_classify_rulebook() -> Any:
    """The shipped rulebook with one rule whose action fails (a ``classify`` without a type)."""
    book = default_rulebook()
    broken = Rule.model_validate({
        **book.rules["classify_personalized_push"].model_dump(mode="json"),
        "then": {"classify": {"subtype": "information_retrieval"}},
    })
    return book.model_copy(update={"rules": {**book.rules, broken.id: broken}, "digest": "broken"})


NEWS_APP = {"entity": {"name": "某某"}, "products": [{
    "name": "某某新闻", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
    "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}]}


@pytest.fixture(scope="module")
def broken_runtime() -> RulesRuntime:
    return RulesRuntime(_broken_classify_rulebook())


def test_an_exception_in_a_rule_action_reaches_the_caller(broken_runtime: RulesRuntime) -> None:
    model = parse_answers(NEWS_APP)
    roots = build_facts(model, default_rulebook().as_of)
    with pytest.raises(RuleActionError) as caught:
        broken_runtime.evaluate([r.as_message() for r in roots])
    assert "classify_personalized_push" in str(caught.value)
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.key == "p0.f0.b0"


def test_failing_sessions_are_deleted_too(broken_runtime: RulesRuntime) -> None:
    """More failing sessions than the engine's live-session limit: none may be left behind."""
    model = parse_answers(NEWS_APP)
    messages = [r.as_message() for r in build_facts(model, default_rulebook().as_of)]
    for _ in range(1100):
        with pytest.raises(RuleActionError):
            broken_runtime.evaluate(messages)
    # facts that do not reach the broken rule still evaluate in the same runtime
    product_only = [m for m in messages if m["kind"] == "product"]
    assert {f.rule_id for f in broken_runtime.evaluate(product_only)} == \
        {rule_id for rule_id, _ in reference.evaluate(default_rulebook(), product_only)}


def test_the_shipped_rulebook_is_unharmed_by_a_failing_variant(broken_runtime: RulesRuntime) -> None:
    before = assess(NEWS_APP, memoize=False).to_json()
    model = parse_answers(NEWS_APP)
    with pytest.raises(RuleActionError):
        broken_runtime.evaluate([r.as_message() for r in build_facts(model, default_rulebook().as_of)])
    assert assess(NEWS_APP, memoize=False).to_json() == before
    assert assess(NEWS_APP).to_json() == before


def test_sessions_in_which_no_rule_accepts_any_fact_are_deleted_safely() -> None:
    """durable-rules crashes deleting a session whose every fact was refused; the runtime anchors each session.

    A one-rule variant makes it certain: no fact below is accepted by the rule. Past 1,024
    sessions this also shows that such sessions are deleted, not leaked.
    """
    book = default_rulebook()
    only = Rule.model_validate({**book.rules["product_audience_unsure"].model_dump(mode="json")})
    runtime = RulesRuntime(book.model_copy(update={"rules": {only.id: only}, "digest": "one_rule"}))
    refused = {"kind": "product", "fid": "p0", "audience_public": "yes", "behaviour_count": 1, "as_of": 20260101}
    for _ in range(1100):
        assert runtime.evaluate([refused]) == []
    accepted = {**refused, "audience_public": "unsure"}
    assert [f.rule_id for f in runtime.evaluate([accepted])] == ["product_audience_unsure"]
