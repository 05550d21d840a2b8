"""Showing text people sent us without letting it act: on a terminal, in Markdown, in a spreadsheet.

Names and free text in answers files are data. Printed raw they could move the cursor, clear
the screen or retitle the terminal (escape sequences), forge a row of a Markdown table or run
script in whoever opens the report (``<script>``, ``javascript:`` links), or become a formula
in a spreadsheet (``=HYPERLINK(...)``). Each output escapes them once, here, and a rejected
value is never echoed longer than :data:`ECHO_LIMIT` characters.
"""

from __future__ import annotations

import re

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


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading ``'``.

    As OWASP advises for CSV injection: cells starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return (and their full-width forms, which some spreadsheets read alike).
    """
    return "'" + text if text.startswith(_FORMULA_START) else text
