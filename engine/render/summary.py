"""The one-screen summary that opens a terminal result, and the lines that close it.

A person reads the answer first: the status in words, the algorithms to file, the next
deadline (flagged when it has passed), what is still open and where the full report is. The
detail tables follow (:mod:`engine.render.table`); the last lines repeat the status and the next
action, so the answer is on screen whichever end the person looks at.

Everything shown comes from the assessment; the only input of the reader's own is ``today``,
the day against which a due date counts as overdue (``--as-of`` or the current date).
"""

from __future__ import annotations

import datetime as dt

from engine.model.assessment import Algorithm, Assessment, DueDate
from engine.model.base import Lang
from engine.render.labels import word
from engine.render.table import cites, counted_from, render_table
from engine.render.wrap import wrap
from engine.sanitize import terminal_safe

_RED, _BOLD, _RESET = "\x1b[31m", "\x1b[1m", "\x1b[0m"


def _safe(name: str) -> str:
    """A user's name on one line with control characters shown, not obeyed (the summary adds colour itself)."""
    return terminal_safe(name, keep_newlines=False)


def _due_day(due: DueDate) -> dt.date | None:
    return due.date or due.estimate


def _since(due: DueDate, lang: Lang) -> str:
    return f"{_safe(due.product.name)}{'：' if lang == 'zh' else ': '}{counted_from(due, lang)}"


def deadline_line(due: DueDate, today: dt.date, lang: Lang, *, color: bool = False) -> str:
    """"2026-03-16 (overdue)": a due date with its flag relative to ``today``."""
    day = _due_day(due)
    text = (day.isoformat() if day else "—") + ("" if due.date else f" ({word('estimate', lang)})")
    if day is not None and day < today:
        flag = f"（{word('overdue', lang)}）" if lang == "zh" else f" ({word('overdue', lang)})"
        text += f"{_RED}{flag}{_RESET}" if color else flag
    return text


def render_summary(a: Assessment, lang: Lang, *, today: dt.date, width: int = 80, color: bool = False,
                   report_hint: str | None = None) -> str:
    """The summary screen: status, algorithms, next deadline, open questions, the full report."""
    colon = "：" if lang == "zh" else ": "
    lines: list[str] = []
    status = a.filing.label.get(lang)
    lines.append(f"{word('summary_status', lang)}{colon}" + (f"{_BOLD}{status}{_RESET}" if color else status)
                 + counts_text(a, lang))
    count = len(a.algorithms)
    if a.algorithms:
        lines.append(word("summary_algorithms", lang).format(n=count))
        for n, al in enumerate(a.algorithms, start=1):
            sep = " · "
            lines.append(f"  {n}. {_safe(al.name.get(lang))}{sep}{al.type_label.get(lang)}"
                         f"{sep}{al.role_label.get(lang)}{sep}{a_status(al.status, lang)}"
                         + algorithm_due(al, today, lang))
    else:
        lines.append(word("summary_no_algorithms", lang))
    nxt = a.filing.next_due
    if nxt is not None:
        kind = "" if nxt.basis_kind == "statute" else (f"（{word('due_recommended', lang)}）" if lang == "zh"
                                                       else f" ({word('due_recommended', lang)})")
        lines.append(f"{word('summary_next_due', lang)}{colon}{deadline_line(nxt.due, today, lang, color=color)}"
                     f"{kind}  {_since(nxt.due, lang)}")
        lines.append(f"  {nxt.title.get(lang)}（{cites(nxt.basis, lang)}）" if lang == "zh"
                     else f"  {nxt.title.get(lang)} ({cites(nxt.basis, lang)})")
    else:
        lines.append(f"{word('summary_next_due', lang)}{colon}{word('summary_no_dates', lang)}")
    if a.open_questions:
        lines.append(word("summary_open", lang).format(n=len(a.open_questions)))
        for q in a.open_questions[:3]:
            where = " / ".join(_safe(x) for x in (q.product, q.feature) if x)
            lines.append(f"  • {q.question.get(lang)}" + (f"（{where}）" if lang == "zh" and where else
                                                            f" ({where})" if where else ""))
        if len(a.open_questions) > 3:
            lines.append("  …")
    else:
        lines.append(f"{word('summary_open_none', lang)}")
    if report_hint:
        lines.append(f"{word('summary_full_report', lang)}{colon}{report_hint}")
    rule = "─" * min(width, 80)
    body = "\n".join(wrap(line, width, "    ") for line in lines)
    return f"{rule}\n{body}\n{rule}\n"


def counts_text(a: Assessment, lang: Lang) -> str:
    """"（3 个需要备案，2 个建议备案）": the algorithms per status, so the headline names them all."""
    if not a.filing.counts or (len(a.filing.counts) == 1 and len(a.algorithms) == 1):
        return ""
    parts = [word(f"count_{c.status}", lang).format(n=c.count) for c in a.filing.counts]
    return f"（{'，'.join(parts)}）" if lang == "zh" else f" ({', '.join(parts)})"


def algorithm_due(al: Algorithm, today: dt.date, lang: Lang) -> str:
    """" · 建议 2025-06-16": when to file one algorithm, a recommended date said as such; or its number."""
    if al.filed is not None:
        return f" · {word('filed_as', lang)} {al.filed.number}"
    if al.filing_due is None:
        return ""
    key = "due_statutory_short" if al.filing_due.basis_kind == "statute" else "due_recommended_short"
    return f" · {word(key, lang)} {deadline_line(al.filing_due.due, today, lang)}"


def a_status(status: str, lang: Lang) -> str:
    """An algorithm's status in words (the summary lists only what is not plainly required)."""
    return word(f"status_{status}", lang)


def next_action(a: Assessment, lang: Lang) -> str:
    """What to do first, from the assessment: settle the open questions, or the first filing step."""
    if a.filing.status == "needs_review":
        return word("action_review", lang)
    if a.filing.status == "not_required" or not a.steps:
        return word("action_none", lang)
    step = a.steps[0]
    return f"{step.title.get(lang)}" + ("：" if lang == "zh" else ": ") + step.what.get(lang)


def render_closing(a: Assessment, lang: Lang, *, width: int = 80) -> str:
    """The last lines: the status and the next action again."""
    colon = "：" if lang == "zh" else ": "
    lines = [f"{word('summary_status', lang)}{colon}{a.filing.label.get(lang)}",
             f"{word('next_action', lang)}{colon}{next_action(a, lang)}"]
    return "\n".join(wrap(line, width, "    ") for line in lines) + "\n"


def render_terminal(a: Assessment, lang: Lang, *, today: dt.date, width: int = 80, ids: bool = False,
                    color: bool = False, report_hint: str | None = None) -> str:
    """Summary first, then every detail table fitted to ``width``, then the closing lines."""
    return (render_summary(a, lang, today=today, width=width, color=color, report_hint=report_hint)
            + "\n" + render_table(a, lang, width=width, ids=ids) + "\n"
            + render_closing(a, lang, width=width))
