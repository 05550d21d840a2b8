"""``algo-filing ask --describe``: a one-sentence description after each feature's name pre-ticks
the behaviours and shows the three nearest published filings (issue 21, item 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_prompts import NEWS_START, Scripted, args

import cli
from engine import load_answers
from engine.questionnaire.loader import default_questionnaire

TICKED = object()
"""Scripted answer: take the choices as they were pre-ticked (Enter)."""


class Recording(Scripted):
    """Scripted answers that also record what each checkbox showed ticked."""

    def __init__(self, answers: list[Any]) -> None:
        super().__init__(answers)
        self.checked: list[tuple[str, list[str]]] = []

    def checkbox(self, message: str, choices: list[tuple[str, str, str | None]], **kwargs: Any) -> Any:
        self.checked.append((message, list(kwargs.get("checked") or [])))
        answer = super().checkbox(message, choices, **kwargs)
        return list(kwargs.get("checked") or []) if answer is TICKED else answer


SENTENCE = "根据用户的浏览和购买记录，为用户推荐可能感兴趣的资讯"


def test_the_description_pre_ticks_the_behaviours_and_shows_three_precedents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    prompter = Recording(NEWS_START + ["首页推荐", SENTENCE, TICKED, TICKED, "no", "no", "confirm", "quit"])
    assert cli.ask(args(describe=True), prompter=prompter) == 0
    out = capsys.readouterr().out
    assert [checked for _, checked in prompter.checked[-2:]] == [["picks_for_user"], ["recommend_by_profile"]]
    assert "据描述建议：个性化推送类（个性化推荐）" in out
    assert "最相近的已公示备案：" in out and "  3. " in out and "  4. " not in out
    answers = load_answers(tmp_path / "algo-filing-draft.yaml")
    feature = answers.products[0].features[0]
    # Confirmed by the person: written behaviours, not a suggestion.
    assert (feature.description, feature.behaviours, feature.behaviours_suggested) == (
        SENTENCE, ["recommend_by_profile"], False)
    assert "需要备案" in out


def test_the_person_can_change_what_was_ticked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    prompter = Recording(NEWS_START + ["首页推荐", SENTENCE, ["orders_items"], ["hot_list"], "no", "no",
                                       "confirm", "quit"])
    assert cli.ask(args(describe=True), prompter=prompter) == 0
    assert load_answers(tmp_path / "algo-filing-draft.yaml").products[0].features[0].behaviours == ["hot_list"]


def test_enter_skips_the_description(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    prompter = Recording(NEWS_START + ["首页推荐", "", ["picks_for_user"], ["recommend_by_profile"], "no", "no",
                                       "confirm", "quit"])
    assert cli.ask(args(describe=True), prompter=prompter) == 0
    assert prompter.checked[-2][1] == []
    assert "最相近的已公示备案" not in capsys.readouterr().out
    assert load_answers(tmp_path / "algo-filing-draft.yaml").products[0].features[0].description is None


@pytest.mark.parametrize("sentence", ["the weather is nice today", "说明" * 2_450])
def test_a_description_matching_nothing_ticks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], sentence: str) -> None:
    monkeypatch.chdir(tmp_path)
    prompter = Recording(NEWS_START + ["首页推荐", sentence, ["picks_for_user"], ["recommend_by_profile"], "no",
                                       "no", "confirm", "quit"])
    assert cli.ask(args(describe=True), prompter=prompter) == 0
    assert prompter.checked[-2][1] == []
    assert "从描述中看不出算法做什么" in capsys.readouterr().out


def test_an_english_description(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    prompter = Recording(NEWS_START + ["feed", "Moderates the comments users post", TICKED, TICKED, "no", "no",
                                       "confirm", "quit"])
    assert cli.ask(args(describe=True, lang="en"), prompter=prompter) == 0
    assert [checked for _, checked in prompter.checked[-2:]] == [["finds_or_screens"], ["content_moderation"]]
    assert "Suggested from the description: Retrieval / filtering (Content filtering)" in capsys.readouterr().out


def test_without_describe_the_step_is_not_asked_and_ctrl_c_keeps_the_flag(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    plain = Recording(NEWS_START + ["首页推荐", KeyboardInterrupt])
    assert cli.ask(args(), prompter=plain) == 130
    assert plain.asked[-1][0] == "checkbox"  # straight from the name to what it does
    capsys.readouterr()
    described = Recording(["首页推荐", KeyboardInterrupt])
    cli.ask(args(describe=True, resume=Path("algo-filing-draft.yaml")), prompter=described)
    assert "algo-filing ask --resume algo-filing-draft.yaml --describe" in capsys.readouterr().out


def test_on_request_is_only_for_optional_text() -> None:
    question = default_questionnaire().questions["describe"]
    assert question.on_request and question.optional and question.type == "text"


def test_a_description_in_an_answers_file_is_kept_without_describe(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    monkeypatch.chdir(tmp_path)
    root = Path(__file__).resolve().parent.parent
    doc = yaml.safe_load((root / "examples" / "news_app.yaml").read_text(encoding="utf-8"))
    doc["products"][0]["features"][0]["description"] = SENTENCE
    (tmp_path / "in.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert cli.ask(args(answers=Path("in.yaml")), prompter=Recording(["confirm", "quit"])) == 0
    assert load_answers(tmp_path / "algo-filing-draft.yaml").products[0].features[0].description == SENTENCE
