"""Collects the YAML scenario tests of ``tests/scenarios/`` (answers -> expected conclusions).

A scenario file holds a list of scenarios::

    - name: 抖音-like short-video app with a feed
      based_on: 抖音个性化推荐算法 (网信算备110108823483902220017号)   # optional
      answers: {entity: …, products: […]}        # or answers_file: examples/x.yaml
      as_of: 2025-06-01                           # optional
      expected:
        status: required
        algorithms:                               # each listed one must be present
          - {type: personalized_push, role: service_provider}
        algorithms_exactly: [...]                 # or: exactly these (type, subtype, role)
        not_algorithms: [{type: generation_synthesis}]
        algorithm_count: 3
        obligations: [arp_17]                     # must be present
        not_obligations: [lbl_4]                  # must be absent
        obligations_exactly: [arp_7, …]           # exactly these, nothing more (catches a duty
                                                  # that applies where it should not)
        materials: [...]                          # likewise not_materials, materials_exactly,
                                                  # steps, not_steps, steps_exactly
        genai_route: genai_registration
        open_questions: [model_source]            # or no_open_questions: true
        open_questions_exactly: [model_source]    # exactly these ids
        display: [{product: x, form: app}]
        reasons: [rule_id]
        due: {arp_24: ["2025-09-15"]}             # an obligation's due dates, exactly ([] = none)
        counts: {required: 3, recommended: 2}     # algorithms per status, exactly (the headline's)
        filing_due:                               # when listed algorithms are filed
          - {id: scheduling_decision.order_dispatch.service_provider, basis_kind: statute, date: 2025-06-16}

Failures print the file, the scenario and what differs, not a Python traceback. Scenario files
are read with the project's strict YAML reader: a key written twice in one scenario is an error,
not a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.model.yamlio import read_data_file

ROOT = Path(__file__).resolve().parent.parent

SCENARIO_KEYS = {"name", "based_on", "answers", "answers_file", "as_of", "expected"}
EXPECTED_KEYS = {
    "status", "algorithms", "algorithms_exactly", "not_algorithms", "obligations", "not_obligations",
    "materials", "not_materials", "genai_route", "open_questions", "no_open_questions", "steps",
    "not_steps", "display", "reasons", "algorithm_count", "due", "counts", "filing_due",
    "obligations_exactly", "materials_exactly", "steps_exactly", "open_questions_exactly",
}


def pytest_configure(config: pytest.Config) -> None:
    # The precedent index is cached in a folder of the tests' own, never the user's (it is keyed
    # by the lists' hash, so runs share it safely).
    os.environ.setdefault("ALGO_FILING_CACHE_DIR", os.path.join(tempfile.gettempdir(), "algo-filing-test-cache"))


class ScenarioFailure(Exception):
    """A scenario's expectation did not hold."""


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        data = read_data_file(self.path)
        if not isinstance(data, list):
            raise ScenarioFailure(f"{self.path}: expected a list of scenarios")
        names: set[str] = set()
        for index, spec in enumerate(data):
            unknown = set(spec) - SCENARIO_KEYS
            if unknown:
                raise ScenarioFailure(f"{self.path}: scenario {index}: unknown keys {sorted(unknown)}")
            name = spec.get("name") or f"scenario {index}"
            if name in names:
                raise ScenarioFailure(f"{self.path}: duplicate scenario name {name!r}")
            names.add(name)
            yield ScenarioItem.from_parent(self, name=name, spec=spec)


def _as_written(value: Any) -> Any:
    """A typed target as a scenario names it: a product by its name, an algorithm by its id."""
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    if isinstance(value, dict) and "kind" in value:
        return {"entity": "entity", "product": value.get("name"), "algorithm": value.get("id")}[value["kind"]]
    return value


def _match(item: Any, expected: dict[str, Any]) -> bool:
    data = item.model_dump(mode="json") if hasattr(item, "model_dump") else item
    return all(_as_written(data.get(k)) == v for k, v in expected.items())


def _exactly(key: str, want: list[str], got: set[str]) -> list[str]:
    """The ids ``got`` that a scenario did not list and those it listed that are missing."""
    extra, missing = sorted(got - set(want)), sorted(set(want) - got)
    problems = [f"{key}: unexpected {extra} (the scenario lists exactly {sorted(want)})"] if extra else []
    return problems + ([f"{key}: missing {missing}"] if missing else [])


def check_scenario(spec: dict[str, Any], rulebook: Any = None) -> list[str]:
    """Assess a scenario's answers and return every expectation that does not hold.

    ``rulebook`` defaults to the shipped one; tests pass another to show a scenario catches a change.
    """
    from engine import assess

    if "expected" not in spec:
        return ["missing key 'expected'"]
    expected = spec["expected"]
    unknown = set(expected) - EXPECTED_KEYS
    if unknown:
        return [f"unknown expectation keys {sorted(unknown)}"]
    answers: Any = ROOT / spec["answers_file"] if "answers_file" in spec else spec["answers"]
    as_of = spec.get("as_of")
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    result = assess(answers, as_of=as_of, rulebook=rulebook)
    problems: list[str] = []
    if "status" in expected and result.filing.status != expected["status"]:
        problems.append(f"status: expected {expected['status']}, got {result.filing.status} "
                        f"(reasons: {[r.rule for r in result.filing.reasons]})")
    got_algos = [(a.type, a.subtype, a.role) for a in result.algorithms]
    for want in expected.get("algorithms", []):
        if not any(_match(a, want) for a in result.algorithms):
            problems.append(f"algorithm {want} missing; got {got_algos}")
    for want in expected.get("not_algorithms", []):
        if any(_match(a, want) for a in result.algorithms):
            problems.append(f"algorithm {want} present but should not be; got {got_algos}")
    if "algorithms_exactly" in expected:
        want_set = {(w["type"], w.get("subtype"), w["role"]) for w in expected["algorithms_exactly"]}
        if set(got_algos) != want_set:
            problems.append(f"algorithms: expected exactly {sorted(want_set, key=str)}, "
                            f"got {sorted(set(got_algos), key=str)}")
    if "algorithm_count" in expected and len(result.algorithms) != expected["algorithm_count"]:
        problems.append(f"algorithm_count: expected {expected['algorithm_count']}, got {len(result.algorithms)}")
    for key in ("obligations", "materials", "steps"):
        got = {x.id for x in getattr(result, key)}
        missing = [i for i in expected.get(key, []) if i not in got]
        if missing:
            problems.append(f"{key} missing: {missing}")
        present = [i for i in expected.get("not_" + key, []) if i in got]
        if present:
            problems.append(f"{key} present but should not be: {present}")
        if key + "_exactly" in expected:
            problems += _exactly(key, expected[key + "_exactly"], got)
    if "genai_route" in expected:
        routes = sorted({a.genai_route for a in result.algorithms if a.genai_route})
        if expected["genai_route"] not in routes:
            problems.append(f"genai_route {expected['genai_route']} not among {routes}")
    questions = {q.id for q in result.open_questions}
    missing_q = [q for q in expected.get("open_questions", []) if q not in questions]
    if missing_q:
        problems.append(f"open_questions missing: {missing_q}; got {sorted(questions)}")
    if expected.get("no_open_questions") and questions:
        problems.append(f"expected no open questions, got {sorted(questions)}")
    if "open_questions_exactly" in expected:
        problems += _exactly("open_questions", expected["open_questions_exactly"], questions)
    for want in expected.get("display", []):
        if not any(_match(d, want) for d in result.display):
            problems.append(f"display {want} missing; got {[(d.product, d.form) for d in result.display]}")
    for oid, dates in (expected.get("due") or {}).items():
        found = [o for o in result.obligations if o.id == oid]
        got_dates = [d.date.isoformat() if d.date else None for o in found for d in o.due]
        if not found:
            problems.append(f"due: obligation {oid} missing")
        elif got_dates != [str(d) for d in dates]:
            problems.append(f"due {oid}: expected {dates}, got {got_dates}")
    if "counts" in expected:
        got_counts = {c.status: c.count for c in result.filing.counts}
        if got_counts != expected["counts"]:
            problems.append(f"counts: expected {expected['counts']}, got {got_counts}")
        if sum(got_counts.values()) != len(result.algorithms):
            problems.append(f"counts {got_counts} do not add up to the {len(result.algorithms)} algorithms")
    for want in expected.get("filing_due", []):
        found_a = [a for a in result.algorithms if a.id == want["id"]]
        fd = found_a[0].filing_due if found_a else None
        got_due = (fd.basis_kind, (fd.due.date or fd.due.estimate).isoformat()) if fd else None
        if got_due != (want["basis_kind"], str(want["date"])):
            problems.append(f"filing_due {want['id']}: expected {(want['basis_kind'], str(want['date']))}, "
                            f"got {got_due}")
    reasons = {r.rule for r in result.filing.reasons}
    missing_r = [r for r in expected.get("reasons", []) if r not in reasons]
    if missing_r:
        problems.append(f"reasons missing: {missing_r}; got {sorted(reasons)}")
    return problems + _lost_in_json(result)


def _lost_in_json(result: Any) -> list[str]:
    """Every scenario also proves the JSON contract lossless: written (schema 5.0) and read back, it
    is the same assessment, with the catalogue embedded and, when the installed rulebook made it,
    with the texts read from that rulebook's catalogue. A rule combination giving one catalogue id
    two texts would fail here (CatalogueConflict)."""
    from engine import read_assessment, rulebook_catalogue

    modes = ["embed", "ids"] if result.rules_version == rulebook_catalogue().rules_version else ["embed"]
    for mode in modes:
        if read_assessment(result.to_json(indent=None, catalogue=mode)).model_dump_json() != result.model_dump_json():
            return [f"the assessment written as JSON (catalogue={mode}) and read back differs from the assessment"]
    return []


class ScenarioItem(pytest.Item):
    def __init__(self, *, spec: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self) -> None:
        problems = check_scenario(self.spec)
        if problems:
            raise ScenarioFailure("\n".join(problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return f"{self.path}:\nScenario '{self.name}':\n  " + str(excinfo.value).replace("\n", "\n  ")
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name}"
