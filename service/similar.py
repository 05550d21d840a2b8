"""``POST /v1/similar``: the published filings nearest to a one-sentence description.

The body is ``{sentence, type?, form?, role?, top?}``; the answer is what
:func:`engine.similar` returns for the same input, as compact JSON (``algo-filing similar
--format json`` prints the same model indented). The precedent index is opened (built, the
first time) when the router is built, so the first request does not wait for it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from engine import EngineError, SimilarResult, similar
from engine.precedents.index import default_index
from engine.precedents.similar import MAX_TOP

from .contract import error_responses
from .limits import parse_json, read_body
from .problems import ApiError, Problem
from .settings import Settings

MAX_SENTENCE_CHARS = 100_000
"""The longest sentence taken (the first 1,000 characters are searched; all are echoed back)."""


class SimilarRequest(BaseModel):
    """What to search for, and how to narrow the list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sentence: str = Field(max_length=MAX_SENTENCE_CHARS,
                          description="What the feature's algorithm does, in one sentence (Chinese or English)")
    type: str | None = Field(default=None, description="Only filings of this algorithm_type or algorithm_subtype id")
    form: str | None = Field(default=None, description="Only filings with a product of this product_form id")
    role: str | None = Field(default=None, description="Only filings of this role id")
    top: int = Field(default=5, ge=1, le=MAX_TOP, description="How many filings to list")


def _request(data: Any) -> SimilarRequest:
    try:
        return SimilarRequest.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(field=".".join(str(p) for p in error["loc"]) or None, message=error["msg"])
                    for error in exc.errors()]
        raise ApiError(422, "invalid_request", "invalid similar request", problems) from None


def _similar(body: SimilarRequest) -> str:
    try:
        result = similar(body.sentence, top=body.top, type_=body.type, form=body.form, role=body.role)
    except EngineError as exc:
        field = (exc.key or "").lstrip("-") or None
        raise ApiError(422, "invalid_request", "invalid similar request",
                       [Problem(field=field, message=exc.message + (f" ({exc.hint})" if exc.hint else ""))]) from None
    return result.model_dump_json()


def build_similar_router(settings: Settings, dependencies: list[Any]) -> APIRouter:
    """The ``/v1/similar`` route, behind ``dependencies`` (the token check, when there is one)."""
    default_index()
    router = APIRouter(prefix="/v1", dependencies=dependencies)

    @router.post("/similar", summary="The published filings nearest to a one-sentence description",
                 operation_id="similar_filings",
                 response_model=SimilarResult,
                 openapi_extra={"requestBody": {"required": True, "description": "{sentence, type?, form?, role?, "
                                                                                 "top?}",
                                                "content": {"application/json": {
                                                    "schema": SimilarRequest.model_json_schema()}}}},
                 responses={**error_responses(401, 413, 422, 500)})
    async def similar_route(request: Request) -> Response:
        body = _request(parse_json(await read_body(request, settings.max_body_bytes)))
        return Response(await run_in_threadpool(_similar, body), media_type="application/json")

    return router
