"""The what-if diff as terminal tables or a Markdown report (JSON is the model's own)."""

from __future__ import annotations

from tabulate import tabulate

from engine.model.base import Lang
from engine.pipeline.diff import AssessmentDiff, DiffItems
from engine.render.labels import word
from engine.render.table import cites, deadline_text, due_text, product_names, target_text


def _sections(d: AssessmentDiff, lang: Lang) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headers, rows) of every non-empty section, in reading order."""
    out: list[tuple[str, list[str], list[list[str]]]] = []
    names = {a.id: a.name for side in (d.added, d.removed) for a in side.algorithms}
    for side in ("added", "removed"):
        items: DiffItems = getattr(d, side)
        head = word(side, lang)
        if items.algorithms:
            out.append((f"{head} · {word('diff_algorithms', lang)}",
                        [word("diff_name", lang), word("type", lang), word("role", lang), word("products", lang)],
                        [[a.name.get(lang) + f"\n[{a.id}]",
                          a.type_label.get(lang) + (f" ({a.subtype})" if a.subtype else ""),
                          a.role_label.get(lang), "\n".join(product_names(a.products))] for a in items.algorithms]))
        if items.obligations:
            out.append((f"{head} · {word('diff_obligations', lang)}",
                        [word("duty", lang), word("deadline", lang), word("due", lang), word("basis", lang)],
                        [[o.title.get(lang) + f"\n[{o.id}]", deadline_text(o.deadline, lang),
                          due_text(o.due, lang) or "—", cites(o.basis, lang)] for o in items.obligations]))
        if items.materials:
            out.append((f"{head} · {word('diff_materials', lang)}",
                        [word("material", lang), word("applies_to", lang)],
                        [[m.name.get(lang) + f"\n[{m.id}]",
                          "\n".join(target_text(t, lang, names) for t in m.applies_to)] for m in items.materials]))
    if d.changed:
        out.append((word("changed", lang),
                    [word("item", lang), word("diff_field", lang), word("gained", lang), word("lost", lang)],
                    [[c.name.get(lang) + f"\n[{c.id}]", c.field,
                      "\n".join(target_text(x, lang, names) for x in c.added) or "—",
                      "\n".join(target_text(x, lang, names) for x in c.removed) or "—"] for c in d.changed]))
    return out


def _status_line(d: AssessmentDiff, lang: Lang) -> str:
    before = f"{d.status_before_label.get(lang)} ({d.status_before})"
    after = f"{d.status_after_label.get(lang)} ({d.status_after})"
    return f"{word('diff_status', lang)}: {before} → {after}"


def _as_of_line(d: AssessmentDiff, lang: Lang) -> str:
    when = (d.as_of_after.isoformat() if d.as_of_before == d.as_of_after
            else f"{d.as_of_before.isoformat()} → {d.as_of_after.isoformat()}")
    return f"{word('as_of', lang)}: {when}    {word('rules_version', lang)}: {d.rules_version}"


def render_diff_table(d: AssessmentDiff, lang: Lang) -> str:
    """The diff as headed terminal tables."""
    lines = [f"== {word('diff_title', lang)} ==", _status_line(d, lang), _as_of_line(d, lang)]
    sections = _sections(d, lang)
    for title, headers, rows in sections:
        lines += ["", f"== {title} ==",
                  tabulate(rows, headers=headers, tablefmt="simple_grid", maxcolwidths=[48] * len(headers))]
    if not sections:
        lines += ["", word("nothing", lang)]
    if d.calendar is not None and any(o.due for o in d.added.obligations):
        lines += ["", d.calendar.convention.get(lang)]
    lines += ["", word("not_legal_advice", lang)]
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_diff_markdown(d: AssessmentDiff, lang: Lang) -> str:
    """The diff as a Markdown report."""
    lines = [f"# {word('diff_title', lang)}", "", f"- {_status_line(d, lang)}", f"- {_as_of_line(d, lang)}", ""]
    sections = _sections(d, lang)
    for title, headers, rows in sections:
        lines += [f"## {title}", "",
                  tabulate([[_md_cell(c) for c in row] for row in rows], headers=headers, tablefmt="github"), ""]
    if not sections:
        lines += [word("nothing", lang), ""]
    if d.calendar is not None and any(o.due for o in d.added.obligations):
        lines += [f"> {d.calendar.convention.get(lang)}", ""]
    lines += ["---", "", f"*{word('not_legal_advice', lang)}*", ""]
    return "\n".join(lines)


def render_diff(d: AssessmentDiff, fmt: str, lang: Lang) -> str:
    """Render the diff as ``table``, ``json`` or ``markdown``."""
    if fmt == "json":
        return d.to_json()
    if fmt == "markdown":
        return render_diff_markdown(d, lang)
    return render_diff_table(d, lang)


