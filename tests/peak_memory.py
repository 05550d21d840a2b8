"""Run a command and report its own peak memory, not the peak of the process that started it.

Linux keeps a process's peak resident size across fork and exec: a command forked from a
pytest that already holds 300 MiB reports at least 300 MiB, whatever it used itself. This
go-between starts small (a bare interpreter), starts the command, waits for it with
``os.wait4`` and writes the command's ``ru_maxrss`` (KiB) to the file named first. The command
inherits stdin, stdout and stderr, and the address-space cap set here. The go-between exits
with the command's code, or re-raises the signal that ended it, so callers see the command's
own status.

Usage: python tests/peak_memory.py REPORT_PATH ADDRESS_SPACE_CAP -- COMMAND...
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys


def main(argv: list[str]) -> int:
    report, cap, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: peak_memory.py REPORT CAP -- COMMAND...")
    limit = int(cap)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    proc = subprocess.Popen(command)
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for clarity
            continue
    with open(report, "w", encoding="ascii") as out:
        out.write(str(usage.ru_maxrss))
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
