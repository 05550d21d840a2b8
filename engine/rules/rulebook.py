"""Loading and validating ``rules/``: the rules and the catalogues they refer to.

The rules directory holds:

* ``index.yaml``: the rules version and the date the rules are assessed at by default;
* ``catalogue/*.yaml``: laws, obligations (duties), materials and pitfalls, process steps and
  display locations, each with its zh/en text and legal basis;
* every other ``*.yaml`` (but ``vocabulary.yaml``): rules, each with ``id``, zh/en ``title``,
  ``basis`` (law + article), zh/en ``explanation``, a ``when`` condition on one fact and what
  it concludes (``then``).

Loading is strict: unknown keys, ids, attributes and values fail with the file, the key path
and a did-you-mean, before any assessment runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from engine.errors import LoadError, RulebookError
from engine.model.assessment import BasisKind
from engine.model.base import StrictModel, Text
from engine.model.conditions import NUMBER_OPERATORS, Condition, shape_problems, split_test
from engine.model.suggest import did_you_mean
from engine.model.validation import validate_file
from engine.model.vocabulary import Vocabulary, load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file
from engine.rules.basis import Basis, Law
from engine.rules.facts import (
    ANSWER_GROUPS,
    DERIVED_FROM,
    FACT_SCHEMA,
    INT,
    TEXT,
    AttrSpec,
    DerivedFlag,
    DerivedFlagsFile,
)

Scalar = str | int | bool

CATALOGUE_FILES = ("laws", "obligations", "materials", "process", "display")
NOT_RULE_FILES = {"index.yaml", "vocabulary.yaml"}


# ---------------------------------------------------------------- catalogues

class Deadline(StrictModel):
    """A deadline as text, and where it is a count of working days, the count and its start."""

    text: Text
    working_days: int | None = None
    start: Literal["launch", "change", "termination", "complete_materials", "before_launch"] | None = None


class Obligation(StrictModel):
    """A duty the assessment can list."""

    id: str
    title: Text
    basis_kind: BasisKind
    basis: list[Basis] = Field(min_length=1)
    deadline: Deadline | None = None
    valid_from: dt.date | None = None
    scope: Literal["product", "algorithm"] = Field(
        default="algorithm", description="What the duty attaches to: each algorithm the rule fired for, or the "
                                         "product (a platform's duty, e.g. marking AI content users post)")


class FeatureFiling(StrictModel):
    """What a new feature means for the filing of one algorithm it uses (ARP Art. 24)."""

    label: Text
    obligation: str = Field(description="The duty whose deadline and basis apply, e.g. arp_24_p2")
    explanation: Text


class FeatureFilings(StrictModel):
    """A new feature's algorithm is either not filed yet (a new filing) or filed (a change)."""

    new_algorithm: FeatureFiling
    filed_algorithm: FeatureFiling


class Pitfall(StrictModel):
    """A reason filings get rejected in practice."""

    id: str
    text: Text


class Material(StrictModel):
    """An item of the materials checklist."""

    id: str
    name: Text
    group: Literal["entity_info", "product_info", "algorithm_info", "other"]
    scope: Literal["entity", "product", "algorithm"]
    contents: Text
    condition: Text | None = None
    basis_kind: BasisKind
    pitfalls: list[str] = Field(default_factory=list)
    basis: list[Basis] = Field(default_factory=list)


class Duration(StrictModel):
    """How long a step takes: the statute's figure and the range seen in practice."""

    statutory_working_days: int | None = None
    practice_min_days: int | None = None
    practice_max_days: int | None = None
    practice_text: Text | None = None


class ProcessStep(StrictModel):
    """A step of the filing process."""

    id: str
    order: int
    title: Text
    what: Text
    statute: Text | None = None
    duration: Duration = Field(default_factory=Duration)
    basis: list[Basis] = Field(default_factory=list)


class DisplayLocation(StrictModel):
    """Where a product of one form shows the filing number."""

    id: str
    location: Text
    basis: list[Basis] = Field(min_length=1)


class LawsFile(StrictModel):
    laws: list[Law]


class ObligationsFile(StrictModel):
    obligations: list[Obligation]


class MaterialsFile(StrictModel):
    materials: list[Material]
    pitfalls: list[Pitfall]


class ProcessFile(StrictModel):
    steps: list[ProcessStep]
    new_feature: FeatureFilings


class DisplayFile(StrictModel):
    locations: list[DisplayLocation]


StepStart = Literal["filing_due", "before_filing_due", "before_launch"]
"""Where a dated step starts: on the last day to file, before it, or before the launch."""


class StepPlacement(StrictModel):
    """Where one process step sits on the calendar, and for which products."""

    step: str
    starts: StepStart
    products: Literal["filed", "genai"]
    basis: list[Basis] = Field(min_length=1)


class NewAlgorithmDeadline(StrictModel):
    """How the filing deadline of an algorithm new to a live product is counted."""

    counted_from: Literal["change"]
    note: Text
    basis: list[Basis] = Field(min_length=1)


class ScheduleFile(StrictModel):
    step_starts: list[StepPlacement]
    new_algorithm: NewAlgorithmDeadline


class NamingFile(StrictModel):
    """How suggested algorithm names end, per filing role, and why."""

    role_suffix: dict[str, Text]
    basis: list[Basis] = Field(min_length=1)


class TierTest(StrictModel):
    """One test of a triage tier: every key given must hold."""

    status: list[Literal["required", "needs_review", "not_required"]] | None = None
    algorithms_at_least: int | None = Field(default=None, ge=1)
    roles_at_least: int | None = Field(default=None, ge=1)
    genai_route: list[Literal["genai_filing", "genai_registration", "genai_none"]] | None = None


class TriageTier(StrictModel):
    """A complexity tier of the batch triage: it applies when one of its tests holds."""

    id: Literal["none", "low", "medium", "high"]
    description: Text
    any: list[TierTest] | None = Field(default=None, min_length=1)
    basis: list[Basis] = Field(min_length=1)


class TriageFile(StrictModel):
    tiers: list[TriageTier] = Field(min_length=1)


class GenaiRoutesFile(StrictModel):
    """The order in which an algorithm's generative-AI route is chosen among its products' routes."""

    precedence: list[str] = Field(min_length=1)
    basis: list[Basis] = Field(min_length=1)


class IndexFile(StrictModel):
    version: str
    as_of: dt.date


# ---------------------------------------------------------------- rules

Test = Scalar | dict[str, Any]




class Then(StrictModel):
    """What a rule concludes when it fires. Several conclusions may be combined."""

    classify: dict[str, str] | None = None
    filing: dict[str, str] | None = None
    genai_route: str | None = None
    obligations: list[str] | None = None
    materials: list[str] | None = None
    steps: list[str] | None = None
    display: list[str] | None = None
    open_question: OpenQuestionSpec | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Then:
        if not any(v is not None for v in self.__dict__.values()):
            raise ValueError("`then` concludes nothing; add classify, filing, obligations, …")
        return self


class OpenQuestionSpec(StrictModel):
    """A question the person must still answer before the conclusion is final."""

    id: str
    field: str
    text: Text


Then.model_rebuild()


class Rule(StrictModel):
    """One rule: id, titles, legal basis, explanation, condition and conclusion."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    basis_kind: BasisKind
    basis: list[Basis] = Field(min_length=1)
    explanation: Text
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    when: Condition
    then: Then

    def tested_attributes(self) -> tuple[str, ...]:
        """Every fact attribute the compiled rule looks at: its condition's, and ``as_of`` when dated."""
        attrs = self.when.subjects()
        if self.valid_from is not None or self.valid_to is not None:
            attrs.append("as_of")
        return tuple(dict.fromkeys(attrs))

    @field_validator("when")
    @classmethod
    def _has_fact(cls, value: Condition) -> Condition:
        if not value.fact:
            raise ValueError("`when` must name the fact it tests, e.g. `fact: behaviour`")
        return value


class RuleFile(StrictModel):
    """A rules file: a description and its rules."""

    description: Text | None = None
    rules: list[Rule] = Field(min_length=1)


class Rulebook(StrictModel):
    """Every rule and catalogue, validated and cross-checked."""

    version: str
    as_of: dt.date
    digest: str
    laws: dict[str, Law]
    obligations: dict[str, Obligation]
    materials: dict[str, Material]
    pitfalls: dict[str, Pitfall]
    steps: dict[str, ProcessStep]
    new_feature: FeatureFilings
    display: dict[str, DisplayLocation]
    step_starts: dict[str, StepPlacement]
    new_algorithm: NewAlgorithmDeadline
    naming: NamingFile
    tiers: list[TriageTier]
    genai_routes: GenaiRoutesFile
    derived_flags: list[DerivedFlag]
    rules: dict[str, Rule]
    rule_files: dict[str, str]

    @property
    def rules_version(self) -> str:
        """The version quoted in every assessment: release and content digest."""
        return f"{self.version}+{self.digest}"


# ---------------------------------------------------------------- loading

def _validate(model: type[StrictModel], raw: Any, path: Path) -> Any:
    return validate_file(model, raw, file=str(path), error=RulebookError)


def _check_attr_value(spec: AttrSpec, value: Any, where: str, path: Path, attr: str) -> None:
    if spec == INT:
        if not isinstance(value, int) or isinstance(value, bool):
            raise RulebookError(f"'{attr}' is a number; got {value!r}", file=str(path), key=where)
        return
    if spec == TEXT:
        raise RulebookError(f"'{attr}' is free text and cannot be tested by a rule",
                            file=str(path), key=where, hint="test an id attribute instead")
    if not isinstance(value, str) or value not in spec:
        raise RulebookError(f"unknown value {value!r} for '{attr}'; {did_you_mean(str(value), spec)}",
                            file=str(path), key=where)


def _check_condition(cond: Condition, kind: str, where: str, path: Path) -> None:
    """Rule-side checks of a condition whose shape the model already checked: known attributes
    of the fact, values of their vocabulary, numbers only compared with numbers."""
    for key, message in shape_problems(cond):
        raise RulebookError(message, file=str(path), key=f"{where}.{key}".rstrip("."))
    schema = FACT_SCHEMA[kind]
    for attr, test in cond.tests.items():
        key = f"{where}.{attr}"
        if attr not in schema:
            raise RulebookError(f"fact '{kind}' has no attribute '{attr}'; {did_you_mean(attr, schema)}",
                                file=str(path), key=key)
        spec = schema[attr]
        op, operand = split_test(test)
        if op == "only":
            raise RulebookError("'only' tests a multi-select answer; a fact attribute holds one value",
                                file=str(path), key=f"{key}.only", hint="write {in: [...]}")
        if op in ("in", "not_in"):
            for i, value in enumerate(operand):
                _check_attr_value(spec, value, f"{key}.{op}[{i}]", path, attr)
        elif op in NUMBER_OPERATORS:
            if spec != INT:
                raise RulebookError(f"'{op}' compares numbers; '{attr}' is not a number",
                                    file=str(path), key=f"{key}.{op}")
            _check_attr_value(spec, operand, f"{key}.{op}", path, attr)
        else:
            _check_attr_value(spec, operand, key if op == "equals" else f"{key}.{op}", path, attr)
    if cond.none is not None:
        raise RulebookError("'none' is not available in rules (the engine cannot negate a group)",
                            file=str(path), key=f"{where}.none", hint="negate each test: {not: v} or {not_in: [...]}")
    for group_name, group in cond.groups():
        for i, sub in enumerate(group):
            if sub.fact is not None:
                raise RulebookError("`fact` belongs at the top of `when` only",
                                    file=str(path), key=f"{where}.{group_name}[{i}].fact")
            _check_condition(sub, kind, f"{where}.{group_name}[{i}]", path)


def _check_id(value: str, known: dict[str, Any], what: str, key: str, path: Path) -> None:
    if value not in known:
        raise RulebookError(f"unknown {what} id '{value}'; {did_you_mean(value, known)}", file=str(path), key=key)


def _check_basis(basis: list[Basis], laws: dict[str, Law], prefix: str, path: Path) -> None:
    """Every law a basis cites is in the laws catalogue (``prefix`` locates the basis in its file)."""
    for j, ref in enumerate(basis):
        _check_id(ref.law, laws, "law", f"{prefix}basis[{j}].law", path)


def _check_ids(ids: list[str] | None, known: dict[str, Any], what: str, key: str, path: Path) -> None:
    for i, value in enumerate(ids or []):
        _check_id(value, known, what, f"{key}[{i}]", path)


def _check_rule(rule: Rule, index: int, path: Path, book: dict[str, Any], vocab: Vocabulary) -> None:
    where = f"rules[{index}]"
    kind = rule.when.fact or ""
    if kind not in FACT_SCHEMA:
        raise RulebookError(f"unknown fact kind '{kind}'; {did_you_mean(kind, FACT_SCHEMA)}",
                            file=str(path), key=f"{where}.when.fact")
    _check_condition(rule.when, kind, f"{where}.when", path)
    _check_basis(rule.basis, book["laws"], f"{where}.", path)
    then = rule.then
    key = f"{where}.then"
    if then.classify is not None:
        if kind != DERIVED_FROM["algorithm"]:
            raise RulebookError("`classify` applies to `behaviour` facts only", file=str(path),
                                key=f"{key}.classify")
        extra = set(then.classify) - {"type", "subtype"}
        if extra or "type" not in then.classify:
            raise RulebookError("`classify` takes `type` and optionally `subtype`", file=str(path),
                                key=f"{key}.classify")
        if (problem := vocab.check_id("algorithm_type", then.classify["type"])):
            raise RulebookError(problem, file=str(path), key=f"{key}.classify.type")
        subtype = then.classify.get("subtype")
        if subtype is not None:
            if (problem := vocab.check_id("algorithm_subtype", subtype)):
                raise RulebookError(problem, file=str(path), key=f"{key}.classify.subtype")
            if then.classify["type"] != "retrieval_filtering":
                raise RulebookError("a subtype belongs to retrieval_filtering only", file=str(path),
                                    key=f"{key}.classify.subtype")
        elif then.classify["type"] == "retrieval_filtering":
            raise RulebookError("retrieval_filtering needs a subtype (information_retrieval or "
                                "content_filtering)", file=str(path), key=f"{key}.classify")
    if then.filing is not None:
        extra = set(then.filing) - {"status", "role"}
        if extra or "status" not in then.filing:
            raise RulebookError("`filing` takes `status` and optionally `role`", file=str(path),
                                key=f"{key}.filing")
        if (problem := vocab.check_id("applicability", then.filing["status"])):
            raise RulebookError(problem, file=str(path), key=f"{key}.filing.status")
        role = then.filing.get("role")
        if kind == DERIVED_FROM["filing"]:
            if role is None:
                raise RulebookError("a filing conclusion on an algorithm names its `role`",
                                    file=str(path), key=f"{key}.filing")
            if (problem := vocab.check_id("role", role)):
                raise RulebookError(problem, file=str(path), key=f"{key}.filing.role")
        elif role is not None:
            raise RulebookError("only rules on `algorithm` facts conclude a role", file=str(path),
                                key=f"{key}.filing.role")
    if then.genai_route is not None and (problem := vocab.check_id("genai_route", then.genai_route)):
        raise RulebookError(problem, file=str(path), key=f"{key}.genai_route")
    _check_ids(then.obligations, book["obligations"], "obligation", f"{key}.obligations", path)
    for i, oid in enumerate(then.obligations or []):
        in_force = book["obligations"][oid].valid_from
        if in_force and (rule.valid_from is None or rule.valid_from < in_force):
            raise RulebookError(f"obligation '{oid}' applies from {in_force}; the rule must not fire earlier",
                                file=str(path), key=f"{key}.obligations[{i}]",
                                hint=f"add `valid_from: {in_force}` to the rule")
    _check_ids(then.materials, book["materials"], "material", f"{key}.materials", path)
    _check_ids(then.steps, book["steps"], "step", f"{key}.steps", path)
    _check_ids(then.display, {**book["display"], "product_forms": None}, "display",
               f"{key}.display", path)


def _index(items: list[Any], path: Path, what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        if item.id in out:
            raise RulebookError(f"duplicate {what} id '{item.id}'", file=str(path), key=f"[{i}].id")
        out[item.id] = item
    return out


def load_rulebook(directory: Path | None = None) -> Rulebook:
    """Load, validate and cross-check every file of a rules directory."""
    directory = directory or rules_dir()
    if not directory.is_dir():
        raise LoadError("rules directory not found", file=str(directory))
    vocab = load_vocabulary(directory) if (directory / "vocabulary.yaml").exists() else load_vocabulary()
    digest = hashlib.sha256()
    raw_files: dict[Path, Any] = {}
    files = sorted(directory.glob("*.yaml")) + sorted((directory / "catalogue").glob("*.yaml"))
    for path in files:
        raw_files[path] = read_data_file(path)
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())

    def catalogue(name: str, model: type[StrictModel]) -> tuple[Any, Path]:
        path = directory / "catalogue" / f"{name}.yaml"
        if path not in raw_files:
            raise LoadError("catalogue file missing", file=str(path))
        return _validate(model, raw_files[path], path), path

    index_path = directory / "index.yaml"
    if index_path not in raw_files:
        raise LoadError("index file missing", file=str(index_path), hint="it gives `version` and `as_of`")
    index: IndexFile = _validate(IndexFile, raw_files[index_path], index_path)
    laws_file, laws_path = catalogue("laws", LawsFile)
    book: dict[str, Any] = {"laws": _index(laws_file.laws, laws_path, "law")}
    obligations_file, obligations_path = catalogue("obligations", ObligationsFile)
    book["obligations"] = _index(obligations_file.obligations, obligations_path, "obligation")
    materials_file, materials_path = catalogue("materials", MaterialsFile)
    book["materials"] = _index(materials_file.materials, materials_path, "material")
    book["pitfalls"] = _index(materials_file.pitfalls, materials_path, "pitfall")
    process_file, process_path = catalogue("process", ProcessFile)
    book["steps"] = _index(process_file.steps, process_path, "step")
    book["new_feature"] = process_file.new_feature
    for kind in ("new_algorithm", "filed_algorithm"):
        filing: FeatureFiling = getattr(process_file.new_feature, kind)
        if filing.obligation not in book["obligations"]:
            raise RulebookError(f"unknown obligation id '{filing.obligation}'; "
                                f"{did_you_mean(filing.obligation, book['obligations'])}",
                                file=str(process_path), key=f"new_feature.{kind}.obligation")
        deadline = book["obligations"][filing.obligation].deadline
        if deadline is None or deadline.working_days is None:
            raise RulebookError(f"obligation '{filing.obligation}' has no deadline in working days to date "
                                "a new feature's filing from", file=str(process_path),
                                key=f"new_feature.{kind}.obligation")
    display_file, display_path = catalogue("display", DisplayFile)
    book["display"] = _index(display_file.locations, display_path, "display")
    schedule_file, schedule_path = catalogue("schedule", ScheduleFile)
    book["step_starts"] = {}
    for i, placement in enumerate(schedule_file.step_starts):
        _check_id(placement.step, book["steps"], "step", f"step_starts[{i}].step", schedule_path)
        if placement.step in book["step_starts"]:
            raise RulebookError(f"step '{placement.step}' is placed twice", file=str(schedule_path),
                                key=f"step_starts[{i}].step")
        book["step_starts"][placement.step] = placement
    book["new_algorithm"] = schedule_file.new_algorithm
    naming_file, naming_path = catalogue("naming", NamingFile)
    roles = dict.fromkeys(vocab.ids("role"))
    for role in naming_file.role_suffix:
        _check_id(role, roles, "role", f"role_suffix.{role}", naming_path)
    for role in roles:
        if role not in naming_file.role_suffix:
            raise RulebookError(f"no suffix for the role '{role}'; give one (it may be empty)",
                                file=str(naming_path), key=f"role_suffix.{role}")
    book["naming"] = naming_file
    triage_file, triage_path = catalogue("triage", TriageFile)
    for i, tier in enumerate(triage_file.tiers):
        last = i == len(triage_file.tiers) - 1
        if (tier.any is None) != last:
            raise RulebookError("the last tier takes every lead the others leave: remove its tests" if last
                                else "only the last tier has no tests: give this one `any`",
                                file=str(triage_path), key=f"tiers[{i}].any")
        _check_basis(tier.basis, book["laws"], f"tiers[{i}].", triage_path)
    book["tiers"] = triage_file.tiers
    routes_file, routes_path = catalogue("genai_routes", GenaiRoutesFile)
    routes = dict.fromkeys(vocab.ids("genai_route"))
    _check_ids(routes_file.precedence, routes, "generative-AI route", "precedence", routes_path)
    for route in routes:
        if routes_file.precedence.count(route) != 1:
            raise RulebookError(f"'{route}' must appear exactly once", file=str(routes_path), key="precedence")
    book["genai_routes"] = routes_file
    derived_file, derived_path = catalogue("derived_facts", DerivedFlagsFile)
    seen: set[str] = set()
    for i, flag in enumerate(derived_file.flags):
        if flag.attribute in seen:
            raise RulebookError(f"'{flag.attribute}' is derived twice", file=str(derived_path),
                                key=f"flags[{i}].attribute")
        seen.add(flag.attribute)
        group = dict.fromkeys(vocab.ids(ANSWER_GROUPS[flag.answer]))
        _check_ids(flag.yes_if_any, group, ANSWER_GROUPS[flag.answer], f"flags[{i}].yes_if_any", derived_path)
        _check_basis(flag.basis, book["laws"], f"flags[{i}].", derived_path)
    missing = [a for a in ("external", "opinion", "own_product") if a not in seen]
    if missing:
        raise RulebookError(f"no derivation for {', '.join(missing)}; the rules test them",
                            file=str(derived_path), key="flags")
    book["derived_flags"] = derived_file.flags

    for name, path in (("obligations", obligations_path), ("materials", materials_path),
                       ("steps", process_path), ("display", display_path), ("step_starts", schedule_path)):
        for i, item in enumerate(book[name].values()):
            _check_basis(getattr(item, "basis", []), book["laws"], f"{name}[{i}].", path)
    for prefix, item, path in (("new_algorithm.", book["new_algorithm"], schedule_path),
                               ("", book["naming"], naming_path), ("", book["genai_routes"], routes_path)):
        _check_basis(item.basis, book["laws"], prefix, path)
    for i, material in enumerate(book["materials"].values()):
        _check_ids(material.pitfalls, book["pitfalls"], "pitfall", f"materials[{i}].pitfalls",
                   materials_path)

    rules: dict[str, Rule] = {}
    rule_files: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in NOT_RULE_FILES:
            continue
        rule_file: RuleFile = _validate(RuleFile, raw_files[path], path)
        for i, rule in enumerate(rule_file.rules):
            if rule.id in rules:
                raise RulebookError(f"duplicate rule id '{rule.id}' (also in {rule_files[rule.id]})",
                                    file=str(path), key=f"rules[{i}].id")
            _check_rule(rule, i, path, book, vocab)
            rules[rule.id] = rule
            rule_files[rule.id] = path.name
    if not rules:
        raise LoadError("no rule files found", file=str(directory))
    return Rulebook(version=index.version, as_of=index.as_of, digest=digest.hexdigest()[:12],
                    rules=rules, rule_files=rule_files, **book)


@cache
def default_rulebook() -> Rulebook:
    """The shipped rulebook, loaded once per process."""
    return load_rulebook()
