"""The assessment as a whole: contract, determinism, explanation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from engine import assess, assessment_json_schema, load_answers, read_assessment
from engine.model.assessment import AlgorithmRef, ProductRef

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
NEWS_APP = Path(__file__).resolve().parent.parent / "examples" / "news_app.yaml"


def test_same_answers_same_bytes_with_and_without_memoisation() -> None:
    for path in EXAMPLES:
        answers = load_answers(path)
        first = assess(answers).to_json()
        assert assess(answers).to_json() == first
        assert assess(answers, memoize=False).to_json() == first, path.name


def test_json_round_trips_through_the_model() -> None:
    for path in EXAMPLES:
        text = assess(path).to_json()
        assert read_assessment(text).to_json() == text


def test_every_conclusion_is_traced_to_a_rule_and_answers() -> None:
    result = assess(NEWS_APP)
    conclusions = {c for t in result.trace for c in t.conclusions}
    for algorithm in result.algorithms:
        assert f"algorithms.{algorithm.id}" in conclusions
    for obligation in result.obligations:
        assert f"obligations.{obligation.id}" in conclusions
    for material in result.materials:
        assert f"materials.{material.id}" in conclusions
    for entry in result.trace:
        assert entry.answers, entry
        assert all(a.path.startswith(("products[", "as_of")) for a in entry.answers)


def test_trace_names_the_answer_that_classified_a_feature() -> None:
    result = assess(NEWS_APP)
    entry = next(t for t in result.trace if "classify.recommend_by_profile" in t.conclusions)
    assert entry.rule == "classify_personalized_push"
    assert any(a.path.endswith(".behaviours") and "recommend_by_profile" in a.value for a in entry.answers)


def test_schema_is_published_for_every_top_level_key() -> None:
    schema = assessment_json_schema()
    assert list(schema["properties"]) == [
        "schema_version", "rules_version", "filing", "algorithms", "laws", "targets", "obligations", "materials",
        "steps", "display", "open_questions", "trace", "catalogue"]
    json.dumps(schema)


def _renamed(data: dict[str, object], names: dict[str, str]) -> dict[str, object]:
    """The answers with every product and feature name replaced as ``names`` says."""
    text = json.dumps(data, ensure_ascii=False)
    for old, new in names.items():
        text = text.replace(json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False))
    result: dict[str, object] = json.loads(text)
    return result


def test_order_follows_the_answers_never_the_names() -> None:
    """applies_to and open questions list products in answer order and algorithms in output order,
    so renaming products reorders nothing."""
    data = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    data["products"].append({**data["products"][0], "name": "AAA 第二个应用"})
    first = assess(data)
    renamed = assess(_renamed(data, {data["products"][0]["name"]: "ZZZ 第一个应用"}))
    ids = [a.id for a in first.algorithms]
    items = [*first.obligations, *first.materials], [*renamed.obligations, *renamed.materials]
    both = [m.id for m in items[1]
            if {"ZZZ 第一个应用", "AAA 第二个应用"} <= {t.name for t in m.applies_to if isinstance(t, ProductRef)}]
    assert both, "nothing applies to both products: the test would prove nothing"
    for ob_first, ob_renamed in zip(*items, strict=True):
        assert len(ob_first.applies_to) == len(ob_renamed.applies_to)
        products = [t.name for t in ob_renamed.applies_to if isinstance(t, ProductRef)]
        assert products == sorted(products, reverse=True), ob_renamed.id
        algorithms = [t.id for t in ob_first.applies_to if isinstance(t, AlgorithmRef)]
        assert algorithms == sorted(algorithms, key=ids.index), ob_first.id


def _mutable_parts(value: object, path: str = "assessment") -> list[str]:
    """Every list, dict or set inside a model tree (an immutable assessment has none)."""
    if isinstance(value, list | dict | set):
        return [path]
    if isinstance(value, tuple):
        return [p for i, v in enumerate(value) for p in _mutable_parts(v, f"{path}[{i}]")]
    if isinstance(value, BaseModel):
        return [p for name in type(value).model_fields
                for p in _mutable_parts(getattr(value, name), f"{path}.{name}")]
    return []


def test_an_assessment_cannot_be_changed_in_place() -> None:
    """Results are values: callers and threads may share them, and memoised ones share parts."""
    for path in EXAMPLES:
        answers = load_answers(path)
        for result in (assess(answers), assess(answers, memoize=False)):
            assert _mutable_parts(result) == [], path.name
            with pytest.raises(ValidationError):
                result.filing.status = "not_required"  # type: ignore[misc]
