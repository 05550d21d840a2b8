"""Firings -> assessment: group, merge, order, and explain.

Every item of the assessment comes from a rule that fired, and the trace names that rule and
the answers it looked at. Assembly groups (one algorithm per feature, type, sub-type and role, as a
filer files it: a feature that both moderates and filters spam is one content-filtering algorithm
listing both behaviours, one that searches and filters is an information-retrieval and a
content-filtering algorithm; features with the same behaviours of a type share one algorithm),
merges duplicates, resolves the filing status by the precedence of
``rules/catalogue/status.yaml`` (the strongest status any rule concluded; its own status when no
rule concluded one) and sorts everything by stable keys.

Everything is told apart by position in the answers (a fact's ``product_pos`` and
``feature_pos``), never by name: two features both named 推荐 are two features.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from engine.model.assessment import (
    Algorithm,
    AlgorithmRef,
    Assessment,
    Deadline,
    DisplayOut,
    DurationOut,
    EntityTarget,
    FeatureRef,
    FilingConclusion,
    LegalRef,
    MaterialOut,
    ObligationOut,
    OpenQuestion,
    Outline,
    PitfallOut,
    ProductRef,
    Reason,
    StatusCount,
    StepOut,
    Target,
)
from engine.model.base import Text, trusted
from engine.model.vocabulary import load_vocabulary
from engine.pipeline.citations import laws_cited, legal_refs
from engine.pipeline.deadlines import EventDates, schedule
from engine.pipeline.trace import Tracer, trace_attributes
from engine.pipeline.yields import without_dropped, yield_to_statute
from engine.rules.basis import Basis
from engine.rules.catalogue import Duration
from engine.rules.facts import RootFact
from engine.rules.rulebook import OpenQuestionSpec, Rule, Rulebook
from engine.rules.runtime import Firing

SEPARATE_MARK = "@p"
"""Ends the id of an algorithm of a product whose algorithms are filed separately
(``products[].separate_algorithms``): ``type.behaviours.role@p<position>``."""


def algorithm_id(type_: str, behaviour: str, role: str) -> str:
    """The stable id of an algorithm in the assessment: ``type.behaviours.role``.

    ``behaviour`` is one behaviour id or several joined by ``+`` in vocabulary order (e.g.
    ``retrieval_filtering.content_moderation+spam_filtering.service_provider``): the behaviours of
    that type one feature shows. Names never enter an id, so renaming changes no id.
    """
    return f"{type_}.{behaviour}.{role}"


class _Unit(NamedTuple):
    """What one filing fact is about: a behaviour of one feature, classified, with its role."""

    type: str
    subtype: str
    role: str
    behaviour: str
    product: int
    feature: int


def _unit_of(spec: tuple[str, str, str, str], root: RootFact) -> _Unit:
    """The unit a plan's (type, sub-type, role, behaviour) names on one root fact."""
    assert root.feature_pos is not None, "algorithm facts derive from behaviour facts"
    return _Unit(*spec, root.product_pos, root.feature_pos)


_TargetKey = int | _Unit | None
"""A target while assembling: None the entity, an int a product's position, else an algorithm's unit."""


@dataclass
class _AlgorithmDraft:
    type: str
    subtype: str | None
    role: str
    behaviours: tuple[str, ...]
    mark: str = ""
    """``@p<position>`` for a product whose algorithms are filed separately, else empty."""
    statuses: list[str] = field(default_factory=list)
    products: list[int] = field(default_factory=list)
    features: list[tuple[int, int]] = field(default_factory=list)
    genai_routes: list[str] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return algorithm_id(self.type, "+".join(self.behaviours), self.role) + self.mark

    def absorb(self, other: _AlgorithmDraft) -> None:
        """Merge another draft (a behaviour of the same feature, or a feature of the same behaviours)."""
        self.statuses += other.statuses
        for index in other.products:
            _add_unique(self.products, index)
        for feature in other.features:
            _add_unique(self.features, feature)
        self.genai_routes += other.genai_routes
        self.rules |= other.rules


def _add_unique(items: list[Any], value: Any) -> None:
    if value not in items:
        items.append(value)


_Store = dict[str, tuple[dict[_TargetKey, None], set[str]]]
"""Per obligation or material id: its targets (an ordered set) and the rules that concluded it."""

_Duty = tuple[str, str, str, str]
"""What a rule concludes of one duty or material: (store, id, target mode, trace text)."""


class _Plan(NamedTuple):
    """What one firing concludes, apart from positions (:meth:`_Catalogue.plan`)."""

    rule: str
    status: str | None
    """The filing status a ``filing`` rule concludes."""
    unit: tuple[str, str, str, str] | None
    """Type, sub-type, role and behaviour of the algorithm the fact is (or, filed, becomes)."""
    files_unit: bool
    """The firing files that algorithm (its draft gets the status, product, feature and rules)."""
    route_unit: bool
    """The fact is a filing fact: its generative-AI route and duties apply to that algorithm."""
    draft_rules: tuple[str, ...]
    route: str | None
    duties: tuple[_Duty, ...]
    steps: tuple[str, ...]
    display: tuple[str, ...]
    question: OpenQuestionSpec | None
    head: tuple[str, ...]
    """The trace's conclusions before the algorithm's (classification)."""
    middle: tuple[str, ...]
    """After it, before the display places: status, route, duties and materials, steps."""
    tail: tuple[str, ...]
    """After the display places: the open question."""
    concluded: tuple[str, ...]
    """All of them, for a firing that names no algorithm and no display place."""
    chain: tuple[str, ...]
    """The rules that derived the fact (the trace's ``via``)."""
    attrs: tuple[str, ...]
    """Every attribute they and the rule test (the trace's answers)."""


class _Catalogue:
    """One rulebook's catalogue indexed by id, with what each rule concludes resolved once."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.duties: dict[str, tuple[_Duty, ...]] = {rid: self._duties(rule) for rid, rule in book.rules.items()}
        self.obligation_order = {oid: i for i, oid in enumerate(book.obligations)}
        self._orders(book)
        self.material_order = {mid: i for i, mid in enumerate(book.materials)}
        self._dated: dict[int, tuple[dict[str, Deadline | None], dict[str, StepOut]]] = {}
        self._changes = sorted({since for o in book.obligations.values() if o.deadline and o.deadline.working_days
                                for since in o.deadline.working_days.values}
                               | {since for s in book.steps.values() if s.duration.statutory_working_days
                                  for since in s.duration.statutory_working_days.values})
        """Every date from which a dated count holds: between two of them, all counts stay the same."""
        self.pitfalls = {mid: tuple(PitfallOut(id=p, text=book.pitfalls[p].text) for p in m.pitfalls)
                         for mid, m in book.materials.items()}
        self.duty_texts = {rid: tuple(text for _, _, _, text in duties) for rid, duties in self.duties.items()}
        """Per rule, the trace's conclusions of its duties and materials."""
        self._plans: dict[tuple[str | None, ...], _Plan] = {}
        self._citations(book)

    def _orders(self, book: Rulebook) -> None:
        """Output orders of the vocabulary: forms (then display places), behaviours, types and roles
        in file order."""
        vocab = load_vocabulary()
        self.forms = vocab.ids("product_form")
        self.form_order: dict[str, int] = {}
        for i, form in enumerate((*self.forms, *book.display)):
            self.form_order.setdefault(form, i)  # a place named as a form sorts as the form
        self.behaviour_order = {b: i for i, b in enumerate((*vocab.ids("behaviour"), "unsure"))}
        self.type_order = {t: i for i, t in enumerate(vocab.ids("algorithm_type"))}
        self.role_order = {r: i for i, r in enumerate(vocab.ids("role"))}

    def dated(self, as_of: dt.date) -> tuple[dict[str, Deadline | None], dict[str, StepOut]]:
        """The duties' deadlines and the steps, by id, with the working days in force on ``as_of``
        (the catalogue's dated values), built once per span of dates in which no count changes."""
        span = bisect.bisect_right(self._changes, as_of)
        found = self._dated.get(span)
        if found is None:
            book = self.book
            deadlines = {oid: Deadline(text=o.deadline.text, working_days=o.deadline.working_days_at(as_of),
                                       start=o.deadline.start) if o.deadline else None
                         for oid, o in book.obligations.items()}
            steps = {s.id: StepOut(id=s.id, order=s.order, title=s.title, what=s.what, statute=s.statute,
                                   duration=_duration(s.duration, as_of)) for s in book.steps.values()}
            found = self._dated[span] = (deadlines, steps)
        return found

    def plan(self, rule_id: str, kind: str, via: str, type_: str | None, subtype: str | None, role: str | None,
             behaviour: str | None) -> _Plan:
        """What a firing of ``rule_id`` on a fact of this kind, derivation and classification concludes,
        worked out once per rulebook (:meth:`_Assembler.add` adds the positions)."""
        key = (rule_id, kind, via, type_, subtype, role, behaviour)
        found = self._plans.get(key)
        if found is None:
            found = self._plans[key] = self._plan(rule_id, kind, via, type_, subtype, role, behaviour)
        return found

    def _plan(self, rule_id: str, kind: str, via: str, type_: str | None, subtype: str | None, role: str | None,
              behaviour: str | None) -> _Plan:
        rule = self.book.rules[rule_id]
        then = rule.then
        filing = then.filing
        chain, attrs = trace_attributes(self.book, rule_id, via)
        # A filing fact is one algorithm with its role; an algorithm fact that a rule files names the
        # filing fact it derives, with that rule's role. Only the former carries duties and routes.
        on_filing = kind == "filing"
        files_unit = filing is not None and (on_filing or kind == "algorithm")
        unit_role = role if on_filing else filing["role"] if files_unit and filing is not None else None
        unit = (str(type_), str(subtype), str(unit_role), str(behaviour)) if on_filing or files_unit else None
        head, middle, tail = self._conclusions(rule, behaviour)
        return _Plan(rule=rule_id, status=filing["status"] if filing else None, unit=unit, files_unit=files_unit,
                     route_unit=on_filing, draft_rules=(rule_id, *chain), route=then.genai_route,
                     duties=self.duties[rule_id], steps=tuple(then.steps or ()), display=tuple(then.display or ()),
                     question=then.open_question, head=head, middle=middle, tail=tail,
                     concluded=(*head, *middle, *tail), chain=chain, attrs=attrs)

    def _citations(self, book: Rulebook) -> None:
        """Every basis the assessment cites, rendered once per rulebook (reasons, algorithms, duties,
        display places)."""
        self.rule_basis = {rule_id: legal_refs(book, rule.basis) for rule_id, rule in book.rules.items()}
        self.obligation_basis = {oid: legal_refs(book, o.basis) for oid, o in book.obligations.items()}
        self.display_basis = {form: legal_refs(book, d.basis) for form, d in book.display.items()}
        self.algorithm_basis: dict[tuple[str, ...], tuple[LegalRef, ...]] = {}
        """Per sorted set of rules, the basis of an algorithm they conclude (filled as met)."""

    def _conclusions(self, rule: Rule, behaviour: str | None,
                     ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The trace's conclusions of a firing around the algorithm and display places it names:
        classification; status, route, duties and materials, steps; the open question."""
        then = rule.then
        head = (f"classify.{behaviour}",) if then.classify else ()
        middle = ((f"filing.status.{then.filing['status']}",) if then.filing else ()) \
            + ((f"genai_route.{then.genai_route}",) if then.genai_route else ()) \
            + self.duty_texts[rule.id] + tuple(f"steps.{step}" for step in then.steps or ())
        tail = (f"open_questions.{then.open_question.id}",) if then.open_question else ()
        return head, middle, tail

    def _duties(self, rule: Rule) -> tuple[_Duty, ...]:
        """Each obligation and material a rule concludes, with what it applies to: the entity, the
        product, or the algorithm (the product when the fact is no filing fact)."""
        out: list[_Duty] = []
        for store, catalogue in (("obligations", self.book.obligations), ("materials", self.book.materials)):
            for item in getattr(rule.then, store) or []:
                scope = catalogue[item].scope
                mode = "entity" if store == "materials" and scope == "entity" else scope
                out.append((store, item, mode, f"{store}.{item}"))
        return tuple(out)


def _duration(duration: Duration, as_of: dt.date) -> DurationOut:
    """What a report shows of a step's duration: the statutory working days in force on ``as_of``."""
    statutory = duration.statutory_working_days
    return DurationOut(statutory_working_days=statutory.at(as_of) if statutory is not None else None,
                       practice_min_days=duration.practice_min_days, practice_max_days=duration.practice_max_days,
                       practice_text=duration.practice_text)


_CATALOGUES: dict[int, _Catalogue] = {}


def _catalogue(book: Rulebook) -> _Catalogue:
    """The index of ``book``, built once per rulebook object."""
    found = _CATALOGUES.get(id(book))
    if found is None or found.book is not book:
        found = _CATALOGUES[id(book)] = _Catalogue(book)
    return found


class _Assembler:
    """Collects what the firings conclude (:meth:`add`), then builds the assessment (:meth:`build`)."""

    def __init__(self, book: Rulebook, roots: list[RootFact], as_of: dt.date, *, full: bool = True) -> None:
        """``full=False`` collects only what :meth:`outline` needs (no duties, display or trace)."""
        self.book = book
        self.full = full
        self.index = _catalogue(book)
        self.vocab = load_vocabulary()
        self.roots = {r.fid: r for r in roots}
        self.as_of = as_of
        self.algorithms: dict[_Unit, _AlgorithmDraft] = {}
        """One draft per behaviour of one feature; :meth:`_group` merges them per feature and type."""
        self.statuses: list[str] = []
        self.reasons: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.obligations: _Store = {}
        self.materials: _Store = {}
        self.steps: set[str] = set()
        self.display: dict[tuple[int, str], None] = {}
        self.questions: dict[tuple[str, int, int | None], OpenQuestion] = {}
        self.tracer = Tracer(book, self.roots)
        self._order_cache: dict[str, tuple[int, ...]] = {}
        """Output order of each algorithm id :meth:`_group` made, from its type, behaviours and role."""
        self.separate = {r.product_pos: str(r.attrs.get("separate", "no")) for r in roots if r.kind == "product"}
        """Products whose algorithms are filed on their own (``separate_algorithms``): never merged."""

    # -- per firing
    def add(self, firing: Firing) -> None:
        """Record what one firing concludes, and trace it.

        Firings are many (dozens per lead) and alike across leads, so what a firing concludes is
        planned once per rule and kind of fact (:meth:`_Catalogue.plan`); only the positions, the
        forms of the product and the open question's answer come from the root fact here."""
        rule_id, fact = firing
        plan = self.index.plan(rule_id, fact["kind"], fact.get("via") or "", fact.get("type"), fact.get("subtype"),
                               fact.get("role"), fact.get("behaviour"))
        root = self.roots[fact["fid"]]
        unit = None if plan.unit is None else _unit_of(plan.unit, root)
        if plan.status is not None:
            self._file(plan, unit, root.product_pos)
        self._route_steps_question(plan, unit, root)
        if self.full:
            if plan.duties:
                self._duties(plan, unit if plan.route_unit else None, root.product_pos)
            self._trace(plan, unit, rule_id, fact, root.product_pos)

    def _route_steps_question(self, plan: _Plan, unit: _Unit | None, root: RootFact) -> None:
        """The rest of what an outline shows: the algorithm's generative-AI route, steps, open questions."""
        if plan.route is not None and plan.route_unit and unit is not None and unit in self.algorithms:
            _add_unique(self.algorithms[unit].genai_routes, plan.route)
        if plan.steps:
            self.steps.update(plan.steps)
        if plan.question is not None:
            self._question(plan.question, plan.rule, root)

    def _file(self, plan: _Plan, unit: _Unit | None, product: int) -> None:
        """A filing status: the lead's, and the algorithm's it files (one draft per behaviour of a feature)."""
        assert plan.status is not None
        self.statuses.append(plan.status)
        _add_unique(self.reasons[(plan.rule, plan.status)], product)
        if not plan.files_unit or unit is None:
            return
        draft = self.algorithms.get(unit)
        if draft is None:
            draft = self.algorithms[unit] = _AlgorithmDraft(
                type=unit.type, subtype=None if unit.subtype == "none" else unit.subtype, role=unit.role,
                behaviours=(unit.behaviour,))
        draft.statuses.append(plan.status)
        _add_unique(draft.products, unit.product)
        _add_unique(draft.features, (unit.product, unit.feature))
        draft.rules.update(plan.draft_rules)

    def _duties(self, plan: _Plan, unit: _Unit | None, product: int) -> None:
        """Obligations and materials: each applies to the entity, the product or the algorithm
        (the product when the fact is no filing fact)."""
        for store, item, mode, _ in plan.duties:
            table = self.obligations if store == "obligations" else self.materials
            entry = table.get(item)
            if entry is None:
                entry = table[item] = ({}, set())
            entry[0][None if mode == "entity" else product if mode == "product" or unit is None else unit] = None
            entry[1].add(plan.rule)

    def _trace(self, plan: _Plan, unit: _Unit | None, rule_id: str, fact: dict[str, Any], product: int) -> None:
        """Trace the firing, with the places it concludes the product shows its filing number
        (a named place, or each form the product has)."""
        if plan.display:
            shown: list[str | _Unit] = [*plan.head, *((unit,) if plan.files_unit and unit is not None else ()),
                                        *plan.middle]
            for place in plan.display:
                forms = ([f for f in self.index.forms if fact.get(f"form_{f}") == "yes"]
                         if place == "product_forms" else [place])
                for form in forms:
                    self.display[(product, form)] = None
                    shown.append(f"display.{form}")
            shown += plan.tail
            if shown:
                self.tracer.add(shown, rule_id, fact["fid"], plan.chain, plan.attrs, names_algorithm=True)
        elif plan.files_unit and unit is not None:
            self.tracer.add((*plan.head, unit, *plan.middle, *plan.tail), rule_id, fact["fid"], plan.chain,
                            plan.attrs, names_algorithm=True)
        elif plan.concluded:
            self.tracer.add(plan.concluded, rule_id, fact["fid"], plan.chain, plan.attrs)

    def _question(self, spec: OpenQuestionSpec, rule_id: str, root: RootFact) -> None:
        key = (spec.id, root.product_pos, root.feature_pos)
        if key not in self.questions:
            source = root.sources.get(spec.field)
            feature = root.attrs.get("feature")
            self.questions[key] = trusted(
                OpenQuestion, id=spec.id, field=source.path if source else spec.field,
                product=str(root.attrs["product"]), feature=None if feature is None else str(feature),
                question=spec.text, rule=rule_id)

    # -- output
    def _algorithm_name(self, d: _AlgorithmDraft, products: dict[int, ProductRef]) -> Text:
        """A suggested filing name after the published habit "<产品><场景>算法": the first product
        that needs it, the scene word of what it does, and the suffix of its role
        (``rules/catalogue/naming.yaml``)."""
        first = products[d.products[0]].name
        scene = self.book.naming.scene(d.type, d.subtype, d.behaviours)
        suffix = self.book.naming.role_suffix[d.role]
        return trusted(Text, zh=f"{first}{scene.zh}算法{suffix.zh}", en=f"{first} {scene.en} algorithm{suffix.en}")

    def _algorithm_order(self, algorithm_id: str) -> tuple[int, ...]:
        """Output order of an algorithm (of :meth:`_group`): by type, then its behaviours and role."""
        return self._order_cache[algorithm_id]

    def _group(self) -> tuple[list[_AlgorithmDraft], dict[_Unit, str]]:
        """One draft per feature, type, sub-type and role (features with the same behaviours share one).

        The sub-type counts as a type: since 2024-04 信息检索类 and 内容过滤类 are filed under their
        own type codes (04, 05), so a feature that both searches and filters gives one algorithm
        of each, and every retrieval/filtering algorithm names its sub-type (classification.md §1).

        Returns the merged drafts and, for every unit, the id of the algorithm it joins.
        """
        behaviour_order = self.index.behaviour_order
        per_feature: dict[tuple[str, str | None, str, int, int], list[_Unit]] = {}
        for unit in self.algorithms:
            key = (unit.type, self.algorithms[unit].subtype, unit.role, unit.product, unit.feature)
            per_feature.setdefault(key, []).append(unit)
        groups: dict[str, _AlgorithmDraft] = {}
        ids: dict[_Unit, str] = {}
        for (type_, subtype, role, _, _), units in per_feature.items():
            behaviours = tuple(sorted({u.behaviour for u in units}, key=behaviour_order.__getitem__))
            product = units[0].product
            mark = f"{SEPARATE_MARK}{product}" if self.separate.get(product) == "yes" else ""
            group_id = algorithm_id(type_, "+".join(behaviours), role) + mark
            merged = groups.get(group_id)
            if merged is None:  # the same behaviours have the same sub-type: a merge keeps it
                merged = groups[group_id] = _AlgorithmDraft(
                    type=type_, subtype=subtype, role=role, behaviours=behaviours, mark=mark)
                self._order_cache[group_id] = (
                    self.index.type_order[type_], *(behaviour_order[b] for b in behaviours),
                    -1, self.index.role_order[role])
            for unit in units:
                merged.absorb(self.algorithms[unit])
                ids[unit] = group_id
        return list(groups.values()), ids

    def _reasons(self, products: dict[int, ProductRef]) -> tuple[str, list[Reason]]:
        """The filing status by precedence, and the rules behind it (``rules/catalogue/status.yaml``)."""
        rules = self.book.rules
        precedence = self.book.status.precedence
        return self.book.status.strongest(self.statuses), [
            trusted(Reason, rule=rule_id, status=status,
                   title=rules[rule_id].title, explanation=rules[rule_id].explanation,
                   basis_kind=rules[rule_id].basis_kind, basis=self.index.rule_basis[rule_id],
                   products=tuple(products[i].name for i in positions))
            for (rule_id, status), positions in sorted(
                self.reasons.items(), key=lambda kv: (precedence.index(kv[0][1]), kv[0][0]))]

    def _answered(self) -> tuple[dict[int, ProductRef], dict[tuple[int, int], str], EventDates]:
        """Every product (by position), every feature's name, and the answered event dates."""
        products: dict[int, ProductRef] = {}
        features: dict[tuple[int, int], str] = {}
        dates = EventDates()
        for root in self.roots.values():
            if root.product_pos not in products:
                products[root.product_pos] = trusted(ProductRef, kind="product", index=root.product_pos,
                                                     name=str(root.attrs["product"]))
                dates.products[root.product_pos] = {k: v for k, v in root.dates.items() if k != "feature_launch"}
            if root.feature_pos is not None:
                features[(root.product_pos, root.feature_pos)] = str(root.attrs["feature"])
                dates.features[(root.product_pos, root.feature_pos)] = root.dates.get("feature_launch")
        return products, features, dates

    def _algorithm(self, d: _AlgorithmDraft, products: dict[int, ProductRef],
                   features: dict[tuple[int, int], str]) -> Algorithm:
        vocab = self.vocab
        has_role = d.type in vocab.groups["filing_role_type"]
        status = self.book.status.strongest(d.statuses)
        route = _route(d.genai_routes, self.book.genai_routes.precedence)
        refs = tuple(trusted(FeatureRef, product=p, index=f, name=features[(p, f)]) for p, f in sorted(d.features))
        rules = tuple(sorted(d.rules))
        return trusted(
            Algorithm, id=d.id, name=self._algorithm_name(d, products),
            type=d.type, type_label=vocab.groups["algorithm_type"][d.type],
            subtype=d.subtype,
            subtype_label=vocab.groups["algorithm_subtype"][d.subtype] if d.subtype else None,
            role=d.role if has_role else None,
            role_label=vocab.groups["role"][d.role] if has_role else vocab.groups["no_filing_role"]["none"],
            status=status, status_label=vocab.groups["applicability"][status],
            behaviours=d.behaviours,
            products=tuple(products[i] for i in sorted(d.products)),
            features=tuple(dict.fromkeys(r.name for r in refs)), feature_refs=refs,
            genai_route=route, genai_route_label=vocab.groups["genai_route"][route] if route else None,
            basis=self._algorithm_basis(rules), rules=rules, filing_due=None, filed=None)

    def _algorithm_basis(self, rules: tuple[str, ...]) -> tuple[LegalRef, ...]:
        """The basis of the rules that concluded an algorithm, each reference once, in rule order
        (computed once per set of rules and rulebook)."""
        found = self.index.algorithm_basis.get(rules)
        if found is None:
            basis: dict[Basis, None] = {}
            for rule_id in rules:
                basis.update(dict.fromkeys(self.book.rules[rule_id].basis))
            found = self.index.algorithm_basis[rules] = legal_refs(self.book, list(basis))
        return found

    def _obligations(self, targets_out: Callable[[Iterable[_TargetKey]], tuple[Target, ...]]) -> list[ObligationOut]:
        book = self.book
        deadlines = self.index.dated(self.as_of)[0]
        out = []
        for oid in sorted(self.obligations, key=self.index.obligation_order.__getitem__):
            targets, rules = self.obligations[oid]
            spec = book.obligations[oid]
            out.append(trusted(
                ObligationOut, id=oid, title=spec.title, basis_kind=spec.basis_kind,
                basis=self.index.obligation_basis[oid], deadline=deadlines[oid],
                applies_to=targets_out(targets), rules=tuple(sorted(rules)), files_algorithm=spec.files_algorithm,
                binds=spec.binds, due=()))
        return out

    def _materials(self, targets_out: Callable[[Iterable[_TargetKey]], tuple[Target, ...]]) -> list[MaterialOut]:
        book = self.book
        out = []
        for mid in sorted(self.materials, key=self.index.material_order.__getitem__):
            targets, rules = self.materials[mid]
            spec = book.materials[mid]
            out.append(trusted(
                MaterialOut, id=mid, name=spec.name, group=spec.group, scope=spec.scope, contents=spec.contents,
                condition=spec.condition, basis_kind=spec.basis_kind, pitfalls=self.index.pitfalls[mid],
                applies_to=targets_out(targets), rules=tuple(sorted(rules))))
        return out

    def _steps(self) -> list[StepOut]:
        steps = self.index.dated(self.as_of)[1]
        return sorted((steps[i] for i in self.steps), key=lambda s: (s.order, s.id))

    def _display_out(self, products: dict[int, ProductRef]) -> list[DisplayOut]:
        book = self.book
        form_order = self.index.form_order
        forms = self.vocab.groups["product_form"]
        return [
            trusted(DisplayOut, product=products[pos].name, form=form, form_label=forms.get(form),
                       location=book.display[form].location, basis=self.index.display_basis[form])
            for pos, form in sorted(self.display, key=lambda pf: (pf[0], form_order[pf[1]]))]

    def _questions(self) -> list[OpenQuestion]:
        return [self.questions[key] for key in sorted(
            self.questions, key=lambda k: (k[1], -1 if k[2] is None else k[2], k[0]))]

    def _shown(self, draft: _AlgorithmDraft) -> bool:
        """An algorithm is listed unless filing is not required for it (the weakest status)."""
        return self.book.status.strongest(draft.statuses) != self.book.status.precedence[-1]

    def outline(self) -> Outline:
        """What a triage row shows: status, algorithms (type, role, route), steps, open questions."""
        status = self.book.status.strongest(self.statuses)
        has_role = self.vocab.groups["filing_role_type"]
        drafts = sorted((d for d in self._group()[0] if self._shown(d)),
                        key=lambda d: self._algorithm_order(d.id))
        return Outline(
            status=status,
            algorithms=tuple((d.type, d.role if d.type in has_role else None,
                              _route(d.genai_routes, self.book.genai_routes.precedence)) for d in drafts),
            steps=tuple(s.duration for s in self._steps()), open_questions=len(self.questions),
            rules_version=self.book.rules_version)

    def build(self) -> Assessment:
        """The assessment of every firing added, dated from the answered dates the facts carry."""
        return self._build(compact=False)[0]

    def build_compact(self) -> tuple[Assessment, dict[str, Any]]:
        """As :meth:`build`, but the assessment's ``trace`` is left empty and the trace comes apart, as
        the one-line JSON writes it (:meth:`Tracer.compact`): for ``assess_json``, which needs no entries."""
        result, trace = self._build(compact=True)
        assert trace is not None
        return result, trace

    def _build(self, *, compact: bool) -> tuple[Assessment, dict[str, Any] | None]:
        book = self.book
        products, features, dates = self._answered()
        status, reasons = self._reasons(products)
        grouped, group_of = self._group()
        targets = _Targets(products, group_of, self._algorithm_order)
        algorithms = [self._algorithm(d, products, features)
                      for d in sorted((d for d in grouped if self._shown(d)),
                                      key=lambda d: self._algorithm_order(d.id))]
        algorithms = _distinct_names(algorithms)
        obligations, dropped = yield_to_statute(self._obligations(targets.out), book.obligations)
        display = self._display_out(products)

        def name(unit: _Unit) -> str:
            return f"algorithms.{group_of[unit]}"

        counts = status_counts(algorithms, self.vocab.groups["applicability"], self.book.status.precedence)
        if counts:
            status = counts[0].status
        result = Assessment(
            filing=FilingConclusion(status=status,
                                    label=self.vocab.groups["applicability"][status],
                                    as_of=self.as_of, reasons=tuple(reasons), counts=counts),
            algorithms=tuple(algorithms), obligations=tuple(obligations),
            materials=tuple(self._materials(targets.out)), steps=tuple(self._steps()), display=tuple(display),
            open_questions=tuple(self._questions()),
            laws=laws_cited(book, reasons, algorithms, obligations, display),
            rules_version=book.rules_version,
            trace=() if compact else without_dropped(self.tracer.entries(name), dropped))
        return schedule(result, dates, book), self.tracer.compact(name, dropped) if compact else None


class _Targets:
    """The typed targets of the assessment, one object per target, in their output order."""

    def __init__(self, products: dict[int, ProductRef], group_of: dict[_Unit, str],
                 algorithm_order: Callable[[str], tuple[int, ...]]) -> None:
        self.products = products
        self.group_of = group_of
        self.algorithm_order = algorithm_order
        self.entity = EntityTarget()
        self.algorithms: dict[str, AlgorithmRef] = {}
        self.done: dict[tuple[_TargetKey, ...], tuple[Target, ...]] = {}

    def _order(self, target: int | str | None) -> tuple[int, ...]:
        """Where a target sorts: the entity, products in answer order, algorithms. Never by name."""
        if target is None:
            return (0, 0)
        if isinstance(target, int):
            return (1, target)
        return (2, *self.algorithm_order(target))

    def _target(self, key: int | str | None) -> Target:
        if key is None:
            return self.entity
        if isinstance(key, int):
            return self.products[key]
        ref = self.algorithms.get(key)
        if ref is None:
            ref = self.algorithms[key] = AlgorithmRef(id=key)
        return ref

    def out(self, keys: Iterable[_TargetKey]) -> tuple[Target, ...]:
        """The targets of a duty or material, each unit as the algorithm it joined, once each.

        Many duties share their targets (every algorithm of a lead), so each set is sorted once."""
        asked = tuple(keys)
        done = self.done.get(asked)
        if done is None:
            found = {self.group_of[key] if isinstance(key, _Unit) else key: None for key in asked}
            done = self.done[asked] = tuple(self._target(k) for k in sorted(found, key=self._order))
        return done


def status_counts(algorithms: Sequence[Algorithm], labels: dict[str, Text],
                  precedence: Sequence[str]) -> tuple[StatusCount, ...]:
    """Algorithms per status, strongest first (``rules/catalogue/status.yaml``), so the headline and the
    algorithms agree."""
    found = {a.status for a in algorithms}
    return tuple(trusted(StatusCount, status=s, label=labels[s], count=sum(1 for a in algorithms if a.status == s))
                 for s in precedence if s in found)


def _distinct_names(algorithms: list[Algorithm]) -> list[Algorithm]:
    """Two algorithms of one report never share a suggested name: where the scene word alone
    would repeat one ("某某新闻内容安全算法" for the comments and for the live chat), each of them
    carries its features' names after the product ("某某新闻评论区内容安全算法")."""
    seen: dict[str, int] = {}
    for al in algorithms:
        seen[al.name.zh] = seen.get(al.name.zh, 0) + 1
    out = []
    for al in algorithms:
        if seen[al.name.zh] > 1 and al.features:
            first = next(p.name for p in al.products if al.name.zh.startswith(p.name))
            zh, en = "、".join(al.features), " and ".join(al.features)
            al = al.model_copy(update={"name": Text(zh=first + zh + al.name.zh[len(first):],
                                                    en=f"{first} {en}{al.name.en[len(first):]}")})
        out.append(al)
    return out


def _route(routes: list[str], precedence: list[str]) -> str | None:
    """The first route of ``precedence`` (``rules/catalogue/genai_routes.yaml``) that any product
    of the algorithm needs."""
    for route in precedence:
        if route in routes:
            return route
    return None


OUTLINE_CONCLUSIONS = ("classify", "filing", "genai_route", "steps", "open_question")
"""What an outline is built from (:meth:`_Assembler.add` with ``full=False``): duties, materials and
display places are not among them."""

_OUTLINE_BOOKS: dict[int, tuple[Rulebook, Rulebook]] = {}


def outline_rulebook(book: Rulebook) -> Rulebook:
    """``book`` with only the rules an outline needs (those that conclude one of
    :data:`OUTLINE_CONCLUSIONS`): the outline of its firings is the outline of ``book``'s, and the
    rules engine evaluates about half the rules. Same version and digest; built once per rulebook."""
    found = _OUTLINE_BOOKS.get(id(book))
    if found is None or found[0] is not book:
        rules = {rid: rule for rid, rule in book.rules.items()
                 if any(getattr(rule.then, name) for name in OUTLINE_CONCLUSIONS)}
        found = _OUTLINE_BOOKS[id(book)] = (book, book.model_copy(update={"rules": rules}))
    return found[1]


def assemble(book: Rulebook, roots: list[RootFact], firings: list[Firing], as_of: dt.date) -> Assessment:
    """Build the assessment from the firings of one evaluation of ``roots``.

    The duties and steps get due dates from the dates the root facts carry (the products'
    launch, change and termination dates, a later feature's launch date).
    """
    assembler = _Assembler(book, roots, as_of)
    for firing in firings:
        assembler.add(firing)
    return assembler.build()


def assemble_compact(book: Rulebook, roots: list[RootFact], firings: list[Firing], as_of: dt.date,
                     ) -> tuple[Assessment, dict[str, Any]]:
    """:func:`assemble` for the one-line JSON: the assessment with an empty ``trace``, and its trace as
    that JSON writes it (``contract_json(..., trace=...)``), made without trace entries."""
    assembler = _Assembler(book, roots, as_of)
    for firing in firings:
        assembler.add(firing)
    return assembler.build_compact()


def outline(book: Rulebook, roots: list[RootFact], firings: list[Firing], as_of: dt.date) -> Outline:
    """What :func:`assemble` would give, reduced to what a triage row shows, without the rest:
    no duty, material, display, date or trace is built."""
    assembler = _Assembler(book, roots, as_of, full=False)
    for firing in firings:
        assembler.add(firing)
    return assembler.outline()
