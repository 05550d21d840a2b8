"""The FastAPI application: routes, the error contract, auth and the rules loaded once.

:func:`create_app` loads the rulebook and runs one assessment before it returns, so the rules
are read, checked and compiled into durable-rules once per process, before the first request,
and a broken rule file stops the start instead of failing requests.

Every refusal is an :class:`~service.problems.ErrorBody` (FastAPI's and Starlette's own 404,
405 and parameter errors included), with the request's id. In front of the routes,
:class:`~service.guard.EdgeGuard` checks who calls and how (Host, Content-Type, body time) and
keeps the access log and the metrics; :class:`~service.capacity.Capacity` bounds the engine
work of the process; :class:`~service.lane.AssessmentLane` takes a plain ``POST /v1/assessments``
straight to its endpoint, past FastAPI's request handling, with the same answer. Anything
unexpected becomes a 500 whose body carries only an error id; the traceback goes to the log
under that id and never to the client.
"""

from __future__ import annotations

import importlib.resources
import logging
import uuid
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import Rulebook, assess, default_rulebook

from .auth import require_token
from .capacity import Capacity
from .contract import Health, components, error_responses
from .drafts import drafts_router
from .form import form_page
from .guard import EdgeGuard, no_unknown_parameters, require_media_type
from .lane import PATH, AssessmentLane
from .metrics import CONTENT_TYPE, exposition
from .problems import ApiError, ErrorBody, Problem
from .routes import build_router
from .settings import Settings
from .similar import build_similar_router

log = logging.getLogger("algo_filing.service")

WARM_UP = {"entity": {"name": "warm-up"}, "products": [{
    "name": "warm-up", "forms": ["app"], "audience": ["public"],
    "features": [{"name": "warm-up", "behaviours": ["recommend_by_profile"]}]}]}
"""A small answers document run once at start-up, so durable-rules compiles the rules then."""

_HTTP_ERRORS = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
                503: "busy"}


GZIP_MIN_BYTES = 4096
"""Responses at least this large are gzipped for a client that accepts it (a full assessment, a report)."""

GZIP_LEVEL = 1
"""The compression level of those responses. Most clients ask for gzip (requests and httpx do by
default), so it is paid on nearly every full assessment: for the examples' one-line JSON (28 KB on
average) level 9, the middleware's default, cost about 0.65 ms of CPU a response for 15.9 % of the
bytes, level 1 about 0.19 ms for 18.8 % (as nginx's default level chooses). CPU is what limits a
worker; the bytes differ by under a kilobyte a response."""


def create_app(settings: Settings | None = None, *, rulebook: Rulebook | None = None,
               guard_exposure: bool = False) -> FastAPI:
    """The service over ``rulebook`` (default: the shipped rules), configured by ``settings``.

    ``guard_exposure`` (set by the factory uvicorn calls) refuses requests that reach a token-less
    server on an address other than loopback: the factory cannot know where uvicorn listens.
    """
    settings = settings or Settings()
    book = rulebook or default_rulebook()
    assess(WARM_UP, rulebook=book, memoize=False)
    capacity = Capacity(settings)
    app = FastAPI(title="algo-filing", version=_version(), docs_url=None, redoc_url=None, redirect_slashes=False,
                  dependencies=[Depends(no_unknown_parameters)],
                  description="Does China's algorithm filing (算法备案) apply to a product, in which role, and "
                              "what follows? Rule-based assessments over HTTP. Not legal advice.")
    token = settings.token.get_secret_value() if settings.token is not None else None
    dependencies = [Depends(require_token(token))]
    dependencies.append(Depends(require_media_type))  # after the token: a stranger learns nothing, not even this
    v1 = build_router(settings, book, dependencies, capacity)
    app.include_router(v1)
    app.include_router(drafts_router(settings, book, dependencies, capacity))
    app.include_router(build_similar_router(settings, dependencies))
    page, page_headers = form_page()

    @app.get("/", include_in_schema=True, response_class=HTMLResponse, summary="The intake form",
             operation_id="intake_form",
             responses=error_responses(500))
    async def form() -> HTMLResponse:
        return HTMLResponse(page, headers=page_headers)

    @app.get("/healthz", response_model=Health, summary="Liveness, and the rules version loaded",
             operation_id="health",
             responses=error_responses(500))
    async def healthz() -> Health:
        return Health(status="ok", rules_version=book.rules_version)

    @app.get("/readyz", response_model=Health,
             summary="Readiness: 503 while every assessment slot of this worker is taken", operation_id="ready",
             responses=error_responses(422, 503, 500))
    async def readyz() -> Health:
        if capacity.calls >= capacity.max_calls:
            raise ApiError(503, "busy", "every assessment slot of this worker is taken",
                           [Problem(field=None, message="send traffic to another worker for now")],
                           headers={"Retry-After": "1"})
        return Health(status="ok", rules_version=book.rules_version)

    for probe in (healthz, readyz):  # HEAD answers as GET does, without the body (load balancers' probes)
        app.add_api_route(f"/{probe.__name__}", probe, methods=["HEAD"], response_model=Health,
                          operation_id=f"{_PROBE_IDS[probe.__name__]}_head",
                          summary=f"{probe.__name__}, headers only", responses=error_responses(422, 500))

    @app.get("/metrics", summary="Prometheus metrics of this worker (requests, latency, refusals, batch lines)",
             operation_id="metrics",
             response_class=Response, responses={200: {"description": "Prometheus text format", "content": {
                 "text/plain": {"schema": {"type": "string"}}}}, **error_responses(422, 500)})
    async def metrics() -> Response:
        return Response(exposition(), media_type=CONTENT_TYPE)

    _serve_docs(app)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(AssessmentLane, route=_route(v1.routes, PATH, "POST"), token=token)
    app.add_middleware(InternalErrors)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                           expose_headers=["X-Request-ID"])
    app.add_middleware(EdgeGuard, settings=settings, guard_exposure=guard_exposure)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


DOCS_ASSETS = "/docs/assets"
"""Where Swagger UI's script and style are served, from the installed fastapi-offline package."""


def _serve_docs(app: FastAPI) -> None:
    """Swagger UI at ``/docs`` with its script and style from the installed package, not a CDN:
    many intranets block CDNs, and the page must not load code from elsewhere."""
    assets = importlib.resources.files("fastapi_offline") / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")

    async def docs(request: Request) -> HTMLResponse:  # a plain route, as FastAPI's own /docs is
        return get_swagger_ui_html(openapi_url="/openapi.json", title="algo-filing - Swagger UI",
                                   swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png")

    app.add_route("/docs", docs, include_in_schema=False)


def _route(routes: list[BaseRoute], path: str, method: str) -> APIRoute:
    return next(route for route in routes
                if isinstance(route, APIRoute) and route.path == path and method in (route.methods or ()))


_PROBE_IDS = {"healthz": "health", "readyz": "ready"}
"""The probes' operation ids (their GET's; HEAD adds ``_head``)."""


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("algo-filing")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _json(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _json(exc.status, exc.body, exc.headers)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [Problem(field=".".join(str(part) for part in error["loc"]), message=str(error["msg"]))
                for error in exc.errors()]
    return _json(422, ErrorBody(error="invalid_request", message="invalid request parameters", problems=problems))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_ERRORS.get(exc.status_code, "invalid_request")
    return _json(exc.status_code, ErrorBody(error=code, message=str(exc.detail)), dict(exc.headers or {}))


class InternalErrors:
    """ASGI middleware: an unexpected exception becomes a 500 with an error id, logged with its traceback.

    The client sees the id only (no exception text, no traceback). When the response has
    already started (a streamed batch), nothing more can be sent; the error is logged all the same.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except ClientDisconnect:
            log.info("client left during %s %s", scope.get("method"), scope.get("path"))
        except Exception:
            error_id = uuid.uuid4().hex
            log.exception("internal error %s on %s %s", error_id, scope.get("method"), scope.get("path"))
            if started:
                return
            body = ErrorBody(error="internal_error", error_id=error_id,
                             message=f"internal error; quote error id {error_id} to the operator")
            await _json(500, body)(scope, receive, send)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the components the hand-declared request and response bodies refer to."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
        document.setdefault("components", {}).setdefault("schemas", {}).update(components())
        app.openapi_schema = document
    return app.openapi_schema
