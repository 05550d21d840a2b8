"""The drafts as data: documents made of sentences that say where each fact came from.

Every sentence of a draft is either a marked prompt (【请填写：…】, for what only the filer can
say) or carries facts, each with the path of the answer or assessment item it came from and the
value as written. That makes two checks possible on the drafts themselves rather than on the
code that wrote them: no sentence is filler (it names a fact or asks for one), and the same fact
reads the same in every document (:mod:`engine.drafts.consistency`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from engine.model.base import Lang, StrictModel


class FactRef(StrictModel):
    """One fact a sentence states: where it comes from and the value as the sentence writes it."""

    path: str = Field(description="answers path (products[0].name) or assessment path (algorithms[<id>].type)")
    value: str


class Sentence(StrictModel):
    text: str
    prompt: bool = Field(default=False, description="a 【请填写】 prompt the filer completes")
    facts: tuple[FactRef, ...] = ()


class Paragraph(StrictModel):
    kind: Literal["paragraph"] = "paragraph"
    sentences: tuple[Sentence, ...]


class FieldRow(StrictModel):
    """One form field: its name (a label, not a statement) and its value."""

    field: str
    value: Sentence


class Table(StrictModel):
    """A two-column table: the field's name, and the sentence that fills it."""

    kind: Literal["table"] = "table"
    header: tuple[str, str]
    rows: tuple[FieldRow, ...]


Block = Annotated[Paragraph | Table, Field(discriminator="kind")]


class Section(StrictModel):
    heading: str
    level: int = Field(ge=1, le=3)
    blocks: tuple[Block, ...]


class Document(StrictModel):
    """One file the filer completes and uploads (written as .docx and .md)."""

    id: Literal["public_disclosure", "self_assessment", "responsibility", "form_sheet"]
    title: str
    subject: str = Field(description="what the document is about: the entity's or the algorithm's name")
    source_kind: Literal["public", "reading"]
    source: str
    sections: tuple[Section, ...]

    def sentences(self) -> list[Sentence]:
        """Every sentence, in reading order (paragraphs and table cells alike)."""
        out: list[Sentence] = []
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    out.extend(block.sentences)
                else:
                    out.extend(row.value for row in block.rows)
        return out


class Filing(StrictModel):
    """One folder: the entity's filing (主体备案) or one algorithm's filing."""

    folder: str
    kind: Literal["entity", "algorithm"]
    algorithm: str | None = Field(description="the algorithm's id in the assessment; null for the entity")
    documents: tuple[Document, ...]


class CalendarEvent(StrictModel):
    """A dated duty or step for the filer's calendar, naming its article."""

    uid: str
    start: dt.date
    end: dt.date | None = Field(default=None, description="last day of a window (inclusive); null for one day")
    summary: str
    description: str
    yearly: bool = Field(default=False, description="repeats every year (periodic reviews)")


class Conflict(StrictModel):
    """One fact that reads differently in two places of the drafts."""

    path: str
    values: tuple[tuple[str, str], ...] = Field(description="(document and folder, value) pairs that disagree")


class DraftSet(StrictModel):
    """Everything `algo-filing draft` writes, before it is written."""

    lang: Lang
    entity: str
    as_of: dt.date
    filings: tuple[Filing, ...]
    events: tuple[CalendarEvent, ...]
    checked_facts: int = Field(description="how many distinct facts the consistency check compared")
    conflicts: tuple[Conflict, ...]
