"""Writing files so that a reader never sees half of one: the one atomic write of the project.

Every output (reports, drafts, batch results) goes through :func:`atomic_output`: the text is
written to a temporary file in the target's folder, flushed to disk, and only then renamed over
the target. An interruption leaves the old file as it was and no temporary file behind.

What an output path may point at, and what happens:

* nothing yet, in an existing folder: the file is created (a missing folder is refused, for
  every command alike: a typo in a path should not create folders);
* a regular file: replaced atomically, keeping its permission bits and owner;
* a symbolic link to a regular file: the file it points at is replaced, the link stays;
* a device, a FIFO or a socket (``/dev/null``, ``/dev/stdout``, ``/proc/self/fd/1``, a named
  pipe): written directly, never replaced (replacing ``/dev/null`` with a file would break the
  system);
* a directory, or one of the command's own input files: refused before anything is written.

Temporary files are created by :func:`tempfile.mkstemp` (``O_CREAT | O_EXCL | O_NOFOLLOW``,
an unpredictable name, mode 0600): a planted file or symbolic link cannot be followed. Errors
name the real output, never the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from engine.errors import EngineError


class OutputError(EngineError):
    """An output cannot be written where it was asked to go."""


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name the same file (hard links and symbolic links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_overwriting_inputs(output: Path, inputs: Iterable[Path | str]) -> None:
    """Refuse an output that is one of the command's inputs: writing it would destroy the input."""
    for source in inputs:
        if str(source) != "-" and same_file(output, source):
            raise OutputError("the output would overwrite the input", file=str(output),
                              hint="write to another file")


def _is_special(path: Path) -> bool:
    """Whether ``path`` exists and is a device, FIFO or socket (followed through links)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _target(path: Path) -> Path:
    """Where the output really goes: the file a symbolic link points at, else ``path``."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_output(path: Path, inputs: Iterable[Path | str] = ()) -> None:
    """Refuse an output path that cannot be written as asked, before any work is done."""
    refuse_overwriting_inputs(path, inputs)
    if _is_special(path):
        return
    target = _target(path)
    if target.is_dir():
        raise OutputError("the output is a directory; give a file name", file=str(path))
    if not target.parent.is_dir():
        raise OutputError("the output's directory does not exist", file=str(path),
                          hint="create it first, or write somewhere else")


def _error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    hint = {errno.ENOSPC: "free some disk space", errno.EDQUOT: "free some disk space",
            errno.EROFS: "the disk is read-only; write somewhere else",
            errno.EACCES: "check the folder's permissions", errno.EPERM: "check the folder's permissions"}
    return OutputError(f"cannot be written: {reason}", file=str(path), hint=hint.get(exc.errno or 0))


@contextmanager
def _direct_output(path: Path, newline: str | None) -> Iterator[TextIO]:
    """Write straight into a device, FIFO or socket (nothing to replace atomically)."""
    try:
        out = open(path, "w", encoding="utf-8", newline=newline)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _error(path, exc) from None
    try:
        yield out
        out.flush()
    except OSError as exc:
        raise _error(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            out.close()


@contextmanager
def atomic_output(path: Path, *, newline: str | None = None,
                  inputs: Iterable[Path | str] = ()) -> Iterator[TextIO]:
    """A text stream that replaces ``path`` when the block ends without an exception.

    On any exception (Ctrl-C included) the temporary file is removed and ``path`` is left
    untouched. ``inputs`` are the command's input files, which ``path`` must not be.
    """
    path = Path(path)
    check_output(path, inputs)
    if _is_special(path):
        with _direct_output(path, newline) as out:
            yield out
        return
    target = _target(path)
    try:
        old: os.stat_result | None = os.stat(target)
    except OSError:
        old = None
    try:
        handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _error(path, exc) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as out:
            try:
                yield out
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise _error(path, exc) from None
            _keep_mode_and_owner(out.fileno(), old)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keep_mode_and_owner(fd: int, old: os.stat_result | None) -> None:
    """Give the new file the old one's permission bits and owner (else the usual 0666 & ~umask)."""
    if old is None:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        return
    with contextlib.suppress(OSError):  # only root may give a file away; the mode still applies
        os.fchown(fd, old.st_uid, old.st_gid)
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def atomic_write(path: Path, text: str, *, inputs: Iterable[Path | str] = ()) -> None:
    """Write ``text`` to ``path`` through :func:`atomic_output`: never half a file."""
    with atomic_output(path, inputs=inputs) as out:
        out.write(text)


# ---------------------------------------------------------------- one writer per file

class LockedError(EngineError):
    """Another live process holds the lock on a file."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def pid_lock(path: Path, *, what: str = "file") -> Iterator[Path]:
    """Hold ``<path>.lock`` (holding this process's id) while the block runs.

    A second process asking for the same lock is refused with :class:`LockedError` naming the
    holder's process id; a lock left by a process that no longer runs is taken over.
    """
    lock = lock_path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(3):
        try:
            fd = os.open(lock, flags, 0o644)
        except FileExistsError:
            try:
                holder = int(lock.read_text(encoding="ascii").strip() or "0")
            except (OSError, ValueError, UnicodeDecodeError):
                holder = 0
            if holder > 0 and holder != os.getpid() and _alive(holder):
                raise LockedError(f"the {what} is in use by another process (pid {holder})", file=str(path),
                                  hint=f"finish that one first; if it is gone, delete {lock}") from None
            lock.unlink(missing_ok=True)  # a stale lock: its process is gone
            continue
        except OSError as exc:
            raise OutputError(f"cannot lock: {exc.strerror}", file=str(path)) from None
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(f"{os.getpid()}\n")
        break
    else:
        raise LockedError(f"the {what} is being locked by another process", file=str(path),
                          hint="try again")
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)
