"""The assessment as terminal tables (tabulate), Chinese by default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.model.assessment import (
    AlgorithmRef,
    Assessment,
    Deadline,
    DueDate,
    DurationOut,
    EntityTarget,
    LegalRef,
    MaterialOut,
    ObligationOut,
    ProductRef,
    StepDates,
    StepOut,
)
from engine.model.base import Lang, Text
from engine.render.grid import fitted_grid
from engine.render.labels import word
from engine.render.wrap import wrap
from engine.sanitize import terminal_safe


def cites(refs: Sequence[LegalRef], lang: Lang, kind: str | None = None) -> str:
    """Legal references joined for a table cell, after ``[法定]``/``[实务]`` when ``kind`` is given."""
    joined = "；".join(r.citation.get(lang) for r in refs) if lang == "zh" else "; ".join(
        r.citation.get(lang) for r in refs)
    return f"[{word('kind_' + kind, lang)}] {joined}" if kind else joined


def split_duties(a: Assessment) -> tuple[list[ObligationOut], list[ObligationOut]]:
    """The filer's duties, and apart from them what the app store or mini-program platform will
    check at listing (``binds: platform``): those bind the platform, not the filer (rulings.md #19),
    so no renderer lists them among the filer's duties."""
    return ([o for o in a.obligations if o.binds != "platform"],
            [o for o in a.obligations if o.binds == "platform"])


def deadline_text(deadline: Deadline | None, lang: Lang) -> str:
    """A deadline for a table cell ("—" when the duty has none)."""
    return deadline.text.get(lang) if deadline else "—"


def duration_text(duration: DurationOut, lang: Lang) -> tuple[str, str]:
    """(statutory, practice) texts of a step's duration."""
    statutory = (f"{duration.statutory_working_days}{word('working_days', lang)}"
                 if duration.statutory_working_days is not None else "—")
    practice = duration.practice_text.get(lang) if duration.practice_text else "—"
    return statutory, practice

def target_text(target: EntityTarget | ProductRef | AlgorithmRef | str, lang: Lang,
                algorithms: Mapping[str, Text] | None = None) -> str:
    """What a target is called in a report: the entity, a product's name, an algorithm's name
    (from ``algorithms``, id -> name; its id where the name is not at hand)."""
    if isinstance(target, str):
        return target
    if isinstance(target, ProductRef):
        return target.name
    if isinstance(target, AlgorithmRef):
        name = (algorithms or {}).get(target.id)
        return name.get(lang) if name is not None else target.id
    return word("entity", lang)


def product_names(products: Sequence[ProductRef]) -> list[str]:
    """The names of products, in the order given."""
    return [p.name for p in products]


def counted_from(d: DueDate, lang: Lang) -> str:
    """What a due date counts from: "10 working days after launch on 2026-03-02"."""
    event = word(d.event, lang)
    if lang == "zh":
        return f"{event} {d.event_date.isoformat()} 后第{d.working_days}个工作日"
    return f"{d.working_days} working days after {event} on {d.event_date.isoformat()}"


def due_line(d: DueDate, lang: Lang) -> str:
    """One due date: product, date (or the marked estimate) and what it counts from."""
    since = counted_from(d, lang)
    when = d.date.isoformat() if d.date else f"≈{d.estimate.isoformat() if d.estimate else '?'} " \
        f"({word('estimate', lang)})"
    note = f" — {d.note.get(lang)}" if d.note else ""
    name = d.product.name
    return f"{name}: {when} ({since}){note}" if lang == "en" else f"{name}：{when}（{since}）{note}"


def due_text(due: Sequence[DueDate], lang: Lang) -> str:
    """The due dates of a duty, one per line ("" when none)."""
    return "\n".join(due_line(d, lang) for d in due)


def date_span(d: StepDates, lang: Lang) -> list[str]:
    """A step's statutory end and practice window for one product, as short phrases."""
    parts = []
    if d.statutory_by:
        parts.append(f"{word('statutory_by', lang)} ≤ {d.statutory_by.isoformat()}")
    if d.practice_from and d.practice_to:
        parts.append(f"{word('practice_window', lang)} {d.practice_from.isoformat()} – "
                     f"{d.practice_to.isoformat()}")
    return parts


def step_dates_text(step: StepOut, lang: Lang) -> str:
    """A step's calendar dates, one product per line ("" when none)."""
    lines = []
    for d in step.dates:
        parts = date_span(d, lang)
        sep = "；" if lang == "zh" else "; "
        start = f"自 {d.start.isoformat()} 起" if lang == "zh" else f"from {d.start.isoformat()}"
        lines.append(f"{d.product.name} ({start}): {sep.join(parts)}")
    return "\n".join(lines)


def with_due(o: ObligationOut, lang: Lang) -> str:
    """A duty's deadline text followed by its due dates, one per line."""
    text = deadline_text(o.deadline, lang)
    if o.due:
        text += "\n" + "\n".join(f"▶ {word('due', lang)} {due_line(d, lang)}" for d in o.due)
    return text


def with_dates(s: StepOut, lang: Lang) -> tuple[str, str]:
    """(statutory, practice) of a step, each followed by its calendar dates."""
    statutory, practice = duration_text(s.duration, lang)
    dates = step_dates_text(s, lang)
    return statutory, practice + ("\n▶ " + dates.replace("\n", "\n▶ ") if dates else "")


def legal_references(a: Assessment) -> list[tuple[str, list[LegalRef]]]:
    """Every reference the assessment cites, grouped by law in order of first appearance.

    The order follows the report: reasons, algorithms, duties, display locations.
    """
    groups: dict[str, list[LegalRef]] = {}
    refs: list[LegalRef] = [ref for r in a.filing.reasons for ref in r.basis]
    refs += [ref for al in a.algorithms for ref in al.basis]
    refs += [ref for o in a.obligations for ref in o.basis]
    refs += [ref for d in a.display for ref in d.basis]
    for ref in refs:
        group = groups.setdefault(ref.law, [])
        if ref not in group:
            group.append(ref)
    return list(groups.items())


def _article_key(ref: LegalRef) -> tuple[int, str]:
    article = ref.article or ""
    return (int(article) if article.isdigit() else 10_000, article)


def references(a: Assessment, lang: Lang) -> list[tuple[str, list[str]]]:
    """(law heading, [what of it is cited]) for every law the assessment cites, in ``lang``.

    The heading is the law's full title with its in-force date, as the assessment carries them
    (from the rulebook it was made with); the items are the articles (with paragraph notes) in
    article order.
    """
    laws = {law.id: law for law in a.laws}
    out: list[tuple[str, list[str]]] = []
    for law_id, refs in legal_references(a):
        law = laws.get(law_id)
        if law is None:
            out.append((law_id, [r.citation.get(lang) for r in refs]))
            continue
        title = law.title.get(lang)
        if law.statutory:
            prefix = f"《{law.short.zh}》" if lang == "zh" else law.short.en + ", "
            heading = f"《{title}》" if lang == "zh" else title
            if law.in_force:
                heading += (f"（{law.in_force.isoformat()}施行）" if lang == "zh"
                            else f" (in force {law.in_force.isoformat()})")
        else:
            prefix, heading = law.short.get(lang), title
        items = []
        for ref in sorted(refs, key=_article_key):
            text = ref.citation.get(lang)
            text = (text[len(prefix):] if text.startswith(prefix) else text).strip()
            if text[:1] in "(（" and text[-1:] in ")）":
                text = text[1:-1]
            if text and text not in items:
                items.append(text)
        out.append((heading, items))
    return out


def references_text(a: Assessment, lang: Lang) -> list[str]:
    """One line per law: its title and what of it the assessment cites."""
    sep = "、" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    return [heading + (colon + sep.join(items) if items else "") for heading, items in references(a, lang)]


def calendar_text(a: Assessment, lang: Lang) -> str | None:
    """The counting convention, or why there are no due dates; None when dates were not computed."""
    if a.filing.calendar is None:
        return None
    dated = any(o.due for o in a.obligations) or any(s.dates for s in a.steps)
    text = a.filing.calendar.convention.get(lang)
    return text if dated else word("no_dates", lang) + " " + text


def _shown(label: Text | None, value: str | None, lang: Lang, ids: bool) -> str:
    """A stable id in the words the assessment carries for it (the id in brackets only with ``ids``)."""
    if value is None:
        return "—"
    text = label.get(lang) if label is not None else "—"
    return f"{text} [{value}]" if ids else text


def _for_whom(m: MaterialOut, features: Mapping[str, Text], lang: Lang) -> str:
    """Which product or algorithm (by its features) a material is for; "" for the entity's."""
    if m.scope == "entity":
        return ""
    sep = "、" if lang == "zh" else ", "
    return "\n→ " + sep.join(dict.fromkeys(target_text(t, lang, features) for t in m.applies_to))


def _duty_sections(a: Assessment, lang: Lang, width: int | None, ids: bool) -> list[tuple[str, str]]:
    """The filer's duties, then (only if any) what the store or platform will check, under its
    own heading with a note: a PM must not plan the platform's listing review as their own work."""
    filer, platform = split_duties(a)

    def rows(duties: list[ObligationOut]) -> str:
        return fitted_grid(
            [word("duty", lang), word("deadline", lang), word("basis", lang)],
            [[o.title.get(lang) + (f"\n[{o.id}]" if ids else ""), with_due(o, lang),
              cites(o.basis, lang, o.basis_kind)] for o in duties], width)

    sections = [(word("obligations", lang), rows(filer))]
    if platform:
        note = word("platform_checks_note", lang)
        sections.append((word("platform_checks", lang), (wrap(note, width) if width else note) + "\n" + rows(platform)))
    return sections


def render_table(a: Assessment, lang: Lang, *, width: int | None = None, ids: bool = False) -> str:
    """Every section of the assessment as headed tables, fitted to ``width`` columns if given.

    Stable ids appear in brackets only with ``ids`` (labels otherwise); JSON always has them.
    """
    from engine.render.summary import grouped_questions  # the summary builds on this module

    out: list[str] = []

    def tag(item_id: str) -> str:
        return f"\n[{item_id}]" if ids else ""

    def section(title: str, body: str) -> None:
        out.append(f"\n== {title} ==")
        out.append(body if body else word("none", lang))

    status = a.filing.label.get(lang) + (f" ({a.filing.status})" if ids else "")
    section(word("filing", lang), f"{word('status', lang)}: {status}\n"
            f"{word('as_of', lang)}: {a.filing.as_of.isoformat()}    "
            f"{word('rules_version', lang)}: {a.rules_version}\n" + fitted_grid(
                [word("reason", lang), word("basis", lang), word("products", lang)],
                [[r.title.get(lang) + tag(r.rule), cites(r.basis, lang, r.basis_kind), "\n".join(r.products)]
                 for r in a.filing.reasons], width))
    several_products = len({p.index for al in a.algorithms for p in al.products}) > 1
    section(word("algorithms", lang), fitted_grid(
        [word("name", lang), word("type", lang), word("role", lang), word("status", lang),
         word("features", lang), word("genai", lang)],
        [[al.name.get(lang) + tag(al.id),
          al.type_label.get(lang) + (f"\n{_shown(al.subtype_label, al.subtype, lang, ids)}" if al.subtype else ""),
          al.role_label.get(lang), _shown(al.status_label, al.status, lang, ids),
          "\n".join(al.features) + (f"\n({'、'.join(product_names(al.products))})" if several_products else ""),
          _shown(al.genai_route_label, al.genai_route, lang, ids)] for al in a.algorithms], width))
    for title, body in _duty_sections(a, lang, width, ids):
        section(title, body)
    if (calendar := calendar_text(a, lang)) is not None:
        section(word("calendar", lang), wrap(calendar, width) if width else calendar)
    features = {al.id: Text(zh="+".join(al.features), en="+".join(al.features)) for al in a.algorithms}
    for scope in ("entity", "product", "algorithm"):
        items = [m for m in a.materials if m.scope == scope]
        if not items:
            continue
        section(f"{word('materials', lang)} · {word('scope_' + scope, lang)}", fitted_grid(
            [word("material", lang), word("contents", lang), word("pitfalls", lang)],
            [["☐ " + m.name.get(lang) + f" [{word('kind_' + m.basis_kind, lang)}]" + tag(m.id)
              + _for_whom(m, features, lang), m.contents.get(lang),
              "\n".join("• " + p.text.get(lang) for p in m.pitfalls) or "—"] for m in items], width))
    section(word("steps", lang), fitted_grid(
        ["#", word("step", lang), word("statutory", lang), word("practice", lang)],
        [[str(s.order), s.title.get(lang), *with_dates(s, lang)] for s in a.steps], width))
    section(word("display", lang), fitted_grid(
        [word("product", lang), word("form", lang), word("location", lang)],
        [[d.product, _shown(d.form_label, d.form, lang, ids), d.location.get(lang)] for d in a.display], width))
    question_headers = [word("question", lang), word("features", lang)] + ([word("field", lang)] if ids else [])
    fields: dict[str, list[str]] = {}
    for q in a.open_questions:
        fields.setdefault(q.question.get(lang), []).append(q.field)
    section(word("open_questions", lang), fitted_grid(
        question_headers,
        [[text, "\n".join(where)] + (["\n".join(fields[text])] if ids else [])
         for text, where in grouped_questions(a, lang)], width))
    references = "\n".join(references_text(a, lang))
    section(word("references", lang), (wrap(references, width, "  ") if width else references) or word("none", lang))
    out.append("\n" + word("not_legal_advice", lang))
    return terminal_safe("\n".join(out).lstrip("\n") + "\n")
