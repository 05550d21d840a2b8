"""The non-interactive commands: assess, validate, rules, schema, batch, diff, decode, draft, similar."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cli.exits import EXIT_FAILED_RECORDS, EXIT_OK
from cli.screen import color_wanted, terminal_width

if TYPE_CHECKING:
    from engine.intake.batch import BatchInterrupted
    from engine.limits import Limits


def limits_of(args: argparse.Namespace) -> Limits:
    """The size limits the flags ask for (the defaults where a command has no such flag)."""
    from dataclasses import replace

    from engine.limits import DEFAULT_LIMITS

    flags = {"file_bytes": "max_file_size", "line_bytes": "max_line_size", "products": "max_products",
             "features": "max_features", "name_chars": "max_name_length"}
    given = {field: getattr(args, flag) for field, flag in flags.items() if getattr(args, flag, None) is not None}
    return replace(DEFAULT_LIMITS, **given)




def note_migrated(answers: Any, source: Any) -> None:
    """One line on standard error when a schema-2.0 answers file was read as 3.0 (never a refusal)."""
    from engine.model.migrate import migration_note
    from engine.sanitize import terminal_safe

    if answers.migrated:
        name = "<stdin>" if str(source) == "-" else str(source)
        print(terminal_safe(f"algo-filing: note: {migration_note(name, list(answers.migrated))}",
                            keep_newlines=False), file=sys.stderr)


def _cmd_assess(args: argparse.Namespace) -> int:
    from engine import assess, load_answers
    from engine.files import atomic_write, check_output
    from engine.render import render
    from engine.render.summary import render_terminal
    from engine.sanitize import shell_quote
    from engine.signals import take_pending

    if args.output:
        check_output(args.output, [args.file])
    answers = load_answers(args.file, limits=limits_of(args))
    note_migrated(answers, args.file)
    result = assess(answers, as_of=args.as_of)
    pending = take_pending()
    if pending is not None:  # Ctrl-C caught inside the rules engine: the result may be short of a rule
        raise pending
    if args.format == "table":
        command = f"algo-filing assess {shell_quote(str(args.file))}"
        html = f"{command} --format html -o report.html"
        text = render_terminal(
            result, args.lang, today=args.as_of or dt.date.today(), ids=args.ids,
            width=terminal_width() if args.output is None else 100,
            color=args.output is None and color_wanted(sys.stdout),
            report_hint=html if args.full else f"{command} --full", full=args.full, html_hint=html)
    elif args.format == "json":
        text = result.to_json(catalogue=args.catalogue)
    else:
        text = render(result, args.format, args.lang, today=args.as_of, ids=args.ids)
    if getattr(args, "purposes", False) and args.format in ("table", "markdown"):
        from engine.precedents.wording import purpose_notes
        from engine.render.similar import render_purposes

        text += "\n" + render_purposes(purpose_notes(result), args.lang)
    if args.output:
        atomic_write(args.output, text, inputs=[args.file])
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from engine import load_answers
    from engine.sanitize import terminal_safe

    answers = load_answers(args.file, limits=limits_of(args))
    note_migrated(answers, args.file)
    features = sum(len(p.features) for p in answers.products)
    name = "<stdin>" if str(args.file) == "-" else str(args.file)
    print(terminal_safe(f"{name}: valid ({len(answers.products)} products, {features} features)"))
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    from engine import default_rulebook
    from engine.render.rules import render_rules

    if args.format == "catalogue":
        from engine.model.contract_json import catalogue_json

        sys.stdout.write(catalogue_json(default_rulebook()))
        return EXIT_OK
    sys.stdout.write(render_rules(default_rulebook(), args.format, args.lang, width=terminal_width()))
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from engine import answers_json_schema, assessment_json_schema, catalogue_json_schema
    from engine.intake.triage import error_record_json_schema, triage_json_schema
    from engine.precedents.similar import similar_json_schema

    schemas = {"answers": answers_json_schema, "assessment": assessment_json_schema, "catalogue": catalogue_json_schema,
               "triage": triage_json_schema, "batch-error": error_record_json_schema, "similar": similar_json_schema}
    schema = schemas[args.which]()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


def _cmd_batch(args: argparse.Namespace) -> int:
    from engine.intake.batch import BatchInterrupted, run_batch
    from engine.signals import exit_code

    try:
        stats = run_batch(args.input, args.output, input_format=args.input_format, summary=args.summary,
                          as_of=args.as_of, progress=sys.stderr.isatty(), limits=limits_of(args),
                          start_line=args.start_line, catalogue=args.catalogue)
    except BatchInterrupted as exc:
        print(interrupted_message(args, exc), file=sys.stderr)
        return exit_code(exc.cause)
    print(stats.describe(), file=sys.stderr)
    return EXIT_FAILED_RECORDS if stats.errors else EXIT_OK


def interrupted_message(args: argparse.Namespace, exc: BatchInterrupted) -> str:
    """What an interrupted batch kept, and the command that continues it."""
    from engine.sanitize import shell_join, shell_quote, terminal_safe
    from engine.signals import signal_name

    stats, out = exc.stats, str(args.output)
    if stats.records == 0:
        return terminal_safe(f"algo-filing batch: interrupted ({signal_name(exc.cause)}) before any record was "
                             f"done; {out} holds no records")
    rest = args.output.with_name(args.output.stem + ".rest" + args.output.suffix)
    command = ["algo-filing", "batch", str(args.input), "-o", str(rest), "--start-line", str(stats.last_line + 1)]
    for flag, value in (("--input-format", args.input_format), ("--as-of", args.as_of)):
        if value is not None:
            command += [flag, str(value)]
    if args.summary:
        command.append("--summary")
    csv_out = args.summary and args.output.suffix.lower() == ".csv"
    append = (f"tail -n +2 {shell_quote(str(rest))} >> {shell_quote(out)}" if csv_out
              else f"cat {shell_quote(str(rest))} >> {shell_quote(out)}")
    return terminal_safe(
        f"algo-filing batch: interrupted ({signal_name(exc.cause)}) after input line {stats.last_line}; "
        f"{out} keeps the output of the {stats.records:,} records done ({stats.errors:,} failed)\n"
        f"to continue: {shell_join(command)}\n"
        f"then append it: {append}")


def _cmd_diff(args: argparse.Namespace) -> int:
    from engine import load_answers
    from engine.pipeline.diff import diff_answers
    from engine.render.diff import render_diff

    limits = limits_of(args)
    before, after = load_answers(args.before, limits=limits), load_answers(args.after, limits=limits)
    note_migrated(before, args.before)
    note_migrated(after, args.after)
    sys.stdout.write(render_diff(diff_answers(before, after, as_of=args.as_of), args.format, args.lang,
                                 width=terminal_width(), ids=args.ids))
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from service.server import run

    return run(args.host, args.port, args.token_file, args.insecure, args.workers)


def _cmd_decode(args: argparse.Namespace) -> int:
    from engine.model.filing_number import decode_filing_number
    from engine.render.filing_number import render_filing_number

    sys.stdout.write(render_filing_number(decode_filing_number(args.number), args.format, args.lang))
    return EXIT_OK


def _cmd_draft(args: argparse.Namespace) -> int:
    from engine import assess, load_answers
    from engine.drafts.compose import compose
    from engine.drafts.output import check_folder, write_drafts
    from engine.sanitize import terminal_safe

    check_folder(args.output)
    answers = load_answers(args.file, limits=limits_of(args))
    drafts = compose(answers, assess(answers, as_of=args.as_of), args.lang)
    written = write_drafts(drafts, args.output)
    prompts = sum(1 for f in drafts.filings for d in f.documents for s in d.sentences() if s.prompt)
    zh = args.lang == "zh"
    print((f"已写入 {len(written)} 个文件到 {terminal_safe(str(args.output))}：{len(drafts.filings)} 个备案文件夹，"
           f"{prompts} 处【请填写】，{len(drafts.events)} 个日程（filing.ics）") if zh else
          (f"Wrote {len(written)} files to {terminal_safe(str(args.output))}: {len(drafts.filings)} filing folders, "
           f"{prompts} prompts to complete, {len(drafts.events)} calendar events (filing.ics)"))
    if drafts.conflicts:
        for conflict in drafts.conflicts:
            print(f"algo-filing: inconsistent fact {conflict.path}: "
                  + " / ".join(terminal_safe(v) for _, v in conflict.values), file=sys.stderr)
        return EXIT_FAILED_RECORDS
    return EXIT_OK


def _cmd_similar(args: argparse.Namespace) -> int:
    from engine.model.vocabulary import load_vocabulary
    from engine.precedents.similar import similar
    from engine.render.similar import render_similar

    result = similar(args.sentence, top=args.top, type_=args.type, form=args.form, role=args.role)
    sys.stdout.write(render_similar(result, args.format, args.lang, load_vocabulary(), width=terminal_width(),
                                    ids=args.ids))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "assess": _cmd_assess, "validate": _cmd_validate, "rules": _cmd_rules, "schema": _cmd_schema,
    "batch": _cmd_batch, "diff": _cmd_diff, "decode": _cmd_decode, "serve": _cmd_serve,
    "draft": _cmd_draft, "similar": _cmd_similar}
