"""Reading an answers document (a file, a draft) back into raw answers by slot.

Used to prefill a questionnaire from ``--answers`` and to resume a draft without its sidecar:
the plain-language categories are inferred from the stored ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.errors import AnswersError, LoadError
from engine.model.answers import Answers
from engine.model.migrate import migrate_answers
from engine.model.validation import describe
from engine.model.vocabulary import NO, NONE, UNSURE, YES
from engine.model.yamlio import read_data_file
from engine.questionnaire.schema import Question, Questionnaire
from engine.questionnaire.slots import Slot, Value
from engine.questionnaire.targets import Scope, parse_target


def infer(questionnaire: Questionnaire, scope: Scope, obj: Any, where: Slot,
           values: dict[str, Value]) -> dict[str, Any]:
    """Read the answers of ``scope``'s questions from ``obj`` into ``values``; return the rest."""
    if not isinstance(obj, dict):
        return {}
    questions = questionnaire.in_scope(scope)
    owned = {questionnaire.targets[q.id].leaf for q in questions}
    # A field a checklist tick answers is read with the checklist; without the checklist in the
    # document it is kept as given, until the checklist is answered.
    owned |= {parse_target(path).leaf for q in questions for path in q.setters().values()
              if questionnaire.targets[q.id].leaf in obj}
    nested = {"entity": set(), "product": {"features"}, "feature": set()}[scope]
    follow_ups = set(questionnaire.gate_of)
    for question in sorted(questions, key=lambda q: q.id not in follow_ups):
        slot = Slot(question.id, where.product, where.feature)
        value = _infer_one(questionnaire, question, obj, slot, values)
        if value is not None:
            values[slot.key] = value
    return {k: v for k, v in obj.items() if k not in owned and k not in nested}


def _infer_one(questionnaire: Questionnaire, question: Question, obj: dict[str, Any], slot: Slot,
               values: dict[str, Value]) -> Value | None:
    """The answer ``question`` would have given to produce ``obj``'s value (None: ask it)."""
    leaf = questionnaire.targets[question.id].leaf
    if leaf not in obj or obj[leaf] is None:
        return "" if question.optional else None
    raw = obj[leaf]
    if question.type == "multi":
        return _infer_ticks(question, raw, obj, slot, values)
    return _SCALAR_INFERENCE[question.type](raw)


def _infer_yes_no(raw: Any) -> Value:
    """A stored boolean (or its spelling) as the yes/no choice; anything else is unsure."""
    if raw is True or str(raw).lower() in (YES, "true"):
        return YES
    if raw is False or str(raw).lower() in (NO, "false"):
        return NO
    return UNSURE


def _infer_date(raw: Any) -> Value:
    return raw.isoformat() if isinstance(raw, dt.date) else str(raw)


def _infer_number(raw: Any) -> Value:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else str(raw)


_SCALAR_INFERENCE: dict[str, Callable[[Any], Value]] = {
    "yes_no": _infer_yes_no,
    "date": _infer_date,
    "number": _infer_number,
    "text": str,
    "select": str,
}
"""How a stored value becomes the answer of a question type with one value."""


def _infer_ticks(question: Question, raw: Any, obj: dict[str, Any], slot: Slot,
                 values: dict[str, Value]) -> Value | None:
    """The ticks of a multi-select: stored ids it offers, each category whose follow-up has ticks,
    and each tick that sets a yes/no field ``obj`` holds as true."""
    chosen = _stored_ids(raw)
    picked = [c for c in question.choice_ids() if c in chosen and c in question.stored_ids()]
    for category, then in question.follow_ups().items():
        if values.get(Slot(then, slot.product, slot.feature).key):
            picked.append(category)
    ticks = _setter_ticks(question, obj)
    if not picked and not chosen and NONE in question.choice_ids():
        return [NONE, *ticks]
    picked = [c for c in question.choice_ids() if c in picked or c in ticks]
    return picked or None




def _stored_ids(raw: Any) -> list[str]:
    """The ids a stored multi-select value holds: its items, or unsure alone."""
    if raw == UNSURE:
        return [UNSURE]
    return [str(v) for v in raw] if isinstance(raw, list) else []

def _setter_ticks(question: Question, obj: dict[str, Any]) -> list[str]:
    """The ticks that set a yes/no field of their own, where ``obj`` holds that field as true."""
    return [c for c, path in question.setters().items() if obj.get(parse_target(path).leaf) is True]

def check_partial(doc: Any, *, source: str) -> dict[str, Any]:
    """Check an answers document that may be incomplete: only missing answers are allowed.

    Anything else (an unknown key, a misspelt id, a wrong type) raises AnswersError naming the
    file and the field, so no answer from the file is silently dropped.
    """
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise AnswersError([("(document)", "expected a mapping with `entity` and `products`")], file=source)
    try:
        Answers.model_validate(doc)
    except ValidationError as exc:
        problems = [describe(e, Answers) for e in exc.errors() if e["type"] not in ("missing", "too_short")]
        if problems:
            raise AnswersError(problems, file=source) from None
    return doc


def read_answers_file(path: Path) -> dict[str, Any]:
    """Read an answers file for prefilling: it may be incomplete, but nothing in it may be wrong."""
    try:
        raw = read_data_file(path)
    except LoadError as exc:
        raise AnswersError([("", exc.message + (f" ({exc.hint})" if exc.hint else ""))], file=str(path)) from None
    checked = check_partial(raw, source=str(path))
    return migrate_answers(checked)[0]
