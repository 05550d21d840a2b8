"""Durable-rules and the plain-Python reference evaluator reach the same conclusions.

Hypothesis generates answers across the whole vocabulary (forms, audiences, opinion features,
user groups, behaviours including ``other`` and ``unsure``, model sources, API offering,
commercial, news, launch status, dates on both sides of 2025-09-01) and requires that:

* the engine (``memoize=False``, every fact through durable-rules) and the reference evaluator
  fire the same rules on the same facts, and their firings, each in its own order, assemble
  into byte-identical assessments;
* the memoised engine gives the same assessment as the un-memoised one, whatever the names;
* every generated document, including deliberately malformed ones, either assesses or fails
  with a clean :class:`engine.AnswersError` that names a field.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import reference_evaluator as reference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import AnswersError, assemble, assess, build_facts, default_rulebook, evaluate, parse_answers
from engine.model.vocabulary import load_vocabulary
from engine.rules.runtime import Firing

VOCAB = load_vocabulary()
UNSURE = "unsure"
SETTINGS = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

names = st.sampled_from(["某某", "Acme", "产品A", "x", "新闻 客户端", "AI助手"])
dates = st.one_of(
    st.sampled_from([dt.date(2025, 8, 31), dt.date(2025, 9, 1), dt.date(2023, 1, 9), dt.date(2023, 1, 10),
                     dt.date(2023, 8, 14), dt.date(2023, 8, 15)]),
    st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2028, 12, 31)),
)


def ids(group: str, *, unsure: bool = True) -> st.SearchStrategy[str]:
    return st.sampled_from([*VOCAB.ids(group), *([UNSURE] if unsure else [])])


def id_list(group: str, *, min_size: int) -> st.SearchStrategy[Any]:
    """A multi-select answer: a list of ids (``unsure`` among them or not), or ``unsure`` itself."""
    return st.one_of(st.lists(ids(group), min_size=min_size, max_size=4, unique=True), st.just(UNSURE))


tri_state = st.one_of(st.booleans(), st.just(UNSURE), st.sampled_from(["yes", "no"]))


@st.composite
def features(draw: st.DrawFn) -> dict[str, Any]:
    feature: dict[str, Any] = {"name": draw(names), "behaviours": draw(id_list("behaviour", min_size=1))}
    if draw(st.booleans()):
        feature["model_source"] = draw(ids("model_source"))
    if draw(st.booleans()):
        feature["offered_as_api"] = draw(tri_state)
    return feature


@st.composite
def products(draw: st.DrawFn) -> dict[str, Any]:
    product: dict[str, Any] = {
        "name": draw(names),
        "forms": draw(id_list("product_form", min_size=1)),
        "audience": draw(id_list("audience", min_size=1)),
        "features": draw(st.lists(features(), min_size=1, max_size=3)),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "opinion_features": id_list("opinion_feature", min_size=0),
        "user_groups": id_list("user_group", min_size=0),
        "monthly_active_users": st.one_of(st.integers(min_value=0, max_value=10**9), st.just(UNSURE)),
        "news": tri_state,
        "commercial": st.one_of(tri_state, st.none()),
        "launch_status": ids("launch_status", unsure=False),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            product[key] = draw(strategy)
    # distinct product names: the assessment groups by name, as a person's answers would
    return product


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    items = draw(st.lists(products(), min_size=1, max_size=2))
    for index, item in enumerate(items):
        item["name"] = f"{item['name']}{index}"
    document: dict[str, Any] = {"entity": {"name": draw(names)}, "products": items}
    if draw(st.booleans()):
        document["as_of"] = draw(dates).isoformat()
    return document


@st.composite
def malformed(draw: st.DrawFn) -> Any:
    """A valid document with one thing broken, or not a document at all."""
    document = draw(answers())
    product = document["products"][0]
    feature = product["features"][0]
    breakage = draw(st.sampled_from([
        "unknown_form", "unknown_behaviour", "no_entity", "no_features", "empty_forms", "extra_key",
        "bad_tri_state", "bad_count", "bad_date", "not_a_mapping", "products_not_list", "feature_not_mapping",
        "number_name", "unknown_model_source",
    ]))
    if breakage == "unknown_form":
        product["forms"] = ["app", draw(st.sampled_from(["webiste", "App", "", "网站"]))]
    elif breakage == "unknown_behaviour":
        feature["behaviours"] = [draw(st.sampled_from(["recomend", "ranking", "OTHER", "生成"]))]
    elif breakage == "no_entity":
        del document["entity"]
    elif breakage == "no_features":
        product["features"] = []
    elif breakage == "empty_forms":
        product["forms"] = []
    elif breakage == "extra_key":
        product[draw(st.sampled_from(["form", "audiences", "feature", "x"]))] = "app"
    elif breakage == "bad_tri_state":
        product["news"] = draw(st.sampled_from(["maybe", 3, [], {}]))
    elif breakage == "bad_count":
        product["monthly_active_users"] = draw(st.sampled_from([-1, "many", 1.5, True]))
    elif breakage == "bad_date":
        document["as_of"] = draw(st.sampled_from(["2025-13-01", "yesterday", "2025/09/01", "01.09.2025"]))
    elif breakage == "not_a_mapping":
        # (a string is a path to ``assess``: "answers" names a file that does not exist)
        return draw(st.sampled_from([[], "answers", 42, None, [document]]))
    elif breakage == "products_not_list":
        document["products"] = product
    elif breakage == "feature_not_mapping":
        product["features"] = ["推荐"]
    elif breakage == "number_name":
        document["entity"]["name"] = draw(st.sampled_from([12, None, ""]))
    elif breakage == "unknown_model_source":
        feature["model_source"] = draw(st.sampled_from(["openai", "Own", "self"]))
    return document


def _canonical(firings: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return sorted(json.dumps([rule_id, fact], sort_keys=True, ensure_ascii=False) for rule_id, fact in firings)


def _roots(document: dict[str, Any]) -> tuple[Any, dt.date, list[Any]]:
    model = parse_answers(document)
    when = model.as_of or default_rulebook().as_of
    return model, when, build_facts(model, when)


@pytest.mark.slow
@SETTINGS
@given(answers())
def test_durable_rules_and_reference_fire_the_same_rules(document: dict[str, Any]) -> None:
    book = default_rulebook()
    model, when, roots = _roots(document)
    engine_firings = evaluate(roots, book, memoize=False)
    reference_firings = reference.evaluate(book, [r.as_message() for r in roots])

    assert {(f.rule_id, f.fact["fid"], f.fact["kind"]) for f in engine_firings} == \
        {(rule_id, fact["fid"], fact["kind"]) for rule_id, fact in reference_firings}
    assert _canonical([(f.rule_id, f.fact) for f in engine_firings]) == _canonical(reference_firings)
    # at most once per fact, on each side
    assert len(engine_firings) == len(reference_firings)

    # each evaluator's firings, in the order it found them, assemble into the same bytes
    by_reference = assemble(book, roots, [Firing(rule_id, fact) for rule_id, fact in reference_firings], when)
    by_engine = assemble(book, roots, engine_firings, when)
    assert by_engine.to_json() == by_reference.to_json()


def test_assembly_does_not_depend_on_the_firing_order_within_a_fact() -> None:
    """Two trace entries that differ only in ``via`` are ordered by it, not by firing order."""
    document = {"entity": {"name": "某某"}, "products": [{
        "name": "某某0", "forms": ["website"], "audience": ["public"],
        "features": [{"name": "写作", "behaviours": ["generate_text"], "offered_as_api": True}]}]}
    book = default_rulebook()
    model, when, roots = _roots(document)
    firings = evaluate(roots, book, memoize=False)
    groups: dict[str, list[Firing]] = {}
    for firing in firings:
        groups.setdefault(firing.fact["fid"], []).append(firing)
    reversed_within_facts = [f for root in roots for f in reversed(groups.get(root.fid, []))]
    assert reversed_within_facts != firings
    assert assemble(book, roots, firings, when).to_json() == \
        assemble(book, roots, reversed_within_facts, when).to_json()


@pytest.mark.slow
@SETTINGS
@given(answers())
def test_memoised_engine_agrees_with_every_fact_through_durable_rules(document: dict[str, Any]) -> None:
    assert assess(document).to_json() == assess(document, memoize=False).to_json()


@pytest.mark.slow
@SETTINGS
@given(st.one_of(answers(), malformed()))
def test_every_document_assesses_or_fails_cleanly(document: Any) -> None:
    try:
        result = assess(document)
    except AnswersError as exc:
        assert exc.problems, "an AnswersError lists at least one problem"
        key, message = exc.problems[0]
        assert message and (key or exc.file), "the error names the field, or the file a path pointed to"
        assert "Traceback" not in exc.render_all()
    else:
        assert result.filing.status in ("required", "recommended", "needs_review", "not_required")
        assert result.rules_version == default_rulebook().rules_version


@pytest.mark.slow
def test_malformed_documents_are_refused() -> None:
    """The malformed strategy really breaks documents (so the test above tests refusals too)."""
    refused = 0

    @settings(max_examples=60, deadline=None, database=None, derandomize=True)
    @given(malformed())
    def check(document: Any) -> None:
        nonlocal refused
        with pytest.raises(AnswersError):
            assess(document)
        refused += 1

    check()
    assert refused > 0


MISSING_ATTRIBUTE_CASES: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    ({"mau": {"not": 5}}, {}, False),
    ({"mau": {"not_in": [5, 6]}}, {}, False),
    ({"mau": {"gte": 5}}, {}, False),
    ({"mau": {"gte": 5}}, {"mau": 5}, True),
    ({"mau": {"lt": 5}}, {"mau": 5}, False),
    ({"mau": {"not": 5}}, {"mau": 3}, True),
    ({"mau": {"not_in": [5, 6]}}, {"mau": 6}, False),
]


@pytest.fixture(scope="module")
def probe_runtime() -> Any:
    """A runtime of one probe rule per case (a rulebook variant; the shipped one is untouched)."""
    from engine.rules.rulebook import Rule
    from engine.rules.runtime import RulesRuntime

    rules = {
        f"probe_{i}": Rule.model_validate({
            "id": f"probe_{i}", "title": {"zh": "探针", "en": "probe"}, "basis": [{"law": "arp", "article": "2"}],
            "basis_kind": "statute",
            "explanation": {"zh": "测试", "en": "test"}, "when": {"fact": "product", **test},
            "then": {"steps": ["register"]}})
        for i, (test, _, _) in enumerate(MISSING_ATTRIBUTE_CASES)
    }
    variant = default_rulebook().model_copy(update={"rules": rules, "digest": "probe"})
    return RulesRuntime(variant)


@pytest.mark.parametrize("index", range(len(MISSING_ATTRIBUTE_CASES)))
def test_a_test_on_a_missing_attribute_never_holds_in_either_evaluator(index: int, probe_runtime: Any) -> None:
    """durable-rules and the reference agree on absent attributes (even for ``not``/``not_in``)."""
    from engine.model.conditions import Condition

    test, attrs, expected = MISSING_ATTRIBUTE_CASES[index]
    fact = {"kind": "product", "fid": "p0", "as_of": 20260101, **attrs}
    fired = {f.rule_id for f in probe_runtime.evaluate([fact])}
    assert (f"probe_{index}" in fired) is expected
    assert reference.condition_holds(Condition.model_validate({"fact": "product", **test}), fact) is expected
