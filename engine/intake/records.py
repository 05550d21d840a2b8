"""Input records of a batch: one per line of the input, each an answers document or a problem.

A record keeps its input line number, so that output line N always answers input line N; a line
that cannot be read (not UTF-8, not JSON, blank) becomes a record with a problem instead of
stopping the batch. The CSV flat layout reads into the same records (:mod:`engine.intake.csv_layout`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.errors import EngineError
from engine.intake.triage import RecordProblem
from engine.limits import Overlong
from engine.model.yamlio import DuplicateKeyError, loads_json


class BatchUsageError(EngineError):
    """The batch cannot run: the input is missing or unreadable as a whole, or the output is unusable."""


@dataclass(frozen=True)
class Record:
    """One input record: its line, and either the answers document or why it is unreadable."""

    line: int
    data: Any = None
    problem: RecordProblem | None = None
    columns: dict[str, str] | None = None
    """For CSV input: answers key prefix -> column, to name the column of a failing field."""


def blank_record(line: int, what: str) -> Record:
    return Record(line, problem=RecordProblem(
        field=None, message=f"blank {what}: no answers document; remove it or put a record there"))


def too_long_record(line: int, limit: int, overlong: Overlong) -> Record:
    rest = "" if overlong.resumed else (" and has no end in sight: reading stopped there, the rest of "
                                        "the input was not read")
    return Record(line, problem=RecordProblem(
        field=None, message=f"line longer than the limit of {limit:,} bytes{rest}; shorten the record "
                            "or raise the limit with --max-line-size BYTES"))


def read_jsonl(lines: Iterable[bytes | Overlong], *, line_limit: int = 0) -> Iterator[Record]:
    """One record per physical line of a JSON Lines file (UTF-8, a BOM on line 1 is allowed).

    An :class:`~engine.limits.Overlong` stands for a line longer than ``line_limit`` bytes
    (:func:`engine.limits.bounded_lines`).
    """
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, Overlong):
            yield too_long_record(number, line_limit, raw)
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Record(number, problem=RecordProblem(
                field=None, message=f"not UTF-8 (byte {exc.start + 1}); save the file as UTF-8"))
            continue
        if not text.strip():
            yield blank_record(number, "line")
            continue
        try:
            data = loads_json(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield Record(number, problem=RecordProblem(
                field=None, message=f"invalid JSON at column {exc.pos + 1}: {exc.msg}; "
                                    "each line must be one complete JSON object"))
            continue
        except RecursionError:
            yield Record(number, problem=RecordProblem(
                field=None, message="nested too deeply to read (lists or objects inside each other "
                                    "hundreds of levels deep)"))
            continue
        except DuplicateKeyError as exc:
            yield Record(number, problem=RecordProblem(field=None, message=str(exc)))
            continue
        except ValueError as exc:  # an integer of thousands of digits
            yield Record(number, problem=RecordProblem(field=None, message=f"invalid JSON: {exc}"))
            continue
        yield Record(number, data=data)
