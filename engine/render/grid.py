"""The one boxed-table look of the terminal: every grid the CLI prints is drawn here."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate


def grid(rows: Sequence[Sequence[str]], *, widths: Sequence[int], headers: Sequence[str] = ()) -> str:
    """``rows`` as a boxed table, each column wrapped at its width; cells are shown as text, never as numbers."""
    return tabulate([list(r) for r in rows], headers=list(headers), tablefmt="simple_grid",
                    maxcolwidths=list(widths), disable_numparse=True)
