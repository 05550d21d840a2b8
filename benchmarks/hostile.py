"""Time and peak memory of every command on every hostile input (run by hand).

    python benchmarks/hostile.py

Runs ``validate``, ``assess`` and (for JSON) ``batch`` on each file of ``tests/fixtures/hostile/``
and on four inputs too large to keep in the repository (a 1 GiB sparse file; the same on
standard input to ``assess`` and to ``batch``; a 300 KB name rendered as a table), each in a
fresh process, and prints the wall time, the peak resident memory and the exit code. Targets:
under 2 s and 300 MiB each.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
TARGET_SECONDS, TARGET_MIB = 2.0, 300


def measure(argv: list[str], cwd: Path, stdin: IO[bytes] | None = None) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit code) of ``python -m cli ARGV``."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "cli", *argv], cwd=cwd, stdin=stdin or subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    rows: list[tuple[str, float, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for path in sorted(HOSTILE.iterdir()):
            shutil.copy(path, work / path.name)
            if path.suffix != ".jsonl":
                for argv in (["validate", path.name], ["assess", path.name, "-o", "report.md", "--format",
                                                        "markdown"]):
                    rows.append((" ".join(argv[:2]), *measure(argv, work)))
            if path.suffix in (".json", ".jsonl"):
                argv = ["batch", path.name, "--input-format", "jsonl", "-o", "out.jsonl"]
                rows.append((" ".join(argv[:2]), *measure(argv, work)))
        big = work / "big.yaml"
        with big.open("wb") as out:
            out.truncate(1 << 30)
        rows.append(("validate 1 GiB file", *measure(["validate", "big.yaml"], work)))
        with big.open("rb") as stdin:
            rows.append(("assess - (1 GiB stdin)", *measure(["assess", "-"], work, stdin)))
        with big.open("rb") as stdin:
            rows.append(("batch - (one 1 GiB line on stdin)", *measure(
                ["batch", "-", "--input-format", "jsonl", "-o", "out.jsonl"], work, stdin)))
        doc: dict[str, Any] = json.loads((HOSTILE / "refused_long_name.json").read_text(encoding="utf-8"))
        doc["products"][0]["name"] = "n" * 300_000
        (work / "name.json").write_text(json.dumps(doc), encoding="utf-8")
        rows.append(("assess 300 KB name (table)", *measure(
            ["assess", "name.json", "--max-name-length", "1000000"], work)))
    width = max(len(r[0]) for r in rows)
    slow = 0
    for name, seconds, mib, code in rows:
        over = seconds > TARGET_SECONDS or mib > TARGET_MIB
        slow += over
        print(f"{name:<{width}}  {seconds:5.2f} s  {mib:6.1f} MiB  exit {code}{'  OVER TARGET' if over else ''}")
    print(f"{len(rows)} runs, {slow} over {TARGET_SECONDS} s or {TARGET_MIB} MiB")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
