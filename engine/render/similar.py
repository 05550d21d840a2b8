"""``algo-filing similar`` as text: the suggestion, then the nearest filings as one table.

Why a filing matched is shown in place: the stretches of its name and purpose that the
sentence shares are put in 【】. JSON is the result model's own (``SimilarResult.to_json``). The
labels come from the vocabulary the caller passes (the one the result was made with).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.model.base import Lang
from engine.precedents.similar import ClassScore, Match, SimilarResult
from engine.precedents.wording import PurposeNote
from engine.render.grid import fitted_grid

if TYPE_CHECKING:
    from engine.model.vocabulary import Vocabulary

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("相似的已公示备案", "Nearest published filings"),
    "indexed": ("已索引清单 {rows:,} 条（2022—2026 年公示的算法备案清单）",
                "{rows:,} rows indexed (the algorithm filing lists published 2022-2026)"),
    "suggested": ("建议类型", "Suggested type"),
    "nearest": ("最相近的 {n} 条备案中 {k} 条属此类（按相关度加权 {share:.0%}）",
                "{k} of the {n} nearest filings are of this type ({share:.0%} weighted by relevance)"),
    "keywords": ("描述中的关键词指向此类：{ids}", "keywords of the sentence point here: {ids}"),
    "score": ("综合得分 {score:.0%}", "combined score {score:.0%}"),
    "others": ("其他可能", "Other candidates"),
    "role": ("建议角色", "Suggested role"),
    "behaviours": ("建议的功能行为（待确认）", "Suggested behaviours (to confirm)"),
    "from_keywords": ("依据描述中的关键词", "from keywords of the sentence"),
    "from_precedents": ("依据相近备案的用途", "from the purposes of the nearest filings"),
    "none": ("未找到相近的已公示备案；请用一句话说明该功能的算法根据什么输入、输出什么。",
             "No published filing is near this sentence; say in one sentence what the feature's algorithm "
             "takes in and what it outputs."),
    "expanded": ("描述本身未匹配到备案，按其指向的行为检索：{q}",
                 "The sentence itself matched no filing; searched for what it names: {q}"),
    "cut": ("只检索了前 {n:,} 个字符", "only the first {n:,} characters were searched"),
    "filters": ("筛选", "Filters"),
    "col_n": ("#", "#"),
    "col_algorithm": ("算法名称 · 类型", "Algorithm · type"),
    "col_entity": ("主体 · 产品", "Entity · products"),
    "col_purpose": ("主要用途（【】为与描述相同的文字）", "Purpose (【】 = shared with the sentence)"),
    "col_number": ("备案编号 · 批次", "Filing number · batch"),
    "cancelled": ("已注销", "cancelled"),
    "no_product": ("（无自有产品）", "(no product of its own)"),
    "purposes": ("主要用途的写法（每个算法：两条已公示的同类备案用途，及据答案起草的一句，供改写）",
                 "How to word each algorithm's purpose: two published purposes of its kind, and a draft from "
                 "the answers to rewrite"),
    "example": ("示例", "Example"),
    "draft": ("草稿", "Draft"),
    "no_example": ("未找到同类的已公示用途", "no published purpose of its kind found"),
}


def _w(key: str, lang: Lang, **values: object) -> str:
    text = _WORDS[key][0 if lang == "zh" else 1]
    return text.format(**values) if values else text


def _colon(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def _paren(text: str, lang: Lang) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def highlight(text: str, terms: list[str]) -> str:
    """``text`` with every occurrence of the shared ``terms`` put in 【】 (overlaps merged)."""
    marked = [False] * len(text)
    for term in terms:
        at = text.find(term)
        while term and at != -1:
            marked[at:at + len(term)] = [True] * len(term)
            at = text.find(term, at + 1)
    out: list[str] = []
    for i, ch in enumerate(text):
        if marked[i] and (i == 0 or not marked[i - 1]):
            out.append("【")
        out.append(ch)
        if marked[i] and (i == len(text) - 1 or not marked[i + 1]):
            out.append("】")
    return "".join(out)


def class_label(vocab: Vocabulary, type_: str, subtype: str | None, lang: Lang, *, ids: bool = False) -> str:
    """A type (with its retrieval/filtering sub-type) as shown."""
    text = vocab.label("algorithm_type", type_, lang)
    if subtype:
        text += _paren(vocab.label("algorithm_subtype", subtype, lang), lang)
    return text + (f" [{subtype or type_}]" if ids else "")


def _row(vocab: Vocabulary, match: Match, lang: Lang, ids: bool) -> list[str]:
    kind = class_label(vocab, match.type, match.subtype, lang, ids=ids)
    if match.role:
        kind += " · " + vocab.label("role", match.role, lang)
    number = f"{match.filing_number}\n{match.batch}"
    if match.cancelled:
        number += f" · {_w('cancelled', lang)}"
    products = match.products_text if match.products else _w("no_product", lang)
    return [str(match.rank), f"{highlight(match.name, match.shared_terms)}\n{kind}",
            f"{match.entity}\n{products}", highlight(match.purpose, match.shared_terms), number]


def _class_lines(vocab: Vocabulary, best: ClassScore, others: list[ClassScore], result: SimilarResult, lang: Lang,
                 ids: bool) -> list[str]:
    lines = [_w("suggested", lang) + _colon(lang) + class_label(vocab, best.type, best.subtype, lang, ids=ids)
             + _paren(_w("score", lang, score=best.score), lang)]
    if best.precedents:
        lines.append("  " + _w("nearest", lang, n=result.neighbours, k=best.precedents, share=best.precedent_share))
    if best.keyword_behaviours:
        lines.append("  " + _w("keywords", lang, ids="、".join(best.keyword_behaviours)))
    if others:
        shown = ("；" if lang == "zh" else "; ").join(
            f"{class_label(vocab, c.type, c.subtype, lang, ids=ids)} {c.score:.0%}" for c in others)
        lines.append(_w("others", lang) + _colon(lang) + shown)
    if result.suggested_role:
        lines.append(_w("role", lang) + _colon(lang) + vocab.label("role", result.suggested_role, lang))
    return lines


def render_similar(result: SimilarResult, fmt: str, lang: Lang, vocab: Vocabulary, *, width: int | None = None,
                   ids: bool = False) -> str:
    """The result as ``json`` or as text for the terminal, ``width`` columns wide."""
    if fmt == "json":
        return result.to_json()
    lines = [_w("title", lang) + _colon(lang) + _w("indexed", lang, rows=result.indexed_rows)]
    if result.filters:
        lines.append(_w("filters", lang) + _colon(lang) + ", ".join(f"{k}={v}" for k, v in result.filters.items()))
    if result.searched_chars < len(result.query):
        lines.append(_w("cut", lang, n=result.searched_chars))
    if result.expanded_query:
        lines.append(_w("expanded", lang, q=result.expanded_query))
    if result.suggested is None:
        return "\n".join([*lines, _w("none", lang)]) + "\n"
    lines += _class_lines(vocab, result.suggested, result.classes[1:4], result, lang, ids)
    if result.behaviours:
        lines.append(_w("behaviours", lang) + _colon(lang).rstrip())
        for b in result.behaviours:
            why = _w("from_keywords" if b.source == "keywords" else "from_precedents", lang)
            label = vocab.label("behaviour", b.behaviour, lang) + (f" [{b.behaviour}]" if ids else "")
            words = ("、" if lang == "zh" else ", ").join(b.keywords)
            lines.append(f"  - {label}" + _paren(why + _colon(lang) + words, lang))
    headers = [_w(k, lang) for k in ("col_n", "col_algorithm", "col_entity", "col_purpose", "col_number")]
    table = fitted_grid(headers, [_row(vocab, m, lang, ids) for m in result.matches], width)
    return "\n".join(lines) + "\n" + (table + "\n" if table else "")


def render_purposes(notes: list[PurposeNote], lang: Lang) -> str:
    """Per algorithm, the published examples and the draft of its one-sentence purpose, as text."""
    if not notes:
        return ""
    lines = [_w("purposes", lang)]
    for i, note in enumerate(notes, start=1):
        lines.append(f"{i}. {note.name.get(lang)}")
        for example in note.examples:
            lines.append(f"   {_w('example', lang)}{_colon(lang)}{example.name}{_paren(example.filing_number, lang)}"
                         f"{_colon(lang)}{example.purpose}")
        if not note.examples:
            lines.append(f"   {_w('example', lang)}{_colon(lang)}{_w('no_example', lang)}")
        lines.append(f"   {_w('draft', lang)}{_colon(lang)}{note.draft.get(lang)}")
    return "\n".join(lines) + "\n"
