"""Time and peak memory of every command on every hostile input (run by hand).

    python benchmarks/hostile.py

Runs ``validate``, ``assess`` and (for JSON) ``batch`` on each file of ``tests/fixtures/hostile/``
and on four inputs too large to keep in the repository (a 1 GiB sparse file; the same on
standard input to ``assess`` and to ``batch``; a 300 KB name rendered as a table), each in a
fresh process, and prints the wall time, the peak resident memory and the exit code. Targets:
under 2 s and 300 MiB each.

Then the inputs that cost minutes or memory before (issue 24, items 8-10), each beside a
baseline measured in the same run: the same command on an ordinary input of about the same
size, or the bounded read of ``assess``:

- 8: ``validate`` of 1,000 unknown 100-character ids (104 KB) beside ``validate`` of 100 valid
  products (63 KB);
- 9: ``ask --answers``, ``ask --resume`` and ``serve --token-file`` on ``/dev/zero`` beside
  ``assess /dev/zero``;
- 10: ``ask --answers`` with 10, 30 and 100 products, timed to its first screen on a
  pseudo-terminal, beside ``assess`` of the 100 products.

The load average is printed before and after: on a shared machine read the times as upper bounds.
"""

from __future__ import annotations

import json
import os
import re
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


def first_screen(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit code) of ``python -m cli ARGV`` on a pseudo-terminal until its first
    question is drawn (its header, then the line of keys under it), then Ctrl-C; memory is the
    peak until then."""
    import pexpect

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"}
    started = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-m", "cli", *argv], cwd=str(cwd), env=env, encoding="utf-8",
                          dimensions=(40, 100), timeout=600)
    try:
        child.expect_exact("题 ──")                   # the first question's header (the banner before it
        child.expect_exact("Esc")                     # also names Esc), then its line of keys
        seconds = time.perf_counter() - started
        status = Path(f"/proc/{child.pid}/status").read_text(encoding="ascii")
        peak = re.search(r"VmHWM:\s+(\d+) kB", status)
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return seconds, int(peak.group(1)) / 1024 if peak else float("nan"), child.exitstatus or 0


def products(count: int) -> dict[str, Any]:
    """The 100-product file of the corpus cut to ``count`` products."""
    doc: dict[str, Any] = json.loads((HOSTILE / "shown_100_products.json").read_text(encoding="utf-8"))
    doc["products"] = doc["products"][:count]
    return doc


def costly(work: Path) -> list[tuple[str, float, float, int]]:
    """Issue 24, items 8-10: each input that cost minutes or memory, beside its baseline."""
    rows: list[tuple[str, float, float, int]] = []
    rows.append(("8 validate 1,000 unknown long ids", *measure(
        ["validate", str(HOSTILE / "refused_1000_unknown_long_ids.json")], work)))
    rows.append(("  baseline: validate 100 valid products", *measure(
        ["validate", str(HOSTILE / "shown_100_products.json")], work)))
    for argv in (["ask", "--answers", "/dev/zero"], ["ask", "--resume", "/dev/zero"]):
        rows.append((f"9 {' '.join(argv)}", *measure([*argv, "--draft", "d.yaml"], work)))
    rows.append(("9 serve --token-file /dev/zero", *measure(["serve", "--token-file", "/dev/zero"], work)))
    rows.append(("  baseline: assess /dev/zero", *measure(["assess", "/dev/zero"], work)))
    for count in (10, 30, 100):
        (work / f"p{count}.json").write_text(json.dumps(products(count), ensure_ascii=False), encoding="utf-8")
        rows.append((f"10 ask --answers, {count} products (first screen)", *first_screen(
            ["ask", "--answers", f"p{count}.json", "--draft", f"d{count}.yaml"], work)))
    rows.append(("  baseline: assess 100 products", *measure(["assess", "p100.json"], work)))
    return rows


def main() -> int:
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
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
        doc["products"][0]["name"] = "名" * 150_000 + "。" * 150_000
        (work / "wide_name.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        rows.append(("assess 300 KB Chinese name (table)", *measure(
            ["assess", "wide_name.json", "--max-name-length", "1000000"], work)))
        rows += costly(work)
    width = max(len(r[0]) for r in rows)
    slow = 0
    for name, seconds, mib, code in rows:
        over = seconds > TARGET_SECONDS or mib > TARGET_MIB
        slow += over
        print(f"{name:<{width}}  {seconds:5.2f} s  {mib:6.1f} MiB  exit {code}{'  OVER TARGET' if over else ''}")
    print(f"{len(rows)} runs, {slow} over {TARGET_SECONDS} s or {TARGET_MIB} MiB")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
