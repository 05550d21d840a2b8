"""Batch assessment: many answers documents in, exactly one output line per record, in order.

Input is JSON Lines (one answers document per line, read by :mod:`engine.intake.records`) or CSV in
the flat layout of ``docs/batch.md`` (one product per row, :mod:`engine.intake.csv_layout`). Output is
JSON Lines: per record the assessment (compact JSON), or with ``summary`` a
:class:`~engine.intake.triage.TriageRow`, or for a record that cannot be assessed an
:class:`~engine.intake.triage.ErrorRecord` naming its line, the first failing field and the fix. A
triage CSV is written instead when ``summary`` is set and the output file ends in ``.csv``.

Why it is built this way:

* a bad record never stops the batch: it becomes an error record and the next one is read;
* memory stays flat however large the file: records are read, assessed and written one at a
  time, into a temporary file beside the output that replaces it only when the batch is done
  (so an interrupted batch never leaves half an output, and never touches the input);
* a blank line (or a CSV row with every cell empty) is an error record too, so output line N
  always answers input record N;
* problems with the file as a whole (it is missing, its format is unknown, a CSV header names an
  unknown column, the output would overwrite the input) raise :class:`BatchUsageError` before
  anything is written;
* each line is read up to a limit (:class:`~engine.limits.Limits`): a longer one becomes an
  error record without ever being held in memory whole;
* an interrupted batch (Ctrl-C, SIGTERM, SIGHUP) keeps what it finished: the output holds the
  complete output lines of every record done so far, in order, and :class:`BatchInterrupted`
  says which input line was the last done, so ``start_line`` can continue after it. The
  temporary file never stays behind.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, TextIO

from engine.errors import AnswersError, EngineError
from engine.files import atomic_output, check_output
from engine.intake.csv_layout import MISSING_MESSAGE, column_of, read_csv
from engine.intake.records import BatchUsageError, Record, read_jsonl
from engine.intake.triage import CSV_COLUMNS, ErrorRecord, RecordProblem, TriageRow, csv_cells, triage_row
from engine.limits import DEFAULT_LIMITS, Limits, Overlong, bounded_lines, is_stdin
from engine.model.answers import parse_answers
from engine.model.contract_json import CatalogueMode
from engine.pipeline.run import assess, assess_json, assess_outline
from engine.rules.rulebook import Rulebook, default_rulebook
from engine.sanitize import clip, csv_row, terminal_safe
from engine.signals import signals_held, take_pending

InputFormat = Literal["jsonl", "csv"]

INPUT_SUFFIXES: dict[str, InputFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
"""Input formats by file suffix, when ``input_format`` is not given."""

MAX_LINES_QUOTED = 10
"""How many failed line numbers the closing summary quotes."""


# ---------------------------------------------------------------- assessing one record

def assess_record(record: Record, *, summary: bool, as_of: dt.date | None, book: Rulebook,
                  memoize: bool = True, limits: Limits = DEFAULT_LIMITS,
                  shapes: bool = True, catalogue: CatalogueMode = "ids") -> tuple[str | TriageRow | ErrorRecord, bool]:
    """The output of one record (assessment JSON, triage row or error record), and whether it assessed.

    ``shapes`` (on for batches) shares one assembly among leads that differ only in names;
    ``catalogue="embed"`` writes the catalogue entries each assessment points to.
    """
    if record.problem is not None:
        return ErrorRecord(line=record.line, error=record.problem), False
    try:
        answers = parse_answers(record.data, source=f"line {record.line}", limits=limits)
        if summary:  # only what the triage row shows is computed
            result = assess_outline(answers, as_of=as_of, rulebook=book, memoize=memoize)
        elif catalogue == "embed":
            text = assess(answers, as_of=as_of, rulebook=book, memoize=memoize, shapes=shapes).to_json(
                indent=None, catalogue="embed")
        else:
            text = assess_json(answers, as_of=as_of, rulebook=book, memoize=memoize, shapes=shapes)
    except AnswersError as exc:
        key, message = exc.problems[0] if exc.problems else ("(document)", exc.message)
        if record.columns is not None:
            key = column_of(key, record.columns)
            if message.startswith(MISSING_MESSAGE):
                message = f"required; fill in the '{key}' column"
        if len(exc.problems) > 1:
            message += f" (+{len(exc.problems) - 1} more)"
        return ErrorRecord(line=record.line, error=RecordProblem(field=key or None, message=message)), False
    except EngineError as exc:
        return ErrorRecord(line=record.line, error=RecordProblem(field=exc.key, message=exc.message)), False
    except Exception as exc:  # a record must never stop the batch, even one that finds a bug
        return ErrorRecord(line=record.line, error=RecordProblem(
            field=None, message=f"internal error while assessing: {type(exc).__name__}: {clip(str(exc))}")), False
    if summary:
        return triage_row(result, line=record.line, entity=answers.entity.name, tiers=book.tiers), True
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
        self._stream = stream
        self._stream.write(csv_row(CSV_COLUMNS))

    def write(self, item: str | TriageRow | ErrorRecord) -> None:
        if isinstance(item, str):
            raise TypeError("a triage CSV holds triage rows, not assessments")
        self._stream.write(csv_row(csv_cells(item)))


# ---------------------------------------------------------------- the batch

@dataclass
class BatchStats:
    """What a batch did: records read, how many failed (and the first of their lines), time taken."""

    output: Path
    records: int = 0
    errors: int = 0
    seconds: float = 0.0
    error_lines: list[int] = field(default_factory=list)
    last_line: int = 0
    """The input line of the last record done (its output line is complete)."""

    @property
    def assessed(self) -> int:
        return self.records - self.errors

    def add(self, line: int, ok: bool) -> None:
        self.records += 1
        self.last_line = line
        if not ok:
            self.errors += 1
            if len(self.error_lines) < MAX_LINES_QUOTED:
                self.error_lines.append(line)

    def describe(self) -> str:
        """The closing summary printed on stderr."""
        rate = f", {self.records / self.seconds:,.0f} records/s" if self.seconds > 0 and self.records else ""
        text = (f"algo-filing batch: {self.records:,} records, {self.assessed:,} assessed, "
                f"{self.errors:,} failed in {self.seconds:.2f} s{rate} -> "
                f"{terminal_safe(str(self.output), keep_newlines=False)}")
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


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or a termination signal; its output keeps the records done."""

    def __init__(self, stats: BatchStats, cause: BaseException) -> None:
        self.stats = stats
        self.cause = cause
        super().__init__(f"interrupted after input line {stats.last_line}")


def _check_paths(source: Path, output: Path, summary: bool) -> None:
    if output.suffix.lower() == ".csv" and not summary:
        raise BatchUsageError("full assessments are written as JSON Lines", file=str(output),
                              hint="name the output .jsonl, or add --summary for a triage CSV")
    check_output(output, [source])
    if is_stdin(source):
        return
    if not source.is_file():
        what = "is a directory" if source.is_dir() else "not found"
        raise BatchUsageError(f"input file {what}", file=str(source))
    if not os.access(source, os.R_OK):
        raise BatchUsageError("input file is not readable", file=str(source))


class _Progress:
    """A progress bar on stderr over the input's bytes (tqdm), or nothing."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                             desc=terminal_safe(label, keep_newlines=False), leave=False, dynamic_ncols=True)

    def update(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(done)

    def errors(self, count: int) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"{count:,} failed", refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _counted(lines: Iterator[bytes | Overlong], progress: Callable[[int], None]) -> Iterator[bytes | Overlong]:
    for raw in lines:
        progress(len(raw) if isinstance(raw, bytes) else 0)
        yield raw


def _open_input(source: Path) -> IO[bytes]:
    if is_stdin(source):
        return os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    return source.open("rb")


def _keep_complete_lines(dst: TextIO) -> None:
    """Cut the output after its last complete line (a write cut short by a signal leaves a part)."""
    dst.flush()
    fd = dst.fileno()
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        return  # a pipe or device: what was written is gone already
    end = os.fstat(fd).st_size
    position = end
    while position > 0:
        start = max(0, position - 65_536)
        chunk = os.pread(fd, position - start, start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            position = start + found + 1
            break
        position = start
    if position != end:
        os.ftruncate(fd, position)


def run_batch(source: Path, output: Path, *, input_format: str | None = None, summary: bool = False,
              as_of: dt.date | None = None, progress: bool = False, rulebook: Rulebook | None = None,
              memoize: bool = True, limits: Limits = DEFAULT_LIMITS, start_line: int = 1,
              shapes: bool = True, catalogue: CatalogueMode = "ids") -> BatchStats:
    """Assess every record of ``source`` and write one output line per record to ``output``.

    ``source`` may be ``-`` (standard input; give ``input_format``). Records before input line
    ``start_line`` are skipped (to continue an interrupted batch). On Ctrl-C or a termination
    signal the output keeps the records done and :class:`BatchInterrupted` is raised.
    ``shapes=False`` assesses every record from scratch (the shape memo off; same bytes);
    ``catalogue="embed"`` writes the catalogue entries each assessment points to.
    """
    source, output = Path(source), Path(output)
    if is_stdin(source) and input_format is None:
        raise BatchUsageError("reading standard input needs its format", file="-",
                              hint="pass --input-format jsonl or --input-format csv")
    fmt = input_format_of(source, input_format)
    _check_paths(source, output, summary)
    book = rulebook or default_rulebook()
    stats = BatchStats(output=output)
    started = time.perf_counter()
    bar = _Progress(progress and not is_stdin(source), 0 if is_stdin(source) else source.stat().st_size,
                    source.name)
    interrupted: KeyboardInterrupt | None = None
    try:
        with _open_input(source) as src, atomic_output(output, newline="", inputs=[source]) as dst:
            lines = _counted(bounded_lines(src, limits.line_bytes), bar.update)
            records = (read_jsonl(lines, line_limit=limits.line_bytes) if fmt == "jsonl"
                       else read_csv(lines, str(source), line_limit=limits.line_bytes))
            writer = _CsvWriter(dst) if summary and output.suffix.lower() == ".csv" else _JsonlWriter(dst)
            try:
                for record in records:
                    if record.line < start_line:
                        continue
                    item, ok = assess_record(record, summary=summary, as_of=as_of, book=book, memoize=memoize,
                                             limits=limits, shapes=shapes, catalogue=catalogue)
                    pending = take_pending()
                    if pending is not None:  # a signal the rules engine swallowed: this record is not done
                        raise pending
                    with signals_held():  # the record's line and its count go together
                        writer.write(item)
                        stats.add(record.line, ok)
                    if not ok:
                        bar.errors(stats.errors)
            except KeyboardInterrupt as exc:  # keep the lines done; the caller hears of it below
                interrupted = exc
                take_pending()  # this interrupt is the one its handler noted: nothing is pending now
                _keep_complete_lines(dst)
    finally:
        bar.close()
        stats.seconds = time.perf_counter() - started
    if interrupted is not None:
        raise BatchInterrupted(stats, interrupted) from interrupted
    return stats
