"""A small plain-Python evaluator of the rule files, used only by the tests.

It reads the same :class:`~engine.rules.rulebook.Rulebook` as the engine but shares none of the
compiler or runtime code, so the differential tests can require that durable-rules and this
evaluator reach the same firings. Semantics, written down once here:

* a rule looks at one fact, of the kind its ``when.fact`` names;
* an attribute test is ``value`` (equals), ``{in: [...]}``, ``{not: v}``, ``{not_in: [...]}``,
  ``{gte|gt|lte|lt: n}``; every test of a level must hold, one condition of ``any`` must hold,
  each of ``all`` must hold;
* a test on an attribute the fact does not carry never holds, not even ``not`` or ``not_in``
  (that is what durable-rules does, checked in ``tests/test_differential.py``);
* ``valid_from`` / ``valid_to`` compare with the fact's ``as_of`` (a ``YYYYMMDD`` number), both
  ends included; a fact without ``as_of`` never matches a dated rule;
* a rule fires at most once per fact;
* derived facts: a ``classify`` conclusion on a ``behaviour`` fact adds an ``algorithm`` fact,
  a ``filing`` conclusion on an ``algorithm`` fact adds a ``filing`` fact; both copy the fact
  they come from, and ``via`` records the chain of rules (``classify_x>applicability_y``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.model.conditions import Condition
from engine.rules.rulebook import Rule, Rulebook

Fact = dict[str, Any]

_COMPARE = {
    "gte": lambda value, operand: value >= operand,
    "gt": lambda value, operand: value > operand,
    "lte": lambda value, operand: value <= operand,
    "lt": lambda value, operand: value < operand,
}


def _test_holds(fact: Fact, attr: str, test: Any) -> bool:
    if attr not in fact:
        return False
    value = fact[attr]
    if not isinstance(test, dict):
        return bool(value == test)
    (op, operand), = test.items()
    if op == "in":
        return value in operand
    if op == "not":
        return bool(value != operand)
    if op == "not_in":
        return value not in operand
    return bool(_COMPARE[op](value, operand))


def condition_holds(cond: Condition, fact: Fact) -> bool:
    """Whether ``fact`` meets ``cond`` (its tests, ``all`` and ``any``)."""
    if not all(_test_holds(fact, attr, test) for attr, test in cond.tests.items()):
        return False
    if cond.all is not None and not all(condition_holds(sub, fact) for sub in cond.all):
        return False
    return cond.any is None or any(condition_holds(sub, fact) for sub in cond.any)


def _day(value: dt.date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def rule_matches(rule: Rule, fact: Fact) -> bool:
    """Whether ``rule`` fires on ``fact``: right kind, in force on the fact's date, condition met."""
    if fact.get("kind") != rule.when.fact:
        return False
    if rule.valid_from is not None or rule.valid_to is not None:
        if "as_of" not in fact:
            return False
        if rule.valid_from is not None and fact["as_of"] < _day(rule.valid_from):
            return False
        if rule.valid_to is not None and fact["as_of"] > _day(rule.valid_to):
            return False
    return condition_holds(rule.when, fact)


def derive(rule: Rule, fact: Fact) -> Fact | None:
    """The fact a firing adds, if any."""
    chain = f"{fact['via']}>{rule.id}" if fact.get("via") else rule.id
    if rule.then.classify is not None and fact["kind"] == "behaviour":
        return {**fact, "kind": "algorithm", "type": rule.then.classify["type"],
                "subtype": rule.then.classify.get("subtype", "none"), "via": chain}
    if rule.then.filing is not None and fact["kind"] == "algorithm":
        return {**fact, "kind": "filing", "status": rule.then.filing["status"],
                "role": rule.then.filing["role"], "via": chain}
    return None


def evaluate(book: Rulebook, roots: list[Fact]) -> list[tuple[str, Fact]]:
    """Every (rule id, fact) firing for ``roots``, grouped by root fact in the order given."""
    rules = sorted(book.rules.values(), key=lambda r: r.id)
    firings: list[tuple[str, Fact]] = []
    for root in roots:
        pending = [dict(root)]
        while pending:
            fact = pending.pop(0)
            for rule in rules:
                if rule_matches(rule, fact):
                    firings.append((rule.id, fact))
                    derived = derive(rule, fact)
                    if derived is not None:
                        pending.append(derived)
    return firings
