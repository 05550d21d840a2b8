"""What people type and what they are shown: counts as typed, answers as labels."""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.model.answers import MAX_COUNT
from engine.model.base import Lang
from engine.model.vocabulary import UNSURE
from engine.questionnaire.schema import Question, Questionnaire
from engine.questionnaire.slots import Value
from engine.sanitize import terminal_safe

_NUMBER = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(万|w|千|k|亿|m)?$", re.IGNORECASE)
_FACTORS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000, "m": 1_000_000}

MAX_COUNT_CHARS = 40
"""Longer input is no count anyone types (and is not worth parsing)."""



def parse_count(text: str) -> int | None:
    """A count as people type it: ``120000``, ``120,000``, ``32万``, ``1.5亿``, ``50k``; else None.

    Only the ASCII digits 0-9 count (not ``0x10``, not other scripts' digits, which ``int()``
    would take silently), the arithmetic is exact (no float overflow on 309 nines) and a count
    above :data:`MAX_COUNT` is refused like any other non-count.
    """
    if len(text) > MAX_COUNT_CHARS:
        return None
    cleaned = text.strip().replace(",", "").replace("，", "").replace("_", "").replace(" ", "")
    match = _NUMBER.match(cleaned)
    if not match:
        return None
    number, unit = match.groups()
    if not unit and "." in number:
        return None
    factor = _FACTORS[unit.lower()] if unit else 1
    whole, _, fraction = number.partition(".")
    scaled = (int(whole + fraction) * factor * 2 + 10 ** len(fraction)) // (2 * 10 ** len(fraction))
    return scaled if scaled <= MAX_COUNT else None


def iter_labels(questionnaire: Questionnaire, question: Question, value: Value, lang: Lang) -> Iterator[str]:
    """The labels of an answer, for showing it (ids are stored; labels are only displayed)."""
    if question.type in ("select", "yes_no"):
        yield questionnaire.choice_label(question, str(value), lang)
    elif question.type == "multi" and isinstance(value, list):
        for choice in value:
            yield questionnaire.choice_label(question, choice, lang)
    elif value == UNSURE:
        yield questionnaire.text("choice_unsure", lang)
    elif value in ("", None):
        yield questionnaire.text("not_given", lang)
    else:
        shown = f"{value:,}".replace(",", " ") if isinstance(value, int) else str(value)
        yield terminal_safe(shown, keep_newlines=False)


def describe_value(questionnaire: Questionnaire, question: Question, value: Value, lang: Lang) -> str:
    """An answer as one line of labels."""
    return ("、" if lang == "zh" else ", ").join(iter_labels(questionnaire, question, value, lang))
