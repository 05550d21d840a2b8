"""Rulebook -> durable-rules JSON ruleset.

Every rule becomes one durable-rules rule over exactly one fact (``{"all": [{"m": ...}]}``):
the compiler never emits a join, because a partially matched join followed by
``delete_state`` crashes the engine. A rule with ``valid_from`` / ``valid_to`` gets an extra
test on the fact's ``as_of`` date, so rules not yet (or no longer) in force never fire.
"""

from __future__ import annotations

from typing import Any

from engine.model.conditions import Condition, split_test
from engine.rules.rulebook import Rule, Rulebook

_OPS = {"gte": "$gte", "gt": "$gt", "lte": "$lte", "lt": "$lt"}


def _test(attr: str, test: Any) -> dict[str, Any]:
    op, operand = split_test(test)
    if op == "equals":
        return {attr: operand}
    if op == "in":
        return {"$or": [{attr: v} for v in operand]} if len(operand) > 1 else {attr: operand[0]}
    if op == "not":
        return {"$neq": {attr: operand}}
    if op == "not_in":
        return {"$and": [{"$neq": {attr: v}} for v in operand]}
    return {_OPS[op]: {attr: operand}}


def compile_condition(cond: Condition) -> list[dict[str, Any]]:
    """The list of durable-rules expressions that must all hold for ``cond``."""
    parts: list[dict[str, Any]] = [_test(attr, test) for attr, test in cond.tests.items()]
    if cond.all:
        for sub in cond.all:
            parts.extend(compile_condition(sub))
    if cond.any:
        parts.append({"$or": [_and(compile_condition(sub)) for sub in cond.any]})
    return parts


def _and(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _date_int(value: Any) -> int:
    return int(value.strftime("%Y%m%d"))


def compile_rule(rule: Rule) -> dict[str, Any]:
    """One rule as a durable-rules rule definition whose action is named after the rule."""
    parts: list[dict[str, Any]] = [{"kind": rule.when.fact}]
    parts.extend(compile_condition(rule.when))
    if rule.valid_from is not None:
        parts.append({"$gte": {"as_of": _date_int(rule.valid_from)}})
    if rule.valid_to is not None:
        parts.append({"$lte": {"as_of": _date_int(rule.valid_to)}})
    return {"all": [{"m": _and(parts)}], "run": rule.id}


def compile_rulebook(book: Rulebook) -> dict[str, Any]:
    """The whole rulebook as one durable-rules ruleset definition (rule id -> rule)."""
    return {rule_id: compile_rule(rule) for rule_id, rule in sorted(book.rules.items())}
