"""A draft document as a Word file (python-docx): headings, tables, page numbers, prompts highlighted.

python-docx stamps each zip entry with the time of writing; :func:`document_docx` rewrites the
archive with a fixed timestamp and fixed core properties, so the same drafts give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from engine.drafts.model import Document, Paragraph, Sentence, Table
from engine.sanitize import terminal_safe

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
EAST_ASIAN_FONT = "SimSun"


def _text(text: str) -> str:
    """No control characters in a Word run (XML refuses most of them; the rest would hide text)."""
    return terminal_safe(text, keep_newlines=False)


def _run(paragraph: DocxParagraph, sentence: Sentence) -> None:
    run = paragraph.add_run(_text(sentence.text))
    if sentence.prompt:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _page_number(paragraph: DocxParagraph, prefix: str, suffix: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(prefix)
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(suffix)


def _table(out: docx.document.Document, table: Table) -> None:
    grid = out.add_table(rows=1, cols=2)
    grid.style = "Table Grid"
    for cell, title in zip(grid.rows[0].cells, table.header, strict=True):
        cell.paragraphs[0].add_run(_text(title)).bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        cells[0].paragraphs[0].add_run(_text(row.field))
        _run(cells[1].paragraphs[0], row.value)


def _deterministic(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


def document_docx(document: Document, note: str, *, lang: str, day: dt.date) -> bytes:
    """The .docx bytes of one document; ``day`` dates its core properties."""
    out = docx.Document()
    normal = out.styles["Normal"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    props = out.core_properties
    props.title, props.subject, props.author = _text(document.title), _text(document.subject), "algo-filing"
    props.created = props.modified = dt.datetime(day.year, day.month, day.day)
    props.last_modified_by, props.revision = "algo-filing", 1
    out.add_heading(_text(document.title), level=0)
    out.add_paragraph(_text(document.subject))
    out.add_paragraph(_text(note)).runs[0].italic = True
    for section in document.sections:
        out.add_heading(_text(section.heading), level=section.level)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                paragraph = out.add_paragraph()
                for sentence in block.sentences:
                    _run(paragraph, sentence)
            else:
                _table(out, block)
    prefix, suffix = ("第 ", " 页") if lang == "zh" else ("Page ", "")
    _page_number(out.sections[0].footer.paragraphs[0], prefix, suffix)
    buffer = io.BytesIO()
    out.save(buffer)
    return _deterministic(buffer.getvalue())
