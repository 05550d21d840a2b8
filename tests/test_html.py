"""The printable HTML report, as a reader sees it in a browser.

The browser test renders the page in headless Chromium (Debian's package, installed by
``.ci/run``) and reads the DOM Chromium built; it is skipped, with the reason, where Chromium
is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cli
from engine import Answers, Assessment, build_facts, default_rulebook, evaluate, parse_answers
from engine.pipeline.assemble import assemble
from engine.render import render

SCRIPT_NAME = "<script>alert(1)</script>"


def _answers() -> Answers:
    return parse_answers({
        "entity": {"name": "某某科技有限公司"},
        "products": [{
            "name": SCRIPT_NAME, "forms": ["app", "website"], "audience": ["public"],
            "opinion_features": ["comments"], "news": True, "commercial": True, "launch_date": "2025-09-30",
            "features": [
                {"name": "首页推荐 <img src=x onerror=alert(2)>", "behaviours": ["recommend_by_profile"]},
                {"name": "AI写作", "behaviours": ["generate_text"], "model_source": "third_party_api"},
            ],
        }],
    })


def _assessment() -> Assessment:
    answers = _answers()
    book = default_rulebook()
    roots = build_facts(answers, book.as_of)
    return assemble(book, roots, evaluate(roots, book), book.as_of)


class _Dom(HTMLParser):
    """Tags, visible text and checkboxes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.checkboxes = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "input" and ("type", "checkbox") in attrs:
            self.checkboxes += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _read(page: str) -> _Dom:
    dom = _Dom()
    dom.feed(page)
    return dom


def test_html_escapes_user_text_and_loads_nothing_from_outside() -> None:
    page = render(_assessment(), "html", "zh")
    assert SCRIPT_NAME not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    dom = _read(page)
    assert "script" not in dom.tags and "img" not in dom.tags and "link" not in dom.tags
    for outside in ("http://", "https://", "url(", "@import", "src="):
        assert outside not in page.replace("src=x", ""), outside


def test_html_has_every_section_a_reader_hands_on() -> None:
    a = _assessment()
    dom = _read(render(a, "html", "en"))
    text = " ".join(dom.text)
    for expected in ("Filing required", "Reasons", "Algorithms to file", "Duties", "Materials checklist",
                     "Steps and timeline", "Where to display the filing number", "Legal references",
                     "not legal advice", a.rules_version, a.filing.as_of.isoformat(),
                     "2025-10-21 (10 working days after launch on 2025-09-30)",
                     "How due dates are counted", "Provisions on the Administration of Algorithmic Recommendation"):
        assert expected in text, expected
    assert dom.checkboxes == len(a.materials) > 0
    assert "Entity (once per entity)" in text and "Per algorithm" in text
    assert render(a, "html", "en") == render(a, "html", "en")


def test_assess_format_html_writes_a_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    example = Path(__file__).resolve().parent.parent / "examples" / "news_app.yaml"
    assert cli.main(["assess", str(example), "--format", "html", "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "需要备案" in page


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (apt-get install chromium); the browser test needs it")


def _browse(tmp_path: Path, page: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", *mode, page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_chromium_shows_the_report_and_runs_no_script(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(_assessment(), "html", "zh"), encoding="utf-8")
    result = _browse(tmp_path, page, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = _read(result.stdout)
    text = " ".join(dom.text)
    assert "需要备案" in text and "算法备案评估报告" in text
    assert SCRIPT_NAME in text  # shown literally, as the product's name
    assert "首页推荐 <img src=x onerror=alert(2)>" in text
    assert "script" not in dom.tags and "img" not in dom.tags
    assert "2025-10-21" in text and "不构成法律意见" in text
    shot = tmp_path / "report.png"
    result = _browse(tmp_path, page, "--hide-scrollbars", "--window-size=1000,1400", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
