"""The rule listing of ``algo-filing rules``: every rule with its file, title and legal basis, then
every duty with its basis, whom it binds and the rules that conclude it."""

from __future__ import annotations

import json

from engine.model.base import Lang
from engine.render.grid import fitted_grid
from engine.render.labels import word
from engine.rules.listing import RulesDocument, rules_document
from engine.rules.rulebook import Rulebook


def render_rules(book: Rulebook, fmt: str, lang: Lang, *, width: int | None = None) -> str:
    """The listing as ``json`` (:class:`RulesDocument`) or as two tables, rules then duties, each
    fitted to ``width`` columns when given (the terminal's), as the assessment's tables are."""
    document = rules_document(book, lang)
    if fmt == "json":
        return json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    return _rules_table(document, lang, width) + "\n" + _duties_table(document, lang, width)


def _kind_and_basis(kind: str, basis: list[str], lang: Lang) -> str:
    sep = "；" if lang == "zh" else "; "
    return f"[{word('kind_' + kind, lang)}] " + sep.join(basis)


def _rules_table(document: RulesDocument, lang: Lang, width: int | None) -> str:
    # The file sits under the id: a rule's id is copied whole, and four columns left 10 to the
    # title at 80 columns.
    table = [[f"{r.id}\n{r.file}", getattr(r.title, lang), _kind_and_basis(r.basis_kind, r.basis, lang)]
             for r in document.rules]
    headers = [f"id / {word('rules_file', lang)}", word("rules_title", lang), word("basis", lang)]
    return (f"{fitted_grid(headers, table, width, whole=[0])}\n"
            f"{len(table)} {word('rules_count', lang)} · {document.rules_version}\n")


def _duties_table(document: RulesDocument, lang: Lang, width: int | None) -> str:
    # The rules that conclude a duty sit under its id, one per line, each copied whole.
    table = [["\n".join([d.id, *(f"← {rule}" for rule in d.rules)]),
              _duty_title(getattr(d.title, lang), d.binds, lang), _kind_and_basis(d.basis_kind, d.basis, lang)]
             for d in document.duties]
    headers = [f"id / {word('duties_rules', lang)}", word("duties_title", lang), word("basis", lang)]
    return (f"{fitted_grid(headers, table, width, whole=[0])}\n"
            f"{len(table)} {word('duties_count', lang)} · {document.rules_version}\n")


def _duty_title(title: str, binds: str, lang: Lang) -> str:
    """A platform's duty says so, as the assessment does: the filer does not carry it (ruling 19)."""
    if binds == "filer":
        return title
    checks = word("platform_checks", lang)
    return f"{title}（{checks}）" if lang == "zh" else f"{title} ({checks})"
