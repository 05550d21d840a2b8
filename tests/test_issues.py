"""One regression test per bug found, named after what went wrong."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import cli
from engine import assess, load_answers
from engine.errors import EngineError, FlowError
from engine.model.assessment import ProductRef
from engine.questionnaire.flow import Flow
from engine.questionnaire.loader import default_questionnaire
from engine.render import render

ROOT = Path(__file__).resolve().parents[1]
MIXED = ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl"


def test_a_flow_error_is_an_engine_error_with_the_slot_named() -> None:
    """FlowError derived from ValueError, so the CLI's EngineError guard let it through as a traceback."""
    with pytest.raises(FlowError) as caught:
        Flow(default_questionnaire(), values={"p0.f0:no_such_question": "x"})
    assert isinstance(caught.value, EngineError)
    assert "p0.f0:no_such_question" in caught.value.render()


def test_the_batch_output_is_flushed_to_disk_before_it_replaces_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's reports were fsynced before the rename; the batch's output was not."""
    import engine.files

    synced: list[int] = []
    real_fsync = engine.files.os.fsync

    def fsync(fd: Any) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(engine.files.os, "fsync", fsync)
    out = tmp_path / "out.jsonl"
    assert cli.main(["batch", str(MIXED), "-o", str(out)]) == 0
    assert synced and out.read_text(encoding="utf-8").count("\n") == 13
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_a_signal_swallowed_inside_the_rules_engine_still_stops_the_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM arriving inside a durable-rules action came back as a failed record, and the batch
    ran on to the end with exit 1 (seen once in four runs of the signal test)."""
    import signal

    import engine.intake.batch as batch
    import engine.signals as signals

    real = batch.assess_record
    calls: list[int] = []

    def swallowing(record: Any, **kwargs: Any) -> Any:
        calls.append(record.line)
        if len(calls) == 3:  # the signal handler ran, but the engine kept the exception to itself
            signals._PENDING.append(int(signal.SIGTERM))
        return real(record, **kwargs)

    monkeypatch.setattr(batch, "assess_record", swallowing)
    out = tmp_path / "out.jsonl"
    with pytest.raises(batch.BatchInterrupted) as caught:
        batch.run_batch(MIXED, out)
    assert signals.signal_number(caught.value.cause) == signal.SIGTERM
    assert caught.value.stats.last_line == 2 and len(out.read_text(encoding="utf-8").splitlines()) == 2


NEWS_APP = ROOT / "examples" / "news_app.yaml"


def _twins(first_launch: str, second_launch: str) -> dict[str, Any]:
    """The news app answered twice under one name, launched on two dates."""
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    twin = copy.deepcopy(document["products"][0])
    document["products"][0]["launch_date"] = first_launch
    twin["launch_date"] = second_launch
    document["products"].append(twin)
    return document


def test_products_of_one_name_each_get_their_own_filing_due_date() -> None:
    """Two products named alike used to be one name: the second got no due date for arp_24 and no note."""
    result = assess(_twins("2021-06-01", "2031-03-03"))
    arp_24 = next(o for o in result.obligations if o.id == "arp_24")
    assert [(d.product.index, d.product.name) for d in arp_24.due] == [(0, "某某新闻"), (1, "某某新闻")]
    first, second = arp_24.due
    assert first.event_date.isoformat() == "2021-06-01" and first.date is not None
    assert first.note is not None and "2022-03-01" in first.note.en  # counted from the entry into force
    assert second.event_date.isoformat() == "2031-03-03" and second.date is None
    assert second.estimate is not None and second.note is not None and "2031" in second.note.en
    table = render(result, "table", "en")
    assert "某某新闻: 2022-03-15" in table and "某某新闻: ≈2031-03-17" in table


def test_products_of_one_name_each_get_their_own_step_dates() -> None:
    result = assess(_twins("2025-03-03", "2025-06-02"))
    arp_24 = next(o for o in result.obligations if o.id == "arp_24")
    assert [(d.product.index, d.event_date.isoformat()) for d in arp_24.due] == [
        (0, "2025-03-03"), (1, "2025-06-02")]
    review = next(s for s in result.steps if s.id == "review")
    assert [d.product.index for d in review.dates] == [0, 1]
    assert review.dates[0].start != review.dates[1].start
    targets = {t.index for o in result.obligations for t in o.applies_to if isinstance(t, ProductRef)}
    targets |= {p.index for al in result.algorithms for p in al.products}
    assert targets == {0, 1}


def test_a_product_named_like_a_target_is_only_a_name() -> None:
    """Names were matched against ``entity`` and algorithm ids; typed targets never read a name."""
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    plain = assess(document, memoize=False)
    for name in ("entity", "personalized_push.recommend_by_profile.service_provider"):
        document["products"][0]["name"] = name
        renamed = assess(document, memoize=False)
        assert [[t.kind for t in o.applies_to] for o in renamed.obligations] == [
            [t.kind for t in o.applies_to] for o in plain.obligations]
        assert [len(o.due) for o in renamed.obligations] == [len(o.due) for o in plain.obligations]


def test_the_report_cites_the_laws_of_the_rulebook_the_assessment_used(tmp_path: Path) -> None:
    """The table renderer loaded the default rulebook itself and showed its titles after assess(rulebook=...)."""
    import shutil

    from engine import load_rulebook
    from engine.model.vocabulary import rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    laws = rules / "catalogue" / "laws.yaml"
    text = laws.read_text(encoding="utf-8")
    title = 'zh: "互联网信息服务算法推荐管理规定"'
    assert title in text
    laws.write_text(text.replace(title, 'zh: "算法推荐管理规定（本地修订稿）"', 1), encoding="utf-8")
    custom = assess(NEWS_APP, rulebook=load_rulebook(rules))
    assert "arp" in {law.id for law in custom.laws}
    for fmt in ("table", "markdown", "html"):
        shown = render(custom, fmt, "zh")
        assert "算法推荐管理规定（本地修订稿）" in shown, fmt
        assert "互联网信息服务算法推荐管理规定" not in shown, fmt
    assert "互联网信息服务算法推荐管理规定" in render(assess(NEWS_APP), "table", "zh")


def test_renderers_load_no_rulebook_and_no_vocabulary() -> None:
    """What a report shows comes with the assessment: a renderer reading the default rulebook or
    vocabulary shows the wrong text for an assessment made with another."""
    import ast

    loaders = {"default_rulebook", "load_rulebook", "load_vocabulary", "shipped_derived_flags"}
    for path in sorted((ROOT / "engine" / "render").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        # The rule listing is given the rulebook it lists (a Rulebook argument); nothing loads one.
        assert not imported & loaders and "engine.model.vocabulary" not in imported, path.name


def test_the_new_feature_screen_shows_escape_sequences_in_names_instead_of_obeying_them() -> None:
    """The new-feature filing block printed product and feature names raw: an escape sequence in a
    name reached the terminal (the summary and tables escaped them already)."""
    import datetime as dt

    from engine import parse_answers
    from engine.pipeline.feature_filing import feature_filings
    from engine.render.feature_filing import render_feature_filings
    from engine.rules.rulebook import default_rulebook

    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    before = assess(document)
    document["products"][0]["name"] = "news\x1b[2J"
    document["products"][0]["features"].append(
        {"name": "evil\x1b]0;x\x07", "behaviours": ["pickup_point_suggestion"], "launch_date": "2026-12-07"})
    after_answers = parse_answers(document)
    filings = feature_filings(default_rulebook(), before, assess(after_answers), after_answers, 0,
                              len(document["products"][0]["features"]) - 1)
    shown = render_feature_filings(filings, "en", today=dt.date(2026, 12, 1), width=200)
    assert filings.filings and "\x1b" not in shown and "\x07" not in shown
    assert "evil\\x1b]0;x\\x07" in shown and "news\\x1b[2J" in shown


def test_building_the_command_line_loads_neither_pydantic_nor_the_rules_engine() -> None:
    """The limit flags' defaults come from engine.limits; while ``import engine`` imported every
    public name eagerly, that pulled pydantic and durable-rules into --version (384 ms)."""
    import subprocess
    import sys

    code = ("import sys; from cli.main import build_parser; build_parser(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'durable', 'tabulate'}))")
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           check=True).stdout
    assert shown.strip() == "[]"


def test_every_public_name_of_engine_resolves() -> None:
    """The public names are imported on first use from a table kept beside ``__all__``."""
    import engine

    for name in engine.__all__:
        assert getattr(engine, name) is not None, name
