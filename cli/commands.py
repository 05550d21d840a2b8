"""The non-interactive commands: assess, validate, rules, schema, batch, diff, decode."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import shutil
import sys
from collections.abc import Callable

from cli.exits import EXIT_OK


def terminal_width() -> int:
    """The terminal's columns (80 when unknown, e.g. piped), so tables fit the screen."""
    return shutil.get_terminal_size((80, 24)).columns


def _cmd_assess(args: argparse.Namespace) -> int:
    from engine import assess, load_answers
    from engine.files import atomic_write
    from engine.render import render
    from engine.render.summary import render_terminal

    answers = load_answers(args.file)
    result = assess(answers, as_of=args.as_of)
    if args.format == "table":
        text = render_terminal(
            result, args.lang, today=args.as_of or dt.date.today(), ids=args.ids,
            width=terminal_width() if args.output is None else 100,
            color=args.output is None and sys.stdout.isatty(),
            report_hint=f"algo-filing assess {shlex.quote(str(args.file))} --format html -o report.html")
    else:
        text = render(result, args.format, args.lang)
    if args.output:
        atomic_write(args.output, text)
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
    from engine.render.rules import render_rules

    sys.stdout.write(render_rules(default_rulebook(), args.format, args.lang))
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from engine import answers_json_schema, assessment_json_schema
    from engine.intake.triage import error_record_json_schema, triage_json_schema

    schemas = {"answers": answers_json_schema, "assessment": assessment_json_schema,
               "triage": triage_json_schema, "batch-error": error_record_json_schema}
    schema = schemas[args.which]()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


def _cmd_batch(args: argparse.Namespace) -> int:
    from engine.intake.batch import run_batch

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
    from engine.pipeline.diff import diff_answers
    from engine.render.diff import render_diff

    before, after = load_answers(args.before), load_answers(args.after)
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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "assess": _cmd_assess, "validate": _cmd_validate, "rules": _cmd_rules, "schema": _cmd_schema,
    "batch": _cmd_batch, "diff": _cmd_diff, "decode": _cmd_decode, "serve": _cmd_serve}
