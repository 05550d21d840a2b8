"""Keyword rules: a one-sentence description -> the behaviour ids it suggests.

The rules are data (``rules/behaviour_keywords.yaml``, beside the vocabulary), loaded strictly:
an unknown behaviour id names the file, the key and the nearest id. A behaviour's type is the
one the rulebook's classification rules give it (``classify`` on ``behaviour in [...]``), so the
keyword file never repeats the classification.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.errors import LoadError
from engine.model.base import StrictModel
from engine.model.validation import validate_file
from engine.model.vocabulary import load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file
from engine.precedents.index import fold

FILE_NAME = "behaviour_keywords.yaml"


class Keywords(StrictModel):
    """The keywords of one behaviour in each language."""

    zh: list[str] = []
    en: list[str] = []


class KeywordFile(StrictModel):
    """``rules/behaviour_keywords.yaml``."""

    behaviours: dict[str, Keywords]


@dataclass(frozen=True)
class KeywordMatch:
    """One keyword found in a sentence: which behaviour, which keyword, where."""

    behaviour: str
    keyword: str
    start: int
    end: int


@dataclass(frozen=True)
class KeywordRules:
    """The compiled keyword rules: one pattern per (keyword, behaviour)."""

    patterns: tuple[tuple[re.Pattern[str], str, str], ...]

    def matches(self, sentence: str) -> list[KeywordMatch]:
        """Every keyword in ``sentence``; where matches overlap the longest wins (then the earliest)."""
        text = fold(sentence)
        found = [KeywordMatch(behaviour, keyword, m.start(), m.end())
                 for pattern, behaviour, keyword in self.patterns for m in pattern.finditer(text)]
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        taken: list[KeywordMatch] = []
        for match in found:
            if all(match.end <= t.start or match.start >= t.end for t in taken):
                taken.append(match)
        return sorted(taken, key=lambda m: m.start)

    def suggest(self, sentence: str) -> list[tuple[str, list[str]]]:
        """The behaviours ``sentence`` suggests, most keywords first, each with its keywords."""
        by_behaviour: dict[str, list[str]] = {}
        for match in self.matches(sentence):
            by_behaviour.setdefault(match.behaviour, []).append(match.keyword)
        order = {behaviour: i for i, (_, behaviour, _) in enumerate(self.patterns)}
        ranked = sorted(by_behaviour.items(), key=lambda item: (-len(item[1]), order[item[0]]))
        return [(behaviour, list(dict.fromkeys(words))) for behaviour, words in ranked]


def _pattern(keyword: str, lang: str) -> re.Pattern[str]:
    folded = re.escape(fold(keyword))
    if lang == "en" or keyword.isascii():
        return re.compile(r"(?<![a-z0-9])" + folded)
    return re.compile(folded)


def load_keyword_rules(directory: Path | None = None) -> KeywordRules:
    """Load and check the keyword rules of a rules folder (default: the shipped rules)."""
    path = (directory or rules_dir()) / FILE_NAME
    if not path.is_file():
        raise LoadError("keyword rules file missing", file=str(path))
    data: KeywordFile = validate_file(KeywordFile, read_data_file(path), file=str(path))
    vocab = load_vocabulary(directory) if directory and (directory / "vocabulary.yaml").exists() \
        else load_vocabulary()
    patterns: list[tuple[re.Pattern[str], str, str]] = []
    for behaviour, keywords in data.behaviours.items():
        if (problem := vocab.check_id("behaviour", behaviour)) is not None:
            raise LoadError(problem, file=str(path), key=f"behaviours.{behaviour}")
        for lang in ("zh", "en"):
            for i, keyword in enumerate(getattr(keywords, lang)):
                if not keyword.strip():
                    raise LoadError("empty keyword", file=str(path), key=f"behaviours.{behaviour}.{lang}[{i}]",
                                    hint="remove it")
                patterns.append((_pattern(keyword, lang), behaviour, keyword))
    return KeywordRules(patterns=tuple(patterns))


@cache
def default_keyword_rules() -> KeywordRules:
    """The shipped keyword rules, loaded once per process."""
    return load_keyword_rules()


@cache
def behaviour_types() -> dict[str, tuple[str, str | None]]:
    """behaviour id -> (type, subtype), from the rulebook's unconditional classification rules."""
    from engine.rules.rulebook import default_rulebook

    types: dict[str, tuple[str, str | None]] = {}
    for rule in default_rulebook().rules.values():
        when = rule.when
        if rule.then.classify is None or when.fact != "behaviour" or set(when.tests) != {"behaviour"} \
                or any(True for _ in when.groups()):
            continue
        test = when.tests["behaviour"]
        ids = test["in"] if isinstance(test, dict) and "in" in test else [test] if isinstance(test, str) else []
        for behaviour in ids:
            types[behaviour] = (rule.then.classify["type"], rule.then.classify.get("subtype"))
    return types
