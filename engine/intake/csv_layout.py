"""The flat CSV layout of batch input (``docs/batch.md``): one product per row.

Columns name answer keys (``forms``, ``feature1_behaviours``…) as the answer-to-fact contract
(``rules/answer_contract.yaml``) lists them, list cells are separated by
``;``, an empty cell leaves its key out. A header with an unknown, repeated or missing column
stops the batch before anything is written, with a did-you-mean; a bad row becomes a record
with a problem, and errors found later by the answers model are reported by column name.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from engine.intake.records import BatchUsageError, Record, blank_record
from engine.intake.triage import RecordProblem
from engine.limits import Overlong
from engine.model.contract import AnswerField, answer_contract
from engine.model.suggest import did_you_mean

LIST_SEPARATOR = ";"
"""Separates the items of a list cell in CSV input (``app;website``)."""

_CONTRACT = answer_contract()

PRODUCT_COLUMNS: dict[str, str] = {
    column: f.answer for f in _CONTRACT.of("product") if (column := f.column()) is not None}
"""CSV column -> key of the product (``products[0]``), from ``rules/answer_contract.yaml``."""

FEATURE_FIELDS: tuple[str, ...] = tuple(f.answer for f in _CONTRACT.of("feature") if f.column() is not None)
"""Keys of a feature; column ``feature<N>_<key>`` holds the key of the N-th feature (N from 1)."""

REQUIRED_FEATURE_FIELDS: tuple[str, ...] = tuple(
    f.answer for f in _CONTRACT.of("feature") if f.required and f.column() is not None)
"""Every feature with any cell gives these (``feature<N>_name``, ``feature<N>_behaviours``)."""

LIST_KEYS = frozenset(f.answer for f in _CONTRACT.fields if f.kind == "ids")
TOP_COLUMNS: dict[str, str] = {
    column: ("entity." if f.scope == "entity" else "") + f.answer
    for f in (*_CONTRACT.of("entity"), *_CONTRACT.of("document")) if (column := f.column()) is not None}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(
    column for f in (*_CONTRACT.of("entity"), *_CONTRACT.of("product"))
    if f.required and (column := f.column()) is not None)

MISSING_MESSAGE = "required field is missing"
"""How the answers model words a missing field (reworded for CSV input, which names columns)."""

_FEATURE_COLUMN = re.compile(r"^feature([1-9][0-9]*)_([a-z_]+)$")
_KEY_PATH = re.compile(r"^products\[0\]\.features\[(\d+)\](?:\.(\w+))?")


def _known_columns(numbers: Iterable[int]) -> list[str]:
    known = [*TOP_COLUMNS, *PRODUCT_COLUMNS]
    for n in sorted(set(numbers) | {1}):
        known.extend(f"feature{n}_{key}" for key in FEATURE_FIELDS)
    return known


def check_header(header: list[str], source: str) -> list[int]:
    """Validate a CSV header; return the feature numbers it has, in order."""
    seen: set[str] = set()
    numbers: set[int] = set()
    for column in header:
        match = _FEATURE_COLUMN.match(column)
        if match and match.group(2) in FEATURE_FIELDS:
            numbers.add(int(match.group(1)))
    known = set(_known_columns(numbers))
    for index, column in enumerate(header, start=1):
        if column in seen:
            raise BatchUsageError(f"column '{column}' appears twice", file=source, key=f"header, column {index}")
        seen.add(column)
        if column not in known:
            raise BatchUsageError(f"unknown column '{column}'; {did_you_mean(column, sorted(known))}",
                                  file=source, key=f"header, column {index}", hint="see docs/batch.md")
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            raise BatchUsageError(f"required column '{column}' is missing", file=source, key="header",
                                  hint="see docs/batch.md for the flat layout")
    if not numbers:
        raise BatchUsageError("no feature columns: give at least feature1_name and feature1_behaviours",
                              file=source, key="header")
    for n in sorted(numbers):
        for key in REQUIRED_FEATURE_FIELDS:
            if f"feature{n}_{key}" not in seen:
                raise BatchUsageError(f"column 'feature{n}_{key}' is missing (feature {n} has other columns)",
                                      file=source, key="header")
    return sorted(numbers)


def _cell_value(key: str, cell: str) -> Any:
    """A CSV cell as an answers value: lists split on ``;``, ``unsure`` kept as it is."""
    value = cell.strip()
    if key in LIST_KEYS and value.lower() != "unsure":
        return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    return value


def row_to_answers(header: list[str], cells: list[str],
                   numbers: list[int]) -> tuple[dict[str, Any], dict[str, str]]:
    """One CSV row as an answers document (one product), and key prefix -> column for errors.

    An empty cell leaves its key out, so the answers model's default applies (an empty
    ``opinion_features`` or ``user_groups`` means none; write ``unsure`` when not known). A
    feature whose cells are all empty is left out.
    """
    row = dict(zip(header, cells, strict=True))
    answers: dict[str, Any] = {}
    entity: dict[str, Any] = {}
    product: dict[str, Any] = {}
    columns: dict[str, str] = {}
    for column, path in TOP_COLUMNS.items():
        columns[path] = column
        cell = row.get(column, "").strip()
        if cell:
            if path.startswith("entity."):
                entity[path.split(".", 1)[1]] = cell
            else:
                answers[path] = cell
    for column, key in PRODUCT_COLUMNS.items():
        columns[f"products[0].{key}"] = column
        cell = row.get(column, "")
        if cell.strip():
            product[key] = _cell_value(key, cell)
    features: list[dict[str, Any]] = []
    for n in numbers:
        feature = {key: _cell_value(key, row[f"feature{n}_{key}"]) for key in FEATURE_FIELDS
                   if row.get(f"feature{n}_{key}", "").strip()}
        if feature:
            for key in FEATURE_FIELDS:
                columns[f"products[0].features[{len(features)}].{key}"] = f"feature{n}_{key}"
            features.append(feature)
    if features:
        product["features"] = features
    columns["products[0].features"] = f"feature{numbers[0]}_name"
    columns["entity"] = "entity_name"
    columns["products"] = "product_name"
    answers["entity"] = entity
    answers["products"] = [product]
    return answers, columns


def column_of(key: str, columns: dict[str, str]) -> str:
    """The CSV column an answers key path comes from (``products[0].forms[1]`` -> ``forms``)."""
    match = _KEY_PATH.match(key)
    if match:
        index, sub = match.groups()
        prefix = f"products[0].features[{index}]"
        return columns.get(f"{prefix}.{sub}") or columns.get(f"{prefix}.name") or key
    candidates = [k for k in columns if key == k or key.startswith(k + ".") or key.startswith(k + "[")]
    return columns[max(candidates, key=len)] if candidates else key


class _Lines:
    """The decoded lines of a CSV input, numbered, with a way to hand lines back to be read again.

    The csv reader takes lines from here; :meth:`start` marks where a row begins, so that the
    lines a row took are known, and :meth:`again` puts all but the first of them back when the
    row turns out to be an unclosed quote swallowing the rows after it.
    """

    def __init__(self, lines: Iterable[bytes | Overlong], source: str, line_limit: int) -> None:
        self._lines = iter(lines)
        self._source = source
        self._limit = line_limit
        self._read = 0
        self._again: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        entry = self._again.popleft() if self._again else self._decode(next(self._lines))
        self.taken.append(entry)
        return entry[1]

    def _decode(self, raw: bytes | Overlong) -> tuple[int, str]:
        self._read += 1
        if isinstance(raw, Overlong):
            raise BatchUsageError(
                f"line longer than the limit of {self._limit:,} bytes", file=self._source,
                key=f"line {self._read}", hint="raise the limit with --max-line-size BYTES")
        if self._read == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return self._read, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BatchUsageError(
                "the file is not UTF-8", file=self._source, key=f"line {self._read}",
                hint="save it as 'CSV UTF-8' (a spreadsheet's default CSV may be GBK)") from None

    def start(self) -> None:
        """A new row begins with the next line."""
        self.taken = []

    def first(self) -> int:
        """The line the current row began on."""
        return self.taken[0][0] if self.taken else self._read + 1

    def again(self) -> bool:
        """Hand back every line of the current row but its first; whether there were any."""
        rest = self.taken[1:]
        self._again.extendleft(reversed(rest))
        return bool(rest)


QUOTE_ERROR = ("a quote (\") opens a cell that does not close before the row's end ({problem}); "
               "this row is skipped and the lines after it are read as rows")
"""Why a row that ran over several lines and then failed costs its first line only."""


def _bad_row(lines: _Lines, problem: str) -> Record:
    """The error record of a row that cannot be read; the lines it swallowed are read again."""
    line = lines.first()
    if lines.again():
        problem = QUOTE_ERROR.format(problem=problem)
    return Record(line, problem=RecordProblem(field=None, message=problem))


def read_csv(lines: Iterable[bytes | Overlong], source: str, *, line_limit: int = 0) -> Iterator[Record]:
    """One record per data row of a flat-layout CSV (UTF-8, with or without a BOM).

    An :class:`~engine.limits.Overlong` stands for a line longer than ``line_limit`` bytes: a CSV
    row may span lines, so the rows after it cannot be found again and the batch stops there.
    A row that spans lines (a quoted cell with a line break) and then cannot be read, or has the
    wrong number of cells, is most likely an unclosed quote that swallowed the rows after it:
    it costs its first line only, and the lines after it are read again as rows.
    """
    numbered = _Lines(lines, source, line_limit)
    reader = csv.reader(numbered, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise BatchUsageError(f"unreadable CSV header: {exc}", file=source, key="line 1") from None
    numbers = check_header(header, source)
    while True:
        numbered.start()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _bad_row(numbered, f"unreadable CSV row: {exc}")
            continue
        if not any(c.strip() for c in cells):
            yield blank_record(numbered.first(), "row")
        elif len(cells) != len(header):
            yield _bad_row(numbered, f"the row has {len(cells)} cells but the header has {len(header)}; "
                                     "check for an unquoted comma or a missing cell")
        else:
            data, columns = row_to_answers(header, cells, numbers)
            yield Record(numbered.first(), data=data, columns=columns)


# ---------------------------------------------------------------- the documented layout

DOCS_BEGIN = "<!-- columns: generated from rules/answer_contract.yaml (python -m engine.intake.csv_layout) -->"
DOCS_END = "<!-- end of generated columns -->"


def _value_text(field: AnswerField) -> str:
    """What a cell holds, as the batch docs say it."""
    if field.kind == "ids":
        return f"list of `{field.vocabulary}` ids" + ("" if field.required else "; empty = none")
    if field.kind == "id":
        absent = "" if field.absent in (None, "none") else f"; empty = `{field.absent}`"
        return " / ".join(f"`{i}`" for i in (*field.ids(), "unsure")) + absent
    if field.kind == "yes_no":
        absent = {"no": "", "unsure": "; empty = not known (an open question)",
                  "none": "; empty = not answered"}[field.absent or "no"]
        return "`yes` / `no` / `true` / `false` / `unsure`" + absent
    if field.kind == "count":
        return "whole number, or `unsure`"
    if field.kind == "date":
        return "`YYYY-MM-DD`"
    return "text" + (f" ({field.description})" if field.scope == "entity" and field.description else "")


def column_table() -> str:
    """The column table of ``docs/batch.md``, one row per CSV column of the contract."""
    rows = ["| column | answers key | value |", "|---|---|---|"]
    for field in (*_CONTRACT.of("entity"), *_CONTRACT.of("document"), *_CONTRACT.of("product")):
        column = field.column()
        if column is None:
            continue
        key = {"entity": f"entity.{field.answer}", "document": field.answer}.get(
            field.scope, f"products[0].{field.answer}")
        required = " **(required)**" if field.required else ""
        rows.append(f"| `{column}`{required} | `{key}` | {_value_text(field)} |")
    for field in _CONTRACT.of("feature"):
        if field.column() is None:
            continue
        required = " **(required for each N)**" if field.required else ""
        rows.append(f"| `feature<N>_{field.column()}`{required} | `products[0].features[…].{field.answer}` "
                    f"| {_value_text(field)} |")
    return "\n".join(rows)


def documented(text: str) -> str:
    """``text`` (``docs/batch.md``) with its generated column table replaced by the contract's."""
    head, rest = text.split(DOCS_BEGIN, 1)
    _, tail = rest.split(DOCS_END, 1)
    return f"{head}{DOCS_BEGIN}\n\n{column_table()}\n\n{DOCS_END}{tail}"


if __name__ == "__main__":  # rewrite the generated table of docs/batch.md
    import sys
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "batch.md"
    docs.write_text(documented(docs.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"{docs}: column table regenerated\n")
