"""The rule listing of ``algo-filing rules``: every rule with its file, title and legal basis, then
every duty with its basis, whom it binds and the rules that conclude it."""

from __future__ import annotations

import json

from engine.model.base import Lang
from engine.render.grid import grid
from engine.render.labels import word
from engine.rules.listing import RulesDocument, rules_document
from engine.rules.rulebook import Rulebook


def render_rules(book: Rulebook, fmt: str, lang: Lang) -> str:
    """The listing as ``json`` (:class:`RulesDocument`) or as two tables, rules then duties."""
    document = rules_document(book, lang)
    if fmt == "json":
        return json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    return _rules_table(document, lang) + "\n" + _duties_table(document, lang)


def _kind_and_basis(kind: str, basis: list[str], lang: Lang) -> str:
    sep = "；" if lang == "zh" else "; "
    return f"[{word('kind_' + kind, lang)}] " + sep.join(basis)


def _rules_table(document: RulesDocument, lang: Lang) -> str:
    table = [[r.id, r.file, getattr(r.title, lang), _kind_and_basis(r.basis_kind, r.basis, lang)]
             for r in document.rules]
    headers = ["id", word("rules_file", lang), word("rules_title", lang), word("basis", lang)]
    return (f"{grid(table, headers=headers, widths=[36, 20, 40, 48])}\n"
            f"{len(table)} {word('rules_count', lang)} · {document.rules_version}\n")


def _duties_table(document: RulesDocument, lang: Lang) -> str:
    sep = "、" if lang == "zh" else ", "
    table = [[d.id, _duty_title(getattr(d.title, lang), d.binds, lang),
              _kind_and_basis(d.basis_kind, d.basis, lang), sep.join(d.rules) or "—"]
             for d in document.duties]
    headers = ["id", word("duties_title", lang), word("basis", lang), word("duties_rules", lang)]
    return (f"{grid(table, headers=headers, widths=[22, 44, 48, 32])}\n"
            f"{len(table)} {word('duties_count', lang)} · {document.rules_version}\n")


def _duty_title(title: str, binds: str, lang: Lang) -> str:
    """A platform's duty says so, as the assessment does: the filer does not carry it (ruling 19)."""
    if binds == "filer":
        return title
    checks = word("platform_checks", lang)
    return f"{title}（{checks}）" if lang == "zh" else f"{title} ({checks})"
