"""``algo-filing ask`` end to end, typed as a person would.

Each run waits for the next question's help line (so it also checks which question comes next),
then for the prompt itself, then types the keys. Key presses for choices are computed from the
choices' positions in the questionnaire, so the tests follow the data, not screen coordinates.

Most runs are in-process: the session runs in a thread with a prompt_toolkit pipe input and a
VT100 output written to a buffer (as questionary's own tests drive prompts), and the test waits
for the screen text before typing, as in a terminal. A few runs (marked ``slow``) repeat that in
a real pseudo-terminal with pexpect, ``python -m cli ask`` as its own process.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest
import yaml
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from wcwidth import wcswidth

import cli
from cli import Prompter
from cli.main import build_parser
from engine import load_answers
from engine.questionnaire.loader import default_questionnaire

ROOT = Path(__file__).resolve().parent.parent
Q = default_questionnaire()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")
DOWN, UP, LEFT, ENTER, SPACE, ESC, CTRL_C = "\x1b[B", "\x1b[A", "\x1b[D", "\r", " ", "\x1b", "\x03"
WAIT = 30.0
"""Seconds a run may take to show the next expected text before the test fails."""

pytestmark = pytest.mark.timeout(180)


class Screen(io.TextIOBase):
    """What the session wrote (prompts and prints), readable while it is being written."""

    encoding = "utf-8"

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.changed = threading.Condition()

    def write(self, text: str) -> int:
        with self.changed:
            self.parts.append(text)
            self.changed.notify_all()
        return len(text)

    def isatty(self) -> bool:
        return False

    def value(self) -> str:
        with self.changed:
            return "".join(self.parts)


class Terminal:
    """One ``algo-filing ask`` session (50 rows, 140 columns unless told) and the keys typed into it.

    Subclasses start the session and provide :meth:`send`, :meth:`expect_any`, :meth:`end` and
    :meth:`raw`; the question-level steps below are shared, so every test runs either way.
    """

    lang: str

    def send(self, keys: str) -> None:
        raise NotImplementedError

    def expect_any(self, texts: list[str]) -> int:
        """Wait for the first of ``texts`` after what was already matched; return its index."""
        raise NotImplementedError

    def end(self) -> int:
        """Wait for the session to finish; its exit code."""
        raise NotImplementedError

    def raw(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the session if a failed test left it running."""

    def wait(self, text: str) -> None:
        self.expect_any([text])

    def ready(self) -> None:
        """Wait until the prompt is drawn (every prompt's instructions name Esc)."""
        self.wait("Esc")

    def help(self, question_id: str) -> str:
        question = Q.questions.get(question_id)
        help_text = question.help if question else Q.repeat(
            "product" if question_id == "another_product" else "feature").help
        return help_text.get(self.lang)[:16]

    def at(self, question_id: str) -> None:
        self.wait(self.help(question_id))
        self.ready()

    def type(self, question_id: str, text: str) -> None:
        self.at(question_id)
        self.send(text + ENTER)

    def start_index(self, question_id: str, earlier: list[str] | None = None) -> int:
        question = Q.questions[question_id]
        ids = question.choice_ids()
        if earlier:
            return ids.index(earlier[0])
        return ids.index(question.default) if isinstance(question.default, str) else 0

    def tick(self, question_id: str, *choices: str, earlier: list[str] | None = None) -> None:
        """Tick ``choices`` in a multi-select (nothing else ticked before) and confirm."""
        self.at(question_id)
        ids = Q.questions[question_id].choice_ids()
        position = self.start_index(question_id, earlier)
        keys = ""
        for choice in sorted(choices, key=ids.index):
            target = ids.index(choice)
            keys += (DOWN * (target - position) if target >= position else UP * (position - target)) + SPACE
            position = target
        self.send(keys + ENTER)

    def choose(self, question_id: str, choice: str, earlier: str | None = None) -> None:
        self.at(question_id)
        if question_id in ("another_feature", "another_product"):
            ids, start = ["yes", "no"], ["yes", "no"].index(earlier or "no")
        else:
            ids = Q.questions[question_id].choice_ids()
            start = ids.index(earlier) if earlier else self.start_index(question_id)
        target = ids.index(choice)
        self.send((DOWN * (target - start) if target >= start else UP * (start - target)) + ENTER)

    def menu(self, title_key: str, position: int) -> None:
        """Pick the ``position``-th entry of a menu whose title is a screen text."""
        self.wait(Q.text(title_key, self.lang))
        self.ready()
        self.send(DOWN * position + ENTER)

    def save(self, menu_position: int) -> None:
        self.menu("after_menu", menu_position)
        self.wait(Q.text("save_path", self.lang))
        self.ready()
        self.send(ENTER)
        self.wait(Q.text("saved", self.lang, path="")[:3])

    def quit(self) -> int:
        self.menu("after_menu", 5)
        return self.end()

    def screen(self) -> str:
        return ANSI.sub("", self.raw())

    def result(self) -> str:
        """The screen from the last result banner on."""
        text = self.screen()
        return text[text.rindex(f"######## {Q.text('result_title', self.lang)} ########"):]


class InProcess(Terminal):
    """The session in a thread of this process: pipe input, VT100 output into a :class:`Screen`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cwd: Path, *argv: str, lang: str = "zh",
                 columns: int = 140) -> None:
        self.lang = lang
        self.out = Screen()
        self.seen = 0
        self.code: int | None = None
        self.error: BaseException | None = None
        self.stack = contextlib.ExitStack()
        self.pipe = self.stack.enter_context(create_pipe_input())
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("COLUMNS", str(columns))
        monkeypatch.setenv("LINES", "50")
        monkeypatch.setattr(sys, "stdout", self.out)
        output = Vt100_Output(self.out, lambda: Size(rows=50, columns=columns), term="xterm-256color",
                              enable_cpr=False)
        args = build_parser().parse_args(["ask", "--lang", lang, *argv])
        prompter = Prompter(input=self.pipe, output=output)
        self.thread = threading.Thread(target=self._run, args=(args, prompter), daemon=True)
        self.thread.start()

    def _run(self, args: object, prompter: Prompter) -> None:
        try:
            self.code = cli.ask(args, prompter=prompter)  # type: ignore[arg-type]
        except BaseException as error:  # reported by end() or the next wait, in the test's thread
            self.error = error
        finally:
            with self.out.changed:
                self.out.changed.notify_all()

    def send(self, keys: str) -> None:
        self.pipe.send_text(keys)

    def expect_any(self, texts: list[str]) -> int:
        def found() -> tuple[int, int] | None:
            text = self.out.value()
            hits = [(text.find(t, self.seen), i) for i, t in enumerate(texts)]
            hits = [(at, i) for at, i in hits if at >= 0]
            if hits:
                at, i = min(hits)
                return at + len(texts[i]), i
            return None

        with self.out.changed:
            hit = self.out.changed.wait_for(lambda: found() or not self.thread.is_alive(), timeout=WAIT)
        hit = found()
        if hit is None:
            tail = ANSI.sub("", self.out.value()[self.seen:])[-2000:]
            state = "waiting" if self.thread.is_alive() else f"ended, error {self.error!r}"
            pytest.fail(f"none of {texts!r} on the screen (session {state}); screen since the last match:\n{tail}")
        self.seen = hit[0]
        return hit[1]

    def end(self) -> int:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the session did not end"
        if self.error is not None:
            raise self.error
        assert self.code is not None
        return self.code

    def raw(self) -> str:
        return self.out.value()

    def close(self) -> None:
        if self.thread.is_alive():
            self.pipe.close()                                   # end of input: the session stops
            self.thread.join(WAIT)
        self.stack.close()


class Pty(Terminal):
    """``python -m cli ask`` as its own process in a real pseudo-terminal (pexpect)."""

    def __init__(self, cwd: Path, *argv: str, lang: str = "zh", columns: int = 140) -> None:
        self.lang = lang
        self.log = io.StringIO()
        env = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": str(columns),
               "LINES": "50", "PYTHONPATH": str(ROOT)}
        self.child = pexpect.spawn(sys.executable, ["-m", "cli", "ask", "--lang", lang, *argv], cwd=str(cwd),
                                   env=env, encoding="utf-8", dimensions=(50, columns), timeout=WAIT)
        self.child.logfile_read = self.log

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def expect_any(self, texts: list[str]) -> int:
        return int(self.child.expect_exact(texts))

    def end(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)

    def raw(self) -> str:
        return self.log.getvalue()

    def close(self) -> None:
        if self.child.isalive():
            self.child.close(force=True)


Start = Callable[..., Terminal]

IN_PROCESS_AND_PTY = pytest.mark.parametrize(
    "terminal", ["in-process", pytest.param("pty", marks=[pytest.mark.slow, pytest.mark.skipif(
        sys.platform == "win32", reason="needs a POSIX pseudo-terminal")])], indirect=True)
"""For the few runs that are also made end to end in a real pseudo-terminal."""


@pytest.fixture
def terminal(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Start]:
    """Starts ``algo-filing ask *argv`` in ``tmp_path``: in-process unless the test asks for ``pty``."""
    mode = getattr(request, "param", "in-process")
    started: list[Terminal] = []

    def start(*argv: str, lang: str = "zh", columns: int = 140) -> Terminal:
        if started:
            started[-1].close()
        term: Terminal = InProcess(monkeypatch, tmp_path, *argv, lang=lang, columns=columns) \
            if mode == "in-process" else Pty(tmp_path, *argv, lang=lang, columns=columns)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


def feature(term: Terminal, name: str, category: str, follow_up: str, *behaviours: str, more: bool) -> None:
    term.type("feature_name", name)
    term.tick("does", category)
    term.tick(follow_up, *behaviours)
    term.choose("another_feature", "yes" if more else "no")


@IN_PROCESS_AND_PTY
@pytest.mark.slow
def test_news_app_with_back_and_an_edit_from_the_review(tmp_path: Path, terminal: Start) -> None:
    term = terminal()
    term.wait("Esc 返回上一题（选择题也可按 ←）")
    term.type("entity_name", "北京某某资讯科技有限公司")
    term.type("product_name", "某某新闻")
    term.tick("forms", "app", "website")
    term.tick("audience", "public")
    term.tick("opinion_features", "comments", "ugc_posting", "news")
    term.tick("user_groups", "minors", "elderly")
    term.at("launch_date")
    term.send(ESC)                                        # back: the user groups, kept
    term.at("user_groups")
    term.send(LEFT)                                       # back again (← in a list): the opinion features
    term.at("opinion_features")
    term.wait("● 评论")                                          # the earlier answer is preselected
    term.send(ENTER)
    term.at("user_groups")
    term.wait("● 未成年人")
    term.send(ENTER)                                      # the later answer was kept
    term.type("launch_date", "2026-03-02")
    feature(term, "首页推荐", "picks_for_user", "personalises", "recommend_by_profile", more=True)
    feature(term, "热榜", "orders_items", "orders", "hot_list", more=True)
    feature(term, "搜索", "finds_or_screens", "retrieves_filters", "search_by_query", more=False)
    term.choose("another_product", "no")

    term.wait("核对答案")
    term.menu("review_menu", 2)                                 # change: product 1
    items = [q for q in Q.in_scope("product") if q.id != "termination_date"]
    term.menu("review_pick_answer", [q.id for q in items].index("opinion_features"))
    term.at("opinion_features")                                 # untick news, the checklist's last tick
    ids = Q.questions["opinion_features"].choice_ids()
    term.send(DOWN * (ids.index("news") - ids.index("comments")) + SPACE + ENTER)
    term.menu("review_menu", 0)                                 # confirm

    term.wait("评估结果")
    term.wait("不构成法律意见")
    term.save(3)                                                # the answers
    term.menu("after_menu", 2)                                  # the JSON report
    term.wait(Q.text("save_path", "zh"))
    term.ready()
    term.send("report.json" + ENTER)
    term.wait("report.json")
    assert term.quit() == 0
    result = term.result()
    assert "需要备案" in result
    for algorithm_type in ("个性化推送类", "排序精选类", "检索过滤类"):
        assert algorithm_type in result
    duties = {o["id"] for o in json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["obligations"]}
    assert "arp_13" not in duties                               # news duty gone after the edit
    assert "arp_18" in duties                                   # minors
    answers = load_answers(tmp_path / "algo-filing-answers.yaml")
    product = answers.products[0]
    assert (product.news, product.user_groups, product.opinion_features) == (
        False, ["minors", "elderly"], ["comments", "ugc_posting"])
    assert [(f.name, f.behaviours) for f in product.features] == [
        ("首页推荐", ["recommend_by_profile"]), ("热榜", ["hot_list"]), ("搜索", ["search_by_query"])]
    assert load_answers(tmp_path / "algo-filing-draft.yaml") == answers


@IN_PROCESS_AND_PTY
@pytest.mark.slow
def test_ai_photo_mini_program_calling_a_filed_model_with_ctrl_c_and_resume(tmp_path: Path, terminal: Start) -> None:
    term = terminal(lang="en")
    term.type("entity_name", "Example Imaging Co.")
    term.type("product_name", "AI Portrait")
    term.tick("forms", "mini_program")
    term.tick("audience", "public")
    term.tick("opinion_features", "info_sharing")
    term.at("user_groups")
    term.send(CTRL_C)
    assert term.end() == 130
    stopped = term.screen()
    assert "Draft saved: algo-filing-draft.yaml" in stopped
    assert "To continue: algo-filing ask --resume algo-filing-draft.yaml --lang en" in stopped
    draft = yaml.safe_load((tmp_path / "algo-filing-draft.yaml").read_text(encoding="utf-8"))
    assert draft["products"][0]["opinion_features"] == ["info_sharing"]

    term = terminal("--resume", "algo-filing-draft.yaml", lang="en")
    term.tick("user_groups", "none")
    assert "Describe each product" not in term.screen()       # resumed where it stopped
    term.type("launch_date", "")                               # no date: the status is asked
    term.choose("launch_status", "planned")
    term.type("feature_name", "AI portrait")
    term.tick("does", "makes_content")
    term.tick("generates", "generate_image", "edit_image_video")
    term.choose("model_source", "third_party_api")
    term.choose("biometric_output", "no")
    term.choose("another_feature", "no")
    term.choose("another_product", "no")
    term.wait("Review your answers")
    term.menu("review_menu", 0)
    term.wait("Assessment")
    term.wait("Steps")
    term.save(2)                                                # JSON report
    assert term.quit() == 0
    screen = term.screen()
    assert Q.questions["offered_as_api"].help.en[:16] not in screen
    assert Q.questions["launch_status"].help.en[:16] in screen
    result = term.result()
    assert "Filing required" in result and "Generation / synthesis" in result
    assert "genai_registration" not in result                  # its label, wrapped in the table cell
    report = json.loads((tmp_path / "algo-filing-report.json").read_text(encoding="utf-8"))
    assert report["filing"]["status"] == "required"
    assert {(a["type"], a["role"], a["genai_route"]) for a in report["algorithms"]} == {
        ("generation_synthesis", "service_provider", "genai_registration")}
    saved = load_answers(tmp_path / "algo-filing-draft.yaml").products[0].features[0]
    assert (saved.behaviours, saved.model_source, saved.offered_as_api) == (
        ["generate_image", "edit_image_video"], "third_party_api", False)


@pytest.mark.slow
def test_internal_tool_asks_nothing_about_users_and_needs_no_filing(tmp_path: Path, terminal: Start) -> None:
    term = terminal()
    term.type("entity_name", "某某制造有限公司")
    term.type("product_name", "内部工单助手")
    term.tick("forms", "website")
    term.tick("audience", "internal")
    term.type("feature_name", "工单分派")
    term.tick("does", "decides")
    term.at("decides_what")
    term.send(LEFT)                                       # back to the category, kept ticked
    term.at("does")
    term.wait("● 做出或辅助一个决定")
    term.send(ENTER)
    term.tick("decides_what", "document_routing")
    term.choose("another_feature", "no")
    term.choose("another_product", "no")
    term.menu("review_menu", 0)
    term.wait("评估结果")
    term.wait("不构成法律意见")
    term.save(1)                                                # Markdown report
    assert term.quit() == 0
    screen = term.screen()
    for skipped in ("opinion_features", "user_groups", "launch_date", "launch_status"):
        assert term.help(skipped) not in screen, skipped
    assert "无需备案" in term.result()
    assert "无需备案" in (tmp_path / "algo-filing-report.md").read_text(encoding="utf-8")
    answers = load_answers(tmp_path / "algo-filing-draft.yaml")
    assert answers.products[0].features[0].behaviours == ["document_routing"]


@pytest.mark.slow
def test_pressing_enter_through_the_questionnaire_reaches_a_result(tmp_path: Path, terminal: Start) -> None:
    """Enter on every question, each sent only once its own header "n/total" and prompt are drawn."""
    term = terminal()
    review = Q.text("review_title", "zh")
    for n in range(1, 41):
        if term.expect_any([f"第 {n}/", review]) == 1:
            break
        term.ready()
        term.send(ENTER)
    else:
        pytest.fail("no review after 40 answers")
    term.menu("review_menu", 0)
    term.wait(Q.text("result_title", "zh"))
    assert term.quit() == 0
    behaviours = load_answers(tmp_path / "algo-filing-draft.yaml").products[0].features[0].behaviours
    assert behaviours and "unsure" not in behaviours                # Enter never lands on "not sure"
    assert "需进一步判断" not in term.result()


PROGRESS = re.compile(r"第 (\d+)/(\d+) 题")


@pytest.mark.slow
def test_product_manager_describes_a_four_feature_news_app_in_at_most_18_questions(
        tmp_path: Path, terminal: Start) -> None:
    """Feed, hot list, search and AI writing on a third-party model, in an 80-column terminal.

    Every question is counted from the screen's own "n/total" header; the result must open with
    the status, the algorithms and the next deadline, and no line may be wider than the terminal.
    """
    term = terminal(columns=80)
    term.type("entity_name", "北京某某资讯科技有限公司")
    term.type("product_name", "某某新闻")
    term.tick("forms", "app", "website")
    term.tick("audience", "public")
    term.tick("opinion_features", "comments", "ugc_posting", "news")
    term.tick("user_groups", "minors")
    term.type("launch_date", "2026-03-02")
    term.type("feature_name", "首页推荐、热榜、搜索、AI写作")
    for category, follow_up, behaviour in (("picks_for_user", "personalises", "recommend_by_profile"),
                                           ("orders_items", "orders", "hot_list"),
                                           ("finds_or_screens", "retrieves_filters", "search_by_query"),
                                           ("makes_content", "generates", "generate_text")):
        term.tick("does", category)
        term.tick(follow_up, behaviour)
    term.choose("model_source", "third_party_api")
    term.choose("another_product", "no")
    term.wait(Q.text("review_title", "zh"))
    term.menu("review_menu", 0)
    term.wait(Q.text("result_title", "zh"))
    term.wait(Q.text("after_menu", "zh"))
    term.ready()
    screen = term.screen()
    shown = {int(n) for n, _ in PROGRESS.findall(screen)}
    totals = {int(t) for _, t in PROGRESS.findall(screen)}
    assert max(shown) == max(totals) <= 18, (max(shown), totals)
    assert shown == set(range(1, max(shown) + 1))               # one header per question, none skipped
    term.send(DOWN * 5 + ENTER)                                 # quit
    assert term.end() == 0
    result = term.result().splitlines()[1:]
    head = "\n".join(result[:25])
    assert "结论：需要备案" in head
    for name in ("个性化推荐算法", "热搜算法", "搜索算法", "文本生成算法"):
        assert name in head, name
    assert "下一个期限：2026-03-16" in head                      # 10 working days after 2026-03-02
    assert "已逾期" in head                                     # that day has passed
    body = result[:result.index(next(line for line in result if Q.text("after_menu", "zh") in line))]
    assert max(wcswidth(line) for line in body) <= 80
    assert "结论：需要备案" in "\n".join(body[-4:]) and "下一步：" in "\n".join(body[-4:])
    answers = load_answers(tmp_path / "algo-filing-draft.yaml")
    assert [f.name for f in answers.products[0].features] == ["首页推荐", "热榜", "搜索", "AI写作"]


SHUNLU_FEATURES = (("decides", "decides_what", "order_dispatch"), ("decides", "decides_what", "dynamic_pricing"),
                   ("picks_for_user", "personalises", "recommend_by_profile"),
                   ("makes_content", "generates", "smart_customer_service"),
                   ("orders_items", "orders", "list_sorting"))
"""The five features of the PM's "顺路出行" (issue 16), as what each one's algorithm does."""


@IN_PROCESS_AND_PTY
def test_the_pm_ride_hailing_product_takes_20_questions_and_opens_with_a_dated_status_per_algorithm(
        tmp_path: Path, terminal: Start) -> None:
    """Issue 16's "顺路出行" in an 80-column terminal: at most 20 questions, counted from the screen's
    own "n/total" headers, and a first screen (24 rows) that says "required" for each of its five
    algorithms with the statutory date, 10 working days after the launch on 2025-06-01."""
    term = terminal(columns=80)
    term.type("entity_name", "某某顺路科技有限公司")
    term.type("product_name", "顺路出行")
    term.tick("forms", "app", "mini_program")
    term.tick("audience", "public")
    term.tick("opinion_features", "own_account_or_mini_program")
    term.tick("user_groups", "workers", "consumers")
    term.type("launch_date", "2025-06-01")
    term.type("feature_name", "订单派单、动态定价、首页推荐、AI客服、司机接单排序")
    for category, follow_up, behaviour in SHUNLU_FEATURES:
        term.tick("does", category)
        term.tick(follow_up, behaviour)
        if category == "makes_content":
            term.choose("model_source", "third_party_api")     # the one model question
    term.choose("another_product", "no")
    term.wait(Q.text("review_title", "zh"))
    term.menu("review_menu", 0)
    term.wait(Q.text("result_title", "zh"))
    term.wait(Q.text("after_menu", "zh"))
    term.ready()
    screen = term.screen()
    shown = {int(n) for n, _ in PROGRESS.findall(screen)}
    totals = {int(t) for _, t in PROGRESS.findall(screen)}
    assert max(shown) == max(totals) == 20, (max(shown), totals)
    assert shown == set(range(1, 21))
    term.send(DOWN * 5 + ENTER)                                 # quit
    assert term.end() == 0
    first = term.result().splitlines()[1:25]
    text = "\n".join(first)
    assert "结论：需要备案（5 个算法）" in text
    assert "下一个期限：2025-06-16" in text
    rows = [line for line in first if " · 需要备案 · 期限 2025-06-16" in line]
    assert len(rows) == 5, text                                 # each algorithm: required, with its date
    assert max(wcswidth(line) for line in first) <= 80
    example = load_answers(ROOT / "examples" / "shunlu_ride_hailing.yaml")
    answers = load_answers(tmp_path / "algo-filing-draft.yaml")
    assert [f.behaviours for f in answers.products[0].features] == [f.behaviours for f in example.products[0].features]


@pytest.mark.slow
def test_new_feature_on_the_saved_news_app_prints_its_filing_due_from_its_own_launch(
        tmp_path: Path, terminal: Start) -> None:
    """A pick-up point feature, launching 2026-12-07, added to the news app launched 2026-03-02."""
    (tmp_path / "news.yaml").write_text((ROOT / "examples" / "news_app.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    term = terminal("--answers", "news.yaml", "--new-feature", columns=80)
    term.type("feature_name", "上车点推荐")
    term.tick("does", "decides")
    term.tick("decides_what", "pickup_point_suggestion")
    term.type("feature_launch_date", "2026-12-07")
    term.wait(Q.text("after_menu", "zh"))
    term.ready()
    term.send(DOWN * 5 + ENTER)
    assert term.end() == 0
    screen = term.screen()
    changes = screen[screen.index(Q.text("new_feature_changes", "zh")):screen.index(Q.text("result_title", "zh"))]
    assert "新备案：某某新闻上车点推荐算法 · 调度决策类" in changes
    assert "届满日：2026-12-21（上线 2026-12-07 + 10个工作日）" in changes
    assert "《算法推荐管理规定》第24条（第一款）" in changes
    assert "applies_to" not in changes and "scheduling_decision." not in changes     # labelled rows, no ids
    assert "内容传播平台" not in changes                      # no labelling duty for a non-generative feature
    assert max(wcswidth(line) for line in changes.splitlines()) <= 80
