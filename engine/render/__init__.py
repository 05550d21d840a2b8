"""Renderers: an assessment in, text out. They do no rule work.

The renderers are imported when first used, so that a light module of this package (``wrap``,
which ``algo-filing ask`` needs before its first question) does not load them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from engine.model.assessment import Assessment
    from engine.model.base import Lang
    from engine.render.html import render_html
    from engine.render.markdown import render_markdown
    from engine.render.table import render_table

FORMATS = ("table", "json", "markdown", "html")

_LAZY = {"render_html": "engine.render.html", "render_markdown": "engine.render.markdown",
         "render_table": "engine.render.table"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render(assessment: Assessment, fmt: str, lang: Lang, *, today: dt.date | None = None, ids: bool = False) -> str:
    """Render ``assessment`` as ``table``, ``json``, ``markdown`` or ``html`` in ``lang``.

    Markdown and HTML open with the terminal's summary; ``today`` flags what is overdue (by default
    the date the rules were applied for) and stable ids are shown only with ``ids``.
    """
    from engine.render.html import render_html
    from engine.render.markdown import render_markdown
    from engine.render.table import render_table

    if fmt == "json":
        return assessment.to_json()
    if fmt == "markdown":
        return render_markdown(assessment, lang, today=today, ids=ids)
    if fmt == "html":
        return render_html(assessment, lang, today=today, ids=ids)
    return render_table(assessment, lang)


__all__ = ["FORMATS", "render", "render_html", "render_markdown", "render_table"]
