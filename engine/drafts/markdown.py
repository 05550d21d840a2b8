"""A draft document as Markdown: the same content as the .docx, readable as plain text."""

from __future__ import annotations

from engine.drafts.model import Document, Paragraph, Sentence, Table
from engine.sanitize import markdown_text


def _sentence(sentence: Sentence) -> str:
    text = markdown_text(sentence.text)
    return f"**{text}**" if sentence.prompt else text


def _table(table: Table) -> list[str]:
    lines = [f"| {markdown_text(table.header[0])} | {markdown_text(table.header[1])} |", "|---|---|"]
    lines += [f"| {markdown_text(row.field)} | {_sentence(row.value)} |" for row in table.rows]
    return lines


def document_markdown(document: Document, note: str) -> str:
    """The document with its title, subject and the source note of its outline."""
    lines = [f"# {markdown_text(document.title)}", "", f"*{markdown_text(document.subject)}*", "",
             f"> {markdown_text(note)}", ""]
    for section in document.sections:
        lines += [f"{'#' * (section.level + 1)} {markdown_text(section.heading)}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [" ".join(_sentence(s) for s in block.sentences), ""]
            else:
                lines += [*_table(block), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
