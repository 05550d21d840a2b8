"""What ``algo-filing ask`` loads before its first question, and the fast YAML path it reads data with.

``benchmarks/first_question.py`` measures the CPU time to the first prompt; these tests hold the
two things that brought it under 0.4 s: the renderers are not imported to wrap the title line,
and the shipped data is read by libyaml, with exactly the strict loader's result.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from engine.errors import LoadError
from engine.model import yamlio

ROOT = Path(__file__).resolve().parent.parent
DATA = sorted([*ROOT.glob("rules/**/*.yaml"), *ROOT.glob("questionnaires/*.yaml"), *ROOT.glob("examples/*.yaml"),
               *ROOT.glob("tests/scenarios/*.yaml")])


def test_wrapping_text_does_not_load_the_renderers() -> None:
    """``engine.render.wrap`` used to import every renderer and the assessment model (about 50 ms)."""
    code = ("import sys; from engine.render.wrap import wrap; import engine.render; "
            "print(sorted(m for m in sys.modules if m in {'engine.render.table', 'engine.render.html', "
            "'engine.render.markdown', 'engine.model.assessment', 'tabulate'}))")
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           check=True).stdout
    assert shown.strip() == "[]"


def test_the_renderers_are_still_reachable_from_the_package() -> None:
    import engine.render

    assert engine.render.render_table.__module__ == "engine.render.table"
    with pytest.raises(AttributeError):
        engine.render.no_such_renderer  # noqa: B018


@pytest.mark.skipif(yamlio._FastLoader is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", DATA, ids=[str(p.relative_to(ROOT)) for p in DATA])
def test_libyaml_reads_every_data_file_as_the_strict_loader_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=yamlio._FastLoader) == yaml.load(text, Loader=yamlio._StrictLoader)  # noqa: S506


@pytest.mark.parametrize(("text", "message"), [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("a: &x 1\nb: *x\n", "anchors and aliases"),
    ("a:\n  <<: {b: 1}\n", "merge keys"),
    ("a: [1, 2\n", "not valid YAML at line"),
])
def test_the_fast_path_keeps_the_strict_messages(text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        yamlio.parse_text(text, source="x.yaml")


@pytest.mark.parametrize(("text", "message"), [
    ("a: {\"b\":*x}\n", "anchors and aliases"),
    ("q: Q&A\nr: &x 1\n", "anchors and aliases"),
    ("a: " + "[" * 101 + "]" * 101 + "\n", "nested too deeply"),
])
def test_a_word_with_an_ampersand_opens_no_door_to_anchors_or_depth(text: str, message: str) -> None:
    """``Q&A`` no longer sends a file to the slow loader; what follows a blank or an indicator
    still does, and nesting deeper than the strict loader reads is still refused."""
    with pytest.raises(LoadError, match=message):
        yamlio.parse_text(text, source="x.yaml")


class _Refused(yaml.SafeLoader):
    def __init__(self, stream: object) -> None:
        raise AssertionError("read by the strict loader")


FIRST_QUESTION_DATA = [ROOT / "rules" / "vocabulary.yaml", ROOT / "rules" / "answer_contract.yaml",
                       *sorted(ROOT.glob("questionnaires/*.yaml"))]


@pytest.mark.skipif(yamlio._FastLoader is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", FIRST_QUESTION_DATA, ids=[p.name for p in FIRST_QUESTION_DATA])
def test_the_data_of_the_first_question_is_read_by_libyaml(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These files hold ``Q&A`` and over a hundred flow collections (none nested deeply): they
    went to the strict loader, and the first question came 0.1 s later."""
    expected = yamlio.read_data_file(path)
    monkeypatch.setattr(yamlio, "_StrictLoader", _Refused)
    assert yamlio.read_data_file(path) == expected


def test_building_the_command_line_reads_no_package_metadata() -> None:
    """The version was looked up in the installed package's metadata for every command (about
    30 ms before the first question); it is read only when ``--version`` asks for it."""
    code = ("import sys; from cli.main import build_parser; build_parser(); "
            "print('importlib.metadata' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           check=True).stdout
    assert shown.strip() == "False"
    version = subprocess.run([sys.executable, "-m", "cli", "--version"], cwd=ROOT, capture_output=True, text=True,
                             timeout=60, check=True).stdout
    assert version.startswith("algo-filing ") and version.strip() != "algo-filing"
