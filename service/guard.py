"""The ASGI guard in front of every route: who may call, with what, how fast, and the record of it.

For each HTTP request, before any route runs:

- **X-Request-ID**: the client's (letters, digits, ``._:-``, at most 128) or a new one; echoed
  in the response, written in the access log and in every error body.
- **Exposure** (apps built by :func:`service.server.app_from_environment`): with no token and no
  ``ALGO_FILING_INSECURE=1``, a request that reached the server on an address other than
  loopback gets 403, whatever command started the server: ``algo-filing serve`` refuses to
  listen there, and ``uvicorn --factory … --host 0.0.0.0`` serves nobody beyond loopback.
- **Host**: the ``Host`` header (without its port) must be in ``allowed_hosts`` (loopback names
  by default), so a web page cannot reach a loopback server through DNS rebinding. The probes
  (``/healthz``, ``/readyz``) answer any host: orchestrators call them by address.
- **Content-Type** (:func:`require_media_type`, a dependency of the /v1 routes, after the token
  check): a POST must say ``application/json`` (a batch: ``application/x-ndjson``), so a web
  page cannot send a "simple" cross-site request (text/plain, a form) that is assessed.
- **Body time**: a JSON body must arrive within ``body_seconds`` of the request head, a batch
  with no gap longer than that between chunks; else 408 (a batch ends with an error record).

After the response: one JSON line in the access log (``algo_filing.access``) and the metrics.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import LATENCY, REFUSALS, REQUESTS
from .problems import REQUEST_ID, ApiError, ErrorBody, Problem
from .settings import Settings

access_log = logging.getLogger("algo_filing.access")
log = logging.getLogger("algo_filing.edge")

PROBES = frozenset({"/healthz", "/readyz"})
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
BATCH_TYPES = ("application/x-ndjson", "application/jsonl")


class BodyTimeout(ApiError):
    """The body did not arrive in time (raised from ``receive``, where a route reads the body)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, "body_timeout", f"the request body did not arrive within {seconds:g} s",
                         [Problem(field=None, message="send the body at once, right after the headers")],
                         headers={"Connection": "close"})


class EdgeGuard:
    """ASGI middleware: request id, exposure, Host, Content-Type, body time, access log and metrics."""

    def __init__(self, app: ASGIApp, settings: Settings, *, guard_exposure: bool = False) -> None:
        self.app = app
        self.settings = settings
        self.hosts = None if "*" in settings.allowed_hosts else frozenset(settings.allowed_hosts)
        self.guard_exposure = guard_exposure and settings.token is None and not settings.insecure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        sent = 0

        async def tracked(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            refused = self._refusal(scope, headers)
            if refused is not None:
                REFUSALS.labels(refused.body.error).inc()
                log.warning("refused %s %s from %s: %s", scope["method"], scope["path"], _client(scope),
                            refused.body.message)
                response = JSONResponse(refused.body.model_dump(mode="json"), refused.status, refused.headers)
                await response(scope, receive, tracked)
            else:
                await self.app(scope, self._timed(scope, receive), tracked)
        finally:
            REQUEST_ID.reset(token)
            self._record(scope, request_id, status, sent, time.perf_counter() - began)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> ApiError | None:
        """Why the request is refused before any route runs, or None."""
        path: str = scope["path"]
        if self.guard_exposure and path not in PROBES and not _on_loopback(scope):
            return ApiError(403, "exposed_without_token", "this server has no token and is reached beyond loopback",
                            [Problem(field=None, message="the operator must set ALGO_FILING_TOKEN_FILE (or "
                                                         "ALGO_FILING_INSECURE=1 on a trusted network)")])
        if self.hosts is not None and path not in PROBES:
            host = _host_name(headers.get("host", ""))
            if host not in self.hosts:
                return ApiError(400, "host_not_allowed", f"host {host[:100]!r} is not served here", [Problem(
                    field="Host", message="call the service by an allowed name; the operator lists them in "
                                          "ALGO_FILING_ALLOWED_HOSTS")])
        return None

    def _timed(self, scope: Scope, receive: Receive) -> Receive:
        """``receive`` with a deadline: the whole JSON body, or each batch chunk, within ``body_seconds``."""
        seconds = self.settings.body_seconds
        per_chunk = scope["path"] == "/v1/batch"
        deadline = time.monotonic() + seconds

        async def timed() -> Message:
            nonlocal deadline
            if per_chunk:
                deadline = time.monotonic() + seconds
            try:  # a timeout on this task, not asyncio.wait_for's task per message (each body part paid for it)
                async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                    return await receive()
            except TimeoutError:
                REFUSALS.labels("body_timeout").inc()
                log.warning("refused %s %s from %s: body not received within %g s", scope["method"], scope["path"],
                            _client(scope), seconds)
                raise BodyTimeout(seconds) from None

        return timed

    def _record(self, scope: Scope, request_id: str, status: int, sent: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "(unmatched)"
        _requests(route, scope["method"], status).inc()
        _latency(route).observe(seconds)
        entry: dict[str, Any] = {"request_id": request_id, "method": scope["method"], "path": scope["path"],
                                 "route": route, "status": status, "bytes": sent, "ms": round(seconds * 1000, 2),
                                 "client": _client(scope)}
        access_log.info(json.dumps(entry, ensure_ascii=False))


async def require_media_type(request: Request) -> None:
    """A FastAPI dependency of the /v1 routes (after the token check): a POST says what its body is.

    ``application/json`` (a batch: ``application/x-ndjson``); anything else (a form, text/plain,
    which a web page can send cross-site without asking) gets 415 before the body is read.
    """
    if request.method != "POST":
        return
    wanted = BATCH_TYPES if request.url.path == "/v1/batch" else ("application/json",)
    given = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if given not in wanted:
        REFUSALS.labels("unsupported_media_type").inc()
        raise ApiError(415, "unsupported_media_type", f"the body must be {wanted[0]}", [Problem(
            field="Content-Type",
            message=f"send the header 'Content-Type: {wanted[0]}' (got {given[:100] or 'none'!r})")])


async def no_unknown_parameters(request: Request) -> None:
    """A FastAPI dependency of every route: a query parameter the route does not take is a 422.

    Without it a misspelt parameter (``?veiw=triage``) is ignored and the client gets another
    answer than it asked for, with nothing to say so.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route)
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        REFUSALS.labels("unknown_parameter").inc()
        offered = ", ".join(sorted(known)) or "none"
        raise ApiError(422, "invalid_request", "unknown query parameter", [Problem(
            field=f"query.{name[:100]}", message=f"this route takes no parameter {name[:100]!r}; it takes: {offered}")
            for name in unknown])


_QUERY_NAMES: dict[int, frozenset[str]] = {}


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters ``route`` takes, its dependencies' included (worked out once per route)."""
    def walk(dependant: Dependant) -> Iterator[str]:
        yield from (param.alias for param in dependant.query_params)
        for inner in dependant.dependencies:
            yield from walk(inner)
    names = _QUERY_NAMES.get(id(route))
    if names is None:
        names = _QUERY_NAMES[id(route)] = frozenset(walk(route.dependant))
    return names


def _host_name(host: str) -> str:
    """The Host header's name without its port, lower-case (``[::1]:8000`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _on_loopback(scope: Scope) -> bool:
    server = scope.get("server")
    if not server or server[0] is None:
        return True  # a Unix socket: only this machine reaches it
    return _loopback_address(str(server[0]))


@functools.lru_cache(maxsize=64)
def _loopback_address(host: str) -> bool:
    """Whether the server's address ``host`` is loopback: the same few local addresses on every request,
    so worked out once each rather than parsed again for every request."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@functools.lru_cache(maxsize=4096)
def _requests(route: str, method: str, status: int) -> Counter:
    """The request counter's series of a route, method and status, looked up once rather than per request.

    As many entries as the registry's own series; the cache only spares the label checks and the lock
    of :meth:`prometheus_client.metrics.MetricWrapperBase.labels` on every request."""
    return REQUESTS.labels(route, method, str(status))


@functools.lru_cache(maxsize=256)
def _latency(route: str) -> Histogram:
    """The latency histogram's series of a route (as :func:`_requests`)."""
    return LATENCY.labels(route)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


def error_response(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)
