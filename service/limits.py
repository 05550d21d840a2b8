"""Reading request bodies within the size limits, from the stream, never more than the limit.

A body is refused with 413 as soon as its declared length (``Content-Length``) or the bytes
read so far pass the limit; the rest is never read. A batch body is split into lines as it
arrives: a line longer than the line limit is skipped up to its end (never held whole) and
reported on its own, and a batch that passes its total limit stops at the line that passes it.

FastAPI's own ``max_body_size`` is not used: it answers a body whose declared length passes
the limit with a plain-text 413 of its own before any exception handler runs, which would
break the contract that every refusal is an :class:`~service.problems.ErrorBody`; and a
batch must report the line where it stopped rather than end in an error mid-stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from engine.model.yamlio import TOO_DEEP, DuplicateKeyError, loads_json

from .problems import ApiError, Problem


def too_large(what: str, limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"{what} is larger than {limit:,} bytes",
                    [Problem(field=None, message=f"send at most {limit:,} bytes, or split the request")])


def check_declared_length(request: Request, limit: int, what: str) -> None:
    """Refuse at once a body whose ``Content-Length`` already passes ``limit``."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        length = int(declared)
    except ValueError:
        raise ApiError(400, "invalid_request", f"Content-Length {declared!r} is not a number") from None
    if length > limit:
        raise too_large(what, limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 once it passes ``limit`` bytes."""
    check_declared_length(request, limit, "the request body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large("the request body", limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes) -> Any:
    """The JSON document of a body; 422 naming the line and column where it breaks.

    Nesting too deep for the parser and integers of thousands of digits are refused as the
    command line refuses them (not left to escape as a 500).
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "invalid_request", "the body is not UTF-8", [Problem(
            field=None, message=f"not UTF-8 (byte {exc.start + 1}); send UTF-8 text")]) from None
    try:
        return loads_json(text)
    except json.JSONDecodeError as exc:
        raise ApiError(422, "invalid_request", "the body is not JSON", [Problem(
            field=None, message=f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg} "
                                "(fix the JSON syntax)")]) from None
    except RecursionError:
        raise ApiError(422, "invalid_request", "the body is not JSON that can be read", [Problem(
            field=None, message=f"{TOO_DEEP}; send the answers document as the schema describes it")]) from None
    except DuplicateKeyError as exc:
        raise ApiError(422, "invalid_request", "the body is not JSON that can be read", [Problem(
            field=None, message=str(exc))]) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise ApiError(422, "invalid_request", "the body is not JSON that can be read", [Problem(
            field=None, message=f"not valid JSON: {exc}; send numbers of at most a few digits")]) from None


@dataclass(frozen=True)
class LineTooLong:
    """A batch line longer than the line limit (its bytes were skipped, not kept)."""

    limit: int


@dataclass(frozen=True)
class BatchTooLarge:
    """The batch passed its total limit inside this line; nothing after it was read."""

    limit: int


Line = bytes | LineTooLong | BatchTooLarge


async def split_lines(chunks: AsyncIterator[bytes], max_line: int, max_total: int) -> AsyncIterator[list[Line]]:
    """The body's physical lines (each with its ``\\n``), as a file yields them, within the limits.

    They come in groups: the lines completed by one chunk of the body, so that the caller can
    assess a group at once while the next chunk arrives.
    """
    line = bytearray()
    skipping = False
    total = 0
    async for chunk in chunks:
        done: list[Line] = []
        start = 0
        while start < len(chunk):
            end = chunk.find(b"\n", start)
            stop = len(chunk) if end < 0 else end + 1
            total += stop - start
            if total > max_total:
                yield [*done, BatchTooLarge(max_total)]
                return
            if not skipping:
                line += chunk[start:stop]
                content = len(line) - (1 if end >= 0 else 0)
                if content > max_line:
                    skipping = True
                    line.clear()
            if end >= 0:
                done.append(LineTooLong(max_line) if skipping else bytes(line))
                skipping = False
                line.clear()
            start = stop
        if done:
            yield done
    if skipping:
        yield [LineTooLong(max_line)]
    elif line:
        yield [bytes(line)]
