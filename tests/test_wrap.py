"""Text wrapped to the terminal: never wider than asked, English between words, no Chinese line
starting with closing punctuation."""

from __future__ import annotations

import pytest
from wcwidth import wcswidth

from engine.questionnaire.loader import default_questionnaire
from engine.render.wrap import wrap

CLOSING = tuple("。，、；：？！）》」』”")


@pytest.mark.parametrize("width", [40, 60, 80, 100])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_help_text_wraps_within_the_width_at_word_and_punctuation_boundaries(width: int, lang: str) -> None:
    for question in default_questionnaire().questions.values():
        text = "ℹ " + question.help.get(lang)
        lines = wrap(text, width, "  ").split("\n")
        assert all(wcswidth(line) <= width for line in lines), (question.id, lines)
        assert not any(line.strip().startswith(CLOSING) for line in lines), (question.id, lines)
        words = [w for line in lines for w in line.split()]
        assert "".join(words) == "".join(text.split()), question.id                  # nothing lost
        latin = [w for w in text.split() if w.isascii()]
        assert [w for w in words if w.isascii()] == latin, question.id               # no word split


def test_a_latin_word_inside_chinese_is_not_split() -> None:
    lines = wrap("以 API/SDK 向企业客户提供生成能力的，要以“服务技术支持者”身份另行备案", 24).split("\n")
    assert any("API/SDK" in line for line in lines)
    assert all(wcswidth(line) <= 24 for line in lines)
