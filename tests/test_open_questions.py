"""needs_review always says what to settle.

Every reason with status needs_review must come with at least one open question naming the
answer that would decide it: one the reason's own rule asks, or, where the rule fires on an
``unsure`` answer, the product-level question that asks for that answer. Checked on the rules
themselves and on every example and scenario.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import assess
from engine.model.assessment import Assessment
from engine.model.conditions import Condition
from engine.rules.rulebook import Rule, default_rulebook

ROOT = Path(__file__).resolve().parent.parent
BOOK = default_rulebook()


def _unsure_tests(cond: Condition) -> set[str]:
    """Attributes a condition tests for ``unsure`` (equal to it, or among ``in`` values)."""
    out = set()
    for attr, test in cond.tests.items():
        if test == "unsure" or (isinstance(test, dict) and "unsure" in (test.get("in") or [])):
            out.add(attr)
    for group in (cond.any or [], cond.all or []):
        for sub in group:
            out |= _unsure_tests(sub)
    return out


PRODUCT_QUESTIONS: dict[str, set[str]] = {}
"""Answer field -> the product-level rules that ask for it."""
for _rule in BOOK.rules.values():
    if _rule.when.fact == "product" and _rule.then.open_question is not None:
        PRODUCT_QUESTIONS.setdefault(_rule.then.open_question.field, set()).add(_rule.id)


def _settling_rules(rule: Rule) -> set[str]:
    """The rules whose open questions settle a needs_review concluded by ``rule``."""
    rules = {rule.id} if rule.then.open_question is not None else set()
    for attr in _unsure_tests(rule.when):
        rules |= PRODUCT_QUESTIONS.get(attr, set())
    return rules


NEEDS_REVIEW_RULES = [r for r in BOOK.rules.values()
                      if r.then.filing is not None and r.then.filing["status"] == "needs_review"]


@pytest.mark.parametrize("rule", NEEDS_REVIEW_RULES, ids=lambda r: r.id)
def test_every_needs_review_rule_asks_what_would_decide_it(rule: Rule) -> None:
    assert _settling_rules(rule), f"{rule.id} concludes needs_review but asks no open question"


def _cases() -> list[tuple[str, Any, dt.date | None]]:
    cases: list[tuple[str, Any, dt.date | None]] = [
        (f"examples/{p.name}", p, None) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for path in sorted((ROOT / "tests" / "scenarios").glob("*.yaml")):
        for spec in yaml.safe_load(path.read_text(encoding="utf-8")):
            answers = ROOT / spec["answers_file"] if "answers_file" in spec else spec["answers"]
            as_of = spec.get("as_of")
            if isinstance(as_of, str):
                as_of = dt.date.fromisoformat(as_of)
            cases.append((f"{path.name}: {spec['name']}", answers, as_of))
    return cases


def _unsettled(result: Assessment) -> list[str]:
    problems = []
    for reason in result.filing.reasons:
        if reason.status != "needs_review":
            continue
        settling = _settling_rules(BOOK.rules[reason.rule])
        if not any(q.rule in settling and (q.product is None or q.product in reason.products)
                   for q in result.open_questions):
            problems.append(reason.rule)
    return problems


@pytest.mark.parametrize("name,answers,as_of", _cases(), ids=[c[0] for c in _cases()])
def test_every_needs_review_reason_lists_an_open_question(name: str, answers: Any, as_of: dt.date | None) -> None:
    result = assess(answers, as_of=as_of)
    assert _unsettled(result) == [], f"{name}: needs_review without an open question"


def test_the_check_fails_on_a_reason_without_its_question() -> None:
    """The invariant can fail: drop the open questions of a needs_review assessment."""
    document = yaml.safe_load((ROOT / "examples" / "b2b_saas_scheduling.yaml").read_text(encoding="utf-8"))
    del document["products"][0]["output_reaches_individuals"]
    result = assess(document)
    assert result.filing.status == "needs_review"
    assert _unsettled(result) == []
    assert _unsettled(result.model_copy(update={"open_questions": ()})) == ["applicability_business_output_unknown"]
