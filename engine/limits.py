"""Size limits on what the tool reads, and reading that never takes more than the limit.

An answers document describes one entity's products; nothing real comes close to these
limits, while a hostile or broken input (a 1 GB stream, 10,000 features, a 300 KB name) would
otherwise cost minutes and gigabytes. Each limit has a flag to raise it (see the README's
"Limits and safety"). Reading stops at the limit: a 1 GB stream is refused after reading one
megabyte, whatever it is (a file, a pipe, a device).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from engine.errors import LoadError

STDIN = "-"
"""The file name that means standard input."""


class LimitError(LoadError):
    """An input is larger than a limit allows."""


@dataclass(frozen=True)
class Limits:
    """How large an input may be; every limit can be raised with a flag."""

    file_bytes: int = 1_048_576
    """An answers file (``--max-file-size``): 1 MiB."""
    line_bytes: int = 262_144
    """One line (record) of a batch input (``--max-line-size``): 256 KiB."""
    products: int = 100
    """Products in one answers document (``--max-products``)."""
    features: int = 200
    """Features in one answers document, over all its products (``--max-features``)."""
    name_chars: int = 200
    """An entity, product or feature name (``--max-name-length``)."""
    text_chars: int = 5_000
    """Any other text value, e.g. a description (``--max-name-length`` does not change it)."""


DEFAULT_LIMITS = Limits()

LARGEST_LIMIT = 10**12
"""The largest value a limit flag takes: beyond it a number is a typing mistake (and would
overflow the reads that take a limit)."""

EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
"""The one range of every date, at every door (answers files, ``--as-of``, the date prompt, the
service, batch records): outside it a date is a typing mistake, and counting deadlines from it
would overflow."""

DATE_RANGE = f"between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


def date_in_range(value: dt.date) -> bool:
    """Whether ``value`` lies in the one date range (:data:`EARLIEST_DATE` to :data:`LATEST_DATE`)."""
    return EARLIEST_DATE <= value <= LATEST_DATE


def parse_day(text: str) -> dt.date:
    """A typed date (YYYY-MM-DD) in the one range; ValueError saying what to type otherwise."""
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2025-09-01") from None
    if not date_in_range(value):
        raise ValueError(f"{value.isoformat()} is out of range; give a date {DATE_RANGE}")
    return value


def is_stdin(path: Path | str) -> bool:
    return str(path) == STDIN


def _size(n: int) -> str:
    if n >= 1_048_576 and n % 1_048_576 == 0:
        return f"{n // 1_048_576} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n:,} bytes"


READ_CHUNK = 1_048_576


def read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes of ``stream``, read a chunk at a time: ``read(size)`` would reserve
    ``size`` bytes at once, so a limit raised to a terabyte would fail before reading a byte."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(left, READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_limited_bytes(path: Path | str, limit: int, *, flag: str = "--max-file-size") -> bytes:
    """The bytes of ``path`` (``-``: standard input), refused once more than ``limit`` arrive.

    At most ``limit + 1`` bytes are read, so the time and memory spent on an oversized input
    do not depend on its size.
    """
    name = "<stdin>" if is_stdin(path) else str(path)
    hint = f"split it, or raise the limit with {flag} BYTES"
    if is_stdin(path):
        data = read_at_most(sys.stdin.buffer, limit + 1)
    else:
        with open(path, "rb") as stream:
            data = read_at_most(stream, limit + 1)
    if len(data) > limit:
        raise LimitError(f"larger than the limit of {_size(limit)}", file=name, hint=hint)
    return data


class Overlong(NamedTuple):
    """Stands for a line longer than the limit, in place of its bytes."""

    resumed: bool
    """Whether reading went on after it (its end was found), or stopped there."""


SKIP_BYTES = 16 * 1_048_576
"""How far past the limit an overlong line is skipped in search of its end before reading stops."""


def bounded_lines(stream: IO[bytes], limit: int, *, skip: int = SKIP_BYTES,
                  chunk: int = 1_048_576) -> Iterator[bytes | Overlong]:
    """The lines of ``stream``, an :class:`Overlong` in place of a line longer than ``limit`` bytes.

    An overlong line is skipped in chunks up to its end, so memory stays at ``limit`` plus one
    chunk however long it is, and the next line is read as usual; when no end turns up within
    ``skip`` more bytes (a 1 GB stream without line breaks), reading stops there, so time is
    bounded too.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or (len(line) == limit + 1 and line.endswith(b"\n")):
            yield line
            continue
        skipped = 0
        while not line.endswith(b"\n"):
            if skipped > skip:
                yield Overlong(resumed=False)
                return
            line = stream.readline(chunk)
            skipped += len(line)
            if not line:
                break
        yield Overlong(resumed=True)


def is_count_problem(key: str) -> bool:
    """Whether a problem of :func:`check_document` (by its key path) is one of size: too many
    products or features. Such a document is refused before validation, which would cost in
    proportion; a text over its limit costs nothing more to validate, so the document's other
    problems are reported with it."""
    return key == "products" or key.endswith(".features")


def check_document(data: Any, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, str]]:
    """Problems of an answers document against the limits, as (key path, message) pairs.

    Checked on the raw document, before the model validates it, so an oversized document
    costs nothing more than counting.
    """
    if not isinstance(data, dict):
        return []
    problems: list[tuple[str, str]] = []

    def text(key: str, value: Any, cap: int, flag: str) -> None:
        if isinstance(value, str) and len(value) > cap:
            problems.append((key, f"{len(value):,} characters, more than the limit of {cap:,}; "
                                  f"shorten it{f' or raise the limit with {flag} N' if flag else ''}"))

    entity = data.get("entity")
    if isinstance(entity, dict):
        text("entity.name", entity.get("name"), limits.name_chars, "--max-name-length")
        text("entity.credit_code", entity.get("credit_code"), limits.text_chars, "")
    products = data.get("products")
    if not isinstance(products, list):
        return problems
    if len(products) > limits.products:
        problems.append(("products", f"{len(products):,} products, more than the limit of {limits.products:,}; "
                                     "split them over several answers files or raise the limit with "
                                     "--max-products N"))
        return problems
    features = 0
    for p, product in enumerate(products):
        if not isinstance(product, dict):
            continue
        text(f"products[{p}].name", product.get("name"), limits.name_chars, "--max-name-length")
        text(f"products[{p}].description", product.get("description"), limits.text_chars, "")
        items = product.get("features")
        if not isinstance(items, list):
            continue
        features += len(items)
        if features > limits.features:
            problems.append((f"products[{p}].features", f"more than {limits.features:,} features in the "
                                                        "document; split the products over several answers "
                                                        "files or raise the limit with --max-features N"))
            return problems
        for f, feature in enumerate(items):
            if isinstance(feature, dict):
                text(f"products[{p}].features[{f}].name", feature.get("name"), limits.name_chars,
                     "--max-name-length")
                text(f"products[{p}].features[{f}].description", feature.get("description"),
                     limits.text_chars, "")
    return problems
