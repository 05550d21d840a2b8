"""The assessment as one self-contained, printable HTML page.

The page is what a person hands on (to a lawyer, a manager, a client): no external resource
(styles are inline, no script, no web font, no image), print styles for A4, and every text that
comes from the answers or the catalogue escaped with :func:`html.escape`, so a product named
``<script>…</script>`` is shown as those characters and never run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape

from engine.model.assessment import Assessment, MaterialOut, ObligationOut, StepOut
from engine.model.base import Lang, Text
from engine.render.labels import word
from engine.render.summary import grouped_questions, summary_parts
from engine.render.table import (
    calendar_text,
    cites,
    deadline_text,
    due_line,
    duration_text,
    product_names,
    references,
    split_duties,
    target_text,
)
from engine.sanitize import terminal_safe

_CSS = """
:root { --ink: #1d232b; --muted: #5b6570; --line: #d5dae0; --soft: #f4f6f8; --accent: #1f5f99; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55; font-size: 14px;
  font-family: "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "Helvetica Neue",
  Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 28px 32px 40px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 2px; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; color: var(--accent); }
.status { display: inline-block; padding: 6px 14px; border-radius: 6px; font-size: 18px; font-weight: 700;
  border: 2px solid currentColor; }
.status-required { color: #a1260d; background: #fdf0ec; }
.status-needs_review { color: #8a5a00; background: #fff7e0; }
.status-recommended { color: #1d4f91; background: #eaf1fb; }
.status-not_required { color: #23713a; background: #ecf7ef; }
.status small { font-weight: 400; font-size: 13px; margin-left: 6px; }
.meta { color: var(--muted); font-size: 13px; margin: 10px 0 0; }
.meta span { margin-right: 18px; }
code, .id { font-family: "SFMono-Regular", Consolas, "Liberation Mono", monospace; font-size: 12px;
  color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin: 6px 0 10px; table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: 6px 8px; vertical-align: top; text-align: left;
  overflow-wrap: break-word; }
td .id { overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; }
td.due { font-weight: 600; }
.reason { margin: 8px 0; padding: 8px 12px; border-left: 4px solid var(--line); background: var(--soft); }
.reason strong { display: block; }
.basis { color: var(--muted); font-size: 12.5px; }
.note { color: var(--muted); font-size: 12.5px; background: var(--soft); padding: 8px 12px; border-radius: 4px; }
ul.checklist { list-style: none; padding: 0; margin: 0; }
ul.checklist > li { padding: 8px 0; border-bottom: 1px dashed var(--line); }
ul.checklist label { font-weight: 600; }
ul.checklist input { width: 15px; height: 15px; margin: 0 8px 0 0; vertical-align: -2px; }
.contents { margin: 2px 0 0 23px; }
ul.pitfalls { margin: 4px 0 0 23px; padding: 0; list-style: none; color: #8a3b12; font-size: 13px; }
ol.timeline { list-style: none; margin: 0 0 0 10px; padding: 0 0 0 22px; border-left: 3px solid var(--accent); }
ol.timeline > li { position: relative; margin: 0 0 16px; padding-left: 10px; }
ol.timeline > li::before { content: ""; position: absolute; left: -31px; top: 4px; width: 13px; height: 13px;
  border-radius: 50%; background: #fff; border: 3px solid var(--accent); }
.step-title { font-weight: 700; }
.step-what { margin: 2px 0; }
.durations { font-size: 13px; color: var(--muted); }
.dates { margin: 4px 0 0; font-size: 13px; }
.dates li { margin: 2px 0; }
footer { margin-top: 32px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted);
  font-size: 12.5px; }
.disclaimer { font-weight: 700; color: var(--ink); }
ul.summary { margin: 14px 0 0; padding: 10px 14px 10px 30px; background: var(--soft); border-radius: 6px; }
ul.summary li { margin: 3px 0; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, li, .reason { break-inside: avoid; }
  .status { border-width: 1px; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: str) -> str:
    """Text as HTML that only shows: tags escaped, and control characters, line separators and
    bidi overrides shown as ``\\u202e`` as on the terminal and in Markdown (U+202E would reverse
    the rest of a line in a browser, e.g. the due date)."""
    return terminal_safe(escape(text, quote=True))


def _t(text: Text | None, lang: Lang) -> str:
    return _e(text.get(lang)) if text is not None else "—"


def _table(headers: list[str], widths: list[int], rows: list[list[str]], lang: Lang,
           due_col: int | None = None) -> str:
    """An HTML table of cells that are already escaped HTML; ``widths`` in percent, so it fits a page."""
    if not rows:
        return f"<p>{_e(word('none', lang))}</p>"
    cols = "".join(f"<col style=\"width: {w}%\">" for w in widths)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="due">{c}</td>' if i == due_col else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _lines(items: Sequence[str]) -> str:
    return "<br>".join(_e(i) for i in items) or "—"


def _id(value: str | None, ids: bool, before: str = "<br>") -> str:
    """A stable id, shown only with ``ids``."""
    return f"{before}<span class=\"id\">{_e(value)}</span>" if ids and value else ""


def _header(a: Assessment, lang: Lang, ids: bool) -> str:
    f = a.filing
    return (
        f"<header><h1>{_e(word('report_title', lang))}</h1>"
        f"<p class=\"subtitle\">{_e(word('report_subtitle', lang))}</p>"
        f"<div class=\"status status-{_e(f.status)}\" id=\"status\">{_e(f.label.get(lang))}"
        + (f"<small>({_e(f.status)})</small>" if ids else "") + "</div>"
        f"<p class=\"meta\"><span>{_e(word('as_of', lang))}: {_e(f.as_of.isoformat())}</span>"
        f"<span>{_e(word('rules_version', lang))}: <code>{_e(a.rules_version)}</code></span></p></header>"
    )


def _summary(a: Assessment, lang: Lang, today: dt.date) -> str:
    """The summary the terminal opens with (the same parts, unclipped)."""
    parts = summary_parts(a, lang, today=today, shown_questions=len(a.open_questions))
    items = [f"<li><strong>{_e(parts.status)}</strong>"
             + (f"<ul>{''.join(f'<li>{_e(g)}</li>' for g in parts.groups)}</ul>" if parts.groups else "") + "</li>",
             f"<li>{_e(parts.next_due)}</li>"]
    if parts.urgent_title:
        items.append(f"<li>{_e(parts.urgent_title)}<ol>{''.join(f'<li>{_e(u)}</li>' for u in parts.urgent)}</ol></li>")
    items.append(f"<li>{_e(parts.questions_title)}"
                 + (f"<ul>{''.join(f'<li>{_e(q)}</li>' for q in parts.questions)}</ul>" if parts.questions else "")
                 + "</li>")
    return f"<section id=\"summary\"><ul class=\"summary\">{''.join(items)}</ul></section>"


def _reasons(a: Assessment, lang: Lang, ids: bool) -> str:
    items = "".join(
        f"<div class=\"reason\"><strong>{_t(r.title, lang)}</strong>{_t(r.explanation, lang)}"
        f"<div class=\"basis\">{_e(word('basis', lang))}: {_e(cites(r.basis, lang, r.basis_kind))} · "
        f"{_e(word('products', lang))}: {_e(', '.join(r.products))}{_id(r.rule, ids, ' · ')}"
        f"</div></div>"
        for r in a.filing.reasons)
    return f"<section id=\"reasons\"><h2>{_e(word('reasons', lang))}</h2>{items or _e(word('none', lang))}</section>"


def _algorithms(a: Assessment, lang: Lang, ids: bool) -> str:
    rows = [[f"{_t(al.name, lang)}{_id(al.id, ids)}",
             _t(al.type_label, lang) + (f"<br>{_t(al.subtype_label, lang)}" if al.subtype_label else ""),
             _t(al.role_label, lang), _t(al.status_label, lang), _lines(product_names(al.products)),
             _lines(al.features), _t(al.genai_route_label, lang)] for al in a.algorithms]
    return (f"<section id=\"algorithms\"><h2>{_e(word('algorithms', lang))}</h2>" + _table(
        [word("name", lang), word("type", lang), word("role", lang), word("status", lang),
         word("products", lang), word("features", lang), word("genai", lang)],
        [24, 12, 11, 10, 14, 15, 14], rows, lang) + "</section>")


def _duty_rows(duties: list[ObligationOut], lang: Lang, ids: bool) -> list[list[str]]:
    return [[f"{_t(o.title, lang)}{_id(o.id, ids)}", _e(deadline_text(o.deadline, lang)),
             _lines([due_line(d, lang) for d in o.due]), _e(cites(o.basis, lang, o.basis_kind))]
            for o in duties]


def _duties(a: Assessment, lang: Lang, ids: bool) -> str:
    filer, platform = split_duties(a)
    headers = [word("duty", lang), word("deadline", lang), word("due", lang), word("basis", lang)]
    calendar = calendar_text(a, lang)
    note = (f"<p class=\"note\"><strong>{_e(word('calendar', lang))}:</strong> {_e(calendar)}</p>"
            if calendar else "")
    return (f"<section id=\"duties\"><h2>{_e(word('obligations', lang))}</h2>" + _table(
        headers, [36, 26, 20, 18], _duty_rows(filer, lang, ids), lang, due_col=2) + note + "</section>")


def _platform_checks(a: Assessment, lang: Lang, ids: bool) -> str:
    """What the app store or mini-program platform will check at listing: their duty, not the
    filer's (rulings.md #19), so a section apart from the duties; nothing when none applies."""
    platform = split_duties(a)[1]
    if not platform:
        return ""
    return (f"<section id=\"platform-checks\"><h2>{_e(word('platform_checks', lang))}</h2>"
            f"<p class=\"note\">{_e(word('platform_checks_note', lang))}</p>" + _table(
                [word("duty", lang), word("deadline", lang), word("due", lang), word("basis", lang)],
                [36, 26, 20, 18], _duty_rows(platform, lang, ids), lang, due_col=2) + "</section>")


def _material(m: MaterialOut, lang: Lang, algorithms: Mapping[str, Text], ids: bool) -> str:
    pitfalls = "".join(f"<li>⚠ {_t(p.text, lang)}</li>" for p in m.pitfalls)
    condition = f"<div class=\"basis\">{_t(m.condition, lang)}</div>" if m.condition else ""
    targets = ", ".join(target_text(t, lang, algorithms) for t in m.applies_to)
    return (f"<li><label><input type=\"checkbox\">{_t(m.name, lang)}</label>{_id(m.id, ids, ' ')}"
            f"<div class=\"contents\">{_t(m.contents, lang)}{condition}"
            f"<div class=\"basis\">{_e(word('applies_to', lang))}: {_e(targets)}</div></div>"
            + (f"<ul class=\"pitfalls\">{pitfalls}</ul>" if pitfalls else "") + "</li>")


def _materials(a: Assessment, lang: Lang, ids: bool) -> str:
    parts = [f"<section id=\"materials\"><h2>{_e(word('materials', lang))}</h2>",
             f"<p class=\"note\">{_e(word('report_scope_note', lang))}</p>"]
    algorithms = {al.id: al.name for al in a.algorithms}
    for scope in ("entity", "product", "algorithm"):
        items = [m for m in a.materials if m.scope == scope]
        if items:
            parts.append(f"<h3>{_e(word('scope_' + scope, lang))}</h3><ul class=\"checklist\">"
                         + "".join(_material(m, lang, algorithms, ids) for m in items) + "</ul>")
    if not a.materials:
        parts.append(f"<p>{_e(word('none', lang))}</p>")
    return "".join(parts) + "</section>"


def _step(s: StepOut, lang: Lang) -> str:
    statutory, practice = duration_text(s.duration, lang)
    statute = f"<div class=\"basis\">{_t(s.statute, lang)}</div>" if s.statute else ""
    dates = "".join(
        f"<li><strong>{_e(d.product.name)}</strong> — {_e(d.start_is.get(lang))}: "
        + "; ".join(x for x in (
            f"{_e(word('report_statutory_by', lang))} {_e(d.statutory_by.isoformat())}" if d.statutory_by else "",
            f"{_e(word('report_practice_window', lang))} {_e(d.practice_from.isoformat())}"
            f" – {_e(d.practice_to.isoformat())}"
            if d.practice_from and d.practice_to else "",
            _t(d.note, lang) if d.note else "") if x)
        + "</li>" for d in s.dates)
    return (f"<li><div class=\"step-title\">{_t(s.title, lang)}</div><div class=\"step-what\">{_t(s.what, lang)}</div>"
            f"{statute}<div class=\"durations\">{_e(word('statutory', lang))}: {_e(statutory)} · "
            f"{_e(word('practice', lang))}: {_e(practice)}</div>"
            + (f"<ul class=\"dates\">{dates}</ul>" if dates else "") + "</li>")


def _steps(a: Assessment, lang: Lang, ids: bool) -> str:
    body = "".join(_step(s, lang) for s in a.steps) if a.steps else f"<li>{_e(word('none', lang))}</li>"
    return (f"<section id=\"steps\"><h2>{_e(word('report_timeline', lang))}</h2>"
            f"<ol class=\"timeline\">{body}</ol></section>")


def _display(a: Assessment, lang: Lang, ids: bool) -> str:
    rows = [[_e(d.product), (_t(d.form_label, lang) if d.form_label else "—") + _id(d.form, ids), _t(d.location, lang),
             _e(cites(d.basis, lang))] for d in a.display]
    return (f"<section id=\"display\"><h2>{_e(word('display', lang))}</h2>" + _table(
        [word("product", lang), word("form", lang), word("location", lang), word("basis", lang)],
        [20, 16, 42, 22], rows, lang)
        + "</section>")


def _questions(a: Assessment, lang: Lang, ids: bool) -> str:
    """Each open question once, with the features it affects (the answer's field only with ``ids``)."""
    fields: dict[str, list[str]] = {}
    for q in a.open_questions:
        fields.setdefault(q.question.get(lang), []).append(q.field)
    rows = [[_e(text), _e(", ".join(where))] + (["<br>".join(f"<code>{_e(f)}</code>" for f in fields[text])]
                                                if ids else [])
            for text, where in grouped_questions(a, lang)]
    headers = [word("question", lang), word("features", lang)] + ([word("field", lang)] if ids else [])
    return (f"<section id=\"open-questions\"><h2>{_e(word('open_questions', lang))}</h2>" + _table(
        headers, [50, 22, 28] if ids else [70, 30], rows, lang) + "</section>")


def _references(a: Assessment, lang: Lang, ids: bool) -> str:
    sep = "、" if lang == "zh" else "; "
    items = "".join(f"<li><strong>{_e(heading)}</strong>" + (f": {_e(sep.join(arts))}" if arts else "") + "</li>"
                    for heading, arts in references(a, lang))
    return (f"<section id=\"references\"><h2>{_e(word('references', lang))}</h2>"
            f"<ul>{items or '<li>' + _e(word('none', lang)) + '</li>'}</ul></section>")


def _footer(a: Assessment, lang: Lang, ids: bool) -> str:
    return (f"<footer><p class=\"disclaimer\">{_e(word('not_legal_advice', lang))}</p>"
            f"<p>{_e(word('report_generated', lang))} {_e(a.filing.as_of.isoformat())} · "
            f"{_e(word('rules_version', lang))} <code>{_e(a.rules_version)}</code></p></footer>")


def render_html(a: Assessment, lang: Lang, *, today: dt.date | None = None, ids: bool = False) -> str:
    """The whole report as one HTML document (UTF-8 text, no external resources): the summary
    first, as the terminal shows it; stable ids only with ``ids``; ``today`` flags what is
    overdue (by default the date the rules were applied for, so the bytes stay the same)."""
    body = _header(a, lang, ids) + _summary(a, lang, today or a.filing.as_of) + "".join(part(a, lang, ids) for part in (
        _reasons, _algorithms, _duties, _platform_checks, _materials, _steps, _display, _questions, _references,
        _footer))
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f"<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(word('report_title', lang))} · {_e(a.filing.label.get(lang))}</title>\n"
            f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")
