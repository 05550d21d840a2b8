"""The terminal layer of ``algo-filing ask``.

Prompts are driven with real keystrokes through a prompt_toolkit pipe input and ``DummyOutput``,
as questionary's own tests do. The ask loop (review, drafts, Ctrl-C, resume, prefill) is driven
by a scripted prompter that answers at the prompt level, so it runs without a terminal.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import cli
from cli import BACK, Prompter
from cli.session import Session
from engine import assess, load_answers
from engine.questionnaire.drafts import progress_path
from engine.questionnaire.flow import Flow
from engine.questionnaire.loader import default_questionnaire

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(30)


class KeyInputs:
    DOWN = "\x1b[B"
    UP = "\x1b[A"
    LEFT = "\x1b[D"
    ENTER = "\r"
    SPACE = " "
    ESCAPE = "\x1b"
    CONTROLC = "\x03"


def feed(keys: str, call: Callable[[Prompter], Any]) -> Any:
    """Run one prompt with ``keys`` typed into it."""
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        return call(Prompter(input=pipe, output=DummyOutput()))


CHOICES = [("a", "Alpha", None), ("b", "Beta", "the second"), ("none", "None of these", None)]


# ------------------------------------------------------------------------------ single prompts

def test_select_enter_takes_the_highlighted_choice() -> None:
    assert feed(KeyInputs.ENTER, lambda p: p.select("?", CHOICES, default=None, instruction="")) == "a"
    assert feed(KeyInputs.DOWN + KeyInputs.ENTER,
                lambda p: p.select("?", CHOICES, default=None, instruction="")) == "b"


def test_select_starts_on_the_earlier_answer() -> None:
    assert feed(KeyInputs.ENTER, lambda p: p.select("?", CHOICES, default="b", instruction="")) == "b"


@pytest.mark.parametrize("key", [KeyInputs.LEFT, KeyInputs.ESCAPE])
def test_select_back_keys(key: str) -> None:
    assert feed(key, lambda p: p.select("?", CHOICES, default=None, instruction="")) is BACK


def test_select_ctrl_c_raises_for_the_caller_to_save() -> None:
    with pytest.raises(KeyboardInterrupt):
        feed(KeyInputs.CONTROLC, lambda p: p.select("?", CHOICES, default=None, instruction=""))


def checkbox(keys: str, checked: list[str] | None = None, pointer: str | None = None) -> Any:
    return feed(keys, lambda p: p.checkbox("?", CHOICES, checked=checked or [], pointer=pointer, instruction="",
                                           exclusive=("none",)))


def test_checkbox_space_ticks_and_enter_confirms() -> None:
    assert checkbox(KeyInputs.SPACE + KeyInputs.DOWN + KeyInputs.SPACE + KeyInputs.ENTER) == ["a", "b"]


def test_checkbox_enter_with_nothing_ticked_takes_the_highlighted_choice() -> None:
    assert checkbox(KeyInputs.DOWN + KeyInputs.ENTER) == ["b"]


def test_checkbox_none_of_these_unticks_the_others_and_the_reverse() -> None:
    keys = KeyInputs.SPACE + KeyInputs.DOWN + KeyInputs.DOWN + KeyInputs.SPACE + KeyInputs.ENTER
    assert checkbox(keys) == ["none"]
    assert checkbox(KeyInputs.SPACE + KeyInputs.ENTER, checked=["none"], pointer="a") == ["a"]


def test_checkbox_a_free_tick_goes_with_none_of_these_and_with_the_others() -> None:
    """News, the opinion checklist's last tick, answers a field of its own: "none of these" keeps it
    ticked, and ticking it leaves "none of these" ticked."""
    choices = [*CHOICES, ("news", "News", None)]

    def ticks(keys: str, checked: list[str] | None = None, pointer: str | None = None) -> Any:
        return feed(keys, lambda p: p.checkbox("?", choices, checked=checked or [], pointer=pointer, instruction="",
                                               exclusive=("none",), free=("news",)))

    down, space, enter = KeyInputs.DOWN, KeyInputs.SPACE, KeyInputs.ENTER
    assert ticks(down * 2 + space + down + space + enter) == ["none", "news"]
    assert ticks(down * 3 + space + KeyInputs.UP + space + enter) == ["none", "news"]
    assert ticks(space + enter, checked=["none", "news"], pointer="a") == ["a", "news"]


def test_checkbox_preselects_earlier_answers() -> None:
    assert checkbox(KeyInputs.ENTER, checked=["a", "b"], pointer="a") == ["a", "b"]
    assert checkbox(KeyInputs.SPACE + KeyInputs.ENTER, checked=["a", "b"], pointer="a") == ["b"]


@pytest.mark.parametrize("key", [KeyInputs.LEFT, KeyInputs.ESCAPE])
def test_checkbox_back_keys(key: str) -> None:
    assert checkbox(KeyInputs.SPACE + key) is BACK


def text(keys: str, **kwargs: Any) -> Any:
    return feed(keys, lambda p: p.text("?", instruction="", **kwargs))


def test_text_typed_and_default_and_empty() -> None:
    assert text("某某新闻" + KeyInputs.ENTER) == "某某新闻"
    assert text(KeyInputs.ENTER, default="earlier answer") == "earlier answer"
    assert text(KeyInputs.ENTER, placeholder="产品1") == ""


def test_text_escape_goes_back_but_left_moves_the_cursor() -> None:
    assert text("abc" + KeyInputs.ESCAPE) is BACK
    assert text("ac" + KeyInputs.LEFT + "b" + KeyInputs.ENTER) == "abc"


def test_esc_is_read_after_a_tenth_of_a_second_in_every_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    """prompt_toolkit waits half a second after Esc for an arrow key's sequence by default."""
    from prompt_toolkit.application import Application

    waits: list[tuple[float, float]] = []
    run = Application.run

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        waits.append((self.ttimeoutlen, self.timeoutlen))
        return run(self, *args, **kwargs)

    monkeypatch.setattr(Application, "run", recording)
    assert text(KeyInputs.ESCAPE) is BACK
    assert checkbox(KeyInputs.ESCAPE) is BACK
    assert waits == [(0.1, 0.1), (0.1, 0.1)]


def test_save_path_is_a_placeholder_so_typing_replaces_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    asked: list[dict[str, Any]] = []

    class Recording(Scripted):
        def text(self, message: str, **kwargs: Any) -> Any:
            asked.append(kwargs)
            return super().text(message, **kwargs)

    script = NEWS_START + NEWS_FEATURE + ["confirm", "json", "", "json", "mine.json", "quit"]
    assert cli.ask(args(), prompter=Recording(script)) == 0
    saves = [k for k in asked if "placeholder" in k and "algo-filing-report" in str(k["placeholder"])]
    assert saves and all(k.get("default", "") == "" for k in saves)
    assert (tmp_path / "algo-filing-report.json").exists() and (tmp_path / "mine.json").exists()


def test_review_counts_one_algorithm_in_the_singular(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.ask(args(lang="en"), prompter=Scripted(NEWS_START + NEWS_FEATURE + ["confirm", "quit"])) == 0
    out = capsys.readouterr().out
    assert "Assessment from these answers: Filing required (1 algorithm)" in out


def test_text_validation_keeps_asking_until_valid() -> None:
    def check(value: str) -> bool | str:
        return True if value.isdigit() else "digits please"

    assert text("x" + KeyInputs.ENTER + "\x7f" + "12" + KeyInputs.ENTER, validate=check) == "12"


# ------------------------------------------------------------------------------ one question, real keys

def session_at(question: str, tmp_path: Path, pipe: Any, lang: str = "zh") -> tuple[Any, Any]:
    q = default_questionnaire()
    flow = Flow(q)
    script = {"entity_name": "x", "product_name": "p", "forms": ["app"], "audience": ["public"],
              "opinion_features": ["none"], "monthly_active_users": 1, "user_groups": ["none"],
              "launch_status": "launched", "launch_date": "", "feature_name": "f"}
    while (step := flow.current()) is not None and step.slot.question != question:
        if step.slot.question not in script:
            pytest.fail(f"no answer for question '{step.slot.question}' in this walk-through's script")
        flow.answer(script[step.slot.question])
    session = Session(flow, tmp_path / "d.yaml", lang, Prompter(input=pipe, output=DummyOutput()))
    return session, flow.current()


def test_date_question_checks_the_format(tmp_path: Path) -> None:
    with create_pipe_input() as pipe:
        pipe.send_text("2025/3/1" + KeyInputs.ENTER + "\x7f" * 8 + "2025-03-01" + KeyInputs.ENTER)
        session, step = session_at("launch_date", tmp_path, pipe)
        assert session.ask_step(step) == "2025-03-01"


def test_empty_name_takes_the_numbered_default(tmp_path: Path) -> None:
    with create_pipe_input() as pipe:
        pipe.send_text(KeyInputs.ENTER)
        session, step = session_at("feature_name", tmp_path, pipe, "en")
        assert session.ask_step(step) == "Feature 1"


def test_gate_question_shows_help_and_a_quick_enter_is_not_unsure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with create_pipe_input() as pipe:
        pipe.send_text(KeyInputs.ENTER)
        session, step = session_at("does", tmp_path, pipe, "en")
        assert session.ask_step(step) == ["makes_content"]
    shown = capsys.readouterr().out
    assert "Judge by what the feature outputs, not by" in shown
    assert all(len(line) <= 80 for line in shown.splitlines() if "Judge" in line or line.startswith("  "))


# ------------------------------------------------------------------------------ the ask loop

class Scripted(Prompter):
    """Answers prompts from a list; an exception class in the list is raised (e.g. Ctrl-C)."""

    def __init__(self, answers: list[Any]) -> None:
        super().__init__()
        self.answers: Iterator[Any] = iter(answers)
        self.asked: list[tuple[str, str, list[str]]] = []

    def _next(self, kind: str, message: str, options: list[str]) -> Any:
        self.asked.append((kind, message, options))
        try:
            answer = next(self.answers)
        except StopIteration:
            raise AssertionError(f"no scripted answer for {kind} {message!r}") from None
        if isinstance(answer, type) and issubclass(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(options)
        return answer

    def select(self, message: str, choices: list[tuple[str, str, str | None]], **kwargs: Any) -> Any:
        values = [c[0] for c in choices]
        answer = self._next("select", message, values)
        assert answer is BACK or answer in values, (message, answer, values)
        return answer

    def checkbox(self, message: str, choices: list[tuple[str, str, str | None]], **kwargs: Any) -> Any:
        return self._next("checkbox", message, [c[0] for c in choices])

    def text(self, message: str, **kwargs: Any) -> Any:
        return self._next("text", message, [])


def args(**overrides: Any) -> argparse.Namespace:
    base = {"command": "ask", "lang": "zh", "resume": None, "answers": None, "draft": None, "new_feature": False}
    return argparse.Namespace(**{**base, **overrides})


NEWS_START = ["北京某某资讯科技有限公司", "某某新闻", ["app", "website"], ["public"], ["comments", "news"],
              ["minors"], "2026-03-02"]
NEWS_FEATURE = ["首页推荐", ["picks_for_user"], ["recommend_by_profile"], "no", "no"]


def test_ctrl_c_saves_the_draft_prints_how_to_resume_and_exits_130(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code = cli.ask(args(), prompter=Scripted(NEWS_START[:5] + [KeyboardInterrupt]))
    out = capsys.readouterr().out
    assert code == 130
    assert "草稿已保存：algo-filing-draft.yaml" in out
    assert "继续填写：algo-filing ask --resume algo-filing-draft.yaml" in out
    draft = yaml.safe_load((tmp_path / "algo-filing-draft.yaml").read_text(encoding="utf-8"))
    assert draft["products"][0]["opinion_features"] == ["comments"]
    assert progress_path(tmp_path / "algo-filing-draft.yaml").exists()

    resumed = Scripted(NEWS_START[5:] + NEWS_FEATURE + ["confirm", "quit"])
    code = cli.ask(args(resume=Path("algo-filing-draft.yaml")), prompter=resumed)
    out = capsys.readouterr().out
    assert code == 0
    assert resumed.asked[0][1].startswith("用户中有没有下面这些人群")
    assert "需要备案" in out and "个性化推送类" in out
    answers = load_answers(tmp_path / "algo-filing-draft.yaml")
    assert answers.products[0].user_groups == ["minors"]


def test_the_draft_is_saved_after_every_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    seen: list[Any] = []

    def snapshot(_: list[str]) -> str:
        seen.append(yaml.safe_load((tmp_path / "algo-filing-draft.yaml").read_text(encoding="utf-8")))
        return "某某新闻"

    cli.ask(args(), prompter=Scripted(["x", snapshot, KeyboardInterrupt]))
    assert seen == [{"entity": {"name": "x"}}]


def test_back_then_review_edit_then_result_and_saved_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    script = NEWS_START[:6] + [BACK, BACK, ["comments", "ugc_posting"], ["minors"]] + NEWS_START[6:] + NEWS_FEATURE
    script += ["edit:p0", "p0:opinion_features", ["comments", "ugc_posting"], "confirm",
               "json", "report.json", "answers", "answers.yaml", "markdown", "report.md", "quit"]
    prompter = Scripted(script)
    assert cli.ask(args(), prompter=prompter) == 0
    out = capsys.readouterr().out
    assert "核对答案" in out and "需要备案" in out
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["filing"]["status"] == "required"
    saved = load_answers(tmp_path / "answers.yaml")
    assert saved.products[0].opinion_features == ["comments", "ugc_posting"]
    assert saved.products[0].news is False
    assert "# " in (tmp_path / "report.md").read_text(encoding="utf-8")
    back_to = [m for kind, m, _ in prompter.asked if kind == "checkbox"]
    # once in turn, once after Back, once more from the review (unticking news)
    assert back_to.count(next(m for m in back_to if m.startswith("产品里有下面哪些功能"))) == 3


def test_review_can_add_a_feature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    script = NEWS_START + NEWS_FEATURE + ["add_feature:0", "热榜", ["orders_items"], ["hot_list"], "no",
                                          "confirm", "quit"]
    assert cli.ask(args(), prompter=Scripted(script)) == 0
    names = [f.name for f in load_answers(tmp_path / "algo-filing-draft.yaml").products[0].features]
    assert names == ["首页推荐", "热榜"]


def test_answers_file_prefills_and_goes_straight_to_the_review(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    prompter = Scripted(["confirm", "quit"])
    assert cli.ask(args(answers=ROOT / "examples" / "news_app.yaml", lang="en"), prompter=prompter) == 0
    out = capsys.readouterr().out
    assert "asking only what is missing" in out and "Filing required" in out
    assert [kind for kind, _, _ in prompter.asked] == ["select", "select"]
    assert load_answers(tmp_path / "algo-filing-draft.yaml") == load_answers(ROOT / "examples" / "news_app.yaml")


def test_new_feature_asks_only_the_feature_and_shows_what_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    prompter = Scripted(["AI 摘要", ["makes_content"], ["generate_text"], "third_party_api", "2026-12-07",
                         "quit"])
    code = cli.ask(args(answers=ROOT / "examples" / "news_app.yaml", new_feature=True), prompter=prompter)
    out = capsys.readouterr().out
    assert code == 0
    assert "新功能带来的变化" in out and "生成合成类" in out
    assert "新备案：某某新闻文本生成算法" in out and "届满日：2026-12-21" in out
    after = load_answers(tmp_path / "algo-filing-draft.yaml")
    assert [f.name for f in after.products[0].features][-1] == "AI 摘要"
    assert len(prompter.asked) == 6                   # one model question: large_model follows from it


def test_a_new_feature_using_a_filed_algorithm_is_a_change_filing_dated_from_its_launch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Another feed (the behaviours of the filed 首页推荐): Art. 24 ¶2, 10 working days from its launch."""
    monkeypatch.chdir(tmp_path)
    document = yaml.safe_load((ROOT / "examples" / "news_app.yaml").read_text(encoding="utf-8"))
    document["filed_algorithms"] = [{"number": "网信算备110108823483902220017号", "name": "某某新闻个性化推荐算法",
                                     "products": ["某某新闻"]}]
    filed = tmp_path / "filed.yaml"
    filed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    prompter = Scripted(["视频推荐", ["picks_for_user"], ["recommend_by_profile"], "2026-12-07", "quit"])
    code = cli.ask(args(answers=filed, new_feature=True, lang="en"), prompter=prompter)
    out = capsys.readouterr().out
    assert code == 0
    block = out[out.index("Filing for the new feature"):out.index("What changes")]
    assert "Change filing: 某某新闻 personalised recommendation algorithm" in block
    assert "Due: 2026-12-21" in block and "Art. 24 (¶2)" in block
    assert "New filing" not in block


def test_a_new_feature_of_an_algorithm_nothing_says_was_filed_is_a_new_filing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16, ruling 16: without filed_algorithms the tool said "change filing" for an algorithm
    nothing said was filed; filing is per algorithm and what is filed is asked, never assumed."""
    monkeypatch.chdir(tmp_path)
    prompter = Scripted(["视频推荐", ["picks_for_user"], ["recommend_by_profile"], "2026-12-07", "quit"])
    code = cli.ask(args(answers=ROOT / "examples" / "news_app.yaml", new_feature=True, lang="en"),
                   prompter=prompter)
    out = capsys.readouterr().out
    assert code == 0
    block = out[out.index("Filing for the new feature"):out.index("What changes")]
    assert "New filing: 某某新闻 personalised recommendation algorithm" in block
    assert "Change filing" not in block


def test_a_new_feature_without_opinion_attributes_takes_the_practice_filing_not_art_24(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 item 4: --new-feature always cited Art. 24 with a statutory date, also without
    opinion attributes; the duty now comes from the algorithm's own assessment."""
    monkeypatch.chdir(tmp_path)
    prompter = Scripted(["0", "猜你喜欢", ["picks_for_user"], ["recommend_by_profile"], "2026-12-07", "quit"])
    code = cli.ask(args(answers=ROOT / "examples" / "ride_hailing.yaml", new_feature=True, lang="en"),
                   prompter=prompter)
    out = capsys.readouterr().out
    assert code == 0
    block = out[out.index("Filing for the new feature"):out.index("What changes")]
    assert "Art. 24 (¶1)" not in block and "practice" in block.lower()


def test_an_existing_draft_is_offered_and_never_overwritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    cli.ask(args(), prompter=Scripted(["第一次", KeyboardInterrupt]))
    prompter = Scripted(["new", "第二次", KeyboardInterrupt])
    cli.ask(args(), prompter=prompter)
    assert prompter.asked[0][2] == ["continue", "new"]
    kept = yaml.safe_load((tmp_path / "algo-filing-draft.1.yaml").read_text(encoding="utf-8"))
    assert kept["entity"]["name"] == "第一次"
    assert progress_path(tmp_path / "algo-filing-draft.1.yaml").exists()
    now = yaml.safe_load((tmp_path / "algo-filing-draft.yaml").read_text(encoding="utf-8"))
    assert now["entity"]["name"] == "第二次"
    prompter = Scripted(["continue", KeyboardInterrupt])
    cli.ask(args(), prompter=prompter)
    assert prompter.asked[1][1].startswith("这个产品叫什么")


def test_a_broken_draft_is_kept_aside_and_a_new_one_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "algo-filing-draft.yaml").write_text("entity: {name: x}\nproducts: [{froms: [app]}]\n",
                                                     encoding="utf-8")
    prompter = Scripted(["新的", KeyboardInterrupt])
    assert cli.ask(args(), prompter=prompter) == 130
    out = capsys.readouterr().out
    assert "已另存为 algo-filing-draft.1.yaml" in out and "did you mean 'forms'" in out
    assert "froms" in (tmp_path / "algo-filing-draft.1.yaml").read_text(encoding="utf-8")
    assert prompter.asked[0][1].startswith("哪家单位")


def test_a_report_that_cannot_be_saved_is_reported_and_the_menu_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").mkdir()
    script = ["confirm", "json", "taken", "json", "ok.json", "quit"]
    assert cli.ask(args(answers=ROOT / "examples" / "news_app.yaml"), prompter=Scripted(script)) == 0
    assert "无法保存 taken" in capsys.readouterr().out
    assert json.loads((tmp_path / "ok.json").read_text(encoding="utf-8"))["filing"]["status"] == "required"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"resume": Path("a.yaml"), "answers": Path("b.yaml")}, "either --resume DRAFT or --answers FILE"),
    ({"new_feature": True}, "--new-feature needs --answers FILE"),
])
def test_conflicting_options_exit_2(overrides: dict[str, Any], message: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.ask(args(**overrides), prompter=Scripted([])) == 2
    assert message in capsys.readouterr().err


def test_without_a_terminal_ask_explains_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.ask(args(lang="en")) == 2
    assert "needs an interactive terminal" in capsys.readouterr().err


def test_bad_answers_file_exits_2_naming_file_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("entity: {name: x}\nproducts:\n  - name: p\n    froms: [app]\n", encoding="utf-8")
    code = cli.main(["ask", "--answers", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert "products[0].froms: unknown key 'froms'; did you mean 'forms'?" in err


def test_missing_draft_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["ask", "--resume", str(tmp_path / "nope.yaml")])
    assert code == 2 and "draft not found" in capsys.readouterr().err


def test_the_review_asks_what_is_already_filed_and_the_result_shows_it_covered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 item 4: a step of `ask` for the algorithms already filed; kept in the answers."""
    monkeypatch.chdir(tmp_path)
    prompter = Scripted(["add_filed", "网信算备 110108 8234839 02 22 0017", "某某新闻个性化推荐算法", ["0"],
                         "confirm", "quit"])
    assert cli.ask(args(answers=ROOT / "examples" / "news_app.yaml"), prompter=prompter) == 0
    out = capsys.readouterr().out
    assert "已备案的算法：网信算备110108823483902220017号（某某新闻个性化推荐算法）" in out
    assert "已备案 网信算备110108823483902220017号" in out
    saved = load_answers(tmp_path / "algo-filing-draft.yaml")
    assert [(f.number, f.products) for f in saved.filed_algorithms] == [
        ("网信算备110108823483902220017号", ["某某新闻"])]
    assert any(a.filed is not None for a in assess(saved).algorithms)
