"""How soon ``algo-filing ask`` shows its first question: CPU time of the process until the prompt is drawn.

Each run starts ``python -m cli ask`` from the work tree in a pseudo-terminal, waits until the
first question is on the screen and its prompt drawn (the instruction line names Esc), reads the process's user + system
CPU time from ``/proc/<pid>/stat`` at that moment, then presses Ctrl-C. CPU time, unlike wall time,
hardly depends on what else the machine runs; the wall time is printed beside it.

    python benchmarks/first_question.py            # 7 runs, prints the median
    python benchmarks/first_question.py --runs 15

Linux only (``/proc``); needs pexpect (installed with the test extra).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
TARGET_CPU_S = 0.4
FIRST_QUESTION = "哪家单位提供这些产品"
"""The start of the first question (``entity_name``, questionnaires/entity.yaml), in Chinese, the default."""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (fields 14 and 15 of /proc/<pid>/stat, in ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run() -> tuple[float, float]:
    """CPU seconds and wall seconds from start to the first prompt."""
    env = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as cwd:
        started = time.perf_counter()
        child = pexpect.spawn(sys.executable, ["-m", "cli", "ask"], cwd=cwd, env=env, encoding="utf-8",
                              dimensions=(50, 140), timeout=60)
        try:
            child.expect_exact(FIRST_QUESTION)
            child.expect_exact("Esc")                   # the prompt's instruction line, drawn last
            wall = time.perf_counter() - started
            cpu = _cpu_seconds(child.pid)
            child.send("\x03")
            child.expect(pexpect.EOF)
        finally:
            child.close(force=True)
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    one_run()  # warm the file cache and the byte-code caches
    runs = [one_run() for _ in range(args.runs)]
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    print(f"first question of `algo-filing ask`, median of {args.runs} runs: "
          f"{cpu:.2f} s CPU (target < {TARGET_CPU_S} s), {wall:.2f} s wall")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if cpu < TARGET_CPU_S else 1


if __name__ == "__main__":
    sys.exit(main())
