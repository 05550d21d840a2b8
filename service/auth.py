"""Optional bearer-token auth for the ``/v1`` routes, compared in constant time.

With no token configured the routes are open (the server refuses to listen beyond loopback
then, unless told ``--insecure``: see :mod:`service.server`). With a token, a request without
``Authorization: Bearer <token>`` or with another token gets 401 and learns nothing about why.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .problems import ApiError, Problem

_bearer = HTTPBearer(auto_error=False, description="The token of the server's --token-file; a server started "
                                                    "without one (loopback only) accepts requests without it")


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "a valid bearer token is required",
                    [Problem(field=None, message="send the header 'Authorization: Bearer <token>' with the token "
                                                 "the server was started with (--token-file)")],
                    headers={"WWW-Authenticate": "Bearer"})


def require_token(token: str | None) -> Callable[..., Awaitable[None]]:
    """A FastAPI dependency that lets a request through only with ``token`` (any request when None).

    It is installed with or without a token, so the OpenAPI document declares the bearer scheme
    and the 401 responses either way: a client generated from one server works with the other.
    """
    expected = token.encode("utf-8") if token is not None else None

    async def check(credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:  # noqa: B008
        if expected is None:
            return
        given = credentials.credentials.encode("utf-8") if credentials is not None else b""
        if not hmac.compare_digest(given, expected):
            raise unauthorized()

    return check
