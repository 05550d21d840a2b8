"""The prompts: the only module that talks to questionary and prompt_toolkit.

Back is ← (in lists) or Esc (everywhere); Ctrl-C is let through so the session can save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class _Back:
    """What a prompt returns when the person presses ← or Esc: go back one question."""

    def __repr__(self) -> str:
        return "BACK"


BACK = _Back()


ESCAPE_TIMEOUT = 0.1
"""Seconds to wait after Esc for the rest of an escape sequence (prompt_toolkit waits 0.5)."""


def _quick_escape(app: Any) -> None:
    """Esc goes back after 0.1 s instead of prompt_toolkit's default half second and more.

    ``ttimeoutlen`` is how long the input waits to tell a lone Esc from the start of an arrow
    key's sequence; ``timeoutlen`` how long a key binding waits for a longer one to complete.
    """
    app.ttimeoutlen = ESCAPE_TIMEOUT
    app.timeoutlen = ESCAPE_TIMEOUT


def prompt_lines(message: str, instruction: str, width: int) -> str:
    """The question and its key hint as lines that fit after questionary's "? " at ``width`` columns.

    Wrapped here between words (and never before closing punctuation) rather than by the terminal
    at its last column, which left a lone "）" on a line of its own.
    """
    from engine.render.wrap import wrap

    text = f"{message} {instruction}" if instruction else message
    return wrap(text, max(width - 3, 20), "  ")


def text_prompt(message: str, instruction: str, width: int) -> str:
    """A typed question's message: the wrapped question, then a line of its own for the answer
    (typing after the key hint made the answer look like part of it)."""
    return prompt_lines(message, instruction, width) + "\n ›"


class Prompter:
    """Asks one question at a time with questionary, with Back keys added.

    ``input``/``output`` are prompt_toolkit objects; tests pass a pipe input and ``DummyOutput``
    (as questionary's own tests do). Every method returns the answer or :data:`BACK`, and lets
    ``KeyboardInterrupt`` through so the caller can save the draft.
    """

    def __init__(self, *, input: Any = None, output: Any = None) -> None:
        self.io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    @staticmethod
    def _back_keys(left: bool) -> Any:
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.keys import Keys

        bindings = KeyBindings()
        for key in (Keys.Escape, Keys.Left) if left else (Keys.Escape,):
            bindings.add(key, eager=True)(lambda event: event.app.exit(result=BACK))
        return bindings

    def select(self, message: str, choices: list[tuple[str, str, str | None]], *, default: str | None,
               instruction: str) -> Any:
        """One of ``choices`` (value, title, description); Enter takes the highlighted one."""
        return self._list(message, choices, multi=False, checked=[], pointer=default, instruction=instruction)

    def checkbox(self, message: str, choices: list[tuple[str, str, str | None]], *, checked: list[str],
                 pointer: str | None, instruction: str, exclusive: tuple[str, ...] = (),
                 free: tuple[str, ...] = (), separator: str = ", ") -> Any:
        """Several of ``choices``; Space ticks, Enter with nothing ticked takes the highlighted one.

        Ticking an ``exclusive`` choice ("none of these") unticks the others, and the reverse,
        except the ``free`` ones: ticks that answer a field of their own (news), which go with
        "none of these" as with anything else.
        """
        return self._list(message, choices, multi=True, checked=checked, pointer=pointer,
                          instruction=instruction, exclusive=exclusive, free=free, separator=separator)

    def text(self, message: str, *, default: str = "", placeholder: str | None = None, instruction: str,
             validate: Callable[[str], bool | str] | None = None) -> Any:
        """Typed text; ``default`` is put in the field to edit, ``placeholder`` shows what empty means."""
        import questionary
        from prompt_toolkit.key_binding import merge_key_bindings

        from cli.screen import terminal_width

        extra: dict[str, Any] = {"placeholder": [("class:placeholder fg:ansibrightblack", placeholder)]} \
            if placeholder else {}
        question = questionary.text(text_prompt(message, instruction, terminal_width()), default=default,
                                    validate=validate, **extra, **self.io)
        app = question.application
        app.key_bindings = merge_key_bindings([b for b in (app.key_bindings, self._back_keys(left=False)) if b])
        _quick_escape(app)
        return question.unsafe_ask()

    def _list(self, message: str, choices: list[tuple[str, str, str | None]], *, multi: bool,
              checked: list[str], pointer: str | None, instruction: str, exclusive: tuple[str, ...] = (),
              free: tuple[str, ...] = (), separator: str = ", ") -> Any:
        """A list prompt built from questionary's parts, so Enter, Back and the texts are ours."""
        import questionary
        from prompt_toolkit.application import Application
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from prompt_toolkit.keys import Keys
        from questionary.constants import DEFAULT_QUESTION_PREFIX, DEFAULT_SELECTED_POINTER
        from questionary.prompts import common
        from questionary.styles import merge_styles_default

        class Control(common.InquirerControl):
            """questionary's list, with the description shown after "ℹ" in any language."""

            def _get_choice_tokens(self) -> list[tuple[str, str]]:
                label = "  Description: "
                tokens: list[tuple[str, str]] = super()._get_choice_tokens()  # type: ignore[no-untyped-call]
                return [(style, "  ℹ " + text[len(label):]) if text.startswith(label) else (style, text)
                        for style, text in tokens]

        values = [value for value, _, _ in choices]
        items = [questionary.Choice(title, value=value, description=description, checked=value in checked)
                 for value, title, description in choices]
        control = Control(items, pointer=DEFAULT_SELECTED_POINTER, show_description=True, use_indicator=multi,
                          initial_choice=pointer if pointer in values else None)

        from cli.screen import terminal_width

        width = terminal_width()

        def tokens() -> list[tuple[str, str]]:
            out = [("class:qmark", DEFAULT_QUESTION_PREFIX)]
            if control.is_answered:
                chosen = control.selected_options if multi else [control.get_pointed_at().value]
                out.append(("class:question", f" {prompt_lines(message, '', width)} "))
                out.append(("class:answer", separator.join(str(c.title) for c in control.choices
                                                           if c.value in chosen)))
                return out
            lines = prompt_lines(message, instruction, width)
            hint = lines.rfind(instruction) if instruction and lines.endswith(instruction) else -1
            if hint < 0:                                        # the hint was wrapped: show it as one text
                return [*out, ("class:question", f" {lines}")]
            return [*out, ("class:question", f" {lines[:hint]}"), ("class:instruction", instruction)]

        bindings = KeyBindings()

        @bindings.add(Keys.ControlC, eager=True)
        def _interrupt(event: Any) -> None:
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

        @bindings.add(" ", eager=True)
        def _toggle(event: Any) -> None:
            if not multi:
                return
            value = control.get_pointed_at().value
            if value in control.selected_options:
                control.selected_options.remove(value)
            elif value in exclusive:
                control.selected_options = [v for v in control.selected_options if v in free] + [value]
            elif value in free:
                control.selected_options.append(value)
            else:
                control.selected_options = [v for v in control.selected_options if v not in exclusive] + [value]

        def _down(event: Any) -> None:
            control.select_next()

        def _up(event: Any) -> None:
            control.select_previous()

        for key in (Keys.Down, Keys.ControlN, "j"):
            bindings.add(key, eager=True)(_down)
        for key in (Keys.Up, Keys.ControlP, "k"):
            bindings.add(key, eager=True)(_up)

        @bindings.add(Keys.ControlM, eager=True)
        @bindings.add(Keys.ControlJ, eager=True)
        def _enter(event: Any) -> None:
            pointed = control.get_pointed_at().value
            if not multi:
                control.is_answered = True
                event.app.exit(result=pointed)
                return
            if not control.selected_options:
                control.selected_options = [pointed]
            control.is_answered = True
            event.app.exit(result=[v for v in values if v in control.selected_options])

        @bindings.add(Keys.Any)
        def _other(event: Any) -> None:
            """Typing does nothing in a list."""

        app: Any = Application(layout=common.create_inquirer_layout(control, tokens, **self.io),
                               key_bindings=merge_key_bindings([bindings, self._back_keys(left=True)]),
                               style=merge_styles_default([None]), **self.io)
        _quick_escape(app)
        return app.run()

    def say(self, text: str = "") -> None:
        """Print a line above the prompts."""
        print(text, flush=True)
