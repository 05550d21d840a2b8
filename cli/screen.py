"""The terminal the CLI prints to."""

from __future__ import annotations

import os
import shutil
from typing import TextIO


def terminal_width() -> int:
    """The terminal's columns (80 when unknown, e.g. piped), so tables and wrapped text fit the screen."""
    return shutil.get_terminal_size((80, 24)).columns


def color_wanted(stream: TextIO) -> bool:
    """Whether to colour what goes to ``stream``: only a terminal, and never when the user asked
    for none (``NO_COLOR`` set to anything, see no-color.org) or the terminal cannot show it
    (``TERM=dumb``)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False
