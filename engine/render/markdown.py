"""The assessment as a Markdown report: the summary first, then compact tables and the checklist.

It opens with the same summary as the terminal (:func:`engine.render.summary.summary_parts`),
unclipped. Tables are not padded (a padded table of long Chinese cells made a 54 KB file that
was unreadable as text); stable ids appear only with ``ids``.
"""

from __future__ import annotations

import datetime as dt
import re

from engine.model.assessment import Assessment, ObligationOut
from engine.model.base import Lang, Text
from engine.render.labels import word
from engine.render.summary import grouped_questions, question_line, summary_parts
from engine.render.table import (
    calendar_text,
    cites,
    product_names,
    references,
    split_duties,
    target_text,
    with_dates,
    with_due,
)
from engine.sanitize import markdown_text

_CODE_SAFE = re.compile(r"^[A-Za-z0-9_.\[\]:+-]*$")


class _Code(str):
    """A cell shown as code (an id or a key path)."""


def _cell(text: str) -> str:
    """A table cell as literal text: no HTML, no links, no forged rows (lines join with ``<br>``)."""
    if isinstance(text, _Code) and _CODE_SAFE.match(text):
        return f"`{text}`"
    return markdown_text(text)


def _md_table(headers: list[str], rows: list[list[str]], lang: Lang) -> str:
    """A GitHub table without padding: as short as the text allows, as readable as a list."""
    if not rows:
        return word("none", lang) + "\n"
    out = ["| " + " | ".join(markdown_text(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def _label(label: Text | None, value: str | None, lang: Lang, ids: bool) -> str:
    """A stable id in words (the id after it, as code, only with ``ids``)."""
    if value is None:
        return "—"
    text = label.get(lang) if label is not None else "—"
    return f"{text} [{value}]" if ids else text


def summary_markdown(a: Assessment, lang: Lang, *, today: dt.date) -> list[str]:
    """The summary the terminal opens with, as a Markdown list."""
    parts = summary_parts(a, lang, today=today, shown_questions=len(a.open_questions))
    lines = [f"- **{markdown_text(parts.status)}**"] + [f"  - {markdown_text(g)}" for g in parts.groups]
    lines.append(f"- {markdown_text(parts.next_due)}")
    if parts.urgent_title:
        lines.append(f"- {markdown_text(parts.urgent_title)}")
        lines += [f"  {n}. {markdown_text(line)}" for n, line in enumerate(parts.urgent, start=1)]
    lines.append(f"- {markdown_text(parts.questions_title)}")
    lines += [f"  - {markdown_text(q)}" for q in parts.questions]
    return [*lines, ""]


def _duty_table(duties: list[ObligationOut], lang: Lang, ids: bool) -> str:
    """Duties with their deadline (and dates) and basis: the filer's, or the platform's checks."""
    return _md_table(
        [word("duty", lang), word("deadline", lang), word("basis", lang)] + (["id"] if ids else []),
        [[o.title.get(lang), with_due(o, lang), cites(o.basis, lang, o.basis_kind), *_id_column(ids, o.id)]
         for o in duties], lang)


def _platform_checks(a: Assessment, lang: Lang, ids: bool) -> list[str]:
    """What the store or platform will check, under a heading of its own after the filer's duties
    (rulings.md #19: those bind the platform, not the filer); nothing when none applies."""
    platform = split_duties(a)[1]
    if not platform:
        return []
    return [f"## {word('platform_checks', lang)}", "", markdown_text(word("platform_checks_note", lang)), "",
            _duty_table(platform, lang, ids)]


def render_markdown(a: Assessment, lang: Lang, *, today: dt.date | None = None, ids: bool = False) -> str:
    """A self-contained Markdown report: the summary, then every section (ids only with ``ids``).

    ``today`` decides which dates are flagged overdue; by default the date the rules were applied
    for, so the same answers give the same bytes.
    """
    day = today or a.filing.as_of
    status = a.filing.label.get(lang) + (f" (`{a.filing.status}`)" if ids else "")
    lines: list[str] = [f"# {word('report_title', lang)}{'：' if lang == 'zh' else ': '}{status}", ""]
    lines += summary_markdown(a, lang, today=day)
    lines.append(f"{word('as_of', lang)}: {a.filing.as_of.isoformat()} · "
                 f"{word('rules_version', lang)}: `{a.rules_version}`")
    lines.append("")
    lines += _reasons(a, lang, ids) + _algorithms(a, lang, ids) + _obligations(a, lang, ids)
    if (calendar := calendar_text(a, lang)) is not None:
        lines += [f"> **{word('calendar', lang)}**: {calendar}", ""]
    lines += _platform_checks(a, lang, ids)
    lines += _materials(a, lang, ids)
    lines += _steps(a, lang) + _display(a, lang, ids) + _questions(a, lang, ids) + _references(a, lang)
    lines += ["", "---", "", f"*{word('not_legal_advice', lang)}*", ""]
    return "\n".join(lines)


def _section(title: str, table: str) -> list[str]:
    """A second-level heading and its table."""
    return [f"## {title}", "", table]


def _id_column(ids: bool, value: str) -> list[str]:
    """The id cell, as code, only with ``ids``."""
    return [_Code(value)] if ids else []


def _reasons(a: Assessment, lang: Lang, ids: bool) -> list[str]:
    """Why the filing status is what it is: each reason, its basis and the products it concerns."""
    return _section(word("reasons", lang), _md_table(
        [word("reason", lang), word("basis", lang), word("products", lang)] + (["id"] if ids else []),
        [[r.title.get(lang) + "\n" + r.explanation.get(lang), cites(r.basis, lang, r.basis_kind),
          ", ".join(r.products), *_id_column(ids, r.rule)] for r in a.filing.reasons], lang))


def _algorithms(a: Assessment, lang: Lang, ids: bool) -> list[str]:
    """The algorithms found: type, role, filing status, where they run and their generative route."""
    return _section(word("algorithms", lang), _md_table(
        [word("name", lang), word("type", lang), word("role", lang), word("status", lang),
         word("products", lang), word("features", lang), word("genai", lang)] + (["id"] if ids else []),
        [[al.name.get(lang),
          al.type_label.get(lang) + (f" ({_label(al.subtype_label, al.subtype, lang, ids)})" if al.subtype else ""),
          al.role_label.get(lang), _label(al.status_label, al.status, lang, ids),
          ", ".join(product_names(al.products)), ", ".join(al.features),
          _label(al.genai_route_label, al.genai_route, lang, ids), *_id_column(ids, al.id)]
         for al in a.algorithms], lang))


def _obligations(a: Assessment, lang: Lang, ids: bool) -> list[str]:
    """The filer's duties with their deadline (and date) and basis; the platform's come later."""
    return _section(word("obligations", lang), _duty_table(split_duties(a)[0], lang, ids))


def _steps(a: Assessment, lang: Lang) -> list[str]:
    """The filing steps in order, with their statutory and practice dates."""
    return _section(word("steps", lang), _md_table(
        ["#", word("step", lang), word("statutory", lang), word("practice", lang)],
        [[str(s.order), s.title.get(lang) + "\n" + s.what.get(lang), *with_dates(s, lang)] for s in a.steps], lang))


def _display(a: Assessment, lang: Lang, ids: bool) -> list[str]:
    """Where each product shows its filing number."""
    return _section(word("display", lang), _md_table(
        [word("product", lang), word("form", lang), word("location", lang)],
        [[d.product, _label(d.form_label, d.form, lang, ids), d.location.get(lang)] for d in a.display], lang))


def _questions(a: Assessment, lang: Lang, ids: bool) -> list[str]:
    """The open questions, each once with the features it is asked about."""
    fields = {q.question.get(lang): q.field for q in a.open_questions}
    return _section(word("open_questions", lang), _md_table(
        [word("question", lang), word("features", lang)] + ([word("field", lang)] if ids else []),
        [[text, ", ".join(where), *_id_column(ids, fields[text])] for text, where in grouped_questions(a, lang)],
        lang))


def _references(a: Assessment, lang: Lang) -> list[str]:
    """The legal references, each heading with its items on one line."""
    colon = "：" if lang == "zh" else ": "
    sep = "、" if lang == "zh" else "; "
    return [f"## {word('references', lang)}", "",
            *(f"- {heading}" + (colon + sep.join(items) if items else "") for heading, items in references(a, lang))]


def _materials(a: Assessment, lang: Lang, ids: bool) -> list[str]:
    """The checklist by who prepares it; each pitfall under its own material; the algorithm of each item."""
    lines = [f"## {word('materials', lang)}", ""]
    algorithms = {al.id: al.name for al in a.algorithms}
    for scope in ("entity", "product", "algorithm"):
        items = [m for m in a.materials if m.scope == scope]
        if not items:
            continue
        lines += [f"### {word('scope_' + scope, lang)}", ""]
        for m in items:
            code = f" (`{m.id}`)" if ids else ""
            targets = "" if scope == "entity" else " — " + markdown_text(
                ", ".join(target_text(t, lang, algorithms) for t in m.applies_to))
            contents = markdown_text(m.contents.get(lang))
            lines.append(f"- [ ] **{markdown_text(m.name.get(lang))}**{code}{targets}: {contents}")
            lines += [f"  - ⚠ {markdown_text(p.text.get(lang))}" for p in m.pitfalls]
        lines.append("")
    return lines


__all__ = ["question_line", "render_markdown", "summary_markdown"]
