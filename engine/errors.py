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


SHOWN_PROBLEMS = 10
"""Problems of one answers document printed at most (as many as get a did-you-mean)."""


class AnswersError(EngineError):
    """An answers document is invalid; ``problems`` lists every field that failed."""

    def __init__(self, problems: list[tuple[str, str]], *, file: str | None = None) -> None:
        self.problems = problems
        first_key, first_message = problems[0] if problems else ("", "invalid answers")
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first_message + more, file=file, key=first_key)

    def render_all(self, limit: int = SHOWN_PROBLEMS) -> str:
        """The first ``limit`` problems on their own lines, each naming the file and the field, then
        how many more there are: a document of a thousand unknown ids printed 376 KB, where the
        first few show what to fix (the problems themselves are all kept in ``problems``)."""
        prefix = f"{self.file}: " if self.file else ""
        lines = [f"{prefix}{key}: {message}" if key else f"{prefix}{message}" for key, message in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"{prefix}… and {len(self.problems) - limit:,} more problems (of {len(self.problems):,}); "
                         "fix these and run again")
        return "\n".join(lines)


class RuleActionError(EngineError):
    """A rule's action raised inside the rules engine; surfaced to the caller."""


class FlowError(EngineError):
    """An answer the current question cannot take, or a slot key that names no question."""
