"""Rulebook -> durable-rules JSON: one fact per rule, never a join."""

from __future__ import annotations

import datetime as dt

from engine.rules.compiler import compile_rule, compile_rulebook
from engine.rules.rulebook import Rule, default_rulebook


def _rule(when: dict[str, object], **extra: object) -> Rule:
    return Rule.model_validate({
        "id": "r", "title": {"zh": "规则", "en": "rule"}, "basis": [{"law": "arp", "article": "2"}],
        "basis_kind": "statute",
        "explanation": {"zh": "说明", "en": "why"}, "when": when, "then": {"obligations": ["arp_7"]}, **extra})


def test_every_compiled_rule_tests_exactly_one_fact() -> None:
    compiled = compile_rulebook(default_rulebook())
    assert set(compiled) == set(default_rulebook().rules)
    for rule_id, definition in compiled.items():
        assert list(definition) == ["all", "run"], rule_id
        assert len(definition["all"]) == 1, f"{rule_id} would join facts"
        assert definition["run"] == rule_id


def test_operators_compile_to_durable_expressions() -> None:
    rule = _rule({"fact": "filing", "status": {"not": "not_required"}, "type": {"in": ["ranking_selection"]},
                  "behaviour": {"in": ["hot_list", "leaderboard"]}, "role": {"not_in": ["technical_supporter"]},
                  "mau": {"gte": 1000},
                  "any": [{"users_minors": "yes"}, {"users_elderly": "yes", "news": "yes"}]})
    expression = compile_rule(rule)["all"][0]["m"]
    assert expression == {"$and": [
        {"kind": "filing"},
        {"$neq": {"status": "not_required"}},
        {"type": "ranking_selection"},
        {"$or": [{"behaviour": "hot_list"}, {"behaviour": "leaderboard"}]},
        {"$and": [{"$neq": {"role": "technical_supporter"}}]},
        {"$gte": {"mau": 1000}},
        {"$or": [{"users_minors": "yes"}, {"$and": [{"users_elderly": "yes"}, {"news": "yes"}]}]},
    ]}


def test_valid_from_and_to_become_tests_on_the_as_of_date() -> None:
    rule = _rule({"fact": "filing", "status": "required"}, valid_from=dt.date(2025, 9, 1),
                 valid_to=dt.date(2030, 12, 31))
    parts = compile_rule(rule)["all"][0]["m"]["$and"]
    assert {"$gte": {"as_of": 20250901}} in parts and {"$lte": {"as_of": 20301231}} in parts
