"""The assessment as terminal tables (tabulate), Chinese by default."""

from __future__ import annotations

from tabulate import tabulate

from ..assessment import Assessment, Deadline, DurationOut, LegalRef
from ..base import Lang
from .labels import word

_WIDTH = 48


def cites(refs: list[LegalRef], lang: Lang) -> str:
    """Legal references joined for a table cell."""
    return "；".join(r.citation.get(lang) for r in refs) if lang == "zh" else "; ".join(
        r.citation.get(lang) for r in refs)


def deadline_text(deadline: Deadline | None, lang: Lang) -> str:
    """A deadline for a table cell ("—" when the duty has none)."""
    return deadline.text.get(lang) if deadline else "—"


def duration_text(duration: DurationOut, lang: Lang) -> tuple[str, str]:
    """(statutory, practice) texts of a step's duration."""
    statutory = (f"{duration.statutory_working_days}{word('working_days', lang)}"
                 if duration.statutory_working_days is not None else "—")
    practice = duration.practice_text.get(lang) if duration.practice_text else "—"
    return statutory, practice


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return ""
    return tabulate(rows, headers=headers, tablefmt="simple_grid",
                    maxcolwidths=[_WIDTH] * len(headers))


def render_table(a: Assessment, lang: Lang) -> str:
    """Every section of the assessment as headed tables."""
    out: list[str] = []

    def section(title: str, body: str) -> None:
        out.append(f"\n== {title} ==")
        out.append(body if body else word("none", lang))

    status = f"{a.filing.label.get(lang)} ({a.filing.status})"
    section(word("filing", lang), f"{word('status', lang)}: {status}\n"
            f"{word('as_of', lang)}: {a.filing.as_of.isoformat()}    "
            f"{word('rules_version', lang)}: {a.rules_version}\n" + _table(
                [word("reason", lang), word("basis", lang), word("products", lang)],
                [[r.title.get(lang) + f"\n[{r.rule}]", cites(r.basis, lang), "\n".join(r.products)]
                 for r in a.filing.reasons]))
    section(word("algorithms", lang), _table(
        [word("name", lang), word("type", lang), word("role", lang), word("status", lang),
         word("products", lang), word("features", lang), word("genai", lang)],
        [[al.name.get(lang), al.type_label.get(lang) + (f"\n{al.subtype}" if al.subtype else ""),
          al.role_label.get(lang), al.status, "\n".join(al.products), "\n".join(al.features),
          al.genai_route or "—"] for al in a.algorithms]))
    section(word("obligations", lang), _table(
        [word("duty", lang), word("deadline", lang), word("basis", lang)],
        [[o.title.get(lang) + f"\n[{o.id}]", deadline_text(o.deadline, lang), cites(o.basis, lang)]
         for o in a.obligations]))
    for scope in ("entity", "product", "algorithm"):
        items = [m for m in a.materials if m.scope == scope]
        if not items:
            continue
        section(f"{word('materials', lang)} · {word('scope_' + scope, lang)}", _table(
            [word("material", lang), word("contents", lang), word("pitfalls", lang)],
            [["☐ " + m.name.get(lang) + f"\n[{m.id}]", m.contents.get(lang),
              "\n".join("• " + p.text.get(lang) for p in m.pitfalls) or "—"] for m in items]))
    section(word("steps", lang), _table(
        ["#", word("step", lang), word("statutory", lang), word("practice", lang)],
        [[str(s.order), s.title.get(lang), *duration_text(s.duration, lang)] for s in a.steps]))
    section(word("display", lang), _table(
        [word("product", lang), word("form", lang), word("location", lang)],
        [[d.product, d.form, d.location.get(lang)] for d in a.display]))
    section(word("open_questions", lang), _table(
        [word("question", lang), word("product", lang), word("field", lang)],
        [[q.question.get(lang), " / ".join(x for x in (q.product, q.feature) if x), q.field]
         for q in a.open_questions]))
    out.append("\n" + word("not_legal_advice", lang))
    return "\n".join(out).lstrip("\n") + "\n"
