"""The questionnaire flow without a terminal: what is asked, where answers land, back, review,
prefill, drafts — and that what people describe reaches the type the official lists give."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import assess, load_answers
from engine.errors import AnswersError, FlowError
from engine.questionnaire.drafts import draft_files, dump_document, load_draft, progress_path
from engine.questionnaire.flow import Flow
from engine.questionnaire.inputs import describe_value, parse_count
from engine.questionnaire.loader import default_questionnaire
from engine.questionnaire.prefill import check_partial
from engine.questionnaire.slots import Slot

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL = ROOT / "tests" / "fixtures" / "official" / "filings-2022-2023.csv"
Q = default_questionnaire()

NEWS_PRODUCT = {
    "product_name": "某某新闻", "forms": ["app", "website"], "audience": ["public"],
    "opinion_features": ["comments", "ugc_posting", "news"], "monthly_active_users": 3200000,
    "user_groups": ["minors", "elderly"], "launch_status": "launched", "launch_date": "2026-03-02",
}
NEWS_FEATURES = [
    {"feature_name": "首页推荐", "does": ["picks_for_user"], "personalises": ["recommend_by_profile"]},
    {"feature_name": "热榜", "does": ["orders_items"], "orders": ["hot_list"]},
    {"feature_name": "搜索", "does": ["finds_or_screens"], "retrieves_filters": ["search_by_query"]},
    {"feature_name": "评论审核", "does": ["finds_or_screens"],
     "retrieves_filters": ["content_moderation", "spam_filtering"]},
]


def run(flow: Flow, entity: dict[str, Any], products: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> list[str]:
    """Answer every question the flow asks from the scripts; returns the slot keys asked."""
    asked: list[str] = []
    while (step := flow.current()) is not None:
        slot = step.slot
        asked.append(slot.key)
        if slot.question == "another_feature":
            value: Any = "yes" if slot.feature + 1 < len(products[slot.product][1]) else "no"
        elif slot.question == "another_product":
            value = "yes" if slot.product + 1 < len(products) else "no"
        elif slot.question == "same_as_previous":
            value = products[slot.product][0].get("same_as_previous", "no")
        elif slot.product is None:
            value = scripted(entity, slot.question, "the entity")
        elif slot.feature is None:
            value = scripted(products[slot.product][0], slot.question, f"product {slot.product}")
        else:
            value = scripted(products[slot.product][1][slot.feature], slot.question,
                             f"feature {slot.feature} of product {slot.product}")
        flow.answer(value)
    return asked


def scripted(script: dict[str, Any], question: str, whose: str) -> Any:
    """The script's answer to ``question``; a question the script lacks (one just added to the
    questionnaire, say) fails the test with its name rather than a KeyError."""
    if question not in script:
        pytest.fail(f"no answer for question '{question}' in the script of {whose}; "
                    f"the script answers {sorted(script)}")
    return script[question]


def questions(asked: list[str]) -> list[str]:
    return [Slot.parse(k).question for k in asked]


def news_flow() -> Flow:
    flow = Flow(Q)
    run(flow, {"entity_name": "北京某某资讯科技有限公司"}, [(NEWS_PRODUCT, NEWS_FEATURES)])
    return flow


def types(flow: Flow) -> list[tuple[str, str | None, str]]:
    return sorted({(a.type, a.subtype, a.role) for a in assess(flow.answers()).algorithms})


# ------------------------------------------------------------------------------ whole flows

def test_news_app_answers_equal_the_example_file() -> None:
    flow = news_flow()
    expected = load_answers(ROOT / "examples" / "news_app.yaml").model_dump()
    for feature in expected["products"][0]["features"]:
        feature["description"] = None
    expected["products"][0]["monthly_active_users"] = None     # not asked: no rule reads it
    expected["products"][0]["commercial"] = None               # not asked: the materials name either
    assert flow.answers().model_dump() == expected
    result = assess(flow.answers())
    assert result.filing.status == "required"
    assert types(flow) == [("personalized_push", None, None),
                           ("ranking_selection", None, None),
                           ("retrieval_filtering", "content_filtering", None),
                           ("retrieval_filtering", "information_retrieval", None)]


def test_news_app_never_asks_generative_questions() -> None:
    asked = questions(run(Flow(Q), {"entity_name": "x"}, [(NEWS_PRODUCT, NEWS_FEATURES)]))
    assert "model_source" not in asked and "offered_as_api" not in asked and "generates" not in asked
    assert asked.count("feature_name") == 4 and asked.count("another_feature") == 4


def test_ai_photo_mini_program_calling_a_filed_model() -> None:
    product = {"product_name": "AI写真", "forms": ["mini_program"], "audience": ["public"],
               "opinion_features": ["info_sharing"], "monthly_active_users": 50000, "user_groups": ["none"],
               "launch_date": "", "launch_status": "planned"}
    feature = {"feature_name": "AI写真", "does": ["makes_content"],
               "generates": ["generate_image", "edit_image_video"],
               "model_source": "third_party_api", "biometric_output": "no"}
    flow = Flow(Q)
    asked = questions(run(flow, {"entity_name": "某某影像"}, [(product, [feature])]))
    assert "model_source" in asked and "large_model" not in asked and "offered_as_api" not in asked
    assert asked.index("launch_date") < asked.index("launch_status")   # no date given: the status is asked
    assert flow.answers().products[0].features[0].large_model is True  # follows from the model source
    result = assess(flow.answers())
    assert result.filing.status == "required"
    assert types(flow) == [("generation_synthesis", None, "service_provider")]
    assert {a.genai_route for a in result.algorithms} == {"genai_registration"}
    assert "offered_as_api" not in flow.document()["products"][0]["features"][0]


def test_model_vendor_offering_an_api_is_asked_about_the_api_and_files_as_supporter() -> None:
    product = {"product_name": "某某大模型开放平台", "forms": ["api"], "audience": ["business"],
               "output_reaches_individuals": "yes",
               "opinion_features": ["none"], "monthly_active_users": "unsure", "user_groups": ["none"],
               "launch_status": "launched", "launch_date": ""}
    feature = {"feature_name": "文本生成API", "does": ["makes_content"], "generates": ["generate_text"],
               "model_source": "own", "offered_as_api": "yes", "downstream_public": "yes"}
    flow = Flow(Q)
    asked = questions(run(flow, {"entity_name": "x"}, [(product, [feature])]))
    assert "offered_as_api" in asked and "downstream_public" in asked
    assert ("generation_synthesis", None, "technical_supporter") in types(flow)


def test_internal_tool_skips_user_scale_and_every_outward_question() -> None:
    product = {"product_name": "内部工单系统", "forms": ["website"], "audience": ["internal"]}
    feature = {"feature_name": "工单分派", "does": ["decides"], "decides_what": ["document_routing"]}
    flow = Flow(Q)
    asked = questions(run(flow, {"entity_name": "x"}, [(product, [feature])]))
    for skipped in ("monthly_active_users", "opinion_features", "user_groups", "news", "commercial",
                    "launch_status", "launch_date"):
        assert skipped not in asked
    assert assess(flow.answers()).filing.status == "not_required"
    assert "monthly_active_users" not in flow.document()["products"][0]


def test_pick_up_point_lands_on_a_scheduling_decision() -> None:
    product = {"product_name": "某某出行", "forms": ["app", "mini_program"], "audience": ["public"],
               "opinion_features": ["comments"], "monthly_active_users": 1000000, "user_groups": ["workers"],
               "launch_date": "2023-01-01"}
    feature = {"feature_name": "推荐上车点", "does": ["decides"], "decides_what": ["pickup_point_suggestion"]}
    flow = Flow(Q)
    run(flow, {"entity_name": "x"}, [(product, [feature])])
    assert flow.document()["products"][0]["features"][0]["behaviours"] == ["pickup_point_suggestion"]
    assert types(flow) == [("scheduling_decision", None, None)]


@pytest.mark.parametrize(("field", "value", "open_question"), [
    ("does", ["unsure"], "describe_function"),
    ("audience", ["unsure"], "audience"),
    ("opinion_features", ["unsure"], "opinion_features"),
])
def test_unsure_ends_in_needs_review_with_the_open_question(field: str, value: list[str], open_question: str) -> None:
    product = {**NEWS_PRODUCT, "opinion_features": ["none"]}
    feature = {"feature_name": "f", "does": ["picks_for_user"], "personalises": ["recommend_by_profile"]}
    (feature if field == "does" else product)[field] = value
    flow = Flow(Q)
    run(flow, {"entity_name": "x"}, [(product, [feature])])
    result = assess(flow.answers())
    assert result.filing.status == "needs_review"
    assert open_question in {o.id for o in result.open_questions}
    stored = flow.document()["products"][0]
    assert (stored["features"][0] if field == "does" else stored)[
        "behaviours" if field == "does" else field] == ["unsure"]


def test_unsure_model_source_is_stored_as_the_string_unsure() -> None:
    product = {**NEWS_PRODUCT, "forms": ["app"]}
    feature = {"feature_name": "AI 写作", "does": ["makes_content"], "generates": ["generate_text"],
               "model_source": "unsure"}
    flow = Flow(Q)
    run(flow, {"entity_name": "x"}, [(product, [feature])])
    assert flow.document()["products"][0]["features"][0]["model_source"] == "unsure"
    result = assess(flow.answers())
    assert "model_source" in {o.id for o in result.open_questions}
    assert "large_model" not in {o.id for o in result.open_questions}     # one unsure, one open question
    assert {a.genai_route for a in result.algorithms} == {None}


def test_no_algorithm_at_all_is_its_own_answer() -> None:
    flow = Flow(Q)
    run(flow, {"entity_name": "x"}, [({**NEWS_PRODUCT, "opinion_features": ["none"]},
                                      [{"feature_name": "静态页面", "does": ["none"]}])])
    assert flow.document()["products"][0]["features"][0]["behaviours"] == []


def test_two_products_each_with_their_features() -> None:
    second = {"product_name": "内部助手", "forms": ["website"], "audience": ["internal"]}
    flow = Flow(Q)
    run(flow, {"entity_name": "x"}, [(NEWS_PRODUCT, NEWS_FEATURES[:1]),
                                     (second, [{"feature_name": "问答", "does": ["makes_content"],
                                                "generates": ["generate_text"], "large_model": "yes",
                                                "model_source": "own"}])])
    doc = flow.document()
    assert [p["name"] for p in doc["products"]] == ["某某新闻", "内部助手"]
    assert doc["products"][1]["features"][0]["model_source"] == "own"
    assert flow.product_count() == 2 and flow.feature_count(1) == 1


# ------------------------------------------------------------------------------ answering

def test_answers_are_checked_against_the_question() -> None:
    flow = Flow(Q)
    flow.answer("x")
    flow.answer("p")
    with pytest.raises(FlowError, match="not a choice: appp"):
        flow.answer(["appp"])
    with pytest.raises(FlowError, match="tick at least one"):
        flow.answer([])
    flow.answer(["app"])
    flow.answer(["public"])
    with pytest.raises(FlowError, match="'none' cannot be ticked with other choices"):
        flow.answer(["none", "comments"])
    flow.answer(["none", "news"])          # news is a tick of its own: it goes with "none of these"
    flow.answer(["none"])
    with pytest.raises(FlowError, match="not a date"):
        flow.answer("maybe")
    flow.answer("")                         # no launch date: the status is asked
    with pytest.raises(FlowError, match="'maybe' is not a choice"):
        flow.answer("maybe")
    flow.answer("launched")
    product = flow.document()["products"][0]
    assert product["opinion_features"] == [] and product["news"] is True
    assert product["launch_status"] == "launched" and "launch_date" not in product


def test_dates_are_checked() -> None:
    flow = Flow(Q)
    run_until(flow, "launch_date")
    with pytest.raises(FlowError, match="not a date"):
        flow.answer("2025-13-01")
    flow.answer("2025-03-01")
    assert str(flow.document()["products"][0]["launch_date"]) == "2025-03-01"


def run_until(flow: Flow, question: str) -> None:
    script = {"entity_name": "x", **NEWS_PRODUCT, **NEWS_FEATURES[0]}
    while (step := flow.current()) is not None and step.slot.question != question:
        flow.answer(scripted(script, step.slot.question, "this walk-through"))


# ------------------------------------------------------------------------------ back

def test_back_preselects_the_earlier_answer_and_keeps_later_ones() -> None:
    flow = Flow(Q)
    run_until(flow, "launch_date")
    assert flow.current().slot.key == "p0:launch_date"
    assert flow.back()
    step = flow.current()
    assert step.slot.key == "p0:user_groups" and step.value == ["minors", "elderly"]
    assert flow.back()
    assert flow.current().value == ["comments", "ugc_posting", "news"]
    assert flow.document()["products"][0]["news"] is True
    flow.answer(["comments"])
    step = flow.current()
    assert step.slot.key == "p0:user_groups" and step.value == ["minors", "elderly"]
    flow.answer(step.value)
    assert flow.current().slot.key == "p0:launch_date" and flow.current().value is None
    assert flow.document()["products"][0]["opinion_features"] == ["comments"]
    assert flow.document()["products"][0]["news"] is False


def test_the_draft_counts_answers_as_the_screen_numbers_questions() -> None:
    """The draft's header ("已答 n 题") and the screen's "n/total" count the same questions."""
    flow = Flow(Q)
    script = {"entity_name": "x", **NEWS_PRODUCT, **NEWS_FEATURES[0], "another_feature": "no", "another_product": "no"}
    total = 0
    while (step := flow.current()) is not None:
        assert flow.answered_count() == step.index, step.slot.key
        total = step.total
        flow.answer(scripted(script, step.slot.question, "this walk-through"))
    assert flow.answered_count() == total


def test_a_list_of_feature_names_describes_each_feature_without_asking_its_name_again() -> None:
    flow = Flow(Q)
    run_until(flow, "feature_name")
    first = flow.current()
    flow.answer("首页推荐、热榜, 搜索")
    asked = []
    for does, _follow, value in (("picks_for_user", "personalises", ["recommend_by_profile"]),
                                ("orders_items", "orders", ["hot_list"]),
                                ("finds_or_screens", "retrieves_filters", ["search_by_query"])):
        for answer in ([does], value):
            step = flow.current()
            asked.append(step.slot.key)
            flow.answer(answer)
    assert asked == ["p0.f0:does", "p0.f0:personalises", "p0.f1:does", "p0.f1:orders",
                     "p0.f2:does", "p0.f2:retrieves_filters"]
    last = flow.current()
    assert last.slot.key == "p0:another_product"
    assert last.index == first.index + 7 and last.total == last.index + 1   # carried names are not counted
    assert [f["name"] for f in flow.document()["products"][0]["features"]] == ["首页推荐", "热榜", "搜索"]
    flow.answer("no")
    assert flow.answered_count() == last.total
    assert flow.remove_feature(0, 1)
    assert [f["name"] for f in flow.document()["products"][0]["features"]] == ["首页推荐", "搜索"]


def test_back_at_the_first_question_stays_there() -> None:
    flow = Flow(Q)
    assert flow.back() is False
    assert flow.current().slot.key == "entity:entity_name"


def test_back_from_the_review_goes_to_the_last_question() -> None:
    flow = news_flow()
    assert flow.is_complete()
    assert flow.back()
    assert flow.current().slot.key == "p0:another_product" and flow.current().value == "no"


def test_changing_an_answer_hides_but_keeps_later_answers() -> None:
    product = {**NEWS_PRODUCT, "forms": ["app"]}
    feature = {"feature_name": "AI 写作", "does": ["makes_content"], "generates": ["generate_text"],
               "model_source": "third_party_api"}
    flow = Flow(Q)
    run(flow, {"entity_name": "x"}, [(product, [feature])])
    flow.edit("p0.f0:does")
    flow.answer(["picks_for_user"])
    assert flow.current().slot.key == "p0.f0:personalises"
    flow.answer(["recommend_by_profile"])
    assert flow.is_complete()
    stored = flow.document()["products"][0]["features"][0]
    assert stored == {"name": "AI 写作", "behaviours": ["recommend_by_profile"]}
    assert flow.values["p0.f0:model_source"] == "third_party_api"
    flow.edit("p0.f0:does")
    flow.answer(["makes_content", "picks_for_user"])
    assert flow.is_complete()
    stored = flow.document()["products"][0]["features"][0]
    assert stored["behaviours"] == ["generate_text", "recommend_by_profile"]
    assert stored["model_source"] == "third_party_api"


# ------------------------------------------------------------------------------ review

def test_review_lists_answers_by_section_with_labels() -> None:
    flow = news_flow()
    sections = flow.review()
    assert [(s.scope, s.product, s.feature) for s in sections] == [
        ("entity", None, None), ("product", 0, None), ("feature", 0, 0), ("feature", 0, 1),
        ("feature", 0, 2), ("feature", 0, 3)]
    forms = next(i for i in sections[1].items if i.question.id == "forms")
    assert describe_value(Q, forms.question, forms.value, "zh") == "移动应用程序（APP）、网站"
    assert describe_value(Q, forms.question, forms.value, "en") == "Mobile app, Website"
    assert all(i.question.id not in ("another_feature", "another_product") for s in sections for i in s.items)


def test_edit_from_review_asks_new_questions_then_returns() -> None:
    flow = news_flow()
    flow.edit("p0:audience")
    flow.answer(["internal"])
    assert flow.is_complete()
    assert assess(flow.answers()).filing.status == "not_required"
    flow.edit("p0:audience")
    flow.answer(["public"])
    assert flow.is_complete()
    assert flow.document()["products"][0]["opinion_features"] == ["comments", "ugc_posting"]


def test_edit_rejects_a_question_that_does_not_apply() -> None:
    with pytest.raises(FlowError, match="not asked"):
        news_flow().edit("p0.f0:model_source")


def test_add_and_remove_features_and_products() -> None:
    flow = news_flow()
    flow.add_feature(0)
    assert flow.current().slot.key == "p0.f4:feature_name"
    for value in ("消息推送", ["picks_for_user"], ["personalized_notifications"], "no"):
        flow.answer(value)
    assert flow.is_complete() and flow.feature_count(0) == 5
    assert flow.remove_feature(0, 1)
    names = [f["name"] for f in flow.document()["products"][0]["features"]]
    assert names == ["首页推荐", "搜索", "评论审核", "消息推送"]
    assert flow.is_complete()
    flow.add_product()
    assert flow.current().slot.key == "p1:same_as_previous"
    run(flow, {}, [(NEWS_PRODUCT, NEWS_FEATURES), ({**NEWS_PRODUCT, "product_name": "第二个"}, NEWS_FEATURES[:1])])
    assert [p["name"] for p in flow.document()["products"]] == ["某某新闻", "第二个"]
    assert flow.remove_product(0)
    assert [p["name"] for p in flow.document()["products"]] == ["第二个"]
    assert flow.is_complete()
    assert flow.remove_product(0) is False
    assert flow.remove_feature(0, 0) is False


# ------------------------------------------------------------------------------ prefill

def test_a_complete_answers_file_asks_nothing() -> None:
    doc = yaml.safe_load((ROOT / "examples" / "news_app.yaml").read_text(encoding="utf-8"))
    flow = Flow.from_document(Q, check_partial(doc, source="news_app.yaml"))
    assert flow.is_complete()
    assert flow.answers() == load_answers(ROOT / "examples" / "news_app.yaml")
    assert flow.document()["products"][0]["features"][0]["description"] == "根据点击、停留时长为每个用户挑选资讯"
    assert flow.values["p0.f0:does"] == ["picks_for_user"]
    assert flow.values["p0.f3:does"] == ["finds_or_screens"]


def test_prefill_asks_only_what_is_missing() -> None:
    doc = yaml.safe_load((ROOT / "examples" / "news_app.yaml").read_text(encoding="utf-8"))
    del doc["products"][0]["audience"]
    del doc["products"][0]["features"][1]["behaviours"]
    doc["entity"]["credit_code"] = "91110000000000000X"
    doc["as_of"] = "2026-01-01"
    flow = Flow.from_document(Q, check_partial(doc, source="f.yaml"))
    asked = []
    while (step := flow.current()) is not None:
        asked.append(step.slot.key)
        flow.answer({"p0:audience": ["public"], "p0.f1:does": ["orders_items"],
                     "p0.f1:orders": ["hot_list"]}[step.slot.key])
    assert asked == ["p0:audience", "p0.f1:does", "p0.f1:orders"]
    out = flow.document()
    assert out["entity"]["credit_code"] == "91110000000000000X" and str(out["as_of"]) == "2026-01-01"
    assert list(out)[:2] == ["as_of", "entity"]


def test_prefill_keeps_answers_the_questionnaire_would_not_ask_until_their_basis_changes() -> None:
    doc = {"entity": {"name": "x"}, "products": [{
        "name": "p", "forms": ["app"], "audience": ["public"], "opinion_features": [], "user_groups": [],
        "news": False, "commercial": True, "launch_status": "launched", "monthly_active_users": 10,
        "features": [{"name": "f", "behaviours": ["generate_text"], "model_source": "own",
                      "large_model": True, "offered_as_api": True}]}]}
    flow = Flow.from_document(Q, doc)
    assert flow.is_complete()
    assert flow.document()["products"][0]["features"][0]["offered_as_api"] is True
    assert ("generation_synthesis", None, "technical_supporter") in types(flow)
    flow.edit("p0:forms")
    flow.answer(["app", "website"])
    assert "offered_as_api" not in flow.document()["products"][0]["features"][0]


def test_prefill_reads_news_into_the_opinion_checklist_and_keeps_it_while_the_checklist_is_missing() -> None:
    """news is the checklist's last tick: read back as that tick (with "none of these" where no
    opinion feature is given), and kept as given while the file has no checklist answer yet."""
    product = {"name": "p", "forms": ["app"], "audience": ["public"], "user_groups": [], "news": True,
               "launch_date": "2026-03-02", "features": [{"name": "f", "behaviours": ["hot_list"]}]}
    flow = Flow.from_document(Q, {"entity": {"name": "x"}, "products": [{**product, "opinion_features": []}]})
    assert flow.is_complete() and flow.values["p0:opinion_features"] == ["none", "news"]
    assert (flow.document()["products"][0]["opinion_features"], flow.document()["products"][0]["news"]) == ([], True)
    flow = Flow.from_document(Q, {"entity": {"name": "x"}, "products": [product]})
    assert flow.current().slot.key == "p0:opinion_features"  # type: ignore[union-attr]
    assert flow.document()["products"][0]["news"] is True
    flow.answer(["comments"])
    assert flow.document()["products"][0]["news"] is False


def test_prefill_refuses_wrong_answers_but_not_missing_ones() -> None:
    check_partial({"entity": {}, "products": [{"name": "x", "features": [{}]}]}, source="ok.yaml")
    with pytest.raises(AnswersError) as caught:
        check_partial({"entity": {"name": "x"}, "products": [{"name": "p", "froms": ["app"],
                                                             "features": [{"behaviours": ["hot_lst"]}]}]},
                      source="bad.yaml")
    rendered = caught.value.render_all()
    assert "bad.yaml: products[0].froms: unknown key 'froms'; did you mean 'forms'?" in rendered
    assert "did you mean 'hot_list'" in rendered


def test_new_feature_asks_only_the_new_feature() -> None:
    doc = yaml.safe_load((ROOT / "examples" / "news_app.yaml").read_text(encoding="utf-8"))
    flow = Flow.from_document(Q, doc)
    assert flow.start_new_feature(0) == 4
    asked = []
    while (step := flow.current()) is not None:
        asked.append(step.slot.key)
        flow.answer({"feature_name": "AI 摘要", "does": ["makes_content"], "generates": ["generate_text"],
                     "model_source": "third_party_api",
                     "feature_launch_date": "2026-12-07"}[step.slot.question])
    assert asked == ["p0.f4:feature_name", "p0.f4:does", "p0.f4:generates",
                     "p0.f4:model_source", "p0.f4:feature_launch_date"]
    after = flow.answers()
    assert [f.name for f in after.products[0].features][-1] == "AI 摘要"
    assert str(after.products[0].features[-1].launch_date) == "2026-12-07"
    assert all(f.launch_date is None for f in after.products[0].features[:4])
    assert after.products[0].features[:4] == load_answers(ROOT / "examples" / "news_app.yaml").products[0].features


# ------------------------------------------------------------------------------ drafts

def write_draft(flow: Flow, path: Path, lang: str = "zh") -> None:
    text, progress = draft_files(flow, path, "header line", lang)  # type: ignore[arg-type]
    path.write_text(text, encoding="utf-8")
    progress_path(path).write_text(progress, encoding="utf-8")


def test_draft_is_an_answers_file_and_resumes_where_it_stopped(tmp_path: Path) -> None:
    flow = Flow(Q)
    run_until(flow, "does")
    flow.back()
    draft = tmp_path / "d.yaml"
    write_draft(flow, draft)
    text = draft.read_text(encoding="utf-8")
    assert text.startswith("# header line\n")
    assert yaml.safe_load(text)["products"][0]["features"][0] == {"name": "首页推荐"}
    loaded = load_draft(Q, draft)
    assert not loaded.edited and loaded.progress is not None
    assert loaded.flow.current().slot.key == "p0.f0:feature_name"
    assert loaded.flow.values == flow.values


def test_complete_draft_is_valid_for_assess(tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    write_draft(news_flow(), draft)
    assert assess(draft).filing.status == "required"


def test_draft_without_its_sidecar_still_resumes(tmp_path: Path) -> None:
    flow = Flow(Q)
    run_until(flow, "personalises")
    draft = tmp_path / "d.yaml"
    write_draft(flow, draft)
    progress_path(draft).unlink()
    loaded = load_draft(Q, draft)
    assert loaded.progress is None
    assert loaded.flow.current().slot.key == "p0.f0:does"
    assert loaded.flow.values["p0:forms"] == ["app", "website"]


def test_draft_edited_by_hand_wins_over_its_sidecar(tmp_path: Path) -> None:
    flow = Flow(Q)
    run_until(flow, "does")
    draft = tmp_path / "d.yaml"
    write_draft(flow, draft)
    draft.write_text(draft.read_text(encoding="utf-8").replace("name: 某某新闻", "name: 改过的名字"), encoding="utf-8")
    loaded = load_draft(Q, draft)
    assert loaded.edited
    assert loaded.flow.document()["products"][0]["name"] == "改过的名字"
    assert loaded.flow.current().slot.key == "p0.f0:does"


def test_broken_draft_is_reported_with_file_and_field(tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text("entity: {name: x}\nproducts:\n  - name: p\n    forms: [appp]\n", encoding="utf-8")
    with pytest.raises(AnswersError, match="did you mean 'app'"):
        load_draft(Q, draft)


def test_sidecar_is_a_json_document_with_a_schema(tmp_path: Path) -> None:
    from engine.questionnaire.drafts import DraftProgress

    draft = tmp_path / "d.yaml"
    write_draft(news_flow(), draft, "en")
    progress = json.loads(progress_path(draft).read_text(encoding="utf-8"))
    assert progress["format"] == "algo-filing-progress/1" and progress["lang"] == "en"
    assert progress["values"]["p0.f0:does"] == ["picks_for_user"]
    assert "values" in DraftProgress.model_json_schema()["properties"]


def test_resuming_and_saving_again_gives_the_same_bytes(tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "examples" / "news_app.yaml").read_text(encoding="utf-8"))
    doc["as_of"] = yaml.safe_load("2026-01-01")
    del doc["products"][0]["features"][3]
    flow = Flow.from_document(Q, doc)
    flow.add_feature(0)
    flow.answer("评论审核")
    draft = tmp_path / "d.yaml"
    write_draft(flow, draft)
    first = draft.read_text(encoding="utf-8"), progress_path(draft).read_text(encoding="utf-8")
    write_draft(load_draft(Q, draft).flow, draft)
    assert (draft.read_text(encoding="utf-8"), progress_path(draft).read_text(encoding="utf-8")) == first
    assert "as_of: 2026-01-01\n" in first[0]


def test_same_answers_same_bytes() -> None:
    assert dump_document(news_flow().document()) == dump_document(news_flow().document())
    first = draft_files(news_flow(), Path("d.yaml"), "h", "zh")
    assert first == draft_files(news_flow(), Path("d.yaml"), "h", "zh")


@pytest.mark.parametrize(("text", "count"), [
    ("120000", 120000), ("120,000", 120000), ("32万", 320000), ("1.5亿", 150000000), ("50k", 50000),
    ("3m", 3000000), (" 7 ", 7), ("abc", None), ("1.5", None), ("-3", None), ("", None),
])
def test_user_counts_as_people_type_them(text: str, count: int | None) -> None:
    assert parse_count(text) == count


# ------------------------------------------------------------------------------ real products

OFFICIAL_CASES: list[tuple[str, dict[str, Any], tuple[str, str | None]]] = [
    ("网易传媒信息推送算法", {"does": ["picks_for_user"], "personalises": ["personalized_notifications"]},
     ("personalized_push", None)),
    ("网易传媒信息搜索算法", {"does": ["finds_or_screens"], "retrieves_filters": ["search_by_query"]},
     ("retrieval_filtering", "information_retrieval")),
    ("微博热搜算法", {"does": ["orders_items"], "orders": ["hot_list"]}, ("ranking_selection", None)),
    ("美团外卖榜单排序算法", {"does": ["orders_items"], "orders": ["leaderboard"]}, ("ranking_selection", None)),
    ("快手内容安全算法", {"does": ["finds_or_screens"], "retrieves_filters": ["content_moderation"]},
     ("retrieval_filtering", "content_filtering")),
    ("钉钉语音识别算法", {"does": ["makes_content"], "generates": ["speech_recognition"],
                 "model_source": "not_large_model"},
     ("generation_synthesis", None)),
    ("天猫小蜜智能客服算法", {"does": ["makes_content"], "generates": ["smart_customer_service"],
                       "model_source": "not_large_model"}, ("generation_synthesis", None)),
    ("滴滴上车点推荐算法", {"does": ["decides"], "decides_what": ["pickup_point_suggestion"]},
     ("scheduling_decision", None)),
    ("滴滴网约车一口价算法", {"does": ["decides"], "decides_what": ["dynamic_pricing"]}, ("scheduling_decision", None)),
    ("菜鸟包裹时效预测算法", {"does": ["decides"], "decides_what": ["eta_prediction"]}, ("scheduling_decision", None)),
    ("蜂鸟物流配送算法", {"does": ["decides"], "decides_what": ["order_dispatch"]}, ("scheduling_decision", None)),
]
CATEGORY = {"个性化推送类": "personalized_push", "检索过滤类": "retrieval_filtering", "排序精选类": "ranking_selection",
            "调度决策类": "scheduling_decision", "生成合成类": "generation_synthesis"}


@pytest.mark.parametrize(("name", "feature", "expected"), OFFICIAL_CASES, ids=[c[0] for c in OFFICIAL_CASES])
def test_described_features_reach_the_official_type(name: str, feature: dict[str, Any],
                                                    expected: tuple[str, str | None]) -> None:
    with OFFICIAL.open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["algorithm_name"] == name)
    assert CATEGORY[row["category"]] == expected[0]
    product = {**NEWS_PRODUCT, "forms": ["app"], "opinion_features": ["comments", "ugc_posting"]}
    flow = Flow(Q)
    run(flow, {"entity_name": row["entity"]}, [(product, [{"feature_name": name, **feature}])])
    algorithms = assess(flow.answers()).algorithms
    assert {(a.type, a.subtype) for a in algorithms} == {expected}
