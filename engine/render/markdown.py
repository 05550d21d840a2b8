"""The assessment as a Markdown report: tables, and the checklist with checkboxes."""

from __future__ import annotations

import re

from tabulate import tabulate

from engine.model.assessment import Assessment
from engine.model.base import Lang
from engine.render.labels import word
from engine.render.table import calendar_text, cites, product_names, references, with_dates, with_due
from engine.sanitize import markdown_text

_CODE_SAFE = re.compile(r"^[A-Za-z0-9_.\[\]:-]*$")


class _Code(str):
    """A cell shown as code (an id or a key path)."""


def _cell(text: str) -> str:
    """A table cell as literal text: no HTML, no links, no forged rows (lines join with ``<br>``)."""
    if isinstance(text, _Code) and _CODE_SAFE.match(text):
        return f"`{text}`"
    return markdown_text(text)


def _md_table(headers: list[str], rows: list[list[str]], lang: Lang) -> str:
    if not rows:
        return word("none", lang) + "\n"
    return tabulate([[_cell(c) for c in row] for row in rows], headers=headers, tablefmt="github") + "\n"


def render_markdown(a: Assessment, lang: Lang) -> str:
    """A self-contained Markdown report of the assessment."""
    lines: list[str] = [f"# {word('filing', lang)}: {a.filing.label.get(lang)} (`{a.filing.status}`)", ""]
    lines.append(f"- {word('as_of', lang)}: {a.filing.as_of.isoformat()}")
    lines.append(f"- {word('rules_version', lang)}: `{a.rules_version}`")
    lines += ["", f"## {word('reasons', lang)}", ""]
    lines.append(_md_table(
        [word("reason", lang), word("rule", lang), word("basis", lang), word("products", lang)],
        [[r.title.get(lang) + "\n" + r.explanation.get(lang), _Code(r.rule), cites(r.basis, lang, r.basis_kind),
          ", ".join(r.products)] for r in a.filing.reasons], lang))
    lines += [f"## {word('algorithms', lang)}", ""]
    lines.append(_md_table(
        [word("name", lang), word("type", lang), word("role", lang), word("status", lang),
         word("products", lang), word("features", lang), word("genai", lang)],
        [[al.name.get(lang), al.type_label.get(lang) + (f" ({al.subtype})" if al.subtype else ""),
          al.role_label.get(lang), al.status, ", ".join(product_names(al.products)), ", ".join(al.features),
          al.genai_route or "—"] for al in a.algorithms], lang))
    lines += [f"## {word('obligations', lang)}", ""]
    lines.append(_md_table(
        [word("duty", lang), "id", word("deadline", lang), word("basis", lang)],
        [[o.title.get(lang), _Code(o.id), with_due(o, lang), cites(o.basis, lang, o.basis_kind)]
         for o in a.obligations], lang))
    if (calendar := calendar_text(a, lang)) is not None:
        lines += [f"> **{word('calendar', lang)}**: {calendar}", ""]
    lines += [f"## {word('materials', lang)}", ""]
    for scope in ("entity", "product", "algorithm"):
        items = [m for m in a.materials if m.scope == scope]
        if not items:
            continue
        lines += [f"### {word('scope_' + scope, lang)}", ""]
        for m in items:
            lines.append(f"- [ ] **{m.name.get(lang)}** (`{m.id}`): {m.contents.get(lang)}")
            for p in m.pitfalls:
                lines.append(f"  - ⚠ {p.text.get(lang)}")
        lines.append("")
    lines += [f"## {word('steps', lang)}", ""]
    lines.append(_md_table(
        ["#", word("step", lang), word("statutory", lang), word("practice", lang)],
        [[str(s.order), s.title.get(lang) + "\n" + s.what.get(lang), *with_dates(s, lang)] for s in a.steps], lang))
    lines += [f"## {word('display', lang)}", ""]
    lines.append(_md_table(
        [word("product", lang), word("form", lang), word("location", lang)],
        [[d.product, d.form, d.location.get(lang)] for d in a.display], lang))
    lines += [f"## {word('open_questions', lang)}", ""]
    lines.append(_md_table(
        [word("question", lang), word("product", lang), word("field", lang)],
        [[q.question.get(lang), " / ".join(x for x in (q.product, q.feature) if x), _Code(q.field)]
         for q in a.open_questions], lang))
    lines += [f"## {word('references', lang)}", ""]
    colon = "：" if lang == "zh" else ": "
    sep = "、" if lang == "zh" else "; "
    lines += [f"- {heading}" + (colon + sep.join(items) if items else "") for heading, items in references(a, lang)]
    lines += ["", "---", "", f"*{word('not_legal_advice', lang)}*", ""]
    return "\n".join(lines)
