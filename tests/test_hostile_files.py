"""Hostile files, second round: the files nobody may lose (issue 24, items 1-7 and 20).

Each test guards one way a file was lost, replaced or hung on: an output the user could not
write, standard input that is the output, a device node as the draft, a report saved over the
answers, a lock file that is a FIFO or a 20-digit number, a second Ctrl-C during cleanup, an
unclosed CSV quote, a full disk. The attack files that can live in git are in
``tests/fixtures/hostile/`` (run through every command by ``tests/test_hostile.py``); device
nodes, FIFOs, links and permissions are made by the tests themselves.
"""

from __future__ import annotations

import csv
import errno
import importlib
import io
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_hostile import EXAMPLE, HOSTILE, ROOT, document, listing, run, spawn
from test_prompts import Scripted, args

import cli
from cli.ask import ask as main_ask
from engine.questionnaire.drafts import progress_path

pytestmark = pytest.mark.timeout(120)


def _unused_uid() -> int:
    """A user id no account has: a normal user for the tests without creating one."""
    return next(uid for uid in range(54_321, 60_000) if not _has_account(uid))


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


@contextmanager
def as_normal_user(uid: int) -> Iterator[None]:
    """Run the block with ``uid`` as the effective user and group and no extra groups.

    Only root can do this (and undo it); the tests that need a normal user skip otherwise. The
    real user stays root, so the previous identity comes back when the block ends.
    """
    if os.geteuid() != 0:
        pytest.skip("needs root to act as a normal user (this machine runs the tests as another user)")
    groups = os.getgroups()
    try:
        os.setgroups([])
        os.setegid(uid)
        os.seteuid(uid)
    except PermissionError as exc:
        os.setgroups(groups)
        pytest.skip(f"cannot switch to a normal user here: {exc}")
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
        os.setgroups(groups)


@pytest.fixture()
def user_folder() -> Iterator[tuple[Path, int]]:
    """A folder owned by a normal user (outside pytest's root-only temporary folders)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to act as a normal user")
    uid = _unused_uid()
    folder = Path(tempfile.mkdtemp(prefix="algo-filing-user-"))
    os.chown(folder, uid, uid)
    folder.chmod(0o755)
    try:
        yield folder, uid
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- 1. what the user could not write

def test_1_a_read_only_or_foreign_file_is_not_replaced_by_a_normal_user(
        user_folder: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, uid = user_folder
    run(capsys, "assess", str(EXAMPLE), "-o", str(tmp_path / "warm.txt"))  # load every module as root first
    mine = folder / "r.txt"
    mine.write_text("keep me\n", encoding="utf-8")
    os.chown(mine, uid, uid)
    mine.chmod(0o444)
    roots = folder / "root.txt"
    roots.write_text("root's\n", encoding="utf-8")
    roots.chmod(0o644)
    with as_normal_user(uid):
        results = [run(capsys, "assess", str(EXAMPLE), "-o", str(target)) for target in (mine, roots)]
        fresh = run(capsys, "assess", str(EXAMPLE), "-o", str(folder / "new.txt"))
    for (code, _, err), target in zip(results, (mine, roots), strict=True):
        assert code == 2 and f"{target}: the file is not writable for you, so it is not replaced" in err
    assert mine.read_text(encoding="utf-8") == "keep me\n" and stat.S_IMODE(mine.stat().st_mode) == 0o444
    assert roots.read_text(encoding="utf-8") == "root's\n" and roots.stat().st_uid == 0
    assert fresh[0] == 0 and (folder / "new.txt").stat().st_uid == uid
    assert sorted(p.name for p in folder.iterdir()) == ["new.txt", "r.txt", "root.txt"]


@pytest.mark.slow
def test_1_draft_refuses_a_folder_the_user_could_not_write(
        user_folder: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, uid = user_folder
    run(capsys, "draft", str(EXAMPLE), "-o", str(tmp_path / "warm"))
    roots = folder / "drafts"
    roots.mkdir(mode=0o755)  # root's, empty: the rename of the drafts would make it the user's
    with as_normal_user(uid):
        code, _, err = run(capsys, "draft", str(EXAMPLE), "-o", str(roots))
    assert code == 2 and f"{roots}: the folder is not writable for you, so it is not replaced" in err
    assert roots.stat().st_uid == 0 and not any(roots.iterdir())
    assert sorted(p.name for p in folder.iterdir()) == ["drafts"]


def test_1_ask_does_not_save_a_report_over_a_file_the_user_could_not_write(
        user_folder: tuple[Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder, uid = user_folder
    monkeypatch.chdir(tmp_path)
    cli.ask(args(answers=EXAMPLE, lang="en"), prompter=Scripted(["confirm", "html", "warm.html", "quit"]))
    report = folder / "report.html"
    report.write_text("root's report\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    with as_normal_user(uid):
        script = ["confirm", "html", str(report), "html", "mine.html", "quit"]
        code = cli.ask(args(answers=EXAMPLE, lang="en"), prompter=Scripted(script))
    out = " ".join(capsys.readouterr().out.split())  # notes are wrapped to the terminal's width
    assert code == 0 and f"Cannot save {report}: the file is not writable for you" in out
    assert report.read_text(encoding="utf-8") == "root's report\n" and report.stat().st_uid == 0
    assert "<html" in (folder / "mine.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- 2. standard input is the output

@pytest.mark.slow
def test_2_standard_input_read_from_the_output_file_is_refused(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    shutil.copy(EXAMPLE, answers)
    with answers.open("rb") as stdin:
        result = spawn("assess", "-", "-o", "a.yaml", cwd=tmp_path, stdin=stdin)
    assert result.code == 2 and "a.yaml: the output would overwrite the input" in result.err
    assert answers.read_bytes() == EXAMPLE.read_bytes()
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps(document(), ensure_ascii=False) + "\n", encoding="utf-8")
    before = batch.read_bytes()
    with batch.open("rb") as stdin:
        result = spawn("batch", "-", "--input-format", "jsonl", "-o", "in.jsonl", cwd=tmp_path, stdin=stdin)
    assert result.code == 2 and "in.jsonl: the output would overwrite the input" in result.err
    assert batch.read_bytes() == before and sorted(listing(tmp_path)) == ["a.yaml", "in.jsonl"]


@pytest.mark.slow
def test_2_standard_input_from_another_file_still_writes_the_output(tmp_path: Path) -> None:
    with EXAMPLE.open("rb") as stdin:
        result = spawn("assess", "-", "--format", "json", "-o", "report.json", cwd=tmp_path, stdin=stdin)
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["filing"]["status"] == "required"


# ---------------------------------------------------------------- 3. a draft that is no regular file

def _device(path: Path) -> Path:
    try:  # a private node for the null device: the real /dev/null is never at risk
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "device sidecar"])
def ask_as_typed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, prompter: Scripted,
                 *argv: str) -> tuple[int, str, str]:
    """``algo-filing ask ARGV`` through the real parser and error guard, with scripted answers."""
    main = importlib.import_module("cli.main")
    monkeypatch.setattr(main, "cmd_ask", lambda parsed: main_ask(parsed, prompter=prompter))
    return run(capsys, "ask", *argv)


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "device sidecar"])
def test_3_a_draft_that_is_not_a_regular_file_is_refused_and_left_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    draft = tmp_path / "ndev"
    odd = progress_path(draft) if kind == "device sidecar" else draft
    if kind.startswith("device"):
        _device(odd)
    elif kind == "fifo":
        os.mkfifo(odd)
    else:
        odd.mkdir()
    before = listing(tmp_path)
    prompter = Scripted(["new", "某某科技", KeyboardInterrupt])  # "Start over" if it were offered
    code, _, err = ask_as_typed(capsys, monkeypatch, prompter, "--draft", str(draft))
    assert code == 2 and f"{odd}: not a regular file" in err and "--draft PATH" in err
    assert listing(tmp_path) == before and prompter.asked == []
    if kind.startswith("device"):
        assert odd.lstat().st_rdev == os.makedev(1, 3)


def test_3_resume_from_a_device_node_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    node = _device(tmp_path / "ndev")
    code, _, err = ask_as_typed(capsys, monkeypatch, Scripted(["continue", KeyboardInterrupt]), "--resume", str(node))
    assert code == 2 and "not a regular file" in err
    assert sorted(listing(tmp_path)) == ["ndev"] and stat.S_ISCHR(node.lstat().st_mode)


# ---------------------------------------------------------------- 4. ask's save menu and its own files

def test_4_the_save_menu_refuses_the_answers_file_the_draft_and_their_other_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    answers = Path("a.yaml")
    shutil.copy(EXAMPLE, answers)
    os.link(answers, "hard.yaml")
    Path("soft.md").symlink_to(answers)
    draft = Path("draft.yaml")
    taken = [answers, Path("hard.yaml"), Path("soft.md"), draft, progress_path(draft), Path("draft.yaml.lock")]
    script = ["confirm"]
    for path in taken:
        script += ["markdown", str(path)]
    script += ["html", "report.html", "quit"]
    assert cli.ask(args(answers=answers, draft=draft, lang="en"), prompter=Scripted(script)) == 0
    out = " ".join(capsys.readouterr().out.split())  # notes are wrapped to the terminal's width
    for path in taken:
        assert f"Cannot save {path}: it is " in out
    assert out.count("saving over it would destroy it") == len(taken) and out.count("Saved:") == 1
    assert answers.read_bytes() == EXAMPLE.read_bytes() and Path("soft.md").is_symlink()
    code = cli.ask(args(resume=draft, lang="en"), prompter=Scripted(["confirm", "quit"]))
    assert code == 0 and "Filing required" in capsys.readouterr().out


def test_4_the_save_menu_refuses_the_draft_being_resumed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    cli.ask(args(answers=EXAMPLE), prompter=Scripted(["confirm", "quit"]))
    draft = tmp_path / "algo-filing-draft.yaml"
    before = draft.read_bytes()
    elsewhere = tmp_path / "other.yaml"
    script = ["confirm", "json", str(draft), "quit"]
    assert cli.ask(args(resume=draft, draft=elsewhere), prompter=Scripted(script)) == 0
    assert "无法保存" in capsys.readouterr().out and draft.read_bytes() == before


# ---------------------------------------------------------------- 5. the draft's lock

@contextmanager
def live_process() -> Iterator[int]:
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_5_a_second_ask_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    shutil.copy(EXAMPLE, draft)
    (tmp_path / "link.yaml").symlink_to(draft)
    (tmp_path / "sub").mkdir()
    with live_process() as pid:
        (tmp_path / "draft.yaml.lock").write_text(f"{pid}\n", encoding="ascii")
        for name in ("link.yaml", "sub/../draft.yaml"):
            result = spawn("ask", "--lang", "en", "--draft", name, cwd=tmp_path, timeout=60)
            assert result.code == 2 and f"the draft is in use by another process (pid {pid})" in result.err
    assert (tmp_path / "draft.yaml").read_bytes() == EXAMPLE.read_bytes()


def _zero_link(lock: Path) -> None:
    lock.symlink_to("/dev/zero")


LOCKS = {
    "20-digit pid": lambda lock: shutil.copy(HOSTILE / "refused_lock_20_digit_pid.lock", lock),
    "binary": lambda lock: shutil.copy(HOSTILE / "refused_lock_binary.lock", lock),
    "fifo": os.mkfifo,
    "link to /dev/zero": _zero_link,
    "pid 0": lambda lock: lock.write_text("0\n", encoding="ascii"),
}


@pytest.mark.parametrize("kind", sorted(LOCKS))
@pytest.mark.slow
def test_5_a_lock_that_holds_no_process_id_is_taken_over_with_a_message(tmp_path: Path, kind: str) -> None:
    lock = tmp_path / "draft.yaml.lock"
    LOCKS[kind](lock)
    result = spawn("ask", "--lang", "en", "--draft", "draft.yaml", cwd=tmp_path, timeout=20)
    assert result.code == 2 and "Traceback" not in result.err and "internal error" not in result.err
    assert f"algo-filing: note: took over the lock {lock}: it held no process id" in result.err
    assert "interactive terminal" in result.err  # it went on to the questions (no terminal here)
    assert not os.path.lexists(lock) and result.peak_kb < 300 * 1024
    assert stat.S_ISCHR(os.stat("/dev/zero").st_mode)


def test_5_a_lock_whose_process_is_gone_is_taken_over_with_a_message(tmp_path: Path) -> None:
    with live_process() as pid:
        pass
    (tmp_path / "draft.yaml.lock").write_text(f"{pid}\n", encoding="ascii")
    result = spawn("ask", "--lang", "en", "--draft", "draft.yaml", cwd=tmp_path, timeout=60)
    assert f"took over the lock {tmp_path / 'draft.yaml.lock'}: its process (pid {pid}) no longer runs" \
        in result.err


# ---------------------------------------------------------------- 6. a second interrupt

def test_6_a_second_interrupt_during_cleanup_does_not_lose_the_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic: the first Ctrl-C after three records, the second while the complete lines
    are being kept (the window in which, 20 ms apart, it lost the output 5 times in 30)."""
    import engine.intake.batch as batch

    source = tmp_path / "in.jsonl"
    source.write_text((json.dumps(document(), ensure_ascii=False) + "\n") * 10, encoding="utf-8")
    assess_record, keep = batch.assess_record, batch._keep_complete_lines
    done: list[int] = []

    def interrupted_on_the_fourth(*a: Any, **k: Any) -> Any:
        done.append(1)
        if len(done) == 4:
            os.kill(os.getpid(), signal.SIGINT)
        return assess_record(*a, **k)

    def interrupted_again(dst: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        keep(dst)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(batch, "assess_record", interrupted_on_the_fourth)
    monkeypatch.setattr(batch, "_keep_complete_lines", interrupted_again)
    code, _, err = run(capsys, "batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert code == 130 and "Traceback" not in err
    kept = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(kept) == 3 and all("filing" in json.loads(line) for line in kept)
    assert "after input line 3" in err and "--start-line 4" in err
    assert sorted(listing(tmp_path)) == ["in.jsonl", "out.jsonl"]


def test_6_an_interrupt_dropped_in_a_finaliser_prints_nothing_and_is_raised_at_the_next_check(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Seen in the repeated attack: "Exception ignored in … Traceback" on stderr, then exit 130."""
    from engine.signals import signals_as_interrupts, take_pending

    class Finalised:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGINT)

    with signals_as_interrupts():
        Finalised()  # dropped at once: the interrupt is raised inside __del__, where Python drops it
        pending = take_pending()
    assert pending is not None and pending.signum == signal.SIGINT
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_6_two_interrupts_milliseconds_apart_keep_the_output_every_time(tmp_path: Path) -> None:
    """The attack itself, repeated: ``kill -INT`` twice, 0-30 ms apart, during a large batch."""
    source = tmp_path / "in.jsonl"
    source.write_text((json.dumps(document(), ensure_ascii=False) + "\n") * 100_000, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    failures = []
    for attempt, gap in enumerate([0.0, 0.002, 0.005, 0.01, 0.02, 0.03] * 3):
        out.unlink(missing_ok=True)
        proc = subprocess.Popen([sys.executable, "-m", "cli", "batch", str(source), "-o", str(out)],
                                cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(p.stat().st_size for p in tmp_path.glob(".out.jsonl.*.tmp")):
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        time.sleep(gap)
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"attempt {attempt}: the batch did not stop within 60 s of two interrupts")
        kept = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
        if not (proc.returncode == 130 and kept and all("filing" in json.loads(k) for k in kept)
                and f"--start-line {len(kept) + 1}" in err and "Traceback" not in err):
            failures.append((attempt, gap, proc.returncode, len(kept), err))
        assert sorted(listing(tmp_path)) == ["in.jsonl", "out.jsonl"][:1 + out.exists()]
    assert failures == []


# ---------------------------------------------------------------- 7. an unclosed CSV quote

@pytest.mark.slow
def test_7_an_unclosed_quote_costs_its_row_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "leads.csv"
    shutil.copy(HOSTILE / "refused_csv_unclosed_quote.csv", source)
    rows = source.read_text(encoding="utf-8").splitlines()
    good = rows[2]
    source.write_text("\n".join(rows + [good] * 5_000) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "batch", str(source), "-o", str(out), "--summary")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert code == 1 and "5,002 records, 5,001 assessed, 1 failed" in err
    assert [r["line"] for r in records] == list(range(2, 5_004))
    assert 'a quote (") opens a cell that does not close' in records[0]["error"]["message"]
    assert all("error" not in r for r in records[1:])


def test_7_a_quoted_cell_over_two_lines_is_still_one_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = (HOSTILE / "refused_csv_unclosed_quote.csv").read_text(encoding="utf-8").splitlines()
    header, good = rows[0], rows[2]
    with io.StringIO() as buffer:
        writer = csv.writer(buffer, lineterminator="\n")
        cells = next(csv.reader([good]))
        cells[4] = "第一行\n第二行"  # product_description with a line break
        writer.writerow(cells)
        multi = buffer.getvalue()
    source = tmp_path / "leads.csv"
    source.write_text(f"{header}\n{multi}{good}\n", encoding="utf-8")
    code, _, _ = run(capsys, "batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--summary")
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert code == 0 and [r["line"] for r in records] == [2, 4]


# ---------------------------------------------------------------- 20. a full disk

class _FullDisk(io.FileIO):
    """A file on a disk that fills up after 10 KB: a write takes what fits, the next one fails."""

    room = 10_000

    def write(self, data: Any) -> int:
        fits = self.room - self.tell()
        if fits <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(bytes(data)[:fits])


def test_20_a_full_disk_names_the_output_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.files as files

    fdopen = os.fdopen

    def on_a_full_disk(fd: int, mode: str = "r", *a: Any, **k: Any) -> Any:
        if mode == "w" and os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            return io.TextIOWrapper(io.BufferedWriter(_FullDisk(fd, "w")), encoding=k.get("encoding"),
                                    newline=k.get("newline"))
        return fdopen(fd, mode, *a, **k)

    monkeypatch.setattr(files.os, "fdopen", on_a_full_disk)
    source = tmp_path / "in.jsonl"
    source.write_text((json.dumps(document(), ensure_ascii=False) + "\n") * 200, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "batch", str(source), "-o", str(out), "--summary")  # short lines wait in a buffer
    assert code == 2 and "Traceback" not in err
    assert f"algo-filing: {out}: cannot be written: No space left on device" in err and ": :" not in err
    assert sorted(listing(tmp_path)) == ["in.jsonl"]


def test_20_an_error_without_a_file_name_has_no_empty_name(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import engine

    def full(*a: Any, **k: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(engine, "load_answers", full)
    code, _, err = run(capsys, "assess", str(EXAMPLE))
    assert code == 2 and err == "algo-filing: No space left on device\n"

