"""The questionnaire flow: given the questionnaire and the answers so far, what to ask next.

No terminal code lives here: the terminal layer asks the question :meth:`Flow.current` returns
and hands the answer to :meth:`Flow.answer`. Everything else — which questions apply, where each
answer lands in the answers model, going back, reviewing, adding or removing products and
features, prefilling from a file, saving and resuming drafts — is plain data work, testable
without a terminal.

Every question is asked in a *slot*: the question plus the product and feature it is about
(key ``entity:entity_name``, ``p0:forms``, ``p1.f0:does``). ``values`` maps slot keys to the
raw answers (choice ids, text, numbers); the answers document is computed from them, so changing
an early answer never loses a later one: a later answer whose question no longer applies is kept
but left out of the document, and comes back if the question applies again.

Drafts (:mod:`engine.questionnaire.drafts`): the draft file is an answers file (YAML) holding
exactly the answers given so far, so it is valid for ``algo-filing assess`` once complete and can
be read, diffed and edited by hand.
What the answers model has no place for — where the person stopped, the plain-language category
answers, "add another product?" — lives in a sidecar ``<draft>.progress.json``. A draft without
its sidecar still resumes (structure is inferred, as for ``--answers``); a draft edited by hand
wins over its sidecar.
"""

from __future__ import annotations

import re
from typing import Any

from engine.errors import FlowError
from engine.limits import parse_day
from engine.model.answers import Answers, parse_answers
from engine.model.vocabulary import NO, NONE, UNSURE, YES
from engine.questionnaire.document import document_of
from engine.questionnaire.prefill import infer
from engine.questionnaire.schema import Question, Questionnaire, Repeat
from engine.questionnaire.slots import ReviewItem, ReviewSection, Slot, Step, Value
from engine.questionnaire.targets import Scope
from engine.sanitize import terminal_safe

LIST_SEPARATORS = re.compile(r"[,，、;；]")
"""What separates the names of several features typed into one answer ("首页推荐、热榜, 搜索")."""



class Flow:
    """The state of one questionnaire being answered; see the module docstring."""

    def __init__(self, questionnaire: Questionnaire, *, values: dict[str, Value] | None = None,
                 given: dict[str, Value] | None = None, extras: dict[str, dict[str, Any]] | None = None,
                 cursor: str | None = None, revisit: bool = False, focus: str | None = None,
                 carried: set[str] | None = None) -> None:
        self.q = questionnaire
        self.focus = focus
        """Only the slots of this item (e.g. ``p0.f3``) are asked: a new feature of known answers."""
        self.values: dict[str, Value] = dict(values or {})
        self.given: dict[str, Value] = dict(given or {})
        self.extras: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (extras or {}).items()}
        self.cursor = cursor
        self.revisit = revisit
        self.carried: set[str] = set(carried or ())
        """Slots answered by an earlier answer (the names of a feature list and its "another?"):
        never asked in turn and not counted as questions, though they can be revisited."""
        self.requested = False
        """Whether the questions asked only on request (``on_request``: the one-sentence description
        of ``ask --describe``) are asked."""
        self._active: dict[str, bool] = {}
        for key in [*self.values, *self.given]:
            self._known_slot(Slot.parse(key))

    # -- questions and slots
    def _known_slot(self, slot: Slot) -> None:
        repeats = {self.q.repeat("product").id, self.q.repeat("feature").id, *self._copy_ids()}
        if slot.question not in self.q.questions and slot.question not in repeats:
            raise FlowError(f"'{slot.key}': no question '{slot.question}' in questionnaire {self.q.id}")

    def _copy_ids(self) -> tuple[str, ...]:
        copy = self.q.same_as_previous()
        return (copy.id,) if copy is not None else ()

    def copies(self, product: int) -> bool:
        """Whether ``product`` was said to be the same as the previous one (its answers are copies)."""
        ids = self._copy_ids()
        return bool(ids) and product > 0 and self.values.get(Slot(ids[0], product).key) == YES

    def _changed(self) -> None:
        self._active.clear()

    def request(self, on: bool) -> None:
        """Ask the questions asked only on request (``on_request``), or stop asking them."""
        self.requested = on
        self._changed()

    def _slot_for(self, question_id: str, product: int | None, feature: int | None) -> Slot:
        scope = self.q.scope_of[question_id]
        if scope == "entity":
            return Slot(question_id)
        if scope == "product":
            return Slot(question_id, product)
        return Slot(question_id, product, feature)

    def is_active(self, slot: Slot) -> bool:
        """Whether the slot's question applies, given the answers so far."""
        if slot.key in self._active:
            return self._active[slot.key]
        question = self.q.questions.get(slot.question)
        active = True
        if question is not None and self._left_out(question, slot):
            active = False
        elif question is not None:
            gate = self.q.gate_of.get(question.id)
            if gate is not None:
                gate_slot = self._slot_for(gate[0], slot.product, slot.feature)
                chosen = self.values.get(gate_slot.key)
                active = self.is_active(gate_slot) and isinstance(chosen, list) and gate[1] in chosen
            if active and question.when is not None:
                active = question.when.holds(lambda qid: self._value_if_active(qid, slot))
        self._active[slot.key] = active
        return active

    def _left_out(self, question: Question, slot: Slot) -> bool:
        """Questions asked only in a mode: about a new feature, on request, for a copied product."""
        return bool((question.new_feature_only and self.focus != slot.scope_key)
                    or (question.on_request and not self.requested)
                    or (question.copies_only and not self.copies(slot.product or 0)))

    def _value_if_active(self, question_id: str, around: Slot) -> Value | None:
        slot = self._slot_for(question_id, around.product, around.feature)
        return self.values.get(slot.key) if self.is_active(slot) else None

    def sequence(self) -> list[Slot]:
        """Every slot that applies, in the order asked; repeats decide how many items there are."""
        out = [Slot(q.id) for q in self.q.in_scope("entity") if self.is_active(Slot(q.id))]
        product_repeat, feature_repeat = self.q.repeat("product").id, self.q.repeat("feature").id
        p = 0
        while True:
            out += [Slot(c, p) for c in self._copy_ids() if p > 0]
            out += [s for q in self.q.in_scope("product") if self.is_active(s := Slot(q.id, p))]
            f = 0
            while True:
                out += [s for q in self.q.in_scope("feature") if self.is_active(s := Slot(q.id, p, f))]
                out.append(Slot(feature_repeat, p, f))
                if self.values.get(Slot(feature_repeat, p, f).key) != YES:
                    break
                f += 1
            out.append(Slot(product_repeat, p))
            if self.values.get(Slot(product_repeat, p).key) != YES:
                break
            p += 1
        return out

    def product_count(self) -> int:
        """How many products the answers describe so far."""
        return 1 + max((s.product or 0) for s in self.sequence())

    def feature_count(self, product: int) -> int:
        """How many features product ``product`` has so far."""
        return 1 + max((s.feature or 0) for s in self.sequence() if s.product == product and s.feature is not None)

    # -- asking
    def _step(self, slot: Slot, index: int, total: int) -> Step:
        question = self.q.questions.get(slot.question)
        repeat = None if question else self._repeat_of(slot)
        return Step(slot, question, repeat, self.values.get(slot.key), index, total)

    def _repeat_of(self, slot: Slot) -> Repeat:
        copy = self.q.same_as_previous()
        if copy is not None and slot.question == copy.id:
            return copy
        return self.q.repeat("product" if slot.feature is None else "feature")

    def askable(self) -> list[Slot]:
        """The slots that apply and may be asked (all of them, or those of the focus item)."""
        seq = self.sequence()
        return seq if self.focus is None else [s for s in seq if s.scope_key == self.focus]

    def current(self) -> Step | None:
        """The question to ask now, or None when every question that applies is answered.

        Its index and total count the questions a person is asked: slots carried by an earlier
        answer (a list of feature names) are left out, as on the draft's header.
        """
        seq = self.askable()
        total = sum(1 for s in seq if s.key not in self.carried)

        def step(position: int) -> Step:
            slot = seq[position]
            index = sum(1 for s in seq[:position] if s.key not in self.carried)
            return self._step(slot, index, max(total, index + 1))

        if self.cursor is not None:
            for position, slot in enumerate(seq):
                if slot.key == self.cursor:
                    return step(position)
            self.cursor, self.revisit = None, False
        for position, slot in enumerate(seq):
            if slot.key not in self.values:
                return step(position)
        return None

    def is_complete(self) -> bool:
        """Every question that applies has an answer (the review screen comes next)."""
        return self.current() is None

    def answer(self, value: Value) -> None:
        """Store the answer to the current question and move on.

        After going back, moving on shows the next question again with its kept answer (a
        wizard's Next); otherwise it goes to the first question still unanswered.
        """
        step = self.current()
        if step is None:
            raise FlowError("every question is answered; nothing to answer")
        self.values[step.slot.key] = self.check(step, value)
        self.carried.discard(step.slot.key)
        self._spread(step, value)
        self._changed()
        self.cursor = None
        if self.revisit:
            seq = self.askable()
            index = next((i for i, s in enumerate(seq) if s.key == step.slot.key), len(seq))
            following = next((s for s in seq[index + 1:] if s.key not in self.carried), None)
            if following is not None and following.key in self.values:
                self.cursor = following.key
                return
            self.revisit = False

    def _spread(self, step: Step, value: Value) -> None:
        """What an answer does beyond its slot: copy a product, share with copies, split a list."""
        question = step.question
        if step.slot.question in self._copy_ids():
            self._copy_previous(step.slot.product or 0, value == YES)
        elif question is not None and question.copies_only:
            self._share_with_siblings(step.slot)
        elif question is not None and question.splits and step.slot.feature is None:
            self._split_products(step.slot)
        elif question is not None and question.splits:
            self._split_names(step.slot)

    def _own_question(self, question: str) -> bool:
        """Questions a copied product answers itself: its name, the copy questions, "another?"."""
        spec = self.q.questions.get(question)
        own = spec is not None and (spec.copies_only or (spec.splits and self.q.scope_of[question] == "product"))
        return own or question in self._copy_ids() or question == self.q.repeat("product").id

    def _copy_previous(self, product: int, copy: bool) -> None:
        """Copy (or, on "no", drop the copies of) the previous product's answers and features.

        Copies are carried: not asked, not counted, skipped by Back, but listed on the review
        screen where any of them can be changed.
        """
        for key in [k for k in self.values if k in self.carried]:
            slot = Slot.parse(key)
            if slot.product == product and not self._own_question(slot.question):
                del self.values[key]
                self.carried.discard(key)
        if not copy:
            return
        for key, value in list(self.values.items()):
            slot = Slot.parse(key)
            if slot.product == product - 1 and not self._own_question(slot.question):
                new = Slot(slot.question, product, slot.feature).key
                self.values[new] = list(value) if isinstance(value, list) else value
                self.carried.add(new)

    def _split_products(self, slot: Slot) -> None:
        """Several names for a product that copies the previous one: one more copy per name.

        Only while it is the last product and its "another product?" is unanswered; the list is
        taken as complete (more can be added on the review screen).
        """
        value = self.values[slot.key]
        product = slot.product or 0
        repeat = self.q.repeat("product").id
        names = [n.strip() for n in LIST_SEPARATORS.split(value)] if isinstance(value, str) else []
        names = [n for n in names if n]
        if (len(names) < 2 or not self.copies(product) or product != self.product_count() - 1
                or Slot(repeat, product).key in self.values):
            return
        self.values[slot.key] = names[0]
        copy_id = self._copy_ids()[0]
        for offset, name in enumerate(names[1:], start=1):
            sibling = product + offset
            for key, carried in ((Slot(repeat, sibling - 1).key, YES), (Slot(copy_id, sibling).key, YES),
                                 (Slot(slot.question, sibling).key, name)):
                self.values[key] = carried
                self.carried.add(key)
            self._copy_previous(sibling, True)
        last = Slot(repeat, product + len(names) - 1).key
        self.values[last] = NO
        self.carried.add(last)

    def _share_with_siblings(self, slot: Slot) -> None:
        """An answer asked once for products named together holds for each of them: the products
        after this one whose names were carried by its list of names."""
        name_question = next(q.id for q in self.q.in_scope("product") if q.splits)
        product = (slot.product or 0) + 1
        while self.copies(product) and Slot(name_question, product).key in self.carried:
            key = Slot(slot.question, product).key
            self.values[key] = self.values[slot.key]
            self.carried.add(key)
            product += 1

    def _split_names(self, slot: Slot) -> None:
        """A feature named as a list ("首页推荐、热榜、搜索") becomes that many features.

        Only for the product's last feature while it is being described: the first name stays
        here, each further name starts a feature of its own (asked next, not asked for its name),
        and the list is taken as complete (more can be added on the review screen).
        """
        value = self.values[slot.key]
        if not isinstance(value, str) or slot.product is None or slot.feature is None:
            return
        names = [n.strip() for n in LIST_SEPARATORS.split(value) if n.strip()]
        repeat = self.q.repeat("feature").id
        if (len(names) < 2 or slot.feature != self.feature_count(slot.product) - 1
                or Slot(repeat, slot.product, slot.feature).key in self.values):
            return
        self.values[slot.key] = names[0]
        for offset, name in enumerate(names[1:], start=1):
            feature = slot.feature + offset
            for key, carried in ((Slot(repeat, slot.product, feature - 1).key, YES),
                                 (Slot(slot.question, slot.product, feature).key, name)):
                self.values[key] = carried
                self.carried.add(key)
        last = Slot(repeat, slot.product, slot.feature + len(names) - 1).key
        self.values[last] = NO
        self.carried.add(last)

    def check(self, step: Step, value: Value) -> Value:
        """``value`` if the step's question can take it; else a FlowError saying why."""
        if step.repeat is not None:
            if value not in (YES, NO):
                raise FlowError(f"{step.slot.key}: answer yes or no")
            return value
        question = step.question
        assert question is not None
        if question.type in ("text", "date"):
            return _checked_text(step.slot, question, value)
        if question.type == "number":
            return _checked_number(step.slot, question, value)
        if question.type == "multi":
            return _checked_ticks(step.slot, question, value)
        allowed = question.choice_ids()
        if not isinstance(value, str) or value not in allowed:
            raise FlowError(f"{step.slot.key}: '{value}' is not a choice; expected one of {', '.join(allowed)}")
        return value

    def back(self) -> bool:
        """Go back one question (its answer is preselected; later answers are kept).

        False at the first question.
        """
        seq = self.askable()
        step = self.current()
        # The position in the sequence, not the displayed number: that one leaves out the slots a
        # list of names carried, so it would land several questions too early.
        position = next((i for i, s in enumerate(seq) if s.key == step.slot.key), len(seq)) if step else len(seq)
        earlier = [s for s in seq[:position] if s.key not in self.carried]
        if not earlier:
            return False
        self.cursor = earlier[-1].key
        self.revisit = True
        return True

    def edit(self, key: str) -> None:
        """Ask the question of ``key`` again (from the review screen); then any new questions."""
        if key not in {s.key for s in self.sequence()}:
            raise FlowError(f"'{key}' is not asked with the current answers")
        self.cursor, self.revisit = key, False

    # -- products and features
    def add_product(self) -> None:
        """Describe one more product: its questions come next."""
        self._set(Slot(self.q.repeat("product").id, self.product_count() - 1), YES)

    def add_feature(self, product: int) -> None:
        """Describe one more feature of ``product``: its questions come next."""
        self._set(Slot(self.q.repeat("feature").id, product, self.feature_count(product) - 1), YES)

    def start_new_feature(self, product: int) -> int:
        """Add exactly one feature to ``product`` and ask only about it (``--new-feature``).

        Returns the new feature's index.
        """
        self.add_feature(product)
        new = self.feature_count(product) - 1
        self._set(Slot(self.q.repeat("feature").id, product, new), NO)
        self.focus = Slot("x", product, new).scope_key
        return new

    def _set(self, slot: Slot, value: Value) -> None:
        self.values[slot.key] = value
        self._changed()
        self.cursor, self.revisit = None, False

    def remove_product(self, product: int) -> bool:
        """Remove a product and its answers; False if it is the only one."""
        count = self.product_count()
        if count <= 1:
            return False
        self._remove(lambda s: s.product == product,
                     lambda s: Slot(s.question, s.product - 1, s.feature)
                     if s.product is not None and s.product > product else s)
        self._set(Slot(self.q.repeat("product").id, count - 2), NO)
        return True

    def remove_feature(self, product: int, feature: int) -> bool:
        """Remove one feature of a product and its answers; False if it is the product's only one."""
        count = self.feature_count(product)
        if count <= 1:
            return False
        self._remove(lambda s: s.product == product and s.feature == feature,
                     lambda s: Slot(s.question, s.product, s.feature - 1)
                     if s.product == product and s.feature is not None and s.feature > feature else s)
        self._set(Slot(self.q.repeat("feature").id, product, count - 2), NO)
        return True

    def _remove(self, gone: Any, moved: Any) -> None:
        def rekey(mapping: dict[str, Value]) -> dict[str, Value]:
            out: dict[str, Value] = {}
            for key, value in mapping.items():
                slot = Slot.parse(key)
                if not gone(slot):
                    out[moved(slot).key] = value
            return out

        self.values, self.given = rekey(self.values), rekey(self.given)
        self.carried = set(rekey(dict.fromkeys(self.carried, "")))
        extras: dict[str, dict[str, Any]] = {}
        for key, fields in self.extras.items():
            if key in ("", "entity"):
                extras[key] = fields
                continue
            slot = Slot.parse(f"{key}:x")
            if not gone(slot):
                extras[moved(slot).scope_key] = fields
        self.extras = extras
        self._changed()

    # -- the answers document
    def document(self) -> dict[str, Any]:
        """The answers so far as an answers document (see :func:`engine.questionnaire.document.document_of`)."""
        return document_of(self)

    def answers(self) -> Answers:
        """The answers as the model (raises AnswersError while incomplete or invalid)."""
        return parse_answers(self.document(), source="<answers>")

    # -- review
    def review(self) -> list[ReviewSection]:
        """The answers by section: the entity, then each product followed by its features."""
        sections: dict[str, ReviewSection] = {}
        for slot in self.sequence():
            question = self.q.questions.get(slot.question)
            if question is None or slot.key not in self.values:
                continue
            if slot.scope_key not in sections:
                scope: Scope = ("entity" if slot.product is None else
                                "product" if slot.feature is None else "feature")
                sections[slot.scope_key] = ReviewSection(scope, slot.product, slot.feature, [])
            sections[slot.scope_key].items.append(ReviewItem(slot, question, self.values[slot.key]))
        return list(sections.values())

    def name_of(self, product: int, feature: int | None = None) -> str | None:
        """The name given to a product or feature so far, if any, for showing it (control
        characters escaped: a name must not drive the terminal)."""
        doc = self.document()
        try:
            item = doc["products"][product]
            if feature is not None:
                item = item["features"][feature]
        except (KeyError, IndexError):
            return None
        name = item.get("name")
        return terminal_safe(name, keep_newlines=False) if isinstance(name, str) else None

    def answered_count(self) -> int:
        """How many questions that apply have an answer, counted as the screen's "n/total" counts.

        "Another one?" answers count; answers carried by a list of names do not.
        """
        return sum(1 for s in self.askable() if s.key in self.values and s.key not in self.carried)

    # -- prefill
    @classmethod
    def from_document(cls, questionnaire: Questionnaire, doc: dict[str, Any]) -> Flow:
        """A flow prefilled from an answers document: only what is missing will be asked.

        Fields the questionnaire does not ask (``description``, ``credit_code``, ``as_of``…) are
        kept as they are; an optional question whose field an item leaves out counts as left
        empty. The document must be checked first (:func:`check_partial`).
        """
        values: dict[str, Value] = {}
        extras: dict[str, dict[str, Any]] = {"": {k: v for k, v in doc.items() if k not in ("entity", "products")}}
        product_repeat, feature_repeat = questionnaire.repeat("product").id, questionnaire.repeat("feature").id
        entity = doc.get("entity") or {}
        extras["entity"] = infer(questionnaire, "entity", entity, Slot("x"), values)
        products = doc.get("products") or []
        for p, product in enumerate(products):
            extras[f"p{p}"] = infer(questionnaire, "product", product, Slot("x", p), values)
            features = product.get("features") or []
            for f, feature in enumerate(features):
                extras[f"p{p}.f{f}"] = infer(questionnaire, "feature", feature, Slot("x", p, f), values)
                values[Slot(feature_repeat, p, f).key] = YES if f < len(features) - 1 else NO
            values[Slot(product_repeat, p).key] = YES if p < len(products) - 1 else NO
        given = {k: v for k, v in values.items() if Slot.parse(k).question in questionnaire.questions}
        return cls(questionnaire, values=values, given=given, extras={k: v for k, v in extras.items() if v})


def _checked_text(slot: Slot, question: Question, value: Value) -> Value:
    """Text stripped; a date in ISO form; empty only where the question is optional."""
    if not isinstance(value, str):
        raise FlowError(f"{slot.key}: expected text")
    text = value.strip()
    if question.type == "date" and text:
        try:
            text = parse_day(text).isoformat()
        except ValueError as exc:
            raise FlowError(f"{slot.key}: {exc}") from None
    if not text and not question.optional:
        raise FlowError(f"{slot.key}: an answer is needed")
    return text


def _checked_number(slot: Slot, question: Question, value: Value) -> Value:
    """A whole number of at least zero, or unsure where the question offers it."""
    if value == UNSURE and question.unsure:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise FlowError(f"{slot.key}: expected a whole number" + (" or unsure" if question.unsure else ""))


def _checked_ticks(slot: Slot, question: Question, value: Value) -> Value:
    """At least one known choice; 'none' alone but for ticks that set a field of their own; in the order offered."""
    allowed = question.choice_ids()
    if not isinstance(value, list) or not value:
        raise FlowError(f"{slot.key}: tick at least one choice")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise FlowError(f"{slot.key}: not a choice: {', '.join(unknown)}")
    if NONE in value and len([v for v in value if v not in question.setters()]) > 1:
        raise FlowError(f"{slot.key}: 'none' cannot be ticked with other choices")
    return [c for c in allowed if c in value]
