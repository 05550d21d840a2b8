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


# -- issue 17: every wrapping case of the product manager's run, at 80 and 100 columns

CASE_WIDTHS = [80, 100]


@pytest.mark.parametrize("width", CASE_WIDTHS)
def test_a_prompt_line_keeps_its_closing_bracket_and_a_typed_answer_has_its_own_line(width: int) -> None:
    from cli.prompts import prompt_lines, text_prompt

    q = default_questionnaire()
    for instruction in (q.text("instructions_select", "zh"), q.text("instructions_multi", "zh"),
                        q.text("instructions_required_text", "zh")):
        for question in q.questions.values():
            lines = prompt_lines(question.text.get("zh"), instruction, width).split("\n")
            assert all(wcswidth(line) <= width - 2 for line in lines), lines         # after "? "
            assert not any(line.strip().startswith(CLOSING) for line in lines), lines
            assert lines[-1].strip() not in ("）", ")"), lines
    typed = text_prompt("上线日期？", q.text("instructions_required_text", "zh"), width)
    assert typed.endswith("\n ›") and typed.split("\n")[-2].endswith("）")          # the answer goes after "›"


@pytest.mark.parametrize("width", CASE_WIDTHS)
def test_the_command_to_copy_is_never_broken(width: int) -> None:
    import datetime as dt

    from engine import assess, load_answers
    from engine.render.summary import render_terminal

    long_path = "examples/" + "a" * 40 + "/ride_hailing.yaml"
    command = f"algo-filing assess {long_path} --format html -o report.html"
    result = assess(load_answers("examples/ride_hailing.yaml"))
    text = render_terminal(result, "zh", today=dt.date(2026, 12, 4), width=width,
                           report_hint=f"algo-filing assess {long_path} --full", html_hint=command)
    lines = text.splitlines()
    assert any(line.strip() == command for line in lines)
    assert any(line.strip() == f"algo-filing assess {long_path} --full" for line in lines)


@pytest.mark.parametrize("width", CASE_WIDTHS)
def test_short_chinese_labels_are_not_split(width: int) -> None:
    text = (" 2. 顺路出行个性化推荐算法 · 个性化推送类 · —（该类型备案不填报角色） · 需进一步判断 · "
            "预估到达时间（某某出行）")
    for w in range(30, width + 1):
        lines = wrap(text, w, "     ").split("\n")
        assert any("需进一步判断" in line for line in lines), (w, lines)
        assert any("个性化推送类" in line for line in lines), (w, lines)
        assert any("（某某出行）" in line for line in lines), (w, lines)
        assert all(wcswidth(line) <= w for line in lines)
        assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("width", CASE_WIDTHS)
def test_a_bullet_never_stands_alone_in_a_table_cell(width: int) -> None:
    import datetime as dt

    from engine import assess, load_answers
    from engine.render.summary import render_terminal

    for example in ("examples/news_app.yaml", "examples/photo_effects_mini_program.yaml"):
        text = render_terminal(assess(load_answers(example)), "zh", today=dt.date(2026, 12, 4), width=width,
                               full=True)
        cells = [cell.strip() for line in text.splitlines() for cell in line.split("│")]
        assert "•" not in cells and "▶" not in cells and "☐" not in cells
        assert all(wcswidth(line) <= width for line in text.splitlines())


@pytest.mark.parametrize("width", CASE_WIDTHS)
def test_the_review_lines_cut_the_question_with_an_ellipsis_and_keep_the_answer(width: int) -> None:
    from cli.session import review_line

    question = "用户中有没有下面这些需要特别保护或与平台有特殊关系的群体？（可多选，没有则选“都没有”）"
    answer = "平台调度的劳动者（骑手、司机等）、购买商品或服务的消费者"
    for arrow in (False, True):
        line = review_line(question, answer, width - 4, arrow=arrow)          # the list's pointer takes 4
        assert wcswidth(line) <= width - 4 and line.endswith(answer) and "…" in line, line
        whole = review_line("上线日期？", "2025-06-01", width, arrow=arrow)
        assert "…" not in whole and whole.endswith("2025-06-01")


@pytest.mark.parametrize("width", CASE_WIDTHS)
def test_a_latin_word_joined_to_a_short_chinese_word_is_not_split(width: int) -> None:
    text = "需要备案：叫车派单、动态定价、首页推荐、司机订单排序、AI续写（某某写作）、AI客服、推荐上车点"
    for w in range(24, width + 1):
        lines = wrap(text, w, "    ").split("\n")
        assert any("AI续写" in line for line in lines) and any("AI客服" in line for line in lines), (w, lines)
        assert all(wcswidth(line) <= w for line in lines)
