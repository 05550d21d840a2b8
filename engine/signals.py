"""Termination signals as exceptions, so every ``finally`` and cleanup runs.

By default SIGTERM and SIGHUP end Python at once: no ``finally`` block runs, so a temporary
file being written would stay behind (a hidden, possibly huge ``.OUT.….tmp``). While
:func:`signals_as_interrupts` is active they raise :class:`Interrupted` instead, a
:class:`KeyboardInterrupt` like Ctrl-C (SIGINT), so code that cleans up after Ctrl-C cleans up
after them too. The exit code is the shell's convention: 128 + the signal number (130 for
SIGINT, 143 for SIGTERM, 129 for SIGHUP).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

CAUGHT = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """A termination signal (SIGTERM, SIGHUP) received while a command ran."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def signal_number(exc: BaseException) -> int:
    """The signal behind an interrupt: its own for :class:`Interrupted`, SIGINT for Ctrl-C."""
    return exc.signum if isinstance(exc, Interrupted) else int(signal.SIGINT)


def exit_code(exc: BaseException) -> int:
    """128 + the signal number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + signal_number(exc)


def signal_name(exc: BaseException) -> str:
    return signal.Signals(signal_number(exc)).name


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Interrupted` while the block runs (main thread only)."""
    previous = {}
    try:
        for signum in CAUGHT:
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue  # started under nohup (or told to ignore it): keep ignoring
            previous[signum] = signal.signal(signum, _raise)
    except ValueError:  # not the main thread: leave the signals alone
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_HELD = (signal.SIGINT, *CAUGHT)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and termination signals until the block ends (a step that must not be cut
    in two, e.g. writing a batch record and counting it); they take effect right after."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    except (AttributeError, ValueError, OSError):  # no signal masks here: run unprotected
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
