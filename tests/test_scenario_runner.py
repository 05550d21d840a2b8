"""The scenario runner catches over-application: exact sets of duties, materials and open questions.

A subset check passes when a rule draws a duty where it should not; ``obligations_exactly`` (and
``materials_exactly``, ``open_questions_exactly``) make such a mistake fail the examples' scenarios.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import check_scenario

from engine.model.vocabulary import rules_dir
from engine.model.yamlio import read_data_file
from engine.rules.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = read_data_file(ROOT / "tests" / "scenarios" / "examples.yaml")


def _book_with(tmp_path: Path, old: str, new: str) -> object:
    """The shipped rulebook with one edit to ``duties.yaml``."""
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    duties = target / "duties.yaml"
    text = duties.read_text(encoding="utf-8")
    assert old in text, "the duty to edit is no longer in duties.yaml"
    duties.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_rulebook(target)


def test_every_example_has_a_scenario_with_exact_sets() -> None:
    covered = {spec.get("answers_file") for spec in EXAMPLES
               if {"obligations_exactly", "materials_exactly", "open_questions_exactly"} <= set(spec["expected"])}
    assert covered >= {f"examples/{p.name}" for p in (ROOT / "examples").glob("*.yaml")}


def test_a_duty_added_by_mistake_to_every_personalised_push_case_fails_the_examples(tmp_path: Path) -> None:
    """arp_20 (workers' rights, Art. 20) wrongly attached to every personalised-push filing."""
    book = _book_with(tmp_path, "      obligations: [arp_10, arp_17]\n",
                      "      obligations: [arp_10, arp_17, arp_20]\n")
    failed = {spec["name"]: check_scenario(spec, rulebook=book) for spec in EXAMPLES}
    failed = {name: problems for name, problems in failed.items() if problems}
    news = next(spec["name"] for spec in EXAMPLES if spec.get("answers_file") == "examples/news_app.yaml"
                and "obligations_exactly" in spec["expected"])
    spec = next(s for s in EXAMPLES if s["name"] == news)
    listed = sorted(spec["expected"]["obligations_exactly"])
    assert failed[news] == [f"obligations: unexpected ['arp_20'] (the scenario lists exactly {listed})"]
    # the subset checks alone would not have seen it
    subset_only = {**spec, "expected": {k: v for k, v in spec["expected"].items() if not k.endswith("_exactly")}}
    assert check_scenario(subset_only, rulebook=book) == []


@pytest.mark.parametrize("key", ["obligations_exactly", "materials_exactly", "open_questions_exactly"])
def test_an_id_listed_but_not_drawn_is_reported_missing(key: str) -> None:
    spec = next(s for s in EXAMPLES if s.get("answers_file") == "examples/news_app.yaml" and key in s["expected"])
    changed = {**spec, "expected": {**spec["expected"], key: [*spec["expected"][key], "no_such_id"]}}
    problems = check_scenario(changed)
    assert problems == [f"{key.removesuffix('_exactly')}: missing ['no_such_id']"]
