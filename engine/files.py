"""Writing files so that a reader never sees half of one: the one atomic write of the project.

Every output (reports, drafts, batch results) goes through :func:`atomic_output`: the text is
written to a temporary file in the target's folder, flushed to disk, and only then renamed over
the target. An interruption leaves the old file as it was and no temporary file behind.

What an output path may point at, and what happens:

* nothing yet, in an existing folder: the file is created (a missing folder is refused, for
  every command alike: a typo in a path should not create folders);
* a regular file: replaced atomically, keeping its permission bits and owner (the owner only
  where the system lets this user give a file away, i.e. as root);
* a symbolic link to a regular file: the file it points at is replaced, the link stays;
* a device, a FIFO or a socket (``/dev/null``, ``/dev/stdout``, ``/proc/self/fd/1``, a named
  pipe): written directly, never replaced (replacing ``/dev/null`` with a file would break the
  system);
* a directory, one of the command's own input files (compared by device and inode, standard
  input included: ``assess - -o a.yaml < a.yaml`` would read a file it has just emptied), or a
  file the user could not open for writing (``chmod 444``, another user's file): refused before
  anything is written. Replacing through a temporary file would otherwise succeed wherever the
  folder is writable, and quietly take a read-only or foreign file over.

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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from engine.errors import EngineError
from engine.signals import signals_held


class OutputError(EngineError):
    """An output cannot be written where it was asked to go."""


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name the same file (hard links and symbolic links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _is_stdin_file(output: Path) -> bool:
    """Whether standard input is read from the regular file ``output`` names (same device and inode).

    Only a regular file can be lost this way; a pipe or a terminal is compared with nothing.
    """
    try:
        held = os.fstat(0)
        target = os.stat(output)
    except OSError:
        return False
    return stat.S_ISREG(held.st_mode) and (held.st_dev, held.st_ino) == (target.st_dev, target.st_ino)


def refuse_overwriting_inputs(output: Path, inputs: Iterable[Path | str]) -> None:
    """Refuse an output that is one of the command's inputs: writing it would destroy the input.

    ``-`` stands for standard input, which is compared by device and inode (``/dev/stdin`` as a
    name is caught by :func:`same_file` already, a redirection ``< a.yaml`` only this way).
    """
    for source in inputs:
        if str(source) == "-":
            if _is_stdin_file(output):
                raise OutputError("the output would overwrite the input (standard input reads this file)",
                                  file=str(output), hint="write to another file")
        elif same_file(output, source):
            raise OutputError("the output would overwrite the input", file=str(output),
                              hint="write to another file")


def _is_special(path: Path) -> bool:
    """Whether ``path`` exists and is a device, FIFO or socket (followed through links)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def is_regular_or_missing(path: Path) -> bool:
    """Whether ``path`` names a regular file (through links) or nothing yet (a dangling link counts as nothing)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError:  # a loop of links, a component that is not a folder: not a file to rename
        return False


def _target(path: Path) -> Path:
    """Where the output really goes: the file a symbolic link points at, else ``path``."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def may_write(path: Path) -> bool:
    """Whether this process could open the existing ``path`` for writing (its effective user).

    Asked before replacing a file through a rename, which needs only the folder's permission:
    what shell redirection or ``cp`` would refuse is refused too.
    """
    effective = os.access in os.supports_effective_ids
    return os.access(path, os.W_OK, effective_ids=effective)


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
    if target.exists() and not may_write(target):
        raise OutputError("the file is not writable for you, so it is not replaced", file=str(path),
                          hint="make it writable (chmod u+w) if it should be replaced, or write to another file")


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
    out = os.fdopen(handle, "w", encoding="utf-8", newline=newline)
    try:
        try:
            yield out
            with signals_held():  # an interrupt now comes after the file is in place, not halfway
                out.flush()
                os.fsync(out.fileno())
                _keep_mode_and_owner(out.fileno(), old)
                out.close()
                os.replace(tmp, target)
        except OSError as exc:
            raise _error(path, exc) from None
    except BaseException:
        _discard(out)
        Path(tmp).unlink(missing_ok=True)
        raise


def _discard(out: TextIO) -> None:
    """Close a temporary file being given up; an error now (the disk still full) must not hide the first."""
    with contextlib.suppress(OSError):
        out.close()


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


LOCK_BYTES = 32
"""A lock holds a process id and a line break; a longer file is not a lock this tool wrote."""

MAX_PID = 2**31 - 1
"""Above this a process id cannot exist (and :func:`os.kill` would overflow)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_path(path: Path) -> Path:
    """The lock of ``path``: beside the real file (symbolic links resolved), so that every name
    of one draft shares one lock."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + ".lock")


def lock_holder(lock: Path) -> int | None:
    """The process id a lock file holds, or None when it is not a lock this tool could have written.

    The file is not trusted: it is opened without following a symbolic link (one to
    ``/dev/zero`` would be read for ever) and without blocking (a FIFO would hang), only a
    regular file is read, at most :data:`LOCK_BYTES` of it, and only ASCII digits within the
    range of process ids count.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(lock, flags)
    except OSError:
        return None
    try:
        data = os.read(fd, LOCK_BYTES + 1) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
    except OSError:
        data = b""
    finally:
        os.close(fd)
    text = data.strip()
    if len(data) > LOCK_BYTES or not text.isdigit():  # bytes.isdigit: ASCII digits only
        return None
    pid = int(text)
    return pid if 0 < pid <= MAX_PID else None


def _create_lock(lock: Path) -> bool:
    """Create ``lock`` holding this process's id, whole or not at all; False if it exists.

    The id is written to a temporary file first and linked in under the lock's name (which
    fails if the name exists), so no other process ever reads an empty lock and takes it for
    an abandoned one.
    """
    handle, tmp = tempfile.mkstemp(dir=lock.parent, prefix=f".{lock.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            os.fchmod(out.fileno(), 0o644)
            out.write(f"{os.getpid()}\n")
        os.link(tmp, lock)
    except FileExistsError:
        return False
    finally:
        Path(tmp).unlink(missing_ok=True)
    return True


def _take_over(lock: Path, path: Path, holder: int | None, notice: Callable[[str], None]) -> None:
    """Remove a lock left by a process that no longer runs, or that is no lock at all, and say so."""
    try:
        os.unlink(lock)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot take over the lock {lock}: {exc.strerror}", file=str(path),
                          hint=f"remove {lock} by hand") from None
    why = (f"its process (pid {holder}) no longer runs" if holder is not None
           else "it held no process id (not a regular file, or garbled)")
    notice(f"took over the lock {lock}: {why}")


@contextmanager
def pid_lock(path: Path, *, what: str = "file",
             notice: Callable[[str], None] = lambda _: None) -> Iterator[Path]:
    """Hold the lock of ``path`` (:func:`lock_path`, holding this process's id) while the block runs.

    A second process asking for the same lock, through any name of the file, is refused with
    :class:`LockedError` naming the holder's process id; a lock left by a process that no
    longer runs, or one that holds no process id, is taken over and ``notice`` told why.
    """
    lock = lock_path(path)
    for _ in range(3):
        try:
            if _create_lock(lock):
                break
        except OSError as exc:
            raise OutputError(f"cannot lock: {exc.strerror}", file=str(path)) from None
        holder = lock_holder(lock)
        if holder is not None and holder != os.getpid() and _alive(holder):
            raise LockedError(f"the {what} is in use by another process (pid {holder})", file=str(path),
                              hint=f"finish that one first; if it is gone, delete {lock}")
        _take_over(lock, path, holder, notice)
    else:
        raise LockedError(f"the {what} is being locked by another process", file=str(path),
                          hint="try again")
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)
