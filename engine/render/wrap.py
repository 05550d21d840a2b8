"""Text wrapped to the terminal: English between words, Chinese between characters.

The terminal itself wraps at the last column, which splits English words and can start a
Chinese line with "。". Here lines are broken where a reader expects: English at spaces
(:mod:`textwrap`), Chinese at any character except before closing punctuation, which stays on
the line it closes (widths counted with :mod:`wcwidth`, as prompt_toolkit does).
"""

from __future__ import annotations

import textwrap

from wcwidth import wcswidth

_CLOSING = set("。，、；：？！）》」』”’)]}.,;:?!…·%％")
"""Characters a Chinese line never starts with (they close what the previous line says)."""


def _width(text: str) -> int:
    return max(wcswidth(text), 0)


_OPENING = set("“‘（《「『([{")
"""Characters that belong to what follows them (never left at a line's end)."""


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: a Latin word, or one Chinese character with its punctuation; " " between."""
    tokens: list[str] = []
    opening = ""
    for char in text:
        if char.isspace():
            if tokens and tokens[-1] != " ":
                tokens.append(" ")
        elif char in _CLOSING and tokens and tokens[-1] != " ":
            tokens[-1] += char
        elif char in _OPENING:
            opening += char
        elif char.isascii() and tokens and tokens[-1] != " " and tokens[-1][-1].isascii() and not opening:
            tokens[-1] += char
        else:
            tokens.append(opening + char)
            opening = ""
    if opening:
        tokens.append(opening)
    return tokens


def wrap_line(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` display columns, continuation lines ``indent``ed."""
    width = max(width, 20)
    if _width(text) <= width:
        return [text]
    if text.isascii():
        return textwrap.wrap(text, width=width, subsequent_indent=indent, break_on_hyphens=False) or [text]
    lines: list[str] = []
    lead = text[:len(text) - len(text.lstrip())]
    line, space = lead, False
    for token in _tokens(text):
        if token == " ":
            space = True
            continue
        candidate = line + (" " if space and line.strip() else "") + token
        space = False
        if _width(candidate) > width and line.strip():
            lines.append(line)
            line = indent + token
        else:
            line = candidate
    if line.strip():
        lines.append(line)
    return lines


def wrap(text: str, width: int, indent: str = "") -> str:
    """Every line of ``text`` wrapped with :func:`wrap_line`."""
    return "\n".join(out for raw in text.split("\n") for out in wrap_line(raw, width, indent))
