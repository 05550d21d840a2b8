"""Exit codes and the one way a command reports a usage problem."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FAILED_RECORDS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def fail(message: str) -> int:
    """Print a problem on stderr (control characters shown escaped) and return exit code 2."""
    from engine.sanitize import terminal_safe

    print(terminal_safe(message), file=sys.stderr)
    return EXIT_USAGE
