"""Questionnaires as data: the questions of ``questionnaires/*.yaml`` and their strict loader.

A questionnaire is a folder: ``index.yaml`` (id, version, the section files in the order they
are asked, and the fixed texts of the terminal screens) and one file per section. A section has
a *scope* — ``entity`` (asked once), ``product`` (asked per product) or ``feature`` (asked per
feature of each product) — and its questions. Each question says where its answer lands in the
answers model (``target``, e.g. ``products[].features[].behaviours``), so the flow can build an
answers document without knowing any question by name.

Why so strict: a questionnaire that offers an id the rules do not know, or writes to a field the
answers model does not have, would produce answers that fail only after a person has typed them
all. So everything is checked at load time, against the answers model and the vocabulary, and
every problem names the file, the key path and a did-you-mean:

* unknown keys, wrong types, duplicate keys, duplicate question ids;
* targets: the path must name a leaf field of the answers model, in the section's scope, and the
  field's own validator must accept every value the question can give (each choice id, ``[]``
  for a ``none`` choice, ``unsure`` where offered);
* choices: ids of the declared vocabulary group, a label where the vocabulary has none, every id
  of the group offered by some question on that target (so any answers file can be prefilled);
* ``when`` conditions: a small declarative language (``equals``, ``one_of``, ``includes``,
  ``includes_any``, ``only``, combined with ``all``/``any``/``none``) over earlier questions of
  the same or an enclosing scope; values must be choices of the referenced question. No Python
  is ever evaluated from data;
* follow-ups (``then`` on a choice): a multi-select may ask which exactly, in a later question
  on the same target (e.g. "it decides something" -> "dispatch? price? pick-up point?");
* every field the answers model requires is asked by some question.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from engine.errors import LoadError
from engine.model.answers import Answers, Entity, Feature, Product
from engine.model.base import Lang, StrictModel, Text
from engine.model.suggest import did_you_mean
from engine.model.validation import describe, inner_model
from engine.model.vocabulary import UNSURE, Vocabulary, load_vocabulary
from engine.model.yamlio import read_data_file

NONE = "none"
"""Choice id of a multi-select meaning "none of these": stored as an empty list."""

YES, NO = "yes", "no"

Scope = Literal["entity", "product", "feature"]
QuestionType = Literal["text", "number", "date", "select", "multi", "yes_no"]
SCOPES: tuple[Scope, ...] = ("entity", "product", "feature")
_ID = r"^[a-z][a-z0-9_]*$"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

UI_TEXTS: tuple[str, ...] = (
    "keys_legend", "instructions_select", "instructions_multi", "instructions_text",
    "instructions_required_text", "choice_unsure", "choice_none", "choice_yes", "choice_no", "unsure_words",
    "not_given", "back_at_first", "error_required", "error_number", "error_date", "error_exclusive",
    "section_entity", "section_product", "section_feature", "progress", "review_title", "review_status",
    "algorithm_count_one", "algorithm_count_many", "save_path_instruction", "report_hint",
    "review_incomplete", "review_menu", "review_confirm", "review_edit_section", "review_add_product",
    "review_add_feature", "review_remove_feature", "review_remove_product", "review_pick_answer",
    "review_back", "review_removed", "review_cannot_remove", "result_title", "after_menu",
    "after_save_markdown", "after_save_json", "after_save_answers", "after_edit", "after_quit", "save_path",
    "saved", "draft_saved", "answers_kept", "resume_hint", "interrupted", "draft_found", "draft_broken",
    "draft_header_incomplete", "draft_header_complete", "save_failed", "draft_continue", "draft_new",
    "draft_moved", "draft_edited", "needs_terminal", "new_feature_product", "new_feature_intro",
    "new_feature_changes", "prefilled", "open_questions_hint",
)
"""The fixed texts of the terminal screens that ``index.yaml`` must give in both languages."""


# ------------------------------------------------------------------------------- file models

class Condition(StrictModel):
    """A test on an earlier answer, or a combination of tests.

    Exactly one operator per condition: ``equals`` / ``one_of`` on a select or yes/no question,
    ``includes`` / ``includes_any`` / ``only`` (non-empty and nothing else) on a multi-select;
    ``all`` / ``any`` / ``none`` combine conditions. An unanswered or skipped question matches
    no test (so ``none: [{question: q, ...}]`` holds).
    """

    question: str | None = None
    equals: str | None = None
    one_of: list[str] | None = None
    includes: str | None = None
    includes_any: list[str] | None = None
    only: list[str] | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    none: list[Condition] | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        ops = [name for name in _OPERATORS if getattr(self, name) is not None]
        if len(ops) != 1:
            raise ValueError("a condition needs exactly one of: " + ", ".join(_OPERATORS)
                             + (f" (found {', '.join(ops)})" if ops else ""))
        if ops[0] in _COMBINATORS and self.question is not None:
            raise ValueError(f"`{ops[0]}` combines conditions; put `question:` inside each of them")
        if ops[0] not in _COMBINATORS and self.question is None:
            raise ValueError(f"`{ops[0]}` tests an answer; add `question:` with the id of an earlier question")
        return self

    @property
    def operator(self) -> str:
        """The one operator this condition uses."""
        return next(name for name in _OPERATORS if getattr(self, name) is not None)

    def values(self) -> list[str]:
        """The answer values a test compares with (empty for combinators)."""
        value = getattr(self, self.operator)
        if self.operator in _COMBINATORS:
            return []
        return [value] if isinstance(value, str) else list(value)

    def children(self) -> list[Condition]:
        """The conditions a combinator combines."""
        return list(getattr(self, self.operator)) if self.operator in _COMBINATORS else []

    def holds(self, lookup: Callable[[str], Any]) -> bool:
        """Evaluate against ``lookup(question_id) -> answer value or None``."""
        op = self.operator
        if op == "all":
            return all(c.holds(lookup) for c in self.children())
        if op == "any":
            return any(c.holds(lookup) for c in self.children())
        if op == "none":
            return not any(c.holds(lookup) for c in self.children())
        assert self.question is not None
        value = lookup(self.question)
        if value is None:
            return False
        if op == "equals":
            return bool(value == self.equals)
        if op == "one_of":
            return value in (self.one_of or [])
        chosen = set(value) if isinstance(value, list) else {value}
        if op == "includes":
            return self.includes in chosen
        if op == "includes_any":
            return bool(chosen & set(self.includes_any or []))
        return bool(chosen) and chosen <= set(self.only or [])

    def questions(self) -> Iterator[str]:
        """Every question id this condition refers to."""
        if self.question is not None:
            yield self.question
        for child in self.children():
            yield from child.questions()


_TESTS = ("equals", "one_of", "includes", "includes_any", "only")
_COMBINATORS = ("all", "any", "none")
_OPERATORS = _TESTS + _COMBINATORS
_MULTI_TESTS = ("includes", "includes_any", "only")


class Choice(StrictModel):
    """One answer a select or multi-select offers.

    ``id`` is what is stored (a vocabulary id, ``unsure`` or ``none``), except for a choice with
    ``then``: that one is a plain-language category whose follow-up question asks which ids.
    """

    id: str = Field(pattern=_ID)
    label: Text | None = None
    help: Text | None = None
    then: str | None = Field(default=None, description="follow-up question asking which ids exactly")


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
    splits: bool = Field(
        default=False, description="text naming a feature: a list (a, b、c) describes several features at once")
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
        """The choice ids stored as they are (not categories, not ``none``)."""
        return [c.id for c in self.choices or [] if c.then is None and c.id != NONE]

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


class IndexFile(StrictModel):
    """``index.yaml``: the questionnaire's id, version, sections in order and screen texts."""

    id: str = Field(pattern=_ID)
    version: str
    title: Text
    sections: list[str] = Field(min_length=1, description="Section files, asked in this order")
    texts: dict[str, Text]


# ----------------------------------------------------------------------------------- targets

_SEGMENT = re.compile(r"^([a-z_]+)(\[\])?$")
_SCOPE_MODELS: dict[Scope, type[BaseModel]] = {"entity": Entity, "product": Product, "feature": Feature}


@dataclass(frozen=True)
class Target:
    """A parsed target path: the leaf field it names and how to validate a value for it."""

    path: str
    scope: Scope
    leaf: str
    adapter: TypeAdapter[Any]
    is_list: bool
    required: bool

    def check(self, value: Any) -> str | None:
        """None when the field accepts ``value``, else the field's own message."""
        try:
            self.adapter.validate_python(value)
        except ValidationError as exc:
            return str(exc.errors()[0]["msg"])
        return None




def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


def parse_target(path: str) -> Target:
    """Resolve ``path`` against the answers model; a ValueError says what is wrong and the fix."""
    model: type[BaseModel] = Answers
    segments = path.split(".")
    depth = 0
    for position, segment in enumerate(segments):
        match = _SEGMENT.match(segment)
        if not match:
            raise ValueError(f"'{segment}' is not a field name; write e.g. products[].features[].behaviours")
        name, brackets = match.group(1), match.group(2)
        field = model.model_fields.get(name)
        if field is None:
            raise ValueError(f"the answers model has no field '{name}' here; "
                             f"{did_you_mean(name, model.model_fields)}")
        inner = inner_model(field.annotation)
        last = position == len(segments) - 1
        if last:
            if inner is not None:
                raise ValueError(f"'{name}' holds {inner.__name__} objects, not an answer; "
                                 f"name one of its fields, e.g. {name}{'[]' if _is_list(field.annotation) else ''}."
                                 f"{next(iter(inner.model_fields))}")
            if brackets:
                raise ValueError(f"'{name}' is an answer, not a list of objects; write it without []")
            annotation: Any = field.annotation
            if field.metadata:
                annotation = Annotated.__class_getitem__((field.annotation, *field.metadata))  # type: ignore[attr-defined]
            scope: Scope = SCOPES[depth]
            return Target(path=path, scope=scope, leaf=name, adapter=TypeAdapter(annotation),
                          is_list=_is_list(field.annotation), required=field.is_required())
        if inner is None:
            raise ValueError(f"'{name}' is an answer, not an object; end the path there")
        if _is_list(field.annotation) != bool(brackets):
            fixed = f"{name}[]" if _is_list(field.annotation) else name
            raise ValueError(f"write '{fixed}': '{name}' {'is' if brackets is None else 'is not'} a list")
        if brackets:
            depth += 1
        model = inner
    raise ValueError("empty target")  # pragma: no cover - split always yields a segment


# ----------------------------------------------------------------------------- the questionnaire

@dataclass(frozen=True)
class Section:
    """A loaded section with the file it came from."""

    file: str
    scope: Scope
    title: Text
    questions: tuple[Question, ...]
    repeat: Repeat | None


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
    def targets(self) -> dict[str, Target]:
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

    def repeat(self, scope: Scope) -> Repeat:
        """The repeat question of the product or feature scope."""
        found = next(s.repeat for s in self.sections if s.scope == scope and s.repeat is not None)
        return found

    def section_title(self, scope: Scope) -> Text:
        """The title of the (first) section of ``scope``."""
        return next(s.title for s in self.sections if s.scope == scope)

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


# ------------------------------------------------------------------------------------ loading

def questionnaires_dir() -> Path:
    """The folder of the shipped questionnaire (package data of ``questionnaires``)."""
    return Path(str(resources.files("questionnaires")))


@cache
def default_questionnaire() -> Questionnaire:
    """The shipped questionnaire, loaded and checked once per process."""
    return load_questionnaire(questionnaires_dir())


def _model(cls: type[StrictModel], raw: Any, file: str) -> Any:
    if not isinstance(raw, dict):
        raise LoadError("expected a mapping of keys to values", file=file, key="(document)")
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        problems = [describe(e, cls) for e in exc.errors()]
        key, message = problems[0]
        more = "; ".join(f"{k}: {m.removeprefix('Value error, ')}" for k, m in problems[1:3])
        hint = f"also {more}" + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "") if more else None
        raise LoadError(message.removeprefix("Value error, "), file=file, key=key, hint=hint) from None


def load_questionnaire(directory: Path, vocabulary: Vocabulary | None = None) -> Questionnaire:
    """Load ``directory/index.yaml`` and its sections; any problem is a :class:`LoadError`."""
    vocab = vocabulary or load_vocabulary()
    index_path = directory / "index.yaml"
    index: IndexFile = _model(IndexFile, read_data_file(index_path), str(index_path))
    _check_texts(index, str(index_path))
    sections: list[Section] = []
    seen_files: set[str] = set()
    for position, name in enumerate(index.sections):
        key = f"sections[{position}]"
        if name in seen_files:
            raise LoadError(f"section file '{name}' is listed twice", file=str(index_path), key=key)
        seen_files.add(name)
        path = directory / name
        if not path.is_file():
            present = sorted(p.name for p in directory.glob("*.yaml") if p.name != "index.yaml")
            raise LoadError(f"section file '{name}' not found", file=str(index_path), key=key,
                            hint=did_you_mean(name, present))
        raw: SectionFile = _model(SectionFile, read_data_file(path), str(path))
        sections.append(Section(file=str(path), scope=raw.scope, title=raw.title,
                                questions=tuple(raw.questions), repeat=raw.repeat))
    _check_sections(sections, str(index_path))
    questionnaire = Questionnaire(id=index.id, version=index.version, title=index.title,
                                  directory=str(directory), sections=tuple(sections),
                                  texts=dict(index.texts), vocabulary=vocab)
    _Checker(questionnaire, str(index_path)).run()
    return questionnaire


def _check_texts(index: IndexFile, file: str) -> None:
    for key in index.texts:
        if key not in UI_TEXTS:
            raise LoadError(f"unknown text '{key}'; {did_you_mean(key, UI_TEXTS)}", file=file, key=f"texts.{key}")
    missing = [key for key in UI_TEXTS if key not in index.texts]
    if missing:
        raise LoadError("missing texts: " + ", ".join(missing), file=file, key="texts",
                        hint="give each in zh and en")
    for key, text in index.texts.items():
        _same_placeholders(text, file, f"texts.{key}")


def _same_placeholders(text: Text, file: str, key: str) -> None:
    zh, en = set(_PLACEHOLDER.findall(text.zh)), set(_PLACEHOLDER.findall(text.en))
    if zh != en:
        raise LoadError(f"zh and en use different placeholders ({sorted(zh)} vs {sorted(en)})",
                        file=file, key=key, hint="both languages must fill in the same {names}")


def _check_sections(sections: list[Section], file: str) -> None:
    scopes = [s.scope for s in sections]
    if scopes != list(SCOPES):
        raise LoadError(f"sections must be one per scope, in the order entity, product, feature; found {scopes}",
                        file=file, key="sections")
    for section in sections:
        if section.scope == "entity" and section.repeat is not None:
            raise LoadError("the entity is asked once; remove `repeat`", file=section.file, key="repeat")
        if section.scope != "entity" and section.repeat is None:
            raise LoadError(f"a {section.scope} section needs `repeat` (the \"add another {section.scope}?\" "
                            "question)", file=section.file, key="repeat")


class _Checker:
    """The cross-checks that need the whole questionnaire (targets, choices, conditions)."""

    def __init__(self, questionnaire: Questionnaire, index_file: str) -> None:
        self.q = questionnaire
        self.index_file = index_file
        self.order: dict[str, int] = {}
        self.where: dict[str, tuple[str, str]] = {}

    def fail(self, question_id: str, subkey: str, message: str, hint: str | None = None) -> None:
        file, key = self.where[question_id]
        raise LoadError(message, file=file, key=key + (f".{subkey}" if subkey else ""), hint=hint)

    def run(self) -> None:
        ids: set[str] = set()
        for section in self.q.sections:
            for position, question in enumerate(section.questions):
                if question.id in ids:
                    raise LoadError(f"question id '{question.id}' is used twice", file=section.file,
                                    key=f"questions[{position}].id")
                ids.add(question.id)
                self.order[question.id] = len(self.order)
                self.where[question.id] = (section.file, f"questions[{position}]")
            if section.repeat is not None and section.repeat.id in ids:
                raise LoadError(f"repeat id '{section.repeat.id}' is also a question id", file=section.file,
                                key="repeat.id")
            if section.repeat is not None:
                ids.add(section.repeat.id)
        for section in self.q.sections:
            for question in section.questions:
                self.check_question(question, section.scope)
        self.check_shared_targets()
        self.check_required_fields()

    # -- one question
    def check_question(self, question: Question, scope: Scope) -> None:
        try:
            target = parse_target(question.target)
        except ValueError as exc:
            self.fail(question.id, "target", str(exc))
            raise AssertionError from None  # pragma: no cover - fail always raises
        if target.scope != scope:
            self.fail(question.id, "target", f"'{question.target}' is a {target.scope} field, but this section "
                      f"asks per {scope}", hint=f"move the question to the {target.scope} section")
        self.check_shape(question)
        self.check_choices(question, target)
        self.check_values(question, target)
        if question.when is not None:
            self.check_condition(question, question.when, "when")

    def check_shape(self, question: Question) -> None:
        has_choices = question.type in ("select", "multi")
        if has_choices and not question.choices:
            self.fail(question.id, "choices", f"a {question.type} question needs `choices`")
        if not has_choices:
            for key in ("choices", "vocabulary"):
                if getattr(question, key) is not None:
                    self.fail(question.id, key, f"a {question.type} question has no `{key}`")
        if question.unsure and question.type not in ("number", "yes_no"):
            self.fail(question.id, "unsure", "`unsure: true` is for number and yes_no questions; "
                      "offer a choice with id: unsure instead")
        if question.optional and question.type not in ("text", "date"):
            self.fail(question.id, "optional", "`optional` is for text and date questions")
        if question.default is not None:
            if question.type == "text":
                if not isinstance(question.default, Text):
                    self.fail(question.id, "default", "a text default needs zh and en")
                else:
                    _same_placeholders(question.default, *self.where[question.id])
            elif question.type in ("select", "multi", "yes_no"):
                if not isinstance(question.default, str) or question.default not in question.choice_ids():
                    self.fail(question.id, "default", f"default must be one of the choices; "
                              f"{did_you_mean(str(question.default), question.choice_ids())}")
                elif question.default == UNSURE:
                    self.fail(question.id, "default", "the highlighted choice must not be 'unsure': a quick "
                              "Enter would turn into needs_review; highlight the usual answer")
            else:
                self.fail(question.id, "default", f"a {question.type} question has no default")
        elif question.type in ("select", "multi") and question.choice_ids()[:1] == [UNSURE]:
            self.fail(question.id, "choices", "'unsure' is the first choice, so Enter would pick it; "
                      "put it last or give a `default`")
        if question.new_feature_only and not question.target.startswith("products[].features[]."):
            self.fail(question.id, "new_feature_only", "`new_feature_only` is for questions about a feature")
        if question.splits and (question.type != "text" or question.target != "products[].features[].name"):
            self.fail(question.id, "splits", "`splits` is for the text question naming a feature "
                      "(target products[].features[].name)")

    def check_choices(self, question: Question, target: Target) -> None:
        if not question.choices:
            return
        group = question.vocabulary
        if group is not None and group not in self.q.vocabulary.groups:
            self.fail(question.id, "vocabulary", f"unknown vocabulary group '{group}'; "
                      f"{did_you_mean(group, self.q.vocabulary.groups)}")
        seen: set[str] = set()
        for position, choice in enumerate(question.choices):
            key = f"choices[{position}]"
            if choice.id in seen:
                self.fail(question.id, f"{key}.id", f"choice '{choice.id}' is offered twice")
            seen.add(choice.id)
            if choice.then is not None:
                self.check_follow_up(question, choice, key)
                if choice.label is None:
                    self.fail(question.id, f"{key}.label", "a choice with `then` is a category; give it a label")
                continue
            if choice.id == NONE and question.type != "multi":
                self.fail(question.id, f"{key}.id", "'none' is for multi-selects; a select needs a real choice")
            special = choice.id in (UNSURE, NONE)
            if group is not None and not special:
                message = self.q.vocabulary.check_id(group, choice.id)
                if message:
                    self.fail(question.id, f"{key}.id", message)
            if choice.label is None and not special and group is None:
                self.fail(question.id, f"{key}.label", f"choice '{choice.id}' needs a label (or set `vocabulary` "
                          "to take labels from rules/vocabulary.yaml)")

    def check_follow_up(self, question: Question, choice: Choice, key: str) -> None:
        then = choice.then
        assert then is not None
        if question.type != "multi":
            self.fail(question.id, f"{key}.then", "only a multi-select choice can lead to a follow-up")
        follow = self.q.questions.get(then)
        if follow is None or self.q.scope_of[then] != self.q.scope_of[question.id]:
            same = [q.id for q in self.q.in_scope(self.q.scope_of[question.id])]
            self.fail(question.id, f"{key}.then", f"no question '{then}' in this section; {did_you_mean(then, same)}")
            return
        if self.order[then] <= self.order[question.id]:
            self.fail(question.id, f"{key}.then", f"follow-up '{then}' must come after this question")
        if follow.type != "multi" or follow.target != question.target:
            self.fail(question.id, f"{key}.then", f"follow-up '{then}' must be a multi-select on the same "
                      f"target ({question.target})")
        if follow.follow_ups():
            self.fail(then, "choices", "a follow-up question cannot have follow-ups of its own")
        leads = [q.id for q in self.q.questions.values() if then in q.follow_ups().values()]
        if len(leads) > 1 or sum(1 for t in question.follow_ups().values() if t == then) > 1:
            self.fail(question.id, f"{key}.then", f"follow-up '{then}' is reached from more than one choice")

    def check_values(self, question: Question, target: Target) -> None:
        def expect(value: Any, subkey: str, what: str) -> None:
            problem = target.check(value)
            if problem:
                self.fail(question.id, subkey, f"{question.target} does not accept {what}: {problem}")

        kind = question.type
        if kind == "multi" and not target.is_list:
            self.fail(question.id, "type", f"{question.target} takes one value; use type: select or yes_no")
        if kind != "multi" and target.is_list:
            self.fail(question.id, "type", f"{question.target} takes a list; use type: multi")
        if kind == "text":
            expect("text", "type", "text")
        elif kind == "number":
            expect(1, "type", "a number")
        elif kind == "date":
            expect(dt.date(2026, 1, 1), "type", "a date")
        elif kind == "yes_no":
            expect(True, "type", "yes/no")
        if question.unsure:
            expect(UNSURE, "unsure", "'unsure'")
        for position, choice in enumerate(question.choices or []):
            if choice.then is not None:
                continue
            if kind == "multi":
                value: Any = [] if choice.id == NONE else [choice.id]
            else:
                value = choice.id
            expect(value, f"choices[{position}].id", f"'{choice.id}'" if choice.id != NONE else "an empty list")

    # -- conditions
    def check_condition(self, question: Question, condition: Condition, key: str) -> None:
        if condition.operator in _COMBINATORS:
            for position, child in enumerate(condition.children()):
                self.check_condition(question, child, f"{key}.{condition.operator}[{position}]")
            return
        ref_id = condition.question
        assert ref_id is not None
        ref = self.q.questions.get(ref_id)
        earlier = [q for q, i in self.order.items() if i < self.order[question.id]]
        if ref is None:
            self.fail(question.id, f"{key}.question", f"no question '{ref_id}'; {did_you_mean(ref_id, earlier)}")
            return
        if ref_id not in earlier:
            self.fail(question.id, f"{key}.question", f"'{ref_id}' is asked after this question; a condition "
                      "can only look at earlier answers")
        if ref.type not in ("select", "multi", "yes_no"):
            self.fail(question.id, f"{key}.question", f"'{ref_id}' is a {ref.type} question; conditions test "
                      "select, multi and yes_no answers")
        multi_op = condition.operator in _MULTI_TESTS
        if multi_op != (ref.type == "multi"):
            fitting = "includes, includes_any or only" if ref.type == "multi" else "equals or one_of"
            self.fail(question.id, f"{key}.{condition.operator}", f"'{ref_id}' is a {ref.type} question; "
                      f"use {fitting}")
        for value in condition.values():
            if value not in ref.choice_ids():
                self.fail(question.id, f"{key}.{condition.operator}",
                          f"'{value}' is not a choice of '{ref_id}'; {did_you_mean(value, ref.choice_ids())}")

    # -- whole questionnaire
    def check_shared_targets(self) -> None:
        by_target: dict[str, list[Question]] = {}
        for question in self.q.questions.values():
            by_target.setdefault(question.target, []).append(question)
        for target, questions in by_target.items():
            first = questions[0]
            family = [first.id, *first.follow_ups().values()]
            for other in questions[1:]:
                if other.id not in family:
                    self.fail(other.id, "target", f"'{target}' is already asked by question '{first.id}'",
                              hint="one question per answer field, or a multi-select and its follow-ups")
            owner: dict[str, str] = {}
            for question in questions:
                for choice_id in question.stored_ids():
                    if choice_id in owner:
                        self.fail(question.id, "choices", f"'{choice_id}' is also offered by '{owner[choice_id]}' "
                                  f"for {target}", hint="offer each id in one question only")
                    owner[choice_id] = question.id
            groups = {q.vocabulary for q in questions if q.vocabulary}
            for group in groups:
                missing = [i for i in self.q.vocabulary.ids(group) if i not in owner]
                if missing:
                    self.fail(first.id, "choices", f"{group} ids not offered by any question on {target}: "
                              + ", ".join(missing), hint="every id must be reachable, or answers files "
                              "using it could not be prefilled")

    def check_required_fields(self) -> None:
        asked = {parse_target(q.target).path for q in self.q.questions.values()}
        prefixes = {"entity": "entity.", "product": "products[].", "feature": "products[].features[]."}
        for scope, model in _SCOPE_MODELS.items():
            for name, field in model.model_fields.items():
                if not field.is_required() or inner_model(field.annotation) is not None:
                    continue
                path = prefixes[scope] + name
                if path not in asked:
                    raise LoadError(f"no question asks {path}, which every answers file needs",
                                    file=self.index_file, key="sections",
                                    hint=f"add a question with target: {path}")

