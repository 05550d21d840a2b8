"""Strict reading of YAML and JSON data files.

YAML is read with the safe loader only (no Python objects from data files), and a mapping
with the same key twice is an error rather than a silent overwrite: a compliance person who
pastes a rule twice must hear about it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from engine.errors import LoadError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    """A date-looking value that is no real date (2026-13-45) stays text, so the model can
    report it at its field instead of the YAML parser failing without a location."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def parse_text(text: str, *, source: str, fmt: str = "yaml") -> Any:
    """Parse YAML or JSON text; errors name the source and the line."""
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                            file=source, hint="fix the JSON syntax") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict subclass of SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise LoadError(f"not valid YAML{where}: {problem}", file=source,
                        hint="fix the YAML syntax (indentation, quotes, colons)") from None
    except yaml.YAMLError as exc:
        raise LoadError(f"not valid YAML: {exc}", file=source) from None


def read_data_file(path: Path) -> Any:
    """Read a YAML or JSON file by its suffix; a missing or unreadable file is a LoadError."""
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError("file not found", file=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise LoadError("is a directory, not a file", file=str(path)) from None
    except UnicodeDecodeError:
        raise LoadError("not UTF-8 text", file=str(path), hint="save the file as UTF-8") from None
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror}", file=str(path)) from None
    return parse_text(text, source=str(path), fmt=fmt)
