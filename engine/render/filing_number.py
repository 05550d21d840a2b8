"""A decoded filing number as a two-column table (JSON is the model's own)."""

from __future__ import annotations

from tabulate import tabulate

from engine.model.base import Lang
from engine.model.filing_number import FilingNumber
from engine.render.labels import word


def render_filing_number(n: FilingNumber, fmt: str, lang: Lang) -> str:
    """The decoded number as ``json`` or as a two-column table in ``lang``."""
    if fmt == "json":
        return n.to_json()
    province = n.province.name.get(lang) if n.province.name else word("unknown", lang)
    type_text = f"{n.type.label.get(lang)} ({n.type.type}{'/' + n.type.subtype if n.type.subtype else ''})"
    rows = [
        [word("number", lang), n.number],
        [word("region_code", lang), n.region_code],
        [word("province", lang), f"{n.province.code} {province}"],
        [word("entity_code", lang), n.entity_code],
        [word("number_type", lang), f"{n.type.code} = {type_text}"],
        [word("year", lang), str(n.year)],
        [word("serial", lang), n.serial],
        [word("layout", lang), n.layout],
    ]
    rows += [[word("notes", lang) if i == 0 else "", note.get(lang)] for i, note in enumerate(n.notes)]
    table = tabulate(rows, tablefmt="simple_grid", maxcolwidths=[16, 72])
    return f"{table}\n{n.source.get(lang)}\n"
