"""The trace of an assessment: for every rule firing, its conclusions and the answers behind them.

Trace entries are many (one per firing), so the attribute sets are cached per rule, the answer
lists per (fact, attribute set) and each answer per path (one path, one value in a document).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from engine.model.assessment import AnswerUsed, TraceEntry
from engine.model.base import trusted
from engine.rules.facts import RootFact
from engine.rules.rulebook import Rule, Rulebook

_RULE_ATTRS: dict[tuple[str, str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
"""Per rulebook version, rule and derivation: the deriving rules and every attribute tested
(computed once per process)."""

_ATTR_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}
"""One object per distinct attribute tuple, never dropped: rules that test the same attributes share
it, so the answers of a fact are looked up by the tuple's id."""


class Tracer:
    """Collects the trace entries of one assessment."""

    def __init__(self, book: Rulebook, roots: dict[str, RootFact]) -> None:
        self.book = book
        self.version = book.rules_version
        self.roots = roots
        self._pending: list[tuple[Sequence[str | Hashable], str, str, tuple[str, ...], tuple[AnswerUsed, ...]]] = []
        self._used_cache: dict[tuple[str, int], tuple[AnswerUsed, ...]] = {}
        self._answer_cache: dict[str, AnswerUsed] = {}

    def _attrs(self, rule_id: str, via: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The rules that derived a fact (``via``), and every attribute they and ``rule_id`` test."""
        key = (self.version, rule_id, via)
        found = _RULE_ATTRS.get(key)
        if found is None:
            chain = tuple(r for r in via.split(">") if r)
            attrs: dict[str, None] = {}
            for name in (*chain, rule_id):
                attrs.update(dict.fromkeys(self.book.rules[name].tested_attributes()))
            tested = tuple(attrs)
            found = _RULE_ATTRS[key] = (chain, _ATTR_SETS.setdefault(tested, tested))
        return found

    def _answers_used(self, rule_id: str, fid: str, via: str) -> tuple[tuple[str, ...], tuple[AnswerUsed, ...]]:
        """The answers behind every attribute the rule (and the rules that derived its fact) tested.

        Trace entries are many (one per rule firing), so the attribute sets are cached per rule
        and derivation, the answer lists per (fact, attribute set) and each answer per path (one
        path, one value in a document).
        """
        chain, attrs = self._attrs(rule_id, via)
        key = (fid, id(attrs))  # the attribute tuples live in _RULE_ATTRS: an id names one for good
        used = self._used_cache.get(key)
        if used is None:
            sources = self.roots[fid].sources
            values = {source.path: source.value for attr in attrs if (source := sources.get(attr)) is not None}
            used = self._used_cache[key] = tuple(self._answer(p, values[p]) for p in sorted(values))
        return chain, used

    def _answer(self, path: str, value: Any) -> AnswerUsed:
        answer = self._answer_cache.get(path)
        if answer is None:
            answer = self._answer_cache[path] = trusted(AnswerUsed, path=path, value=_jsonable(value))
        return answer

    def add(self, conclusions: Sequence[str | Hashable], rule: Rule, fact: dict[str, Any]) -> None:
        """Trace one firing; a conclusion that is not text is an algorithm still to be named."""
        fid = fact["fid"]
        self._pending.append((conclusions, rule.id, fid, *self._answers_used(rule.id, fid, fact.get("via") or "")))

    def entries(self, algorithm: Callable[[Any], str]) -> tuple[TraceEntry, ...]:
        """The trace, sorted; ``algorithm`` names the algorithm a non-text conclusion joined."""
        return tuple(
            trusted(TraceEntry, conclusions=tuple([c if isinstance(c, str) else algorithm(c) for c in conclusions]),
                    rule=rule, fact=fid, via=via, answers=used)
            for conclusions, rule, fid, via, used in sorted(self._pending, key=lambda t: (t[1], t[2], t[3])))



def _jsonable(value: Any) -> Any:
    """An answer as it appears in the trace: dates as ISO text, lists as tuples (never changed)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return tuple(_jsonable(v) for v in value)
    return value
