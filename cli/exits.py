"""Exit codes and the one way a command reports a usage problem."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE
