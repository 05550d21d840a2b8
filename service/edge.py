"""The connection edge: what uvicorn does not bound by itself, bounded before the app sees a request.

uvicorn's own settings bound what they can (``timeout_keep_alive``, ``backlog``,
``limit_concurrency``, ``h11_max_incomplete_event_size``; see :func:`service.server.uvicorn_options`).
It has no limit on the size of a request head with its fast parser (httptools), no time limit
on sending a head, and a new connection that sends nothing is never closed. An ASGI app sees a
request only once its head is complete, so these three are bounded here, in uvicorn's own
protocol class with a few lines added (``--http service.edge:EdgeProtocol``):

- a request head (request line and headers) larger than ``max_header_bytes`` gets 431;
- a head not complete ``header_seconds`` after its first byte gets 408;
- a new connection that sends nothing is closed after ``keep_alive_seconds``, like an idle
  keep-alive connection;
- past ``max_connections`` open connections, the connection that has waited longest without a
  request in progress is closed, so that many idle or slow sockets cannot keep a real client
  (or ``/healthz``) out, and the process never runs out of file descriptors.

Every refusal is logged (``algo_filing.edge``) and counted (``algo_filing_refusals_total``);
a refusal with a response has the JSON error body of every other refusal.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import OrderedDict
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .capacity import STOPPING
from .metrics import REFUSALS
from .settings import Settings

log = logging.getLogger("algo_filing.edge")

_WAITING: dict[int, OrderedDict[EdgeProtocol, None]] = {}
"""Per server: its connections with no request in progress, longest waiting first."""


@cache
def edge_settings() -> Settings:
    """The settings of this worker, read once from the environment (as the app reads them)."""
    return Settings.from_environment()


def refusal(status: int, reason: str, message: str, fix: str) -> bytes:
    """A complete HTTP/1.1 response with the JSON error body, closing the connection."""
    request_id = uuid.uuid4().hex
    body = json.dumps({"error": reason, "message": message, "problems": [{"field": None, "message": fix}],
                       "error_id": None, "request_id": request_id}).encode()
    phrase = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}[status]
    return (f"HTTP/1.1 {status} {phrase}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
            f"x-request-id: {request_id}\r\nconnection: close\r\n\r\n").encode() + body


class EdgeProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounded heads, a head deadline and a connection cap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = edge_settings()
        self._max_head = settings.max_header_bytes
        self._head_seconds = settings.header_seconds
        self._max_connections = settings.max_connections
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._waiting = _WAITING.setdefault(id(self.server_state), OrderedDict())

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)
        self._await_head()
        if len(self.connections) > self._max_connections:
            oldest = next(iter(self._waiting))
            self._refuse(oldest, "too_many_connections",
                         f"{len(self.connections) - 1} connections open, limit {self._max_connections} "
                         "(ALGO_FILING_MAX_CONNECTIONS): closed the one idle longest", None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._waiting.pop(self, None)
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        waiting = self in self._waiting
        if waiting:
            self._head_bytes += len(data)
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(self._head_seconds, self._head_too_slow)
        super().data_received(data)
        if waiting and self in self._waiting and self._head_bytes > self._max_head:
            self._refuse(self, "headers_too_large", f"request head over {self._max_head:,} bytes",
                         refusal(431, "headers_too_large", f"the request head is larger than {self._max_head:,} bytes",
                                 "send shorter headers (ask the operator about ALGO_FILING_MAX_HEADER_BYTES)"))

    def on_headers_complete(self) -> None:
        self._waiting.pop(self, None)
        self._stop_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._await_head()

    def shutdown(self) -> None:
        """uvicorn stops the server: it calls this on every open connection. A batch in flight on any
        of them then ends at its next chunk with an error record (:data:`service.capacity.STOPPING`)
        instead of being cut mid-line when the graceful-shutdown time runs out."""
        STOPPING.set()
        super().shutdown()

    def send_400_response(self, msg: str) -> None:
        REFUSALS.labels("bad_http").inc()
        log.warning("refused %s: not valid HTTP (%s)", _peer(self), msg)
        self.transport.write(refusal(400, "invalid_request", "the request is not valid HTTP",
                                     f"{msg} Send an HTTP/1.1 request."))
        self.transport.close()

    def _await_head(self) -> None:
        """Between requests: the next head is counted and timed from its first byte."""
        self._head_bytes = 0
        self._stop_head_timer()
        self._waiting[self] = None
        self._waiting.move_to_end(self)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self in self._waiting and not self.transport.is_closing():
            self._refuse(self, "header_timeout", f"request head not complete after {self._head_seconds:g} s",
                         refusal(408, "header_timeout",
                                 f"the request head was not complete within {self._head_seconds:g} s",
                                 "send the request line and headers at once"))

    def _refuse(self, connection: EdgeProtocol, reason: str, why: str, answer: bytes | None) -> None:
        """Close ``connection`` (after ``answer``, if any), logged and counted under ``reason``."""
        REFUSALS.labels(reason).inc()
        log.warning("refused %s: %s", _peer(connection), why)
        self._waiting.pop(connection, None)
        self.connections.discard(connection)
        connection._stop_head_timer()
        if answer is not None:
            connection.transport.write(answer)
        connection.transport.close()


def _peer(connection: HttpToolsProtocol) -> str:
    return f"{connection.client[0]}:{connection.client[1]}" if connection.client else "a client"
