"""The terminal the CLI prints to."""

from __future__ import annotations

import shutil


def terminal_width() -> int:
    """The terminal's columns (80 when unknown, e.g. piped), so tables and wrapped text fit the screen."""
    return shutil.get_terminal_size((80, 24)).columns
