"""The short way to the assessment route for the plain request, with no answer different by a byte.

Most requests are ``POST /v1/assessments`` with ``Content-Type: application/json``, at most a
``view``, and the token when there is one. FastAPI's request handling (route matching, solving
the dependencies, validating the query, the exception middleware) costs about as much CPU
as uvicorn and every middleware of the service together, for a request it would only pass on.
:class:`AssessmentLane`, the innermost middleware, calls the route's own endpoint for such a
request. It only ever lets through what the route would let through, and does what the
route's dependencies would do with it:

- the query: nothing but ``view=full`` or ``view=triage``, once (so no parameter is unknown);
- the token, when the server has one: ``Authorization: Bearer <token>``, read as
  :class:`fastapi.security.HTTPBearer` reads it and compared in constant time, as
  :func:`service.auth.require_token` compares it;
- the media type: exactly ``application/json`` (what :func:`service.guard.require_media_type` wants).

Any other request, refusals included, goes the whole way through FastAPI, which answers it
as it always has. The endpoint itself runs as in FastAPI: the body read within the limits, the
engine within the slots and the time budget (:class:`~service.capacity.Capacity`); an
:class:`~service.problems.ApiError` it raises is answered as the app's handler answers it, and
anything else goes on to :class:`~service.app.InternalErrors`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .guard import error_response
from .problems import ApiError

PATH = "/v1/assessments"
VIEWS = {b"": None, b"view=full": "full", b"view=triage": "triage"}
"""The query strings taken the short way, and the view each asks for (None: the route's default)."""


class AssessmentLane:
    """ASGI middleware: a plain ``POST /v1/assessments`` goes straight to the route's endpoint."""

    def __init__(self, app: ASGIApp, route: APIRoute, token: str | None) -> None:
        self.app = app
        self.route = route
        self.endpoint: Callable[..., Coroutine[Any, Any, Response]] = route.endpoint
        self.expected = token.encode("utf-8") if token is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST" or scope.get("root_path")
                or scope["query_string"] not in VIEWS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("content-type") != "application/json" or not self._admitted(headers.get("authorization")):
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route  # as the router sets it: the access log and the metrics name the route
        scope["endpoint"] = self.endpoint
        scope["path_params"] = {}
        view = VIEWS[scope["query_string"]]
        request = Request(scope, receive)
        try:
            response = await (self.endpoint(request) if view is None else self.endpoint(request, view=view))
        except ApiError as exc:
            response = error_response(exc.status, exc.body, exc.headers)  # as the app's ApiError handler
        await response(scope, receive, send)

    def _admitted(self, authorization: str | None) -> bool:
        """Whether the token check lets the request through (always, with no token configured)."""
        if self.expected is None:
            return True
        scheme, credentials = get_authorization_scheme_param(authorization)
        if not (authorization and scheme and credentials) or scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(credentials.encode("utf-8"), self.expected)
