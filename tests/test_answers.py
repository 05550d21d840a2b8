"""The answers model: strict, with one clear message per bad field."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import AnswersError, load_answers, parse_answers
from engine.model.answers import answers_json_schema

FIXTURES = Path(__file__).parent / "fixtures" / "invalid_answers"
EXAMPLES = Path(__file__).parent.parent / "examples"

CASES = [
    ("unknown_key.yaml", "products[0].featurs", ["unknown key 'featurs'", "did you mean 'features'"]),
    ("unknown_id.yaml", "products[0].features[0].behaviours[0]",
     ["unknown behaviour id 'recomend_by_profile'", "did you mean 'recommend_by_profile'"]),
    ("wrong_type.yaml", "products[0].monthly_active_users", ["whole number", "'lots'"]),
    ("missing_field.yaml", "products[0].forms", ["required field is missing", "add `forms:`"]),
    ("bad_date.yaml", "products[0].launch_date", ["date"]),
    ("bad_tri_state.yaml", "products[0].features[0].offered_as_api", ["true, false or unsure", "'maybe'"]),
    ("broken_yaml.yaml", "", ["not valid YAML", "line"]),
    ("broken_json.json", "", ["not valid JSON", "line 1"]),
    ("not_a_mapping.yaml", "(document)", ["expected a mapping"]),
    ("no_products.yaml", "products", ["must not be empty"]),
]


@pytest.mark.parametrize(("name", "key", "keywords"), CASES, ids=[c[0] for c in CASES])
def test_invalid_answers_name_file_field_and_fix(name: str, key: str, keywords: list[str]) -> None:
    with pytest.raises(AnswersError) as info:
        load_answers(FIXTURES / name)
    text = info.value.render_all()
    assert str(FIXTURES / name) in text
    if key:
        assert any(k == key for k, _ in info.value.problems), info.value.problems
    for keyword in keywords:
        assert keyword in text, f"{keyword!r} not in {text!r}"


def test_every_invalid_fixture_has_a_case() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted(c[0] for c in CASES)


def test_missing_file_is_an_answers_error() -> None:
    with pytest.raises(AnswersError, match="file not found"):
        load_answers(FIXTURES / "does_not_exist.yaml")


def test_unsure_is_accepted_for_every_kind_of_answer() -> None:
    answers = parse_answers({
        "entity": {"name": "x"},
        "products": [{"name": "p", "forms": "unsure", "audience": ["public", "unsure"],
                      "opinion_features": "unsure", "user_groups": "unsure", "monthly_active_users": "unsure",
                      "news": "unsure", "commercial": "unsure",
                      "features": [{"name": "f", "behaviours": "unsure", "model_source": "unsure",
                                    "offered_as_api": "unsure"}]}],
    })
    product = answers.products[0]
    assert product.forms == ["unsure"] and product.opinion_features == ["unsure"]
    assert product.features[0].behaviours == ["unsure"]
    assert product.monthly_active_users == "unsure" and product.news == "unsure"


def test_every_problem_is_reported_not_only_the_first() -> None:
    with pytest.raises(AnswersError) as info:
        parse_answers({"entity": {}, "products": [{"name": "p", "forms": ["appp"], "audience": ["public"],
                                                   "features": [{"name": "f", "behaviours": ["hot_lists"]}]}]})
    keys = [k for k, _ in info.value.problems]
    assert keys == ["entity.name", "products[0].forms[0]", "products[0].features[0].behaviours[0]"]


def test_examples_are_valid_answers() -> None:
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert files
    for path in files:
        load_answers(path)


def test_schema_lists_vocabulary_ids() -> None:
    schema = answers_json_schema()
    text = str(schema)
    assert "recommend_by_profile" in text and "pickup_point_suggestion" in text
    assert schema["additionalProperties"] is False


def test_filed_algorithms_are_decoded_and_name_products_of_the_answers() -> None:
    """Issue 16 item 4: a filed number is checked with the decoder; a product name must exist."""
    document = {"entity": {"name": "e"}, "products": [{
        "name": "某某资讯", "forms": ["app"], "audience": ["public"],
        "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}],
        "filed_algorithms": [{"number": "110108 8234839 02 22 0017", "name": "推荐算法", "products": ["某某资讯"]}]}
    assert parse_answers(document).filed_algorithms[0].number == "网信算备110108823483902220017号"
    document["filed_algorithms"][0]["number"] = "网信算备1101088234839092220017号"
    with pytest.raises(AnswersError) as info:
        parse_answers(document)
    assert any(k == "filed_algorithms[0].number" for k, _ in info.value.problems)
    assert "type code" in info.value.render_all()
    document["filed_algorithms"][0] = {"number": "网信算备110108823483902220017号", "name": "n",
                                       "products": ["某某咨讯"]}
    with pytest.raises(AnswersError) as info:
        parse_answers(document)
    assert "no product named '某某咨讯'" in info.value.render_all()
    assert "did you mean '某某资讯'" in info.value.render_all()
