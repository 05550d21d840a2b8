"""The trace of an assessment: for every rule firing, its conclusions and the answers behind them.

Trace entries are many (one per firing), so a firing only records its rule, fact, derivation and
conclusions (:meth:`Tracer.add`); the answers behind it are looked up once per fact and set of
tested attributes when the entries are built (:meth:`Tracer.entries`), and each answer once per path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, cast

from engine.model.assessment import AnswerUsed, TraceEntry
from engine.model.base import trusted
from engine.model.contract_json import TraceTables
from engine.pipeline.yields import dropped_conclusions
from engine.rules.facts import RootFact
from engine.rules.rulebook import Rulebook

_RULE_ATTRS: dict[tuple[str, str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
"""Per rulebook version, rule and derivation: the deriving rules and every attribute tested
(computed once per process)."""

_ATTR_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}
"""One object per distinct attribute tuple, never dropped: rules that test the same attributes share
it, so the answers of a fact are looked up by the tuple's id."""


def trace_attributes(book: Rulebook, rule_id: str, via: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rules that derived a fact (``via``, ``a>b``), and every attribute they and ``rule_id`` test:
    the answers a firing of ``rule_id`` on that fact rests on. The attribute tuple is shared by every
    rule and derivation that test the same attributes."""
    key = (book.rules_version, rule_id, via)
    found = _RULE_ATTRS.get(key)
    if found is None:
        chain = tuple(r for r in via.split(">") if r)
        attrs: dict[str, None] = {}
        for name in (*chain, rule_id):
            attrs.update(dict.fromkeys(book.rules[name].tested_attributes()))
        tested = tuple(attrs)
        found = _RULE_ATTRS[key] = (chain, _ATTR_SETS.setdefault(tested, tested))
    return found


_Pending = tuple[str, str, tuple[str, ...], int, tuple[str, ...], Sequence[str | Hashable], bool]
"""A firing as recorded: rule, fact, derivation, the firing's number (so that sorting compares no
further), attributes tested, conclusions, and whether one of them is an algorithm still to be named."""


class Tracer:
    """Collects the trace entries of one assessment."""

    def __init__(self, book: Rulebook, roots: dict[str, RootFact]) -> None:
        self.book = book
        self.roots = roots
        self._pending: list[_Pending] = []

    def add(self, conclusions: Sequence[str | Hashable], rule_id: str, fid: str, chain: tuple[str, ...],
            attrs: tuple[str, ...], *, names_algorithm: bool = False) -> None:
        """Trace one firing (``chain`` and ``attrs`` of :func:`trace_attributes`). With
        ``names_algorithm`` a conclusion that is not text is an algorithm still to be named; without
        it ``conclusions`` is a tuple of texts, kept as it is."""
        pending = self._pending
        pending.append((rule_id, fid, chain, len(pending), attrs, conclusions, names_algorithm))

    def _sorted(self, algorithm: Callable[[Any], str],
                ) -> Iterator[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
        """Every firing recorded, by rule, fact and derivation, then in firing order: its rule, fact,
        derivation, tested attributes and conclusions, each algorithm named by ``algorithm``."""
        self._pending.sort()
        for rule, fid, chain, _, attrs, conclusions, names_algorithm in self._pending:
            named = (tuple([c if isinstance(c, str) else algorithm(c) for c in conclusions]) if names_algorithm
                     else cast(tuple[str, ...], conclusions))
            yield rule, fid, chain, attrs, named

    def entries(self, algorithm: Callable[[Any], str]) -> tuple[TraceEntry, ...]:
        """The trace, sorted; ``algorithm`` names the algorithm a non-text conclusion joined."""
        used_cache: dict[tuple[str, int], tuple[AnswerUsed, ...]] = {}
        answers: dict[str, AnswerUsed] = {}
        roots = self.roots
        out = []
        for rule, fid, chain, attrs, conclusions in self._sorted(algorithm):
            key = (fid, id(attrs))  # the attribute tuples live in _RULE_ATTRS: an id names one for good
            used = used_cache.get(key)
            if used is None:
                used = used_cache[key] = _answers_used(roots[fid].sources, attrs, answers)
            out.append(trusted(TraceEntry, conclusions=conclusions, rule=rule, fact=fid, via=chain, answers=used))
        return tuple(out)

    def compact(self, algorithm: Callable[[Any], str], dropped: frozenset[str]) -> dict[str, Any]:
        """The trace as the one-line JSON writes it, built straight from the firings: the data that
        ``contract_json._trace`` makes of :meth:`entries` less the conclusions of ``dropped`` duties
        (:func:`~engine.pipeline.yields.without_dropped`), without making an entry or an answer
        model (about a third of a full view's time went to the trace)."""
        tables = TraceTables()
        sets: dict[tuple[str, int], int] = {}
        first: dict[str, Any] = {}
        drop = dropped_conclusions(dropped)
        for rule, fid, chain, attrs, conclusions in self._sorted(algorithm):
            if drop:
                conclusions = tuple(c for c in conclusions if c not in drop)
                if not conclusions:
                    continue  # an entry left with no conclusion goes, as without_dropped drops it
            key = (fid, id(attrs))  # the attribute tuples live in _RULE_ATTRS: an id names one for good
            answer_set = sets.get(key)
            if answer_set is None:
                answer_set = sets[key] = tables.answer_set(_answer_values(self.roots[fid].sources, attrs, first))
            tables.row(rule, fid, chain, answer_set, conclusions)
        return tables.data()


def _gathered(sources: dict[str, Any], attrs: tuple[str, ...]) -> dict[str, Any]:
    """The answers behind ``attrs`` of one fact: each source's value by its path."""
    values: dict[str, Any] = {}
    for attr in attrs:
        source = sources.get(attr)
        if source is not None:
            values[source.path] = source.value
    return values


def _answers_used(sources: dict[str, Any], attrs: tuple[str, ...], answers: dict[str, AnswerUsed],
                  ) -> tuple[AnswerUsed, ...]:
    """The answers behind ``attrs`` of one fact, by path, each built once per assessment (``answers``)."""
    values = _gathered(sources, attrs)
    used = []
    for path in sorted(values):
        answer = answers.get(path)
        if answer is None:
            answer = answers[path] = trusted(AnswerUsed, path=path, value=_jsonable(values[path]))
        used.append(answer)
    return tuple(used)


def _answer_values(sources: dict[str, Any], attrs: tuple[str, ...], first: dict[str, Any]) -> list[tuple[str, Any]]:
    """As :func:`_answers_used`, as ``(path, value)`` pairs: a path keeps the value first met (``first``)."""
    values = _gathered(sources, attrs)
    out = []
    for path in sorted(values):
        value = first.get(path, _UNSEEN)
        if value is _UNSEEN:
            value = first[path] = _jsonable(values[path])
        out.append((path, value))
    return out


_UNSEEN = object()


def _jsonable(value: Any) -> Any:
    """An answer as it appears in the trace: dates as ISO text, lists as tuples (never changed)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return tuple(_jsonable(v) for v in value)
    return value
