"""The answer-to-fact contract (``rules/answer_contract.yaml``) is the one place an answer's meaning is written.

The facts and their schema, the answers model, the CSV layout and the batch docs follow it; a
question that a rule reads is added in YAML only (a fixture contract field, question and rule).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine import build_facts, parse_answers
from engine.intake import csv_layout
from engine.model.answers import Answers, Entity, Feature, Product, answers_json_schema
from engine.model.contract import AnswerContract, AnswerField, answer_contract
from engine.model.validation import validate_file
from engine.rules.facts import FACT_SCHEMA
from engine.rules.rulebook import default_rulebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "contract"
STRUCTURE = {"features", "entity", "products", "filed_algorithms"}
"""Keys of the answers document that hold other mappings (lists of structured entries), not answers."""

MODELS: list[tuple[Any, type[Any]]] = [("document", Answers), ("entity", Entity), ("product", Product),
                                        ("feature", Feature)]


@pytest.mark.parametrize(("scope", "model"), MODELS, ids=[m[0] for m in MODELS])
def test_the_answers_model_declares_exactly_the_contracts_fields(scope: Any, model: type[Any]) -> None:
    """The fields Python reads are declared in the class too: they must say what the contract says."""
    contract = answer_contract().of(scope)
    fields = {k: v for k, v in model.model_fields.items() if k not in STRUCTURE}
    assert list(fields) == [f.answer for f in contract]
    for answer in contract:
        info = fields[answer.answer]
        where = f"{answer.path}"
        assert info.is_required() == answer.required, where
        assert info.description == answer.description, where
        if answer.required:
            continue
        default = info.get_default(call_default_factory=True)
        expected: Any = {"ids": [], "yes_no": False if answer.absent == "no" else None}.get(answer.kind)
        if answer.kind == "id":
            expected = None if answer.absent == "none" else answer.absent
        assert default == expected, where


def test_the_published_json_schema_of_answers_files_is_unchanged() -> None:
    """Generating fields from the contract must not move the published contract (CHANGELOG.md)."""
    published = json.loads((FIXTURES / "answers.schema.json").read_text(encoding="utf-8"))
    assert answers_json_schema() == published


def test_the_fact_schema_is_the_contracts() -> None:
    behaviour = FACT_SCHEMA["behaviour"]
    for answer in answer_contract().fields:
        for attribute, values in answer.attribute_values().items():
            assert behaviour[attribute] == values, attribute
    assert FACT_SCHEMA["product"]["commercial"] == ("yes", "no", "unsure", "none")
    assert FACT_SCHEMA["behaviour"]["large_model"] == ("yes", "no", "unsure", "none")


def _facts(product: dict[str, Any], feature: dict[str, Any] | None = None) -> list[Any]:
    document = {"entity": {"name": "某某"}, "products": [{
        "name": "某某", "forms": ["app"], "audience": ["public"],
        "features": [{"name": "写作", "behaviours": ["generate_text"], **(feature or {})}], **product}]}
    return build_facts(parse_answers(document), default_rulebook().as_of)


def test_absent_answers_mean_what_the_contract_says() -> None:
    product, behaviour = _facts({})
    assert (product.attrs["news"], product.attrs["commercial"]) == ("no", "none")
    assert (behaviour.attrs["large_model"], behaviour.attrs["model_source"]) == ("none", "none")
    assert "mau" not in product.attrs
    assert product.sources["commercial"].path == "products[0].commercial"


def test_unsure_in_a_multi_select_makes_every_unticked_item_unsure() -> None:
    product, _ = _facts({"user_groups": ["minors", "unsure"]})
    assert product.attrs["users_minors"] == "yes"
    assert product.attrs["users_elderly"] == product.attrs["users_workers"] == "unsure"
    product, _ = _facts({"user_groups": ["minors"]})
    assert product.attrs["users_elderly"] == "no"


def test_facts_carry_positions_and_dates_not_names() -> None:
    product, behaviour = _facts({"launch_date": "2026-03-02"}, {"launch_date": "2026-12-07"})
    assert (product.product_pos, product.feature_pos) == (0, None)
    assert (behaviour.product_pos, behaviour.feature_pos) == (0, 0)
    assert behaviour.dates == {"launch": product.dates["launch"],
                               "feature_launch": parse_answers({"entity": {"name": "x"}, "products": [
                                   {"name": "x", "forms": ["app"], "audience": ["public"], "features": [
                                       {"name": "y", "behaviours": [], "launch_date": "2026-12-07"}]}]}
                               ).products[0].features[0].launch_date}


def test_the_csv_layout_is_the_contracts() -> None:
    columns = [f.column() for f in answer_contract().of("product")]
    assert list(csv_layout.PRODUCT_COLUMNS) == [c for c in columns if c is not None]
    assert csv_layout.REQUIRED_COLUMNS == ("entity_name", "product_name", "forms", "audience")
    assert csv_layout.REQUIRED_FEATURE_FIELDS == ("name", "behaviours")


def test_the_batch_docs_show_the_contracts_columns() -> None:
    docs = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    assert csv_layout.documented(docs) == docs, "regenerate with: python -m engine.intake.csv_layout"


def test_a_contract_mistake_names_the_file_and_the_field(tmp_path: Path) -> None:
    broken = {"fields": [{"answer": "news", "scope": "product", "kind": "yes_no", "absent": "maybe", "basis": []}]}
    with pytest.raises(Exception) as failure:
        validate_file(AnswerContract, broken, file="answer_contract.yaml")
    message = str(failure.value)
    assert "answer_contract.yaml" in message and "fields[0]" in message and "absent" in message


def test_a_field_in_the_contract_alone_is_added_to_the_model() -> None:
    """What a contract field declares becomes the field's type, default and JSON Schema."""
    from engine.model.answers import TriState, _annotation, _default

    field = AnswerField(answer="uses_personal_data", scope="product", kind="yes_no", absent="unsure",
                        fact={"attribute": "uses_personal_data"}, basis=[])  # type: ignore[arg-type]
    assert _default(field).default is None
    assert _annotation(field) == TriState | None
    assert _default(field.model_copy(update={"absent": "no"})).default is False


# ---------------------------------------------------------------- a question added in YAML only

PROBE = r"""
import json, sys
import rules, questionnaires
from engine import assess
from engine.model.answers import answers_json_schema
from engine.questionnaire.flow import Flow
from engine.questionnaire.loader import default_questionnaire

script = {"entity_name": "某某科技", "product_name": "某某", "forms": ["app"], "audience": ["public"],
          "opinion_features": ["comments"], "user_groups": ["none"], "news": "no", "commercial": "yes",
          "launch_status": "launched", "launch_date": "2026-03-02", "uses_personal_data": sys.argv[1],
          "feature_name": "首页推荐", "does": ["picks_for_user"], "personalises": ["recommend_by_profile"],
          "another_feature": "no", "another_product": "no"}
flow = Flow(default_questionnaire())
asked = []
while (step := flow.current()) is not None:
    asked.append(step.slot.question)
    flow.answer(script[step.slot.question])
answers = flow.answers()
result = assess(answers)
print(json.dumps({"packages": [rules.__file__, questionnaires.__file__], "asked": asked,
                  "stored": answers.model_dump(mode="json")["products"][0].get("uses_personal_data"),
                  "obligations": sorted(o.id for o in result.obligations),
                  "trace": sorted({a.path for t in result.trace if t.rule == "personal_data_probe"
                                   for a in t.answers}),
                  "schema": answers_json_schema()["$defs"]["Product"]["properties"].get("uses_personal_data")}))
"""


def _with_the_new_question(tmp_path: Path) -> Path:
    """Copies of ``rules/`` and ``questionnaires/`` with the fixture's field, question and rule added."""
    packages = tmp_path / "packages"
    for name in ("rules", "questionnaires"):
        shutil.copytree(ROOT / name, packages / name, ignore=shutil.ignore_patterns("__pycache__"))
    contract = packages / "rules" / "answer_contract.yaml"
    contract.write_text(contract.read_text(encoding="utf-8") + "\n" +
                        (FIXTURES / "uses_personal_data" / "field.yaml").read_text(encoding="utf-8"),
                        encoding="utf-8")
    product = packages / "questionnaires" / "product.yaml"
    text = product.read_text(encoding="utf-8")
    question = (FIXTURES / "uses_personal_data" / "question.yaml").read_text(encoding="utf-8")
    assert "\nrepeat:" in text
    product.write_text(text.replace("\nrepeat:", question + "\nrepeat:", 1), encoding="utf-8")
    shutil.copy(FIXTURES / "uses_personal_data" / "rule.yaml", packages / "rules" / "personal_data_probe.yaml")
    return packages


def _probe(packages: Path, answer: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(packages), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", PROBE, answer], capture_output=True, text=True, timeout=120,
                          env=env, cwd=packages, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_question_a_rule_reads_is_added_in_yaml_only(tmp_path: Path) -> None:
    """``uses_personal_data`` (yes/no/unsure): a contract field, a question and a rule; no Python."""
    packages = _with_the_new_question(tmp_path)
    yes = _probe(packages, "yes")
    assert all(Path(p).is_relative_to(packages) for p in yes["packages"])
    assert "uses_personal_data" in yes["asked"]                      # the terminal asks it
    assert yes["stored"] is True                                      # the answers file keeps it
    assert "arp_21" in yes["obligations"]                             # the rule reads it
    assert "products[0].uses_personal_data" in yes["trace"]          # the trace names it
    assert yes["schema"]["description"] == "Profiles users from their personal information"
    no = _probe(packages, "no")
    assert no["stored"] is False and "arp_21" not in no["obligations"]


def test_a_walk_through_that_meets_an_unscripted_question_says_which() -> None:
    """A scripted walk-through without an answer for a question (one just added, say) fails with
    a message naming the question and the script, not a KeyError."""
    from test_flow import run

    from engine.questionnaire.flow import Flow
    from engine.questionnaire.loader import default_questionnaire

    product = {"product_name": "某某", "forms": ["app"], "audience": ["public"], "opinion_features": ["none"],
               "user_groups": ["none"], "launch_status": "planned"}
    with pytest.raises(pytest.fail.Exception, match="no answer for question 'launch_date' in the script of product 0"):
        run(Flow(default_questionnaire()), {"entity_name": "某某"}, [(product, [])])


def test_the_rule_loader_checks_the_laws_the_contract_cites(tmp_path: Path) -> None:
    from engine.errors import RulebookError
    from engine.model.vocabulary import rules_dir
    from engine.rules.rulebook import load_rulebook

    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    contract = target / "answer_contract.yaml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.replace('basis: [{law: arp, article: "13"}]', 'basis: [{law: apr, article: "13"}]', 1),
                        encoding="utf-8")
    with pytest.raises(RulebookError, match=r"answer_contract.yaml.*unknown law id 'apr'; did you mean 'arp'"):
        load_rulebook(target)


def test_an_attribute_no_single_answer_gives_is_declared_in_the_contract_and_drawn_once() -> None:
    """``has_filed`` comes from the top-level ``filed_algorithms``: the contract's ``derived`` declares
    it, one function of engine/rules/facts.py draws it."""
    from engine.rules.facts import DERIVATIONS

    derived = {d.attribute for d in answer_contract().derived}
    assert derived == set(DERIVATIONS) == {"has_filed"}
    assert FACT_SCHEMA["product"]["has_filed"] == FACT_SCHEMA["behaviour"]["has_filed"] == ("yes", "no", "unsure")
    product, behaviour = _facts({})
    assert (product.attrs["has_filed"], behaviour.attrs["has_filed"]) == ("no", "no")
    document = {"entity": {"name": "某某"}, "filed_algorithms": [
        {"number": "网信算备110108823483902220017号", "name": "某某推荐算法", "products": ["某某"]}],
        "products": [{"name": "某某", "forms": ["app"], "audience": ["public"],
                      "features": [{"name": "写作", "behaviours": ["generate_text"]}]}]}
    product, _ = build_facts(parse_answers(document), default_rulebook().as_of)
    assert product.attrs["has_filed"] == "yes"
    assert product.sources["has_filed"].path == "filed_algorithms[0].products"
