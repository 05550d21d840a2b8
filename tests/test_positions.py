"""Features and products are told apart by their position in the answers, never by their names.

Regression tests of issue 23: assembly grouped algorithms by feature *name*, the new-feature
screen matched a feature by name, and due dates looked a feature's launch date up by name.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from engine import assess, load_answers, parse_answers
from engine.pipeline.feature_filing import feature_filings
from engine.rules.facts import build_facts
from engine.rules.rulebook import default_rulebook

ROOT = Path(__file__).resolve().parents[1]
NEWS_APP = ROOT / "examples" / "news_app.yaml"


def _push_app(first: str, second: str) -> dict[str, Any]:
    """One app, one feature recommending by profile and one serving personalised ads."""
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    document["products"][0]["features"] = [{"name": first, "behaviours": ["recommend_by_profile"]},
                                            {"name": second, "behaviours": ["personalized_ads"]}]
    return document


def test_two_features_with_the_same_name_and_different_behaviours_are_two_algorithms() -> None:
    """Two features both named 推荐 (recommendation, ads) gave one algorithm; named 推荐 and 广告, two."""
    same = assess(_push_app("推荐", "推荐"))
    different = assess(_push_app("推荐", "广告"))
    ids = [a.id for a in different.algorithms]
    assert ids == ["personalized_push.recommend_by_profile.service_provider",
                   "personalized_push.personalized_ads.service_provider"]
    assert [a.id for a in same.algorithms] == ids
    assert [[(f.product, f.index) for f in a.feature_refs] for a in same.algorithms] == [[(0, 0)], [(0, 1)]]


def test_a_new_feature_named_like_a_filed_one_is_not_a_change_of_that_ones_algorithm() -> None:
    """A new pick-up-point feature named like the home feed was told to make a change filing of the
    personalised-push algorithm (the new-feature screen matched features by name)."""
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    before = assess(document)
    home_feed = document["products"][0]["features"][0]["name"]
    document["products"][0]["features"].append(
        {"name": home_feed, "behaviours": ["pickup_point_suggestion"], "launch_date": "2026-12-07"})
    after_answers = parse_answers(document)
    new = len(document["products"][0]["features"]) - 1
    filings = feature_filings(default_rulebook(), before, assess(after_answers), after_answers, 0, new)
    assert [(f.algorithm, f.kind) for f in filings.filings] == [
        ("scheduling_decision.pickup_point_suggestion.service_provider", "new_algorithm")]


def test_a_later_features_launch_date_is_its_own_even_when_another_feature_has_its_name() -> None:
    """Due dates looked a feature's launch date up by (product, name): the first feature of that
    name won, so an ads feature added later was dated from the product's launch."""
    document = _push_app("推荐", "推荐")
    document["products"][0]["features"][1]["launch_date"] = "2026-06-01"
    result = assess(document)
    filing = next(o for o in result.obligations if o.id == "arp_24")
    launches = {(d.product.index, d.event_date) for d in filing.due}
    assert launches == {(0, dt.date(2026, 3, 2)), (0, dt.date(2026, 6, 1))}


def test_facts_carry_positions_and_dates_that_the_rules_never_see() -> None:
    """Positions and dates are typed fields of a root fact, not attributes sent to the engine."""
    answers = parse_answers(_push_app("推荐", "推荐"))
    roots = build_facts(answers, dt.date(2026, 6, 1))
    assert [(r.kind, r.product_pos, r.feature_pos) for r in roots] == [
        ("product", 0, None), ("behaviour", 0, 0), ("behaviour", 0, 1)]
    assert roots[1].dates == {"launch": dt.date(2026, 3, 2)}
    assert all("product_pos" not in r.as_message() and "dates" not in r.as_message() for r in roots)


def test_renaming_every_feature_to_one_name_changes_nothing_but_the_names() -> None:
    """With features told apart by position, giving them all one name keeps every algorithm id."""
    document = load_answers(ROOT / "examples" / "food_delivery.yaml").model_dump(mode="json", exclude_none=True)
    renamed = copy.deepcopy(document)
    for product in renamed["products"]:
        for feature in product["features"]:
            feature["name"] = "功能"
    assert [a.id for a in assess(renamed).algorithms] == [a.id for a in assess(document).algorithms]
