"""``algo-filing ask``: start or resume a questionnaire session and run it to the result."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from cli.exits import EXIT_INTERRUPTED, EXIT_OK, fail
from cli.prompts import BACK, Prompter
from cli.screen import terminal_width
from cli.session import Session, free_path

DEFAULT_DRAFT = "algo-filing-draft.yaml"


def _start(args: argparse.Namespace, ui: Prompter, questionnaire: Any) -> Session | None:
    """Build the session from the arguments: a new draft, a resumed one, or a prefilled one."""
    from engine import EngineError, load_answers
    from engine.questionnaire.drafts import NewFeature, load_draft
    from engine.questionnaire.flow import Flow
    from engine.questionnaire.prefill import read_answers_file
    from engine.sanitize import terminal_safe

    lang = args.lang
    t = questionnaire.text
    if args.resume is not None:
        loaded = load_draft(questionnaire, args.resume)
        draft = args.draft or args.resume
        if loaded.edited:
            print(t("draft_edited", lang))
        new_feature = loaded.progress.new_feature if loaded.progress else None
        return Session(loaded.flow, draft, lang, ui, new_feature)
    draft = args.draft or Path(DEFAULT_DRAFT)
    if args.answers is not None:
        if args.new_feature:
            before = load_answers(args.answers)
            doc = read_answers_file(args.answers)
            flow = Flow.from_document(questionnaire, doc)
            product = 0
            if len(before.products) > 1:
                product = ui.select(t("new_feature_product", lang),
                                    [(str(i), terminal_safe(p.name, keep_newlines=False), None)
                                     for i, p in enumerate(before.products)],
                                    default="0", instruction=t("instructions_select", lang))
                if product is BACK:
                    return None
                product = int(product)
            feature = flow.start_new_feature(product)
            new_feature = NewFeature(product=product, feature=feature, source=str(args.answers),
                                     before=json.loads(json.dumps(doc, default=str)))
            _move_aside(draft, questionnaire, lang)
            print(t("new_feature_intro", lang, product=terminal_safe(before.products[product].name),
                    path=args.answers))
            return Session(flow, draft, lang, ui, new_feature)
        doc = read_answers_file(args.answers)
        flow = Flow.from_document(questionnaire, doc)
        _move_aside(draft, questionnaire, lang)
        print(t("prefilled", lang, n=flow.answered_count(), path=args.answers))
        return Session(flow, draft, lang, ui)
    if draft.exists():
        try:
            loaded = load_draft(questionnaire, draft)
        except EngineError as exc:
            aside = free_path(draft)
            _move_aside(draft, questionnaire, lang, quiet=True)
            print(t("draft_broken", lang, path=draft, aside=aside, problem=exc.render()))
            return Session(Flow(questionnaire), draft, lang, ui)
        aside = free_path(draft)
        choice = ui.select(t("draft_found", lang, path=draft, n=loaded.flow.answered_count()),
                           [("continue", t("draft_continue", lang), None),
                            ("new", t("draft_new", lang, path=aside), None)],
                           default="continue", instruction=t("instructions_select", lang))
        if choice is BACK:
            return None
        if choice == "continue":
            new_feature = loaded.progress.new_feature if loaded.progress else None
            return Session(loaded.flow, draft, lang, ui, new_feature)
        _move_aside(draft, questionnaire, lang)
    return Session(Flow(questionnaire), draft, lang, ui)


def _move_aside(draft: Path, questionnaire: Any, lang: str, *, quiet: bool = False) -> None:
    """Keep an existing draft (and its sidecar) under a free name before starting a new one."""
    from engine.questionnaire.drafts import progress_path

    if not draft.exists():
        return
    aside = free_path(draft)
    os.replace(draft, aside)
    if progress_path(draft).exists():
        os.replace(progress_path(draft), progress_path(aside))
    if not quiet:
        print(questionnaire.text("draft_moved", lang, path=aside))


def _check_inputs(args: argparse.Namespace, questionnaire: Any) -> None:
    """Read the draft or answers file before asking anything: a bad file fails first (exit 2)."""
    from engine import load_answers
    from engine.questionnaire.drafts import load_draft
    from engine.questionnaire.prefill import read_answers_file

    if args.resume is not None:
        load_draft(questionnaire, args.resume)
    if args.answers is not None:
        read_answers_file(args.answers)
        if args.new_feature:
            load_answers(args.answers)


def ask(args: argparse.Namespace, *, prompter: Prompter | None = None) -> int:
    """``algo-filing ask``: the questionnaire in the terminal; returns the exit code.

    Every answer is saved to the draft at once; Ctrl-C (or Ctrl-D) saves, prints the draft's
    path and the command that resumes it, and exits 130. The draft is locked (``<draft>.lock``
    holding the process id) while the session runs: a second ``ask`` on the same draft is
    refused instead of silently overwriting the first one's answers.
    """
    from engine.questionnaire.loader import default_questionnaire

    questionnaire = default_questionnaire()
    if args.resume is not None and args.answers is not None:
        return fail("algo-filing ask: use either --resume DRAFT or --answers FILE, not both")
    if args.new_feature and args.answers is None:
        return fail("algo-filing ask: --new-feature needs --answers FILE (the answers before the new feature)")
    _check_inputs(args, questionnaire)
    from engine.files import pid_lock, same_file

    draft = args.draft or args.resume or Path(DEFAULT_DRAFT)
    if args.answers is not None and same_file(draft, args.answers):
        return fail(f"algo-filing ask: the draft {draft} would overwrite the answers file; "
                    "give another --draft PATH")
    _check_draft(draft)
    with pid_lock(draft, what="draft", notice=_notice):
        return _ask(args, prompter, questionnaire)


def _check_draft(draft: Path) -> None:
    """Refuse a draft path that ``ask`` could not rename and replace as it goes.

    The draft and its sidecar are replaced after every answer and renamed aside on "Start
    over": done to a device node (``--draft /dev/null``), a FIFO or a folder, that would put a
    regular file in its place. A draft the user could not write is refused too.
    """
    from engine.files import OutputError, check_output, is_regular_or_missing
    from engine.questionnaire.drafts import progress_path

    for path in (draft, progress_path(draft)):
        if not is_regular_or_missing(path):
            raise OutputError("not a regular file (a device, FIFO, socket or folder); a draft is renamed and "
                              "replaced as answers are saved", file=str(path),
                              hint="give a file path with --draft PATH")
        check_output(path)


def _notice(text: str) -> None:
    """A note on standard error (a lock taken over), control characters shown escaped."""
    from engine.sanitize import terminal_safe

    print(terminal_safe(f"algo-filing: note: {text}", keep_newlines=False), file=sys.stderr)


def _ask(args: argparse.Namespace, prompter: Prompter | None, questionnaire: Any) -> int:
    """The session itself, while this process holds the draft's lock."""
    from engine.render.wrap import wrap

    lang = args.lang
    if prompter is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        return fail("algo-filing: " + questionnaire.text("needs_terminal", lang))
    ui = prompter or Prompter()
    session: Session | None = None
    try:
        ui.say(wrap(questionnaire.title.get(lang) + " · " + questionnaire.text("keys_legend", lang),
                    terminal_width(), "  "))
        session = _start(args, ui, questionnaire)
        if session is None:
            return EXIT_OK
        session.inputs = [p for p in (args.answers, args.resume) if p is not None]
        session.flow.request(bool(getattr(args, "describe", False)))
        session.save()
        while True:
            session.run_questions()
            session.save()
            result = session.show_changes() if session.new_feature is not None else session.show_result()
            if not session.after_menu(result):
                break
        session.note(questionnaire.text("answers_kept", lang, path=shlex.quote(str(session.draft))))
        return EXIT_OK
    except (KeyboardInterrupt, EOFError) as exc:
        from engine.signals import exit_code

        print(flush=True)
        print(questionnaire.text("interrupted", lang))
        if session is not None:
            session.save()
            print(questionnaire.text("draft_saved", lang, path=session.draft))
            print(questionnaire.text("resume_hint", lang, command=session.resume_command()), flush=True)
        return exit_code(exc) if isinstance(exc, KeyboardInterrupt) else EXIT_INTERRUPTED


def cmd_ask(args: argparse.Namespace) -> int:
    return ask(args)
