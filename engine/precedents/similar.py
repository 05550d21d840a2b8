"""``similar``: the published filings nearest to a sentence, and what they suggest.

Two sources of evidence, combined per class (a type, or a sub-type of retrieval/filtering):

* the keyword rules (:mod:`engine.precedents.keywords`): the behaviours the sentence names, each
  classified as the rulebook classifies it;
* the precedents' votes: the :data:`NEIGHBOURS` nearest filings, each voting for its published
  class with its bm25 relevance divided by the class's share of all rows (:data:`PRIOR_EXPONENT`).
  Generation is 89 % of the rows, so near any sentence most rows are generation rows whatever the
  sentence says; without the correction a small class (scheduling/decision, 1.5 % of the rows) is
  outvoted by sheer numbers. Dividing by the share counts each class as if all were equally
  common, which is what the goal asks (the published type first on *every* type, not on average
  over the rows); the sentence's own words and the nearness of the rows still decide.

A class's score is the mean of the two shares (only one where the other found nothing). The
suggested behaviours are the sentence's own; where it names none, the behaviour the nearest
precedents of the suggested class name most (the keyword rules applied to their purposes).
Everything here is a suggestion for a person to confirm, never a conclusion.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import Field

from engine.errors import EngineError
from engine.model.base import StrictModel
from engine.model.suggest import did_you_mean
from engine.model.vocabulary import load_vocabulary
from engine.precedents.index import MAX_QUERY_CHARS, Hit, PrecedentIndex, default_index
from engine.precedents.keywords import KeywordRules, behaviour_types, default_keyword_rules
from engine.precedents.rows import PublishedProduct

SCHEMA_VERSION = "1"

NEIGHBOURS = 15
"""How many nearest filings vote for a class."""

PRIOR_EXPONENT = 1.0
"""How far a class's share of all rows is discounted from its votes (0: not at all, 1: fully, every
class counted as equally common; see the module docstring)."""

KEYWORD_WEIGHT = 0.5
"""The keyword rules' part of a class's score where both sources found something."""

MAX_TOP = 100
"""The most filings one request may list."""


class Match(StrictModel):
    """One published filing near the sentence, with the text both share."""

    rank: int
    name: str
    type: str
    subtype: str | None
    role: str | None
    entity: str
    products: builtins.list[PublishedProduct]
    products_text: str = Field(description="the products as published")
    purpose: str
    filing_number: str
    batch: str
    list: Literal["domestic", "deep_synthesis"]
    cancelled: bool
    remark: str
    relevance: float = Field(description="bm25 relevance; higher is nearer")
    shared_terms: builtins.list[str] = Field(description="stretches of the name and purpose the sentence shares")


class ClassScore(StrictModel):
    """How strongly the evidence points at one type (or retrieval/filtering sub-type)."""

    type: str
    subtype: str | None
    score: float = Field(description="combined score, 0..1; the scores of all classes add up to 1")
    precedents: int = Field(description="how many of the nearest filings are of this class")
    precedent_share: float = Field(
        description="share of the nearest filings, weighted by relevance and divided by the class's share of all rows")
    keyword_behaviours: list[str] = Field(description="behaviours of this class the sentence names")


class SuggestedBehaviour(StrictModel):
    """A behaviour id suggested for the feature, and why."""

    behaviour: str
    type: str
    subtype: str | None
    source: Literal["keywords", "precedents"]
    keywords: list[str] = Field(description="the keywords found (in the sentence, or in the precedents' purposes)")


class SimilarResult(StrictModel):
    """What ``algo-filing similar`` and ``POST /v1/similar`` answer."""

    schema_version: str = SCHEMA_VERSION
    query: str
    expanded_query: str | None = Field(
        description="where the sentence itself matched no filing: the text searched instead (the Chinese "
                    "labels and longer keywords of the behaviours it names)")
    searched_chars: int = Field(description=f"how much of the query was searched (at most {MAX_QUERY_CHARS})")
    filters: dict[str, str]
    matches: list[Match]
    suggested: ClassScore | None = Field(description="the class with the highest score; null without evidence")
    classes: list[ClassScore] = Field(description="every class with evidence, highest score first")
    suggested_role: str | None = Field(
        description="generation only: the role most of the nearest generation filings have")
    behaviours: list[SuggestedBehaviour]
    neighbours: int = Field(description="how many nearest filings voted")
    indexed_rows: int

    def to_json(self) -> str:
        """Indented JSON, keys in model order, Chinese unescaped."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def similar_json_schema() -> dict[str, object]:
    """The JSON Schema of :class:`SimilarResult`."""
    return SimilarResult.model_json_schema()


def _class_of(type_: str, subtype: str | None) -> str:
    return subtype or type_


def check_filters(type_: str | None, form: str | None, role: str | None) -> dict[str, str]:
    """The filters as given, each checked against the vocabulary (did-you-mean on a typo)."""
    vocab = load_vocabulary()
    filters: dict[str, str] = {}
    for key, value, groups in (("type", type_, ("algorithm_type", "algorithm_subtype")),
                               ("form", form, ("product_form",)), ("role", role, ("role",))):
        if value is None:
            continue
        ids = [i for g in groups for i in vocab.groups[g]]
        if value not in ids:
            raise EngineError(f"unknown {key} '{value}'; {did_you_mean(value, ids)}", key=f"--{key}",
                              hint="one of " + ", ".join(ids))
        filters[key] = value
    return filters


def _match(rank: int, hit: Hit) -> Match:
    p = hit.precedent
    return Match(rank=rank, name=p.name, type=p.type, subtype=p.subtype, role=p.role, entity=p.entity,
                 products=p.products, products_text=p.products_text, purpose=p.purpose,
                 filing_number=p.filing_number, batch=p.batch, list=p.list, cancelled=p.cancelled,
                 remark=p.remark, relevance=hit.relevance, shared_terms=list(hit.shared))


def score_classes(sentence_behaviours: Sequence[tuple[str, list[str]]], voters: Sequence[Hit],
                  class_rows: Mapping[tuple[str, str | None], int] | None = None) -> list[ClassScore]:
    """Every class with evidence, combined as the module docstring says, highest first.

    ``class_rows`` (rows per class in the index) discounts each vote by its class's share; without
    it every vote counts its relevance alone.
    """
    total_rows = sum(class_rows.values()) if class_rows else 0
    types = behaviour_types()
    keyword_counts: dict[tuple[str, str | None], int] = {}
    keyword_ids: dict[tuple[str, str | None], list[str]] = {}
    for behaviour, words in sentence_behaviours:
        if behaviour in types:
            keyword_counts[types[behaviour]] = keyword_counts.get(types[behaviour], 0) + len(words)
            keyword_ids.setdefault(types[behaviour], []).append(behaviour)
    weights: dict[tuple[str, str | None], float] = {}
    counts: dict[tuple[str, str | None], int] = {}
    for hit in voters:
        key = (hit.precedent.type, hit.precedent.subtype)
        prior = class_rows.get(key, 0) / total_rows if class_rows and total_rows else 0.0
        discount = prior ** PRIOR_EXPONENT if prior > 0 else 1.0
        weights[key] = weights.get(key, 0.0) + max(hit.relevance, 0.0) / discount
        counts[key] = counts.get(key, 0) + 1
    kw_total, prec_total = sum(keyword_counts.values()), sum(weights.values())
    kw_part = KEYWORD_WEIGHT if kw_total and prec_total else (1.0 if kw_total else 0.0)
    scores = []
    for key in dict.fromkeys([*keyword_counts, *weights]):
        kw_share = keyword_counts.get(key, 0) / kw_total if kw_total else 0.0
        prec_share = weights.get(key, 0.0) / prec_total if prec_total else 0.0
        scores.append(ClassScore(
            type=key[0], subtype=key[1], score=round(kw_part * kw_share + (1 - kw_part) * prec_share, 4),
            precedents=counts.get(key, 0), precedent_share=round(prec_share, 4),
            keyword_behaviours=keyword_ids.get(key, [])))
    return sorted(scores, key=lambda s: (-s.score, -s.precedents, _class_of(s.type, s.subtype)))


def _behaviours(sentence_behaviours: Sequence[tuple[str, list[str]]], best: ClassScore | None,
                voters: Sequence[Hit], rules: KeywordRules) -> list[SuggestedBehaviour]:
    types = behaviour_types()
    own = [SuggestedBehaviour(behaviour=b, type=types[b][0], subtype=types[b][1], source="keywords", keywords=w)
           for b, w in sentence_behaviours if b in types]
    if own or best is None:
        return own
    votes: dict[str, float] = {}
    words: dict[str, list[str]] = {}
    for hit in voters:
        p = hit.precedent
        if (p.type, p.subtype) != (best.type, best.subtype):
            continue
        for behaviour, found in rules.suggest(p.name + "。" + p.purpose):
            if types.get(behaviour) == (best.type, best.subtype):
                votes[behaviour] = votes.get(behaviour, 0.0) + max(hit.relevance, 0.0)
                words[behaviour] = list(dict.fromkeys([*words.get(behaviour, []), *found]))
    if not votes:
        return []
    top = max(votes, key=lambda b: (votes[b], -list(votes).index(b)))
    return [SuggestedBehaviour(behaviour=top, type=best.type, subtype=best.subtype, source="precedents",
                               keywords=words[top])]


def expansion(own: Sequence[tuple[str, list[str]]], rules: KeywordRules) -> str:
    """The text searched for a sentence too short to share trigrams: its behaviours' labels and keywords."""
    vocab = load_vocabulary()
    parts = []
    for behaviour, words in own:
        parts.append(vocab.label("behaviour", behaviour, "zh").replace("/", " "))
        parts += [w for w in words if len(w) >= 3]
    return " ".join(parts)


def _role(voters: Sequence[Hit]) -> str | None:
    roles: dict[str, float] = {}
    for hit in voters:
        if hit.precedent.role is not None:
            roles[hit.precedent.role] = roles.get(hit.precedent.role, 0.0) + max(hit.relevance, 0.0)
    return max(sorted(roles), key=lambda r: roles[r]) if roles else None


def similar(sentence: str, *, top: int = 5, type_: str | None = None, form: str | None = None,
            role: str | None = None, index: PrecedentIndex | None = None,
            rules: KeywordRules | None = None, exclude_entity: str | None = None) -> SimilarResult:
    """The ``top`` published filings nearest to ``sentence`` (filtered), and the suggested class.

    The suggestion is drawn from the unfiltered neighbours (a filter narrows the list shown, not
    the evidence); ``exclude_entity`` leaves one entity's filings out of both (the benchmark).
    """
    if not 0 <= top <= MAX_TOP:
        raise EngineError(f"top must be between 0 and {MAX_TOP}", key="top", hint=f"e.g. {5}")
    filters = check_filters(type_, form, role)
    index = index or default_index()
    rules = rules or default_keyword_rules()
    own = rules.suggest(sentence[:MAX_QUERY_CHARS])
    searched = sentence
    voters = index.search(searched, top=NEIGHBOURS, exclude_entity=exclude_entity)
    if not voters and own:  # too short for trigrams ("为骑手派单"): search the named behaviours instead
        searched = expansion(own, rules)
        voters = index.search(searched, top=NEIGHBOURS, exclude_entity=exclude_entity)
    shown = voters[:top] if not filters else index.search(
        searched, top=top, type_=type_, form=form, role=role, exclude_entity=exclude_entity)
    classes = score_classes(own, voters, index.class_rows)
    best = classes[0] if classes else None
    generation_voters = [h for h in voters if h.precedent.type == "generation_synthesis"]
    return SimilarResult(
        query=sentence, expanded_query=None if searched is sentence else searched,
        searched_chars=min(len(sentence), MAX_QUERY_CHARS), filters=filters,
        matches=[_match(i + 1, hit) for i, hit in enumerate(shown[:top])], suggested=best, classes=classes,
        suggested_role=_role(generation_voters) if best and best.type == "generation_synthesis" else None,
        behaviours=_behaviours(own, best, voters, rules), neighbours=len(voters), indexed_rows=index.rows)


def suggest_behaviours(description: str) -> list[str]:
    """The behaviour ids a one-sentence description suggests (keywords, else the precedents'), maybe none."""
    return [b.behaviour for b in similar(description, top=0).behaviours]
