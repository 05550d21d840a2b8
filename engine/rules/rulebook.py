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
from typing import Any

from pydantic import Field, field_validator, model_validator

from engine.errors import LoadError, RulebookError
from engine.model.assessment import BasisKind
from engine.model.base import StrictModel, Text
from engine.model.conditions import Condition
from engine.model.contract import CONTRACT_FILE, AnswerContract
from engine.model.suggest import did_you_mean
from engine.model.validation import validate_file
from engine.model.vocabulary import Vocabulary, load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file
from engine.rules.basis import Basis, Law
from engine.rules.catalogue import (
    NOT_RULE_FILES,
    Counting,
    DisplayFile,
    DisplayLocation,
    FeatureFiling,
    FeatureFilings,
    GenaiRoutesFile,
    IndexFile,
    LawsFile,
    Material,
    MaterialsFile,
    NamingFile,
    NewAlgorithmDeadline,
    Obligation,
    ObligationsFile,
    Pitfall,
    ProcessFile,
    ProcessStep,
    ScheduleFile,
    StatusFile,
    StepPlacement,
    TriageFile,
    TriageTier,
)
from engine.rules.checks import check_basis, check_id, check_ids, check_naming, check_rule
from engine.rules.facts import (
    ANSWER_GROUPS,
    DerivedFlag,
    DerivedFlagsFile,
)


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
    counting: Counting
    new_algorithm: NewAlgorithmDeadline
    naming: NamingFile
    status: StatusFile
    filing_window: list[str]
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

def _filing_window(duties: list[str], obligations: dict[str, Obligation], path: Path) -> list[str]:
    """The filing-window duties, checked: known obligations counted in working days from launch."""
    check_ids(duties, obligations, "obligation", "filing_window", path)
    for i, duty in enumerate(duties):
        deadline = obligations[duty].deadline
        if deadline is None or deadline.start != "launch" or not deadline.working_days:
            raise RulebookError(f"'{duty}' has no deadline in working days from launch", file=str(path),
                                key=f"filing_window[{i}]")
    return duties


def _status_file(status: StatusFile, path: Path, vocab: Vocabulary, laws: dict[str, Law]) -> StatusFile:
    """The status precedence, checked: every applicability status exactly once, a known default."""
    statuses = dict.fromkeys(vocab.ids("applicability"))
    check_ids(status.precedence, statuses, "status", "precedence", path)
    check_id(status.when_no_rule_fires, statuses, "status", "when_no_rule_fires", path)
    for value in statuses:
        if status.precedence.count(value) != 1:
            raise RulebookError(f"'{value}' must appear exactly once", file=str(path), key="precedence")
    check_basis(status.basis, laws, "", path)
    return status


def _validate(model: type[StrictModel], raw: Any, path: Path) -> Any:
    return validate_file(model, raw, file=str(path), error=RulebookError)


def _index(items: list[Any], path: Path, what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        if item.id in out:
            raise RulebookError(f"duplicate {what} id '{item.id}'", file=str(path), key=f"[{i}].id")
        out[item.id] = item
    return out


def _check_contract(directory: Path, raw_files: dict[Path, Any], laws: dict[str, Law]) -> None:
    """The answer-to-fact contract beside the rules (``answer_contract.yaml``) cites known laws."""
    path = directory / CONTRACT_FILE
    if path not in raw_files:
        return
    contract = _validate(AnswerContract, raw_files[path], path)
    for i, answer in enumerate(contract.fields):
        basis = [_validate(Basis, ref, path) for ref in answer.basis]
        check_basis(basis, laws, f"fields[{i}].", path)
    for i, derived in enumerate(contract.derived):
        basis = [_validate(Basis, ref, path) for ref in derived.basis]
        check_basis(basis, laws, f"derived[{i}].", path)


def load_rulebook(directory: Path | None = None) -> Rulebook:
    """Load, validate and cross-check every file of a rules directory."""
    directory = directory or rules_dir()
    if not directory.is_dir():
        raise LoadError("rules directory not found", file=str(directory))
    return _Loader(directory).load()


class _Loader:
    """One rules directory read once: its files parsed and digested, then checked catalogue by catalogue.

    Each check raises the first problem it finds, naming the file and key, in the order the
    catalogues are listed here (so the same broken directory always gives the same message).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.vocab = load_vocabulary(directory) if (directory / "vocabulary.yaml").exists() else load_vocabulary()
        self.digest = hashlib.sha256()
        self.raw_files: dict[Path, Any] = {}
        files = sorted(directory.glob("*.yaml")) + sorted((directory / "catalogue").glob("*.yaml"))
        for path in files:
            self.raw_files[path] = read_data_file(path)
            self.digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            self.digest.update(path.read_bytes())
        self.book: dict[str, Any] = {}
        self.paths: dict[str, Path] = {}

    def catalogue(self, name: str, model: type[StrictModel]) -> Any:
        """A catalogue file validated against its model (its path kept for later messages)."""
        path = self.directory / "catalogue" / f"{name}.yaml"
        if path not in self.raw_files:
            raise LoadError("catalogue file missing", file=str(path))
        self.paths[name] = path
        return _validate(model, self.raw_files[path], path)

    def load(self) -> Rulebook:
        index_path = self.directory / "index.yaml"
        if index_path not in self.raw_files:
            raise LoadError("index file missing", file=str(index_path), hint="it gives `version` and `as_of`")
        index: IndexFile = _validate(IndexFile, self.raw_files[index_path], index_path)
        self.load_catalogues()
        _check_contract(self.directory, self.raw_files, self.book["laws"])
        self.check_catalogue_bases()
        rules, rule_files = self.load_rules()
        return Rulebook(version=index.version, as_of=index.as_of, digest=self.digest.hexdigest()[:12],
                        rules=rules, rule_files=rule_files, **self.book)

    def load_catalogues(self) -> None:
        """Every catalogue the rules refer to, indexed by id and checked against the others."""
        book, vocab = self.book, self.vocab
        laws_file = self.catalogue("laws", LawsFile)
        book["laws"] = _index(laws_file.laws, self.paths["laws"], "law")
        obligations_file = self.catalogue("obligations", ObligationsFile)
        book["obligations"] = _index(obligations_file.obligations, self.paths["obligations"], "obligation")
        materials_file = self.catalogue("materials", MaterialsFile)
        book["materials"] = _index(materials_file.materials, self.paths["materials"], "material")
        book["pitfalls"] = _index(materials_file.pitfalls, self.paths["materials"], "pitfall")
        process_file = self.catalogue("process", ProcessFile)
        book["steps"] = _index(process_file.steps, self.paths["process"], "step")
        book["new_feature"] = _new_feature(process_file.new_feature, book["obligations"], self.paths["process"])
        display_file = self.catalogue("display", DisplayFile)
        book["display"] = _index(display_file.locations, self.paths["display"], "display")
        schedule_file = self.catalogue("schedule", ScheduleFile)
        book["step_starts"] = _step_starts(schedule_file, book["steps"], self.paths["schedule"])
        book["counting"] = schedule_file.counting
        book["new_algorithm"] = schedule_file.new_algorithm
        book["filing_window"] = _filing_window(schedule_file.filing_window, book["obligations"],
                                               self.paths["schedule"])
        book["naming"] = _naming(self.catalogue("naming", NamingFile), vocab, self.paths["naming"])
        book["tiers"] = _tiers(self.catalogue("triage", TriageFile), book["laws"], self.paths["triage"])
        book["genai_routes"] = _genai_routes(self.catalogue("genai_routes", GenaiRoutesFile), vocab,
                                             self.paths["genai_routes"])
        book["status"] = _status_file(self.catalogue("status", StatusFile), self.paths["status"], vocab,
                                      book["laws"])
        book["derived_flags"] = _derived_flags(self.catalogue("derived_facts", DerivedFlagsFile), vocab,
                                               book["laws"], self.paths["derived_facts"])

    def check_catalogue_bases(self) -> None:
        """Every law a catalogue entry cites is known; every pitfall a material names exists."""
        book, paths = self.book, self.paths
        for name, path in (("obligations", paths["obligations"]), ("materials", paths["materials"]),
                           ("steps", paths["process"]), ("display", paths["display"]),
                           ("step_starts", paths["schedule"])):
            for i, item in enumerate(book[name].values()):
                check_basis(getattr(item, "basis", []), book["laws"], f"{name}[{i}].", path)
        for prefix, item, path in (("new_algorithm.", book["new_algorithm"], paths["schedule"]),
                                   ("counting.", book["counting"], paths["schedule"]),
                                   ("", book["naming"], paths["naming"]),
                                   ("", book["genai_routes"], paths["genai_routes"])):
            check_basis(item.basis, book["laws"], prefix, path)
        for i, duty in enumerate(book["obligations"].values()):
            _check_yields(duty, i, book["obligations"], paths["obligations"])
            if duty.deadline is not None and duty.deadline.working_days is not None:
                check_basis(duty.deadline.working_days.reference, book["laws"],
                            f"obligations[{i}].deadline.working_days.", path=paths["obligations"], field="reference")
        for i, step in enumerate(book["steps"].values()):
            if step.duration.statutory_working_days is not None:
                check_basis(step.duration.statutory_working_days.reference, book["laws"],
                            f"steps[{i}].duration.statutory_working_days.", path=paths["process"], field="reference")
        for i, material in enumerate(book["materials"].values()):
            check_ids(material.pitfalls, book["pitfalls"], "pitfall", f"materials[{i}].pitfalls",
                      paths["materials"])

    def load_rules(self) -> tuple[dict[str, Rule], dict[str, str]]:
        """Every rule file's rules, each id once across files, each rule checked."""
        rules: dict[str, Rule] = {}
        rule_files: dict[str, str] = {}
        for path in sorted(self.directory.glob("*.yaml")):
            if path.name in NOT_RULE_FILES:
                continue
            rule_file: RuleFile = _validate(RuleFile, self.raw_files[path], path)
            for i, rule in enumerate(rule_file.rules):
                if rule.id in rules:
                    raise RulebookError(f"duplicate rule id '{rule.id}' (also in {rule_files[rule.id]})",
                                        file=str(path), key=f"rules[{i}].id")
                check_rule(rule, i, path, self.book, self.vocab)
                rules[rule.id] = rule
                rule_files[rule.id] = path.name
        if not rules:
            raise LoadError("no rule files found", file=str(self.directory))
        return rules, rule_files


def _new_feature(new_feature: FeatureFilings, obligations: dict[str, Obligation], path: Path) -> FeatureFilings:
    """A new feature's filings name known duties with a deadline in working days to date them from."""
    for kind in ("new_algorithm", "filed_algorithm"):
        filing: FeatureFiling = getattr(new_feature, kind)
        if filing.obligation not in obligations:
            raise RulebookError(f"unknown obligation id '{filing.obligation}'; "
                                f"{did_you_mean(filing.obligation, obligations)}",
                                file=str(path), key=f"new_feature.{kind}.obligation")
        deadline = obligations[filing.obligation].deadline
        if deadline is None or deadline.working_days is None:
            raise RulebookError(f"obligation '{filing.obligation}' has no deadline in working days to date "
                                "a new feature's filing from", file=str(path),
                                key=f"new_feature.{kind}.obligation")
    return new_feature


def _step_starts(schedule_file: ScheduleFile, steps: dict[str, ProcessStep], path: Path) -> dict[str, StepPlacement]:
    """Where each step starts, by step id: known steps, each placed once."""
    starts: dict[str, StepPlacement] = {}
    for i, placement in enumerate(schedule_file.step_starts):
        check_id(placement.step, steps, "step", f"step_starts[{i}].step", path)
        if placement.step in starts:
            raise RulebookError(f"step '{placement.step}' is placed twice", file=str(path),
                                key=f"step_starts[{i}].step")
        starts[placement.step] = placement
    return starts


def _naming(naming_file: NamingFile, vocab: Vocabulary, path: Path) -> NamingFile:
    """A name suffix for every role, a scene word for every type (:func:`check_naming`)."""
    check_naming(naming_file, vocab, path)
    return naming_file


def _tiers(triage_file: TriageFile, laws: dict[str, Law], path: Path) -> list[TriageTier]:
    """The triage tiers: tests on all but the last, which takes every lead the others leave."""
    for i, tier in enumerate(triage_file.tiers):
        last = i == len(triage_file.tiers) - 1
        if (tier.any is None) != last:
            raise RulebookError("the last tier takes every lead the others leave: remove its tests" if last
                                else "only the last tier has no tests: give this one `any`",
                                file=str(path), key=f"tiers[{i}].any")
        check_basis(tier.basis, laws, f"tiers[{i}].", path)
    return triage_file.tiers


def _genai_routes(routes_file: GenaiRoutesFile, vocab: Vocabulary, path: Path) -> GenaiRoutesFile:
    """The generative-AI route precedence: every route of the vocabulary exactly once."""
    routes = dict.fromkeys(vocab.ids("genai_route"))
    check_ids(routes_file.precedence, routes, "generative-AI route", "precedence", path)
    check_ids(routes_file.procedure_routes, routes, "generative-AI route", "procedure_routes", path)
    for route in routes:
        if routes_file.precedence.count(route) != 1:
            raise RulebookError(f"'{route}' must appear exactly once", file=str(path), key="precedence")
    return routes_file


def _derived_flags(derived_file: DerivedFlagsFile, vocab: Vocabulary, laws: dict[str, Law],
                   path: Path) -> list[DerivedFlag]:
    """The flags derived from answers: each once, from ids of its answer's group, covering what rules test."""
    seen: set[str] = set()
    for i, flag in enumerate(derived_file.flags):
        if flag.attribute in seen:
            raise RulebookError(f"'{flag.attribute}' is derived twice", file=str(path),
                                key=f"flags[{i}].attribute")
        seen.add(flag.attribute)
        group = dict.fromkeys(vocab.ids(ANSWER_GROUPS[flag.answer]))
        check_ids(flag.yes_if_any, group, ANSWER_GROUPS[flag.answer], f"flags[{i}].yes_if_any", path)
        check_basis(flag.basis, laws, f"flags[{i}].", path)
    missing = [a for a in ("external", "opinion", "own_product") if a not in seen]
    if missing:
        raise RulebookError(f"no derivation for {', '.join(missing)}; the rules test them",
                            file=str(path), key="flags")
    return derived_file.flags


@cache
def default_rulebook() -> Rulebook:
    """The shipped rulebook, loaded once per process."""
    return load_rulebook()


def _check_yields(duty: Obligation, index: int, obligations: dict[str, Obligation], path: Path) -> None:
    """``yields_to``: known duties, each a statute's, named by a practice duty only (a statute never
    gives way to practice, nor one statute silently to another)."""
    key = f"obligations[{index}].yields_to"
    check_ids(duty.yields_to, obligations, "obligation", key, path)
    if duty.yields_to and duty.basis_kind != "practice":
        raise RulebookError("only a practice duty yields to a statutory one", file=str(path), key=key)
    for i, other in enumerate(duty.yields_to):
        if obligations[other].basis_kind != "statute":
            raise RulebookError(f"{other} is not a statutory duty: a practice duty yields to statutes only",
                                file=str(path), key=f"{key}[{i}]")
