"""Termination signals as exceptions, so every ``finally`` and cleanup runs.

By default SIGTERM and SIGHUP end Python at once: no ``finally`` block runs, so a temporary
file being written would stay behind (a hidden, possibly huge ``.OUT.….tmp``). While
:func:`signals_as_interrupts` is active they raise :class:`Interrupted` instead, a
:class:`KeyboardInterrupt` like Ctrl-C (SIGINT), so code that cleans up after Ctrl-C cleans up
after them too. The exit code is the shell's convention: 128 + the signal number (130 for
SIGINT, 143 for SIGTERM, 129 for SIGHUP).

Only the first signal interrupts. Once it is raised the command is cleaning up (keeping the
complete lines of a batch, putting the output in place, saving a draft), and a second Ctrl-C
20 ms later must not cut that short and lose the output: further signals are noted, not raised.
An interrupt swallowed on its way (by the rules engine's C layer, or in a ``__del__``, where
Python prints "Exception ignored" and drops it) is raised again at the next :func:`take_pending`
of a loop that asks; a command with no such loop runs to its end, as it would have anyway.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

CAUGHT = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """A termination signal (SIGTERM, SIGHUP) received while a command ran."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def signal_number(exc: BaseException) -> int:
    """The signal behind an interrupt: its own for :class:`Interrupted`, SIGINT for a plain Ctrl-C."""
    return exc.signum if isinstance(exc, Interrupted) else int(signal.SIGINT)


def exit_code(exc: BaseException) -> int:
    """128 + the signal number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + signal_number(exc)


def signal_name(exc: BaseException) -> str:
    return signal.Signals(signal_number(exc)).name


_PENDING: list[int] = []
"""Signals received while :func:`signals_as_interrupts` was active, oldest first.

An interrupt raised while durable-rules runs a rule action can be caught inside the engine's C
layer and come back as a failed record instead (docs/durable-rules.md); a loop that must stop on
a signal asks :func:`take_pending` after each step rather than trust the exception to reach it.
"""


def take_pending() -> Interrupted | None:
    """The interrupt for a signal received since the last call (and forget it), if any."""
    if not _PENDING:
        return None
    signum = _PENDING[0]
    _PENDING.clear()
    return Interrupted(signum)


_STOPPING: list[bool] = [False]
"""Whether an interrupt has been raised already: the command is cleaning up."""


def _raise(signum: int, frame: FrameType | None) -> None:
    _PENDING.append(signum)
    if _STOPPING[0]:
        return  # cleanup is under way: a second signal must not abort it
    _STOPPING[0] = True
    raise Interrupted(signum)


def _quiet_about_interrupts(previous: Callable[[Any], object]) -> Callable[[Any], None]:
    """An unraisable-exception hook that stays silent about an interrupt.

    An interrupt raised where Python cannot pass an exception on (a ``__del__``, a garbage
    collector callback) would be printed as "Exception ignored in … Traceback" and lost; its
    signal is in :data:`_PENDING`, so the next :func:`take_pending` raises it where it counts.
    """
    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Interrupted):
            previous(unraisable)

    return hook


@contextmanager
def signals_as_interrupts(*, until_exit: bool = False) -> Iterator[None]:
    """Turn Ctrl-C, SIGTERM and SIGHUP into :class:`Interrupted` while the block runs (main thread only).

    ``until_exit`` (the command line's own process): when the block ends after an interrupt,
    later signals are ignored, so a Ctrl-C that comes as the process exits cannot turn an
    orderly exit 130 and its resume hint into a traceback or a death by signal. (Ignored, not
    noted: while the interpreter shuts down it puts the default action back for a signal with
    a Python handler, and that default ends the process; an ignored signal stays ignored.)
    """
    previous = {}
    _PENDING.clear()
    _STOPPING[0] = False
    try:
        for signum in CAUGHT:
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue  # started under nohup (or told to ignore it): keep ignoring
            previous[signum] = signal.signal(signum, _raise)
    except ValueError:  # not the main thread: leave the signals alone
        pass
    unraisable = sys.unraisablehook
    sys.unraisablehook = _quiet_about_interrupts(unraisable)
    try:
        yield
    finally:
        sys.unraisablehook = unraisable
        stopped = until_exit and _STOPPING[0]
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_IGN if stopped else handler)
        _STOPPING[0] = False


_HELD = CAUGHT


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
