"""Answers + assessment -> the drafts: one folder per filing, the calendar, the consistency check."""

from __future__ import annotations

import re

from engine.drafts.calendar import events
from engine.drafts.catalogue import DraftingCatalogue, shipped_drafting
from engine.drafts.consistency import check
from engine.drafts.disclosure import public_disclosure
from engine.drafts.facts import Facts
from engine.drafts.form_sheet import consistency_section, form_sheet
from engine.drafts.model import Document, DraftSet, Filing
from engine.drafts.responsibility import responsibility
from engine.drafts.self_assessment import self_assessment
from engine.model.answers import Answers
from engine.model.assessment import Algorithm, Assessment
from engine.model.base import Lang

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\u202a-\u202e\u2066-\u2069]+")
FOLDER_NAME_CHARS = 60


def folder_name(number: int, name: str) -> str:
    """``NN-name`` with what no file system or archive takes replaced; never empty, never hidden."""
    cleaned = _UNSAFE.sub("_", name).strip(" ._")[:FOLDER_NAME_CHARS] or "algorithm"
    return f"{number:02d}-{cleaned}"


def to_file(algorithm: Algorithm) -> bool:
    """An algorithm gets drafts unless the assessment found its filing not required."""
    return algorithm.status != "not_required"


def compose(answers: Answers, assessment: Assessment, lang: Lang = "zh",
            catalogue: DraftingCatalogue | None = None) -> DraftSet:
    """Every document of every filing, the calendar events and the consistency result."""
    facts = Facts(answers, assessment, catalogue or shipped_drafting(), lang)
    entity_folder = "00-主体备案" if lang == "zh" else "00-entity"
    filings = [Filing(folder=entity_folder, kind="entity", algorithm=None,
                      documents=(responsibility(facts), form_sheet(facts, None)))]
    for number, algorithm in enumerate((a for a in assessment.algorithms if to_file(a)), start=1):
        docs = (public_disclosure(facts, algorithm), self_assessment(facts, algorithm), form_sheet(facts, algorithm))
        filings.append(Filing(folder=folder_name(number, facts.t(algorithm.name)), kind="algorithm",
                              algorithm=algorithm.id, documents=docs))
    checked, conflicts = check(filings)
    sheet = filings[0].documents[1]
    report = consistency_section(facts, checked, [(c.path, list(c.values)) for c in conflicts])
    filings[0] = filings[0].model_copy(update={"documents": (
        filings[0].documents[0], Document(**{**sheet.model_dump(), "sections": (*sheet.sections, report)}))})
    return DraftSet(lang=lang, entity=answers.entity.name, as_of=assessment.filing.as_of, filings=tuple(filings),
                    events=tuple(events(facts)), checked_facts=checked, conflicts=tuple(conflicts))
