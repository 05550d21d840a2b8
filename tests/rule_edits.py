"""Edit a copied rule file in a test: each ``(old, new)`` replaced once, and a shipped file that no
longer holds ``old`` fails the test by name (so the fixture never silently stops editing anything)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def edit_in_place(path: Path, edits: Iterable[tuple[str, str]]) -> None:
    """Replace the first ``old`` of each pair in ``path`` by its ``new``, asserting each is there."""
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"{path.name} no longer holds {old!r}: update the test"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
