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


_BULLETS = set("•▶☐⚠")
"""Marks that start an item: kept on the line of the item's first word, never left alone."""

_SHORT_RUN = 6
"""A run of at most this many Chinese characters between punctuation or spaces is kept whole
(a label such as 需进一步判断 or 个性化推送类 is not split; a sentence still breaks anywhere)."""


def _is_cjk(token: str) -> bool:
    return len(token) == 1 and not token.isascii() and token not in _CLOSING and token not in _BULLETS \
        and _width(token) == 2


def _joined(out: list[str], run: list[str]) -> None:
    """Append ``run`` to ``out``: whole if short (and with a short Latin word just before it, as in
    AI客服), else character by character."""
    if not 1 < len(run) <= _SHORT_RUN:
        out += run
        return
    word = "".join(run)
    last = out[-1] if out else " "
    if last != " " and last.isascii() and last[-1].isalnum() and len(last) <= 8:
        out[-1] = last + word
    else:
        out.append(word)


def _short_runs(tokens: list[str]) -> list[str]:
    """``tokens`` with each short run of single Chinese characters joined into one token."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, " "]:
        opened = len(token) > 1 and _is_cjk(token[-1]) and all(c in _OPENING for c in token[:-1])
        if opened:                                    # "（某" starts a run: the bracket stays with it
            _joined(out, run)
            run = [token]
            continue
        if _is_cjk(token) or (run and len(token) > 1 and _is_cjk(token[0]) and
                              all(c in _CLOSING for c in token[1:])):
            run.append(token)
            if not _is_cjk(token):                    # closing punctuation ends the run
                _joined(out, run)
                run = []
            continue
        _joined(out, run)
        run = []
        out.append(token)
    return out[:-1]


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: a Latin word, a short run of Chinese characters or one character of a
    longer run, with its punctuation; " " between.

    Pieces are built as lists of characters and joined at the end: growing a string one
    character at a time copies it each time, and a 300 KB name of one piece took seconds.
    """
    tokens: list[list[str]] = []
    opening: list[str] = []
    bullet = False
    for char in text:
        if bullet and char == " ":
            opening.append(char)                      # "• " stays with the item's first word
            bullet = False
            continue
        bullet = False
        if char in _BULLETS:
            opening.append(char)
            bullet = True
            continue
        opening = _place(tokens, char, opening)
    if opening:
        tokens.append(opening)
    return _short_runs(["".join(t) for t in tokens])


_SPACE = [" "]


def _place(tokens: list[list[str]], char: str, opening: list[str]) -> list[str]:
    """Add one character to ``tokens``; returns the opening punctuation still waiting for its word."""
    if char.isspace():
        if tokens and tokens[-1] != _SPACE:
            tokens.append(list(_SPACE))
    elif char in _CLOSING and tokens and tokens[-1] != _SPACE:
        tokens[-1].append(char)
    elif char in _OPENING:
        opening.append(char)
    elif char.isascii() and tokens and tokens[-1] != _SPACE and tokens[-1][-1].isascii() and not opening:
        tokens[-1].append(char)
    else:
        tokens.append([*opening, char])
        return []
    return opening


def _fitting(tokens: list[str], width: int) -> list[str]:
    """``tokens`` with any token wider than ``width`` (a long Latin word, a URL) cut into pieces that
    fit, in one pass over its characters; a character wider than ``width`` is a piece of its own
    (cutting before it would make no progress: a wide character in a 1-column cell looped)."""
    out: list[str] = []
    for token in tokens:
        if _width(token) <= width:
            out.append(token)
            continue
        piece: list[str] = []
        used = 0
        for char in token:
            columns = _width(char)
            if piece and used + columns > width:
                out.append("".join(piece))
                piece, used = [], 0
            piece.append(char)
            used += columns
        out.append("".join(piece))
    return out


def wrap_line(text: str, width: int, indent: str = "", *, floor: int = 20) -> list[str]:
    """``text`` as lines of at most ``width`` display columns, continuation lines ``indent``ed.

    A word is split only when it is wider than a whole line; ``floor`` is the narrowest width
    honoured (table cells pass their own column width).
    """
    width = max(width, floor, 1)
    if _width(text) <= width:
        return [text]
    if text.isascii():
        return textwrap.wrap(text, width=width, subsequent_indent=indent, break_on_hyphens=False) or [text]
    lines: list[str] = []
    lead = text[:len(text) - len(text.lstrip())]
    line, space = lead, False
    for token in _fitting(_tokens(text), max(width - _width(indent), 1)):
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


def wrap(text: str, width: int, indent: str = "", *, floor: int = 20) -> str:
    """Every line of ``text`` wrapped with :func:`wrap_line`."""
    return "\n".join(out for raw in text.split("\n") for out in wrap_line(raw, width, indent, floor=floor))


def clip(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` display columns, cut with "…" where it is longer."""
    width = max(width, 2)
    if _width(text) <= width:
        return text
    out = ""
    for char in text:
        if _width(out + char) > width - 1:
            break
        out += char
    return out.rstrip() + "…"


def display_width(text: str) -> int:
    """Display columns of ``text`` (wide characters count 2)."""
    return _width(text)
