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

    from .settings import Settings

EXIT_OK = 0
EXIT_USAGE = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
GRACEFUL_SHUTDOWN_SECONDS = 10
BACKLOG = 2048
"""Connections the kernel queues before uvicorn accepts them (uvicorn's default, stated)."""
FD_MARGIN = 64
"""File descriptors kept beyond the connection cap: log files, the listening socket, threads' pipes."""
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

    app = create_app(Settings.from_environment(), guard_exposure=True)
    app.router.add_event_handler("startup", settle_garbage_collector)  # in the worker, not a test's process
    return app


GC_THRESHOLDS = (5000, 20, 50)
"""The collector's thresholds in a worker (Python's are 700, 10, 10): an assessment allocates some
thousands of short-lived objects, and each full collection walks the rulebook and the engine's memo."""


def settle_garbage_collector() -> None:
    """When a worker starts, its app built: move what it loaded (rulebook, vocabulary, compiled rules) out of the
    collector's sight (:func:`gc.freeze`), and collect less often. About 10 % less CPU per
    full-view request on varied input; memory grows by the few thousand objects a collection waits for."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the service's own loggers on stderr: internal errors with their ids,
    refusals at the edge, and the access log, one JSON object a line (uvicorn's own access log is off)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["plain"] = {"format": "%(message)s"}
    config["handlers"]["access_json"] = {"formatter": "plain", "class": "logging.StreamHandler",
                                         "stream": "ext://sys.stderr"}
    config["loggers"]["algo_filing"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["algo_filing.access"] = {"handlers": ["access_json"], "level": "INFO", "propagate": False}
    return config


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's own settings for the limits it has (the rest are in :mod:`service.edge` and :mod:`service.guard`).

    ``limit_concurrency`` is a backstop one above the connection cap that :class:`service.edge.EdgeProtocol`
    keeps by closing the connection idle longest; ``h11_max_incomplete_event_size`` bounds a head
    when uvicorn is run with ``--http h11`` instead.
    """
    return {"http": "service.edge:EdgeProtocol", "limit_concurrency": settings.max_connections + 1,
            "backlog": BACKLOG, "timeout_keep_alive": settings.keep_alive_seconds,
            "h11_max_incomplete_event_size": settings.max_header_bytes, "access_log": False,
            "server_header": False, "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS}


def run(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token_file: Path | None = None, insecure: bool = False,
        workers: int = 1) -> int:
    """Serve until interrupted; returns the exit code (2, with the reason on stderr, if it cannot start)."""
    from .settings import ALLOWED_HOSTS_ENV, INSECURE_ENV, LOOPBACK_NAMES, TOKEN_FILE_ENV, Settings, SettingsError

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
    if insecure:
        os.environ[INSECURE_ENV] = "1"
    if not is_loopback(host) and host not in ("0.0.0.0", "::") and ALLOWED_HOSTS_ENV not in os.environ:
        os.environ[ALLOWED_HOSTS_ENV] = ",".join((*LOOPBACK_NAMES, host.strip("[]")))
    try:
        settings = Settings.from_environment()
        descriptors(settings.max_connections)
    except SettingsError as exc:
        print(f"algo-filing serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    import uvicorn

    uvicorn.run("service.server:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_config=log_config(), **uvicorn_options(settings))
    return EXIT_OK


def descriptors(connections: int) -> None:
    """Make sure the process may open ``connections`` sockets and a margin (raising its soft limit if need be)."""
    import resource

    from .settings import SettingsError

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = connections + FD_MARGIN
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise SettingsError(f"ALGO_FILING_MAX_CONNECTIONS={connections} needs {needed} file descriptors; the "
                                f"limit is {hard} (ulimit -n): lower the setting or raise the limit")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def main(argv: list[str] | None = None) -> int:
    """``python -m service``: the same options as ``algo-filing serve``."""
    parser = argparse.ArgumentParser(prog="python -m service", description="Serve algo-filing over HTTP")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.host, args.port, args.token_file, args.insecure, args.workers)
