"""The first screen of a terminal result, the same summary for Markdown and HTML, and the
lines that close the result.

A person reads the answer first: the status of every algorithm, the next date (or why there is
none), the three most urgent dated actions of any kind with what is overdue, each open question
once with the features it affects, and how to get the full report (:func:`summary_parts`). The
short result (:mod:`engine.render.short`) or, with ``full``, every table
(:mod:`engine.render.table`) follows; the last lines repeat the status and the next action, so
the answer is on screen whichever end the person looks at.

Everything shown comes from the assessment; the only input of the reader's own is ``today``,
the day against which a due date counts as overdue (``--as-of`` or the current date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from engine.model.assessment import Action, Algorithm, Assessment, DueDate, StatusCount
from engine.model.base import Lang
from engine.render.labels import WORDS, word
from engine.render.table import render_table
from engine.render.wrap import clip, wrap
from engine.render.wrap import display_width as _display_width
from engine.sanitize import terminal_safe

_RED, _BOLD, _RESET = "\x1b[31m", "\x1b[1m", "\x1b[0m"


def _safe(name: str) -> str:
    """A user's name on one line with control characters shown, not obeyed (the summary adds colour itself)."""
    return terminal_safe(name, keep_newlines=False)


def _due_day(due: DueDate) -> dt.date | None:
    return due.date or due.estimate


def deadline_line(due: DueDate, today: dt.date, lang: Lang, *, color: bool = False) -> str:
    """"2026-03-16 (overdue)": a due date with its flag relative to ``today``."""
    day = _due_day(due)
    text = (day.isoformat() if day else "—") + ("" if due.date else f" ({word('estimate', lang)})")
    if day is not None and day < today:
        flag = f"（{word('overdue', lang)}）" if lang == "zh" else f" ({word('overdue', lang)})"
        text += f"{_RED}{flag}{_RESET}" if color else flag
    return text


def _colon(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def _flagged(day: dt.date | None, today: dt.date, lang: Lang) -> str:
    """A date with its overdue flag ("—" when there is none)."""
    text = day.isoformat() if day else "—"
    if day is not None and day < today:
        text += f"（{word('overdue', lang)}）" if lang == "zh" else f" ({word('overdue', lang)})"
    return text


def algorithm_label(al: Algorithm, several_products: bool) -> str:
    """An algorithm as a product manager knows it: by its features (and product, if several)."""
    features = "+".join(_safe(f) for f in al.features) or _safe(al.name.zh)
    if several_products:
        features += "（" + "、".join(_safe(p.name) for p in al.products) + "）"
    return features


def several_products(a: Assessment) -> bool:
    return len({p.index for al in a.algorithms for p in al.products}) > 1


def _label_notes(al: Algorithm, lang: Lang, *, twin: bool) -> str:
    """What tells an algorithm apart in its status group: its role when one feature has two
    algorithms, and its filing number once filed."""
    notes = ([al.role_label.get(lang)] if twin else []) + (
        [f"{word('filed_as', lang)} {al.filed.number}"] if al.filed is not None else [])
    return "".join(f"（{n}）" if lang == "zh" else f" ({n})" for n in notes)


def status_lines(a: Assessment, lang: Lang) -> list[str]:
    """The status of every algorithm, grouped by status in the assessment's own words; with
    several products, the algorithms of the same products together, the products named once."""
    several = several_products(a)
    labels = [algorithm_label(al, False) for al in a.algorithms]
    sep, colon = ("、", "；") if lang == "zh" else (", ", "; ")
    groups: dict[str, dict[tuple[str, ...], list[str]]] = {}
    for al, label in zip(a.algorithms, labels, strict=True):
        products = tuple(_safe(p.name) for p in al.products) if several else ()
        twin = sum(1 for other, x in zip(a.algorithms, labels, strict=True)
                   if x == label and other.products == al.products) > 1   # one feature, two algorithms
        label += _label_notes(al, lang, twin=twin)
        groups.setdefault(al.status_label.get(lang), {}).setdefault(products, []).append(label)
    lines = []
    for status, by_products in groups.items():
        parts = [sep.join(names) + ((f"（{'、'.join(p)}）" if lang == "zh" else f" ({', '.join(p)})") if p else "")
                 for p, names in by_products.items()]
        lines.append(f"{status}{_colon(lang)}{colon.join(parts)}")
    return lines


def action_when(action: Action, lang: Lang) -> str:
    """What an action's date counts from: "10 working days after launch on …" or "before launch on …"."""
    event = word(action.event, lang)
    if action.working_days is None:
        return word("before_event", lang).format(event=event, date=action.event_date.isoformat())
    if lang == "zh":
        return f"{event} {action.event_date.isoformat()} 后第{action.working_days}个工作日"
    return f"{action.working_days} working days after {event} on {action.event_date.isoformat()}"


def action_line(action: Action, today: dt.date, lang: Lang, *, several: bool) -> str:
    """One dated action: the date (flagged when past), what it is, and for whom when there are several products."""
    day = action.date or action.estimate
    date = _flagged(day, today, lang) + ("" if action.date else f" ({word('estimate', lang)})")
    title = action.title.get(lang)
    practice = (f"[{word('kind_practice', lang)}] " if action.basis_kind == "practice"
                and not _says_practice(title, lang) else "")
    product = f"{_safe(action.product.name)}{_colon(lang)}" if several else ""
    return f"{date} {product}{practice}{_safe(title)}"


def _says_practice(title: str, lang: Lang) -> bool:
    """A title that opens with "（实务）" / "(practice)" already says what the tag would."""
    kind = word("kind_practice", lang)
    return title.startswith(f"（{kind}）" if lang == "zh" else f"({kind})")


def _overdue(a: Assessment, today: dt.date) -> int:
    return sum(1 for x in a.filing.actions if (x.date or x.estimate or today) < today)


def grouped_questions(a: Assessment, lang: Lang) -> list[tuple[str, list[str]]]:
    """Each open question once, with the features (or products) it concerns, in order of first appearance."""
    found: dict[str, list[str]] = {}
    for q in a.open_questions:
        where = found.setdefault(q.question.get(lang), [])
        name = _safe(q.feature or q.product or "")
        if name and name not in where:
            where.append(name)
    return list(found.items())


def question_line(text: str, where: Sequence[str], lang: Lang) -> str:
    """A question after the features it affects (first, so a cut line still says where)."""
    if not where:
        return text
    joined = "、".join(where) if lang == "zh" else ", ".join(where)
    return f"{joined}{_colon(lang)}{text}"


def _hint_lines(label: str, hint: str, width: int) -> list[str]:
    """The line naming a command: the command is never broken; it goes on a line of its own if need be."""
    line = f"{label}{hint}"
    return [line] if _display_width(line) <= width else [label.rstrip(), "  " + hint]


@dataclass(frozen=True)
class SummaryParts:
    """The summary's lines, unclipped: the terminal cuts them to its width, Markdown and HTML
    show them whole, so every format opens with the same summary."""

    status: str
    groups: list[str]
    next_due: str
    urgent_title: str | None
    urgent: list[str]
    questions_title: str
    questions: list[str]
    more: str | None


def summary_parts(a: Assessment, lang: Lang, *, today: dt.date, shown_questions: int = 2) -> SummaryParts:
    """What the summary says: status per algorithm, the next date (or why none), the three most
    urgent dated actions (overdue counted), and the open questions once each."""
    colon = _colon(lang)
    status = a.filing.label.get(lang)
    head = status + counts_text(a, lang) if len(a.filing.counts) > 1 else (
        word("summary_status_count", lang).format(status=status, n=len(a.algorithms)) if a.algorithms else status)
    nxt = a.filing.next_due
    if nxt is not None:
        label = word("summary_next_due" if nxt.basis_kind == "statute" else "summary_next_recommended", lang)
        next_due = f"{label}{colon}{deadline_line(nxt.due, today, lang)} {nxt.title.get(lang)}"
    else:
        reason = a.filing.no_due.get(lang) if a.filing.no_due else word("summary_no_dates", lang)
        next_due = f"{word('summary_next_due', lang)}{colon}{reason}"
    urgent_title, urgent = None, []
    if a.filing.actions:
        overdue = _overdue(a, today)
        urgent_title = (word("summary_urgent_overdue", lang).format(n=overdue) if overdue
                        else word("summary_urgent", lang))
        several = several_products(a)
        urgent = [action_line(action, today, lang, several=several) for action in a.filing.actions[:3]]
    questions = grouped_questions(a, lang)
    more = (word("summary_more", lang).format(n=len(questions) - shown_questions)
            if len(questions) > shown_questions else None)
    return SummaryParts(
        status=f"{word('summary_status', lang)}{colon}{head}", groups=status_lines(a, lang), next_due=next_due,
        urgent_title=urgent_title, urgent=urgent,
        questions_title=(word("summary_open_short", lang).format(n=len(questions)) if questions
                         else word("summary_open_none", lang)),
        questions=[question_line(text, where, lang) for text, where in questions[:shown_questions]], more=more)


def render_summary(a: Assessment, lang: Lang, *, today: dt.date, width: int = 80, color: bool = False,
                   report_hint: str | None = None) -> str:
    """The first screen: status per algorithm, the next date (or why none), the three most urgent
    actions with dates (overdue counted), open questions once each, and how to get the full report.

    Lines that would wrap are cut with "…" (the detail follows below and in the full report), so
    the screen keeps its height whatever the texts: 15 lines at 80 columns for a product with up to
    three groups of algorithm status, one open question and a one-line report hint.
    """
    colon, cols = _colon(lang), min(width, 100) if width >= 40 else width
    parts = summary_parts(a, lang, today=today)
    lines = [parts.status] + [wrap("  " + line, cols, "    ") for line in parts.groups]
    lines.append(clip(parts.next_due, cols) if a.filing.next_due is not None else wrap(parts.next_due, cols, "  "))
    if parts.urgent_title:
        lines.append(parts.urgent_title)
        lines += [clip(f"  {n}. {line}", cols) for n, line in enumerate(parts.urgent, start=1)]
    lines.append(parts.questions_title)
    lines += [clip(f"  • {line}", cols) for line in parts.questions]
    if parts.more:
        lines.append("  " + parts.more)
    if report_hint:
        lines += _hint_lines(f"{word('summary_full_report', lang)}{colon}", report_hint, cols)
    rule = "─" * cols
    text = f"{rule}\n" + "\n".join(lines) + f"\n{rule}\n"
    if color:
        status = a.filing.label.get(lang)
        first = f"{word('summary_status', lang)}{colon}"
        text = text.replace(first + status, first + f"{_BOLD}{status}{_RESET}", 1)
    return paint(text, lang) if color else text


def counts_text(a: Assessment, lang: Lang) -> str:
    """"（3 个需要备案，2 个建议备案）": the algorithms per status, so the headline names them all."""
    if not a.filing.counts or (len(a.filing.counts) == 1 and len(a.algorithms) == 1):
        return ""
    parts = [_count(c, lang) for c in a.filing.counts]
    return f"（{'，'.join(parts)}）" if lang == "zh" else f" ({', '.join(parts)})"


def _count(c: StatusCount, lang: Lang) -> str:
    """"3 个需要备案": the renderers' own words for the shipped statuses, else the count with the
    status's label (a status added to the vocabulary shows without a word of its own)."""
    if f"count_{c.status}" in WORDS:
        return word(f"count_{c.status}", lang).format(n=c.count)
    return f"{c.count} 个{c.label.zh}" if lang == "zh" else f"{c.count} {c.label.en}"


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
def paint(text: str, lang: Lang) -> str:
    """``text`` with every overdue flag in red: coloured after the layout, so widths count only what shows."""
    flag = f"（{word('overdue', lang)}）" if lang == "zh" else f" ({word('overdue', lang)})"
    return text.replace(flag, f"{_RED}{flag}{_RESET}")


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
                    color: bool = False, report_hint: str | None = None, full: bool = False,
                    html_hint: str | None = None) -> str:
    """The first screen, then the short result (or, with ``full``, every detail table fitted to
    ``width``), then the closing lines; ``html_hint`` is the command that writes the HTML report."""
    from engine.render.short import render_short

    head = render_summary(a, lang, today=today, width=width, color=color, report_hint=report_hint) + "\n"
    if full:
        body = render_table(a, lang, width=width, ids=ids)
    else:
        body = render_short(a, lang, today=today, width=width, color=color)
    closing = render_closing(a, lang, width=width)
    if html_hint:
        closing += "\n".join(_hint_lines(word("html_hint", lang), html_hint, min(width, 80))) + "\n"
    return head + body + "\n" + closing
