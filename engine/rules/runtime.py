"""The one durable-rules host of the process, and evaluation of facts through it.

durable-rules keeps global, per-process state (``docs/durable-rules.md``): a ruleset name
registers once per host, a host starts timer threads, at most 1,024 sessions may be live,
exceptions in actions are swallowed into the session state. So:

* one host per process, without its timer threads (actions run synchronously in the caller's
  thread, inside ``assert_fact``), created lazily under a lock;
* one ruleset per rulebook (named by its digest), compiled once;
* one session id per evaluation, its state deleted in ``finally``; every session starts with an
  anchor fact that a built-in rule accepts, because ``delete_state`` on a session whose every
  assertion was refused (``MessageNotHandledException``) reads uninitialised engine memory and
  can crash the process (reproduced with durable-rules 2.0.28; ``tests/test_stress.py``);
* one process-wide lock around every engine call, so any number of threads may call
  :meth:`RulesRuntime.evaluate`, on any number of runtimes;
* an action's exception is kept on the Python side and raised to the caller as
  :class:`~engine.errors.RuleActionError` right after the assertion that triggered it (the
  session state is checked too, as a safety net); a :class:`KeyboardInterrupt` (Ctrl-C, or a
  termination signal turned into one) is raised as itself, so it stops the caller instead of
  becoming a failed record;
* a rule fires once per fact: durable-rules expands ``$or`` into one variant per branch and
  fires every variant that matches, so an action ignores a second firing of the same rule on
  the same fact (same ``fid``, kind and derivation).

Memoisation. Every rule tests exactly one fact and a derived fact is built from the fact it
came from, so the firings of a root fact depend on that fact alone, and within it only on the
attributes some rule tests (names and other free text never are: the rule loader refuses
tests on them). Firings are therefore memoised per root fact under the values of the tested
attributes (bounded LRU): two leads whose products differ only by name share one engine run.
A cached firing is stored as the attributes it adds to its root fact (``kind``, ``type``,
``status``, ``via``…) and rebuilt on the new root, so names and counts are always the
caller's own. Pass ``memoize=False`` to send every fact through the engine (the stress and
differential tests do).
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple

from durable.engine import Host, MessageNotHandledException

from engine.errors import RuleActionError
from engine.rules.compiler import compile_rule
from engine.rules.facts import DERIVED_FROM
from engine.rules.rulebook import Rule, Rulebook

Fact = dict[str, Any]

_MISSING = ("__missing__",)
"""Stands for an absent attribute in a memo key (no rule test matches an absent attribute)."""

_ANCHOR_KIND = "__session__"
"""The kind of the fact that opens every session; no rule of a rulebook can test it."""

_ANCHOR_RULE = "__session__"
"""The built-in rule that accepts the anchor fact (rule ids of a rulebook start with a letter)."""

_ENGINE_LOCK = threading.Lock()
"""Serialises every call into durable-rules: its C core and Python layer are not thread-safe."""


class Firing(NamedTuple):
    """A rule that fired, and the fact it fired on (``fid`` names the root fact).

    A named tuple: an assessment recalls dozens of firings from the memo, and a tuple is built
    several times faster than a frozen dataclass."""

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


def _accept_anchor(c: Any) -> None:
    """The action of the anchor rule: nothing to record."""


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


def _identity(fact: Fact) -> tuple[str, str, str]:
    """What tells two facts of one evaluation apart: their root's ``fid``, their kind and derivation."""
    return (str(fact["fid"]), str(fact["kind"]), str(fact.get("via") or ""))


def _via(fact: Fact, rule_id: str) -> str:
    """The chain of rules that derived a fact, for the trace (``classify_x>applicability_y``)."""
    return f"{fact['via']}>{rule_id}" if fact.get("via") else rule_id


def tested_attributes(book: Rulebook, rules: Iterable[Rule] | None = None) -> tuple[str, ...]:
    """Every fact attribute the compiled ``rules`` (default: all) can look at, ``kind`` first (the memo key)."""
    attrs = {attr for rule in (book.rules.values() if rules is None else rules) for attr in rule.tested_attributes()}
    attrs.discard("kind")
    return ("kind", *sorted(attrs))


_Stored = list[tuple[str, Fact]]
"""A memoised firing list: rule id and what the fired-on fact adds to its root fact."""


class RulesRuntime:
    """Evaluates facts against one compiled rulebook; safe to call from several threads."""

    _ruleset_counter = itertools.count()

    def __init__(self, book: Rulebook, *, memoize: bool = True, cache_size: int = 4096,
                 rules: list[Rule] | None = None) -> None:
        """``rules`` (default: every rule of ``book``) are the rules this runtime evaluates."""
        self.book = book
        self.memoize = memoize
        self._cache_size = cache_size
        self._cache: OrderedDict[Hashable, _Stored] = OrderedDict()
        self._added: dict[tuple[tuple[str, Any], ...], Fact] = {}
        chosen = {r.id: r for r in (book.rules.values() if rules is None else rules)}
        self._key_attrs = tested_attributes(book, chosen.values())
        self._sessions = itertools.count(1)
        self._collectors: dict[str, list[Firing]] = {}
        self._seen: dict[str, set[tuple[str, str, str, str]]] = {}
        self._errors: dict[str, tuple[str, BaseException]] = {}
        self._asserted: set[tuple[str, str, str]] = set()
        self._asserted_by_fid: dict[str, tuple[str, str, str]] = {}
        self.ruleset = f"algo_filing_{book.digest}_{next(self._ruleset_counter)}"
        self._host = _host()
        definition = {rule_id: compile_rule(rule) for rule_id, rule in sorted(chosen.items())}
        definition[_ANCHOR_RULE] = {"all": [{"m": {"kind": _ANCHOR_KIND}}], "run": _ANCHOR_RULE}
        with _HOST_LOCK, _ENGINE_LOCK:
            for rule_id, rule in chosen.items():
                self._host._actions[f"{self.ruleset}:{rule_id}"] = self._make_action(rule)
            self._host._actions[f"{self.ruleset}:{_ANCHOR_RULE}"] = _accept_anchor
            for rule_def in definition.values():
                rule_def["run"] = f"{self.ruleset}:{rule_def['run']}"
            self._host.set_rulesets({self.ruleset: definition})

    def _make_action(self, rule: Rule) -> Callable[[Any], None]:
        """The Python action of one rule: record the firing, assert what it derives."""
        collectors = self._collectors
        seen = self._seen
        errors = self._errors

        def action(c: Any) -> None:
            fact: Fact = dict(c.m._d)
            sid = fact.pop("sid")
            try:
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
            except BaseException as exc:
                errors.setdefault(sid, (rule.id, exc))
                raise

        return action

    def _raise_if_failed(self, sid: str, fid: str) -> None:
        recorded = self._errors.get(sid)
        if recorded is not None:
            rule_id, exc = recorded
            if not isinstance(exc, Exception):
                raise exc  # Ctrl-C or a termination signal inside an action: not a rule's failure
            raise RuleActionError(f"the action of rule '{rule_id}' failed: {type(exc).__name__}: {exc}",
                                  key=fid) from exc

    def _run_session(self, facts: list[Fact]) -> list[Firing]:
        """Assert facts in a fresh session and return every firing, in firing order."""
        if not facts:
            return []
        sid = f"s{next(self._sessions)}"
        self._asserted = {_identity(f) for f in facts}
        self._asserted_by_fid = {str(f["fid"]): _identity(f) for f in facts}
        collector: list[Firing] = []
        self._collectors[sid] = collector
        self._seen[sid] = set()
        try:
            self._host.assert_fact(self.ruleset, {"kind": _ANCHOR_KIND, "fid": _ANCHOR_KIND, "sid": sid})
            for fact in facts:
                fid = str(fact.get("fid"))
                try:
                    self._host.assert_fact(self.ruleset, {**fact, "sid": sid})
                except MessageNotHandledException:
                    pass  # no rule looks at this fact
                except Exception as exc:
                    self._raise_if_failed(sid, fid)
                    raise RuleActionError(f"the rules engine failed: {type(exc).__name__}: {exc}",
                                          key=fid) from exc
                self._raise_if_failed(sid, fid)
            state = self._host.get_state(self.ruleset, sid)
            if "exception" in state:
                raise RuleActionError(f"a rule action failed: {state['exception']}")
        finally:
            try:
                self._host.delete_state(self.ruleset, sid)
            finally:
                del self._collectors[sid]
                del self._seen[sid]
                self._errors.pop(sid, None)
        return collector

    def evaluate(self, facts: list[Fact]) -> list[Firing]:
        """All firings for ``facts`` (each carrying a distinct ``fid``), grouped by root fact."""
        return [firing for firings in self.evaluate_each(facts) for firing in firings]

    def evaluate_each(self, facts: list[Fact]) -> list[list[Firing]]:
        """The firings of each of ``facts`` (told apart by ``fid``, kind and ``via``): for each fact, every
        firing on it and on the facts derived from it."""
        keys: list[Hashable | None] = [self._key(f) if self.memoize else None for f in facts]
        with _ENGINE_LOCK:
            grouped = self._run_missing(facts, keys)
            return [self._recall(fact, key, grouped) for fact, key in zip(facts, keys, strict=True)]

    def _run_missing(self, facts: list[Fact], keys: list[Hashable | None]) -> dict[tuple[str, str, str], list[Firing]]:
        """Run the facts the memo lacks through the engine, memoise them, and return their firings.

        Of several facts with one memo key only the first is run; the others are rebuilt from its
        memoised firings (a document of a hundred alike products costs one engine run per kind of
        fact, not a hundred). One the memo could not keep is run in the next round.
        """
        grouped: dict[tuple[str, str, str], list[Firing]] = {}
        pending = [(f, k) for f, k in zip(facts, keys, strict=True) if k is None or k not in self._cache]
        while pending:
            batch: list[tuple[Fact, Hashable | None]] = []
            later: list[tuple[Fact, Hashable | None]] = []
            chosen: set[Hashable] = set()
            for fact, key in pending:
                (later if key is not None and key in chosen else batch).append((fact, key))
                chosen.add(key)
            for firing in self._run_session([f for f, _ in batch]):
                grouped.setdefault(self._root_of(firing.fact), []).append(firing)
            for fact, key in batch:
                if key is not None:
                    self._store(key, fact, grouped.get(_identity(fact), []))
            pending = [(f, k) for f, k in later if k not in self._cache]
        return grouped

    def _recall(self, fact: Fact, key: Hashable | None, grouped: dict[tuple[str, str, str], list[Firing]],
                ) -> list[Firing]:
        """The firings of one fact: as just run, else rebuilt from the memo on this fact."""
        stored = None if key is None else self._cache.get(key)
        if stored is None or (grouped and _identity(fact) in grouped):
            return grouped.get(_identity(fact), []) if grouped else []
        self._cache.move_to_end(key)
        return [Firing(rule_id, {**fact, **added} if added else fact) for rule_id, added in stored]

    def _root_of(self, fired_on: Fact) -> tuple[str, str, str]:
        """The identity of the asserted fact a firing belongs to: a derived fact belongs to its root
        (the asserted fact of its ``fid``); facts asserted as they are (derived ones too) to themselves."""
        identity = _identity(fired_on)
        return identity if identity in self._asserted else self._asserted_by_fid[identity[0]]

    def _shared(self, added: Fact) -> Fact:
        """One object per distinct set of added attributes (few: one per chain of derivations).

        Many cached firings add the same attributes (every rule on one derived fact does), so
        sharing them keeps a full cache at a few MiB instead of tens. Never mutated.
        """
        try:
            signature = tuple(sorted(added.items()))
            return self._added.setdefault(signature, added)
        except TypeError:  # an unhashable value: keep this one unshared
            return added

    def _key(self, fact: Fact) -> Hashable:
        """The values of every attribute this runtime's rules test (``_MISSING`` where absent)."""
        return tuple(map(fact.get, self._key_attrs, itertools.repeat(_MISSING)))

    def _store(self, key: Hashable, root: Fact, firings: list[Firing]) -> None:
        stored: _Stored = []
        for firing in firings:
            if any(k not in firing.fact for k in root):
                return  # a fired-on fact lost a root attribute: not rebuildable, do not cache
            added = {k: v for k, v in firing.fact.items() if k not in root or root[k] != v}
            stored.append((firing.rule_id, self._shared(added)))
        self._cache[key] = stored
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _derives(rule: Rule) -> bool:
    return rule.then.classify is not None or rule.then.filing is not None


def partition(rules: Iterable[Rule]) -> list[tuple[str, list[Rule]]]:
    """Rules that derive no fact, in groups of one fact kind whose tested attributes are those of its
    widest rule: every rule joins the narrowest group that tests all it tests (or opens one)."""
    groups: list[tuple[str, set[str], list[Rule]]] = []
    for rule in sorted(rules, key=lambda r: (-len(r.tested_attributes()), sorted(r.tested_attributes()), r.id)):
        attrs = set(rule.tested_attributes())
        fits = [g for g in groups if g[0] == rule.when.fact and attrs <= g[1]]
        if fits:
            min(fits, key=lambda g: len(g[1]))[2].append(rule)
        else:
            groups.append((str(rule.when.fact), attrs, [rule]))
    return [(kind, members) for kind, _, members in groups]


class PartitionedRuntime:
    """The memoised evaluation: durable-rules evaluates every rule, its verdicts memoised finely.

    The rules that derive facts (``classify``, ``filing``) run in one ruleset, memoised per root
    fact under the attributes *they* test; every other rule tests one fact (root or derived) and
    derives nothing, so its firing is a function of that fact's attributes that it tests alone.
    Those rules run in rulesets of a few rules each (:func:`partition`), each memoised under its
    own few attributes. Answers never seen before thus mostly combine verdicts already seen
    (a new user group changes the key of the few rules that test user groups, not of all).
    Firings come out root by root: the deriving rules' first, then the others'.
    """

    def __init__(self, book: Rulebook, *, cache_size: int = 4096) -> None:
        self.book = book
        self.memoize = True
        self.derive = RulesRuntime(book, cache_size=cache_size, rules=[r for r in book.rules.values() if _derives(r)])
        self.parts: dict[str, list[RulesRuntime]] = {}
        for kind, rules in partition(r for r in book.rules.values() if not _derives(r)):
            self.parts.setdefault(kind, []).append(RulesRuntime(book, cache_size=cache_size, rules=rules))

    def evaluate(self, facts: list[Fact]) -> list[Firing]:
        """All firings for root ``facts`` (each carrying a distinct ``fid``), root by root."""
        first = self.derive.evaluate_each(facts)
        inputs: list[Fact] = []
        owner: list[int] = []
        for index, (root, firings) in enumerate(zip(facts, first, strict=True)):
            seen: set[tuple[str, str, str]] = set()
            for firing in [Firing("", root), *firings]:
                derived = firing.fact if not firing.rule_id else _derived(self.book.rules[firing.rule_id], firing.fact)
                if derived is not None and (identity := _identity(derived)) not in seen:
                    seen.add(identity)
                    inputs.append(derived)
                    owner.append(index)
        later: list[list[Firing]] = [[] for _ in facts]
        for kind, parts in self.parts.items():
            chosen = [j for j, fact in enumerate(inputs) if fact["kind"] == kind]
            of_kind = [inputs[j] for j in chosen]
            for part in parts:
                for j, firings in zip(chosen, part.evaluate_each(of_kind), strict=True):
                    later[owner[j]].extend(firings)
        return [firing for index in range(len(facts)) for firing in (*first[index], *later[index])]


_RUNTIMES: dict[tuple[str, bool], list[RulesRuntime | PartitionedRuntime]] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(book: Rulebook, *, memoize: bool = True) -> RulesRuntime | PartitionedRuntime:
    """The process-wide runtime of ``book`` (compiled and registered once per distinct rulebook)."""
    key = (book.rules_version, memoize)
    with _RUNTIMES_LOCK:
        runtimes = _RUNTIMES.setdefault(key, [])
        for runtime in runtimes:
            if runtime.book is book:
                return runtime
        for runtime in runtimes:
            if runtime.book == book:
                return runtime
        runtime = PartitionedRuntime(book) if memoize else RulesRuntime(book, memoize=False)
        runtimes.append(runtime)
        return runtime
