"""Target paths: where a question's answer lands in the answers model (``products[].forms``).

A path is resolved against the pydantic answers model itself, so a questionnaire can only write
fields the model has, in the scope it asks in, with values the field's own validator accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from engine.model.answers import Answers, Entity, Feature, Product
from engine.model.suggest import did_you_mean
from engine.model.validation import inner_model

Scope = Literal["entity", "product", "feature"]
"""What a question is about: the entity (asked once), each product, or each feature of a product."""
SCOPES: tuple[Scope, ...] = ("entity", "product", "feature")


_SEGMENT = re.compile(r"^([a-z_]+)(\[\])?$")
SCOPE_MODELS: dict[Scope, type[BaseModel]] = {"entity": Entity, "product": Product, "feature": Feature}


@dataclass(frozen=True)
class TargetPath:
    """A parsed target path: the leaf field it names and how to validate a value for it."""

    path: str
    scope: Scope
    leaf: str
    adapter: TypeAdapter[Any]
    is_list: bool
    required: bool

    def check(self, value: Any) -> str | None:
        """None when the field accepts ``value``, else the field's own message."""
        try:
            self.adapter.validate_python(value)
        except ValidationError as exc:
            return str(exc.errors()[0]["msg"])
        return None




def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


def parse_target(path: str) -> TargetPath:
    """Resolve ``path`` against the answers model; a ValueError says what is wrong and the fix."""
    model: type[BaseModel] = Answers
    segments = path.split(".")
    depth = 0
    for position, segment in enumerate(segments):
        match = _SEGMENT.match(segment)
        if not match:
            raise ValueError(f"'{segment}' is not a field name; write e.g. products[].features[].behaviours")
        name, brackets = match.group(1), match.group(2)
        field = model.model_fields.get(name)
        if field is None:
            raise ValueError(f"the answers model has no field '{name}' here; "
                             f"{did_you_mean(name, model.model_fields)}")
        inner = inner_model(field.annotation)
        last = position == len(segments) - 1
        if last:
            if inner is not None:
                raise ValueError(f"'{name}' holds {inner.__name__} objects, not an answer; "
                                 f"name one of its fields, e.g. {name}{'[]' if _is_list(field.annotation) else ''}."
                                 f"{next(iter(inner.model_fields))}")
            if brackets:
                raise ValueError(f"'{name}' is an answer, not a list of objects; write it without []")
            annotation: Any = field.annotation
            if field.metadata:
                annotation = Annotated.__class_getitem__((field.annotation, *field.metadata))  # type: ignore[attr-defined]
            scope: Scope = SCOPES[depth]
            return TargetPath(path=path, scope=scope, leaf=name, adapter=TypeAdapter(annotation),
                          is_list=_is_list(field.annotation), required=field.is_required())
        if inner is None:
            raise ValueError(f"'{name}' is an answer, not an object; end the path there")
        if _is_list(field.annotation) != bool(brackets):
            fixed = f"{name}[]" if _is_list(field.annotation) else name
            raise ValueError(f"write '{fixed}': '{name}' {'is' if brackets is None else 'is not'} a list")
        if brackets:
            depth += 1
        model = inner
    raise ValueError("empty target")  # pragma: no cover - split always yields a segment
