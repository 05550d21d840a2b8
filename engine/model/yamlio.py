"""Strict reading of YAML and JSON data files.

YAML is read with the safe loader only (no Python objects from data files), and a mapping
with the same key twice is an error rather than a silent overwrite: a compliance person who
pastes a rule twice must hear about it.

Anchors, aliases and merge keys (``&a``, ``*a``, ``<<:``) are refused: no data file of ours
needs them, and nine levels of nine aliases fit in 600 bytes yet expand to 387 million values
(the "billion laughs"). Nesting deeper than the parsers can follow, an integer too long to
convert and a UTF-8 byte-order mark are handled too, so no file can end in a traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from engine.errors import LoadError

MERGE_KEYS_MESSAGE = "YAML merge keys (<<) are not supported; write the keys out in full"
ALIAS_MESSAGE = "YAML anchors and aliases (&name, *name) are not supported; write the value out in full"


MAX_FLOW_DEPTH = 100
"""Deepest ``[``/``{`` nesting read: PyYAML's scanner slows down quadratically with depth."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, anchors, aliases, merge keys and deep nesting."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803 - PyYAML's name
        if self.flow_level >= MAX_FLOW_DEPTH:
            raise yaml.scanner.ScannerError(None, None, TOO_DEEP, self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(None, None, ALIAS_MESSAGE, event.start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise yaml.constructor.ConstructorError(None, None, MERGE_KEYS_MESSAGE, key_node.start_mark)
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


_DECIMAL = re.compile(r"[-+]?[0-9]+")


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    """Only plain decimal integers are numbers. YAML 1.1 also reads ``0x10`` as 16, ``020`` as
    octal 16, ``1_000`` and ``1:30`` (90); in an answers file those are typing mistakes, so they
    stay text and the field that expects a number says so."""
    text = loader.construct_scalar(node)
    return int(text) if _DECIMAL.fullmatch(str(text)) else text


_FastLoader: Any = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser with the same constructors: for text that cannot hold what only the
        strict loader's Python scanner and composer catch (anchors, aliases, deep flow nesting)."""

for _loader in (_StrictLoader, _FastLoader):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
        _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


_NODE_PROPERTY = re.compile(r"(?<![^\W_])[&*]")
"""An ``&`` or ``*`` that may start an anchor or an alias: one not right after a letter or a digit
(a node starts a line or follows a blank or an indicator). ``Q&A`` matches nothing; a quoted ``&``
after a blank matches, which only costs the strict loader."""


def _load_yaml(text: str) -> Any:
    """YAML through libyaml where the text can hold no anchor or alias (the data files and nearly
    every answers file: about ten times faster, which is most of the time ``algo-filing ask``
    takes to show its first question), else through the strict loader. What libyaml reads is
    kept only when it nests less than :data:`MAX_FLOW_DEPTH` levels, so that the strict loader's
    limit holds; a document libyaml refuses, or nests deeper, is read again by the strict loader,
    so errors read as they always did.
    """
    if _FastLoader is not None and _NODE_PROPERTY.search(text) is None:
        try:
            data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - SafeLoader's constructors
        except yaml.YAMLError:
            pass
        else:
            if _shallow(data, MAX_FLOW_DEPTH):
                return data
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict subclass of SafeLoader


def _shallow(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and mappings fewer than ``limit`` levels deep (level by level,
    without recursion). Flow collections are among them, so the strict loader's flow limit holds."""
    level = [data]
    for _ in range(limit):
        level = [item for value in level if isinstance(value, dict | list | tuple | set)
                 for item in (value.values() if isinstance(value, dict) else value)]
        if not level:
            return True
    return False


class DuplicateKeyError(ValueError):
    """A JSON object with the same key twice (``"news": true, "news": false``)."""

    def __init__(self, key: str) -> None:
        from engine.sanitize import echo

        super().__init__(f"duplicate key '{echo(key)}' in one object; keep one of them")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict, refusing a repeated key: JSON's parser would keep the last
    silently, while YAML (above) refuses it; the answers must not depend on the format."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def loads_json(text: str) -> Any:
    """``json.loads`` refusing duplicate keys (:class:`DuplicateKeyError`, a ValueError)."""
    return json.loads(text, object_pairs_hook=_unique_keys)


def parse_text(text: str, *, source: str, fmt: str = "yaml") -> Any:
    """Parse YAML or JSON text; errors name the source and the line."""
    text = text.removeprefix("\ufeff")
    return _parse_json(text, source) if fmt == "json" else _parse_yaml(text, source)


def _parse_json(text: str, source: str) -> Any:
    try:
        return loads_json(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                        file=source, hint="fix the JSON syntax") from None
    except RecursionError:
        raise LoadError(TOO_DEEP, file=source) from None
    except ValueError as exc:  # a duplicate key, an integer of thousands of digits
        raise LoadError(f"not valid JSON: {exc}", file=source) from None


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return _load_yaml(text)
    except RecursionError:
        raise LoadError(TOO_DEEP, file=source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if problem in (ALIAS_MESSAGE, MERGE_KEYS_MESSAGE, TOO_DEEP):
            raise LoadError(f"{problem} ({where.strip().removeprefix('at ')})" if where else problem,
                            file=source) from None
        raise LoadError(f"not valid YAML{where}: {problem}", file=source,
                        hint="fix the YAML syntax (indentation, quotes, colons)") from None
    except yaml.YAMLError as exc:
        raise LoadError(f"not valid YAML: {exc}", file=source) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise LoadError(f"not valid YAML: {exc}", file=source) from None


TOO_DEEP = "nested too deeply to read (lists or mappings inside each other hundreds of levels deep)"


def data_format(path: Path | str, text: str) -> str:
    """``json`` or ``yaml``: by the suffix, or for standard input by the first character."""
    if str(path) == "-":
        return "json" if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") else "yaml"
    return "json" if Path(path).suffix.lower() == ".json" else "yaml"


def read_data_file(path: Path, *, max_bytes: int | None = None) -> Any:
    """Read a YAML or JSON file by its suffix; a missing or unreadable file is a LoadError.

    With ``max_bytes``, a larger file is refused after reading no more than that (``-`` reads
    standard input).
    """
    from engine.limits import read_limited_bytes

    try:
        if max_bytes is None:
            text = path.read_text(encoding="utf-8")
        else:
            text = read_limited_bytes(path, max_bytes).decode("utf-8")
    except FileNotFoundError:
        raise LoadError("file not found", file=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise LoadError("is a directory, not a file", file=str(path)) from None
    except UnicodeDecodeError:
        raise LoadError("not UTF-8 text", file=str(path), hint="save the file as UTF-8") from None
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror}", file=str(path)) from None
    return parse_text(text, source="<stdin>" if str(path) == "-" else str(path), fmt=data_format(path, text))
