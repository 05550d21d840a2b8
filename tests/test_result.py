"""Issue 17: the result a product manager can forward (first screen, short default, exports)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sys
from html import escape
from pathlib import Path

import pexpect
import pytest
from wcwidth import wcswidth

from engine import assess, load_answers
from engine.model.assessment import Assessment

FIXTURE = Path(__file__).parent / "fixtures" / "result" / "ride_hailing_pm.yaml"
AS_OF = dt.date(2026, 12, 4)


@pytest.fixture(scope="module")
def ride() -> Assessment:
    return assess(load_answers(FIXTURE), as_of=AS_OF)


@pytest.fixture(scope="module")
def ride_no_opinion() -> Assessment:
    answers = load_answers(FIXTURE)
    product = answers.products[0].model_copy(update={"opinion_features": ()})
    return assess(answers.model_copy(update={"products": (product,)}), as_of=AS_OF)


def test_actions_put_the_generative_ai_registration_first(ride: Assessment) -> None:
    actions = ride.filing.actions
    assert actions[0].kind == "step" and actions[0].id == "genai_service_filing"
    assert actions[0].date == dt.date(2025, 6, 1) and actions[0].start_by == dt.date(2024, 10, 4)
    assert [a.date for a in actions] == sorted(a.date for a in actions if a.date)
    assert "genai_registration" not in [a.id for a in actions], "the dated step stands for the duty"
    filing = next(a for a in actions if a.id == "arp_24")
    assert filing.date == dt.date(2025, 6, 16) and filing.working_days == 10
    assert "arp_27" in [a.id for a in actions[:3]], "the security assessment is due before launch"


def test_a_recommended_filing_gets_a_practice_date_said_as_such(ride: Assessment,
                                                                 ride_no_opinion: Assessment) -> None:
    assert ride.filing.no_due is None
    assert ride_no_opinion.filing.status == "recommended" and ride_no_opinion.filing.no_due is None
    nxt = ride_no_opinion.filing.next_due
    assert nxt is not None and nxt.obligation == "practice_filing" and nxt.basis_kind == "practice"
    assert [a.id for a in ride_no_opinion.filing.actions] == ["genai_service_filing", "practice_filing"]


def test_no_due_says_why() -> None:
    """Dates answered, but no duty counts from them (an internal tool): the reason says so."""
    answers = load_answers(FIXTURE)
    product = answers.products[0].model_copy(update={"audience": ("internal",)})
    result = assess(answers.model_copy(update={"products": (product,)}), as_of=AS_OF)
    assert result.filing.next_due is None and result.filing.actions == ()
    reason = result.filing.no_due
    assert reason is not None and "无法定期限" in reason.zh and "没有上线" not in reason.zh


def test_no_dates_at_all_is_the_reason_when_none_is_given() -> None:
    answers = load_answers(FIXTURE)
    product = answers.products[0].model_copy(update={"launch_date": None})
    result = assess(answers.model_copy(update={"products": (product,)}), as_of=AS_OF)
    assert result.filing.no_due is not None and "没有上线" in result.filing.no_due.zh
    assert result.filing.actions == ()


# -- the terminal session at 80 columns (pexpect, with timeouts)

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")
DOWN, ENTER = "\x1b[B", "\r"


def _session(tmp_path: Path, columns: int) -> tuple[list[str], list[str], str]:
    """``algo-filing ask --answers`` on the ride-hailing product: confirm the review, read the
    result, quit from the menu. The review's and the result's lines as the person saw them
    (colours removed), and the whole screen."""
    from engine.questionnaire.loader import default_questionnaire

    q = default_questionnaire()
    log = io.StringIO()
    env = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": str(columns),
           "LINES": "50", "PYTHONPATH": str(ROOT)}
    child = pexpect.spawn(sys.executable, ["-m", "cli", "ask", "--answers", str(FIXTURE), "--draft",
                                           str(tmp_path / "draft.yaml")], cwd=str(tmp_path), env=env,
                          encoding="utf-8", dimensions=(50, columns), timeout=60)
    child.logfile_read = log
    try:
        child.expect_exact("生物特征")                               # the one question the file leaves open
        child.expect_exact("Esc")
        child.send(DOWN * 2 + ENTER)                                 # "unsure": it stays an open question
        child.expect_exact(q.text("review_menu", "zh"))
        child.expect_exact("Esc")
        child.send(ENTER)                                            # confirm: the first choice
        child.expect_exact(q.text("after_menu", "zh"))
        child.expect_exact("Esc")
        child.send(DOWN * 5 + ENTER)                                 # quit: the last choice
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, ANSI.sub("", log.getvalue())[-2000:]
    screen = ANSI.sub("", log.getvalue())
    banner = f"######## {q.text('result_title', 'zh')} ########"
    result = screen[screen.rindex(banner):].splitlines()[1:]
    review = screen[screen.rindex(f"== {q.text('review_title', 'zh')} =="):screen.rindex(banner)].splitlines()
    review = review[:next(i for i, line in enumerate(review) if line.startswith("按这些答案的结论"))]
    return review, result[:next(i for i, line in enumerate(result) if q.text("after_menu", "zh") in line)], screen


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("columns", [80, 100])
def test_ride_hailing_first_screen_short_result_and_review(tmp_path: Path, columns: int) -> None:
    review, lines, screen_log = _session(tmp_path, columns)
    assert len(review) <= 48, "\n".join(review)                       # two screens
    assert max(wcswidth(line) for line in review) <= columns
    answer_lines = [line for line in review if line.startswith("  ")]
    assert len(answer_lines) >= 20 and all("：" in line for line in answer_lines)  # one line per answer
    if columns == 80:
        assert any("…：" in line for line in answer_lines)          # a long question cut with "…"
    assert not [line for line in screen_log.splitlines() if line.strip() in ("）", ")")]  # no lone bracket
    rule = "─" * columns
    start = lines.index(rule)
    end = lines.index(rule, start + 1)
    first = lines[start:end + 1]
    assert len(first) <= 15, "\n".join(first)
    screen = "\n".join(first)
    assert "结论：需要备案（5 个算法）" in screen
    assert "需要备案：AI客服、动态定价、首页推荐、司机订单排序、叫车派单" in screen or all(
        f in screen for f in ("AI客服", "动态定价", "首页推荐", "司机订单排序", "叫车派单"))
    assert "下一个期限：2025-06-16（已逾期）" in screen                 # the statutory filing date
    assert "项已逾期" in screen                                          # overdue items counted
    assert "1. 2025-06-01（已逾期） [实务] 生成式人工智能服务备案/登记" in screen  # the urgent item first
    assert "仍待确认（1 项）" in screen and "AI客服：" in screen
    assert "在下方菜单保存（HTML、Markdown 或 JSON）" in screen         # how to get the full report
    assert len(lines) <= 120, len(lines)
    assert max(wcswidth(line) for line in lines) <= columns
    body = "\n".join(lines)
    for section in ("== 算法 ==", "== 有日期的事项（最早的在前） ==", "== 材料（按由谁准备分组） ==", "== 办理步骤 =="):
        assert section in body, section
    assert "不构成法律意见" in body


def test_first_screen_of_a_recommended_filing_dates_it_as_practice(ride_no_opinion: Assessment) -> None:
    from engine.render.summary import render_summary

    screen = render_summary(ride_no_opinion, "zh", today=AS_OF, width=80, report_hint="algo-filing assess x --full")
    assert len(screen.splitlines()) <= 15, screen
    assert "下一个建议日期（实务）：2025-06-16（已逾期）" in screen and "没有上线" not in screen
    assert "建议备案：AI客服、首页推荐、司机订单排序、叫车派单、动态定价" in screen   # status per algorithm
    assert "1. 2025-06-01（已逾期） [实务] 生成式人工智能服务备案/登记" in screen


def test_first_screen_without_a_date_says_why() -> None:
    from engine.render.summary import render_summary

    answers = load_answers(FIXTURE)
    product = answers.products[0].model_copy(update={"audience": ("internal",)})
    result = assess(answers.model_copy(update={"products": (product,)}), as_of=AS_OF)
    screen = render_summary(result, "zh", today=AS_OF, width=80)
    assert "下一个期限：无法定期限" in screen and "没有上线" not in screen


@pytest.fixture(scope="module")
def ride_two_voices() -> Assessment:
    """The ride-hailing app with a second generative voice feature: one question, two features."""
    from engine.model.answers import Feature

    answers = load_answers(FIXTURE)
    voice = Feature.model_validate({"name": "语音播报", "behaviours": ["generate_audio"],
                                    "model_source": "third_party_api", "large_model": True})
    product = answers.products[0]
    product = product.model_copy(update={"features": (*product.features, voice)})
    return assess(answers.model_copy(update={"products": (product,)}), as_of=AS_OF)


def test_each_open_question_is_listed_once_with_the_features_it_affects(ride_two_voices: Assessment) -> None:
    from engine.render.short import render_short

    result = ride_two_voices
    asked = [q for q in result.open_questions if q.id == "biometric_output"]
    assert len(asked) == 2, "one question, two features"
    short = render_short(result, "zh", today=AS_OF, width=1000)    # one line per question
    text = asked[0].question.zh
    assert short.count(text) == 1
    line = next(line for line in short.splitlines() if text in line)
    assert "AI客服" in line and "语音播报" in line, line


# -- exports that match the screen

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _ids(a: Assessment) -> set[str]:
    """Every stable id the assessment holds that could leak into a report (distinctive ones: with _ . or +)."""
    found = {a.filing.status, *(r.rule for r in a.filing.reasons)}
    for al in a.algorithms:
        found |= {al.id, al.status, al.genai_route or "", al.subtype or "", *al.behaviours, *al.rules}
    found |= {o.id for o in a.obligations} | {m.id for m in a.materials}
    found |= {p.id for m in a.materials for p in m.pitfalls}
    found |= {q.field for q in a.open_questions} | {q.id for q in a.open_questions} | {d.form for d in a.display}
    return {i for i in found if re.search(r"[_.+]", i)}


def _leaks(text: str, ids: set[str]) -> list[str]:
    return sorted(i for i in ids if re.search(rf"(?<![A-Za-z0-9_.+]){re.escape(i)}(?![A-Za-z0-9_+])", text))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_markdown_and_html_open_with_the_summary_and_show_no_ids(example: Path) -> None:
    from engine.render import render
    from engine.render.summary import summary_parts

    result = assess(load_answers(example), as_of=AS_OF)
    parts = summary_parts(result, "zh", today=AS_OF)
    markdown = render(result, "markdown", "zh")
    html = render(result, "html", "zh")
    head = markdown.split("\n## ")[0]                                   # before the first section
    for line in (parts.status, parts.next_due, parts.questions_title):
        assert line.replace("[", "\\[").replace("]", "\\]") in head, line
    body = html[html.index("<body>"):]
    summary = body[:body.index("<section id=\"reasons\">")]
    for line in (parts.status, parts.next_due, parts.questions_title):
        assert escape(line) in summary, line
    ids, text = _ids(result), re.sub(r"<[^>]+>", " ", body)             # what the reader sees, not CSS classes
    assert not _leaks(markdown, ids) and not _leaks(text, ids), (_leaks(markdown, ids), _leaks(text, ids))
    shown = render(result, "markdown", "zh", ids=True) + render(result, "html", "zh", ids=True)
    assert all(o.id in shown for o in result.obligations) and all(al.id in shown for al in result.algorithms)


def test_the_markdown_report_is_compact(ride: Assessment) -> None:
    from engine.render import render

    markdown = render(ride, "markdown", "zh")
    assert len(markdown.encode()) < 40_000, len(markdown.encode())
    assert "|---|" in markdown and "  |" not in markdown               # tables are not padded
    pitfalls = {m.name.zh: {p.text.zh for p in m.pitfalls} for m in ride.materials}
    material, seen = "", 0
    for line in markdown.splitlines():                                 # each pitfall under its own material
        if line.startswith("- [ ] **"):
            material = line[len("- [ ] **"):line.index("**", 8)]
        elif line.startswith("  - ⚠ "):
            assert line[len("  - ⚠ "):].replace("\\", "") in pitfalls[material], (material, line)
            seen += 1
    assert seen == sum(len(p) for p in pitfalls.values())


def test_full_terminal_result_lists_questions_once_and_no_display_id(ride_no_opinion: Assessment,
                                                                     ride_two_voices: Assessment) -> None:
    from engine.render.summary import render_terminal

    question = next(q for q in ride_two_voices.open_questions if q.id == "biometric_output").question.zh
    assert render_terminal(ride_two_voices, "zh", today=AS_OF, width=1000, full=True).count(question) == 1
    full = render_terminal(ride_no_opinion, "zh", today=AS_OF, width=100, full=True)
    assert "genai" not in full                                      # the display place of a GenAI feature
    assert "[genai]" in render_terminal(ride_no_opinion, "zh", today=AS_OF, width=100, full=True, ids=True)


def test_every_product_or_algorithm_material_says_whom_it_is_for(ride: Assessment) -> None:
    from engine.render.short import render_short
    from engine.render.table import render_table

    full = render_table(ride, "zh", width=1000)                        # one line per cell line
    lines = full.splitlines()
    row = next(i for i, line in enumerate(lines) if "☐ 第三方技术佐证材料" in line)
    assert "→ AI客服" in lines[row + 1], lines[row:row + 2]
    short = render_short(ride, "zh", today=AS_OF, width=1000)
    assert "第三方技术佐证材料（AI客服）" in short and "、安全评估报告\n" in short + "\n"   # one product: not named


def test_the_readme_shows_the_news_app_result_as_printed_at_80_columns(capsys: pytest.CaptureFixture[str],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import cli

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(ROOT)
    assert cli.main(["assess", "examples/news_app.yaml", "--as-of", "2026-11-30"]) == 0
    printed = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```text\n{printed}```" in readme
    assert len(printed.splitlines()) <= 120


def test_the_save_menu_offers_html_first_and_saves_the_report_with_the_summary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from test_prompts import Scripted, args

    import cli

    monkeypatch.chdir(tmp_path)
    prompter = Scripted(["unsure", "confirm", "html", "report.html", "quit"])
    assert cli.ask(args(answers=FIXTURE, draft=tmp_path / "draft.yaml"), prompter=prompter) == 0
    menu = next(options for kind, message, options in prompter.asked if message == "接下来做什么？")
    assert menu[0] == "html"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    summary = page[page.index("<body>"):page.index("<section id=\"reasons\">")]
    assert "结论：需要备案（5 个算法）" in summary and "最紧急的事项" in summary
    assert "仍待确认（1 项）" in capsys.readouterr().out


def test_a_duty_before_launch_is_not_dated_before_its_provision_was_in_force() -> None:
    result = assess(load_answers(ROOT / "examples" / "multi_product_entity.yaml"), as_of=AS_OF)
    in_force = {law.id: law.in_force for law in result.laws if law.in_force}
    before_launch = [x for x in result.filing.actions if x.kind == "obligation" and x.working_days is None]
    assert before_launch, "the example has duties due before launch"
    duties = {o.id: o for o in result.obligations}
    for action in before_launch:
        starts = [in_force[ref.law] for ref in duties[action.id].basis if ref.law in in_force]
        assert action.date is not None and action.date >= max(starts), (action.id, action.date)


def test_one_feature_with_two_algorithms_names_the_role_of_each() -> None:
    from engine.render.summary import status_lines

    result = assess(load_answers(ROOT / "examples" / "multi_product_entity.yaml"), as_of=AS_OF)
    line = status_lines(result, "zh")[0]
    assert "AI续写（服务提供者）、AI续写（服务技术支持者）（某某写作）" in line, line


def test_several_products_are_named_once_per_group_and_first_in_each_action() -> None:
    from engine.render.summary import render_summary

    result = assess(load_answers(ROOT / "examples" / "food_delivery.yaml"), as_of=AS_OF)
    screen = render_summary(result, "zh", today=AS_OF, width=80)
    assert "建议备案：配送路线、排班（某某骑手）" in screen
    assert screen.count("（某某外卖）") == 1
    urgent = [line for line in screen.splitlines() if line.startswith(("  1. ", "  2. ", "  3. "))]
    assert {line.split("） ")[1].split("：")[0] for line in urgent} <= {"某某外卖", "某某骑手"}, urgent
    assert len(set(urgent)) == len(urgent)                                 # two products, two lines that differ


def test_a_product_whose_algorithms_are_all_filed_has_no_filing_action_and_says_why() -> None:
    answers = {"entity": {"name": "某某资讯有限公司"}, "products": [{
        "name": "某某资讯", "forms": ["app"], "audience": ["public"], "opinion_features": [], "commercial": True,
        "launch_status": "launched", "launch_date": "2025-09-01",
        "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}],
        "filed_algorithms": [{"number": "网信算备110108823483902250017号", "name": "某某资讯个性化推荐算法",
                              "products": ["某某资讯"]}]}
    unfiled = assess({**answers, "filed_algorithms": []}, as_of=AS_OF)
    assert "practice_filing" in [a.id for a in unfiled.filing.actions]
    result = assess(answers, as_of=AS_OF)
    assert result.algorithms[0].filed is not None
    assert "practice_filing" not in [a.id for a in result.filing.actions]
    assert result.filing.next_due is None
    assert result.filing.no_due is not None and "均已备案" in result.filing.no_due.zh
