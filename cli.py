"""The ``algo-filing`` command: a thin layer over the engine's library API.

Bad input (a missing file, broken YAML, a wrong type, an unknown id) prints one message per
problem naming the file and the field with the fix, and exits 2 without a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from tabulate import tabulate

EXIT_OK = 0
EXIT_USAGE = 2


def _version() -> str:
    try:
        return metadata.version("algo-filing")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code for usage errors and no traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"algo-filing: error: {message}\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2025-09-01") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="algo-filing",
                     description="Does China's algorithm filing (算法备案) apply to a product, and what follows?")
    parser.add_argument("--version", action="version", version=f"algo-filing {_version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("ask", help="answer questions in the terminal and get the assessment (default)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--resume", type=Path, default=None, metavar="DRAFT", help="continue a saved draft")
    p.add_argument("--answers", type=Path, default=None, metavar="FILE",
                   help="prefill from an answers file and ask only what is missing")
    p.add_argument("--draft", type=Path, default=None, metavar="PATH",
                   help="where to keep the draft (default: algo-filing-draft.yaml in the current directory)")
    p.add_argument("--new-feature", action="store_true",
                   help="with --answers: describe only a new feature and see what changes")

    p = sub.add_parser("assess", help="assess an answers file (YAML or JSON)")
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=("table", "json", "markdown", "html"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--as-of", type=_date, default=None, help="apply the rules in force on this date")
    p.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of stdout")

    p = sub.add_parser("validate", help="check an answers file without assessing it")
    p.add_argument("file", type=Path)

    p = sub.add_parser("rules", help="list every rule with its legal basis")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("schema", help="print the JSON Schema of answers, assessments or batch records")
    p.add_argument("which", choices=("answers", "assessment", "triage", "batch-error"))

    p = sub.add_parser("batch", help="assess many records: JSON Lines or CSV in, one line or row out per record")
    p.add_argument("input", type=Path, metavar="IN")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT")
    p.add_argument("--input-format", choices=("jsonl", "csv"), default=None,
                   help="default: from the file suffix (.jsonl/.ndjson or .csv)")
    p.add_argument("--summary", action="store_true", help="write a triage row instead of the full assessment")
    p.add_argument("--as-of", type=_date, default=None)

    p = sub.add_parser("diff", help="what changes between two answers files (e.g. before and after a new feature)")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--as-of", type=_date, default=None)

    p = sub.add_parser("decode", help="split a published filing number (网信算备…号) into its parts")
    p.add_argument("number")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    return parser


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def _cmd_assess(args: argparse.Namespace) -> int:
    from engine import assess, load_answers
    from engine.render import render

    answers = load_answers(args.file)
    result = assess(answers, as_of=args.as_of)
    text = render(result, args.format, args.lang)
    if args.output:
        _atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from engine import load_answers

    answers = load_answers(args.file)
    features = sum(len(p.features) for p in answers.products)
    print(f"{args.file}: valid ({len(answers.products)} products, {features} features)")
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    from engine import default_rulebook

    book = default_rulebook()
    lang = args.lang
    if args.format == "json":
        rows = [{"id": r.id, "file": book.rule_files[r.id], "title": r.title.model_dump(),
                 "basis_kind": r.basis_kind, "basis": [b.render(book.laws, lang) for b in r.basis],
                 "valid_from": r.valid_from.isoformat() if r.valid_from else None}
                for r in book.rules.values()]
        document = {"rules_version": book.rules_version, "rules": rows}
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return EXIT_OK
    sep = "；" if lang == "zh" else "; "
    kinds = {"statute": "法定" if lang == "zh" else "statute", "practice": "实务" if lang == "zh" else "practice"}
    table = [[r.id, book.rule_files[r.id], r.title.get(lang),
              f"[{kinds[r.basis_kind]}] " + sep.join(b.render(book.laws, lang) for b in r.basis)]
             for r in book.rules.values()]
    headers = ["id", "文件" if lang == "zh" else "file", "标题" if lang == "zh" else "title",
               "依据" if lang == "zh" else "legal basis"]
    print(tabulate(table, headers=headers, tablefmt="simple_grid", maxcolwidths=[36, 20, 40, 48]))
    print(f"{len(table)} rules · {book.rules_version}")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from engine import answers_json_schema, assessment_json_schema
    from engine.triage import error_record_json_schema, triage_json_schema

    schemas = {"answers": answers_json_schema, "assessment": assessment_json_schema,
               "triage": triage_json_schema, "batch-error": error_record_json_schema}
    schema = schemas[args.which]()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


def _cmd_batch(args: argparse.Namespace) -> int:
    from engine.batch import run_batch

    try:
        stats = run_batch(args.input, args.output, input_format=args.input_format, summary=args.summary,
                          as_of=args.as_of, progress=sys.stderr.isatty())
    except KeyboardInterrupt:
        print(f"algo-filing batch: interrupted; {args.output} was not written", file=sys.stderr)
        return 130
    print(stats.describe(), file=sys.stderr)
    return 1 if stats.errors else EXIT_OK


def _cmd_diff(args: argparse.Namespace) -> int:
    from engine import load_answers
    from engine.diff import diff_answers, render_diff

    before, after = load_answers(args.before), load_answers(args.after)
    sys.stdout.write(render_diff(diff_answers(before, after, as_of=args.as_of), args.format, args.lang))
    return EXIT_OK


def _cmd_decode(args: argparse.Namespace) -> int:
    from engine.decode import decode_filing_number, render_filing_number

    sys.stdout.write(render_filing_number(decode_filing_number(args.number), args.format, args.lang))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------------
# ask: the terminal questionnaire. engine/flow.py decides what to ask and keeps the answers; this
# layer only asks (questionary), saves the draft after every answer and prints the result.
# Back is ← (in lists) or Esc (everywhere); Ctrl-C saves the draft and exits 130.

EXIT_INTERRUPTED = 130
DEFAULT_DRAFT = "algo-filing-draft.yaml"


class _Back:
    """What a prompt returns when the person presses ← or Esc: go back one question."""

    def __repr__(self) -> str:
        return "BACK"


BACK = _Back()


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
                 separator: str = ", ") -> Any:
        """Several of ``choices``; Space ticks, Enter with nothing ticked takes the highlighted one.

        Ticking an ``exclusive`` choice ("none of these") unticks the others, and the reverse.
        """
        return self._list(message, choices, multi=True, checked=checked, pointer=pointer,
                          instruction=instruction, exclusive=exclusive, separator=separator)

    def text(self, message: str, *, default: str = "", placeholder: str | None = None, instruction: str,
             validate: Callable[[str], bool | str] | None = None) -> Any:
        """Typed text; ``default`` is put in the field to edit, ``placeholder`` shows what empty means."""
        import questionary
        from prompt_toolkit.key_binding import merge_key_bindings

        extra: dict[str, Any] = {"placeholder": [("class:placeholder fg:ansibrightblack", placeholder)]} \
            if placeholder else {}
        question = questionary.text(message, default=default, instruction=instruction, validate=validate,
                                    **extra, **self.io)
        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings, self._back_keys(left=False)])
        return question.unsafe_ask()

    def _list(self, message: str, choices: list[tuple[str, str, str | None]], *, multi: bool,
              checked: list[str], pointer: str | None, instruction: str, exclusive: tuple[str, ...] = (),
              separator: str = ", ") -> Any:
        """A list prompt built from questionary's parts, so Enter, Back and the texts are ours."""
        import questionary
        from prompt_toolkit.application import Application
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from prompt_toolkit.keys import Keys
        from questionary.constants import DEFAULT_QUESTION_PREFIX, DEFAULT_SELECTED_POINTER
        from questionary.prompts import common
        from questionary.styles import merge_styles_default

        class Control(common.InquirerControl):  # type: ignore[misc]
            """questionary's list, with the description shown after "ℹ" in any language."""

            def _get_choice_tokens(self) -> list[tuple[str, str]]:
                label = "  Description: "
                return [(style, "  ℹ " + text[len(label):]) if text.startswith(label) else (style, text)
                        for style, text in super()._get_choice_tokens()]

        values = [value for value, _, _ in choices]
        items = [questionary.Choice(title, value=value, description=description, checked=value in checked)
                 for value, title, description in choices]
        control = Control(items, pointer=DEFAULT_SELECTED_POINTER, show_description=True, use_indicator=multi,
                          initial_choice=pointer if pointer in values else None)

        def tokens() -> list[tuple[str, str]]:
            out = [("class:qmark", DEFAULT_QUESTION_PREFIX), ("class:question", f" {message} ")]
            if control.is_answered:
                chosen = control.selected_options if multi else [control.get_pointed_at().value]
                out.append(("class:answer", separator.join(str(c.title) for c in control.choices
                                                           if c.value in chosen)))
            else:
                out.append(("class:instruction", instruction))
            return out

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
                control.selected_options = [value]
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
        return app.run()

    def say(self, text: str = "") -> None:
        """Print a line above the prompts."""
        print(text, flush=True)


def _fill(text: str, **values: Any) -> str:
    """Fill ``{name}`` placeholders that are given; leave any other braces alone."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, fsync, then os.replace: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _free_path(path: Path) -> Path:
    """``path`` if it does not exist, else ``name.1.ext``, ``name.2.ext``… (never overwrite)."""
    if not path.exists():
        return path
    n = 1
    while (candidate := path.with_name(f"{path.stem}.{n}{path.suffix}")).exists():
        n += 1
    return candidate


class _Session:
    """One ``ask`` run: the flow, where its draft lives, the language and the screens."""

    def __init__(self, flow: Any, draft: Path, lang: str, ui: Prompter, new_feature: Any = None) -> None:
        self.flow = flow
        self.q = flow.q
        self.draft = draft
        self.lang = lang
        self.ui = ui
        self.new_feature = new_feature
        self.dim = sys.stdout.isatty()

    def t(self, key: str, **values: Any) -> str:
        """A screen text of the questionnaire in the session's language."""
        return self.q.text(key, self.lang, **values)

    def resume_command(self) -> str:
        """The exact command that continues this draft (printed on Ctrl-C, kept in the draft)."""
        command = f"algo-filing ask --resume {shlex.quote(str(self.draft))}"
        return command + (" --lang en" if self.lang == "en" else "")

    def save(self) -> None:
        """Save the draft and its sidecar (after every answer, and on Ctrl-C)."""
        from engine.flow import draft_files, progress_path

        if self.flow.is_complete():
            header = self.t("draft_header_complete", path=shlex.quote(str(self.draft)))
        else:
            header = self.t("draft_header_incomplete", n=self.flow.answered_count(), command=self.resume_command())
        text, progress = draft_files(self.flow, self.draft, header, self.lang, self.new_feature)  # type: ignore[arg-type]
        _atomic_write(self.draft, text)
        _atomic_write(progress_path(self.draft), progress)

    def note(self, text: str) -> None:
        """A secondary line (help, hints), dimmed on a terminal."""
        self.ui.say(f"\x1b[2m{text}\x1b[0m" if self.dim else text)

    # -- asking one step
    def item_label(self, product: int | None, feature: int | None) -> str:
        """"Entity", "Product 1: name" or "Product 1: name › feature 2: name" for headers."""
        if product is None:
            return self.t("section_entity")
        product_name = self.flow.name_of(product) or "…"
        if feature is None:
            return self.t("section_product", n=product + 1, name=product_name)
        return self.t("section_feature", p=product + 1, product=product_name, n=feature + 1,
                      name=self.flow.name_of(product, feature) or "…")

    def ask_step(self, step: Any) -> Any:
        """Show one question with its help and return the answer as the flow takes it (or BACK)."""
        from engine.flow import parse_count
        from engine.questionnaire import NO, NONE, YES
        from engine.vocabulary import UNSURE

        slot = step.slot
        product_name = self.flow.name_of(slot.product) if slot.product is not None else None
        fill = {"product": product_name or "…"}
        self.ui.say()
        self.ui.say(f"── {self.item_label(slot.product, slot.feature)} · "
                    f"{self.t('progress', n=step.index + 1, total=step.total)} ──")
        if step.repeat is not None:
            self.note("ℹ " + step.repeat.help.get(self.lang))
            return self.ui.select(_fill(step.repeat.text.get(self.lang), **fill),
                                  [(YES, self.t("choice_yes"), None), (NO, self.t("choice_no"), None)],
                                  default=step.value or NO, instruction=self.t("instructions_select"))
        question = step.question
        self.note("ℹ " + question.help.get(self.lang))
        message = _fill(question.text.get(self.lang), **fill)
        kind = question.type
        if kind in ("select", "yes_no"):
            choices = [(c, self.q.choice_label(question, c, self.lang), self._choice_help(question, c))
                       for c in question.choice_ids()]
            default = step.value if isinstance(step.value, str) else question.default
            return self.ui.select(message, choices, default=default if isinstance(default, str) else None,
                                  instruction=self.t("instructions_select"))
        if kind == "multi":
            choices = [(c, self.q.choice_label(question, c, self.lang), self._choice_help(question, c))
                       for c in question.choice_ids()]
            checked = list(step.value) if isinstance(step.value, list) else []
            pointer = checked[0] if checked else question.default if isinstance(question.default, str) else None
            return self.ui.checkbox(message, choices, checked=checked, pointer=pointer,
                                    instruction=self.t("instructions_multi"), exclusive=(NONE,),
                                    separator="、" if self.lang == "zh" else ", ")
        current = "" if step.value is None else str(step.value)
        unsure_words = {w.strip().lower() for w in self.t("unsure_words").split(",") if w.strip()}
        if kind == "number":
            if step.value == UNSURE:
                current = self.t("choice_unsure")

            def check_number(text: str) -> bool | str:
                if text.strip().lower() in unsure_words or (not text.strip() and question.unsure):
                    return True if question.unsure else self.t("error_number")
                return True if parse_count(text) is not None else self.t("error_number")

            empty = self.t("choice_unsure") if question.unsure else None
            answer = self.ui.text(message, default=current, placeholder=empty, validate=check_number,
                                  instruction=self._text_instruction(empty))
            if answer is BACK:
                return answer
            if not answer.strip() or answer.strip().lower() in unsure_words:
                return UNSURE
            return parse_count(answer)
        placeholder = None
        if kind == "text" and question.default is not None:
            number = (slot.feature if slot.feature is not None else slot.product or 0) + 1
            placeholder = _fill(question.default.get(self.lang), n=number)
        empty = placeholder or (self.t("not_given") if question.optional else None)

        def check_text(text: str) -> bool | str:
            if not text.strip():
                return True if empty else self.t("error_required")
            if kind == "date":
                try:
                    dt.date.fromisoformat(text.strip())
                except ValueError:
                    return self.t("error_date")
            return True

        answer = self.ui.text(message, default=current, placeholder=empty, validate=check_text,
                              instruction=self._text_instruction(empty))
        if answer is BACK:
            return answer
        return answer.strip() or (placeholder or "")

    def _text_instruction(self, empty: str | None) -> str:
        return self.t("instructions_text", empty=empty) if empty else self.t("instructions_required_text")

    def _choice_help(self, question: Any, choice_id: str) -> str | None:
        choice = question.choice(choice_id)
        return choice.help.get(self.lang) if choice is not None and choice.help is not None else None

    # -- the loop
    def run_questions(self) -> None:
        """Ask until every question that applies is answered and the review is confirmed."""
        while True:
            step = self.flow.current()
            if step is None:
                if self.flow.focus is not None or self.review():
                    return
                continue
            value = self.ask_step(step)
            if value is BACK:
                if not self.flow.back():
                    self.note(self.t("back_at_first"))
            else:
                self.flow.answer(value)
            self.save()

    def assessment(self) -> Any:
        """The assessment of the full answers, computed afresh."""
        from engine import assess

        return assess(self.flow.answers())

    def review(self) -> bool:
        """The review screen: answers by section; True when confirmed."""
        from engine import AnswersError
        from engine.flow import describe_value

        self.ui.say()
        self.ui.say(f"== {self.t('review_title')} ==")
        sections = self.flow.review()
        for section in sections:
            rows = [[_fill(item.question.text.get(self.lang), product=self.flow.name_of(section.product) or "…")
                     if section.product is not None else item.question.text.get(self.lang),
                     describe_value(self.q, item.question, item.value, self.lang)] for item in section.items]
            self.ui.say(f"\n{self.item_label(section.product, section.feature)}")
            self.ui.say(tabulate(rows, tablefmt="simple_grid", maxcolwidths=[44, 60], disable_numparse=True))
        complete = True
        try:
            result = self.assessment()
            label = self.q.vocabulary.label("applicability", result.filing.status, self.lang)
            self.ui.say("\n" + self.t("review_status", status=f"{label} ({result.filing.status})",
                                      count=len(result.algorithms)))
        except AnswersError as exc:
            complete = False
            self.ui.say("\n" + self.t("review_incomplete", problem=exc.render_all()))
        options: list[tuple[str, str, str | None]] = []
        if complete:
            options.append(("confirm", self.t("review_confirm"), None))
        for section in sections:
            key = section.items[0].slot.scope_key
            options.append((f"edit:{key}", self.t("review_edit_section",
                                                  section=self.item_label(section.product, section.feature)), None))
        for p in range(self.flow.product_count()):
            options.append((f"add_feature:{p}", self.t("review_add_feature", product=self.flow.name_of(p) or "…"),
                            None))
        options.append(("add_product", self.t("review_add_product"), None))
        choice = self.ui.select(self.t("review_menu"), options, default=options[0][0],
                                instruction=self.t("instructions_select"))
        if choice is BACK:
            self.flow.back()
            return False
        if choice == "confirm":
            return True
        action, _, arg = choice.partition(":")
        if action == "add_product":
            self.flow.add_product()
        elif action == "add_feature":
            self.flow.add_feature(int(arg))
        else:
            self.edit_section(next(s for s in sections if s.items[0].slot.scope_key == arg))
        self.save()
        return False

    def edit_section(self, section: Any) -> None:
        """Pick one answer of a section to change, or remove the product or feature."""
        from engine.flow import describe_value

        options: list[tuple[str, str, str | None]] = []
        for item in section.items:
            question = _fill(item.question.text.get(self.lang), product=self.flow.name_of(section.product) or "…")
            options.append((item.slot.key, f"{question}  →  "
                            f"{describe_value(self.q, item.question, item.value, self.lang)}", None))
        label = self.item_label(section.product, section.feature)
        if section.scope == "feature":
            options.append(("remove", self.t("review_remove_feature", section=label), None))
        elif section.scope == "product":
            options.append(("remove", self.t("review_remove_product", section=label), None))
        options.append(("back", self.t("review_back"), None))
        choice = self.ui.select(self.t("review_pick_answer"), options, default=options[0][0],
                                instruction=self.t("instructions_select"))
        if choice is BACK or choice == "back":
            return
        if choice == "remove":
            removed = (self.flow.remove_feature(section.product, section.feature) if section.scope == "feature"
                       else self.flow.remove_product(section.product))
            self.note(self.t("review_removed" if removed else "review_cannot_remove", name=label))
            return
        self.flow.edit(choice)

    # -- the result
    def show_result(self) -> Any:
        from engine.render import render

        result = self.assessment()
        self.ui.say()
        self.ui.say(f"######## {self.t('result_title')} ########")
        sys.stdout.write(render(result, "table", self.lang))
        if result.filing.status == "needs_review":
            self.ui.say("\n" + self.t("open_questions_hint"))
        return result

    def show_changes(self) -> Any:
        """``--new-feature``: what the new feature changes, then the full new result."""
        from engine import parse_answers

        before = parse_answers(self.new_feature.before, source=self.new_feature.source)
        after = self.flow.answers()
        self.ui.say()
        self.ui.say(f"######## {self.t('new_feature_changes')} ########")
        try:
            from engine.diff import diff_answers, render_diff
        except ImportError:
            from engine import assess

            old, new = assess(before).filing.status, assess(after).filing.status
            self.ui.say(self.t("new_feature_status", before=old, after=new))
        else:
            sys.stdout.write(render_diff(diff_answers(before, after), "table", self.lang))
        return self.show_result()

    def after_menu(self, result: Any) -> bool:
        """Offer to save the report and the answers; True to go back to the answers."""
        from engine.render import render

        defaults = {"markdown": "algo-filing-report.md", "json": "algo-filing-report.json",
                    "answers": "algo-filing-answers.yaml"}
        while True:
            choice = self.ui.select(self.t("after_menu"), [
                ("markdown", self.t("after_save_markdown"), None), ("json", self.t("after_save_json"), None),
                ("answers", self.t("after_save_answers"), None), ("edit", self.t("after_edit"), None),
                ("quit", self.t("after_quit"), None)], default="markdown",
                instruction=self.t("instructions_select"))
            if choice is BACK or choice == "edit":
                self.flow.focus = None
                self.save()
                return True
            if choice == "quit":
                return False
            default = str(_free_path(self.draft.parent / defaults[choice]))
            answer = self.ui.text(self.t("save_path"), default=default,
                                  instruction=self.t("instructions_required_text"),
                                  validate=lambda text: True if text.strip() else self.t("error_required"))
            if answer is BACK:
                continue
            path = Path(answer.strip()).expanduser()
            if choice == "answers":
                from engine.flow import dump_document

                text = dump_document(self.flow.document())
            else:
                text = render(result, choice, self.lang)  # type: ignore[arg-type]
            try:
                _atomic_write(path, text)
            except OSError as exc:
                self.note(self.t("save_failed", path=path, problem=exc.strerror or exc))
                continue
            self.ui.say(self.t("saved", path=path))


def _start(args: argparse.Namespace, ui: Prompter, questionnaire: Any) -> _Session | None:
    """Build the session from the arguments: a new draft, a resumed one, or a prefilled one."""
    from engine import EngineError, load_answers
    from engine.flow import Flow, NewFeature, load_draft, read_answers_file

    lang = args.lang
    t = questionnaire.text
    if args.resume is not None:
        loaded = load_draft(questionnaire, args.resume)
        draft = args.draft or args.resume
        if loaded.edited:
            print(t("draft_edited", lang))
        new_feature = loaded.progress.new_feature if loaded.progress else None
        return _Session(loaded.flow, draft, lang, ui, new_feature)
    draft = args.draft or Path(DEFAULT_DRAFT)
    if args.answers is not None:
        if args.new_feature:
            before = load_answers(args.answers)
            doc = read_answers_file(args.answers)
            flow = Flow.from_document(questionnaire, doc)
            product = 0
            if len(before.products) > 1:
                product = ui.select(t("new_feature_product", lang),
                                    [(str(i), p.name, None) for i, p in enumerate(before.products)],
                                    default="0", instruction=t("instructions_select", lang))
                if product is BACK:
                    return None
                product = int(product)
            feature = flow.start_new_feature(product)
            new_feature = NewFeature(product=product, feature=feature, source=str(args.answers),
                                     before=json.loads(json.dumps(doc, default=str)))
            _move_aside(draft, questionnaire, lang)
            print(t("new_feature_intro", lang, product=before.products[product].name, path=args.answers))
            return _Session(flow, draft, lang, ui, new_feature)
        doc = read_answers_file(args.answers)
        flow = Flow.from_document(questionnaire, doc)
        _move_aside(draft, questionnaire, lang)
        print(t("prefilled", lang, n=flow.answered_count(), path=args.answers))
        return _Session(flow, draft, lang, ui)
    if draft.exists():
        try:
            loaded = load_draft(questionnaire, draft)
        except EngineError as exc:
            aside = _free_path(draft)
            _move_aside(draft, questionnaire, lang, quiet=True)
            print(t("draft_broken", lang, path=draft, aside=aside, problem=exc.render()))
            return _Session(Flow(questionnaire), draft, lang, ui)
        aside = _free_path(draft)
        choice = ui.select(t("draft_found", lang, path=draft, n=loaded.flow.answered_count()),
                           [("continue", t("draft_continue", lang), None),
                            ("new", t("draft_new", lang, path=aside), None)],
                           default="continue", instruction=t("instructions_select", lang))
        if choice is BACK:
            return None
        if choice == "continue":
            new_feature = loaded.progress.new_feature if loaded.progress else None
            return _Session(loaded.flow, draft, lang, ui, new_feature)
        _move_aside(draft, questionnaire, lang)
    return _Session(Flow(questionnaire), draft, lang, ui)


def _move_aside(draft: Path, questionnaire: Any, lang: str, *, quiet: bool = False) -> None:
    """Keep an existing draft (and its sidecar) under a free name before starting a new one."""
    from engine.flow import progress_path

    if not draft.exists():
        return
    aside = _free_path(draft)
    os.replace(draft, aside)
    if progress_path(draft).exists():
        os.replace(progress_path(draft), progress_path(aside))
    if not quiet:
        print(questionnaire.text("draft_moved", lang, path=aside))


def _check_inputs(args: argparse.Namespace, questionnaire: Any) -> None:
    """Read the draft or answers file before asking anything: a bad file fails first (exit 2)."""
    from engine import load_answers
    from engine.flow import load_draft, read_answers_file

    if args.resume is not None:
        load_draft(questionnaire, args.resume)
    if args.answers is not None:
        read_answers_file(args.answers)
        if args.new_feature:
            load_answers(args.answers)


def ask(args: argparse.Namespace, *, prompter: Prompter | None = None) -> int:
    """``algo-filing ask``: the questionnaire in the terminal; returns the exit code.

    Every answer is saved to the draft at once; Ctrl-C (or Ctrl-D) saves, prints the draft's
    path and the command that resumes it, and exits 130.
    """
    from engine.questionnaire import default_questionnaire

    questionnaire = default_questionnaire()
    lang = args.lang
    if args.resume is not None and args.answers is not None:
        return _fail("algo-filing ask: use either --resume DRAFT or --answers FILE, not both")
    if args.new_feature and args.answers is None:
        return _fail("algo-filing ask: --new-feature needs --answers FILE (the answers before the new feature)")
    _check_inputs(args, questionnaire)
    if prompter is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        return _fail("algo-filing: " + questionnaire.text("needs_terminal", lang))
    ui = prompter or Prompter()
    session: _Session | None = None
    try:
        ui.say(questionnaire.title.get(lang) + " · " + questionnaire.text("keys_legend", lang))
        session = _start(args, ui, questionnaire)
        if session is None:
            return EXIT_OK
        session.save()
        while True:
            session.run_questions()
            session.save()
            result = session.show_changes() if session.new_feature is not None else session.show_result()
            if not session.after_menu(result):
                break
        session.note(questionnaire.text("answers_kept", lang, path=shlex.quote(str(session.draft))))
        return EXIT_OK
    except (KeyboardInterrupt, EOFError):
        print(flush=True)
        print(questionnaire.text("interrupted", lang))
        if session is not None:
            session.save()
            print(questionnaire.text("draft_saved", lang, path=session.draft))
            print(questionnaire.text("resume_hint", lang, command=session.resume_command()), flush=True)
        return EXIT_INTERRUPTED


def _cmd_ask(args: argparse.Namespace) -> int:
    return ask(args)


COMMANDS = {"assess": _cmd_assess, "validate": _cmd_validate, "rules": _cmd_rules, "schema": _cmd_schema,
            "batch": _cmd_batch, "diff": _cmd_diff, "decode": _cmd_decode, "ask": _cmd_ask}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``algo-filing`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(["ask"] if argv is None and len(sys.argv) == 1 else argv)
    if args.command is None:
        args = parser.parse_args(["ask"])
    from engine.errors import AnswersError, EngineError

    try:
        return COMMANDS[args.command](args)
    except AnswersError as exc:
        return _fail("algo-filing: invalid answers\n" + exc.render_all())
    except EngineError as exc:
        return _fail(f"algo-filing: {exc.render()}")
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        return _fail(f"algo-filing: {getattr(exc, 'filename', '') or ''}: {exc.strerror}")


if __name__ == "__main__":
    sys.exit(main())
