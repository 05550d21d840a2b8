"""What a new feature calls for (a new filing or a change filing, with its due date), as text."""

from __future__ import annotations

import datetime as dt

from engine.model.base import Lang
from engine.pipeline.feature_filing import NewFeatureFilings
from engine.render.labels import word
from engine.render.summary import deadline_line
from engine.render.table import cites
from engine.render.wrap import wrap
from engine.sanitize import terminal_safe


def render_feature_filings(f: NewFeatureFilings, lang: Lang, *, today: dt.date, width: int = 80,
                           color: bool = False) -> str:
    """One block per algorithm the feature uses: the filing, its due date and basis, why."""
    colon = "：" if lang == "zh" else ": "
    product, feature = (terminal_safe(name, keep_newlines=False) for name in (f.product, f.feature))
    lines = [f"== {word('new_filing_title', lang)}{colon}{product} › {feature} =="]
    if not f.filings:
        lines.append(word("new_feature_no_filing", lang))
    for item in f.filings:
        due = (deadline_line(item.due, today, lang, color=color) if item.due is not None
               else word("new_feature_no_date", lang))
        name = terminal_safe(item.name.get(lang), keep_newlines=False)
        lines.append(f"▶ {item.label.get(lang)}{colon}{name} · {item.type_label.get(lang)}")
        lines.append(f"  {word('due', lang)}{colon}{due}" + (
            f"（{word('launch', lang)} {f.launch_date} + {item.due.working_days}{word('working_days', lang)}）"
            if lang == "zh" and item.due is not None else
            f" ({item.due.working_days}{word('working_days', lang)} after the {word('launch', lang)} on "
            f"{f.launch_date})" if item.due is not None else ""))
        lines.append(f"  {word('basis', lang)}{colon}{cites(item.basis, lang)}")
        lines.append(f"  {item.explanation.get(lang)}")
    return "\n".join(wrap(line, width, "    ") for line in lines) + "\n\n"
