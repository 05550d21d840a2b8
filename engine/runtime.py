"""The one durable-rules host of the process, and evaluation of facts through it.

durable-rules keeps global, per-process state (``notes/durable-rules.md``): a ruleset name
registers once per host, a host starts timer threads, at most 1,024 sessions may be live,
exceptions in actions are swallowed into the session state. So:

* one host per process, without its timer threads (actions run synchronously in the caller's
  thread, inside ``assert_fact``), created lazily under a lock;
* one ruleset per rulebook (named by its digest), compiled once;
* one session id per evaluation, its state deleted in ``finally``;
* one lock around every engine call, so any number of threads may call :func:`evaluate`;
* after every assertion the session state is checked and an action's exception is raised;
* a rule fires once per fact: durable-rules expands ``$or`` into one variant per branch and
  fires every variant that matches, so an action ignores a second firing of the same rule on
  the same fact (same ``fid``, kind and derivation).

Because every rule tests exactly one fact and derived facts are built from the fact they came
from, the firings of a root fact depend on nothing else: they are memoised per root fact
(bounded LRU), which is what makes thousands of assessments per second possible. Pass
``memoize=False`` to send every fact through the engine (the stress and differential tests do).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from durable.engine import Host, MessageNotHandledException

from .compiler import compile_rulebook
from .errors import RuleActionError
from .facts import DERIVED_FROM
from .rulebook import Rule, Rulebook

Fact = dict[str, Any]

_BOOKKEEPING = ("sid", "fid")


@dataclass(frozen=True)
class Firing:
    """A rule that fired, and the fact it fired on (``fid`` names the root fact)."""

    rule_id: str
    fact: Fact


class _Host(Host):  # type: ignore[misc]
    """A durable-rules host that resolves actions by rule id and starts no timer threads."""

    def __init__(self) -> None:
        self._actions: dict[str, Callable[[Any], None]] = {}
        super().__init__()

    def _run(self) -> None:
        """No dispatch or timer threads: nothing here uses timers, and actions run inline."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self._actions[action_name]


_HOST_LOCK = threading.Lock()
_HOST: _Host | None = None


def _host() -> _Host:
    global _HOST
    with _HOST_LOCK:
        if _HOST is None:
            _HOST = _Host()
        return _HOST


def _derived(rule: Rule, fact: Fact) -> Fact | None:
    """The fact a rule asserts (``classify`` -> algorithm, ``filing`` on algorithm -> filing)."""
    then = rule.then
    kind = fact.get("kind")
    if then.classify is not None and kind == DERIVED_FROM["algorithm"]:
        return {**fact, "kind": "algorithm", "type": then.classify["type"],
                "subtype": then.classify.get("subtype", "none"), "via": _via(fact, rule.id)}
    if then.filing is not None and kind == DERIVED_FROM["filing"]:
        return {**fact, "kind": "filing", "status": then.filing["status"],
                "role": then.filing["role"], "via": _via(fact, rule.id)}
    return None


def _via(fact: Fact, rule_id: str) -> str:
    """The chain of rules that derived a fact, for the trace (``classify_x>applicability_y``)."""
    return f"{fact['via']}>{rule_id}" if fact.get("via") else rule_id


class RulesRuntime:
    """Evaluates facts against one compiled rulebook; safe to call from several threads."""

    _ruleset_counter = itertools.count()

    def __init__(self, book: Rulebook, *, memoize: bool = True, cache_size: int = 4096) -> None:
        self.book = book
        self.memoize = memoize
        self._cache_size = cache_size
        self._cache: OrderedDict[str, list[tuple[str, Fact]]] = OrderedDict()
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._collectors: dict[str, list[Firing]] = {}
        self._seen: dict[str, set[tuple[str, str, str, str]]] = {}
        self.ruleset = f"algo_filing_{book.digest}_{next(self._ruleset_counter)}"
        self._host = _host()
        definition = compile_rulebook(book)
        with _HOST_LOCK:
            for rule_id, rule in book.rules.items():
                self._host._actions[f"{self.ruleset}:{rule_id}"] = self._make_action(rule)
            for rule_def in definition.values():
                rule_def["run"] = f"{self.ruleset}:{rule_def['run']}"
            self._host.set_rulesets({self.ruleset: definition})

    def _make_action(self, rule: Rule) -> Callable[[Any], None]:
        collectors = self._collectors
        seen = self._seen

        def action(c: Any) -> None:
            fact: Fact = dict(c.m._d)
            sid = fact.pop("sid")
            identity = (rule.id, str(fact["fid"]), str(fact["kind"]), str(fact.get("via", "")))
            if identity in seen[sid]:
                return  # another branch of an `any` matched the same fact
            seen[sid].add(identity)
            collectors[sid].append(Firing(rule.id, fact))
            derived = _derived(rule, fact)
            if derived is not None:
                try:
                    c.assert_fact({**derived, "sid": sid})
                except MessageNotHandledException:
                    pass  # no rule looks at this derived fact: nothing more follows from it

        return action

    def _run_session(self, facts: list[Fact]) -> list[Firing]:
        """Assert facts in a fresh session and return every firing, in firing order."""
        sid = f"s{next(self._sessions)}"
        collector: list[Firing] = []
        self._collectors[sid] = collector
        self._seen[sid] = set()
        try:
            for fact in facts:
                try:
                    self._host.assert_fact(self.ruleset, {**fact, "sid": sid})
                except MessageNotHandledException:
                    pass  # no rule looks at this fact
                state = self._host.get_state(self.ruleset, sid)
                if "exception" in state:
                    raise RuleActionError(f"a rule action failed: {state['exception']}",
                                          key=str(fact.get("fid")))
        finally:
            try:
                self._host.delete_state(self.ruleset, sid)
            finally:
                del self._collectors[sid]
                del self._seen[sid]
        return collector

    def evaluate(self, facts: list[Fact]) -> list[Firing]:
        """All firings for ``facts`` (each carrying a distinct ``fid``), grouped by root fact."""
        keys = [self._key(f) for f in facts]
        with self._lock:
            missing = [f for f, k in zip(facts, keys, strict=True)
                       if not self.memoize or k not in self._cache]
            fresh: dict[str, list[Firing]] = {}
            if missing:
                for firing in self._run_session(missing):
                    fresh.setdefault(firing.fact["fid"], []).append(firing)
            out: list[Firing] = []
            for fact, key in zip(facts, keys, strict=True):
                fid = fact["fid"]
                if fid in fresh or not self.memoize or key not in self._cache:
                    firings = fresh.get(fid, [])
                    if self.memoize:
                        self._store(key, firings)
                    out.extend(firings)
                else:
                    self._cache.move_to_end(key)
                    out.extend(Firing(rule_id, {**stored, "fid": fid})
                               for rule_id, stored in self._cache[key])
            return out

    @staticmethod
    def _key(fact: Fact) -> str:
        return json.dumps({k: v for k, v in fact.items() if k not in _BOOKKEEPING},
                          sort_keys=True, ensure_ascii=False)

    def _store(self, key: str, firings: list[Firing]) -> None:
        self._cache[key] = [(f.rule_id, {k: v for k, v in f.fact.items() if k != "fid"})
                            for f in firings]
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


_RUNTIMES: dict[tuple[str, bool], RulesRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(book: Rulebook, *, memoize: bool = True) -> RulesRuntime:
    """The process-wide runtime of ``book`` (compiled and registered once)."""
    key = (book.rules_version, memoize)
    with _RUNTIMES_LOCK:
        if key not in _RUNTIMES:
            _RUNTIMES[key] = RulesRuntime(book, memoize=memoize)
        return _RUNTIMES[key]
