"""Issue 18: what the second expert review of the duties changes beyond the scenarios — labels,
citations, tags, the rules listing and the questions that feed the new rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wcwidth import wcswidth

import cli
from engine import assess
from engine.model.assessment import Assessment, LegalRef
from engine.model.base import Lang
from engine.questionnaire.flow import Flow
from engine.questionnaire.loader import default_questionnaire
from engine.render.rules import render_rules
from engine.rules.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parent.parent

NEW_DUTIES = ("arp_6", "arp_15", "arp_17_p3", "dsp_8", "dsp_9_publish", "dsp_11", "dsp_17_p2", "dsp_21",
              "gai_4", "gai_7", "gai_8", "gai_9", "gai_11", "gai_13", "gai_14", "gai_19", "lbl_10_p2",
              "practice_label_support", "dsp_24")


@pytest.fixture(scope="module")
def api_vendor() -> Assessment:
    return assess(ROOT / "examples" / "model_api_business.yaml")


def _citations(refs: tuple[LegalRef, ...], lang: Lang) -> str:
    return " ".join(r.citation.get(lang) for r in refs)


def test_dsp_19_p2_says_by_reference_and_our_reading_of_the_lists(api_vendor: Assessment) -> None:
    """Ruling 13: the supporter's filing is labelled 参照前款 and our reading of the lists."""
    duty = next(o for o in api_vendor.obligations if o.id == "dsp_19_p2")
    assert "参照前款" in duty.title.zh and "解读" in duty.title.zh
    assert "by reference (参照前款)" in duty.title.en and "our reading of the lists" in duty.title.en
    assert "our reading of the lists" in _citations(duty.basis, "en")
    assert duty.basis_kind == "statute" and duty.deadline is not None and duty.deadline.working_days == 10


def test_the_icp_licence_is_statute_and_attaching_it_is_practice() -> None:
    """Ruling 13: the licence itself is statutory, attaching it to the filing is practice."""
    result = assess(ROOT / "examples" / "ride_hailing.yaml")
    licence = next(m for m in result.materials if m.id == "icp_licence")
    assert licence.basis_kind == "practice"
    book = load_rulebook()
    rule = book.rules["materials_icp_licence"]
    assert rule.basis_kind == "practice"
    assert [b.law for b in rule.basis] == ["icp", "practice", "rulings"]


def test_labels_cite_the_mandatory_standard_gb_45438() -> None:
    result = assess(ROOT / "examples" / "chatbot_own_model.yaml")
    for oid in ("lbl_4", "lbl_5"):
        duty = next(o for o in result.obligations if o.id == oid)
        cited = _citations(duty.basis, "zh")
        assert "GB 45438-2025" in cited and "《标识办法》第11条" in cited, oid


def test_the_rules_listing_names_every_new_duty_with_its_article() -> None:
    """`algo-filing rules` lists every duty with its article, the rules concluding it and whom it binds."""
    book = load_rulebook()
    listing = json.loads(render_rules(book, "json", "en"))
    duties = {row["id"]: row for row in listing["duties"]}
    assert list(duties) == list(book.obligations)
    for oid in NEW_DUTIES:
        wanted = book.obligations[oid].basis[0].render(book.laws, "en")
        assert duties[oid]["basis"][0] == wanted, (oid, duties[oid]["basis"])
        assert duties[oid]["rules"], f"no rule concludes {oid}"
        for rid in duties[oid]["rules"]:
            assert oid in (book.rules[rid].then.obligations or []), (oid, rid)
    assert duties["gai_13"]["basis"][0].startswith("Interim Measures for Generative AI Services, Art. 13")
    assert {d["id"] for d in listing["duties"] if d["binds"] == "platform"} >= {"dsp_13", "lbl_7"}
    assert duties["arp_24"]["working_days"] == 10


def test_the_rules_table_lists_the_duties_after_the_rules() -> None:
    book = load_rulebook()
    table = render_rules(book, "table", "zh")
    rules_end = table.index(f"{len(book.rules)} 条规则")
    assert table.index("gai_13") > rules_end and table.index("lbl_10_p2") > rules_end
    assert f"{len(book.obligations)} 项义务" in table
    cells = "".join(line.replace("│", "").replace(" ", "") for line in table[rules_end:].splitlines())
    assert cells.count("（应用商店/小程序") == 2                    # dsp_13, lbl_7: what the platform checks
    english = render_rules(book, "table", "en")
    assert f"{len(book.rules)} rules" in english and f"{len(book.obligations)} duties" in english


def test_readings_cite_the_rulings() -> None:
    book = load_rulebook()
    for rid in ("duties_generative_public", "duties_label_support_practice", "applicability_supporter_before_dsp",
                "duties_app_store", "duties_app_store_labelling"):
        assert "rulings" in [b.law for b in book.rules[rid].basis], rid


def test_the_biometric_question_is_asked_for_beauty_filters_and_image_editing() -> None:
    when = default_questionnaire().questions["biometric_output"].when
    assert when is not None
    for behaviour in ("beauty_filter", "edit_image_video", "generate_image"):
        assert when.holds(lambda ref, b=behaviour: {"generates": [b]}.get(ref)) is True, behaviour
    assert when.holds(lambda ref: {"generates": ["generate_text"]}.get(ref)) is False


def test_the_downstream_question_follows_an_api_offering() -> None:
    when = default_questionnaire().questions["downstream_public"].when
    assert when is not None
    assert when.holds(lambda ref: {"does": ["makes_content"], "offered_as_api": ["yes"]}.get(ref)) is True
    assert when.holds(lambda ref: {"does": ["makes_content"], "offered_as_api": ["no"]}.get(ref)) is False


def _walk(flow: Flow, script: dict[str, object]) -> None:
    """Answer each question the flow asks from ``script``; a question it lacks fails by name."""
    while (step := flow.current()) is not None:
        question = step.slot.question
        if question in ("another_feature", "another_product", "same_as_previous"):
            flow.answer("no")
            continue
        if question not in script:
            pytest.fail(f"the script does not answer '{question}'")
        flow.answer(script[question])


AI_COMIC = {"entity_name": "上海某某动漫科技有限公司", "product_name": "某某AI漫画", "forms": ["app"],
            "audience": ["public"], "user_groups": ["none"], "launch_date": "2025-03-02",
            "feature_name": "AI生成漫画", "does": ["makes_content"], "generates": ["generate_image"],
            "model_source": "third_party_api", "biometric_output": "no"}


@pytest.mark.parametrize(("ticks", "licensed"), [(["none", "sector_services"], True), (["none"], False)])
def test_ask_ticks_the_licensed_sectors_with_the_opinion_checklist(ticks: list[str], licensed: bool) -> None:
    """Issue 18.6: the checklist's sector tick (DSP Art. 24) reaches the answers and the materials."""
    flow = Flow(default_questionnaire())
    _walk(flow, {**AI_COMIC, "opinion_features": ticks})
    product = flow.document()["products"][0]
    assert product["sector_services"] is licensed and product["opinion_features"] == []
    result = assess(flow.answers())
    assert ("dsp_24" in {o.id for o in result.obligations}) is licensed
    assert ("sector_licences" in {m.id for m in result.materials}) is licensed


def test_an_unsure_checklist_asks_about_the_licensed_sectors_for_deep_synthesis() -> None:
    flow = Flow(default_questionnaire())
    _walk(flow, {**AI_COMIC, "opinion_features": ["unsure"]})
    result = assess(flow.answers())
    sector = next(q for q in result.open_questions if q.field == "products[0].sector_services")
    assert "网络视听节目服务" in sector.question.zh and "audio-visual" in sector.question.en


def test_the_log_retention_citation_says_its_article_number_predates_the_2025_amendment() -> None:
    """Issue 18.8: the Cybersecurity Law was amended on 2025-10-28 (in force 2026-01-01) with articles
    inserted. The domain texts give the log-retention article as Art. 21 of the text before it; until
    the amended number is confirmed there, the citation says which text its number is from."""
    book = load_rulebook()
    (csl,) = [ref for ref in book.obligations["arp_28"].basis if ref.law == "csl"]
    zh, en = csl.render(book.laws, "zh"), csl.render(book.laws, "en")
    assert "第21条" in zh and "2025年10月28日修正" in zh and "待核对" in zh
    assert "Art. 21" in en and "before the amendment of 2025-10-28" in en and "to be checked" in en


@pytest.mark.parametrize("columns", [80, 100])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rules_listing_fits_the_terminal_and_keeps_every_id_whole(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], columns: int, lang: str) -> None:
    """`algo-filing rules` at the terminal's width: no line wider, and every rule and duty id on one line."""
    monkeypatch.setenv("COLUMNS", str(columns))
    assert cli.main(["rules", "--lang", lang]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(wcswidth(line) for line in lines) <= columns
    book = load_rulebook()
    cells = {cell.strip() for line in lines for cell in line.split("│")}
    for rid in book.rules:
        assert rid in cells or f"← {rid}" in cells, rid
    for oid in book.obligations:
        assert oid in cells, oid
