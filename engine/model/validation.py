"""Turn pydantic validation errors into (key path, message-with-fix) pairs people can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from engine.model.suggest import did_you_mean


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``("products", 0, "name")`` -> ``products[0].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
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


def describe(error: Mapping[str, Any], root: type[BaseModel]) -> tuple[str, str]:
    """One pydantic error as ``(key path, message with the fix)``."""
    loc = tuple(error["loc"])
    key = format_loc(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc)
        valid = list(model.model_fields) if model else []
        return key, f"unknown key '{loc[-1]}'; {did_you_mean(str(loc[-1]), valid)}"
    if kind == "missing":
        return key, f"required field is missing; add `{loc[-1]}:`"
    if kind == "too_short":
        return key, "must not be empty; give at least one item (or `unsure`)"
    message = str(error["msg"])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        message += f", got {error.get('input')!r}"
    return key, message
