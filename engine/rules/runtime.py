"""The one durable-rules host of the process, and evaluation of facts through it.

durable-rules keeps global, per-process state (``docs/durable-rules.md``): a ruleset name
registers once per host, a host starts timer threads, at most 1,024 sessions may be live,
exceptions in actions are swallowed into the session state. So:

* one host per process, without its timer threads (actions run synchronously in the caller's
  thread, inside ``assert_fact``), created lazily under a lock;
* one ruleset per rulebook and mode (named by its digest), compiled once: the rules as they are
  (``memoize=False``), and the same rules each gated on an attribute of its group of rules for
  the memoised evaluation (:class:`PartitionedRuntime`);
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
attributes (bounded LRU): two leads whose products differ only by name share one engine run;
:class:`PartitionedRuntime` memoises each group of rules under the few attributes it tests.
A cached firing is stored as the attributes it adds to its root fact (``kind``, ``type``,
``status``, ``via``…) and rebuilt on the new root, so names and counts are always the
caller's own. Pass ``memoize=False`` to send every fact through the engine (the stress and
differential tests do).
"""

from __future__ import annotations

import itertools
import operator
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

_NOTHING_ADDED: Fact = {}
"""What a firing on the memoised fact itself adds to it (shared, never mutated)."""

_Interned = dict[tuple[tuple[str, Any], ...], Fact]
"""One object per distinct set of added attributes, shared by the memos of one runtime."""


_new_tuple = tuple.__new__


def _rebuilt(stored: _Stored, fact: Fact) -> list[Firing]:
    """Memoised firings on ``fact``: each fired-on fact is ``fact`` with what the firing added.

    Built by ``tuple.__new__``: a named tuple's own constructor is a Python function, and an
    assessment rebuilds dozens of firings."""
    if not stored:
        return []
    return [_new_tuple(Firing, (rule_id, {**fact, **added} if added else fact)) for rule_id, added in stored]


class _Memo:
    """Firings memoised per fact under the values of the attributes some rules test (bounded LRU).

    A firing is kept as what its fired-on fact adds to the fact it was memoised on and rebuilt
    on the caller's fact (:meth:`recall`), so names and counts are always the caller's own."""

    def __init__(self, attrs: tuple[str, ...], size: int, interned: _Interned) -> None:
        self.attrs = attrs
        self._size = size
        self._cache: OrderedDict[Hashable, _Stored] = OrderedDict()
        self._interned = interned

    def __contains__(self, key: Hashable) -> bool:
        return key in self._cache

    def key(self, fact: Fact) -> Hashable:
        """The values of every attribute this memo's rules test (``_MISSING`` where absent)."""
        return tuple(map(fact.get, self.attrs, itertools.repeat(_MISSING)))

    def recall(self, key: Hashable, fact: Fact) -> list[Firing] | None:
        """The firings memoised under ``key`` rebuilt on ``fact``; ``None`` when the memo lacks them."""
        stored = self._cache.get(key)
        if stored is None:
            return None
        self._cache.move_to_end(key)
        return _rebuilt(stored, fact)

    def store(self, key: Hashable, root: Fact, firings: list[Firing]) -> None:
        """Memoise the firings of ``root`` (on it and on facts derived from it) under ``key``."""
        stored = self._stored(root, firings)
        if stored is None:
            return  # a fired-on fact lost a root attribute: not rebuildable, do not cache
        self._cache[key] = stored
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)

    def rebuilt(self, root: Fact, firings: list[Firing], fact: Fact) -> list[Firing] | None:
        """The firings of ``root`` rebuilt on ``fact`` (of the same key) as :meth:`recall` would; ``None``
        when they cannot be."""
        stored = self._stored(root, firings)
        return None if stored is None else _rebuilt(stored, fact)

    def _stored(self, root: Fact, firings: list[Firing]) -> _Stored | None:
        """What each firing's fact adds to ``root``; ``None`` if one lost an attribute of ``root``."""
        stored: _Stored = []
        for rule_id, fact in firings:
            if fact == root:  # most firings: on the fact itself
                stored.append((rule_id, _NOTHING_ADDED))
                continue
            if not fact.keys() >= root.keys():
                return None
            added = {k: v for k, v in fact.items() if k not in root or root[k] != v}
            stored.append((rule_id, self._shared(added)))
        return stored

    def _shared(self, added: Fact) -> Fact:
        """One object per distinct set of added attributes (few: one per chain of derivations).

        Many cached firings add the same attributes (every rule on one derived fact does), so
        sharing them keeps a full cache at a few MiB instead of tens. Never mutated.
        """
        try:
            signature = tuple(sorted(added.items()))
            return self._interned.setdefault(signature, added)
        except TypeError:  # an unhashable value: keep this one unshared
            return added


class RulesRuntime:
    """Evaluates facts against one compiled rulebook; safe to call from several threads."""

    _ruleset_counter = itertools.count()

    def __init__(self, book: Rulebook, *, rules: list[Rule] | None = None, gates: dict[str, str] | None = None,
                 gates_of: Callable[[Fact], dict[str, int]] | None = None, sent: Iterable[str] = ()) -> None:
        """``rules`` (default: every rule of ``book``) are the rules this runtime evaluates, every fact
        through the engine (:class:`PartitionedRuntime` is the memoised evaluation).

        ``gates`` (rule id -> attribute name) makes each rule also test that its gate attribute is
        1, so a fact fires only the rules whose gates it carries; ``gates_of`` gives those of each
        fact a rule derives (the caller decides, fact by fact, which rules need running). Such a
        runtime asserts a fact with only the attributes in ``sent`` (those some rule tests: the
        engine's JSON is most of its cost) and records each firing on the whole fact: the one the
        caller put in :attr:`originals`, or the one a rule derived from it."""
        self.book = book
        chosen = {r.id: r for r in (book.rules.values() if rules is None else rules)}
        self._gates = gates or {}
        self._gate_names = frozenset(self._gates.values())
        self._gates_of = gates_of
        self._sent = frozenset({*sent, "fid", "kind", "via"})
        self.originals: dict[tuple[str, str, str], Fact] = {}
        """The whole facts of the current session by ``fid``, kind and ``via`` (those a gated runtime's caller
        asserts in part, then the ones rules derive); emptied when the session ends."""
        self._sessions = itertools.count(1)
        self._collectors: dict[str, list[Firing]] = {}
        self._seen: dict[str, set[tuple[str, str, str, str]]] = {}
        self._errors: dict[str, tuple[str, BaseException]] = {}
        self._asserted: set[tuple[str, str, str]] = set()
        self._asserted_by_fid: dict[str, tuple[str, str, str]] = {}
        self.ruleset = f"algo_filing_{book.digest}_{next(self._ruleset_counter)}"
        self._host = _host()
        definition = {rule_id: self._compiled(rule) for rule_id, rule in sorted(chosen.items())}
        definition[_ANCHOR_RULE] = {"all": [{"m": {"kind": _ANCHOR_KIND}}], "run": _ANCHOR_RULE}
        with _HOST_LOCK, _ENGINE_LOCK:
            for rule_id, rule in chosen.items():
                self._host._actions[f"{self.ruleset}:{rule_id}"] = (
                    self._make_action(rule))
            self._host._actions[f"{self.ruleset}:{_ANCHOR_RULE}"] = _accept_anchor
            for rule_def in definition.values():
                rule_def["run"] = f"{self.ruleset}:{rule_def['run']}"
            self._host.set_rulesets({self.ruleset: definition})

    def _compiled(self, rule: Rule) -> dict[str, Any]:
        """The rule's durable-rules definition, testing its gate (if any) right after the fact's kind."""
        compiled = compile_rule(rule)
        gate = self._gates.get(rule.id)
        if gate is not None:
            match = compiled["all"][0]["m"]
            tests = match["$and"] if "$and" in match else [match]
            compiled["all"][0]["m"] = {"$and": [tests[0], {gate: 1}, *tests[1:]]}
        return compiled

    def sent(self, fact: Fact) -> Fact:
        """The attributes of ``fact`` this runtime asserts: a gated one only those in ``sent`` (see the
        constructor), an ungated one the whole fact."""
        sent = self._sent
        return {k: v for k, v in fact.items() if k in sent} if self._gates else fact

    def _make_action(self, rule: Rule) -> Callable[[Any], None]:
        """The Python action of one rule: record the firing on the whole fact (:attr:`originals`, else the
        asserted one less the session id and gates), assert what it derives (with its gates, if any)."""
        collectors = self._collectors
        seen = self._seen
        errors = self._errors
        originals = self.originals
        gate_names = self._gate_names
        gates_of = self._gates_of or (lambda fact: {})
        sent = self.sent

        def action(c: Any) -> None:
            asserted: Fact = c.m._d
            sid = asserted["sid"]
            try:
                whole = (str(asserted["fid"]), str(asserted["kind"]), str(asserted.get("via", "")))
                identity = (rule.id, *whole)
                if identity in seen[sid]:
                    return  # another branch of an `any` matched the same fact
                seen[sid].add(identity)
                fact = originals.get(whole)
                if fact is None:  # asserted whole by the caller
                    fact = {k: v for k, v in asserted.items() if k != "sid" and k not in gate_names}
                collectors[sid].append(Firing(rule.id, fact))
                derived = _derived(rule, fact)
                if derived is not None:
                    originals[_identity(derived)] = derived
                    try:
                        c.assert_fact({**sent(derived), **gates_of(derived), "sid": sid})
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
                self.originals.clear()  # the session's facts: kept by none past it
        return collector

    def _grouped(self, firings: list[Firing]) -> dict[tuple[str, str, str], list[Firing]]:
        """The firings of the last session by the asserted fact each belongs to, in firing order."""
        grouped: dict[tuple[str, str, str], list[Firing]] = {}
        for firing in firings:
            grouped.setdefault(self._root_of(firing.fact), []).append(firing)
        return grouped

    def evaluate(self, facts: list[Fact]) -> list[Firing]:
        """All firings for ``facts`` (each carrying a distinct ``fid``), grouped by root fact."""
        return [firing for firings in self.evaluate_each(facts) for firing in firings]

    def evaluate_each(self, facts: list[Fact]) -> list[list[Firing]]:
        """The firings of each of ``facts`` (told apart by ``fid``, kind and ``via``): for each fact, every
        firing on it and on the facts derived from it, from one session."""
        with _ENGINE_LOCK:
            grouped = self._grouped(self._run_session(facts))
        return [grouped.get(_identity(fact), []) for fact in facts]

    def _root_of(self, fired_on: Fact) -> tuple[str, str, str]:
        """The identity of the asserted fact a firing belongs to: a derived fact belongs to its root
        (the asserted fact of its ``fid``); facts asserted as they are (derived ones too) to themselves."""
        identity = _identity(fired_on)
        return identity if identity in self._asserted else self._asserted_by_fid[identity[0]]


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


def _keys_of(memos: list[_Memo]) -> Callable[[Fact], list[Hashable]]:
    """The keys of one fact in each of ``memos`` (those of one fact kind), from one pass over the fact.

    The attributes the memos test overlap (``kind``, ``status``, ``role``, ``as_of``…), so each is
    read once and every memo's key picked from those values."""
    union = tuple(sorted({attr for memo in memos for attr in memo.attrs}))
    pickers = [operator.itemgetter(*(union.index(attr) for attr in memo.attrs)) for memo in memos]

    def keys(fact: Fact) -> list[Hashable]:
        values = tuple(map(fact.get, union, itertools.repeat(_MISSING)))
        return [pick(values) for pick in pickers]

    return keys


_Identity = tuple[str, str, str]

_Entry = tuple[Hashable, list[Firing] | None]
"""A fact's plan for one group: its key, and its firings rebuilt from the memo (``None``: to run)."""

_TWIN: list[Firing] = []
"""Marks, in a round's plan, a group whose firings on a fact are rebuilt from another fact's run."""

_DERIVE_GATE = "__gate_derive"
"""The gate of the rules that derive facts (a fact's attribute; no rule of a rulebook can test it)."""


class PartitionedRuntime:
    """The memoised evaluation: durable-rules evaluates every rule, its verdicts memoised finely.

    The rules that derive facts (``classify``, ``filing``) are memoised per root fact under the
    attributes *they* test; every other rule tests one fact (root or derived) and derives
    nothing, so its firing is a function of that fact's attributes that it tests alone. Those
    rules are memoised in groups of a few rules each (:func:`partition`), each group under its own
    few attributes. Answers never seen before thus mostly combine verdicts already seen (a new
    user group changes the key of the few rules that test user groups, not of all).

    What the memos lack goes through the engine in one session per call, not one per group of
    rules (about two per unseen document before): one ruleset holds every rule, each gated on an
    attribute of its group (:class:`RulesRuntime` ``gates``), and each fact asserted carries the
    gates of the groups the memos lack for it, so only those rules fire, as before in a ruleset of
    their own. A root the derive memo lacks is asserted with the deriving rules' gate, and each fact
    derived from it in the session gets its own missing groups' gates as it is derived. A group
    runs once per key in a call (a second fact with that key is rebuilt from the first's run); of
    roots the derive memo lacks that are alike in every tested attribute only the first is run.
    Facts go to the engine with only the attributes some rule tests (its JSON is most of its cost);
    firings are recorded on the whole facts. Firings come out root by root: the deriving rules'
    first, then the others' group by group, each in the order the engine fired them.
    """

    def __init__(self, book: Rulebook, *, cache_size: int = 4096) -> None:
        self.book = book
        interned: _Interned = {}
        deriving = [r for r in book.rules.values() if _derives(r)]
        self._deriving = frozenset(r.id for r in deriving)
        self.derive = _Memo(tested_attributes(book, deriving), cache_size, interned)
        self._whole = tested_attributes(book)
        self.groups: list[_Memo] = []
        self._group_of: dict[str, int] = {}
        """Each non-deriving rule's group: its index in :attr:`groups`, and in its gate's name."""
        of_kind: dict[str, list[int]] = {}
        for kind, rules in partition(r for r in book.rules.values() if not _derives(r)):
            of_kind.setdefault(kind, []).append(len(self.groups))
            self._group_of.update(dict.fromkeys((r.id for r in rules), len(self.groups)))
            self.groups.append(_Memo(tested_attributes(book, rules), cache_size, interned))
        self._kinds = {kind: (indices, _keys_of([self.groups[i] for i in indices]))
                       for kind, indices in of_kind.items()}
        self._gate_names = [f"__gate_{index}" for index in range(len(self.groups))]
        self._plan: dict[_Identity, list[_Entry]] = {}
        """For each fact of the current round, for each group of its kind: the fact's key, and its
        firings rebuilt from the memo (``None``: to run; :data:`_TWIN`: rebuilt from a twin's run)."""
        self._claimed: dict[tuple[int, Hashable], tuple[Fact, _Identity]] = {}
        """The fact of the current round that runs each group under each key."""
        self._twins = True
        gates = dict.fromkeys(self._deriving, _DERIVE_GATE)
        gates.update((rule_id, self._gate_names[index]) for rule_id, index in self._group_of.items())
        self.engine = RulesRuntime(book, gates=gates, gates_of=self._derived_gates,
                                   sent=self._whole)

    def evaluate(self, facts: list[Fact]) -> list[Firing]:
        """All firings for root ``facts`` (each carrying a distinct ``fid``), root by root."""
        done: list[list[Firing]] = [[] for _ in facts]
        pending = list(range(len(facts)))
        twins = True
        with _ENGINE_LOCK:
            try:
                while pending:
                    pending, twins = self._round(facts, pending, done, twins)
            finally:  # the plan holds the call's facts and firings: keep none of them past it
                self._plan.clear()
                self._claimed.clear()
        return [firing for firings in done for firing in firings]

    def _round(self, facts: list[Fact], pending: list[int], done: list[list[Firing]], twins: bool,
               ) -> tuple[list[int], bool]:
        """Rebuild the ``pending`` roots the memos hold, run the others in one session; return the roots
        left for the next round, and whether that round may pair twins.

        A root the derive memo lacks waits for the next round if one alike in every tested attribute
        runs in this one; the memos then hold it. Any other fact whose group a fact of this round
        runs under the same key is that fact's twin: its firings are rebuilt from that run."""
        self._plan.clear()
        self._claimed.clear()
        self._twins = twins
        batch: dict[Hashable, tuple[int, list[Firing] | None, list[Fact]]] = {}
        later: list[int] = []
        asserted: list[Fact] = []
        for index in pending:
            root = facts[index]
            first = self.derive.recall(self.derive.key(root), root)
            if first is None:
                if (whole := tuple(map(root.get, self._whole, itertools.repeat(_MISSING)))) in batch:
                    later.append(index)  # rebuilt in the next round from what its twin's run memoised
                else:
                    asserted.append(self._asserting(root, {_DERIVE_GATE: 1, **self._planned(root)}))
                    batch[whole] = (index, None, [])
                continue
            inputs = self._inputs(root, first)
            looked = [(fact, *self._look(fact)) for fact in inputs if fact["kind"] in self._kinds]
            if all(complete for *_, complete in looked):
                done[index] = self._recalled(first, looked)
                continue
            for fact, gates, entries, _ in looked:
                self._plan[_identity(fact)] = entries
                if gates:
                    asserted.append(self._asserting(fact, gates))
            batch[index] = (index, first, inputs)
        run = self._session(asserted)
        ready = [(index, *self._ran(facts[index], first, inputs, run)) for index, first, inputs in batch.values()]
        failed = False
        for index, first, inputs in ready:
            firings = self._assemble(first, inputs, run)
            if firings is None:
                later.append(index)
                failed = True
            else:
                done[index] = firings
        return later, not failed

    def _recalled(self, first: list[Firing], looked: list[tuple[Fact, dict[str, int], list[_Entry], bool]],
                  ) -> list[Firing]:
        """The firings of a root whose every group the memos held (``looked``: its facts' plans), in the
        order of :meth:`_assemble`; extends ``first``."""
        if len(looked) == 1:  # most roots: one fact that groups of rules test
            for _, recalled in looked[0][2]:
                first += recalled or ()
            return first
        for kind, (indices, _) in self._kinds.items():
            of_kind = [entries for fact, _, entries, _ in looked if fact["kind"] == kind]
            for j in range(len(indices)):
                for entries in of_kind:
                    first += entries[j][1] or ()
        return first

    def _planned(self, fact: Fact) -> dict[str, int]:
        """:meth:`_look` at a fact that goes to the session, its plan kept for after it; its gates."""
        gates, entries, _ = self._look(fact)
        self._plan[_identity(fact)] = entries
        return gates

    def _look(self, fact: Fact) -> tuple[dict[str, int], list[_Entry], bool]:
        """Plan every group of ``fact``'s kind: its firings rebuilt from the memo, else the group's gate,
        unless a fact of this round already runs that group under the same key (a twin, rebuilt from
        that run). The gates, the plan, and whether the memos held every group."""
        gates: dict[str, int] = {}
        entries: list[_Entry] = []
        found = self._kinds.get(fact["kind"])
        if found is None:
            return gates, entries, True
        indices, keys_of = found
        identity = _identity(fact)
        complete = True
        for index, key in zip(indices, keys_of(fact), strict=True):
            recalled = self.groups[index].recall(key, fact)
            if recalled is None:
                complete = False
                if self._twins and (index, key) in self._claimed:
                    recalled = _TWIN
                else:
                    self._claimed[(index, key)] = (fact, identity)
                    gates[self._gate_names[index]] = 1
            entries.append((key, recalled))
        return gates, entries, complete

    def _derived_gates(self, derived: Fact) -> dict[str, int]:
        """The gates of a fact derived in a session: the deriving rules', and the missing groups'."""
        return {_DERIVE_GATE: 1, **self._planned(derived)}

    def _asserting(self, fact: Fact, gates: dict[str, int]) -> Fact:
        """``fact`` as the session asserts it (what rules test, and its ``gates``); kept whole for its firings."""
        self.engine.originals[_identity(fact)] = fact
        return {**self.engine.sent(fact), **gates}

    def _session(self, asserted: list[Fact]) -> dict[tuple[int, _Identity] | str, list[Firing]]:
        """Run the gated facts in one session: the deriving firings by ``fid``, the others by group and fact."""
        run: dict[tuple[int, _Identity] | str, list[Firing]] = {}
        fired = self.engine._run_session(asserted)
        for firing in fired:
            if firing.rule_id in self._deriving:
                run.setdefault(str(firing.fact["fid"]), []).append(firing)
            else:
                run.setdefault((self._group_of[firing.rule_id], _identity(firing.fact)), []).append(firing)
        return run

    def _ran(self, root: Fact, first: list[Firing] | None, inputs: list[Fact],
             run: dict[tuple[int, _Identity] | str, list[Firing]]) -> tuple[list[Firing], list[Fact]]:
        """Memoise what the session concluded on one root's facts; its deriving firings and facts."""
        if first is None:
            first = run.get(str(root["fid"]), [])
            self.derive.store(self.derive.key(root), root, first)
            inputs = self._inputs(root, first)
        for fact in inputs:
            found = self._kinds.get(fact["kind"])
            if found is None:
                continue
            identity = _identity(fact)
            for index, (key, recalled) in zip(found[0], self._plan[identity], strict=True):
                if recalled is None:
                    self.groups[index].store(key, fact, run.get((index, identity), []))
        return first, inputs

    def _inputs(self, root: Fact, first: list[Firing]) -> list[Fact]:
        """The root and every distinct fact its deriving firings derive, in firing order."""
        inputs = [root]
        seen = {_identity(root)}
        for firing in first:
            derived = _derived(self.book.rules[firing.rule_id], firing.fact)
            if derived is not None and (identity := _identity(derived)) not in seen:
                seen.add(identity)
                inputs.append(derived)
        return inputs

    def _assemble(self, first: list[Firing], inputs: list[Fact],
                  run: dict[tuple[int, _Identity] | str, list[Firing]]) -> list[Firing] | None:
        """The firings of one planned root (``inputs``: it and the facts derived from it): its deriving
        firings, then each group's on each of its facts, as rebuilt from the memo, or as ``run`` (on the
        fact, or on its twin); ``None`` if a twin's firings cannot be rebuilt on the fact."""
        firings = list(first)
        for kind, (indices, _) in self._kinds.items():
            of_kind = [(fact, _identity(fact)) for fact in inputs if fact["kind"] == kind]
            plans = [self._plan[identity] for _, identity in of_kind]
            for j, index in enumerate(indices):
                for (fact, identity), entries in zip(of_kind, plans, strict=True):
                    key, recalled = entries[j]
                    if recalled is None:
                        recalled = run.get((index, identity), [])
                    elif recalled is _TWIN:
                        twin, twin_identity = self._claimed[(index, key)]
                        recalled = self.groups[index].rebuilt(twin, run.get((index, twin_identity), []), fact)
                        if recalled is None:
                            return None
                    firings += recalled
        return firings


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
        runtime = PartitionedRuntime(book) if memoize else RulesRuntime(book)
        runtimes.append(runtime)
        return runtime
