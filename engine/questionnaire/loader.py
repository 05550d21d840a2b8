"""Loading a questionnaire folder, and the checks that make it safe to ask.

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
* ``when`` conditions: the rules' condition language (:mod:`engine.model.conditions`) over
  earlier questions of the same or an enclosing scope; values must be choices of the
  referenced question, or ``''`` for an optional text or date left empty (the operating status
  is asked only when no launch date is given). No Python is ever evaluated from data;
* ticks that set a field (``sets`` on a choice): a multi-select choice may answer a yes/no field
  of the same scope that no question asks (news, the last tick of the opinion checklist);
* follow-ups (``then`` on a choice): a multi-select may ask which exactly, in a later question
  on the same target (e.g. "it decides something" -> "dispatch? price? pick-up point?");
* every field the answers model requires is asked by some question.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from engine.errors import LoadError
from engine.model.base import StrictModel, Text
from engine.model.conditions import NUMBER_OPERATORS, Condition, shape_problems, split_test
from engine.model.suggest import did_you_mean
from engine.model.validation import inner_model, validate_file
from engine.model.vocabulary import NONE, UNSURE, Vocabulary, load_vocabulary
from engine.model.yamlio import read_data_file
from engine.questionnaire.schema import (
    PLACEHOLDER,
    UI_TEXTS,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireIndex,
    Section,
    SectionFile,
)
from engine.questionnaire.targets import SCOPE_MODELS, SCOPES, Scope, TargetPath, parse_target


def questionnaires_dir() -> Path:
    """The folder of the shipped questionnaire (package data of ``questionnaires``)."""
    return Path(str(resources.files("questionnaires")))


@cache
def default_questionnaire() -> Questionnaire:
    """The shipped questionnaire, loaded and checked once per process."""
    return load_questionnaire(questionnaires_dir())


def _model(cls: type[StrictModel], raw: Any, file: str) -> Any:
    return validate_file(cls, raw, file=file)


def load_questionnaire(directory: Path, vocabulary: Vocabulary | None = None) -> Questionnaire:
    """Load ``directory/index.yaml`` and its sections; any problem is a :class:`LoadError`."""
    vocab = vocabulary or load_vocabulary()
    index_path = directory / "index.yaml"
    index: QuestionnaireIndex = _model(QuestionnaireIndex, read_data_file(index_path), str(index_path))
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
                                questions=tuple(raw.questions), repeat=raw.repeat,
                                same_as_previous=raw.same_as_previous))
    _check_sections(sections, str(index_path))
    questionnaire = Questionnaire(id=index.id, version=index.version, title=index.title,
                                  directory=str(directory), sections=tuple(sections),
                                  texts=dict(index.texts), vocabulary=vocab)
    _Checker(questionnaire, str(index_path)).run()
    return questionnaire


def _check_texts(index: QuestionnaireIndex, file: str) -> None:
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
    zh, en = set(PLACEHOLDER.findall(text.zh)), set(PLACEHOLDER.findall(text.en))
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


_SAMPLE_VALUES: dict[str, tuple[Any, str]] = {
    "text": ("text", "text"),
    "number": (1, "a number"),
    "date": (dt.date(2026, 1, 1), "a date"),
    "yes_no": (True, "yes/no"),
}
"""A value each question type gives, tried on the target's validator (with how to name it)."""


def _choice_value(kind: str, choice_id: str) -> Any:
    """What choosing ``choice_id`` stores: a one-item list in a multi-select (``[]`` for none)."""
    if kind == "multi":
        return [] if choice_id == NONE else [choice_id]
    return choice_id


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
            if section.same_as_previous is not None:
                if section.scope != "product" or section.same_as_previous.id in ids:
                    raise LoadError("`same_as_previous` belongs to the product section and needs an id of its own",
                                    file=section.file, key="same_as_previous")
                ids.add(section.same_as_previous.id)
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
        """Which keys a question of its type may carry; each part names its own key."""
        self.check_type_keys(question)
        self.check_default(question)
        self.check_flags(question)

    def check_type_keys(self, question: Question) -> None:
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

    def check_default(self, question: Question) -> None:
        """The highlighted answer: zh/en text, or a choice that is not 'unsure' (a quick Enter)."""
        if question.default is None:
            if question.type in ("select", "multi") and question.choice_ids()[:1] == [UNSURE]:
                self.fail(question.id, "choices", "'unsure' is the first choice, so Enter would pick it; "
                          "put it last or give a `default`")
        elif question.type == "text":
            if not isinstance(question.default, Text):
                self.fail(question.id, "default", "a text default needs zh and en")
            else:
                _same_placeholders(question.default, *self.where[question.id])
        elif question.type in ("select", "multi", "yes_no"):
            self.check_choice_default(question)
        else:
            self.fail(question.id, "default", f"a {question.type} question has no default")

    def check_choice_default(self, question: Question) -> None:
        if not isinstance(question.default, str) or question.default not in question.choice_ids():
            self.fail(question.id, "default", f"default must be one of the choices; "
                      f"{did_you_mean(str(question.default), question.choice_ids())}")
        elif question.default == UNSURE:
            self.fail(question.id, "default", "the highlighted choice must not be 'unsure': a quick "
                      "Enter would turn into needs_review; highlight the usual answer")

    def check_flags(self, question: Question) -> None:
        """The flags that only make sense on one kind of question or target."""
        if question.new_feature_only and not question.target.startswith("products[].features[]."):
            self.fail(question.id, "new_feature_only", "`new_feature_only` is for questions about a feature")
        if question.on_request and not (question.optional and question.type == "text"):
            self.fail(question.id, "on_request", "`on_request` is for optional text questions (Enter skips them)")
        if question.splits and (question.type != "text" or question.target not in (
                "products[].features[].name", "products[].name")):
            self.fail(question.id, "splits", "`splits` is for the text question naming a feature "
                      "(target products[].features[].name) or a product (products[].name)")
        if question.copies_only and not question.target.startswith("products[].") or (
                question.copies_only and question.target.startswith("products[].features[]")):
            self.fail(question.id, "copies_only", "`copies_only` is for a question about a product")

    def check_choices(self, question: Question, target: TargetPath) -> None:
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
            if choice.sets is not None:
                self.check_setter(question, choice, key, target)
                continue
            self.check_answer_choice(question, choice, key)

    def check_answer_choice(self, question: Question, choice: Choice, key: str) -> None:
        """A choice that is stored: an id of the question's vocabulary group, or one with its own label."""
        group = question.vocabulary
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

    def check_setter(self, question: Question, choice: Choice, key: str, target: TargetPath) -> None:
        """A tick that answers a yes/no field of its own: a multi-select's, in the same scope, labelled."""
        assert choice.sets is not None
        if question.type != "multi" or choice.then is not None:
            self.fail(question.id, f"{key}.sets", "only a multi-select choice without `then` can set a field")
        try:
            field = parse_target(choice.sets)
        except ValueError as exc:
            self.fail(question.id, f"{key}.sets", str(exc))
            raise AssertionError from None  # pragma: no cover - fail always raises
        if field.scope != target.scope or field.is_list or field.check(True) or field.check(UNSURE):
            self.fail(question.id, f"{key}.sets", f"'{choice.sets}' must be a yes/no field (true/false/unsure) "
                      f"of the {target.scope} this question is about")
        if choice.label is None:
            self.fail(question.id, f"{key}.label", "a choice that sets a field needs a label")
        taken = [q.id for q in self.q.questions.values() if q.target == choice.sets]
        if taken:
            self.fail(question.id, f"{key}.sets", f"'{choice.sets}' is already asked by question '{taken[0]}'",
                      hint="one question per answer field")

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
        self.check_follow_up_is_a_leaf(question, then, key)

    def check_follow_up_is_a_leaf(self, question: Question, then: str, key: str) -> None:
        """One level of follow-ups, each reached from one choice only: the flow stays a tree."""
        if self.q.questions[then].follow_ups():
            self.fail(then, "choices", "a follow-up question cannot have follow-ups of its own")
        leads = [q.id for q in self.q.questions.values() if then in q.follow_ups().values()]
        if len(leads) > 1 or sum(1 for t in question.follow_ups().values() if t == then) > 1:
            self.fail(question.id, f"{key}.then", f"follow-up '{then}' is reached from more than one choice")

    def check_values(self, question: Question, target: TargetPath) -> None:
        """The target's own validator accepts every value the question can give."""
        kind = question.type
        if kind == "multi" and not target.is_list:
            self.fail(question.id, "type", f"{question.target} takes one value; use type: select or yes_no")
        if kind != "multi" and target.is_list:
            self.fail(question.id, "type", f"{question.target} takes a list; use type: multi")
        if kind in _SAMPLE_VALUES:
            value, what = _SAMPLE_VALUES[kind]
            self.expect(question, target, value, "type", what)
        if question.unsure:
            self.expect(question, target, UNSURE, "unsure", "'unsure'")
        for position, choice in enumerate(question.choices or []):
            if choice.then is None and choice.sets is None:
                self.expect(question, target, _choice_value(kind, choice.id), f"choices[{position}].id",
                            f"'{choice.id}'" if choice.id != NONE else "an empty list")

    def expect(self, question: Question, target: TargetPath, value: Any, subkey: str, what: str) -> None:
        problem = target.check(value)
        if problem:
            self.fail(question.id, subkey, f"{question.target} does not accept {what}: {problem}")

    # -- conditions
    def check_condition(self, question: Question, condition: Condition, key: str) -> None:
        """Shape, then each tested question: known, asked earlier, a choice question, values among its choices."""
        for where, message in shape_problems(condition):
            self.fail(question.id, f"{key}.{where}".rstrip("."), message)
        if condition.fact is not None:
            self.fail(question.id, f"{key}.fact", "`fact` is for rules; a question's condition names earlier questions")
        earlier = [q for q, i in self.order.items() if i < self.order[question.id]]
        for ref_id, test in condition.tests.items():
            at = f"{key}.{ref_id}"
            ref = self.q.questions.get(ref_id)
            if ref is None:
                self.fail(question.id, at, f"no question '{ref_id}'; {did_you_mean(ref_id, earlier)}")
                return
            if ref_id not in earlier:
                self.fail(question.id, at, f"'{ref_id}' is asked after this question; a condition "
                          "can only look at earlier answers")
            if ref.type in ("text", "date") and ref.optional:
                self.check_emptiness_test(question, ref, at, test)
                continue
            self.check_reference(question, ref, at)
            self.check_test(question, ref, at, test)
        for name, group in condition.groups():
            for position, child in enumerate(group):
                self.check_condition(question, child, f"{key}.{name}[{position}]")

    def check_emptiness_test(self, question: Question, ref: Question, at: str, test: Any) -> None:
        """An optional text or date can only be tested for being left empty."""
        op, operand = split_test(test)
        if op not in ("equals", "not") or operand != "":
            self.fail(question.id, at, f"'{ref.id}' is an optional {ref.type} question; a condition "
                      "can only test whether it was left empty: {ref: ''} or {ref: {not: ''}}")

    def check_reference(self, question: Question, ref: Question, at: str) -> None:
        """Apart from an optional text or date's emptiness, a condition tests an answer given with choices."""
        if ref.type not in ("select", "multi", "yes_no"):
            self.fail(question.id, at, f"'{ref.id}' is a {ref.type} question; conditions test "
                      "select, multi and yes_no answers (and whether an optional text or date was left empty)")

    def check_test(self, question: Question, ref: Question, at: str, test: Any) -> None:
        """The operator suits the referenced question and every operand is one of its choices."""
        op, operand = split_test(test)
        if op in NUMBER_OPERATORS:
            self.fail(question.id, f"{at}.{op}", f"'{op}' compares numbers; '{ref.id}' is answered with choices")
        if op == "only" and ref.type != "multi":
            self.fail(question.id, f"{at}.only", f"'{ref.id}' is a {ref.type} question (one answer); "
                      "use {in: [...]}")
        for value in operand if isinstance(operand, list) else [operand]:
            if value not in ref.choice_ids():
                self.fail(question.id, at if op == "equals" else f"{at}.{op}",
                          f"'{value}' is not a choice of '{ref.id}'; {did_you_mean(str(value), ref.choice_ids())}")

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
        for scope, model in SCOPE_MODELS.items():
            for name, field in model.model_fields.items():
                if not field.is_required() or inner_model(field.annotation) is not None:
                    continue
                path = prefixes[scope] + name
                if path not in asked:
                    raise LoadError(f"no question asks {path}, which every answers file needs",
                                    file=self.index_file, key="sections",
                                    hint=f"add a question with target: {path}")
