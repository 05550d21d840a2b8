"""Questionnaires as data: the questions of ``questionnaires/*.yaml`` and their strict loader.

A questionnaire is a folder: ``index.yaml`` (id, version, the section files in the order they
are asked, and the fixed texts of the terminal screens) and one file per section. A section has
a *scope* — ``entity`` (asked once), ``product`` (asked per product) or ``feature`` (asked per
feature of each product) — and its questions. Each question says where its answer lands in the
answers model (``target``, e.g. ``products[].features[].behaviours``), so the flow can build an
answers document without knowing any question by name.


Loading and its checks live in :mod:`engine.questionnaire.loader`; target paths in
:mod:`engine.questionnaire.targets`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import Field

from engine.model.base import Lang, StrictModel, Text
from engine.model.conditions import Condition
from engine.model.vocabulary import NO, UNSURE, YES, Vocabulary
from engine.model.vocabulary import NONE as NONE  # re-exported: the web form reads "none of these" here
from engine.questionnaire.targets import Scope, TargetPath, parse_target

QuestionType = Literal["text", "number", "date", "select", "multi", "yes_no"]
_ID = r"^[a-z][a-z0-9_]*$"
PLACEHOLDER = re.compile(r"\{(\w+)\}")

UI_TEXTS: tuple[str, ...] = (
    "keys_legend", "instructions_select", "instructions_multi", "instructions_text",
    "instructions_required_text", "choice_unsure", "choice_none", "choice_yes", "choice_no", "unsure_words",
    "not_given", "back_at_first", "error_required", "error_number", "error_date", "error_exclusive",
    "section_entity", "section_product", "section_feature", "progress", "review_title", "review_status",
    "algorithm_count_one", "algorithm_count_many", "save_path_instruction", "report_hint",
    "review_incomplete", "review_menu", "review_confirm", "review_edit_section", "review_add_product",
    "review_add_feature", "review_remove_feature", "review_remove_product", "review_pick_answer",
    "review_back", "review_removed", "review_cannot_remove", "result_title", "after_menu",
    "after_save_html", "after_save_markdown", "after_save_json", "after_save_answers", "after_edit", "after_quit",
    "save_path",
    "saved", "draft_saved", "answers_kept", "resume_hint", "interrupted", "draft_found", "draft_broken",
    "draft_header_incomplete", "draft_header_complete", "save_failed", "save_would_destroy", "draft_continue",
    "draft_new",
    "draft_moved", "draft_edited", "needs_terminal", "new_feature_product", "new_feature_intro",
    "new_feature_changes", "prefilled", "open_questions_hint", "described_suggestion", "described_nothing",
    "described_nearest", "review_add_filed", "review_filed", "filed_number", "filed_number_help", "filed_name",
    "filed_products", "error_filed_number",
)
"""The fixed texts of the terminal screens that ``index.yaml`` must give in both languages."""


# ------------------------------------------------------------------------------- file models

class Choice(StrictModel):
    """One answer a select or multi-select offers.

    ``id`` is what is stored (a vocabulary id, ``unsure`` or ``none``), except for a choice with
    ``then``: that one is a plain-language category whose follow-up question asks which ids.
    """

    id: str = Field(pattern=_ID)
    label: Text | None = None
    help: Text | None = None
    then: str | None = Field(default=None, description="follow-up question asking which ids exactly")
    sets: str | None = Field(
        default=None, description="multi-select: a yes/no answer field of the same scope this tick answers "
                                  "(true when ticked, false when the question is answered without it, unsure "
                                  "with 'unsure' ticked), so one checklist asks what would be a question of its "
                                  "own; the tick is not stored in the question's own list")


class Question(StrictModel):
    """One question: what is asked, how, when, and where the answer goes."""

    id: str = Field(pattern=_ID)
    type: QuestionType
    text: Text
    help: Text = Field(description="What the term means, with an example; shown with the question")
    target: str = Field(description="Where the answer lands, e.g. products[].features[].behaviours")
    vocabulary: str | None = Field(default=None, description="Vocabulary group of the choice ids")
    choices: list[Choice] | None = None
    when: Condition | None = None
    unsure: bool = Field(default=False, description="number and yes_no: offer 'unsure'")
    optional: bool = Field(default=False, description="text and date: may be left empty")
    new_feature_only: bool = Field(
        default=False, description="feature scope: asked only about a feature added to known answers (--new-feature)")
    on_request: bool = Field(
        default=False, description="optional text: asked only when the person asks for it (ask --describe)")
    splits: bool = Field(
        default=False, description="text naming a feature: a list (a, b、c) describes several features at once; "
                                   "naming a product that copies the previous one: several such products")
    copies_only: bool = Field(
        default=False, description="product scope: asked only for a product that copies the previous one")
    default: Text | str | None = Field(
        default=None, description="text: what an empty answer stands for ({n} = the item's number); "
                                  "select, multi, yes_no: the choice highlighted first")

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with ``choice_id``, if offered."""
        return next((c for c in self.choices or [] if c.id == choice_id), None)

    def choice_ids(self) -> list[str]:
        """Every value this question can give: choice ids, or yes/no(/unsure)."""
        if self.type == "yes_no":
            return [YES, NO] + ([UNSURE] if self.unsure else [])
        return [c.id for c in self.choices or []]

    def stored_ids(self) -> list[str]:
        """The choice ids stored as they are (not categories, not ``none``, not ticks that set a field)."""
        return [c.id for c in self.choices or [] if c.then is None and c.sets is None and c.id != NONE]

    def setters(self) -> dict[str, str]:
        """Choice id -> the answer field (target path) its tick sets."""
        return {c.id: c.sets for c in self.choices or [] if c.sets is not None}

    def follow_ups(self) -> dict[str, str]:
        """Category choice id -> the follow-up question id."""
        return {c.id: c.then for c in self.choices or [] if c.then is not None}


class Repeat(StrictModel):
    """The "another one?" question asked after each product or feature."""

    id: str = Field(pattern=_ID)
    text: Text
    help: Text


class SectionFile(StrictModel):
    """One section file: its scope, title, questions and (per product/feature) the repeat."""

    scope: Scope
    title: Text
    questions: list[Question] = Field(min_length=1)
    repeat: Repeat | None = None
    same_as_previous: Repeat | None = Field(
        default=None, description="product scope: asked before every product but the first; yes copies the "
                                  "previous product's answers and features, and only the name is asked")


class QuestionnaireIndex(StrictModel):
    """``index.yaml``: the questionnaire's id, version, sections in order and screen texts."""

    id: str = Field(pattern=_ID)
    version: str
    title: Text
    sections: list[str] = Field(min_length=1, description="Section files, asked in this order")
    texts: dict[str, Text]


# ----------------------------------------------------------------------------- the questionnaire

@dataclass(frozen=True)
class Section:
    """A loaded section with the file it came from."""

    file: str
    scope: Scope
    title: Text
    questions: tuple[Question, ...]
    repeat: Repeat | None
    same_as_previous: Repeat | None = None


@dataclass(frozen=True)
class Questionnaire:
    """A loaded, checked questionnaire. Lookups are by question id."""

    id: str
    version: str
    title: Text
    directory: str
    sections: tuple[Section, ...]
    texts: Mapping[str, Text]
    vocabulary: Vocabulary

    @cached_property
    def questions(self) -> dict[str, Question]:
        """Every question by id, in the order they are asked."""
        return {q.id: q for s in self.sections for q in s.questions}

    @cached_property
    def targets(self) -> dict[str, TargetPath]:
        """Question id -> its parsed target."""
        return {q.id: parse_target(q.target) for q in self.questions.values()}

    @cached_property
    def scope_of(self) -> dict[str, Scope]:
        """Question id -> the scope it is asked in."""
        return {q.id: s.scope for s in self.sections for q in s.questions}

    @cached_property
    def gate_of(self) -> dict[str, tuple[str, str]]:
        """Follow-up question id -> (the question whose choice leads to it, that choice)."""
        return {then: (q.id, choice) for q in self.questions.values() for choice, then in q.follow_ups().items()}

    def in_scope(self, scope: Scope) -> list[Question]:
        """The questions asked in ``scope``, in order."""
        return [q for s in self.sections if s.scope == scope for q in s.questions]

    def same_as_previous(self) -> Repeat | None:
        """The "same as the previous product?" question, if the product section has one."""
        return next((s.same_as_previous for s in self.sections if s.same_as_previous is not None), None)

    def repeat(self, scope: Scope) -> Repeat:
        """The repeat question of the product or feature scope."""
        found = next(s.repeat for s in self.sections if s.scope == scope and s.repeat is not None)
        return found

    def text(self, key: str, lang: Lang, **values: Any) -> str:
        """A fixed screen text in ``lang`` with its ``{placeholders}`` filled in."""
        return self.texts[key].get(lang).format(**values)

    def choice_label(self, question: Question, choice_id: str, lang: Lang) -> str:
        """What a choice shows: its own label, else the vocabulary's, else the fixed texts."""
        if question.type == "yes_no":
            return self.text({YES: "choice_yes", NO: "choice_no"}.get(choice_id, "choice_unsure"), lang)
        choice = question.choice(choice_id)
        if choice is not None and choice.label is not None:
            return choice.label.get(lang)
        if choice_id == UNSURE:
            return self.text("choice_unsure", lang)
        if choice_id == NONE:
            return self.text("choice_none", lang)
        if question.vocabulary:
            return self.vocabulary.label(question.vocabulary, choice_id, lang)
        return choice_id
