"""The one adapter from pydantic validation errors to messages people can act on.

Every loader (answers, rules, vocabulary, questionnaire) validates through here, so a misspelt
key, a missing field or a wrong type reads the same wherever it is found: the key path, the
problem and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.errors import LoadError
from engine.model.suggest import did_you_mean
from engine.sanitize import ECHO_LIMIT, clip, echo


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``("products", 0, "name")`` -> ``products[0].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = echo(str(part), 80)
            out += f".{part}" if out else part
    return out or "(document)"


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``list[Feature]`` -> ``Feature``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def _model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class whose field the last part of ``loc`` names (to suggest valid keys)."""
    model = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = inner_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _short_repr(value: Any) -> str:
    """A rejected value for a message, through :func:`engine.sanitize.echo` (clipped, containers by
    size); text is quoted, and an enormous integer is described rather than converted to digits."""
    if isinstance(value, str):
        return repr(echo(value))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 700:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    return echo(value)


def describe(error: Mapping[str, Any], root: type[BaseModel]) -> tuple[str, str]:
    """One pydantic error as ``(key path, message with the fix)``."""
    loc = tuple(error["loc"])
    key = format_loc(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc)
        valid = list(model.model_fields) if model else []
        name = str(loc[-1])
        return key, f"unknown key '{echo(name)}'; {did_you_mean(name if len(name) <= 100 else '', valid)}"
    if kind == "missing":
        return key, f"required field is missing; add `{loc[-1]}:`"
    if kind == "too_short":
        return key, "must not be empty; give at least one item (or `unsure`)"
    message = clip(str(error["msg"]).removeprefix("Value error, "), 2 * ECHO_LIMIT)
    if kind.endswith("_type") or kind.endswith("_parsing"):
        message += f", got {_short_repr(error.get('input'))}"
    return key, message


def problems_of(exc: ValidationError, root: type[BaseModel]) -> list[tuple[str, str]]:
    """Every error of ``exc`` described; misspelt keys first (they also make the intended key missing)."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    return [describe(e, root) for e in errors]


M = TypeVar("M", bound=BaseModel)


def validate_file(model: type[M], raw: Any, *, file: str, error: type[LoadError] = LoadError) -> M:
    """``model`` validated from a data file's content, or ``error`` naming the file, key and fix.

    The first problem is the message; up to two more go in the hint, with a count of the rest.
    """
    if not isinstance(raw, dict):
        raise error("expected a mapping of keys to values", file=file, key="(document)")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = problems_of(exc, model)
    key, message = problems[0]
    more = "; ".join(f"{k}: {m}" for k, m in problems[1:3])
    hint = (f"also {more}" + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")) if more else None
    raise error(message, file=file, key=key, hint=hint)
