"""Batch assessment: many answers documents in, exactly one output line per record, in order.

Input is JSON Lines (one answers document per line) or CSV in the flat layout of
``docs/batch.md`` (one product per row). Output is JSON Lines: per record the assessment
(compact JSON), or with ``summary`` a :class:`~engine.triage.TriageRow`, or for a record that
cannot be assessed an :class:`~engine.triage.ErrorRecord` naming its line, the first failing
field and the fix. A triage CSV is written instead when ``summary`` is set and the output file
ends in ``.csv``.

Why it is built this way:

* a bad record never stops the batch: it becomes an error record and the next one is read;
* memory stays flat however large the file: records are read, assessed and written one at a
  time, into a temporary file beside the output that replaces it only when the batch is done
  (so an interrupted batch never leaves half an output, and never touches the input);
* a blank line (or a CSV row with every cell empty) is an error record too, so output line N
  always answers input record N;
* problems with the file as a whole (it is missing, its format is unknown, a CSV header names an
  unknown column, the output would overwrite the input) raise :class:`BatchUsageError` before
  anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, TextIO

from . import assess, assess_json
from .answers import parse_answers
from .errors import AnswersError, EngineError
from .rulebook import Rulebook, default_rulebook
from .suggest import did_you_mean
from .triage import CSV_COLUMNS, ErrorRecord, RecordProblem, TriageRow, csv_cells, triage_row

InputFormat = Literal["jsonl", "csv"]

INPUT_SUFFIXES: dict[str, InputFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
"""Input formats by file suffix, when ``input_format`` is not given."""

LIST_SEPARATOR = ";"
"""Separates the items of a list cell in CSV input (``app;website``)."""

MAX_LINES_QUOTED = 10
"""How many failed line numbers the closing summary quotes."""


class BatchUsageError(EngineError):
    """The batch cannot run: the input is missing or unreadable as a whole, or the output is unusable."""


# ---------------------------------------------------------------- records

@dataclass(frozen=True)
class Record:
    """One input record: its line, and either the answers document or why it is unreadable."""

    line: int
    data: Any = None
    problem: RecordProblem | None = None
    columns: dict[str, str] | None = None
    """For CSV input: answers key prefix -> column, to name the column of a failing field."""


def _blank(line: int, what: str) -> Record:
    return Record(line, problem=RecordProblem(
        field=None, message=f"blank {what}: no answers document; remove it or put a record there"))


def read_jsonl(lines: Iterable[bytes]) -> Iterator[Record]:
    """One record per physical line of a JSON Lines file (UTF-8, a BOM on line 1 is allowed)."""
    for number, raw in enumerate(lines, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Record(number, problem=RecordProblem(
                field=None, message=f"not UTF-8 (byte {exc.start + 1}); save the file as UTF-8"))
            continue
        if not text.strip():
            yield _blank(number, "line")
            continue
        try:
            data = json.loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield Record(number, problem=RecordProblem(
                field=None, message=f"invalid JSON at column {exc.pos + 1}: {exc.msg}; "
                                    "each line must be one complete JSON object"))
            continue
        yield Record(number, data=data)


# ---------------------------------------------------------------- CSV flat layout

PRODUCT_COLUMNS: dict[str, str] = {
    "product_name": "name", "product_description": "description", "forms": "forms",
    "audience": "audience", "opinion_features": "opinion_features",
    "monthly_active_users": "monthly_active_users", "user_groups": "user_groups", "news": "news",
    "commercial": "commercial", "launch_status": "launch_status", "launch_date": "launch_date",
    "change_date": "change_date", "termination_date": "termination_date",
}
"""CSV column -> key of the product (``products[0]``)."""

FEATURE_FIELDS: tuple[str, ...] = ("name", "description", "behaviours", "model_source", "offered_as_api")
"""Keys of a feature; column ``feature<N>_<key>`` holds the key of the N-th feature (N from 1)."""

LIST_KEYS = frozenset({"forms", "audience", "opinion_features", "user_groups", "behaviours"})
REQUIRED_COLUMNS: tuple[str, ...] = ("entity_name", "product_name", "forms", "audience")
TOP_COLUMNS: dict[str, str] = {"entity_name": "entity.name", "entity_credit_code": "entity.credit_code",
                               "as_of": "as_of"}

_MISSING_MESSAGE = "required field is missing"
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
        for key in ("name", "behaviours"):
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


def read_csv(lines: Iterable[bytes], source: str) -> Iterator[Record]:
    """One record per data row of a flat-layout CSV (UTF-8, with or without a BOM)."""
    position = {"line": 0}

    def decoded() -> Iterator[str]:
        for raw in lines:
            position["line"] += 1
            if position["line"] == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BatchUsageError(
                    "the file is not UTF-8", file=source, key=f"line {position['line']}",
                    hint="save it as 'CSV UTF-8' (a spreadsheet's default CSV may be GBK)") from None

    reader = csv.reader(decoded(), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise BatchUsageError(f"unreadable CSV header: {exc}", file=source, key="line 1") from None
    numbers = check_header(header, source)
    while True:
        start = position["line"] + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(start, problem=RecordProblem(field=None, message=f"unreadable CSV row: {exc}"))
            continue
        if not any(c.strip() for c in cells):
            yield _blank(start, "row")
            continue
        if len(cells) != len(header):
            yield Record(start, problem=RecordProblem(
                field=None, message=f"the row has {len(cells)} cells but the header has {len(header)}; "
                                    "check for an unquoted comma or a missing cell"))
            continue
        data, columns = row_to_answers(header, cells, numbers)
        yield Record(start, data=data, columns=columns)


# ---------------------------------------------------------------- assessing one record

def assess_record(record: Record, *, summary: bool, as_of: dt.date | None, book: Rulebook,
                  memoize: bool = True) -> tuple[str | TriageRow | ErrorRecord, bool]:
    """The output of one record (assessment JSON, triage row or error record), and whether it assessed."""
    if record.problem is not None:
        return ErrorRecord(line=record.line, error=record.problem), False
    try:
        answers = parse_answers(record.data, source=f"line {record.line}")
        if summary:
            result = assess(answers, as_of=as_of, rulebook=book, memoize=memoize)
        else:
            text = assess_json(answers, as_of=as_of, rulebook=book, memoize=memoize)
    except AnswersError as exc:
        key, message = exc.problems[0] if exc.problems else ("(document)", exc.message)
        if record.columns is not None:
            key = column_of(key, record.columns)
            if message.startswith(_MISSING_MESSAGE):
                message = f"required; fill in the '{key}' column"
        if len(exc.problems) > 1:
            message += f" (+{len(exc.problems) - 1} more)"
        return ErrorRecord(line=record.line, error=RecordProblem(field=key or None, message=message)), False
    except EngineError as exc:
        return ErrorRecord(line=record.line, error=RecordProblem(field=exc.key, message=exc.message)), False
    except Exception as exc:  # a record must never stop the batch, even one that finds a bug
        return ErrorRecord(line=record.line, error=RecordProblem(
            field=None, message=f"internal error while assessing: {type(exc).__name__}: {exc}")), False
    if summary:
        return triage_row(result, line=record.line, entity=answers.entity.name), True
    return text, True


# ---------------------------------------------------------------- writers

_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
"""Characters JSON leaves unescaped that some readers (Python's ``str.splitlines``) take for line ends."""


def one_line(text: str) -> str:
    """Compact JSON with the few Unicode line separators escaped, so one record stays one line."""
    for char, escaped in _LINE_BREAKS.items():
        if char in text:
            text = text.replace(char, escaped)
    return text


class _JsonlWriter:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, item: str | TriageRow | ErrorRecord) -> None:
        text = item if isinstance(item, str) else item.model_dump_json()
        self._stream.write(one_line(text) + "\n")


class _CsvWriter:
    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(CSV_COLUMNS)

    def write(self, item: str | TriageRow | ErrorRecord) -> None:
        if isinstance(item, str):
            raise TypeError("a triage CSV holds triage rows, not assessments")
        self._writer.writerow(csv_cells(item))


# ---------------------------------------------------------------- the batch

@dataclass
class BatchStats:
    """What a batch did: records read, how many failed (and the first of their lines), time taken."""

    output: Path
    records: int = 0
    errors: int = 0
    seconds: float = 0.0
    error_lines: list[int] = field(default_factory=list)

    @property
    def assessed(self) -> int:
        return self.records - self.errors

    def add(self, line: int, ok: bool) -> None:
        self.records += 1
        if not ok:
            self.errors += 1
            if len(self.error_lines) < MAX_LINES_QUOTED:
                self.error_lines.append(line)

    def describe(self) -> str:
        """The closing summary printed on stderr."""
        rate = f", {self.records / self.seconds:,.0f} records/s" if self.seconds > 0 and self.records else ""
        text = (f"algo-filing batch: {self.records:,} records, {self.assessed:,} assessed, "
                f"{self.errors:,} failed in {self.seconds:.2f} s{rate} -> {self.output}")
        if self.error_lines:
            more = ", …" if self.errors > len(self.error_lines) else ""
            text += "\nfailed lines: " + ", ".join(str(n) for n in self.error_lines) + more
            text += " (each has an error record in the output)"
        return text


def input_format_of(path: Path, given: str | None) -> InputFormat:
    """The input format: as given, else from the file suffix."""
    if given is not None:
        if given not in ("jsonl", "csv"):
            raise BatchUsageError(f"unknown input format '{given}'; use jsonl or csv")
        return "jsonl" if given == "jsonl" else "csv"
    found = INPUT_SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise BatchUsageError(f"cannot tell the format from the suffix '{path.suffix}'", file=str(path),
                              hint="name it .jsonl, .ndjson or .csv, or pass --input-format jsonl|csv")
    return found


def _check_paths(source: Path, output: Path, summary: bool) -> None:
    if not source.is_file():
        what = "is a directory" if source.is_dir() else "not found"
        raise BatchUsageError(f"input file {what}", file=str(source))
    if not os.access(source, os.R_OK):
        raise BatchUsageError("input file is not readable", file=str(source))
    if output.suffix.lower() == ".csv" and not summary:
        raise BatchUsageError("full assessments are written as JSON Lines", file=str(output),
                              hint="name the output .jsonl, or add --summary for a triage CSV")
    if output.is_dir():
        raise BatchUsageError("the output is a directory; give a file name", file=str(output))
    if not output.parent.resolve().is_dir():
        raise BatchUsageError("the output's directory does not exist", file=str(output))
    if output.resolve() == source.resolve():
        raise BatchUsageError("the output would overwrite the input", file=str(output),
                              hint="write to another file")


class _Progress:
    """A progress bar on stderr over the input's bytes (tqdm), or nothing."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
                             leave=False, dynamic_ncols=True)

    def update(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(done)

    def errors(self, count: int) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"{count:,} failed", refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _counted(stream: IO[bytes], progress: Callable[[int], None]) -> Iterator[bytes]:
    for raw in stream:
        progress(len(raw))
        yield raw


def run_batch(source: Path, output: Path, *, input_format: str | None = None, summary: bool = False,
              as_of: dt.date | None = None, progress: bool = False, rulebook: Rulebook | None = None,
              memoize: bool = True) -> BatchStats:
    """Assess every record of ``source`` and write one output line per record to ``output``."""
    source, output = Path(source), Path(output)
    fmt = input_format_of(source, input_format)
    _check_paths(source, output, summary)
    book = rulebook or default_rulebook()
    stats = BatchStats(output=output)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    started = time.perf_counter()
    bar = _Progress(progress, source.stat().st_size, source.name)
    try:
        with source.open("rb") as src, tmp.open("w", encoding="utf-8", newline="") as dst:
            lines = _counted(src, bar.update)
            records = read_jsonl(lines) if fmt == "jsonl" else read_csv(lines, str(source))
            writer = _CsvWriter(dst) if summary and output.suffix.lower() == ".csv" else _JsonlWriter(dst)
            for record in records:
                item, ok = assess_record(record, summary=summary, as_of=as_of, book=book, memoize=memoize)
                writer.write(item)
                stats.add(record.line, ok)
                if not ok:
                    bar.errors(stats.errors)
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        bar.close()
        stats.seconds = time.perf_counter() - started
    return stats
