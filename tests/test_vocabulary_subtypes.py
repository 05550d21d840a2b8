"""Which sub-types belong to which algorithm type is data (issue 23.3): ``subtypes`` of
rules/vocabulary.yaml, which the rule check reads; a type given sub-types there is classified into
one of them, and a sub-type belongs to its own type only."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_edits import edited_rules

from engine.errors import LoadError
from engine.model.vocabulary import load_vocabulary
from engine.rules.rulebook import load_rulebook

DISPATCH_SUBTYPE = ('    content_filtering: {zh: "内容过滤类", en: "Content filtering"}\n',
                    '    content_filtering: {zh: "内容过滤类", en: "Content filtering"}\n'
                    '    dispatch: {zh: "派单调度类", en: "Dispatch"}\n')
SCHEDULING_SUBTYPES = ("  retrieval_filtering: [information_retrieval, content_filtering]\n",
                       "  retrieval_filtering: [information_retrieval, content_filtering]\n"
                       "  scheduling_decision: [dispatch]\n")
CLASSIFY_DISPATCH = ("      classify: {type: scheduling_decision}\n",
                     "      classify: {type: scheduling_decision, subtype: dispatch}\n")
NAMING = ("  scheduling_decision: {zh: 调度决策, en: scheduling and decision}\n",
          "  scheduling_decision: {zh: 调度决策, en: scheduling and decision}\n"
          "  dispatch: {zh: 派单调度, en: dispatch}\n")


def _rules(tmp_path: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    return edited_rules(tmp_path / "rules", edits)


def test_the_shipped_sub_types_are_retrieval_and_filtering() -> None:
    assert load_vocabulary().subtypes == {"retrieval_filtering": ["information_retrieval", "content_filtering"]}


def test_a_type_given_sub_types_in_yaml_takes_them(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"vocabulary.yaml": [DISPATCH_SUBTYPE, SCHEDULING_SUBTYPES],
                              "classification.yaml": [CLASSIFY_DISPATCH], "catalogue/naming.yaml": [NAMING]})
    book = load_rulebook(rules)
    assert any(r.then.classify == {"type": "scheduling_decision", "subtype": "dispatch"} for r in book.rules.values())


def test_a_type_with_sub_types_needs_one(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"vocabulary.yaml": [DISPATCH_SUBTYPE, SCHEDULING_SUBTYPES],
                              "catalogue/naming.yaml": [NAMING]})
    with pytest.raises(LoadError, match=r"scheduling_decision needs a subtype \(dispatch; vocabulary.yaml"):
        load_rulebook(rules)


def test_a_sub_type_belongs_to_its_own_type_only(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"classification.yaml": [
        ("      classify: {type: scheduling_decision}\n",
         "      classify: {type: scheduling_decision, subtype: content_filtering}\n")]})
    with pytest.raises(LoadError, match="content_filtering is a sub-type of retrieval_filtering, not of "
                                        "scheduling_decision"):
        load_rulebook(rules)


def test_sub_types_name_known_ids(tmp_path: Path) -> None:
    shipped = "  retrieval_filtering: [information_retrieval, content_filtering]\n"
    rules = _rules(tmp_path, {"vocabulary.yaml": [(shipped, shipped.replace("content_filtering", "content_filtring"))]})
    with pytest.raises(LoadError, match="unknown algorithm_subtype id 'content_filtring'; did you mean "
                                        "'content_filtering'"):
        load_rulebook(rules)
