"""Pieces every document shares: the header table and the document frame."""

from __future__ import annotations

from engine.drafts.catalogue import DocumentId
from engine.drafts.facts import Facts
from engine.drafts.model import Document, FactRef, FieldRow, Paragraph, Section, Sentence, Table
from engine.model.assessment import Algorithm


def fact_cell(facts: Facts, fact: FactRef | None, prompt: str = "field_unknown") -> Sentence:
    """A table cell stating one fact, or the prompt where the answers do not hold it."""
    if fact is None:
        return facts.prompt(prompt)
    return Sentence(text=fact.value, facts=(fact,))


def field_table(facts: Facts, rows: list[tuple[str, str, Sentence]]) -> Table:
    """A two-column table of (zh field, en field, value cell)."""
    header = ("字段", "内容") if facts.lang == "zh" else ("Field", "Value")
    label = 0 if facts.lang == "zh" else 1
    return Table(header=header, rows=tuple(FieldRow(field=(zh, en)[label], value=cell) for zh, en, cell in rows))


def header_table(facts: Facts, algorithm: Algorithm | None) -> Table:
    """算法名称, 主体名称, 统一社会信用代码, 负责人, 日期: the table each uploaded document opens with."""
    rows: list[tuple[str, str, Sentence]] = []
    if algorithm is not None:
        rows.append(("算法名称", "Algorithm", fact_cell(facts, facts.algorithm_name(algorithm))))
    rows += [
        ("主体名称", "Entity", fact_cell(facts, facts.entity_name())),
        ("统一社会信用代码", "Credit code", fact_cell(facts, facts.credit_code(), "credit_code")),
        ("负责人", "Person responsible", facts.prompt("legal_rep")),
        ("日期", "Date", facts.prompt("doc_date")),
    ]
    return field_table(facts, rows)


def document(facts: Facts, doc_id: DocumentId, subject: FactRef, sections: list[Section]) -> Document:
    """A document with its title and the source of its outline from the catalogue."""
    outline = facts.catalogue.documents.documents[doc_id]
    return Document(id=doc_id, title=facts.t(outline.title), subject=subject.value,
                    source_kind=outline.source_kind, source=facts.t(outline.source), sections=tuple(sections))


def section(facts: Facts, doc_id: DocumentId, key: str, sentences: list[Sentence], level: int = 1,
            tables: list[Table] | None = None) -> Section:
    """A section under a catalogue heading, with one paragraph per sentence and then its tables."""
    blocks: list[Paragraph | Table] = [Paragraph(sentences=(s,)) for s in sentences]
    blocks += tables or []
    return Section(heading=facts.t(facts.catalogue.heading(doc_id, key)), level=level,
                   blocks=tuple(blocks))
