"""Firings -> assessment: group, merge, order, and explain.

This stage draws no conclusion of its own: every item of the assessment comes from a rule that
fired, and the trace names that rule and the answers it looked at. It only groups (one
algorithm per feature, type and role, as a filer files it: a feature that both moderates and
filters spam is one content-filtering algorithm listing both behaviours; features with the same
behaviours of a type share one algorithm), merges duplicates, resolves the filing status by
precedence (required > recommended > needs_review > not_required, so an ``unsure`` that led to needs_review is
never outweighed by a "not required") and sorts everything by stable keys.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from engine.model.answers import Answers
from engine.model.assessment import (
    Algorithm,
    AlgorithmRef,
    Assessment,
    Deadline,
    DisplayOut,
    DurationOut,
    EntityTarget,
    FilingConclusion,
    MaterialOut,
    ObligationOut,
    OpenQuestion,
    PitfallOut,
    ProductRef,
    Reason,
    StatusCount,
    StepOut,
    Target,
)
from engine.model.base import Text
from engine.model.vocabulary import load_vocabulary
from engine.pipeline.citations import laws_cited, legal_refs
from engine.pipeline.deadlines import schedule
from engine.pipeline.trace import Tracer
from engine.rules.basis import Basis
from engine.rules.facts import RootFact, product_index
from engine.rules.rulebook import Rulebook
from engine.rules.runtime import Firing

_STATUS_ORDER = ("required", "recommended", "needs_review", "not_required")
"""Precedence of statuses. ``recommended`` beats ``needs_review`` because the rules that add
needs_review to an algorithm already concluded on (an undecided GenAI route, a model source) leave
its filing decided; an ``unsure`` on the deciding answer concludes needs_review alone."""



def _strongest(statuses: list[str]) -> str:
    return min(statuses, key=_STATUS_ORDER.index)


def algorithm_id(type_: str, behaviour: str, role: str) -> str:
    """The stable id of an algorithm in the assessment: ``type.behaviours.role``.

    ``behaviour`` is one behaviour id or several joined by ``+`` in vocabulary order (e.g.
    ``retrieval_filtering.content_moderation+spam_filtering.service_provider``): the behaviours of
    that type one feature shows. Names never enter an id, so renaming changes no id.
    """
    return f"{type_}.{behaviour}.{role}"


_Unit = tuple[str, str, str, str, str, str]
"""(type, subtype, role, behaviour, product index, feature): what one filing fact is about."""

_UNIT_MARK = "\x00"
"""Joins a unit into the provisional trace conclusion that :meth:`_Assembler.build` replaces."""

_TargetKey = int | _Unit | None
"""A target while assembling: None the entity, an int a product's index, else an algorithm's unit."""


@dataclass
class _AlgorithmDraft:
    type: str
    subtype: str | None
    role: str
    behaviour: str
    statuses: list[str] = field(default_factory=list)
    products: list[int] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    genai_routes: list[str] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return algorithm_id(self.type, self.behaviour, self.role)


def _add_unique(items: list[Any], value: Any) -> None:
    if value not in items:
        items.append(value)


class _Assembler:
    def __init__(self, book: Rulebook, roots: list[RootFact], as_of: dt.date) -> None:
        self.book = book
        self.vocab = load_vocabulary()
        self.roots = {r.fid: r for r in roots}
        self.as_of = as_of
        self.algorithms: dict[_Unit, _AlgorithmDraft] = {}
        """One draft per behaviour of one feature; :meth:`_group` merges them per feature and type."""
        self.statuses: list[str] = []
        self.reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.obligations: dict[str, tuple[list[_TargetKey], set[str]]] = {}
        self.materials: dict[str, tuple[list[_TargetKey], set[str]]] = {}
        self.steps: set[str] = set()
        self.display: dict[tuple[str, str], None] = {}
        self.questions: dict[tuple[str, str | None, str | None], OpenQuestion] = {}
        self.tracer = Tracer(book, self.roots)
        self._order_cache: dict[str, tuple[int, ...]] = {}

    def _algorithm_key(self, fact: dict[str, Any]) -> _Unit | None:
        if fact.get("kind") != "filing":
            return None
        return (fact["type"], fact["subtype"], fact["role"], fact["behaviour"], str(product_index(str(fact["fid"]))),
                str(fact.get("feature", "")))

    def _target(self, fact: dict[str, Any]) -> _TargetKey:
        """What a duty concluded on this fact applies to: its algorithm, else its product."""
        key = self._algorithm_key(fact)
        if key is not None:
            return key
        return product_index(str(fact["fid"]))

    # -- per firing
    def add(self, firing: Firing) -> None:
        rule = self.book.rules[firing.rule_id]
        fact = firing.fact
        then = rule.then
        product = str(fact.get("product", ""))
        index = product_index(str(fact["fid"]))
        concluded: list[str] = []
        if then.classify is not None:
            concluded.append(f"classify.{fact['behaviour']}")
        if then.filing is not None:
            status = then.filing["status"]
            self.statuses.append(status)
            _add_unique(self.reasons[(rule.id, status)], product)
            # On an algorithm fact the conclusion names the role of the filing fact it derives.
            key = ((fact["type"], fact["subtype"], then.filing["role"], fact["behaviour"], str(index),
                    str(fact.get("feature", "")))
                   if fact.get("kind") == "algorithm" else self._algorithm_key(fact))
            if key is not None:
                draft = self.algorithms.setdefault(key, _AlgorithmDraft(
                    type=key[0], subtype=None if key[1] == "none" else key[1], role=key[2],
                    behaviour=key[3]))
                draft.statuses.append(status)
                _add_unique(draft.products, index)
                _add_unique(draft.features, str(fact["feature"]))
                draft.rules.add(rule.id)
                for rule_id in str(fact.get("via") or "").split(">"):
                    if rule_id:
                        draft.rules.add(rule_id)
                concluded.append(f"algorithms.{_UNIT_MARK.join(key)}")
            concluded.append(f"filing.status.{status}")
        if then.genai_route is not None:
            key = self._algorithm_key(fact)
            if key is not None and key in self.algorithms:
                _add_unique(self.algorithms[key].genai_routes, then.genai_route)
            concluded.append(f"genai_route.{then.genai_route}")
        for name, store in (("obligations", self.obligations), ("materials", self.materials)):
            for item in getattr(then, name) or []:
                targets, rules = store.setdefault(item, ([], set()))
                if name == "materials" and self.book.materials[item].scope == "entity":
                    _add_unique(targets, None)
                elif name == "materials" and self.book.materials[item].scope == "product":
                    _add_unique(targets, index)
                elif name == "obligations" and self.book.obligations[item].scope == "product" and product:
                    _add_unique(targets, index)
                else:
                    _add_unique(targets, self._target(fact))
                rules.add(rule.id)
                concluded.append(f"{name}.{item}")
        for step in then.steps or []:
            self.steps.add(step)
            concluded.append(f"steps.{step}")
        for place in then.display or []:
            forms = ([f for f in self.vocab.ids("product_form") if fact.get(f"form_{f}") == "yes"]
                     if place == "product_forms" else [place])
            for form in forms:
                self.display[(product, form)] = None
                concluded.append(f"display.{form}")
        if then.open_question is not None:
            spec = then.open_question
            feature = str(fact["feature"]) if "feature" in fact else None
            qkey = (spec.id, product or None, feature)
            if qkey not in self.questions:
                root = self.roots[fact["fid"]]
                source = root.sources.get(spec.field)
                self.questions[qkey] = OpenQuestion(
                    id=spec.id, field=source.path if source else spec.field,
                    product=product or None, feature=feature, question=spec.text, rule=rule.id)
            concluded.append(f"open_questions.{spec.id}")
        if concluded:
            self.tracer.add(concluded, rule, fact)

    # -- output
    def _algorithm_name(self, d: _AlgorithmDraft, products: dict[int, ProductRef]) -> Text:
        """A suggested filing name: the first product that needs it, what it does (every behaviour of
        the feature), and the suffix of its role (``rules/catalogue/naming.yaml``)."""
        first = products[d.products[0]].name
        behaviours = d.behaviour.split("+")
        labels = [self.vocab.groups["behaviour"].get(b) for b in behaviours]
        label_zh = "、".join(lb.zh if lb else b for lb, b in zip(labels, behaviours, strict=True))
        label_en = " and ".join(_lower_first(lb.en) if lb else b for lb, b in zip(labels, behaviours, strict=True))
        suffix = self.book.naming.role_suffix[d.role]
        return Text(zh=f"{first}{label_zh}算法{suffix.zh}", en=f"{first} {label_en} algorithm{suffix.en}")

    def _algorithm_order(self, algorithm_id: str) -> tuple[int, ...]:
        """Output order of an algorithm id: by type, then its behaviours and role."""
        order = self._order_cache.get(algorithm_id)
        if order is None:
            type_, behaviour, role = algorithm_id.split(".")
            behaviours = (*self.vocab.ids("behaviour"), "unsure")
            roles = self.vocab.ids("role")
            order = self._order_cache[algorithm_id] = (
                self.vocab.ids("algorithm_type").index(type_),
                *(behaviours.index(b) for b in behaviour.split("+")), -1, roles.index(role))
        return order

    def _group(self) -> tuple[list[_AlgorithmDraft], dict[_Unit, str]]:
        """One draft per feature, type and role (features with the same behaviours share one).

        Returns the merged drafts and, for every unit, the id of the algorithm it joins.
        """
        behaviour_order = {b: i for i, b in enumerate((*self.vocab.ids("behaviour"), "unsure"))}
        per_feature: dict[tuple[str, str, str, str], list[_Unit]] = {}
        for unit in self.algorithms:
            per_feature.setdefault((unit[0], unit[2], unit[4], unit[5]), []).append(unit)
        groups: dict[str, _AlgorithmDraft] = {}
        ids: dict[_Unit, str] = {}
        for (type_, role, _, _), units in per_feature.items():
            behaviours = sorted({u[3] for u in units}, key=behaviour_order.__getitem__)
            subtypes = {self.algorithms[u].subtype for u in units}
            group_id = algorithm_id(type_, "+".join(behaviours), role)
            merged = groups.get(group_id)
            if merged is None:
                merged = groups[group_id] = _AlgorithmDraft(
                    type=type_, subtype=subtypes.pop() if len(subtypes) == 1 else None, role=role,
                    behaviour="+".join(behaviours))
            elif merged.subtype not in subtypes or len(subtypes) > 1:
                merged.subtype = None
            for unit in units:
                draft = self.algorithms[unit]
                merged.statuses += draft.statuses
                for index in draft.products:
                    _add_unique(merged.products, index)
                for feature in draft.features:
                    _add_unique(merged.features, feature)
                merged.genai_routes += draft.genai_routes
                merged.rules |= draft.rules
                ids[unit] = group_id
        return list(groups.values()), ids

    def build(self) -> Assessment:
        book = self.book
        vocab = self.vocab
        if self.statuses:
            status = _strongest(self.statuses)
            reasons = [
                Reason(rule=rule_id, status=st,  # type: ignore[arg-type]
                       title=book.rules[rule_id].title, explanation=book.rules[rule_id].explanation,
                       basis_kind=book.rules[rule_id].basis_kind,
                       basis=legal_refs(book, book.rules[rule_id].basis), products=tuple(products))
                for (rule_id, st), products in sorted(
                    self.reasons.items(), key=lambda kv: (_STATUS_ORDER.index(kv[0][1]), kv[0][0]))
            ]
        else:
            status = "needs_review"
            reasons = []
        product_order: dict[str, int] = {}
        feature_order: dict[tuple[str, str], int] = {}
        product_refs: dict[int, ProductRef] = {}
        for root in self.roots.values():
            name = str(root.attrs["product"])
            product_order.setdefault(name, len(product_order))
            index = product_index(root.fid)
            if index not in product_refs:
                product_refs[index] = ProductRef(index=index, name=name)
            if "feature" in root.attrs:
                feature_order.setdefault((name, str(root.attrs["feature"])), len(feature_order))
        algorithm_order = self._algorithm_order
        grouped, group_of = self._group()

        group_of_text = {_UNIT_MARK.join(unit): group_id for unit, group_id in group_of.items()}

        def target_order(target: int | str | None) -> tuple[int, ...]:
            """Where an ``applies_to`` target sorts: the entity, products in answer order, algorithms.

            Never by name, so that two answers differing only in names give the same order.
            """
            if target is None:
                return (0, 0)
            if isinstance(target, int):
                return (1, target)
            return (2, *algorithm_order(target))

        algorithm_refs: dict[str, AlgorithmRef] = {}
        entity = EntityTarget()

        def target(key: int | str | None) -> Target:
            """One object per target, shared by every list that names it."""
            if key is None:
                return entity
            if isinstance(key, int):
                return product_refs[key]
            ref = algorithm_refs.get(key)
            if ref is None:
                ref = algorithm_refs[key] = AlgorithmRef(id=key)
            return ref

        def targets_out(keys: list[_TargetKey]) -> tuple[Target, ...]:
            """The targets of a duty or material, each unit as the algorithm it joined, once each."""
            out: list[int | str | None] = []
            for key in keys:
                _add_unique(out, group_of[key] if isinstance(key, tuple) else key)
            return tuple(target(k) for k in sorted(out, key=target_order))

        algorithms: list[Algorithm] = []
        role_types = vocab.groups["filing_role_type"]
        drafts = sorted(
            (d for d in grouped if _strongest(d.statuses) != "not_required"),
            key=lambda d: algorithm_order(d.id))
        for d in drafts:
            basis: list[Basis] = []
            for rule_id in sorted(d.rules):
                for b in book.rules[rule_id].basis:
                    if b not in basis:
                        basis.append(b)
            algorithms.append(Algorithm(
                id=d.id,
                name=self._algorithm_name(d, product_refs),
                type=d.type,  # type: ignore[arg-type]
                type_label=vocab.groups["algorithm_type"][d.type],
                subtype=d.subtype,  # type: ignore[arg-type]
                subtype_label=vocab.groups["algorithm_subtype"][d.subtype] if d.subtype else None,
                role=d.role if d.type in role_types else None,  # type: ignore[arg-type]
                role_label=(vocab.groups["role"][d.role] if d.type in role_types
                            else vocab.groups["no_filing_role"]["none"]),
                status=_strongest(d.statuses),  # type: ignore[arg-type]
                status_label=vocab.groups["applicability"][_strongest(d.statuses)],
                behaviours=tuple(d.behaviour.split("+")),
                products=tuple(product_refs[i] for i in sorted(d.products)),
                features=tuple(d.features),
                genai_route=(route := _route(d.genai_routes, book.genai_routes.precedence)),
                genai_route_label=vocab.groups["genai_route"][route] if route else None,
                basis=legal_refs(book, basis),
                rules=tuple(sorted(d.rules)),
            ))
        obligation_order = list(book.obligations)
        obligations = []
        for oid, (targets, rules) in sorted(self.obligations.items(),
                                            key=lambda kv: obligation_order.index(kv[0])):
            spec = book.obligations[oid]
            deadline = Deadline(**spec.deadline.model_dump()) if spec.deadline else None
            obligations.append(ObligationOut(
                id=oid, title=spec.title, basis_kind=spec.basis_kind, basis=legal_refs(book, spec.basis),
                deadline=deadline, applies_to=targets_out(targets), rules=tuple(sorted(rules)),
                files_algorithm=spec.files_algorithm))
        material_order = list(book.materials)
        materials = [
            MaterialOut(
                id=mid, name=book.materials[mid].name, group=book.materials[mid].group,
                scope=book.materials[mid].scope, contents=book.materials[mid].contents,
                condition=book.materials[mid].condition, basis_kind=book.materials[mid].basis_kind,
                pitfalls=tuple(PitfallOut(id=p, text=book.pitfalls[p].text) for p in book.materials[mid].pitfalls),
                applies_to=targets_out(targets), rules=tuple(sorted(rules)))
            for mid, (targets, rules) in sorted(self.materials.items(),
                                                key=lambda kv: material_order.index(kv[0]))
        ]
        steps = [
            StepOut(id=s.id, order=s.order, title=s.title, what=s.what, statute=s.statute,
                    duration=DurationOut(**s.duration.model_dump()))
            for s in sorted((book.steps[i] for i in self.steps), key=lambda s: (s.order, s.id))
        ]
        form_order = (*vocab.ids("product_form"), *book.display)
        forms = vocab.groups["product_form"]
        display = [
            DisplayOut(product=product, form=form, form_label=forms.get(form), location=book.display[form].location,
                       basis=legal_refs(book, book.display[form].basis))
            for product, form in sorted(self.display, key=lambda pf: (product_order.get(pf[0], 0),
                                                                      form_order.index(pf[1])))
        ]
        questions = sorted(self.questions.values(),
                           key=lambda q: (product_order.get(q.product or "", -1),
                                         feature_order.get((q.product or "", q.feature or ""), -1), q.id))
        trace = sorted((t.model_copy(update={"conclusions": tuple(
            f"algorithms.{group_of_text[c[11:]]}" if c.startswith("algorithms.") and c[11:] in group_of_text else c
            for c in t.conclusions)}) if any(_UNIT_MARK in c for c in t.conclusions) else t
            for t in self.tracer.trace), key=lambda t: (t.rule, t.fact, t.via))
        counts = _counts(algorithms, vocab.groups["applicability"])
        if counts:
            status = counts[0].status
        return Assessment(
            filing=FilingConclusion(status=status,  # type: ignore[arg-type]
                                    label=vocab.groups["applicability"][status],
                                    as_of=self.as_of, reasons=tuple(reasons), counts=counts),
            algorithms=tuple(algorithms), obligations=tuple(obligations), materials=tuple(materials),
            steps=tuple(steps), display=tuple(display), open_questions=tuple(questions),
            laws=laws_cited(book, reasons, algorithms, obligations, display),
            rules_version=book.rules_version, trace=tuple(trace))


def _counts(algorithms: list[Algorithm], labels: dict[str, Text]) -> tuple[StatusCount, ...]:
    """Algorithms per status, strongest first, so the headline and the algorithms agree."""
    found = {a.status for a in algorithms}
    return tuple(StatusCount(status=s, label=labels[s], count=sum(1 for a in algorithms if a.status == s))
                 for s in _STATUS_ORDER if s in found)


def _lower_first(label: str) -> str:
    """"Text recognition (OCR)" -> "text recognition (OCR)": only a capitalised first word is lowered."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _route(routes: list[str], precedence: list[str]) -> str | None:
    """The first route of ``precedence`` (``rules/catalogue/genai_routes.yaml``) that any product
    of the algorithm needs."""
    for route in precedence:
        if route in routes:
            return route
    return None


def assemble(book: Rulebook, roots: list[RootFact], firings: list[Firing], as_of: dt.date,
             answers: Answers | None = None) -> Assessment:
    """Build the assessment from the firings of one evaluation.

    With the ``answers`` the facts came from, the duties and steps also get due dates from the
    products' launch, change and termination dates (:func:`engine.deadlines.schedule`).
    """
    assembler = _Assembler(book, roots, as_of)
    for firing in firings:
        assembler.add(firing)
    result = assembler.build()
    if answers is None:
        return result
    in_force = {law.id: law.in_force for law in book.laws.values() if law.statutory and law.in_force}
    return schedule(result, answers, in_force, book.step_starts, book.genai_routes.procedure_routes)
