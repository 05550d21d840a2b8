"""Cost that grows with what is new, not with what repeats (issue 19.1, 19.4)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine import build_facts, default_rulebook, load_answers, parse_answers
from engine.rules import runtime as runtime_module
from engine.rules.runtime import PartitionedRuntime, RulesRuntime

ROOT = Path(__file__).resolve().parents[1]
NEWS_APP = ROOT / "examples" / "news_app.yaml"


def _asserted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the facts every engine session asserts."""
    counts: list[int] = []
    original = RulesRuntime._run_session

    def counting(self: RulesRuntime, facts: list[dict[str, object]]) -> object:
        counts.append(len(facts))
        return original(self, facts)  # type: ignore[arg-type]

    monkeypatch.setattr(RulesRuntime, "_run_session", counting)
    return counts


def _products(n: int) -> list[runtime_module.Fact]:
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    document["products"] = [copy.deepcopy(document["products"][0]) for _ in range(n)]
    for i, product in enumerate(document["products"]):
        product["name"] = f"产品{i}"
    answers = parse_answers(document)
    return [r.as_message() for r in build_facts(answers, default_rulebook().as_of)]


def test_alike_products_in_one_document_cost_one_engine_run_each_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 100-product document took 39 s: every fact went through durable-rules although 99
    products repeated the first. Facts with one memo key now run once per document."""
    book = default_rulebook()
    one, twenty = PartitionedRuntime(book), PartitionedRuntime(book)
    counts = _asserted(monkeypatch)
    firings_one = one.evaluate(_products(1))
    asserted_one = sum(counts)
    counts.clear()
    firings_twenty = twenty.evaluate(_products(20))
    assert sum(counts) == asserted_one
    assert len(firings_twenty) == 20 * len(firings_one)


def test_the_partitioned_memo_gives_the_firings_of_the_full_ruleset() -> None:
    """Memoised per group of rules, the firings are those of one session of the whole rulebook."""
    book = default_rulebook()
    facts = _products(3)
    plain = RulesRuntime(book).evaluate(facts)
    partitioned = PartitionedRuntime(book).evaluate(facts)

    def key(firings: list[runtime_module.Firing]) -> list[tuple[str, str, str, str]]:
        return sorted((f.rule_id, f.fact["fid"], f.fact["kind"], str(f.fact.get("via", ""))) for f in firings)

    assert key(partitioned) == key(plain)
    def facts(firings: list[runtime_module.Firing]) -> dict[tuple[str, str, str, str], runtime_module.Fact]:
        return {(f.rule_id, f.fact["fid"], f.fact["kind"], str(f.fact.get("via", ""))): f.fact for f in firings}

    assert facts(partitioned) == facts(plain)


EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _facts(document: dict[str, object]) -> list[runtime_module.Fact]:
    answers = parse_answers(document)
    return [r.as_message() for r in build_facts(answers, answers.as_of or default_rulebook().as_of)]


def _engine_firings(monkeypatch: pytest.MonkeyPatch) -> list[list[runtime_module.Firing]]:
    """The firings of every engine session that asserted something, session by session."""
    sessions: list[list[runtime_module.Firing]] = []
    original = RulesRuntime._run_session

    def recording(self: RulesRuntime, facts: list[dict[str, object]]) -> list[runtime_module.Firing]:
        fired = original(self, facts)  # type: ignore[arg-type]
        if facts:
            sessions.append(fired)
        return fired

    monkeypatch.setattr(RulesRuntime, "_run_session", recording)
    return sessions


def _multiset(firings: list[runtime_module.Firing]) -> list[tuple[str, str, str, str]]:
    return sorted((f.rule_id, f.fact["fid"], f.fact["kind"], str(f.fact.get("via", ""))) for f in firings)


def test_an_unseen_document_costs_at_most_one_engine_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the memos lack ran in a session per group of rules, about two per unseen document (21
    groups); it now runs in one session of the whole rulebook, each fact gated to the groups it lacks."""
    runtime = PartitionedRuntime(default_rulebook())
    sessions = _engine_firings(monkeypatch)
    documents = [load_answers(path).model_dump(mode="json", exclude_none=True) for path in EXAMPLES]
    for document in documents:
        before = len(sessions)
        runtime.evaluate(_facts(document))
        assert len(sessions) - before <= 1
    assert len(sessions) >= 1


def test_firings_rebuilt_from_the_memos_are_those_the_engine_gave_in_the_same_order() -> None:
    book = default_rulebook()
    runtime, plain = PartitionedRuntime(book), RulesRuntime(book)
    for path in EXAMPLES:
        facts = _facts(load_answers(path).model_dump(mode="json", exclude_none=True))
        ran = runtime.evaluate(facts)
        assert runtime.evaluate(facts) == ran, path.name
        assert _multiset(ran) == _multiset(plain.evaluate(facts)), path.name
        assert all(not k.startswith("__gate") for f in ran for k in f.fact), "gates stay inside the engine"


def _groups_testing(runtime: PartitionedRuntime, attribute: str) -> set[str]:
    """The non-deriving rules whose group of rules is memoised under ``attribute``."""
    return {rule_id for rule_id, index in runtime._group_of.items() if attribute in runtime.groups[index].attrs}


def test_a_changed_answer_runs_only_the_groups_of_rules_that_test_it(monkeypatch: pytest.MonkeyPatch) -> None:
    book = default_rulebook()
    runtime = PartitionedRuntime(book)
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    runtime.evaluate(_facts(document))
    sessions = _engine_firings(monkeypatch)
    document["products"][0]["user_groups"] = ["minors"]  # no longer the elderly
    firings = runtime.evaluate(_facts(document))
    assert len(sessions) == 1
    assert {f.rule_id for f in sessions[0]} <= _groups_testing(runtime, "users_elderly")
    assert _multiset(firings) == _multiset(RulesRuntime(book).evaluate(_facts(document)))


def test_a_group_of_rules_runs_once_per_key_in_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two products that differ in one answer: on the second, only the groups that test it run (the
    others are rebuilt from the first product's run in the same session)."""
    book = default_rulebook()
    runtime = PartitionedRuntime(book)
    document = load_answers(NEWS_APP).model_dump(mode="json", exclude_none=True)
    second = {**copy.deepcopy(document["products"][0]), "name": "另一产品", "commercial": False}
    document["products"].append(second)
    facts = _facts(document)
    sessions = _engine_firings(monkeypatch)
    firings = runtime.evaluate(facts)
    assert len(sessions) == 1
    second_fids = {str(f["fid"]) for f in facts[len(facts) // 2:]}
    assert {str(f["fid"]) for f in facts[:len(facts) // 2]}.isdisjoint(second_fids)
    on_second = {f.rule_id for f in sessions[0] if f.fact["fid"] in second_fids and f.rule_id in runtime._group_of}
    assert on_second and on_second <= _groups_testing(runtime, "commercial")
    assert _multiset(firings) == _multiset(RulesRuntime(book).evaluate(facts))
    assert runtime.evaluate(facts) == firings


def test_the_runtime_keeps_nothing_of_a_document_past_its_evaluation() -> None:
    """The plan of an evaluation (its facts and firings) goes with it: a heavy lead's would stay in
    memory until the next request otherwise."""
    runtime = PartitionedRuntime(default_rulebook())
    runtime.evaluate(_products(3))
    assert not runtime._plan and not runtime._claimed


def test_the_engine_gets_only_what_rules_test_and_firings_keep_the_whole_fact(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """durable-rules' cost is mostly JSON of the facts: a behaviour fact carries about 50 attributes,
    the rules test about 35. Names never reach it; the firings still carry them."""
    book = default_rulebook()
    runtime = PartitionedRuntime(book)
    host = runtime.engine._host
    asserted: list[dict[str, object]] = []
    original = host.assert_fact

    def recording(ruleset: str, fact: dict[str, object], *args: object) -> object:
        asserted.append(fact)
        return original(ruleset, fact, *args)

    monkeypatch.setattr(host, "assert_fact", recording)
    facts = _products(2)
    firings = runtime.evaluate(facts)
    sent = {k for fact in asserted for k in fact if not k.startswith("__gate")}
    assert sent and not {"product", "feature"} & sent
    assert sent <= {*runtime_module.tested_attributes(book), "fid", "kind", "via", "sid"}
    assert all("product" in f.fact for f in firings)
    assert _multiset(firings) == _multiset(RulesRuntime(book).evaluate(facts))
    assert firings == runtime.evaluate(facts)
