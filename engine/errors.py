"""One error tree for everything the engine refuses.

Every error a user can cause (a bad answers file, a broken rule file, a failing rule action)
derives from :class:`EngineError`, carries the file and key path it is about and a hint for
the fix, so the CLI can print one clear message and exit 2 without a traceback.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error raised by the engine."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 hint: str | None = None) -> None:
        self.message = message
        self.file = file
        self.key = key
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """The one-line message shown to a user: file, key, problem, fix."""
        where = ": ".join(part for part in (self.file, self.key) if part)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class LoadError(EngineError):
    """A data file (rules, vocabulary, questionnaire) cannot be read or is invalid."""


class RulebookError(LoadError):
    """A rule file is structurally valid YAML but breaks the rulebook's contract."""


class AnswersError(EngineError):
    """An answers document is invalid; ``problems`` lists every field that failed."""

    def __init__(self, problems: list[tuple[str, str]], *, file: str | None = None) -> None:
        self.problems = problems
        first_key, first_message = problems[0] if problems else ("", "invalid answers")
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first_message + more, file=file, key=first_key)

    def render_all(self) -> str:
        """Every problem on its own line, each naming the file and the field."""
        prefix = f"{self.file}: " if self.file else ""
        return "\n".join(f"{prefix}{key}: {message}" if key else f"{prefix}{message}"
                         for key, message in self.problems)


class RuleActionError(EngineError):
    """A rule's action raised inside the rules engine; surfaced to the caller."""


class FlowError(EngineError):
    """An answer the current question cannot take, or a slot key that names no question."""
