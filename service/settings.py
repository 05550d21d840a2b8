"""What a running service is configured with: the access token, the limits and who may call it.

Limits are settings, not constants, so an operator can raise them for large batches; the
defaults keep one request from holding more than about a megabyte in memory, one client from
holding a connection it does not use, and one heavy request from stalling the others. Worker
processes started by uvicorn read the same settings from the environment
(:meth:`Settings.from_environment`); the README's service section lists every variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

TOKEN_FILE_ENV = "ALGO_FILING_TOKEN_FILE"
INSECURE_ENV = "ALGO_FILING_INSECURE"
LIMIT_ENV = {
    "max_body_bytes": "ALGO_FILING_MAX_BODY_BYTES",
    "max_line_bytes": "ALGO_FILING_MAX_LINE_BYTES",
    "max_batch_bytes": "ALGO_FILING_MAX_BATCH_BYTES",
    "max_header_bytes": "ALGO_FILING_MAX_HEADER_BYTES",
    "max_connections": "ALGO_FILING_MAX_CONNECTIONS",
    "max_assessments": "ALGO_FILING_MAX_ASSESSMENTS",
    "max_batches": "ALGO_FILING_MAX_BATCHES",
}
SECONDS_ENV = {
    "header_seconds": "ALGO_FILING_HEADER_SECONDS",
    "body_seconds": "ALGO_FILING_BODY_SECONDS",
    "keep_alive_seconds": "ALGO_FILING_KEEP_ALIVE_SECONDS",
    "request_seconds": "ALGO_FILING_REQUEST_SECONDS",
}
ALLOWED_HOSTS_ENV = "ALGO_FILING_ALLOWED_HOSTS"
LIST_ENV = {
    "allowed_hosts": ALLOWED_HOSTS_ENV,
    "cors_origins": "ALGO_FILING_CORS_ORIGINS",
}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
MIN_TOKEN_LENGTH = 16


class SettingsError(Exception):
    """The service cannot start with these settings; the message says what to fix."""


class Settings(BaseModel):
    """Settings of one service instance (immutable)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token: SecretStr | None = Field(default=None, description="Bearer token required on /v1/*; None: no auth")
    max_body_bytes: int = Field(default=1 << 20, gt=0, description="Largest JSON request body (1 MiB)")
    max_line_bytes: int = Field(default=256 << 10, gt=0, description="Largest line of a batch (256 KiB)")
    max_batch_bytes: int = Field(default=32 << 20, gt=0, description="Largest batch body (32 MiB)")
    max_header_bytes: int = Field(default=16 << 10, gt=0, description="Largest request head: request line and "
                                                                       "headers (16 KiB)")
    max_connections: int = Field(default=1000, gt=0, description="Open connections per worker; past it the "
                                                                  "connection idle longest is closed")
    max_assessments: int = Field(default=32, gt=0, description="Requests assessed at once per worker; more get 503")
    max_batches: int = Field(default=2, gt=0, description="Batches streamed at once per worker; more get 503")
    header_seconds: float = Field(default=10.0, gt=0, description="Time to send the request line and headers")
    body_seconds: float = Field(default=30.0, gt=0, description="Time to send a JSON body (a batch: between "
                                                                "two chunks)")
    keep_alive_seconds: float = Field(default=5.0, gt=0, description="An idle connection is closed after this")
    request_seconds: float = Field(default=20.0, gt=0, description="Time budget of one request's (or one batch "
                                                                   "chunk's) assessment; past it 503")
    allowed_hosts: tuple[str, ...] = Field(default=LOOPBACK_NAMES, description="Host header values accepted "
                                                                               "(without port); '*' accepts any")
    cors_origins: tuple[str, ...] = Field(default=(), description="Origins allowed by CORS; none: CORS off")
    insecure: bool = Field(default=False, description="Serve /v1 beyond loopback without a token (the factory "
                                                      "refuses it otherwise)")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``ALGO_FILING_TOKEN_FILE`` and the ``ALGO_FILING_MAX_*_BYTES`` variables."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        token_file = env.get(TOKEN_FILE_ENV)
        if token_file:
            values["token"] = SecretStr(read_token_file(Path(token_file)))
        for field, name in LIMIT_ENV.items():
            if text := env.get(name):
                values[field] = _positive(name, text, int, "a whole number")
        for field, name in SECONDS_ENV.items():
            if text := env.get(name):
                values[field] = _positive(name, text, float, "a number of seconds")
        for field, name in LIST_ENV.items():
            if (text := env.get(name)) is not None:
                values[field] = tuple(item.strip().lower() for item in text.split(",") if item.strip())
        if text := env.get(INSECURE_ENV):
            if text not in ("0", "1"):
                raise SettingsError(f"{INSECURE_ENV}={text!r}: use 1 (serve beyond loopback without a token) or 0")
            values["insecure"] = text == "1"
        return cls.model_validate(values)


def _positive(name: str, text: str, kind: type[int] | type[float], what: str) -> float:
    """``text`` as a positive number of ``kind``, or a :class:`SettingsError` naming the variable."""
    try:
        number = kind(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not {what}") from None
    if not number > 0 or number == float("inf"):
        raise SettingsError(f"{name} must be positive, got {text}")
    return number


def read_token_file(path: Path) -> str:
    """The token in ``path`` (surrounding whitespace removed); refuses a missing, empty or short one."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise SettingsError(f"{path}: token file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: token file cannot be read ({exc})") from None
    if not token:
        raise SettingsError(f"{path}: token file is empty; put a token of at least {MIN_TOKEN_LENGTH} "
                            "characters in it")
    if len(token) < MIN_TOKEN_LENGTH:
        raise SettingsError(f"{path}: token is {len(token)} characters; use at least {MIN_TOKEN_LENGTH} "
                            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if any(ch.isspace() for ch in token):
        raise SettingsError(f"{path}: the token contains whitespace; put it on one line without spaces")
    return token
