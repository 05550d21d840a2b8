"""Item 4 of issue 21: per algorithm, two published purposes of its kind and a draft of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

import cli
from engine import assess, load_answers
from engine.errors import LoadError
from engine.precedents.wording import load_templates, purpose_notes

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "examples" / "news_app.yaml"


def test_each_algorithm_gets_two_published_purposes_of_its_class_and_a_draft() -> None:
    result = assess(load_answers(NEWS))
    notes = purpose_notes(result)
    assert [n.algorithm for n in notes] == [a.id for a in result.algorithms]
    feed = notes[0]
    assert len(feed.examples) == 2 and all(e.filing_number.startswith("网信算备") for e in feed.examples)
    assert feed.draft.zh == ("应用于首页推荐场景，根据用户的浏览、点击、购买等行为数据和偏好，"
                             "为用户推荐可能感兴趣的内容（个性化推荐）。")
    assert feed.draft.en.startswith("Used in the 首页推荐 scenario: from the user's browsing")
    filtering = notes[-1]
    assert all("内容安全" in e.purpose for e in filtering.examples)


def test_assess_shows_them_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["assess", str(NEWS), "--purposes", "--as-of", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert "主要用途的写法" in out and out.count("   示例：") == 8 and out.count("   草稿：应用于") == 4
    assert cli.main(["assess", str(NEWS), "--as-of", "2026-11-30"]) == 0
    assert "主要用途的写法" not in capsys.readouterr().out


def test_a_missing_class_in_the_templates_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "purpose_templates.yaml").read_text(encoding="utf-8")
    start = text.index("  scheduling_decision:")
    (tmp_path / "purpose_templates.yaml").write_text(text[:start], encoding="utf-8")
    with pytest.raises(LoadError, match="classes: classes missing: scheduling_decision"):
        load_templates(tmp_path)
