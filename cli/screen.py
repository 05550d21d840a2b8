"""The terminal the CLI prints to."""

from __future__ import annotations

import codecs
import os
import shutil
import sys
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


_U_ESCAPE = "algo-filing-u-escape"


def _u_escape(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: each character the encoding lacks as JSON writes it (``\\u00b6``,
    a surrogate pair above U+FFFF), so escaped JSON output still parses (``backslashreplace``
    writes ``\\xb6``, which JSON refuses)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for char in error.object[error.start:error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


def ascii_fallback() -> str | None:
    """Make standard output and error show what their encoding cannot as ``\\u9700`` escapes.

    Under ``LC_ALL=C`` with UTF-8 mode off (``PYTHONUTF8=0``) the streams are ASCII: printing
    Chinese raised UnicodeEncodeError (a traceback from ``--help``, "internal error" from
    ``assess``). Escaped text keeps the output whole, and JSON output valid. Returns the
    encoding that fell back (for a note saying what to set), or None when UTF-8 can be shown.
    """
    codecs.register_error(_U_ESCAPE, _u_escape)
    fell_back = None
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "需要备案·…".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors=_U_ESCAPE)
                fell_back = encoding
    return fell_back
