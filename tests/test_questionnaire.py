"""The questionnaire files and their strict loader: what a questionnaire author sees."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.errors import LoadError
from engine.model.conditions import Condition, shape_problems
from engine.model.vocabulary import NONE, UNSURE, load_vocabulary
from engine.questionnaire.loader import default_questionnaire, load_questionnaire, questionnaires_dir
from engine.questionnaire.schema import SectionFile
from engine.questionnaire.targets import parse_target

FIXTURES = Path(__file__).parent / "fixtures" / "invalid_questionnaires"
BROKEN = sorted(FIXTURES.glob("*.yaml"))


def test_shipped_questionnaire_loads_with_three_scopes() -> None:
    q = default_questionnaire()
    assert [s.scope for s in q.sections] == ["entity", "product", "feature"]
    assert q.repeat("product").id == "another_product" and q.repeat("feature").id == "another_feature"
    assert "does" in q.questions and q.scope_of["does"] == "feature"


def test_every_behaviour_id_is_reachable_from_exactly_one_question() -> None:
    q = default_questionnaire()
    offered: dict[str, list[str]] = {}
    for question in q.questions.values():
        if question.target == "products[].features[].behaviours":
            for choice_id in question.stored_ids():
                offered.setdefault(choice_id, []).append(question.id)
    ids = load_vocabulary().ids("behaviour")
    assert {i: where for i, where in offered.items() if len(where) != 1} == {}
    assert sorted(set(ids) - set(offered)) == []


def test_pick_up_point_is_asked_as_a_decision() -> None:
    q = default_questionnaire()
    assert q.gate_of["decides_what"] == ("does", "decides")
    assert "pickup_point_suggestion" in q.questions["decides_what"].stored_ids()
    assert "pickup_point_suggestion" not in q.questions["personalises"].stored_ids()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_exists_in_both_languages(lang: str) -> None:
    q = default_questionnaire()
    for question in q.questions.values():
        assert question.text.get(lang).strip() and question.help.get(lang).strip(), question.id
        for choice_id in question.choice_ids():
            label = q.choice_label(question, choice_id, lang)
            assert label and label != choice_id, (question.id, choice_id)
    for key in q.texts:
        assert q.texts[key].get(lang).strip(), key


def test_labels_differ_by_language_but_stored_ids_do_not() -> None:
    q = default_questionnaire()
    forms = q.questions["forms"]
    assert q.choice_label(forms, "app", "zh") != q.choice_label(forms, "app", "en")
    assert "app" in forms.stored_ids()


def test_only_generative_features_are_asked_about_models_and_apis() -> None:
    q = default_questionnaire()
    for qid in ("model_source", "offered_as_api"):
        when = q.questions[qid].when
        assert when is not None
        assert when.holds(lambda ref: {"does": ["decides"], "forms": ["api"]}.get(ref)) is False
    offered = q.questions["offered_as_api"].when
    assert offered is not None
    assert offered.holds(lambda ref: {"does": ["makes_content"], "forms": ["app"]}.get(ref)) is False
    assert offered.holds(lambda ref: {"does": ["makes_content"], "forms": ["app", "api"]}.get(ref)) is True


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_questionnaire_fails_at_load_naming_file_key_and_fix(fixture: Path, tmp_path: Path) -> None:
    spec: dict[str, Any] = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    assert set(spec) == {"file", "replace", "expect"}, fixture.name
    directory = tmp_path / "questionnaires"
    shutil.copytree(questionnaires_dir(), directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    target = directory / spec["file"]
    text = target.read_text(encoding="utf-8")
    assert spec["replace"]["old"] in text, f"{fixture.name}: the text to replace is no longer in {spec['file']}"
    target.write_text(text.replace(spec["replace"]["old"], spec["replace"]["new"], 1), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_questionnaire(directory)
    message = caught.value.render()
    for expected in spec["expect"]:
        assert expected in message, f"{fixture.name}: {expected!r} not in {message!r}"


def test_every_broken_fixture_breaks_something_different() -> None:
    specs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in BROKEN]
    edits = [(s["file"], s["replace"]["old"], s["replace"]["new"]) for s in specs]
    assert len(BROKEN) >= 25 and len(set(edits)) == len(edits)


def test_missing_questionnaire_folder_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="index.yaml: file not found"):
        load_questionnaire(tmp_path)


@pytest.mark.parametrize(("path", "message"), [
    ("products[].features[].behaviors", "did you mean 'behaviours'"),
    ("product[].name", "did you mean 'products'"),
    ("products[]", "holds Product objects"),
    ("entity.name[]", "write it without []"),
    ("products[].name.first", "is an answer, not an object"),
    ("products[].Name", "is not a field name"),
])
def test_target_paths_are_checked_against_the_answers_model(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_target(path)


def test_target_knows_scope_and_the_fields_own_validator() -> None:
    target = parse_target("products[].features[].behaviours")
    assert (target.scope, target.leaf, target.is_list, target.required) == ("feature", "behaviours", True, True)
    assert target.check(["pickup_point_suggestion"]) is None
    assert "did you mean 'pickup_point_suggestion'" in (target.check(["pickup_point_sugestion"]) or "")
    assert parse_target("products[].forms").check([]) is not None
    assert parse_target("entity.name").scope == "entity"


def _answers(values: dict[str, Any]) -> Any:
    return values.get


@pytest.mark.parametrize(("condition", "values", "expected"), [
    ({"q": "a"}, {"q": "a"}, True),
    ({"q": "a"}, {"q": "b"}, False),
    ({"q": {"in": ["a", "b"]}}, {"q": "b"}, True),
    ({"q": {"not": "a"}}, {"q": "b"}, True),
    ({"q": {"not_in": ["a", "b"]}}, {"q": "b"}, False),
    ({"m": "x"}, {"m": ["x", "y"]}, True),
    ({"m": "z"}, {"m": ["x", "y"]}, False),
    ({"m": {"in": ["z", "y"]}}, {"m": ["x", "y"]}, True),
    ({"m": {"only": ["internal"]}}, {"m": ["internal"]}, True),
    ({"m": {"only": ["internal"]}}, {"m": ["internal", "public"]}, False),
    ({"m": {"only": ["internal"]}}, {"m": []}, False),
    ({"q": "a"}, {}, False),
    ({"q": {"not": "a"}}, {}, False),
    ({"none": [{"m": {"only": ["internal"]}}]}, {}, True),
    ({"none": [{"m": {"only": ["internal"]}}]}, {"m": ["internal"]}, False),
    ({"q": "a", "m": "x"}, {"q": "a", "m": ["x"]}, True),
    ({"all": [{"q": "a"}, {"m": "x"}]}, {"q": "a", "m": []}, False),
    ({"any": [{"q": "a"}, {"m": "x"}]}, {"m": ["x"]}, True),
    ({"n": {"gte": 10}}, {"n": 12}, True),
    ({"n": {"lt": 10}}, {"n": 12}, False),
])
def test_condition_language(condition: dict[str, Any], values: dict[str, Any], expected: bool) -> None:
    assert Condition.model_validate(condition).holds(_answers(values)) is expected


@pytest.mark.parametrize(("condition", "key", "message"), [
    ({"q": {"in": ["a"], "not": "b"}}, "q", "exactly one operator"),
    ({"q": {"nott": "a"}}, "q", "did you mean 'not'"),
    ({"q": ["a", "b"]}, "q", "a list is not a test"),
    ({"q": {"in": []}}, "q.in", "non-empty list"),
    ({"any": []}, "any", "at least one condition"),
    ({"all": [{"q": {"only": "a"}}]}, "all[0].q.only", "non-empty list"),
    ({}, "", "tests nothing"),
])
def test_condition_shape_problems_name_the_key(condition: dict[str, Any], key: str, message: str) -> None:
    problems = list(shape_problems(Condition.model_validate(condition)))
    assert problems and problems[0][0] == key and message in problems[0][1]


def test_conditions_never_evaluate_python() -> None:
    condition = Condition.model_validate({"q": "__import__('os').system('false')"})
    assert condition.holds(_answers({"q": "a"})) is False


def test_section_files_have_a_json_schema() -> None:
    schema = SectionFile.model_json_schema()
    assert {"scope", "title", "questions", "repeat"} <= set(schema["properties"])
    assert "Condition" in schema["$defs"] and "Question" in schema["$defs"]


def test_special_choices_have_their_meaning() -> None:
    q = default_questionnaire()
    assert NONE in q.questions["opinion_features"].choice_ids()
    assert NONE not in q.questions["forms"].choice_ids()
    for qid in ("audience", "opinion_features", "user_groups", "does", "model_source", "forms"):
        assert UNSURE in q.questions[qid].choice_ids(), qid
    for qid in ("offered_as_api", "output_reaches_individuals"):
        assert q.questions[qid].unsure, qid
    assert q.questions["opinion_features"].setters() == {"news": "products[].news",
                                                         "sector_services": "products[].sector_services"}
    assert not {"news", "sector_services"} & set(q.questions["opinion_features"].stored_ids())
    assert "not_large_model" in q.questions["model_source"].choice_ids()
    assert "large_model" not in q.questions and "commercial" not in q.questions and "news" not in q.questions


def test_no_question_highlights_unsure_first() -> None:
    """A quick Enter confirms the usual answer; "not sure" must be chosen on purpose."""
    for question in default_questionnaire().questions.values():
        if question.type in ("select", "multi", "yes_no"):
            first = question.default if isinstance(question.default, str) else question.choice_ids()[0]
            assert first != UNSURE, question.id


def test_monthly_active_users_is_not_asked_because_no_rule_reads_it() -> None:
    from engine.rules.rulebook import default_rulebook

    tested = {attr for rule in default_rulebook().rules.values() for attr in rule.tested_attributes()}
    assert "mau" not in tested
    assert "monthly_active_users" not in default_questionnaire().questions
