"""What a running service is configured with: the access token and the body-size limits.

Limits are settings, not constants, so an operator can raise them for large batches; the
defaults keep one request from holding more than about a megabyte in memory. Worker processes
started by uvicorn read the same settings from the environment (:meth:`Settings.from_environment`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

TOKEN_FILE_ENV = "ALGO_FILING_TOKEN_FILE"
LIMIT_ENV = {
    "max_body_bytes": "ALGO_FILING_MAX_BODY_BYTES",
    "max_line_bytes": "ALGO_FILING_MAX_LINE_BYTES",
    "max_batch_bytes": "ALGO_FILING_MAX_BATCH_BYTES",
}
MIN_TOKEN_LENGTH = 16
TOKEN_FILE_BYTES = 4_096
"""The most of a token file read: a token is one short line (``/dev/zero`` is refused, not read on)."""


class SettingsError(Exception):
    """The service cannot start with these settings; the message says what to fix."""


class Settings(BaseModel):
    """Settings of one service instance (immutable)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token: SecretStr | None = Field(default=None, description="Bearer token required on /v1/*; None: no auth")
    max_body_bytes: int = Field(default=1 << 20, gt=0, description="Largest JSON request body (1 MiB)")
    max_line_bytes: int = Field(default=256 << 10, gt=0, description="Largest line of a batch (256 KiB)")
    max_batch_bytes: int = Field(default=32 << 20, gt=0, description="Largest batch body (32 MiB)")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``ALGO_FILING_TOKEN_FILE`` and the ``ALGO_FILING_MAX_*_BYTES`` variables."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        token_file = env.get(TOKEN_FILE_ENV)
        if token_file:
            values["token"] = SecretStr(read_token_file(Path(token_file)))
        for field, name in LIMIT_ENV.items():
            text = env.get(name)
            if text:
                try:
                    number = int(text)
                except ValueError:
                    raise SettingsError(f"{name}={text!r} is not a number of bytes") from None
                if number <= 0:
                    raise SettingsError(f"{name} must be a positive number of bytes, got {number}")
                values[field] = number
        return cls.model_validate(values)


def read_token_file(path: Path) -> str:
    """The token in ``path`` (surrounding whitespace removed); refuses a missing, empty or short one."""
    from engine.errors import LoadError
    from engine.limits import read_limited_bytes

    try:
        token = read_limited_bytes(path, TOKEN_FILE_BYTES).decode("utf-8").strip()
    except LoadError as exc:
        raise SettingsError(f"{path}: token file {exc.message}; a token is one line") from None
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
