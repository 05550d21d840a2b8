"""``algo-filing similar``: what a person sees, in both formats and with odd sentences."""

from __future__ import annotations

import json

import pytest

import cli
from engine.precedents.similar import SimilarResult
from engine.render.similar import highlight


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_similar_lists_the_nearest_filings_with_the_suggested_type(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "similar", "根据用户的浏览历史为用户推荐可能感兴趣的商品", "--top", "3")
    assert (code, err) == (0, "")
    assert "建议类型：个性化推送类" in out
    assert "最相近的 15 条备案中" in out
    assert "个性化推荐（依据描述中的关键词：浏览历史、推荐可能感兴趣）" in out
    assert "【" in out and "网信算备" in out
    assert out.count("\n│ 1 ") == 1 and "\n│ 3 " in out and "\n│ 4 " not in out


def test_similar_output_is_the_same_every_time(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "similar", "对用户发布的评论进行内容安全审核", "--format", "json")
    assert first == run(capsys, "similar", "对用户发布的评论进行内容安全审核", "--format", "json")


def test_similar_json_is_the_result_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "similar", "为骑手派单", "--format", "json", "--top", "2", "--type",
                       "scheduling_decision", "--form", "app")
    result = SimilarResult.model_validate(json.loads(out))
    assert code == 0 and result.filters == {"type": "scheduling_decision", "form": "app"}
    assert len(result.matches) == 2
    assert all(m.type == "scheduling_decision" for m in result.matches)
    assert all(any("app" in p.forms for p in m.products) for m in result.matches)
    assert result.suggested is not None and result.behaviours[0].behaviour == "order_dispatch"


def test_similar_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "similar", "Moderates comments users post", "--lang", "en", "--top", "1", "--ids")
    assert code == 0
    assert "Suggested type: Retrieval / filtering (Content filtering) [content_filtering]" in out
    assert "Content moderation [content_moderation] (from keywords of the sentence: moderat)" in out


@pytest.mark.parametrize("sentence", ["", "天气很好", "the weather is nice today"])
def test_a_sentence_matching_nothing_says_so(capsys: pytest.CaptureFixture[str], sentence: str) -> None:
    code, out, err = run(capsys, "similar", sentence)
    assert (code, err) == (0, "")
    assert "未找到相近的已公示备案" in out and "┌" not in out


def test_a_10000_character_sentence_is_searched_by_its_start(capsys: pytest.CaptureFixture[str]) -> None:
    sentence = "应用于图像生成场景，根据用户输入的文本，生成图片。" + "补" * 9_975
    code, out, _ = run(capsys, "similar", sentence, "--top", "1")
    assert code == 0 and len(sentence) == 10_000
    assert "只检索了前 1,000 个字符" in out and "建议类型：生成合成类" in out
    code, out, _ = run(capsys, "similar", sentence, "--format", "json", "--top", "1")
    assert json.loads(out)["query"] == sentence


@pytest.mark.parametrize(("argv", "message"), [
    (["--type", "content_filterng"], "--type: unknown type 'content_filterng'; did you mean 'content_filtering'?"),
    (["--form", "ap"], "--form: unknown form 'ap'"),
    (["--role", "provider"], "--role: unknown role 'provider'"),
])
def test_unknown_ids_exit_2_with_one_message(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "similar", "搜索", *argv)
    assert (code, out) == (2, "")
    assert err.startswith("algo-filing: " + message) and err.count("\n") == 1


def test_top_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["similar", "搜索", "--top", "0"])
    assert caught.value.code == 2
    assert "argument --top: '0' is not a positive whole number" in capsys.readouterr().err


def test_highlight_marks_each_shared_stretch_once() -> None:
    assert highlight("为用户推荐可能感兴趣的商品", ["为用户推荐", "推荐可能"]) == "【为用户推荐可能】感兴趣的商品"
    assert highlight("abc", []) == "abc"


def test_the_library_and_the_schema_command_offer_similar(capsys: pytest.CaptureFixture[str]) -> None:
    import engine

    result = engine.similar("根据用户输入的查询词，搜索满足需求的网页", top=1)
    assert result.suggested is not None and result.suggested.subtype == "information_retrieval"
    code, out, _ = run(capsys, "schema", "similar")
    assert code == 0 and json.loads(out) == engine.similar_json_schema()
