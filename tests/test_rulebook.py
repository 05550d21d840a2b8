"""Loading the rulebook: the shipped rules load, and each kind of breakage fails clearly.

Each fixture in ``tests/fixtures/invalid_rules/`` holds one broken rule file; it is dropped into a
copy of the shipped rules directory and loading must fail naming the file, the key path and
(where one exists) the closest valid spelling.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rule_edits import edit_in_place

from engine.errors import LoadError, RulebookError
from engine.model.vocabulary import rules_dir
from engine.rules.rulebook import default_rulebook, load_rulebook

FIXTURES = Path(__file__).parent / "fixtures" / "invalid_rules"

CASES = [
    ("unknown_rule_key", ["rules[0].whne", "unknown key 'whne'", "did you mean 'when'"]),
    ("unknown_attribute", ["rules[0].when.audiance_public", "did you mean 'audience_public'"]),
    ("unknown_value", ["rules[0].when.status", "unknown value 'requird'", "did you mean 'required'"]),
    ("unknown_obligation", ["rules[0].then.obligations[0]", "unknown obligation id 'arp_17x'",
                            "did you mean"]),
    ("unknown_material", ["rules[0].then.materials[0]", "did you mean 'business_licence'"]),
    ("unknown_fact_kind", ["rules[0].when.fact", "unknown fact kind 'behavior'", "did you mean 'behaviour'"]),
    ("unknown_operator", ["rules[0].when.behaviour", "unknown operator 'inn'", "did you mean 'in'"]),
    ("unknown_type", ["rules[0].then.classify.type", "generative_synthesis",
                      "did you mean 'generation_synthesis'"]),
    ("unknown_law", ["rules[0].basis[0].law", "unknown law id 'apr'", "did you mean 'arp'"]),
    ("classify_wrong_fact", ["rules[0].then.classify", "behaviour` facts only"]),
    ("missing_subtype", ["rules[0].then.classify", "needs a subtype"]),
    ("filing_without_role", ["rules[0].then.filing", "names its `role`"]),
    ("empty_then", ["rules[0].then", "concludes nothing"]),
    ("text_attribute", ["rules[0].when.product", "free text"]),
    ("labelling_too_early", ["rules[0].then.obligations[0]", "2025-09-01", "valid_from"]),
    ("missing_title", ["rules[0].title", "required field is missing"]),
    ("duplicate_rule_id", ["rules[0].id", "duplicate rule id 'classify_personalized_push'",
                           "classification.yaml"]),
    ("duplicate_yaml_key", ["duplicate key 'title'", "line 4"]),
    ("broken_yaml", ["not valid YAML", "line"]),
]


def _rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def test_shipped_rulebook_loads_with_every_rule_documented() -> None:
    book = default_rulebook()
    assert len(book.rules) >= 40
    for rule in book.rules.values():
        assert rule.title.zh and rule.title.en, rule.id
        assert rule.explanation.zh and rule.explanation.en, rule.id
        assert rule.basis, rule.id
    assert book.rules_version.startswith(book.version + "+")


def test_every_fixture_has_a_case() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.yaml")) == sorted(name for name, _ in CASES)


@pytest.mark.parametrize(("name", "keywords"), CASES, ids=[c[0] for c in CASES])
def test_broken_rule_file_fails_with_file_key_and_hint(tmp_path: Path, name: str, keywords: list[str]) -> None:
    rules = _rules_copy(tmp_path)
    shutil.copy(FIXTURES / f"{name}.yaml", rules / "zz_broken.yaml")
    with pytest.raises(LoadError) as info:
        load_rulebook(rules)
    message = str(info.value)
    assert "zz_broken.yaml" in message
    for keyword in keywords:
        assert keyword in message, f"{keyword!r} not in {message!r}"


def test_missing_catalogue_is_named(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    (rules / "catalogue" / "materials.yaml").unlink()
    with pytest.raises(LoadError, match=r"materials\.yaml: catalogue file missing"):
        load_rulebook(rules)


def test_catalogue_with_unknown_key_is_rejected(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    path = rules / "catalogue" / "display.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: website\n", "  - id: website\n    locaton: x\n", 1), encoding="utf-8")
    with pytest.raises(RulebookError) as info:
        load_rulebook(rules)
    assert "display.yaml" in str(info.value) and "did you mean 'location'" in str(info.value)


def test_digest_changes_when_a_rule_changes(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    before = load_rulebook(rules).rules_version
    path = rules / "duties.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("一般义务", "一般义务（修订）", 1), encoding="utf-8")
    assert load_rulebook(rules).rules_version != before


def test_filing_system_steps_name_the_product_fields_the_link_levels_and_the_draft_box() -> None:
    """The product-info fields guides mention, the product/path/function links and the draft box."""
    steps = default_rulebook().steps
    product_info = steps["product_info"].what.zh
    assert "个性化推送关闭情况" in product_info and "未成年保护措施" in product_info
    link = steps["link_algorithm"].what.zh
    assert all(level in link for level in ("勾选产品", "勾选访问路径", "勾选功能"))
    draft = steps["draft_box"].what.zh
    assert "保存至草稿箱" in draft and "产品及功能信息" in draft and "继续" in draft
    assert steps["product_info"].order < steps["algorithm_info"].order < steps["link_algorithm"].order \
        < steps["draft_box"].order < steps["review"].order


def test_every_duty_material_and_rule_says_statute_or_practice() -> None:
    book = default_rulebook()
    kinds = {x.basis_kind for x in [*book.obligations.values(), *book.materials.values(), *book.rules.values()]}
    assert kinds == {"statute", "practice"}
    assert book.obligations["practice_filing"].basis_kind == "practice"
    assert book.obligations["practice_filing"].deadline is not None
    # a practice date is counted like the statutory one and says it is a recommendation (issue 16)
    assert book.obligations["practice_filing"].deadline.working_days_at(book.as_of) == 10
    assert "not a statutory deadline" in book.obligations["practice_filing"].deadline.text.en
    assert "建议日期" in book.obligations["practice_filing"].deadline.text.zh
    assert book.obligations["arp_24"].basis_kind == "statute"


@pytest.mark.parametrize(("new", "words"), [
    ("yields_to: [arp_42]", ["obligations.yaml", "yields_to[0]", "did you mean"]),
    ("yields_to: [practice_label_support]", ["obligations.yaml", "yields_to[0]", "statutory"]),
])
def test_a_practice_duty_yields_only_to_a_known_statutory_duty(tmp_path: Path, new: str, words: list[str]) -> None:
    rules = _rules_copy(tmp_path)
    edit_in_place(rules / "catalogue" / "obligations.yaml", [("yields_to: [arp_24]", new)])
    with pytest.raises(RulebookError) as info:
        load_rulebook(rules)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
