"""Answers -> facts: flags, provenance and order."""

from __future__ import annotations

import datetime as dt

from engine import build_facts, parse_answers
from engine.model.contract import answer_contract
from engine.rules.facts import FACT_SCHEMA, _readings

AS_OF = dt.date(2026, 1, 5)


def _answers(**product: object) -> object:
    base = {"name": "p", "forms": ["app"], "audience": ["public"],
            "features": [{"name": "f", "behaviours": ["hot_list", "hot_list", "search_by_query"]}]}
    return parse_answers({"entity": {"name": "e"}, "products": [{**base, **product}]})


def test_one_product_fact_and_one_fact_per_distinct_behaviour() -> None:
    facts = build_facts(_answers(), AS_OF)  # type: ignore[arg-type]
    assert [(f.kind, f.fid) for f in facts] == [("product", "p0"), ("behaviour", "p0.f0.b0"),
                                                ("behaviour", "p0.f0.b1")]
    assert facts[0].attrs["behaviour_count"] == 2
    assert facts[1].attrs["behaviour"] == "hot_list" and facts[2].attrs["behaviour"] == "search_by_query"


def test_multi_select_answers_become_tri_state_flags() -> None:
    facts = build_facts(_answers(audience=["public", "business"], opinion_features=["comments"],
                                 user_groups=["minors"]), AS_OF)  # type: ignore[arg-type]
    attrs = facts[1].attrs
    assert (attrs["audience_public"], attrs["audience_business"], attrs["audience_internal"]) == ("yes", "yes", "no")
    assert attrs["opinion"] == "yes" and attrs["users_minors"] == "yes" and attrs["users_elderly"] == "no"
    assert attrs["form_app"] == "yes" and attrs["form_website"] == "no" and attrs["own_product"] == "yes"
    assert attrs["as_of"] == 20260105


def test_unsure_lists_make_unchosen_flags_unsure_not_no() -> None:
    facts = build_facts(_answers(audience=["internal", "unsure"], opinion_features="unsure"), AS_OF)  # type: ignore[arg-type]
    attrs = facts[1].attrs
    assert attrs["audience_internal"] == "yes" and attrs["audience_public"] == "unsure"
    assert attrs["opinion"] == "unsure" and attrs["external"] == "unsure"


def test_api_only_product_is_not_an_own_product() -> None:
    facts = build_facts(_answers(forms=["api"], audience=["business"]), AS_OF)  # type: ignore[arg-type]
    assert facts[1].attrs["own_product"] == "no"


def test_every_attribute_is_declared_in_the_schema_and_traced_to_an_answer() -> None:
    facts = build_facts(_answers(monthly_active_users=1000), AS_OF)  # type: ignore[arg-type]
    for fact in facts:
        schema = FACT_SCHEMA[fact.kind]
        for attr in fact.attrs:
            assert attr in schema, (fact.kind, attr)
            assert attr in fact.sources, (fact.kind, attr)
    assert facts[1].sources["behaviour"].path == "products[0].features[0].behaviours"
    assert facts[1].sources["audience_public"].value == ["public"]


def test_the_readings_worked_out_once_are_the_contracts_attributes_in_order() -> None:
    """What facts are built from (worked out once per process) gives each scope's answers the
    attributes the contract declares for them, in contract order, and the event dates."""
    for scope in ("product", "feature"):
        read: list[str] = []
        dates: list[str] = []
        for reading in _readings(scope):
            if reading.flags is not None:
                read += [attribute for attribute, _ in reading.flags]
            elif reading.attribute is not None:
                read.append(reading.attribute)
            elif reading.date is not None:
                dates.append(reading.date)
        declared = [name for f in answer_contract().of(scope) if f.fact is None or f.fact.each is None
                    for name in f.attribute_values()]
        assert read == declared, scope
        assert dates == [f.fact.date for f in answer_contract().of(scope) if f.fact and f.fact.date], scope


def test_the_answer_of_every_flag_is_its_source_path_and_value() -> None:
    facts = build_facts(_answers(user_groups=["minors", "unsure"], monthly_active_users="unsure"),
                        AS_OF)  # type: ignore[arg-type]
    product = facts[0]
    assert "mau" not in product.attrs and "mau" not in product.sources  # an unsure count gives no attribute
    assert build_facts(_answers(monthly_active_users=5), AS_OF)[0].attrs["mau"] == 5  # type: ignore[arg-type]
    assert product.attrs["users_minors"] == "yes" and product.attrs["users_elderly"] == "unsure"
    for attr in ("users_minors", "users_elderly"):
        assert (product.sources[attr].path, product.sources[attr].value) == \
            ("products[0].user_groups", ["minors", "unsure"])
