"""Hostile input and file safety: nothing a user types or points at crashes the tool, destroys a
file or injects into a report.

Each test guards one way the tool was broken by an attacker's input (numbered as in the README's
"Limits and safety"); the corpus of ``tests/fixtures/hostile/`` runs through ``assess``,
``validate`` and ``batch`` in fresh processes, each capped at 2 GiB of address space so that a
regression fails the test instead of the machine. Timings are measured by
``benchmarks/hostile.py``, not asserted here.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import cli
from engine import assess, parse_answers
from engine.model.answers import Answers
from engine.questionnaire.inputs import parse_count

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
EXAMPLE = ROOT / "examples" / "news_app.yaml"
MEMORY_CAP = 2 << 30
PEAK_MEMORY_LIMIT_KB = 300 * 1024


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_kb: int
    seconds: float


PEAK_MEMORY = Path(__file__).resolve().parent / "peak_memory.py"


def spawn(*argv: str, cwd: Path, stdin: Any = subprocess.DEVNULL, timeout: float = 60,
          env: dict[str, str] | None = None) -> Run:
    """``python -m cli ARGV`` in a fresh process: exit code, output, peak memory, time.

    The command starts through tests/peak_memory.py, so its peak memory is its own: a process
    forked straight from pytest would report pytest's peak as well (Linux keeps it across fork
    and exec), and the caps below would measure the test run, not the command.
    """
    out_path, err_path, peak_path = cwd / ".spawn.out", cwd / ".spawn.err", cwd / ".spawn.peak"
    started = time.perf_counter()
    command = [sys.executable, str(PEAK_MEMORY), str(peak_path), str(MEMORY_CAP), "--",
               sys.executable, "-m", "cli", *argv]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(command, cwd=cwd, stdin=stdin, stdout=out, stderr=err,
                                env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                                start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"{argv} did not finish in {timeout} s")
    run = Run(code, out_path.read_text(encoding="utf-8", errors="replace"),
              err_path.read_text(encoding="utf-8", errors="replace"), int(peak_path.read_text()),
              time.perf_counter() - started)
    for path in (out_path, err_path, peak_path):
        path.unlink()
    return run


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def document(**overrides: Any) -> dict[str, Any]:
    """A small valid answers document; keyword arguments replace the product's fields."""
    product = {"name": "某某App", "forms": ["app"], "audience": ["public"], "launch_date": "2025-01-01",
               "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}
    product.update(overrides)
    return {"entity": {"name": "某某科技有限公司"}, "products": [product]}


def write_json(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file of a folder with its type bits and size (to see what a command touched)."""
    return {p.name: (stat.S_IFMT(p.lstat().st_mode), p.lstat().st_size) for p in folder.iterdir()
            if not p.name.startswith(".spawn.")}


# ---------------------------------------------------------------- 1. what -o may replace

def test_1_output_that_is_the_input_is_refused_and_the_answers_survive(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "a.yaml"
    shutil.copy(EXAMPLE, answers)
    before = answers.read_bytes()
    link = tmp_path / "link.yaml"
    link.symlink_to(answers)
    for target in (answers, link, tmp_path / "." / "a.yaml"):
        code, _, err = run(capsys, "assess", str(answers), "-o", str(target))
        assert code == 2 and "would overwrite the input" in err
    assert answers.read_bytes() == before and link.is_symlink()


def test_1_ask_refuses_a_draft_that_is_its_answers_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "a.yaml"
    shutil.copy(EXAMPLE, answers)
    code, _, err = run(capsys, "ask", "--answers", str(answers), "--draft", str(answers))
    assert code == 2 and "would overwrite the answers file" in err
    assert answers.read_bytes() == EXAMPLE.read_bytes() and sorted(listing(tmp_path)) == ["a.yaml"]


def test_1_a_device_node_is_written_into_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "null"
    try:  # a private node for the null device: the real /dev/null is never at risk
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    code, _, _ = run(capsys, "assess", str(EXAMPLE), "-o", str(device))
    assert code == 0
    assert stat.S_ISCHR(device.lstat().st_mode) and device.lstat().st_rdev == os.makedev(1, 3)
    assert sorted(listing(tmp_path)) == ["null"]


@pytest.mark.slow
def test_1_a_fifo_gets_the_report_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    received = b""
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "assess", str(EXAMPLE), "--format", "json",
                                 "-o", str(fifo)], env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                received += os.read(reader, 65_536)
            except BlockingIOError:
                time.sleep(0.01)
        if proc.poll() is None:
            proc.kill()
            pytest.fail("assess -o FIFO did not finish")
        while chunk := os.read(reader, 65_536):
            received += chunk
    except BlockingIOError:
        pass
    finally:
        os.close(reader)
    assert proc.returncode == 0
    assert json.loads(received)["filing"]["status"] == "required"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.slow
def test_1_proc_self_fd_goes_to_the_open_stream(tmp_path: Path) -> None:
    result = spawn("assess", str(EXAMPLE), "--format", "json", "-o", "/proc/self/fd/1", cwd=tmp_path)
    assert result.code == 0, result.err
    assert json.loads(result.out)["filing"]["status"] == "required"


def test_1_replacing_keeps_the_old_files_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    assert run(capsys, "assess", str(EXAMPLE), "--format", "markdown", "-o", str(target))[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text(encoding="utf-8") != "old\n"


@pytest.mark.parametrize("command", ["assess", "batch"])
def test_1_assess_and_batch_agree_on_a_missing_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    source = EXAMPLE if command == "assess" else ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl"
    code, _, err = run(capsys, command, str(source), "-o", str(tmp_path / "nowhere" / "out.jsonl"))
    assert code == 2 and "directory does not exist" in err
    assert not (tmp_path / "nowhere").exists()


# ---------------------------------------------------------------- 2. no traceback, ever

def test_2_unreadable_lines_become_error_records_and_the_rest_is_assessed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = json.dumps(document(), ensure_ascii=False)
    lines = ["[" * 100_000, good.replace('"2025-01-01"', "9" * 10_000),
             json.dumps(document(launch_date="9999-12-31")),
             json.dumps(document(launch_date="0001-01-05", features=[
                 {"name": "对话", "behaviours": ["generate_text"], "model_source": "own"}])),
             good]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert code == 1 and "Traceback" not in err
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o.get("line") for o in out[:4]] == [1, 2, 3, 4]
    assert "nested too deeply" in out[0]["error"]["message"]
    assert "4300 digits" in out[1]["error"]["message"]
    assert out[2]["error"]["field"] == "products[0].launch_date" and "out of range" in out[2]["error"]["message"]
    assert out[3]["error"]["field"] == "products[0].launch_date"
    assert "filing" in out[4]


@pytest.mark.parametrize("name", ["refused_deep_nesting.json", "refused_deep_nesting.yaml",
                                  "refused_huge_integer.json", "refused_date_9999.json",
                                  "refused_genai_year_one.json"])
@pytest.mark.parametrize("command", ["assess", "validate"])
def test_2_assess_and_validate_print_one_problem_and_exit_2(
        capsys: pytest.CaptureFixture[str], command: str, name: str) -> None:
    code, out, err = run(capsys, command, str(HOSTILE / name))
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.splitlines()) == 2 and name in err.splitlines()[1]


def test_2_an_unexpected_error_is_one_line_and_exit_3(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import engine

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(engine, "assess", broken)
    code, out, err = run(capsys, "assess", str(EXAMPLE))
    assert code == 3 and out == ""
    assert err.startswith("algo-filing: internal error, please report: ZeroDivisionError: a bug")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "--debug", "assess", str(EXAMPLE))
    assert code == 3 and "Traceback" in err and "internal error, please report" in err


# ---------------------------------------------------------------- 3. alias bombs and echoed values

def test_3_the_alias_bomb_is_refused_with_little_memory(tmp_path: Path) -> None:
    bomb = HOSTILE / "refused_alias_bomb.yaml"
    assert bomb.stat().st_size < 600
    result = spawn("validate", str(bomb), cwd=tmp_path)
    assert result.code == 2 and "anchors and aliases" in result.err and "Traceback" not in result.err
    assert result.peak_kb < PEAK_MEMORY_LIMIT_KB


def test_3_a_long_wrong_value_is_echoed_at_most_200_characters(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_json(tmp_path / "a.json", document(news="x" * 400_000, forms=["y" * 200_000],
                                                        monthly_active_users=["z"] * 50_000))
    code, _, err = run(capsys, "validate", str(answers))
    assert code == 2 and len(err) < 2_000, err[:300]
    assert "400,000 characters in all" in err and "a list of 50,000 items" in err
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(document(news="x" * 200_000)) + "\n", encoding="utf-8")
    run(capsys, "batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["error"]["field"] == "products[0].news" and len(record["error"]["message"]) < 500


# ---------------------------------------------------------------- 4. size limits

@pytest.mark.slow
def test_4_a_1_gib_input_is_refused_after_reading_1_mib(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as out:  # sparse: 1 GiB that takes no disk space
        out.truncate(1 << 30)
    result = spawn("validate", str(big), cwd=tmp_path)
    assert result.code == 2 and "larger than the limit of 1 MiB" in result.err
    assert result.peak_kb < PEAK_MEMORY_LIMIT_KB
    with big.open("rb") as stdin:
        result = spawn("assess", "-", cwd=tmp_path, stdin=stdin)
    assert result.code == 2 and "<stdin>: larger than the limit of 1 MiB" in result.err
    assert result.peak_kb < PEAK_MEMORY_LIMIT_KB
    with big.open("rb") as stdin:  # one 1 GiB line: its record says so, and reading stops
        result = spawn("batch", "-", "--input-format", "jsonl", "-o", "out.jsonl", cwd=tmp_path, stdin=stdin)
    assert result.code == 1 and result.peak_kb < PEAK_MEMORY_LIMIT_KB
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["line"] == 1 and "no end in sight" in record["error"]["message"]


@pytest.mark.slow
def test_4_standard_input_is_read_with_a_dash(tmp_path: Path) -> None:
    with EXAMPLE.open("rb") as stdin:
        result = spawn("assess", "-", "--format", "json", cwd=tmp_path, stdin=stdin)
    assert result.code == 0 and json.loads(result.out)["filing"]["status"] == "required"


def test_4_too_many_features_and_products_and_too_long_names_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    features = [{"name": f"功能{i}", "behaviours": ["recommend_by_profile"]} for i in range(10_000)]
    answers = write_json(tmp_path / "many.json", document(features=features))
    code, _, err = run(capsys, "validate", str(answers))
    assert code == 2 and "more than 200 features" in err and "--max-features" in err
    code, out, _ = run(capsys, "validate", str(answers), "--max-features", "10000")
    assert code == 0 and "10000 features" in out
    many = document()
    many["products"] = many["products"] * 101
    code, _, err = run(capsys, "validate", str(write_json(tmp_path / "p.json", many)))
    assert code == 2 and "101 products, more than the limit of 100" in err
    code, _, err = run(capsys, "validate", str(write_json(tmp_path / "n.json", document(name="长" * 201))))
    assert code == 2 and "products[0].name: 201 characters, more than the limit of 200" in err


def test_4_a_300_kb_name_renders_cut_short(tmp_path: Path) -> None:
    from engine.render.table import render_table

    answers = Answers.model_validate(document(name="n" * 300_000))  # past the name limit on purpose
    text = render_table(assess(answers), "en")
    assert len(text) < 100_000 and "n" * 40 in text


def test_4_an_overlong_batch_line_is_an_error_record_and_the_next_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_line = json.dumps(document(description="d" * 300_000))
    source = tmp_path / "in.jsonl"
    source.write_text(long_line + "\n" + json.dumps(document()) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert code == 1 and "line longer than the limit of 262,144 bytes" in out[0]["error"]["message"]
    assert "filing" in out[1]


# ---------------------------------------------------------------- 5. injection

def test_5_markdown_report_shows_html_links_and_row_breaks_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", str(HOSTILE / "shown_markdown_injection.json"), "--format", "markdown")
    assert code == 0
    for raw in ("<script", "<img", "[click](javascript:", "\r", "| forged |"):
        assert raw not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "\\[click\\](javascript:alert(1))<br>\\| forged" in out


def test_5_triage_csv_cells_never_start_a_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    out = tmp_path / "triage.csv"
    code, _, _ = run(capsys, "batch", str(HOSTILE / "shown_csv_formulas.jsonl"), "--summary", "-o", str(out))
    assert code == 0
    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["entity"] for r in rows] == ["'=HYPERLINK(\"http://x.example\",\"y\")", "'+cmd|' /C calc'!A0",
                                           "'@SUM(1+1)", "'-2+3"]


def test_5_terminal_escapes_are_shown_not_obeyed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.questionnaire.flow import Flow
    from engine.questionnaire.loader import default_questionnaire

    code, out, _ = run(capsys, "assess", str(HOSTILE / "shown_terminal_escapes.json"), "--lang", "en")
    assert code == 0 and "\x1b" not in out and "\\x1b[2J" in out
    bad = write_json(tmp_path / "bad.json", document(forms=["\x1b]0;pwned\x07app"]))
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned\\x07app" in err
    doc = json.loads((HOSTILE / "shown_terminal_escapes.json").read_text(encoding="utf-8"))
    flow = Flow.from_document(default_questionnaire(), doc)
    assert flow.name_of(0) == "\\x1b[2J\\x1b[H某某App"  # the `ask` headers show names through name_of


def test_5_diff_reports_escape_names_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = "<script>alert(1)</script>\x1b[2J"
    before = write_json(tmp_path / "before.json", document(name=hostile))
    after = write_json(tmp_path / "after.json", document(name=hostile, features=[
        {"name": "推荐", "behaviours": ["recommend_by_profile"]},
        {"name": "对话", "behaviours": ["generate_text"], "model_source": "own"}]))
    code, md, _ = run(capsys, "diff", str(before), str(after), "--format", "markdown")
    assert code == 0 and "&lt;script&gt;" in md and "<script" not in md and "\x1b" not in md
    code, table, _ = run(capsys, "diff", str(before), str(after))
    assert code == 0 and "\\x1b[2J" in table and "\x1b" not in table


# ---------------------------------------------------------------- 6. interrupts

def test_6_ctrl_c_inside_a_rule_action_stops_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.rules.runtime as runtime

    def interrupted(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(runtime, "_derived", interrupted)
    with pytest.raises(KeyboardInterrupt):
        assess(parse_answers(document()), memoize=False)


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_6_a_signalled_batch_keeps_complete_lines_removes_its_temp_file_and_says_how_to_go_on(
        tmp_path: Path, signum: int, code: int) -> None:
    line = json.dumps(document(), ensure_ascii=False)
    source = tmp_path / "in.jsonl"
    source.write_text((line + "\n") * 200_000, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "cli", "batch", str(source), "-o", str(out)], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.stat().st_size for p in tmp_path.glob(".out.jsonl.*.tmp")):
        time.sleep(0.05)
    proc.send_signal(signum)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the batch did not stop")
    assert proc.returncode == code, err
    assert "Traceback" not in err and sorted(listing(tmp_path)) == ["in.jsonl", "out.jsonl"]
    kept = out.read_text(encoding="utf-8").splitlines()
    assert 0 < len(kept) < 200_000 and all("filing" in json.loads(k) for k in kept)
    assert f"after input line {len(kept)}" in err and f"--start-line {len(kept) + 1}" in err


def test_6_start_line_continues_after_the_lines_done(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps(document())] * 5
    lines[3] = "not json"
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(capsys, "batch", str(source), "-o", str(tmp_path / "rest.jsonl"), "--start-line", "4")[0] == 1
    rest = [json.loads(r) for r in (tmp_path / "rest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rest) == 2 and rest[0]["line"] == 4 and "filing" in rest[1]


# ---------------------------------------------------------------- 7. ask

@pytest.mark.parametrize("typed", ["9" * 309, "9" * 309 + "亿", "0x10", "٣٢", "１２", "1e5", "10000000000000"])
def test_7_counts_take_ascii_digits_only_and_never_overflow(typed: str) -> None:
    started = time.perf_counter()
    assert parse_count(typed) is None
    assert time.perf_counter() - started < 1  # not a timing target: a hang guard for the loop-free parser


def test_7_counts_as_people_type_them_still_work() -> None:
    assert [parse_count(t) for t in ("120000", "120,000", "32万", "1.5亿", "50k", "2.5w")] == \
        [120_000, 120_000, 320_000, 150_000_000, 50_000, 25_000]


@pytest.mark.parametrize("typed", ["0x10", "1_000", "1:30", "٣٢"])
def test_7_answers_files_take_counts_in_plain_decimal_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str) -> None:
    answers = tmp_path / "a.yaml"
    text = json.dumps(document(), ensure_ascii=False)
    answers.write_text(text.replace('"launch_date"', f'"monthly_active_users": {typed}, "launch_date"'),
                       encoding="utf-8")
    code, _, err = run(capsys, "validate", str(answers))
    assert code == 2 and "products[0].monthly_active_users: expected a whole number" in err


@pytest.mark.slow
def test_7_a_second_ask_on_the_same_draft_is_refused(tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "draft.yaml.lock").write_text(f"{holder.pid}\n", encoding="ascii")
        result = spawn("ask", "--lang", "en", "--draft", str(draft), cwd=tmp_path, timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert result.code == 2
    assert f"draft.yaml: the draft is in use by another process (pid {holder.pid})" in result.err
    # the holder is gone now: its stale lock is taken over (and released again)
    result = spawn("ask", "--lang", "en", "--draft", str(draft), cwd=tmp_path, timeout=60)
    assert "in use" not in result.err and "interactive terminal" in result.err
    assert not (tmp_path / "draft.yaml.lock").exists()


# ---------------------------------------------------------------- 8. messages

def test_8_a_full_disk_names_the_output_not_the_temporary_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.files as files

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    target = tmp_path / "report.json"
    code, _, err = run(capsys, "assess", str(EXAMPLE), "-o", str(target))
    assert code == 2 and f"{target}: cannot be written: No space left on device" in err and ".tmp" not in err
    assert sorted(listing(tmp_path)) == []


def test_8_a_full_device_names_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "full"
    try:  # a private node for the full device (every write fails with ENOSPC)
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    code, _, err = run(capsys, "assess", str(EXAMPLE), "-o", str(device))
    assert code == 2 and f"{device}: cannot be written: No space left on device" in err
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_8_json_with_a_byte_order_mark_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "bom.json"
    answers.write_bytes(b"\xef\xbb\xbf" + json.dumps(document()).encode("utf-8"))
    code, out, _ = run(capsys, "validate", str(answers))
    assert code == 0 and "valid (1 products, 1 features)" in out


def test_8_merge_keys_get_a_plain_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(HOSTILE / "refused_inline_merge_key.yaml"))
    assert code == 2 and "YAML merge keys (<<) are not supported" in err and "line 3" in err


# ---------------------------------------------------------------- the corpus, end to end

CORPUS = sorted(p.name for p in HOSTILE.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("name", CORPUS)
def test_corpus_runs_through_every_command_without_harm(tmp_path: Path, name: str) -> None:
    shutil.copy(HOSTILE / name, tmp_path / name)
    before = (tmp_path / name).read_bytes()
    runs: list[tuple[list[str], int, Run]] = []
    shown = name.startswith("shown_")
    if not name.endswith(".jsonl"):
        for argv in (["validate", name], ["assess", name, "-o", "report.md", "--format", "markdown"]):
            runs.append((argv, 0 if shown else 2, spawn(*argv, cwd=tmp_path)))
    if name.endswith((".json", ".jsonl")):
        argv = ["batch", name, "--input-format", "jsonl", "-o", "out.jsonl"]
        runs.append((argv, 0 if shown else 1, spawn(*argv, cwd=tmp_path)))
        lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        assert records and all(("error" in r) != shown for r in records)
    for argv, expected, result in runs:
        assert result.code == expected, (argv, result.err[:500])
        assert "Traceback" not in result.err and len(result.err) < 5_000
        assert "\x1b" not in result.out + result.err
        assert result.peak_kb < PEAK_MEMORY_LIMIT_KB, (argv, result.peak_kb)
    if shown and (tmp_path / "report.md").exists():
        report = (tmp_path / "report.md").read_text(encoding="utf-8")
        assert not any(raw in report for raw in ("\x1b", "<script", "<img", "[click](javascript:"))
    assert (tmp_path / name).read_bytes() == before
    assert set(listing(tmp_path)) <= {name, "report.md", "out.jsonl"}
