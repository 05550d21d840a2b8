"""algo-filing: applicability assessment for China's algorithm filing (算法备案).

The public API is one call, :func:`assess`, plus the stages it chains so each can be called
and tested alone::

    answers -> parse_answers -> build_facts -> evaluate (durable-rules) -> assemble -> Assessment

:func:`assess_json` gives the same assessment as compact JSON text (what batches write). Both
memoise by default: answers that differ only in names share one assessment (:mod:`engine.shapes`).

Example::

    from engine import assess, load_answers
    result = assess(load_answers("examples/news_app.yaml"))
    print(result.filing.status, [a.type for a in result.algorithms])
"""

from __future__ import annotations

from engine.errors import AnswersError, EngineError, LoadError, RuleActionError, RulebookError
from engine.model.answers import Answers, answers_json_schema, load_answers, parse_answers
from engine.model.assessment import Assessment, assessment_json_schema
from engine.pipeline.assemble import assemble
from engine.pipeline.run import SHAPES, assess, assess_json, evaluate
from engine.rules.facts import RootFact, build_facts
from engine.rules.rulebook import Rulebook, default_rulebook, load_rulebook
from engine.rules.runtime import Firing

__all__ = [
    "SHAPES", "Answers", "AnswersError", "Assessment", "EngineError", "Firing", "LoadError", "RootFact",
    "RuleActionError", "Rulebook", "RulebookError", "answers_json_schema", "assemble", "assess",
    "assess_json", "assessment_json_schema", "build_facts", "default_rulebook", "evaluate", "load_answers",
    "load_rulebook", "parse_answers",
]
