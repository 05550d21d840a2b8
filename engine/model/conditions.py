"""``when:`` — the one condition language of the rules and the questionnaire.

A condition is a mapping. Every key but the group keys (and ``fact`` at the top of a rule)
names what is tested — a fact attribute in a rule, an earlier question's id in a
questionnaire — and its value is the test::

    when: {launch_status: terminated}                 # equals (a multi-select answer: includes)
    when: {launch_status: {in: [launched, terminated]}}
    when: {status: {not: not_required}}               # also {not_in: [...]}
    when: {audience: {only: [internal]}}              # a multi-select: ticked, and nothing else
    when: {monthly_active_users: {gte: 1000000}}      # also gt, lte, lt
    when: {none: [{audience: {only: [internal]}}]}    # all: each holds; any: one holds; none: none holds

Tests at one level are joined by AND. Something unanswered (or an attribute a fact lacks)
meets no test, so ``none: [...]`` holds for it. Which subjects and values are allowed is
checked by each loader (the rulebook against the fact schema, the questionnaire against the
earlier questions and their choices), after :func:`shape_problems`; this module evaluates.
No Python is ever evaluated from data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from engine.model.base import StrictModel
from engine.model.suggest import did_you_mean

OPERATORS = ("in", "not", "not_in", "only", "gte", "gt", "lte", "lt")
"""The operators of a test written as a one-key mapping (``{in: [a, b]}``)."""
LIST_OPERATORS = ("in", "not_in", "only")
NUMBER_OPERATORS = ("gte", "gt", "lte", "lt")
GROUPS = ("all", "any", "none")

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "gte": lambda value, operand: bool(value >= operand),
    "gt": lambda value, operand: bool(value > operand),
    "lte": lambda value, operand: bool(value <= operand),
    "lt": lambda value, operand: bool(value < operand),
}


def split_test(test: Any) -> tuple[str, Any]:
    """``(operator, operand)`` of a test; a plain value is ``("equals", value)``."""
    if isinstance(test, dict):
        ((op, operand),) = test.items()
        return str(op), operand
    return "equals", test


def test_holds(value: Any, test: Any) -> bool:
    """Whether an answer or attribute ``value`` meets ``test``; ``None`` (unanswered) meets none.

    A list value (a multi-select answer) meets ``v`` when it includes ``v``, ``{in: [...]}``
    when it includes any of them, ``{not: v}`` / ``{not_in: [...]}`` when it includes none,
    ``{only: [...]}`` when it is not empty and holds nothing else.
    """
    if value is None:
        return False
    op, operand = split_test(test)
    chosen = set(value) if isinstance(value, list) else {value}
    if op == "equals":
        return operand in chosen
    if op == "in":
        return bool(chosen & set(operand))
    if op == "not":
        return operand not in chosen
    if op == "not_in":
        return not chosen & set(operand)
    if op == "only":
        return bool(chosen) and chosen <= set(operand)
    return not isinstance(value, list) and _COMPARE[op](value, operand)


class Condition(StrictModel):
    """A ``when:`` condition (see the module docstring for the language)."""

    model_config = StrictModel.model_config | {"extra": "allow"}

    fact: str | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    none: list[Condition] | None = None

    @property
    def tests(self) -> dict[str, Any]:
        """The tests of this level: subject -> test (everything but ``fact`` and the groups)."""
        return dict(self.model_extra or {})

    def groups(self) -> Iterator[tuple[str, list[Condition]]]:
        """``(group name, its conditions)`` for each group this level has."""
        for name in GROUPS:
            group = getattr(self, name)
            if group is not None:
                yield name, group

    def subjects(self) -> list[str]:
        """Every subject tested at this level and below, in order of appearance."""
        out = list(self.tests)
        for _, group in self.groups():
            for sub in group:
                out.extend(sub.subjects())
        return list(dict.fromkeys(out))

    def holds(self, lookup: Callable[[str], Any]) -> bool:
        """Evaluate against ``lookup(subject) -> value or None``."""
        if not all(test_holds(lookup(subject), test) for subject, test in self.tests.items()):
            return False
        if self.all is not None and not all(c.holds(lookup) for c in self.all):
            return False
        if self.any is not None and not any(c.holds(lookup) for c in self.any):
            return False
        return self.none is None or not any(c.holds(lookup) for c in self.none)


def shape_problems(cond: Condition) -> Iterator[tuple[str, str]]:
    """``(key below the condition, message with the fix)`` for every malformed test or group.

    Each loader reports these with its own file and key prefix, so ``rules[3].when.status.nott``
    names the exact place.
    """
    for subject, test in cond.tests.items():
        yield from _test_problems(subject, test)
    for name, group in cond.groups():
        if not group:
            yield name, f"'{name}' must list at least one condition"
        for i, sub in enumerate(group):
            for key, message in shape_problems(sub):
                yield f"{name}[{i}].{key}", message
    if not cond.tests and not any(group for _, group in cond.groups()):
        yield "", "a condition tests nothing; name what it tests, e.g. {forms: app}"


def _test_problems(subject: str, test: Any) -> Iterator[tuple[str, str]]:
    """What is wrong with one test: a bare list, several operators, an unknown one, an empty list."""
    if isinstance(test, list):
        yield subject, ("a list is not a test; write {in: [...]} for \"one of these\" "
                        "(or {only: [...]} for \"nothing else\")")
    elif isinstance(test, dict):
        if len(test) != 1:
            yield subject, f"a test has exactly one operator; got {sorted(test)} (one of {', '.join(OPERATORS)})"
            return
        op, operand = next(iter(test.items()))
        if op not in OPERATORS:
            yield subject, f"unknown operator '{op}'; {did_you_mean(str(op), OPERATORS)}"
        elif op in LIST_OPERATORS and (not isinstance(operand, list) or not operand):
            yield f"{subject}.{op}", f"'{op}' takes a non-empty list"
