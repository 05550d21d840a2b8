"""Serving the app with uvicorn: ``algo-filing serve`` and ``python -m service``.

The server refuses to listen beyond the loopback interface without a token (anyone on the
network could call it), unless ``--insecure`` says that is intended. With ``--workers N`` uvicorn
starts N processes; each builds the app from the environment (:func:`app_from_environment`),
where :func:`run` has put the token file and the limits.

This module imports only the standard library at the top: the command line reads its options
on every start, and must not pay for pydantic, FastAPI or uvicorn to print ``--version``.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

EXIT_OK = 0
EXIT_USAGE = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
GRACEFUL_SHUTDOWN_SECONDS = 10
"""On Ctrl-C or SIGTERM, requests in flight get this long to finish; then the server stops anyway."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``serve`` (shared by the command line and ``python -m service``)."""
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--token-file", type=Path, default=None, metavar="PATH",
                        help="require 'Authorization: Bearer <token>' on /v1/*, with the token in this file")
    parser.add_argument("--insecure", action="store_true",
                        help="allow listening beyond loopback without a token")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names the loopback interface only (a literal address, or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token_file: Path | None, insecure: bool) -> str | None:
    """None when it is safe to listen on ``host``; else why not and what to do."""
    if token_file is not None or insecure or is_loopback(host):
        return None
    return (f"refusing to listen on {host} without a token: anyone who can reach it could use the service. "
            "Give --token-file PATH, or --insecure if the network is trusted (or listen on 127.0.0.1)")


def app_from_environment() -> FastAPI:
    """The app configured from the environment (the factory each uvicorn worker calls)."""
    from .app import create_app
    from .settings import Settings

    return create_app(Settings.from_environment())


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the service's own logger (internal errors and their ids) on stderr."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["algo_filing"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def run(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token_file: Path | None = None, insecure: bool = False,
        workers: int = 1) -> int:
    """Serve until interrupted; returns the exit code (2, with the reason on stderr, if it cannot start)."""
    from .settings import TOKEN_FILE_ENV, Settings, SettingsError

    problem = check_exposure(host, token_file, insecure)
    if problem is None and workers < 1:
        problem = f"--workers must be 1 or more, got {workers}"
    if problem is None and not 0 <= port <= 65535:
        problem = f"--port must be between 0 and 65535, got {port}"
    if problem is not None:
        print(f"algo-filing serve: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if token_file is not None:
        os.environ[TOKEN_FILE_ENV] = str(token_file.resolve())
    else:
        os.environ.pop(TOKEN_FILE_ENV, None)
    try:
        Settings.from_environment()
    except SettingsError as exc:
        print(f"algo-filing serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    import uvicorn

    uvicorn.run("service.server:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_config=log_config(), server_header=False, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m service``: the same options as ``algo-filing serve``."""
    parser = argparse.ArgumentParser(prog="python -m service", description="Serve algo-filing over HTTP")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.host, args.port, args.token_file, args.insecure, args.workers)
