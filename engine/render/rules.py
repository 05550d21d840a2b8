"""The rule listing of ``algo-filing rules``: every rule with its file, title and legal basis."""

from __future__ import annotations

import json

from engine.model.base import Lang
from engine.render.grid import grid
from engine.render.labels import word
from engine.rules.rulebook import Rulebook


def render_rules(book: Rulebook, fmt: str, lang: Lang) -> str:
    """The rules as ``json`` (ids, titles in both languages, basis, start dates) or as a table."""
    if fmt == "json":
        rows = [{"id": r.id, "file": book.rule_files[r.id], "title": r.title.model_dump(),
                 "basis_kind": r.basis_kind, "basis": [b.render(book.laws, lang) for b in r.basis],
                 "valid_from": r.valid_from.isoformat() if r.valid_from else None}
                for r in book.rules.values()]
        return json.dumps({"rules_version": book.rules_version, "rules": rows}, ensure_ascii=False, indent=2) + "\n"
    sep = "；" if lang == "zh" else "; "
    table = [[r.id, book.rule_files[r.id], r.title.get(lang),
              f"[{word('kind_' + r.basis_kind, lang)}] " + sep.join(b.render(book.laws, lang) for b in r.basis)]
             for r in book.rules.values()]
    headers = ["id", word("rules_file", lang), word("rules_title", lang), word("basis", lang)]
    return f"{grid(table, headers=headers, widths=[36, 20, 40, 48])}\n{len(table)} rules · {book.rules_version}\n"
