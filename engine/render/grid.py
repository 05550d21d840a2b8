"""The one boxed-table look of the terminal: every grid the CLI prints is drawn here."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tabulate import tabulate
from wcwidth import wcswidth

from engine.render.wrap import wrap
from engine.sanitize import terminal_safe

_WIDTH = 48

_CELL_LINE_CHARS = 1_000
"""The most characters of one line of a cell shown: wrapping is quadratic in a line's length
(a 300 KB name took 24 s); the JSON output keeps every character."""


def shown_cell(cell: str) -> str:
    """A cell as shown: control characters escaped, each line cut at :data:`_CELL_LINE_CHARS`."""
    lines = cell.split("\n")
    if any(len(line) > _CELL_LINE_CHARS for line in lines):
        cell = "\n".join(line if len(line) <= _CELL_LINE_CHARS else line[:_CELL_LINE_CHARS] + "…"
                         for line in lines)
    return terminal_safe(cell)


def grid(rows: Sequence[Sequence[str]], *, widths: Sequence[int], headers: Sequence[str] = ()) -> str:
    """``rows`` as a boxed table, each column wrapped at its width; cells are shown as text, never as numbers."""
    return tabulate([list(r) for r in rows], headers=list(headers), tablefmt="simple_grid",
                    maxcolwidths=list(widths), disable_numparse=True)


def _cell_width(text: str) -> int:
    return max((max(wcswidth(line), len(line)) for line in text.split("\n")), default=0)


_WORD = 16
"""The widest word a column widens for (longer ones, such as URLs, are split)."""


def _longest_word(text: str) -> int:
    """The widest run of Latin letters and digits of ``text`` (Chinese breaks between characters)."""
    return max((len(w) for w in re.findall(r"[A-Za-z0-9_./:@-]+", text)), default=0)


def fit_widths(headers: list[str], rows: list[list[str]], width: int | None,
               whole: Sequence[int] = ()) -> list[int]:
    """Column widths that keep a grid table within ``width`` columns (wide characters count 2).

    A grid line is the columns plus 3 per column and 1; columns that fit keep their width and the
    widest ones share what is left, none narrower than 8. Headers wrap 2 narrower: tabulate pads
    a column to its header plus 2. The columns listed in ``whole`` (stable ids a reader copies)
    are never narrower than their longest word, even if the table then runs wider than ``width``.
    """
    columns = list(zip(headers, *rows, strict=True))
    # tabulate pads a column to its (wrapped) header plus 2, so no column is narrower than 3.
    natural = [max(3, *(_cell_width(c) for c in column)) for column in columns]
    if width is None:
        return [min(n, _WIDTH) for n in natural]
    available = max(width - 3 * len(headers) - 1, 8 * len(headers))
    if sum(natural) <= available:
        return natural
    floor = _floors(columns, natural, available, whole)
    low, high = 0, max(natural)
    while low < high:                                   # the largest cap under which all fit
        cap = (low + high + 1) // 2
        if sum(max(f, min(n, cap)) for n, f in zip(natural, floor, strict=True)) <= available:
            low = cap
        else:
            high = cap - 1
    return [max(f, min(n, low)) for n, f in zip(natural, floor, strict=True)]


def _floors(columns: list[tuple[str, ...]], natural: list[int], available: int, whole: Sequence[int]) -> list[int]:
    """Each column's narrowest width: 8, its longest word where the width allows (up to
    :data:`_WORD`), and always its longest word for the ``whole`` columns."""
    words = [max(_longest_word(column[0]) + 2, *(_longest_word(c) for c in column[1:])) for column in columns]
    floor = [min(n, words[i] if i in whole else 8) for i, n in enumerate(natural)]
    for i in sorted(range(len(floor)), key=lambda i: words[i]):  # no word split where the width allows
        kept = min(natural[i], max(floor[i], min(words[i], _WORD)))
        if sum(floor) - floor[i] + kept <= available:
            floor[i] = kept
    return floor


def fitted_grid(headers: list[str], rows: list[list[str]], width: int | None = None,
                whole: Sequence[int] = ()) -> str:
    """``rows`` as a boxed table within ``width`` columns (cells shown safely; "" without rows);
    the words of the ``whole`` columns are never split (see :func:`fit_widths`)."""
    if not rows:
        return ""
    shown = [[shown_cell(c) for c in row] for row in rows]
    widths = fit_widths(headers, shown, width, whole)
    # Wrapped here, between words and never before closing punctuation (render.wrap), not by
    # tabulate, which splits words ("Suggeste / d") and miscounts wide characters.
    cells = [[wrap(c, w, floor=1) for c, w in zip(row, widths, strict=True)] for row in shown]
    heads = [wrap(h, max(w - 2, 1), floor=1) for h, w in zip(headers, widths, strict=True)]
    return tabulate(cells, headers=heads, tablefmt="simple_grid", disable_numparse=True)
