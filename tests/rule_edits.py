"""Edit a copied rule file in a test: each ``(old, new)`` replaced once, and a shipped file that no
longer holds ``old`` fails the test by name (so the fixture never silently stops editing anything)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def edit_in_place(path: Path, edits: Iterable[tuple[str, str]]) -> None:
    """Replace the first ``old`` of each pair in ``path`` by its ``new``, asserting each is there."""
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"{path.name} no longer holds {old!r}: update the test"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def edited_rules(target: Path, edits: Mapping[str, Iterable[tuple[str, str]]]) -> Path:
    """``target``: a copy of the shipped rule files (data only, no Python) with ``edits`` (file ->
    pairs) made, for ``load_rulebook(target)``."""
    shutil.copytree(ROOT / "rules", target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for name, pairs in edits.items():
        edit_in_place(target / name, pairs)
    return target


def edited_rules_package(tmp_path: Path, edits: Mapping[str, Iterable[tuple[str, str]]]) -> Path:
    """A folder holding a copy of the ``rules`` package with ``edits`` (file -> pairs) made: put it
    first on PYTHONPATH and the engine reads these rules, with no Python edited."""
    packages = tmp_path / "packages"
    shutil.copytree(ROOT / "rules", packages / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    for name, pairs in edits.items():
        edit_in_place(packages / "rules" / name, pairs)
    return packages


def run_probe(packages: Path, probe: str, *args: str) -> dict[str, Any]:
    """Run ``probe`` (Python printing one JSON object) in a fresh interpreter that imports the
    edited rules of ``packages``, and return what it printed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(packages), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=packages, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout)
    return found
