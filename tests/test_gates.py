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


MAX_LINES, MAX_COMPLEXITY = 60, 15
"""No function in engine/ is longer or more complex (cyclomatic, as radon counts it)."""


def _function_metrics() -> dict[tuple[str, str], tuple[int, int]]:
    """(path, qualified name) -> (lines, cyclomatic complexity) of every function in engine/."""
    from radon.complexity import cc_visit

    found: dict[tuple[str, str], tuple[int, int]] = {}
    for path in sorted((ROOT / "engine").rglob("*.py")):
        blocks = list(cc_visit(path.read_text(encoding="utf-8")))
        while blocks:
            block = blocks.pop()
            blocks.extend(getattr(block, "methods", []) or [])
            blocks.extend(getattr(block, "closures", []) or [])
            if type(block).__name__ != "Class":
                key = (path.relative_to(ROOT).as_posix(), block.fullname)
                found[key] = (block.endline - block.lineno + 1, block.complexity)
    return found


def test_no_function_in_the_engine_is_too_long_or_too_complex() -> None:
    over = {key: m for key, m in sorted(_function_metrics().items()) if m[0] > MAX_LINES or m[1] > MAX_COMPLEXITY}
    assert not over, f"over {MAX_LINES} lines or complexity {MAX_COMPLEXITY} (lines, complexity): {over}"


def test_the_assemblers_build_and_add_are_small() -> None:
    """Issue 23.6: _Assembler.build (143 lines, complexity 34) and add (70, 37) were the largest."""
    metrics = _function_metrics()
    for name in ("_Assembler.build", "_Assembler.add"):
        lines, complexity = metrics[("engine/pipeline/assemble.py", name)]
        assert lines < 40 and complexity < 10, (name, lines, complexity)
