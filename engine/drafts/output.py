"""The drafts on disk or in an archive: one folder per filing, the calendar and an index.

A drafts folder holds the filer's edits once written, so it is never written over: an existing
non-empty folder is refused, as is an empty one the user could not write (the rename would make
it theirs), and a new one appears whole (built beside it under a temporary name, then renamed)
or not at all.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from engine.drafts.docx_out import ZIP_TIME, document_docx
from engine.drafts.ics import calendar_ics
from engine.drafts.markdown import document_markdown
from engine.drafts.model import Document, DraftSet
from engine.errors import EngineError
from engine.files import may_write
from engine.sanitize import markdown_text

CALENDAR_FILE = "filing.ics"
INDEX_FILE = "README.md"


class DraftsOutputError(EngineError):
    """The drafts folder cannot be written where it was asked to go."""


def _note(document: Document, lang: str) -> str:
    kind = {"public": ("依据公开模板", "follows a public template"),
            "reading": ("本工具整理的结构", "our own outline")}[document.source_kind][0 if lang == "zh" else 1]
    if lang == "zh":
        return f"起草说明（提交前删除）：{kind}——{document.source}"
    return f"Drafting note (delete before submitting): {kind}: {document.source}"


def _index(drafts: DraftSet, files: dict[str, bytes]) -> str:
    zh = drafts.lang == "zh"
    lines = [f"# {markdown_text(drafts.entity)} " + ("算法备案材料草稿" if zh else "algorithm filing drafts"), ""]
    lines += ["【请填写：…】标出只有备案主体才能填写的内容；其余每句都来自答案或评估结论。" if zh else
              "【to fill in: …】 marks what only the filer can say; every other sentence comes from the answers "
              "or the assessment.", ""]
    for filing in drafts.filings:
        lines.append(f"## {markdown_text(filing.folder)}")
        for document in filing.documents:
            prompts = sum(1 for s in document.sentences() if s.prompt)
            count = f"{prompts} 处待填写" if zh else f"{prompts} prompts to complete"
            lines.append(f"- {markdown_text(document.title)}（.docx / .md）：{count}" if zh else
                         f"- {markdown_text(document.title)} (.docx / .md): {count}")
        lines.append("")
    lines.append(f"- {CALENDAR_FILE}：{len(drafts.events)} 个日程" if zh else
                 f"- {CALENDAR_FILE}: {len(drafts.events)} events")
    verdict = ("一致" if zh else "consistent") if not drafts.conflicts else \
        (f"{len(drafts.conflicts)} 处不一致" if zh else f"{len(drafts.conflicts)} conflicts")
    lines.append(f"- 一致性检查：{drafts.checked_facts} 项事实，{verdict}" if zh else
                 f"- Consistency check: {drafts.checked_facts} facts, {verdict}")
    return "\n".join(lines) + "\n"


def render_files(drafts: DraftSet) -> dict[str, bytes]:
    """Every file of the drafts folder by its relative path, in a stable order."""
    files: dict[str, bytes] = {}
    for filing in drafts.filings:
        for document in filing.documents:
            note = _note(document, drafts.lang)
            stem = f"{filing.folder}/{document.title}"
            files[f"{stem}.docx"] = document_docx(document, note, lang=drafts.lang, day=drafts.as_of)
            files[f"{stem}.md"] = document_markdown(document, note).encode()
    files[CALENDAR_FILE] = calendar_ics(drafts)
    files[INDEX_FILE] = _index(drafts, files).encode()
    return files


def zip_drafts(drafts: DraftSet) -> bytes:
    """The drafts folder as one zip archive (what the service returns), byte-identical per input."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in render_files(drafts).items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def check_folder(out: Path) -> None:
    """Refuse a folder that holds anything, or whose parent is missing, before any work is done."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise DraftsOutputError("exists and is not a folder; give a new folder name", file=str(out))
    if out.is_dir() and any(out.iterdir()):
        raise DraftsOutputError("the folder is not empty; drafts are never written over existing files",
                                file=str(out), hint="give a new folder name")
    if out.is_dir() and not may_write(out):  # renaming the drafts over it would take it over
        raise DraftsOutputError("the folder is not writable for you, so it is not replaced", file=str(out),
                                hint="give a new folder name")
    if not out.absolute().parent.is_dir():
        raise DraftsOutputError("the folder's parent does not exist", file=str(out),
                                hint="create it first, or write somewhere else")


def write_drafts(drafts: DraftSet, out: Path) -> list[str]:
    """Write the drafts folder whole, or nothing; returns the files written, relative to ``out``."""
    check_folder(out)
    files = render_files(drafts)
    parent = out.absolute().parent
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        for name, data in files.items():
            path = temporary / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        mask = os.umask(0)
        os.umask(mask)
        for folder in [temporary, *(p for p in temporary.rglob("*") if p.is_dir())]:
            folder.chmod(0o777 & ~mask)
        for path in (p for p in temporary.rglob("*") if p.is_file()):
            path.chmod(0o666 & ~mask)
        if out.is_dir():
            out.rmdir()  # empty (checked above): the rename below puts the drafts in its place
        os.rename(temporary, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(temporary)
        raise DraftsOutputError(f"cannot be written: {exc.strerror or exc}", file=str(out)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(temporary)
        raise
    return sorted(files)
