"""The rules side: the rulebook loaded from ``rules/*.yaml``, the facts built from answers, their
compilation to durable-rules rulesets and the runtime that runs them.
"""
