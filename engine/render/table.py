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
    LawOut,
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
        prefix, heading = _law_heading(law, lang)
        out.append((heading, _cited_items(refs, prefix, lang)))
    return out


def _law_heading(law: LawOut, lang: Lang) -> tuple[str, str]:
    """(the prefix its citations start with, the heading): a statute's with its in-force date."""
    title = law.title.get(lang)
    if not law.statutory:
        return law.short.get(lang), title
    prefix = f"《{law.short.zh}》" if lang == "zh" else law.short.en + ", "
    heading = f"《{title}》" if lang == "zh" else title
    if law.in_force:
        heading += (f"（{law.in_force.isoformat()}施行）" if lang == "zh"
                    else f" (in force {law.in_force.isoformat()})")
    return prefix, heading


def _cited_items(refs: list[LegalRef], prefix: str, lang: Lang) -> list[str]:
    """What of a law is cited, in article order, without the law's name or enclosing brackets."""
    items: list[str] = []
    for ref in sorted(refs, key=_article_key):
        text = ref.citation.get(lang)
        text = (text[len(prefix):] if text.startswith(prefix) else text).strip()
        if text[:1] in "(（" and text[-1:] in ")）":
            text = text[1:-1]
        if text and text not in items:
            items.append(text)
    return items


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
    return _Tables(a, lang, width, ids).render()


class _Tables:
    """The terminal report of one assessment, built section by section in reading order."""

    def __init__(self, a: Assessment, lang: Lang, width: int | None, ids: bool) -> None:
        self.a, self.lang, self.width, self.ids = a, lang, width, ids
        self.out: list[str] = []

    def render(self) -> str:
        """Every section, then the not-legal-advice line, as terminal-safe text."""
        self.filing()
        self.algorithms()
        self.obligations()
        if (calendar := calendar_text(self.a, self.lang)) is not None:
            self.section(word("calendar", self.lang), wrap(calendar, self.width) if self.width else calendar)
        self.materials()
        self.steps()
        self.display()
        self.questions()
        self.references()
        self.out.append("\n" + word("not_legal_advice", self.lang))
        return terminal_safe("\n".join(self.out).lstrip("\n") + "\n")

    def tag(self, item_id: str) -> str:
        """An item's stable id on a line of its own, only with ``ids``."""
        return f"\n[{item_id}]" if self.ids else ""

    def shown(self, label: Text | None, value: str | None) -> str:
        """A stable id in words (the id too with ``ids``)."""
        return _shown(label, value, self.lang, self.ids)

    def section(self, title: str, body: str) -> None:
        """A headed section; "none" in place of an empty body, so every heading is followed by something."""
        self.out.append(f"\n== {title} ==")
        self.out.append(body if body else word("none", self.lang))

    def grid(self, headers: list[str], rows: list[list[str]]) -> str:
        """A table fitted to the report's width."""
        return fitted_grid(headers, rows, self.width)

    def words(self, *keys: str) -> list[str]:
        """Column headers from their vocabulary keys, in the report's language."""
        return [word(key, self.lang) for key in keys]

    def filing(self) -> None:
        """The filing status, the date and rules it was decided with, and the reasons for it."""
        a, lang = self.a, self.lang
        status = a.filing.label.get(lang) + (f" ({a.filing.status})" if self.ids else "")
        self.section(word("filing", lang), f"{word('status', lang)}: {status}\n"
                     f"{word('as_of', lang)}: {a.filing.as_of.isoformat()}    "
                     f"{word('rules_version', lang)}: {a.rules_version}\n" + self.grid(
                         self.words("reason", "basis", "products"),
                         [[r.title.get(lang) + self.tag(r.rule), cites(r.basis, lang, r.basis_kind),
                           "\n".join(r.products)] for r in a.filing.reasons]))

    def algorithms(self) -> None:
        """The algorithms found; their products are named only when there are several."""
        a, lang = self.a, self.lang
        several_products = len({p.index for al in a.algorithms for p in al.products}) > 1
        self.section(word("algorithms", lang), self.grid(
            self.words("name", "type", "role", "status", "features", "genai"),
            [[al.name.get(lang) + self.tag(al.id),
              al.type_label.get(lang) + (f"\n{self.shown(al.subtype_label, al.subtype)}" if al.subtype else ""),
              al.role_label.get(lang), self.shown(al.status_label, al.status),
              "\n".join(al.features) + (f"\n({'、'.join(product_names(al.products))})" if several_products else ""),
              self.shown(al.genai_route_label, al.genai_route)] for al in a.algorithms]))

    def obligations(self) -> None:
        """The filer's duties, then what the store or platform will check (:func:`_duty_sections`)."""
        for title, body in _duty_sections(self.a, self.lang, self.width, self.ids):
            self.section(title, body)

    def materials(self) -> None:
        """The checklist, one table per scope (entity, product, algorithm) that has any."""
        lang = self.lang
        features = {al.id: Text(zh="+".join(al.features), en="+".join(al.features)) for al in self.a.algorithms}
        for scope in ("entity", "product", "algorithm"):
            items = [m for m in self.a.materials if m.scope == scope]
            if not items:
                continue
            self.section(f"{word('materials', lang)} · {word('scope_' + scope, lang)}", self.grid(
                self.words("material", "contents", "pitfalls"),
                [["☐ " + m.name.get(lang) + f" [{word('kind_' + m.basis_kind, lang)}]" + self.tag(m.id)
                  + _for_whom(m, features, lang), m.contents.get(lang),
                  "\n".join("• " + p.text.get(lang) for p in m.pitfalls) or "—"] for m in items]))

    def steps(self) -> None:
        """The filing steps with their statutory and practice durations and dates."""
        lang = self.lang
        self.section(word("steps", lang), self.grid(
            ["#", *self.words("step", "statutory", "practice")],
            [[str(s.order), s.title.get(lang), *with_dates(s, lang)] for s in self.a.steps]))

    def display(self) -> None:
        """Where each product shows its filing number."""
        self.section(word("display", self.lang), self.grid(
            self.words("product", "form", "location"),
            [[d.product, self.shown(d.form_label, d.form), d.location.get(self.lang)] for d in self.a.display]))

    def questions(self) -> None:
        """The open questions, each once with its features (and the answer fields with ``ids``)."""
        from engine.render.summary import grouped_questions  # the summary builds on this module

        lang = self.lang
        fields: dict[str, list[str]] = {}
        for q in self.a.open_questions:
            fields.setdefault(q.question.get(lang), []).append(q.field)
        self.section(word("open_questions", lang), self.grid(
            self.words("question", "features", *(["field"] if self.ids else [])),
            [[text, "\n".join(where)] + (["\n".join(fields[text])] if self.ids else [])
             for text, where in grouped_questions(self.a, lang)]))

    def references(self) -> None:
        """Every law cited, one line each, wrapped with a hanging indent."""
        text = "\n".join(references_text(self.a, self.lang))
        self.section(word("references", self.lang),
                     (wrap(text, self.width, "  ") if self.width else text) or word("none", self.lang))
