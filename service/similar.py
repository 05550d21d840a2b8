"""``POST /v1/similar``: the published filings nearest to a one-sentence description.

The body is ``{sentence, type?, form?, role?, top?}``; the answer is what
:func:`engine.similar` returns for the same input, as compact JSON (``algo-filing similar
--format json`` prints the same model indented). The precedent index is opened (built, the
first time) when the router is built, so the first request does not wait for it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from engine import EngineError, SimilarResult, similar
from engine.precedents.index import default_index

from .contract import SimilarRequest, error_responses, json_body
from .limits import parse_json, read_body
from .problems import ApiError, Problem
from .settings import Settings


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
                 openapi_extra=json_body(SimilarRequest, "{sentence, type?, form?, role?, top?}"),
                 responses={**error_responses(401, 413, 422, 500)})
    async def similar_route(request: Request) -> Response:
        body = _request(parse_json(await read_body(request, settings.max_body_bytes)))
        return Response(await run_in_threadpool(_similar, body), media_type="application/json")

    return router
