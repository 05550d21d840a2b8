"""Drafts of the filing documents: what a filer opens, fills in and uploads.

The drafts are read back as the filer gets them (.docx through python-docx, the calendar through
icalendar, the archive through zipfile) and held against the answers they were written from.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import icalendar
import pytest
import yaml
from fastapi.testclient import TestClient

import cli
from engine import assess, load_answers, parse_answers
from engine.drafts.catalogue import load_drafting
from engine.drafts.compose import compose, folder_name
from engine.drafts.consistency import check
from engine.drafts.model import Document, DraftSet, FactRef, Paragraph, Sentence, Table
from engine.drafts.output import render_files, zip_drafts
from engine.errors import LoadError
from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
NEWS = ROOT / "examples" / "news_app.yaml"
AS_OF = "2026-11-30"
HEADINGS = {
    "拟公示内容": ["一、算法基本原理", "二、算法运行机制", "三、算法应用场景", "四、算法目的意图"],
    "算法安全自评估报告": ["一、算法情况", "二、服务情况", "三、风险研判", "四、风险防控情况", "五、评估结论"],
    "落实算法安全主体责任基本情况": ["一、算法安全专职机构", "二、管理制度"],
}
_INDEX = re.compile(r"\[(\d+)\]")


def drafts_of(path: Path, lang: str = "zh") -> DraftSet:
    answers = load_answers(path)
    return compose(answers, assess(answers), lang)  # type: ignore[arg-type]


def resolve(document: dict[str, Any], path: str) -> Any:
    """The value at an answers path such as ``products[1].features[0].name``."""
    node: Any = document
    for part in path.split("."):
        name, *indexes = _INDEX.split(part)
        if name:
            node = node[name]
        for index in (i for i in indexes if i):
            node = node[int(index)]
    return node


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every example drafted through the command line, as a filer runs it."""
    base = tmp_path_factory.mktemp("drafts")
    out = {}
    for example in EXAMPLES:
        target = base / example.stem
        assert cli.main(["draft", str(example), "-o", str(target), "--as-of", AS_OF]) == 0
        out[example.stem] = target
    return out


@pytest.mark.slow
def test_every_example_writes_a_folder_per_filing_with_its_documents(written: dict[str, Path]) -> None:
    for stem, folder in written.items():
        drafts = drafts_of(ROOT / "examples" / f"{stem}.yaml")
        filings = sorted(p.name for p in folder.iterdir() if p.is_dir())
        assert filings == sorted(f.folder for f in drafts.filings), stem
        entity = folder / filings[0]
        assert {p.name for p in entity.iterdir()} == {
            f"{d}.{ext}" for d in ("落实算法安全主体责任基本情况", "备案表单填报稿") for ext in ("docx", "md")}
        for algorithm in filings[1:]:
            names = {p.name for p in (folder / algorithm).iterdir()}
            assert names == {f"{d}.{ext}" for d in ("拟公示内容", "算法安全自评估报告", "备案表单填报稿")
                             for ext in ("docx", "md")}, (stem, algorithm)
        assert (folder / "filing.ics").is_file() and (folder / "README.md").is_file()


def test_only_algorithms_whose_filing_is_not_ruled_out_get_a_folder() -> None:
    for example in EXAMPLES:
        answers = load_answers(example)
        result = assess(answers)
        drafts = compose(answers, result)
        drafted = [f.algorithm for f in drafts.filings if f.kind == "algorithm"]
        assert drafted == [a.id for a in result.algorithms if a.status != "not_required"], example.name


@pytest.mark.slow
def test_the_word_files_open_with_their_headings_tables_and_page_numbers(written: dict[str, Path]) -> None:
    for stem, folder in written.items():
        for path in folder.rglob("*.docx"):
            word = docx.Document(str(path))
            headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
            for title, expected in HEADINGS.items():
                if path.stem == title:
                    assert [h for h in headings if h in expected] == expected, (stem, path.name)
            assert word.tables, (stem, path.name)
            footer = word.sections[0].footer.paragraphs[0]._p.xml
            assert "PAGE" in footer, path


@pytest.mark.slow
def test_no_word_table_contradicts_the_answers(written: dict[str, Path]) -> None:
    """Every form field in the .docx reads exactly as drafted, and every named answer as answered."""
    for stem, folder in written.items():
        raw = yaml.safe_load((ROOT / "examples" / f"{stem}.yaml").read_text(encoding="utf-8"))
        drafts = drafts_of(ROOT / "examples" / f"{stem}.yaml")
        for filing in drafts.filings:
            for document in filing.documents:
                word = docx.Document(str(folder / filing.folder / f"{document.title}.docx"))
                rows = {(r.cells[0].text, r.cells[1].text) for t in word.tables for r in t.rows}
                for section in document.sections:
                    for block in section.blocks:
                        if isinstance(block, Table):
                            for row in block.rows:
                                assert (row.field, row.value.text) in rows, (stem, document.title, row.field)
                for sentence in document.sentences():
                    for fact in sentence.facts:
                        if fact.path.endswith(".name") and fact.path.startswith(("entity", "products")):
                            assert fact.value == resolve(raw, fact.path), (stem, fact.path)


def _carries_its_facts(sentence: Sentence, raw: dict[str, Any]) -> bool:
    if not sentence.facts:
        return False
    for fact in sentence.facts:
        if fact.value not in sentence.text:
            return False
        if fact.path.startswith(("entity.", "products[")) and ":" not in fact.path and \
                not fact.path.endswith(("forms", "audience", "user_groups", "launch_status", "model_source",
                                        "monthly_active_users", "launch_date", "offered_as_api")):
            if fact.value != resolve(raw, fact.path):
                return False
    return True


def test_every_sentence_of_a_public_disclosure_carries_a_fact_or_is_a_marked_prompt() -> None:
    """Reviewers reject template-like text: no sentence is filler."""
    for example in EXAMPLES:
        raw = yaml.safe_load(example.read_text(encoding="utf-8"))
        for filing in drafts_of(example).filings:
            for document in filing.documents:
                if document.id != "public_disclosure":
                    continue
                for sentence in document.sentences():
                    if sentence.prompt:
                        assert re.fullmatch(r"【请填写[^【】]*】", sentence.text), sentence.text
                    else:
                        assert _carries_its_facts(sentence, raw), (example.name, sentence.text)


def test_the_sentence_check_catches_filler() -> None:
    raw = yaml.safe_load(NEWS.read_text(encoding="utf-8"))
    assert not _carries_its_facts(Sentence(text="本算法安全可靠，效果良好。"), raw)
    forged = FactRef(path="products[0].name", value="某某新闻")
    assert not _carries_its_facts(Sentence(text="本算法应用于另一个产品。", facts=(forged,)), raw)
    wrong = FactRef(path="products[0].name", value="别的产品")
    assert not _carries_its_facts(Sentence(text="应用于别的产品。", facts=(wrong,)), raw)


def test_a_public_disclosure_states_the_features_products_and_io_of_its_algorithm() -> None:
    drafts = drafts_of(NEWS)
    feed = next(f for f in drafts.filings if f.algorithm == "personalized_push.recommend_by_profile.service_provider")
    text = "".join(s.text for s in feed.documents[0].sentences())
    for fact in ("某某新闻个性化推荐算法", "首页推荐", "根据点击、停留时长为每个用户挑选资讯", "未成年人、老年人",
                 "2026-03-02", "关闭个性化推荐"):
        assert fact in text, fact
    assert "热榜" not in text, "another algorithm's feature must not appear"


def test_the_self_assessment_has_a_control_section_per_duty_and_user_group_risks_only_when_answered() -> None:
    answers = load_answers(NEWS)
    result = assess(answers)
    drafts = compose(answers, result)
    report = drafts.filings[1].documents[1]
    headings = [s.heading for s in report.sections]
    for duty in ("arp_17", "arp_18", "arp_19"):
        obligation = next(o for o in result.obligations if o.id == duty)
        assert any(obligation.basis[0].citation.zh in h for h in headings), duty
    assert any("未成年人权益" in h for h in headings) and any("老年人权益" in h for h in headings)
    assert not any("劳动者权益" in h for h in headings), "the news app names no workers"


def test_the_responsibility_statement_lists_the_systems_the_duties_require() -> None:
    news = drafts_of(NEWS).filings[0].documents[0]
    text = [s.text for s in news.sentences()]
    assert any("信息发布审核制度" in t for t in text)
    assert not any("辟谣机制" in t for t in text), "no deep synthesis in the news app"
    photo = drafts_of(ROOT / "examples" / "photo_effects_mini_program.yaml").filings[0].documents[0]
    assert any("辟谣机制（《深度合成管理规定》第11条）" in s.text for s in photo.sentences())


def test_the_consistency_check_finds_a_fact_written_two_ways() -> None:
    drafts = drafts_of(NEWS)
    checked, conflicts = check(list(drafts.filings))
    assert checked > 20 and conflicts == []
    assert drafts.conflicts == () and drafts.checked_facts == checked
    filing = drafts.filings[1]
    document = filing.documents[0]
    section = document.sections[1]
    changed = Sentence(text="2026-04-01", facts=(FactRef(path="products[0].launch_date", value="2026-04-01"),))
    tampered_section = section.model_copy(update={"blocks": (*section.blocks, Paragraph(sentences=(changed,)))})
    tampered = Document(**{**document.model_dump(), "sections": (document.sections[0], tampered_section,
                                                                  *document.sections[2:])})
    bad = [drafts.filings[0], filing.model_copy(update={"documents": (tampered, *filing.documents[1:])})]
    _, found = check(bad)
    assert [c.path for c in found] == ["products[0].launch_date"]
    assert {v for _, v in found[0].values} == {"2026-03-02", "2026-04-01"}


@pytest.mark.slow
def test_the_calendar_imports_and_each_event_names_its_article(written: dict[str, Path]) -> None:
    calendar = icalendar.Calendar.from_ical((written["news_app"] / "filing.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert events
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any("主体备案" in s for s in summaries)
    due = [e for e in events if "第24条" in str(e["DESCRIPTION"])]
    assert due and str(due[0]["DTSTART"].to_ical().decode()) == "20260316"
    assert any(e.get("RRULE") for e in events), "the yearly review repeats"
    display = sorted(s for s in summaries if "检查备案编号展示" in s)
    assert display == ["某某新闻（移动应用程序（APP））：检查备案编号展示", "某某新闻（网站）：检查备案编号展示"]
    for event in events:
        assert re.search(r"第\d+条|实务", str(event["DESCRIPTION"])), event["SUMMARY"]
    for stem in written:
        icalendar.Calendar.from_ical((written[stem] / "filing.ics").read_bytes())


@pytest.mark.slow
def test_the_same_answers_give_the_same_bytes() -> None:
    first = render_files(drafts_of(NEWS))
    second = render_files(drafts_of(NEWS))
    assert first == second
    assert zip_drafts(drafts_of(NEWS)) == zip_drafts(drafts_of(NEWS))


def test_english_drafts_use_english_headings_and_prompts() -> None:
    drafts = drafts_of(NEWS, "en")
    assert drafts.filings[0].folder == "00-entity"
    document = drafts.filings[1].documents[0]
    assert document.title == "Public disclosure (拟公示内容)"
    assert all(s.text.startswith("【to fill in") for s in document.sentences() if s.prompt)


@pytest.mark.slow
def test_a_drafts_folder_is_never_written_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "drafts"
    out.mkdir()
    (out / "edited.docx").write_bytes(b"the filer's own work")
    assert cli.main(["draft", str(NEWS), "-o", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["edited.docx"]
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep")
    assert cli.main(["draft", str(NEWS), "-o", str(a_file)]) == 2
    assert a_file.read_text() == "keep"
    assert cli.main(["draft", str(NEWS), "-o", str(tmp_path / "missing" / "drafts")]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["draft", str(NEWS), "-o", str(empty)]) == 0
    assert (empty / "filing.ics").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary folder left behind"


def test_bad_answers_are_refused_with_the_field_and_nothing_is_written(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("entity: {name: A}\nproducts: [{name: B, forms: [app], audience: [public], "
                   "features: [{name: C, behaviours: [recomend_by_profile]}]}]\n", encoding="utf-8")
    assert cli.main(["draft", str(bad), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "products[0].features[0].behaviours[0]" in err and "recommend_by_profile" in err
    assert not (tmp_path / "out").exists()


def test_folder_names_drop_what_no_file_system_takes() -> None:
    assert folder_name(3, "a/b\\c:d*e?\x1b[31m") == "03-a_b_c_d_e_[31m"
    assert folder_name(1, "..") == "01-algorithm"
    assert len(folder_name(1, "长" * 500)) == 63


def test_the_catalogue_loader_names_the_file_the_key_and_the_fix(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "drafting", rules / "drafting")
    behaviours = rules / "drafting" / "behaviours.yaml"
    behaviours.write_text(behaviours.read_text(encoding="utf-8").replace("  hot_list:", "  hot_lisst:"),
                          encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_drafting(rules)
    message = caught.value.render()
    assert "behaviours.yaml" in message and "hot_lisst" in message and "hot_list" in message
    shutil.copytree(ROOT / "rules" / "drafting", rules / "ok", dirs_exist_ok=True)
    documents = rules / "drafting" / "documents.yaml"
    shutil.copy(ROOT / "rules" / "drafting" / "behaviours.yaml", behaviours)
    documents.write_text(documents.read_text(encoding="utf-8").replace("obligation: dsp_7", "obligation: dsp_77"),
                         encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_drafting(rules, obligations=["arp_7", "dsp_7"])
    assert "dsp_77" in caught.value.render() and "policies[" in caught.value.render()


@pytest.mark.slow
def test_the_service_returns_the_folder_as_a_zip_byte_for_byte() -> None:
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    body = json.loads(json.dumps(yaml.safe_load(NEWS.read_text(encoding="utf-8")), default=str))
    response = client.post("/v1/drafts", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.content == zip_drafts(drafts_of(NEWS))
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "filing.ics" in names and any(n.endswith("拟公示内容.docx") for n in names)
    refused = client.post("/v1/drafts", json={"entity": {"name": "A"}, "products": []})
    assert refused.status_code == 422


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.slow
def test_libreoffice_converts_a_draft_to_pdf(written: dict[str, Path], tmp_path: Path) -> None:
    source = next(written["news_app"].rglob("拟公示内容.docx"))
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                          capture_output=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "拟公示内容.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def test_two_features_with_one_name_stay_apart_in_the_drafts() -> None:
    """A feature is found by its position: a name shared with another algorithm's feature mixes nothing."""
    answers = load_answers(NEWS).model_dump()
    answers["products"][0]["features"] = [
        {"name": "推荐", "description": "按兴趣为每个用户挑选资讯", "behaviours": ["recommend_by_profile"]},
        {"name": "推荐", "description": "按全站热度排出今日榜单", "behaviours": ["hot_list"]},
    ]
    parsed = parse_answers(answers)
    drafts = compose(parsed, assess(parsed))
    texts = {f.algorithm: "".join(s.text for s in f.documents[0].sentences()) for f in drafts.filings[1:]}
    ranking = next(t for a, t in texts.items() if a is not None and a.startswith("ranking_selection"))
    push = next(t for a, t in texts.items() if a is not None and a.startswith("personalized_push"))
    assert "按全站热度排出今日榜单" in ranking and "按兴趣为每个用户挑选资讯" not in ranking
    assert "按兴趣为每个用户挑选资讯" in push and "按全站热度排出今日榜单" not in push
