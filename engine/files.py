"""Writing files so that a reader never sees half of one: the one atomic write of the project.

Every output (reports, drafts, batch results) goes through :func:`atomic_output`: the text is
written to a temporary file in the target's folder, flushed to disk, and only then renamed over
the target. An interruption leaves the old file as it was and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def atomic_output(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """A text stream that replaces ``path`` when the block ends without an exception.

    The parent folder is created if missing. On any exception (Ctrl-C included) the temporary
    file is removed and ``path`` is left untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through :func:`atomic_output`: never half a file."""
    with atomic_output(path) as out:
        out.write(text)
