"""The error body every refused request gets, and the exception that carries it to the client.

Bad answers are reported as the command line reports them: one problem per field, with the
same key path (``products[0].features[0].behaviours[0]``) and the same message with its fix
(the engine's :class:`~engine.AnswersError` problems, did-you-mean included).
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from pydantic import BaseModel, ConfigDict, Field

from engine import AnswersError

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being answered (set by :class:`service.guard.EdgeGuard`; read by every error body)."""


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class Problem(BaseModel):
    """One thing wrong with a request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str | None = Field(description="The key path at fault (as the command line names it); null when "
                                          "the whole request is at fault")
    message: str = Field(description="What is wrong and how to fix it")


class ErrorBody(BaseModel):
    """The JSON body of every 4xx and 5xx response."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    error: str = Field(description="A stable code: invalid_answers, invalid_request, body_too_large, "
                                   "unauthorized, not_found, method_not_allowed, unsupported_media_type, "
                                   "host_not_allowed, header_timeout, body_timeout, headers_too_large, busy, "
                                   "over_budget, exposed_without_token, internal_error")
    message: str = Field(description="One line for a person")
    problems: list[Problem] = Field(default_factory=list, description="Every problem found, in order")
    error_id: str | None = Field(default=None, description="For internal_error: quote it to the operator, "
                                                           "who finds the details in the server log")
    request_id: str | None = Field(default_factory=current_request_id,
                                   description="The request's X-Request-ID (the client's, or one the service made); "
                                               "the access log has the same id")


class ApiError(Exception):
    """A request the service refuses; turned into an :class:`ErrorBody` response."""

    def __init__(self, status: int, error: str, message: str, problems: list[Problem] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(error=error, message=message, problems=problems or [])
        self.headers = headers or {}


def invalid_answers(exc: AnswersError, prefix: str = "") -> ApiError:
    """An :class:`AnswersError` as a 422: every problem with its field path (under ``prefix``)."""
    problems = [Problem(field=_join(prefix, key), message=_for_http(message)) for key, message in exc.problems]
    return ApiError(422, "invalid_answers", "invalid answers", problems)


_CLI_FLAG = re.compile(r" or raise the limit with --[a-z-]+ N")


def _for_http(message: str) -> str:
    """The engine's message without the command line's flags (an HTTP client cannot pass them)."""
    if "--" not in message:
        return message
    changed = _CLI_FLAG.sub(" (the server's limit)", message)
    return changed.replace("several answers files", "several requests")


def _join(prefix: str, key: str) -> str | None:
    if not prefix:
        return key or None
    if not key or key == "(document)":
        return prefix
    return f"{prefix}{key}" if key.startswith("[") else f"{prefix}.{key}"
