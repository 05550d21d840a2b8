"""The what-if diff as terminal tables or a Markdown report (JSON is the model's own)."""

from __future__ import annotations

from collections.abc import Callable

from tabulate import tabulate

from engine.model.base import Lang, Text
from engine.pipeline.diff import AssessmentDiff, ChangeValue, DiffItems
from engine.render.grid import fitted_grid
from engine.render.labels import word
from engine.render.table import cites, deadline_text, due_text, product_names, target_text
from engine.sanitize import markdown_text, terminal_safe

Section = tuple[str, list[str], list[list[str]]]
"""One table of the diff: its title, its column headers and its rows."""


def _sections(d: AssessmentDiff, lang: Lang, label: Callable[[ChangeValue], str] | None = None,
              ) -> list[Section]:
    """(title, headers, rows) of every non-empty section, in reading order; ``label`` names targets."""
    if label is None:
        names = {a.id: a.name for side in (d.added, d.removed) for a in side.algorithms}

        def label(target: ChangeValue) -> str:
            return target_text(target, lang, names)
    out: list[Section] = []
    for side in ("added", "removed"):
        out += _side_sections(getattr(d, side), word(side, lang), lang, label)
    if d.changed:
        out.append((word("changed", lang),
                    [word("item", lang), word("diff_field", lang), word("gained", lang), word("lost", lang)],
                    [[c.name.get(lang) + f"\n[{c.id}]", c.field,
                      "\n".join(label(x) for x in c.added) or "—",
                      "\n".join(label(x) for x in c.removed) or "—"] for c in d.changed]))
    return out


def _platform_mark(binds: str, lang: Lang) -> str:
    """A duty that binds the app store or mini-program platform says so (rulings.md #19)."""
    if binds != "platform":
        return ""
    text = word("platform_checks", lang)
    return f"（{text}）" if lang == "zh" else f" ({text[0].lower()}{text[1:]})"


def _side_sections(items: DiffItems, head: str, lang: Lang, label: Callable[[ChangeValue], str]) -> list[Section]:
    """The added (or removed) algorithms, duties and materials: a table each where there are any."""
    out: list[Section] = []
    if items.algorithms:
        out.append((f"{head} · {word('diff_algorithms', lang)}",
                    [word("diff_name", lang), word("type", lang), word("role", lang), word("products", lang)],
                    [[a.name.get(lang) + f"\n[{a.id}]",
                      a.type_label.get(lang) + (f" ({a.subtype})" if a.subtype else ""),
                      a.role_label.get(lang), "\n".join(product_names(a.products))] for a in items.algorithms]))
    if items.obligations:
        out.append((f"{head} · {word('diff_obligations', lang)}",
                    [word("duty", lang), word("deadline", lang), word("due", lang), word("basis", lang)],
                    [[o.title.get(lang) + _platform_mark(o.binds, lang) + f"\n[{o.id}]",
                      deadline_text(o.deadline, lang), due_text(o.due, lang) or "—", cites(o.basis, lang)]
                     for o in items.obligations]))
    if items.materials:
        out.append((f"{head} · {word('diff_materials', lang)}",
                    [word("material", lang), word("applies_to", lang)],
                    [[m.name.get(lang) + f"\n[{m.id}]",
                      "\n".join(label(t) for t in m.applies_to)] for m in items.materials]))
    return out


def _status_line(d: AssessmentDiff, lang: Lang) -> str:
    before = f"{d.status_before_label.get(lang)} ({d.status_before})"
    after = f"{d.status_after_label.get(lang)} ({d.status_after})"
    return f"{word('diff_status', lang)}: {before} → {after}"


def _as_of_line(d: AssessmentDiff, lang: Lang) -> str:
    when = (d.as_of_after.isoformat() if d.as_of_before == d.as_of_after
            else f"{d.as_of_before.isoformat()} → {d.as_of_after.isoformat()}")
    return f"{word('as_of', lang)}: {when}    {word('rules_version', lang)}: {d.rules_version}"


def short_title(text: str, limit: int = 36) -> str:
    """A duty's or material's title up to its first clause, for a list of many."""
    for stop in ("：", "；", "; ", "（", " (", "，", ", "):
        head = text.split(stop, 1)[0]
        if head and head != text and len(head) >= 4:
            text = head
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _coverage_rows(d: AssessmentDiff, lang: Lang) -> list[list[str]]:
    """The coverage changes as one labelled row per target and direction, not one per duty and field.

    "Now also covers: the pick-up point algorithm — 17 duties, 5 materials (their short titles)".
    """
    label = _target_labels(d, lang)
    groups: dict[tuple[str, str], list[str]] = {}
    for c in d.changed:
        if c.field != "applies_to":
            continue
        for side, targets in (("gained", c.added), ("lost", c.removed)):
            for target in targets:
                groups.setdefault((side, label(target)), []).append(
                    ("☐ " if c.kind == "material" else "• ") + short_title(c.name.get(lang)))
    return [[f"{word(side, lang)}: {shown}", "\n".join(items)] for (side, shown), items in groups.items()]


def _target_labels(d: AssessmentDiff, lang: Lang) -> Callable[[ChangeValue], str]:
    """An ``applies_to`` target in words: the entity, a product's name, or an algorithm's name and type."""
    names = {a.id: Text(zh=f"{a.name.zh}（{a.type_label.zh}）", en=f"{a.name.en} ({a.type_label.en})")
             for a in (*d.added.algorithms, *d.removed.algorithms)}
    return lambda target: target_text(target, lang, names)


def render_diff_table(d: AssessmentDiff, lang: Lang, *, width: int | None = None, ids: bool = False) -> str:
    """The diff as headed terminal tables, fitted to ``width`` columns if given.

    Coverage changes are grouped by what gained or lost them, with labels; every change with
    its stable ids is in the JSON (or here with ``ids``).
    """
    lines = [f"== {word('diff_title', lang)} ==", _status_line(d, lang), _as_of_line(d, lang)]
    sections = _sections(d, lang) if ids else _labelled_sections(d, lang)
    for title, headers, rows in sections:
        lines += ["", f"== {title} ==", fitted_grid(headers, rows, width)]
    if not sections:
        lines += ["", word("nothing", lang)]
    if d.calendar is not None and any(o.due for o in d.added.obligations):
        lines += ["", d.calendar.convention.get(lang)]
    lines += ["", word("not_legal_advice", lang)]
    return terminal_safe("\n".join(lines) + "\n")


def _labelled_sections(d: AssessmentDiff, lang: Lang) -> list[Section]:
    """The sections without ids: other changes with the field in words, coverage grouped by target."""
    label = _target_labels(d, lang)
    sections = [(t, h, [[row[0].split("\n[")[0], *row[1:]] for row in r])
                for t, h, r in _sections(d, lang, label) if t != word("changed", lang)]
    other = [c for c in d.changed if c.field != "applies_to"]
    if other:
        sections.append((word("changed", lang),
                         [word("item", lang), word("diff_field", lang), word("gained", lang), word("lost", lang)],
                         [[c.name.get(lang), word(f"field_{c.field}", lang),
                           "\n".join(map(label, c.added)) or "—", "\n".join(map(label, c.removed)) or "—"]
                          for c in other]))
    coverage = _coverage_rows(d, lang)
    if coverage:
        sections.append((word("coverage", lang), [word("applies_to", lang), word("item", lang)], coverage))
    return sections


def render_diff_markdown(d: AssessmentDiff, lang: Lang) -> str:
    """The diff as a Markdown report."""
    lines = [f"# {word('diff_title', lang)}", "", f"- {_status_line(d, lang)}", f"- {_as_of_line(d, lang)}", ""]
    sections = _sections(d, lang)
    for title, headers, rows in sections:
        lines += [f"## {title}", "",
                  tabulate([[markdown_text(c) for c in row] for row in rows], headers=headers, tablefmt="github"), ""]
    if not sections:
        lines += [word("nothing", lang), ""]
    if d.calendar is not None and any(o.due for o in d.added.obligations):
        lines += [f"> {d.calendar.convention.get(lang)}", ""]
    lines += ["---", "", f"*{word('not_legal_advice', lang)}*", ""]
    return "\n".join(lines)


def render_diff(d: AssessmentDiff, fmt: str, lang: Lang, *, width: int | None = None, ids: bool = False) -> str:
    """Render the diff as ``table`` (fitted to ``width``; ids only with ``ids``), ``json`` or ``markdown``."""
    if fmt == "json":
        return d.to_json()
    if fmt == "markdown":
        return render_diff_markdown(d, lang)
    return render_diff_table(d, lang, width=width, ids=ids)


