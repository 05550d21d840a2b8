"""How soon ``algo-filing ask`` shows its first question: CPU time of the process until the prompt is drawn.

Each run starts ``python -m cli ask`` from the work tree in a pseudo-terminal, waits until the
first question is on the screen and its prompt drawn (the instruction line names Esc), reads the process's user + system
CPU time from ``/proc/<pid>/stat`` at that moment, then presses Ctrl-C. CPU time, unlike wall time,
hardly depends on what else the machine runs; the wall time is printed beside it.

The runs read byte code from a cache, as an installed package does (pip compiles it at install
time): a temporary ``PYTHONPYCACHEPREFIX`` that the first, unmeasured run fills, even where the
environment sets ``PYTHONDONTWRITEBYTECODE`` (compiling every module from source costs about
0.1 s more). ``--from-source`` measures that case instead.

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


def one_run(pycache: str | None) -> tuple[float, float]:
    """CPU seconds and wall seconds from start to the first prompt; byte code cached under
    ``pycache``, or (None) compiled from source as the environment says."""
    env = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "PYTHONPATH": str(ROOT)}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
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
    parser.add_argument("--from-source", action="store_true",
                        help="no byte-code cache: every module compiled from source, as the environment says")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="algo-filing-pycache-") as cache:
        pycache = None if args.from_source else cache
        one_run(pycache)  # warm the file cache and the byte-code cache
        runs = [one_run(pycache) for _ in range(args.runs)]
    print("byte code: " + ("compiled from source on every run" if args.from_source
                           else "read from a cache the first run filled (as installed)"))
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    print(f"first question of `algo-filing ask`, median of {args.runs} runs: "
          f"{cpu:.2f} s CPU (target < {TARGET_CPU_S} s), {wall:.2f} s wall")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if cpu < TARGET_CPU_S else 1


if __name__ == "__main__":
    sys.exit(main())
