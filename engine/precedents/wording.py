"""Public texts from precedents: per algorithm, two published purposes of its kind and a draft.

Filers word an algorithm's one-sentence purpose (主要用途) after the published ones
("应用于<场景>场景，根据<输入>，<输出>。"). For each algorithm of an assessment this finds the two
published filings of the same class (and role, for generation) nearest to what the algorithm
does, and drafts a purpose in the same pattern from the answers (the features' names as the
scene, the class's usual input, the behaviours as the output; ``rules/purpose_templates.yaml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from engine.errors import LoadError
from engine.model.assessment import Algorithm, Assessment
from engine.model.base import Lang, StrictModel, Text
from engine.model.validation import validate_file
from engine.model.vocabulary import load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file
from engine.precedents.index import PrecedentIndex, default_index
from engine.precedents.keywords import default_keyword_rules

FILE_NAME = "purpose_templates.yaml"
CLASSES = ("generation_synthesis", "personalized_push", "ranking_selection", "information_retrieval",
           "content_filtering", "scheduling_decision")


class ClassTemplate(StrictModel):
    """What an algorithm of one class usually takes in, and how its output is said."""

    input: Text
    output: Text


class TemplateFile(StrictModel):
    """``rules/purpose_templates.yaml``."""

    pattern: Text
    classes: dict[str, ClassTemplate]


class PurposeExample(StrictModel):
    """A published filing's purpose, with where it comes from."""

    name: str
    entity: str
    filing_number: str
    purpose: str


class PurposeNote(StrictModel):
    """For one algorithm of an assessment: two published purposes of its kind and a draft."""

    algorithm: str
    name: Text
    examples: list[PurposeExample]
    draft: Text


def load_templates(directory: Path | None = None) -> TemplateFile:
    """The purpose templates of a rules folder (every class must have one)."""
    path = (directory or rules_dir()) / FILE_NAME
    data: TemplateFile = validate_file(TemplateFile, read_data_file(path), file=str(path))
    for name in data.classes:
        if name not in CLASSES:
            raise LoadError(f"unknown class '{name}'", file=str(path), key=f"classes.{name}",
                            hint="one of " + ", ".join(CLASSES))
    missing = [c for c in CLASSES if c not in data.classes]
    if missing:
        raise LoadError("classes missing: " + ", ".join(missing), file=str(path), key="classes")
    return data


@cache
def default_templates() -> TemplateFile:
    """The shipped templates, loaded once per process."""
    return load_templates()


def _draft(algorithm: Algorithm, templates: TemplateFile) -> Text:
    vocab = load_vocabulary()
    template = templates.classes[algorithm.subtype or algorithm.type]

    def say(lang: Lang) -> str:
        sep = "、" if lang == "zh" else ", "
        behaviours = sep.join(vocab.label("behaviour", b, lang) for b in algorithm.behaviours)
        return templates.pattern.get(lang).format(
            scene=sep.join(algorithm.features), input=template.input.get(lang),
            output=template.output.get(lang).format(behaviours=behaviours))

    return Text(zh=say("zh"), en=say("en"))


def _examples(algorithm: Algorithm, index: PrecedentIndex) -> list[PurposeExample]:
    """The two published purposes of the algorithm's class (and role) nearest to its behaviours'
    labels, their longer Chinese keywords (``behaviour_keywords.yaml``) and its features' names."""
    vocab = load_vocabulary()
    words = [keyword for _, behaviour, keyword in default_keyword_rules().patterns
             if behaviour in algorithm.behaviours and len(keyword) >= 3 and not keyword.isascii()]
    query = " ".join([*(vocab.label("behaviour", b, "zh").replace("/", " ") for b in algorithm.behaviours),
                      *words, *algorithm.features])
    hits = index.search(query, top=2, type_=algorithm.subtype or algorithm.type, role=algorithm.role)
    return [PurposeExample(name=h.precedent.name, entity=h.precedent.entity,
                           filing_number=h.precedent.filing_number, purpose=h.precedent.purpose) for h in hits]


def purpose_notes(assessment: Assessment, *, index: PrecedentIndex | None = None,
                  templates: TemplateFile | None = None) -> list[PurposeNote]:
    """One note per algorithm of ``assessment``, in its order."""
    index = index or default_index()
    templates = templates or default_templates()
    return [PurposeNote(algorithm=a.id, name=a.name, examples=_examples(a, index), draft=_draft(a, templates))
            for a in assessment.algorithms]
