"""The ``/v1`` routes: each reads its input within the limits, calls the engine, returns its bytes.

What a route returns is what the library returns for the same input, byte for byte:
``POST /v1/assessments`` is :func:`engine.assess_json`, a batch line is what
``algo-filing batch`` writes for it (:func:`engine.assess_record`), a diff is
:func:`engine.diff_answers` dumped compact, a filing number :func:`engine.decode_filing_number`.
The engine's work runs in a worker thread, so a long assessment never stalls the event loop
(the engine serialises its rules runs itself and is safe to call from many threads).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from engine import (
    Answers,
    AnswersError,
    AssessmentDiff,
    CompactAssessment,
    ErrorRecord,
    FilingNumber,
    FilingNumberError,
    Outline,
    Record,
    RecordProblem,
    Rulebook,
    TriageRow,
    answers_json_schema,
    assess,
    assess_json,
    assess_outline,
    assess_record,
    assessment_json_schema,
    catalogue_json_schema,
    decode_filing_number,
    diff_answers,
    diff_json_schema,
    error_record_json_schema,
    one_line,
    parse_answers,
    read_jsonl,
    render_html,
    triage_json_schema,
    triage_row,
)
from engine.model.answers import Day
from engine.model.contract_json import Catalogue, CatalogueMode, catalogue_json
from engine.rules.listing import RulesDocument, rules_document

from .capacity import STOPPING, Capacity
from .contract import (
    DiffRequest,
    error_responses,
    json_body,
    json_response,
)
from .limits import BatchTooLarge, LineTooLong, check_declared_length, parse_json, read_body, split_lines
from .metrics import BATCH_LINES
from .problems import ApiError, Problem, invalid_answers
from .settings import Settings

JSON = "application/json"
JSONL = "application/x-ndjson"
REPORT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                  "X-Content-Type-Options": "nosniff"}
"""The report has inline styles only: the browser is told to load and run nothing else."""

ANSWERS_BODY = "An answers document (the JSON form of an answers file; schema: GET /v1/schema/answers)"
NDJSON_SCHEMA = {"type": "string", "format": "binary"}
"""A JSON Lines body as OpenAPI can say it: bytes of one media type (each line's schema is in the description)."""

SCHEMAS = {"answers": answers_json_schema, "assessment": assessment_json_schema, "catalogue": catalogue_json_schema,
           "triage": triage_json_schema, "batch-error": error_record_json_schema, "diff": diff_json_schema}

AsOf = Annotated[Day | None, Query(description="Apply the rules in force on this date (YYYY-MM-DD, 1900-01-01 to "
                                              "2199-12-31); default: the answers' own as_of, else the rules' date")]
CatalogueQuery = Annotated[CatalogueMode, Query(
    description="ids: the rulebook's texts by id (GET /v1/catalogue holds them for the assessment's rules_version); "
                "embed: also the catalogue entries the assessment points to, so that it reads with any version")]
CATALOGUE_CACHE = "public, max-age=31536000, immutable"
"""The catalogue of one rules version never changes: its ETag is the rules version."""
Lang = Annotated[Literal["zh", "en"], Query(description="Language of the HTML report (/v1/reports) and of the rules' "
                                                        "legal basis; JSON assessments carry both languages")]


def _answers(data: Any, source: str, prefix: str = "") -> Answers:
    """The validated answers, or a 422 listing every problem (field paths under ``prefix``)."""
    try:
        return parse_answers(data, source=source)
    except AnswersError as exc:
        raise invalid_answers(exc, prefix) from None


class LineStream(StreamingResponse):
    """A streamed response whose body iterator reads the request body as it goes.

    Starlette's :class:`StreamingResponse` listens for a disconnect by reading the request
    stream alongside (for ASGI servers older than spec 2.4), which would swallow the body
    the batch is still reading. Here only the iterator reads; a client that leaves is noticed
    when the next body chunk is read (:class:`~starlette.requests.ClientDisconnect`) or a
    line cannot be sent.
    """

    media_type = JSONL
    on_close: Any = None
    """Called once the response has ended, however it ended (frees the batch's slot)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.stream_response(send)
        except OSError:
            raise ClientDisconnect() from None
        finally:
            if self.on_close is not None:
                self.on_close()


class _Feed:
    """Lines handed one at a time to :func:`engine.read_jsonl`, which reads exactly one per record.

    So the engine numbers the lines and decodes each (UTF-8, a BOM on line 1, JSON, blank
    lines) as ``algo-filing batch`` does, while the lines arrive from the request stream.
    """

    def __init__(self) -> None:
        self._next: bytes | None = None
        self.records: Iterator[Record] = read_jsonl(self)

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> bytes:
        if self._next is None:
            raise StopIteration
        line, self._next = self._next, None
        return line

    def record(self, line: bytes) -> Record:
        self._next = line
        return next(self.records)


def build_router(settings: Settings, book: Rulebook, dependencies: list[Any], capacity: Capacity) -> APIRouter:
    """The ``/v1`` routes over ``book``, behind ``dependencies`` (the token check, when there is one)."""
    router = APIRouter(prefix="/v1", dependencies=dependencies)

    @router.post("/assessments", summary="Assess one answers document", operation_id="assess",
                 openapi_extra=json_body(Answers, ANSWERS_BODY),
                 responses={**json_response(CompactAssessment, TriageRow, description=(
                     "view=full: the assessment (schema 5.0 on one line, the bytes of engine.assess_json; with "
                     "catalogue=embed the catalogue entries it points to as well); view=triage: its triage row "
                     "(line is 1). The printable HTML report is POST /v1/reports")),
                     **error_responses(401, 413, 422, 500)})
    async def assessments(request: Request, as_of: AsOf = None,
                          view: Annotated[Literal["full", "triage"], Query(
                              description="full: the assessment; triage: the triage row")] = "full",
                          catalogue: CatalogueQuery = "ids") -> Response:
        data = parse_json(await read_body(request, settings.max_body_bytes))
        answers = _answers(data, "request body")
        if view == "full":
            text = await capacity.run(_assess_json, answers, as_of, book, catalogue)
            return Response(text, media_type=JSON)
        outline = await capacity.run(_outline, answers, as_of, book)
        row = triage_row(outline, line=1, entity=answers.entity.name, tiers=book.tiers)
        return Response(row.model_dump_json(), media_type=JSON)

    @router.post("/reports", summary="The printable HTML report of one answers document", operation_id="report",
                 response_class=HTMLResponse, openapi_extra=json_body(Answers, ANSWERS_BODY),
                 responses={200: {"description": "The report `algo-filing assess --format html` writes (text/html)",
                                  "content": {"text/html": {"schema": {"type": "string"}}}},
                            **error_responses(401, 413, 422, 500)})
    async def report(request: Request, as_of: AsOf = None, lang: Lang = "zh") -> HTMLResponse:
        answers = _answers(parse_json(await read_body(request, settings.max_body_bytes)), "request body")
        page = await capacity.run(_report, answers, as_of, lang, book)
        return HTMLResponse(page, headers=REPORT_HEADERS)

    @router.post("/batch", summary="Assess JSON Lines, one output line per input line (streamed)",
                 response_class=LineStream, operation_id="assess_batch",
                 openapi_extra={"requestBody": {"required": True, "description": (
                     "JSON Lines (application/x-ndjson): one answers document (schema: Answers) per line. A line "
                     "longer than the line limit, a blank line or a bad document gets an error record; the batch "
                     "goes on."), "content": {JSONL: {"schema": NDJSON_SCHEMA}}}},
                 responses={200: {"description": (
                     "JSON Lines, in input order: per line the assessment (schema: CompactAssessment), or with "
                     "summary=true its triage row (TriageRow), or an error record {line, error: {field, message}} "
                     "(ErrorRecord), as algo-filing batch writes them"),
                     "content": {JSONL: {"schema": NDJSON_SCHEMA}}},
                     **error_responses(401, 413, 422, 500)})
    async def batch(request: Request, as_of: AsOf = None,
                    summary: Annotated[bool, Query(description="Triage rows instead of full assessments")] = False,
                    catalogue: CatalogueQuery = "ids") -> LineStream:
        check_declared_length(request, settings.max_batch_bytes, "the batch")
        capacity.enter_batch()

        async def lines() -> AsyncIterator[str]:
            feed = _Feed()
            try:
                async for group in split_lines(request.stream(), settings.max_line_bytes, settings.max_batch_bytes):
                    if STOPPING.is_set():
                        raise ApiError(503, "stopping", "the server is shutting down")
                    records = [feed.record(item) if isinstance(item, bytes) else _refused(feed, item)
                               for item in group]
                    yield await capacity.run(_assess_records, records, summary, as_of, book, catalogue)
            except ApiError as exc:  # the body stopped coming, a chunk took longer than the budget, or stopping
                BATCH_LINES.labels("error").inc()
                yield _cut(feed, exc)

        stream = LineStream(lines(), media_type=JSONL)
        stream.on_close = capacity.leave_batch
        return stream

    @router.post("/diff", summary="What changes between two answers documents", operation_id="diff",
                 openapi_extra=json_body(DiffRequest, "{before: answers, after: answers}"),
                 responses={**json_response(AssessmentDiff, description="The diff (compact JSON)"),
                            **error_responses(401, 413, 422, 500)})
    async def diff(request: Request, as_of: AsOf = None) -> Response:
        data = parse_json(await read_body(request, settings.max_body_bytes))
        if not isinstance(data, dict):
            raise ApiError(422, "invalid_request", "expected {before: answers, after: answers}",
                           [Problem(field=None, message="send a JSON object with the keys before and after")])
        problems = [Problem(field=key, message=f"unknown key '{key}'; use before and after")
                    for key in data if key not in ("before", "after")]
        problems += [Problem(field=key, message=f"required field is missing; add `{key}:`")
                     for key in ("before", "after") if key not in data]
        if problems:
            raise ApiError(422, "invalid_request", "expected {before: answers, after: answers}", problems)
        found: list[Problem] = []
        sides = []
        for key in ("before", "after"):
            try:
                sides.append(_answers(data[key], key, prefix=key))
            except ApiError as exc:
                found += exc.body.problems
        if found:
            raise ApiError(422, "invalid_answers", "invalid answers", found)
        text = await capacity.run(_diff_json, sides[0], sides[1], as_of)
        return Response(text, media_type=JSON)

    rule_pages = {lang: _tagged(rules_document(book, lang).model_dump_json().encode()) for lang in ("zh", "en")}

    @router.get("/rules", summary="Every rule and duty with its legal basis", response_model=RulesDocument,
                operation_id="rules",
                responses={304: {"description": "Not modified: If-None-Match named this ETag (the rules loaded "
                                                "are the same)"}, **error_responses(401, 422, 500)})
    async def rules(request: Request, lang: Lang = "zh") -> Response:
        body, etag = rule_pages[lang]
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if _matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=JSON, headers=headers)

    catalogue_body = catalogue_json(book, indent=None).encode()
    catalogue_etag = '"' + book.rules_version + '"'

    @router.get("/catalogue", summary="The rulebook catalogue: every text an assessment points to by id",
                response_model=Catalogue, operation_id="catalogue",
                responses={200: {"description": (
                    "The catalogue of the rules loaded (both languages), for the assessments whose rules_version "
                    "is the ETag's. Immutable: the same rules version always gives the same bytes"),
                    "headers": {"ETag": {"description": "The rules version, quoted", "schema": {"type": "string"}}}},
                    304: {"description": "Not modified: If-None-Match named this rules version"},
                    **error_responses(401, 500)})
    async def catalogue(request: Request) -> Response:
        headers = {"ETag": catalogue_etag, "Cache-Control": CATALOGUE_CACHE}
        if _matches(request.headers.get("if-none-match", ""), catalogue_etag):
            return Response(status_code=304, headers=headers)
        return Response(catalogue_body, media_type=JSON, headers=headers)

    @router.get("/schema/{which}", operation_id="json_schema",
                summary="The JSON Schema of answers, assessments, triage rows, batch errors, diffs",
                responses={200: {"description": "A JSON Schema", "content": {JSON: {"schema": {"type": "object"}}}},
                           **error_responses(401, 422, 500)})
    async def schema(which: Annotated[Literal["answers", "assessment", "catalogue", "triage", "batch-error", "diff"],
                                      Path(description="Which schema")]) -> dict[str, Any]:
        return SCHEMAS[which]()

    @router.get("/filing-numbers/{number}", summary="Split a published filing number (网信算备…号) into its parts",
                operation_id="decode_filing_number",
                response_model=FilingNumber, responses={**error_responses(401, 422, 500)})
    async def filing_number(number: Annotated[str, Path(description="e.g. 网信算备110108823483902220017号",
                                                        max_length=200)]) -> Response:
        try:
            decoded = decode_filing_number(number)
        except FilingNumberError as exc:
            message = exc.message + (f" ({exc.hint})" if exc.hint else "")
            raise ApiError(422, "invalid_request", "not a filing number of the published layout",
                           [Problem(field="number", message=message)]) from None
        return Response(decoded.model_dump_json(), media_type=JSON)

    return router


def _tagged(body: bytes) -> tuple[bytes, str]:
    """``body`` and its strong ETag (a digest of the bytes: the same rules give the same tag on
    every worker and after every restart, so a client's cache survives both)."""
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak tags compared by their opaque part,
    as RFC 9110 13.1.2 has it for this header), or is ``*``."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _refused(feed: _Feed, item: LineTooLong | BatchTooLarge) -> Record:
    """The record of a line the limits kept from being read (counted by the engine like any line)."""
    number = feed.record(b"\n").line
    if isinstance(item, LineTooLong):
        message = (f"line longer than {item.limit:,} bytes; not read. Shorten the record or ask the operator to "
                   "raise ALGO_FILING_MAX_LINE_BYTES")
    else:
        message = (f"the batch passed {item.limit:,} bytes in this line; this line and the rest were not read. "
                   "Send them in another request")
    return Record(number, problem=RecordProblem(field=None, message=message))


def _cut(feed: _Feed, exc: ApiError) -> str:
    """The error record that ends a batch cut short: which line, and why the rest was not read."""
    number = feed.record(b"\n").line
    message = f"{exc.body.message}; this line and the rest were not read. Send them in another request"
    return ErrorRecord(line=number, error=RecordProblem(field=None, message=message)).model_dump_json() + "\n"


def _assess_records(records: list[Record], summary: bool, as_of: dt.date | None, book: Rulebook,
                    catalogue: CatalogueMode = "ids") -> str:
    """The output lines of ``records`` (one each, as ``algo-filing batch`` writes them), as one text."""
    out = []
    for record in records:
        item, assessed = assess_record(record, summary=summary, as_of=as_of, book=book, catalogue=catalogue)
        out.append(one_line(item if isinstance(item, str) else item.model_dump_json()) + "\n")
        BATCH_LINES.labels("assessed" if assessed else "error").inc()
    return "".join(out)


def _assess_json(answers: Answers, as_of: dt.date | None, book: Rulebook, catalogue: CatalogueMode = "ids") -> str:
    if catalogue == "embed":
        return assess(answers, as_of=as_of, rulebook=book).to_json(indent=None, catalogue="embed")
    return assess_json(answers, as_of=as_of, rulebook=book)


def _outline(answers: Answers, as_of: dt.date | None, book: Rulebook) -> Outline:
    return assess_outline(answers, as_of=as_of, rulebook=book)


def _report(answers: Answers, as_of: dt.date | None, lang: Literal["zh", "en"], book: Rulebook) -> str:
    return render_html(assess(answers, as_of=as_of, rulebook=book), lang)


def _diff_json(before: Answers, after: Answers, as_of: dt.date | None) -> str:
    return diff_answers(before, after, as_of=as_of).model_dump_json()
