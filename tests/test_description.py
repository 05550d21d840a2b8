"""A feature given as a description instead of behaviours (issue 21, item 3): suggested, marked,
and never concluded until confirmed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import AnswersError, answers_json_schema, assess, parse_answers
from engine.intake.batch import run_batch


def document(*features: dict[str, Any]) -> dict[str, Any]:
    return {"entity": {"name": "某某科技有限公司"}, "products": [{
        "name": "某某", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
        "commercial": True, "features": list(features)}]}


FEED = {"name": "首页推荐", "description": "根据用户的浏览和购买记录，为用户推荐可能感兴趣的商品"}
SEARCH = {"name": "搜索", "behaviours": ["search_by_query"]}


def test_a_description_alone_gets_suggested_behaviours_marked_as_such() -> None:
    feature = parse_answers(document(FEED)).products[0].features[0]
    assert feature.behaviours == ["recommend_by_profile"]
    assert feature.behaviours_suggested is True
    assert feature.description == FEED["description"]


def test_the_suggestion_is_kept_when_the_answers_are_saved_and_read_again() -> None:
    once = parse_answers(document(FEED))
    again = parse_answers(once.model_dump(mode="json", exclude_none=True))
    assert again == once


def test_written_behaviours_are_never_replaced_by_a_suggestion() -> None:
    feature = parse_answers(document({**FEED, "behaviours": ["hot_list"]})).products[0].features[0]
    assert (feature.behaviours, feature.behaviours_suggested) == (["hot_list"], False)


def test_without_behaviours_or_description_the_message_is_unchanged() -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(document({"name": "首页推荐"}))
    assert caught.value.problems == [("products[0].features[0].behaviours",
                                      "required field is missing; add `behaviours:`")]


def test_the_schema_takes_behaviours_or_a_description() -> None:
    feature = answers_json_schema()["$defs"]["Feature"]
    assert feature["required"] == ["name"]
    assert feature["anyOf"] == [{"required": ["behaviours"]}, {"required": ["description"]}]
    assert feature["properties"]["behaviours_suggested"]["default"] is False


def test_the_assessment_asks_to_confirm_and_concludes_nothing() -> None:
    result = assess(document(FEED, SEARCH))
    assert result.filing.status == "needs_review"
    assert [(q.id, q.feature) for q in result.open_questions] == [("confirm_behaviours", "首页推荐")]
    statuses = {a.type: a.status for a in result.algorithms}
    # The feed rests on the suggestion; the search was answered and stays required.
    assert statuses == {"personalized_push": "needs_review", "retrieval_filtering": "required"}
    assert "confirm_suggested_behaviours" in [r.rule for r in result.filing.reasons]


def test_confirming_the_behaviours_gives_the_conclusion() -> None:
    confirmed = assess(document({**FEED, "behaviours": ["recommend_by_profile"]}, SEARCH))
    assert confirmed.filing.status == "required" and confirmed.open_questions == ()


def test_an_english_description() -> None:
    feature = parse_answers(document({"name": "feed", "description": "Recommends goods from browsing history"}))
    assert feature.products[0].features[0].behaviours == ["recommend_by_profile"]


def test_a_description_that_suggests_nothing_leaves_the_behaviours_unsure() -> None:
    feature = parse_answers(document({"name": "天气", "description": "今天天气很好"})).products[0].features[0]
    assert (feature.behaviours, feature.behaviours_suggested) == (["unsure"], True)


def test_a_blank_description_suggests_nothing() -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(document({"name": "首页推荐", "description": "  "}))
    assert caught.value.problems[0][0] == "products[0].features[0].behaviours"


def test_batch_records_may_carry_a_description(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    long = {"name": "x", "description": "说明" * 5_001}
    source.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in (document(FEED), document(long))) + "\n",
                      encoding="utf-8")
    stats = run_batch(source, out, summary=True)
    first, second = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert (stats.records, stats.errors) == (2, 1)
    assert first["status"] == "needs_review" and first["types"] == ["personalized_push"]
    assert second["error"] == {"field": "products[0].features[0].description",
                               "message": "10,002 characters, more than the limit of 5,000; shorten it"}


def test_csv_records_may_leave_the_behaviours_cell_empty_when_a_description_is_given(tmp_path: Path) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    source.write_text("entity_name,product_name,forms,audience,opinion_features,commercial,feature1_name,"
                      "feature1_description,feature1_behaviours\n"
                      f"某某科技有限公司,某某,app,public,comments,true,首页推荐,{FEED['description']},\n",
                      encoding="utf-8")
    run_batch(source, out, summary=False)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["filing"]["status"] == "needs_review"
    assert [q["id"] for q in result["open_questions"]] == ["confirm_behaviours"]


def test_features_are_told_apart_by_position_not_by_name() -> None:
    # Two features called the same: only the one given as a description is held.
    result = assess(document(FEED, {**SEARCH, "name": FEED["name"]}))
    assert {a.type: a.status for a in result.algorithms} == {"personalized_push": "needs_review",
                                                             "retrieval_filtering": "required"}
