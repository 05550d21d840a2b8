"""The default terminal result: what a product manager plans with, in about two screens.

After the first screen (:func:`engine.render.summary.render_summary`): the algorithms, every
dated action earliest first, the steps with their dates or durations, the open questions once
each with the features they affect, and the materials grouped by who prepares them (the
company once, each product, each algorithm). Every duty, citation, pitfall and the trace stay in
``--full``, the JSON and the HTML report. Nothing here is concluded: it shows the assessment.
"""

from __future__ import annotations

import datetime as dt

from engine.model.assessment import Assessment, MaterialOut, StepOut
from engine.model.base import Lang
from engine.render.labels import word
from engine.render.summary import (
    _safe,
    action_line,
    action_when,
    algorithm_due,
    algorithm_label,
    grouped_questions,
    paint,
    question_line,
    several_products,
)
from engine.render.table import cites, date_span, split_duties, target_text
from engine.render.wrap import wrap


def _section(title: str, lines: list[str], width: int) -> list[str]:
    return [f"\n== {title} =="] + [wrap(line, width, "     ") for line in lines]


def _algorithms(a: Assessment, lang: Lang, today: dt.date) -> list[str]:
    sep = " · "
    several = several_products(a)
    out = []
    for n, al in enumerate(a.algorithms, start=1):
        shown = al.genai_route_label is not None and al.genai_route != "genai_none"
        genai = f"{sep}{al.genai_route_label.get(lang)}" if al.genai_route_label and shown else ""
        out.append(f"{n:>2}. {_safe(al.name.get(lang))}{sep}{al.type_label.get(lang)}{sep}"
                   f"{al.status_label.get(lang)}{algorithm_due(al, today, lang)}{genai}{sep}"
                   f"{algorithm_label(al, several)}")
    return out


def _actions(a: Assessment, lang: Lang, today: dt.date) -> list[str]:
    several = several_products(a)
    colon = "：" if lang == "zh" else ": "
    out = []
    for action in a.filing.actions:
        when = action_when(action, lang)
        if action.start_by is not None:
            when += ("，" if lang == "zh" else "; ") + word("start_by", lang).format(date=action.start_by.isoformat())
        out.append(f" • {action_line(action, today, lang, several=several)}"
                   f"{'（' if lang == 'zh' else ' ('}{when}{'）' if lang == 'zh' else ')'}")
    if not out and a.filing.no_due is not None:
        out.append(f" {word('summary_next_due', lang)}{colon}{a.filing.no_due.get(lang)}")
    return out


def step_span(step: StepOut, lang: Lang) -> str:
    """A step's duration (statutory working days, practice days) and its dates where computed."""
    parts = []
    d = step.duration
    if d.statutory_working_days is not None:
        parts.append(f"{word('statutory_by', lang)} {d.statutory_working_days}{word('working_days', lang)}")
    if d.practice_min_days is not None and d.practice_max_days is not None:
        days = (word("same_day", lang) if d.practice_max_days == 0 else
                word("days_one", lang).format(a=d.practice_max_days) if d.practice_min_days == d.practice_max_days
                else word("days_range", lang).format(a=d.practice_min_days, b=d.practice_max_days))
        parts.append(f"{word('practice_window', lang)} {days}")
    for dates in step.dates:
        span = date_span(dates, lang)
        if span:
            joined = ("，" if lang == "zh" else ", ").join(span)
            parts.append(f"{_safe(dates.product.name)} {dates.start.isoformat()} → {joined}")
    return "; ".join(parts) if lang == "en" else "；".join(parts)


def _steps(a: Assessment, lang: Lang) -> list[str]:
    colon = "：" if lang == "zh" else ": "
    return [f"{s.order:>2}. {s.title.get(lang)}" + (colon + span if (span := step_span(s, lang)) else "")
            for s in a.steps]


def _material(m: MaterialOut, a: Assessment, lang: Lang) -> str:
    if m.scope == "entity" or (m.scope == "product" and not several_products(a)):
        return m.name.get(lang)
    names = {al.id: al for al in a.algorithms}
    several = several_products(a)
    targets = []
    for t in m.applies_to:
        al = names.get(t.id) if t.kind == "algorithm" else None
        text = algorithm_label(al, several) if al is not None else _safe(target_text(t, lang))
        if text not in targets:
            targets.append(text)
    if m.scope == "algorithm" and len(targets) == len(a.algorithms) and len(targets) > 1:
        return m.name.get(lang)
    sep = "、" if lang == "zh" else ", "
    return f"{m.name.get(lang)}{'（' if lang == 'zh' else ' ('}{sep.join(targets)}{'）' if lang == 'zh' else ')'}"


def _materials(a: Assessment, lang: Lang) -> list[str]:
    colon = "：" if lang == "zh" else ": "
    sep = "、" if lang == "zh" else "; "
    out = []
    for scope in ("entity", "product", "algorithm"):
        items = [_material(m, a, lang) for m in a.materials if m.scope == scope]
        if items:
            out.append(f" ☐ {word('prepared_' + scope, lang)}{colon}{sep.join(items)}")
    return out


def _platform_checks(a: Assessment, lang: Lang) -> list[str]:
    """What the app store or mini-program platform will check at listing, with its article: the
    platform's duty, not the filer's (rulings.md #19), so it is not among the filer's actions."""
    left, right = ("（", "）") if lang == "zh" else (" (", ")")
    return [f" • {o.title.get(lang)}{left}{cites(o.basis, lang)}{right}" for o in split_duties(a)[1]]


def render_short(a: Assessment, lang: Lang, *, today: dt.date, width: int = 80, color: bool = False) -> str:
    """Algorithms, dated actions, steps, open questions and materials, each a short list."""
    lines: list[str] = []
    if a.algorithms:
        lines += _section(word("short_algorithms", lang), _algorithms(a, lang, today), width)
    lines += _section(word("short_actions", lang), _actions(a, lang, today) or [word("none", lang)], width)
    questions = grouped_questions(a, lang)
    if questions:
        lines += _section(word("open_questions", lang),
                          [f" • {question_line(text, where, lang)}" for text, where in questions], width)
    if a.materials:
        lines += _section(word("short_materials", lang), _materials(a, lang), width)
    if a.steps:
        lines += _section(word("short_steps", lang), _steps(a, lang), width)
    if checks := _platform_checks(a, lang):
        lines += _section(word("platform_checks", lang), checks, width)
    lines.append("\n" + word("not_legal_advice", lang))
    text = "\n".join(lines).lstrip("\n") + "\n"
    return paint(text, lang) if color else text
