"""Legal and practice judgements that live in rules/ data, with their basis, and load strictly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rule_edits import edit_in_place

from engine import assess, load_answers
from engine.errors import RulebookError
from engine.model.answers import parse_answers
from engine.model.vocabulary import rules_dir
from engine.rules.rulebook import Rulebook, default_rulebook, load_rulebook

ROOT = Path(__file__).resolve().parent.parent
NEWS_APP = ROOT / "examples" / "news_app.yaml"


def _rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    rules = _rules_copy(tmp_path)
    edit_in_place(rules / "catalogue" / name, [(old, new)])
    return rules


def _load_error(rules: Path) -> str:
    with pytest.raises(RulebookError) as info:
        load_rulebook(rules)
    return str(info.value)


def _custom(tmp_path: Path, name: str, old: str, new: str) -> Rulebook:
    return load_rulebook(_edited(tmp_path, name, old, new))


# ---------------------------------------------------------------- schedule.yaml

def test_every_dated_step_is_placed_with_a_basis() -> None:
    book = default_rulebook()
    assert set(book.step_starts) == {"entity_filing", "review", "genai_service_filing"}
    for placement in book.step_starts.values():
        assert placement.basis and placement.step in book.steps
    assert book.new_algorithm.basis[0].law == "arp"


def test_schedule_with_a_misspelt_key_names_file_key_and_fix(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "schedule.yaml", "    starts: filing_due\n", "    startz: filing_due\n"))
    assert "schedule.yaml" in message and "startz" in message and "did you mean 'starts'" in message


def test_schedule_placing_an_unknown_step_is_refused(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "schedule.yaml", "  - step: review\n", "  - step: reveiw\n"))
    assert "schedule.yaml" in message and "step_starts[1].step" in message and "did you mean 'review'" in message


def test_where_a_step_starts_is_read_from_the_data(tmp_path: Path) -> None:
    answers = load_answers(NEWS_APP)
    shipped = next(s for s in assess(answers).steps if s.id == "review")
    assert shipped.dates, "the review has no dates: the test would prove nothing"
    book = _custom(tmp_path, "schedule.yaml", "    starts: filing_due\n", "    starts: before_filing_due\n")
    moved = next(s for s in assess(answers, rulebook=book).steps if s.id == "review")
    assert moved.dates and moved.dates[0].start < shipped.dates[0].start


# ---------------------------------------------------------------- naming.yaml

def test_the_role_suffix_of_a_suggested_name_is_data(tmp_path: Path) -> None:
    answers = load_answers(ROOT / "examples" / "model_api_business.yaml")
    shipped = [a.name.zh for a in assess(answers).algorithms if a.role == "technical_supporter"]
    assert shipped and all(name.endswith("（技术支持）") for name in shipped)
    book = _custom(tmp_path, "naming.yaml", 'zh: "（技术支持）"', 'zh: "-技术支持者"')
    custom = [a.name.zh for a in assess(answers, rulebook=book).algorithms if a.role == "technical_supporter"]
    assert custom == [name.replace("（技术支持）", "-技术支持者") for name in shipped]


def test_naming_with_an_unknown_role_names_file_key_and_fix(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "naming.yaml", "  technical_supporter:\n", "  technical_suporter:\n"))
    assert "naming.yaml" in message and "role_suffix.technical_suporter" in message
    assert "did you mean 'technical_supporter'" in message


def test_naming_without_a_role_is_refused(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "naming.yaml", "  service_provider:\n    zh: \"\"\n    en: \"\"\n", ""))
    assert "naming.yaml" in message and "role_suffix.service_provider" in message


def test_suggested_names_follow_the_published_habit_product_scene_algorithm() -> None:
    """"<产品><场景>算法", as 抖音个性化推荐算法, 微博热搜算法 and 快手内容安全算法 are published: the
    scene is a short word, not the vocabulary's labels ("敏感词/垃圾信息过滤")."""
    result = assess(load_answers(NEWS_APP))
    assert [a.name.zh for a in result.algorithms] == [
        "某某新闻个性化推荐算法", "某某新闻热搜算法", "某某新闻搜索算法", "某某新闻内容安全算法"]
    assert [a.name.en for a in result.algorithms] == [
        "某某新闻 personalised recommendation algorithm", "某某新闻 trending algorithm",
        "某某新闻 search algorithm", "某某新闻 content security algorithm"]


def _news_with(features: list[dict[str, object]]) -> dict[str, object]:
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    document["products"][0]["features"] = features  # type: ignore[index]
    return document


def test_behaviours_with_different_scene_words_take_the_type_word() -> None:
    answers = parse_answers(_news_with([{"name": "创作助手", "behaviours": ["generate_text", "generate_image"]}]))
    names = [a.name.zh for a in assess(answers).algorithms if a.type == "generation_synthesis"]
    assert names and all(name.startswith("某某新闻生成合成算法") for name in names)


def test_two_algorithms_with_one_scene_word_carry_their_features_names() -> None:
    answers = parse_answers(_news_with([{"name": "评论审核", "behaviours": ["content_moderation", "spam_filtering"]},
                                       {"name": "弹幕过滤", "behaviours": ["spam_filtering"]}]))
    names = [a.name.zh for a in assess(answers).algorithms]
    assert names == ["某某新闻评论审核内容安全算法", "某某新闻弹幕过滤内容安全算法"]


def test_the_scene_words_are_data(tmp_path: Path) -> None:
    book = _custom(tmp_path, "naming.yaml", "hot_list: {zh: 热搜,", "hot_list: {zh: 热榜,")
    assert "某某新闻热榜算法" in [a.name.zh for a in assess(load_answers(NEWS_APP), rulebook=book).algorithms]


def test_every_classified_behaviour_has_a_scene_word() -> None:
    from engine.precedents.keywords import behaviour_types

    assert set(behaviour_types()) <= set(default_rulebook().naming.scene_by_behaviour)


@pytest.mark.parametrize(("old", "new", "key", "fix"), [
    ("  hot_list: {zh: 热搜,", "  hot_lsit: {zh: 热搜,", "scene_by_behaviour.hot_lsit", "did you mean 'hot_list'"),
    ("  content_filtering: {zh: 内容安全, en: content security}\n", "", "scene_by_type.content_filtering",
     "e.g. {zh: 排序精选"),
    ("  search_by_query: {zh: 搜索,", "  search_by_query: {zh: ' ',", "scene_by_behaviour.search_by_query.zh",
     "the word filers use before 算法"),
])
def test_naming_scene_words_are_checked(tmp_path: Path, old: str, new: str, key: str, fix: str) -> None:
    message = _load_error(_edited(tmp_path, "naming.yaml", old, new))
    assert "naming.yaml" in message and key in message and fix in message


# ---------------------------------------------------------------- triage.yaml

def test_triage_tiers_are_data_tried_in_order(tmp_path: Path) -> None:
    from engine.intake.triage import complexity

    result = assess(ROOT / "examples" / "news_app.yaml")
    assert complexity(result, default_rulebook().tiers) == "high" and len(result.algorithms) >= 4
    book = _custom(tmp_path, "triage.yaml", "      - algorithms_at_least: 4\n", "      - algorithms_at_least: 40\n")
    assert complexity(result, book.tiers) == "medium"


def test_triage_with_a_misspelt_test_names_file_key_and_fix(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "triage.yaml", "      - roles_at_least: 2\n", "      - role_at_least: 2\n"))
    assert "triage.yaml" in message and "role_at_least" in message and "did you mean 'roles_at_least'" in message


def test_triage_whose_last_tier_has_tests_is_refused(tmp_path: Path) -> None:
    rules = _edited(tmp_path, "triage.yaml", "  - id: low\n", "  - id: low\n    any:\n      - status: [required]\n")
    message = _load_error(rules)
    assert "triage.yaml" in message and "tiers[3].any" in message


# ---------------------------------------------------------------- genai_routes.yaml

def _two_chatbots() -> dict[str, object]:
    """One chatbot on its own model and one calling a filed model: one algorithm, two routes."""
    document = load_answers(ROOT / "examples" / "chatbot_own_model.yaml").model_dump(mode="json", exclude_none=True)
    products = document["products"]
    assert isinstance(products, list)
    twin = {**products[0], "name": "调用API的对话", "features": [
        {**products[0]["features"][0], "model_source": "third_party_api"}]}
    products.append(twin)
    return document


def test_the_route_an_algorithm_shows_follows_the_precedence_in_data(tmp_path: Path) -> None:
    chat = "generation_synthesis.generate_text.service_provider"
    shipped = next(a for a in assess(_two_chatbots()).algorithms if a.id == chat)
    assert len(shipped.products) == 2 and shipped.genai_route == "genai_filing"
    book = _custom(tmp_path, "genai_routes.yaml", "[genai_filing, genai_registration, genai_none]",
                   "[genai_registration, genai_filing, genai_none]")
    custom = next(a for a in assess(_two_chatbots(), rulebook=book).algorithms if a.id == chat)
    assert custom.genai_route == "genai_registration"


def test_which_routes_date_the_generative_ai_filing_step_is_data(tmp_path: Path) -> None:
    """Only products whose route is a procedure of its own (procedure_routes) get the GenAI step dated."""
    answers = load_answers(ROOT / "examples" / "chatbot_own_model.yaml")
    shipped = next(s for s in assess(answers).steps if s.id == "genai_service_filing")
    assert shipped.dates, "the GenAI step has no dates: the test would prove nothing"
    book = _custom(tmp_path, "genai_routes.yaml", "procedure_routes: [genai_filing, genai_registration]",
                   "procedure_routes: [genai_registration]")
    custom = next(s for s in assess(answers, rulebook=book).steps if s.id == "genai_service_filing")
    assert not custom.dates


def test_procedure_routes_with_an_unknown_route_are_refused(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "genai_routes.yaml", "procedure_routes: [genai_filing, genai_registration]",
                                  "procedure_routes: [genai_filing, genai_registraton]"))
    assert "genai_routes.yaml" in message and "procedure_routes[1]" in message
    assert "did you mean 'genai_registration'" in message


def test_route_precedence_missing_a_route_is_refused(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "genai_routes.yaml", "[genai_filing, genai_registration, genai_none]",
                                  "[genai_filing, genai_registraton]"))
    assert "genai_routes.yaml" in message and "precedence[1]" in message
    assert "did you mean 'genai_registration'" in message


# ---------------------------------------------------------------- derived_facts.yaml

def test_derived_flags_are_data_with_a_basis(tmp_path: Path) -> None:
    from engine import build_facts, parse_answers

    book = default_rulebook()
    assert {f.attribute for f in book.derived_flags} == {"external", "opinion", "own_product"}
    assert all(f.basis for f in book.derived_flags)
    answers = parse_answers({"entity": {"name": "e"}, "products": [{
        "name": "p", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
        "features": [{"name": "f", "behaviours": ["hot_list"]}]}]})
    assert build_facts(answers, book.as_of, book.derived_flags)[0].attrs["opinion"] == "yes"
    custom = _custom(tmp_path, "derived_facts.yaml", "[reviews, comments, ugc_posting,", "[reviews, ugc_posting,")
    assert build_facts(answers, book.as_of, custom.derived_flags)[0].attrs["opinion"] == "no"
    assert "applicability_public_opinion" in {r.rule for r in assess(answers).filing.reasons}
    assert "applicability_public_opinion" not in {r.rule for r in assess(answers, rulebook=custom).filing.reasons}


def test_derived_flags_with_an_unknown_id_name_file_key_and_fix(tmp_path: Path) -> None:
    message = _load_error(_edited(tmp_path, "derived_facts.yaml", "[public, business]", "[public, busines]"))
    assert "derived_facts.yaml" in message and "flags[0].yes_if_any[1]" in message
    assert "did you mean 'business'" in message


@pytest.mark.parametrize("name", ["schedule.yaml", "naming.yaml", "genai_routes.yaml", "triage.yaml",
                                  "derived_facts.yaml"])
def test_a_judgement_citing_an_unknown_law_is_refused(tmp_path: Path, name: str) -> None:
    message = _load_error(_edited(tmp_path, name, "law: practice", "law: practise"))
    assert name in message and "basis[" in message and "did you mean 'practice'" in message
