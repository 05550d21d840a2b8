"""Answers that differ only in names share one assessment (engine/pipeline/shapes.py), with the same bytes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_differential import SETTINGS, answers

from engine import SHAPES, RulebookError, assess, assess_json, default_rulebook, load_answers, load_rulebook
from engine.model.answers import Answers, Entity, Feature, Product, parse_answers
from engine.model.vocabulary import rules_dir
from engine.pipeline.shapes import LABELS, ShapeMemo, shape_of

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))

AWKWARD = [
    "entity", "personalized_push.recommend_by_profile.service_provider",  # a target kind, an algorithm id
    "\ue000" + "0" + "\ue001", "a\ue001", r"\1", r"\g<0>", "$1",  # placeholders and replacement syntax
    "抖音", "抖音极速版", "音", "", " ", "A", "a", "Ünïcødé 名", '"quoted"', "line\nbreak", "tab\t",
]


def _documents() -> list[dict[str, Any]]:
    return [load_answers(p).model_dump(mode="json", exclude_none=True) for p in EXAMPLES]


def _rename(document: dict[str, Any], pick: Any) -> dict[str, Any]:
    """The document with every product and feature name replaced by ``pick()``."""
    renamed = json.loads(json.dumps(document))
    for product in renamed["products"]:
        product["name"] = pick()
        for feature in product["features"]:
            feature["name"] = pick()
    return renamed


def test_every_answer_field_is_either_a_label_or_part_of_the_shape() -> None:
    """A new answer field must be classified here: a label the memo leaves out of the key would
    make two different answers share an assessment."""
    shape_fields = {
        "entity": set(),
        "product": {"forms", "audience", "opinion_features", "monthly_active_users", "user_groups", "news",
                    "separate_algorithms", "output_reaches_individuals", "sector_services",
                    "commercial", "launch_status", "launch_date", "change_date", "termination_date",
                    "features"},
        "feature": {"behaviours", "behaviours_suggested", "model_source", "offered_as_api", "large_model",
                    "biometric_output", "launch_date", "public_share_links", "downstream_public"},
    }
    for key, model in (("entity", Entity), ("product", Product), ("feature", Feature)):
        assert set(model.model_fields) == set(LABELS[key]) | shape_fields[key], key
    # filed_algorithms name products, so answers with them are never memoised (see shape_of)
    assert set(Answers.model_fields) == {"as_of", "entity", "products", "filed_algorithms"}


def test_labels_other_than_names_never_reach_the_assessment() -> None:
    """The memo drops them from the template: they must not be part of any assessment."""
    for document in _documents():
        document["entity"].update(name="主体名称XYZ", credit_code="91110000XYZ")
        for product in document["products"]:
            product["description"] = "产品描述XYZ"
            for feature in product["features"]:
                feature["description"] = "功能描述XYZ"
        assert "XYZ" not in assess(document, memoize=False).to_json()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_renamed_examples_give_the_bytes_of_a_fresh_assessment(path: Path) -> None:
    """Each shape comes twice (a template is made on the second sighting) under other names."""
    document = load_answers(path).model_dump(mode="json", exclude_none=True)
    counter = iter(range(10**6))
    distinct = [_rename(document, lambda: f"名{next(counter)}") for _ in range(3)]
    same = [_rename(document, lambda: "同名"), _rename(document, lambda: "同名二")]
    results = []
    for renamed in (document, document, *distinct, *same):
        results.append(assess(renamed, shapes=True))
        assert results[-1].to_json() == assess(renamed, memoize=False).to_json()
    book = default_rulebook()

    def unused(answers: Answers, when: Any) -> Any:
        raise AssertionError("the shape should have a template by now")

    for renamed in (distinct[-1], same[-1]):
        assert SHAPES.template(Answers.model_validate(renamed), book.as_of, book, unused) is not None


def test_names_are_filled_in_not_shared_between_leads() -> None:
    document = _documents()[0]
    assess(_rename(document, lambda: "第零家的产品"), shapes=True)  # the first sighting of this shape
    first = assess(_rename(document, lambda: "第一家的产品"), shapes=True)
    second = assess(_rename(document, lambda: "第二家的产品"), shapes=True)
    assert first.algorithms and [p.name for p in first.algorithms[0].products] == ["第一家的产品"]
    assert [p.name for p in second.algorithms[0].products] == ["第二家的产品"]
    assert "第一家" not in second.to_json()
    # the parts without names are one object, not a copy
    assert first.trace is second.trace


@pytest.mark.slow
@SETTINGS
@given(answers(), st.data())
def test_awkward_names_give_the_bytes_of_a_fresh_assessment(document: dict[str, Any], data: st.DataObject) -> None:
    renamed = _rename(document, lambda: data.draw(st.sampled_from(AWKWARD)) or "空")
    expected = assess(renamed, memoize=False).to_json()
    assert assess(renamed, shapes=True).to_json() == expected  # first sighting: afresh
    assert assess(renamed, shapes=True).to_json() == expected  # second: from a template with placeholders


def test_unsafe_names_are_assessed_afresh() -> None:
    base = load_answers(EXAMPLES[0])
    assert shape_of(base) is not None
    for name in ("a\ue000b", "\ue001"):
        product = base.products[0].model_copy(update={"name": name})
        assert shape_of(base.model_copy(update={"products": [product]})) is None, name


def test_names_that_look_like_targets_share_a_shape() -> None:
    """Targets are typed, so a product called ``entity`` or like an algorithm id is just a name."""
    base = load_answers(EXAMPLES[0])
    for name in ("entity", "personalized_push.recommend_by_profile.service_provider"):
        product = base.products[0].model_copy(update={"name": name})
        assert shape_of(base.model_copy(update={"products": [product]})) is not None, name


def test_equal_names_are_part_of_the_shape() -> None:
    """Two features of one name are one feature to the assessment: a different shape from two names."""
    document = _documents()[0]
    same = shape_of(Answers.model_validate(_rename(document, lambda: "X")))
    counter = iter(range(1000))
    distinct = shape_of(Answers.model_validate(_rename(document, lambda: f"X{next(counter)}")))
    assert same is not None and distinct is not None
    assert same.key != distinct.key


def test_the_memo_is_bounded_and_keeps_shapes_seen_twice() -> None:
    memo = ShapeMemo(size=3)
    fresh_calls: list[str] = []

    def fresh(answers: Answers, when: Any) -> Any:
        fresh_calls.append(answers.products[0].name)
        return assess(answers, as_of=when, memoize=False)

    book = default_rulebook()
    models = [Answers.model_validate(d) for d in _documents()[:5]]

    def run(model: Answers) -> None:
        memo.assess(model, book.as_of, book, fresh)

    for model in models:
        run(model)
    assert len(memo) == 0 and len(fresh_calls) == 5  # seen once: assessed afresh, no template
    for model in models:
        run(model)
    assert len(memo) == 3 and len(fresh_calls) == 10  # seen twice: a template each, 3 kept
    run(models[-1])
    assert len(fresh_calls) == 10  # the most recent template is still there
    run(models[0])
    assert len(fresh_calls) == 11 and len(memo) == 3  # the oldest was dropped: a first sighting again

def test_no_rule_may_test_a_name(tmp_path: Path) -> None:
    """The memo rests on this: a rule that tested a name could not share an assessment."""
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = rules / "classification.yaml"
    text = path.read_text(encoding="utf-8")
    line = "      behaviour: {in: [recommend_by_profile, personalized_ads,"
    assert line in text
    for attr in ("feature", "product"):
        path.write_text(text.replace(line, f"      {attr}: 首页推荐\n" + line, 1), encoding="utf-8")
        with pytest.raises(RulebookError, match=f"'{attr}' is free text"):
            load_rulebook(rules)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_json_filled_as_text_is_the_dump_of_the_assessment(path: Path) -> None:
    document = load_answers(path).model_dump(mode="json", exclude_none=True)
    pool = iter(['"quoted"', "line\nbreak", "tab\t", r"back\slash", "Ünïcødé 名", "$1"] * 50)
    for renamed in (document, _rename(document, lambda: next(pool) or "空")):
        expected = assess(renamed, memoize=False).to_json(indent=None)
        assert assess_json(renamed, shapes=True) == expected  # first sighting: dumped
        assert assess_json(renamed, shapes=True) == expected  # second: a template, its text filled in
        assert assess_json(renamed, shapes=True) == expected  # third: the template's text, cached
        assert assess_json(renamed, memoize=False) == expected


@pytest.mark.slow
@SETTINGS
@given(answers(), st.data())
def test_json_of_awkward_names_is_the_dump_of_the_assessment(document: dict[str, Any],
                                                             data: st.DataObject) -> None:
    names = st.one_of(st.sampled_from(AWKWARD[7:]), st.text(min_size=1, max_size=6))
    renamed = _rename(document, lambda: data.draw(names) or "空")
    expected = assess(renamed, memoize=False).to_json(indent=None)
    assert assess_json(renamed, shapes=True) == expected
    assert assess_json(renamed, shapes=True) == expected


def test_assess_computes_from_the_answers_unless_a_batch_asks_for_the_memo(tmp_path: Path) -> None:
    """Only batches share templates: a single assessment never comes from another lead's template."""
    from engine.intake.batch import run_batch

    SHAPES.clear()
    document = _documents()[0]
    for _ in range(3):
        assess(document)
        assess_json(document)
    assert len(SHAPES) == 0
    source = tmp_path / "leads.jsonl"
    counter = iter(range(1000))
    source.write_text("".join(json.dumps(_rename(document, lambda: f"名{next(counter)}"), ensure_ascii=False)
                              + "\n" for _ in range(3)), encoding="utf-8")
    run_batch(source, tmp_path / "out.jsonl")
    assert len(SHAPES) == 1
    SHAPES.clear()
    run_batch(source, tmp_path / "fresh.jsonl", shapes=False)
    assert len(SHAPES) == 0
    assert (tmp_path / "fresh.jsonl").read_bytes() == (tmp_path / "out.jsonl").read_bytes()


def test_answers_with_filed_algorithms_have_no_shape() -> None:
    """Which algorithms are covered depends on product names, which a shape leaves out."""
    document = {"entity": {"name": "e"}, "products": [{
        "name": "某某资讯", "forms": ["app"], "audience": ["public"],
        "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}]}
    assert shape_of(parse_answers(document)) is not None
    document["filed_algorithms"] = [{"number": "网信算备110108823483902220017号", "name": "推荐算法",
                                     "products": ["某某资讯"]}]
    assert shape_of(parse_answers(document)) is None
