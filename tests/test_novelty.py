"""``algo-filing diff`` and ``ask --new-feature`` take one decision of what a change makes new
(engine.pipeline.novelty): an algorithm the answers before lacked and no filed algorithm covers.
Both count it from the feature going live, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import assess, parse_answers
from engine.model.answers import load_answers
from engine.pipeline.diff import diff_answers
from engine.pipeline.feature_filing import feature_filings
from engine.pipeline.novelty import new_algorithms
from engine.rules.rulebook import default_rulebook

ROOT = Path(__file__).resolve().parent.parent
LIVE = "2026-12-07"


def _change(behaviour: str) -> tuple[Any, Any]:
    """The news app with its personalised push filed, before and after a feature going live on LIVE."""
    doc = load_answers(ROOT / "examples" / "news_app.yaml").model_dump(mode="json", exclude_none=True)
    doc["filed_algorithms"] = [{"number": "网信算备110108823483902250017号", "name": "某某推荐算法",
                                "products": ["某某新闻"]}]
    before = parse_answers(doc)
    doc["products"][0]["change_date"] = LIVE
    doc["products"][0]["features"].append({"name": "附近", "behaviours": [behaviour], "launch_date": LIVE})
    return before, parse_answers(doc)


@pytest.mark.parametrize(("behaviour", "new"), [
    ("pickup_point_suggestion", True),   # an algorithm the news app had not: a new filing from the feature
    ("personalized_ads", False),         # a new algorithm id, but covered by the filed push: a change filing
    ("hot_list", False),                 # the hot list the app had, never filed: due from the launch already
])
def test_diff_and_new_feature_agree_on_what_is_new(behaviour: str, new: bool) -> None:
    before, after = _change(behaviour)
    old, now = assess(before), assess(after)
    feature = len(after.products[0].features) - 1
    filings = feature_filings(default_rulebook(), old, now, after, 0, feature).filings
    from_feature = any(f.kind == "new_algorithm" and f.due is not None and f.due.event_date.isoformat() == LIVE
                       for f in filings)
    filing_duties = {o.id for o in now.obligations if o.files_algorithm}
    diff = diff_answers(before, after)
    redated = any(c.kind == "obligation" and c.id in filing_duties and c.field == "due"
                  and any(f"(change {LIVE})" in str(v) for v in c.added) for c in diff.changed)
    assert (from_feature, redated) == (new, new)
    assert bool(new_algorithms(old, now)) == new
