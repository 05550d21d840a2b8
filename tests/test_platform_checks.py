"""Duties that bind the app store or mini-program platform (深度合成管理规定 Art. 13, 标识办法 Art. 7;
rulings.md #19): every renderer shows them as what the store or platform will check, never among
the filer's duties (issue 17 item 3, issue 18 item 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import assess, load_answers
from engine.model.assessment import Assessment
from engine.model.base import Lang
from engine.render import render
from engine.render.summary import render_terminal

ROOT = Path(__file__).resolve().parent.parent
HEADING = {"zh": "应用商店/小程序平台将核验", "en": "The store or platform will check"}
CHECK = {"zh": "核验深度合成类应用程序的安全评估和备案情况", "en": "check the security assessment and filing"}
LABELS = {"zh": "核验其生成合成内容标识相关材料", "en": "check its labelling materials"}


@pytest.fixture(scope="module")
def mini_program() -> Assessment:
    """A generative mini-program: the mini-program platform checks it as an app store would."""
    return assess(ROOT / "examples" / "photo_effects_mini_program.yaml")


@pytest.fixture(scope="module")
def website() -> Assessment:
    """The same features on a website only: no store or platform lists it."""
    answers = load_answers(ROOT / "examples" / "photo_effects_mini_program.yaml")
    product = answers.products[0].model_copy(update={"forms": ("website",)})
    return assess(answers.model_copy(update={"products": (product,)}))


def _section(text: str, start: str, end: str) -> str:
    """The text from the first ``start`` up to the next ``end`` after it (or the end)."""
    begin = text.index(start)
    stop = text.find(end, begin + len(start))
    return text[begin:] if stop < 0 else text[begin:stop]


def test_the_json_says_whom_each_duty_binds(mini_program: Assessment) -> None:
    binds = {o.id: o.binds for o in mini_program.obligations}
    assert binds["dsp_13"] == "platform" and binds["lbl_7"] == "platform"
    assert {b for oid, b in binds.items() if oid not in ("dsp_13", "lbl_7")} == {"filer"}


def _flat(text: str) -> str:
    """Text without the spaces, line breaks and table borders that wrapping puts in."""
    return re.sub(r"[│\s]+", "", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_short_result_lists_them_under_what_the_platform_checks(mini_program: Assessment, lang: Lang) -> None:
    text = render_terminal(mini_program, lang, today=mini_program.filing.as_of, width=80)
    heading = f"== {HEADING[lang]} =="
    checks = _flat(_section(text, heading, "\n\n"))
    cited = ("《深度合成管理规定》第13条", "《标识办法》第7条") if lang == "zh" else (
        "Deep Synthesis Provisions, Art. 13", "AI-Generated Content Labelling Measures, Art. 7")
    for wanted in (CHECK[lang], LABELS[lang], *cited):
        assert _flat(wanted) in checks, wanted
    assert _flat(CHECK[lang]) not in _flat(text[:text.index(heading)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_full_result_keeps_them_out_of_the_filers_duties(mini_program: Assessment, lang: Lang) -> None:
    # 400 columns keep every cell on one line, so a cell's text can be found whole
    text = render_terminal(mini_program, lang, today=mini_program.filing.as_of, width=400, full=True)
    duties = _flat(_section(text, "== 相关义务 ==" if lang == "zh" else "== Duties ==", "\n== "))
    checks = _flat(_section(text, f"== {HEADING[lang]} ==", "\n== "))
    assert _flat("不是备案人的义务" if lang == "zh" else "not the filer") in checks
    for wanted in (CHECK[lang], LABELS[lang]):
        assert _flat(wanted) in checks and _flat(wanted) not in duties, wanted


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_has_a_section_of_its_own(mini_program: Assessment, lang: Lang) -> None:
    text = render(mini_program, "markdown", lang)
    duties = _section(text, "## " + ("相关义务" if lang == "zh" else "Duties"), "\n## ")
    checks = _section(text, f"## {HEADING[lang]}", "\n## ")
    for wanted in (CHECK[lang], LABELS[lang]):
        assert wanted in checks and wanted not in duties, wanted


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_has_a_section_of_its_own(mini_program: Assessment, lang: Lang) -> None:
    text = render(mini_program, "html", lang)
    duties = _section(text, '<section id="duties">', "</section>")
    checks = _section(text, '<section id="platform-checks">', "</section>")
    assert f"<h2>{HEADING[lang]}</h2>" in checks
    for wanted in (CHECK[lang], LABELS[lang]):
        assert wanted in checks and wanted not in duties, wanted


def test_no_store_no_section(website: Assessment) -> None:
    """A website is listed by no store: neither the duties nor the section appear."""
    assert not {"dsp_13", "lbl_7"} & {o.id for o in website.obligations}
    today = website.filing.as_of
    for text in (render_terminal(website, "zh", today=today), render_terminal(website, "zh", today=today, full=True),
                 render(website, "markdown", "zh"), render(website, "html", "zh")):
        assert HEADING["zh"] not in text
    assert 'id="platform-checks"' not in render(website, "html", "en")


@pytest.mark.parametrize(("lang", "mark"), [("zh", "（应用商店/小程序平台将核验）"),
                                            ("en", "(the store or platform will check)")])
def test_the_what_if_diff_marks_them_as_the_platforms(lang: Lang, mark: str) -> None:
    """A news app adding AI writing gains the store's checks: the diff says whose they are."""
    from engine.pipeline.diff import compare
    from engine.render.diff import render_diff

    fixtures = ROOT / "tests" / "fixtures" / "diff"
    before, after = (assess(fixtures / name) for name in ("news_before.yaml", "news_after.yaml"))
    text = render_diff(compare(before, after), "markdown", lang)
    marked = {oid for row in text.splitlines() if mark in row for oid in re.findall(r"\\\[(\w+)\\\]", row)}
    assert marked == {"dsp_13", "lbl_7"}
