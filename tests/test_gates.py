"""The project's own gates, run by the test command so that one command checks everything.

Lint (with the layer rules in pyproject.toml: questionary and prompt_toolkit only in
cli/prompts.py, tabulate only in the renderers) and strict typing of the shipped code.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_is_clean() -> None:
    result = _run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_shipped_code() -> None:
    result = _run(sys.executable, "-m", "mypy", "--strict", "engine", "cli", "service")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layer_rule_catches_a_table_drawn_outside_the_renderers(tmp_path: Path) -> None:
    """The banned-api rule really bites: a module under engine/ that imports tabulate fails lint."""
    probe = ROOT / "engine" / "_layer_probe.py"
    probe.write_text("from tabulate import tabulate\n\nprint(tabulate)\n", encoding="utf-8")
    try:
        result = _run(sys.executable, "-m", "ruff", "check", "--no-cache", str(probe.relative_to(ROOT)))
    finally:
        probe.unlink()
    assert result.returncode != 0 and "TID251" in result.stdout
