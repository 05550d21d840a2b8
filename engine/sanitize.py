"""Showing text people sent us without letting it act: on a terminal, in Markdown, in a spreadsheet.

Names and free text in answers files are data. Printed raw they could move the cursor, clear
the screen or retitle the terminal (escape sequences), forge a row of a Markdown table or run
script in whoever opens the report (``<script>``, ``javascript:`` links), or become a formula
in a spreadsheet (``=HYPERLINK(...)``). Each output escapes them once, here, and a rejected
value is never echoed longer than :data:`ECHO_LIMIT` characters.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

ECHO_LIMIT = 200
"""The most characters of a user's value quoted back in a message or an error record."""

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters (C0 but the line feed, DEL, C1), line separators and bidi overrides."""

_CONTROL_OR_NEWLINE = re.compile(_CONTROL.pattern[:-1] + r"\n]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with control characters shown escaped (``\\x1b``), so a terminal only prints it.

    Line feeds stay (messages and table cells are multi-line) unless ``keep_newlines`` is off.
    """
    pattern = _CONTROL if keep_newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(_escape_char, text)


def shell_quote(text: str) -> str:
    """``text`` as one shell word that a terminal only prints and a shell reads back as ``text``.

    Plain names are quoted as :func:`shlex.quote` does. A name holding a control character (a
    file named ``x\\e]0;PWNED\\a.yaml``) would act on the terminal inside ``'...'``, and shown
    escaped there it would name another file; it is written in ANSI-C quoting (``$'x\\x1b…'``,
    read by bash, zsh and ksh), whose escapes the shell turns back into the real characters.
    """
    if not _CONTROL_OR_NEWLINE.search(text):
        return shlex.quote(text)
    body = text.replace("\\", "\\\\").replace("'", "\\'")
    return "$'" + _CONTROL_OR_NEWLINE.sub(_ansi_c_escape, body) + "'"


def _ansi_c_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def shell_join(words: Iterable[str]) -> str:
    """A command line of :func:`shell_quote`-d words."""
    return " ".join(shell_quote(word) for word in words)


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """At most ``limit`` characters of ``text``, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all)"


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A user's value quoted in a message: clipped, control characters escaped.

    A list or mapping is described by its size, never expanded: it may hold millions of items.
    """
    if isinstance(value, dict | list | tuple | set):
        return f"a {type(value).__name__} of {len(value):,} items"
    text = value if isinstance(value, str) else repr(value)
    return terminal_safe(clip(text, limit), keep_newlines=False)


_MARKDOWN_SPECIAL = re.compile(r"([\\\[\]|])")
"""What could make a link or image (brackets), end a table cell (``|``) or undo an escape (``\\``).
Emphasis characters (``*``, ``_``) are left alone: they cannot run anything, and ids use ``_``."""


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown (table cell or list item): no HTML, no links, no forged rows.

    ``<``, ``>`` and ``&`` become entities (no tags, no autolinks), brackets, ``|`` and ``\\`` are
    backslash-escaped (no ``[link](javascript:…)``, no ``|`` ending a cell), line breaks become
    ``<br>`` (a ``\\r`` cannot start a new row) and other control characters are shown escaped.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return terminal_safe(text, keep_newlines=False)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


_LINE_START = re.compile(r"(\r\n|\r|\n)(?=[=+\-@\t\uff1d\uff0b\uff0d\uff20])")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading ``'``.

    As OWASP advises for CSV injection: cells starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return (and their full-width forms, which some spreadsheets read alike). Each
    line of a multi-line cell is treated alike: a reader that splits rows at a bare ``\r``
    (``Acme Ltd\r=2+5*cmd|' /C calc'!A0``) would otherwise find a formula at a cell's start.
    """
    text = _LINE_START.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


_CSV_QUOTED = re.compile(r'[",\r\n]')


def csv_row(cells: Iterable[str]) -> str:
    """One CSV line ending in ``\n``: a cell holding a comma, a quote, a CR or a LF is quoted.

    Python's :mod:`csv` quotes only the characters of its own line terminator, so with ``\n``
    rows a bare ``\r`` went out unquoted and split the row in spreadsheets that end rows at it.
    """
    return ",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' if _CSV_QUOTED.search(c) else c for c in cells) + "\n"
