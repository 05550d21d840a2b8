"""Argument parsing and the guard around every command.

Bad input (a missing file, broken YAML, a wrong type, an unknown id) prints one message per
problem naming the file and the field with the fix, and exits 2 without a traceback. Anything
else that goes wrong is a bug: one line asking for a report and exit 3 (the traceback only
with ``--debug``). Ctrl-C exits 130; SIGTERM and SIGHUP clean up like Ctrl-C and exit 143 and
129 (:mod:`engine.signals`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from cli.ask import cmd_ask
from cli.commands import COMMANDS
from cli.exits import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, fail
from cli.screen import ascii_fallback


def _version() -> str:
    from importlib import metadata  # only for --version: reading it costs every command 30 ms

    try:
        return metadata.version("algo-filing")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class _VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002 - argparse's name
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        sys.stdout.write(f"algo-filing {_version()}\n")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code for usage errors and no traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"algo-filing: error: {message}\n")


def _date(text: str) -> dt.date:
    """A date flag: the same range as a date in a file (engine.limits)."""
    from engine.limits import parse_day
    from engine.sanitize import echo

    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(echo(str(exc), 400)) from None


def _positive(text: str) -> int:
    """A count or limit flag: a whole number from 1 to 10^12 (a larger one is a typing mistake
    and would overflow the reads it bounds)."""
    from engine.limits import LARGEST_LIMIT
    from engine.sanitize import echo

    try:
        value = int(text) if len(text) <= 40 else 0
    except ValueError:
        value = 0
    if value < 1 or not text.strip().isascii():
        raise argparse.ArgumentTypeError(f"'{echo(text)}' is not a positive whole number")
    if value > LARGEST_LIMIT:
        raise argparse.ArgumentTypeError(f"'{echo(text)}' is too large; give at most {LARGEST_LIMIT:,}")
    return value


def _add_file_size(p: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """``--max-file-size``: the one limit of every command that reads a whole file (``ask`` reads
    its answers file, draft and sidecar bounded by it, as ``assess`` does)."""
    from engine.limits import DEFAULT_LIMITS as d

    group = p.add_argument_group("size limits")
    group.add_argument("--max-file-size", type=_positive, default=d.file_bytes, metavar="BYTES",
                       help=f"largest answers file (default {d.file_bytes:,})")
    return group


def _add_catalogue(p: argparse.ArgumentParser) -> None:
    p.add_argument("--catalogue", choices=("ids", "embed"), default="ids",
                   help="JSON: ids (default) points to the rulebook's texts by id (algo-filing rules --format "
                        "catalogue); embed also writes the texts it points to, so the file reads with any version")


def _add_limits(p: argparse.ArgumentParser, *, batch: bool = False) -> None:
    """The flags that raise the size limits (engine.limits.Limits; README "Limits and safety")."""
    from engine.limits import DEFAULT_LIMITS as d

    if batch:
        group = p.add_argument_group("size limits")
        group.add_argument("--max-line-size", type=_positive, default=d.line_bytes, metavar="BYTES",
                           help=f"longest input line (default {d.line_bytes:,})")
    else:
        group = _add_file_size(p)
    group.add_argument("--max-products", type=_positive, default=d.products, metavar="N",
                       help=f"most products per answers document (default {d.products})")
    group.add_argument("--max-features", type=_positive, default=d.features, metavar="N",
                       help=f"most features per answers document (default {d.features})")
    group.add_argument("--max-name-length", type=_positive, default=d.name_chars, metavar="N",
                       help=f"longest entity, product or feature name (default {d.name_chars})")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="algo-filing",
                     description="Does China's algorithm filing (算法备案) apply to a product, and what follows?")
    parser.add_argument("--version", action=_VersionAction, help="show program's version number and exit")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
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
    p.add_argument("--describe", action="store_true",
                   help="after each feature's name, ask for a one-sentence description: the behaviours are "
                        "pre-ticked from it and the three nearest published filings shown")
    _add_file_size(p)

    p = sub.add_parser("assess", help="assess an answers file (YAML or JSON; - reads standard input)")
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=("table", "json", "markdown", "html"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--as-of", type=_date, default=None, help="apply the rules in force on this date")
    p.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of stdout")
    p.add_argument("--ids", action="store_true", help="table, Markdown, HTML: show stable ids beside the labels")
    p.add_argument("--full", action="store_true",
                   help="table: every duty, citation, pitfall and table (default: the short result)")
    p.add_argument("--purposes", action="store_true",
                   help="table, markdown: add per algorithm two published purposes of its kind and a draft of its own")
    _add_catalogue(p)
    _add_limits(p)

    p = sub.add_parser("validate", help="check an answers file without assessing it")
    p.add_argument("file", type=Path)
    _add_limits(p)

    p = sub.add_parser("rules", help="list every rule and every duty with its legal basis")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--format", choices=("table", "json", "catalogue"), default="table",
                   help="catalogue: the rulebook catalogue (JSON, both languages) that assessments point to by id")

    p = sub.add_parser("schema", help="print the JSON Schema of answers, assessments or batch records")
    p.add_argument("which", choices=("answers", "assessment", "catalogue", "triage", "batch-error", "similar"))

    p = sub.add_parser("batch", help="assess many records: JSON Lines or CSV in, one line or row out per record")
    p.add_argument("input", type=Path, metavar="IN")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT")
    p.add_argument("--input-format", choices=("jsonl", "csv"), default=None,
                   help="default: from the file suffix (.jsonl/.ndjson or .csv)")
    p.add_argument("--summary", action="store_true", help="write a triage row instead of the full assessment")
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--start-line", type=_positive, default=1, metavar="N",
                   help="skip the records before input line N (to continue an interrupted batch)")
    _add_catalogue(p)
    _add_limits(p, batch=True)

    p = sub.add_parser("diff", help="what changes between two answers files (e.g. before and after a new feature)")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--ids", action="store_true", help="table: show stable ids in brackets beside the labels")
    _add_limits(p)

    p = sub.add_parser("draft", help="write drafts of the filing documents (.docx, .md) and a calendar (.ics)")
    p.add_argument("file", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                   help="a new folder (an existing one must be empty: drafts never overwrite files)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--as-of", type=_date, default=None, help="apply the rules in force on this date")
    _add_limits(p)

    p = sub.add_parser("decode", help="split a published filing number (网信算备…号) into its parts")
    p.add_argument("number")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")

    p = sub.add_parser("similar",
                       help="the published filings nearest to a one-sentence description, and a suggested type")
    p.add_argument("sentence", help="what the feature's algorithm does, in one sentence (Chinese or English)")
    p.add_argument("--type", default=None, metavar="T", help="only filings of this type or sub-type id")
    p.add_argument("--form", default=None, metavar="F", help="only filings with a product of this form id")
    p.add_argument("--role", default=None, metavar="R", help="only filings of this role id")
    p.add_argument("--top", type=_positive, default=5, metavar="N", help="how many filings to list (default 5)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--ids", action="store_true", help="table: show stable ids in brackets beside the labels")

    from service.server import add_arguments as add_serve_arguments

    add_serve_arguments(sub.add_parser("serve", help="serve assessments over HTTP (FastAPI; OpenAPI at /docs)"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``algo-filing`` console script; returns the exit code."""
    encoding = ascii_fallback()
    if encoding is not None:
        print(f"algo-filing: note: this terminal's encoding ({encoding}) cannot show Chinese, so it is "
              "shown as \\u escapes; set a UTF-8 locale (LANG=C.UTF-8) or PYTHONUTF8=1 to read it", file=sys.stderr)
    parser = build_parser()
    args = parser.parse_args(["ask"] if argv is None and len(sys.argv) == 1 else argv)
    if args.command is None:
        args = parser.parse_args([*(["--debug"] if args.debug else []), "ask"])
    from engine.signals import signals_as_interrupts

    with signals_as_interrupts(until_exit=argv is None):  # argv None: this process is the command
        return _guarded(args)


def _guarded(args: argparse.Namespace) -> int:
    """Run the command: bad input exits 2, an interrupt 128 + the signal, anything else 3."""
    from engine.errors import AnswersError, EngineError
    from engine.signals import exit_code

    try:
        return {**COMMANDS, "ask": cmd_ask}[args.command](args)
    except AnswersError as exc:
        return fail("algo-filing: invalid answers\n" + exc.render_all())
    except EngineError as exc:
        return fail(f"algo-filing: {exc.render()}")
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        name = getattr(exc, "filename", None)
        where = f"{name}: " if name else ""  # an error without a file name is no reason for ": "
        return fail(f"algo-filing: {where}{exc.strerror or exc}")
    except KeyboardInterrupt as exc:
        print("\nalgo-filing: interrupted", file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:  # a bug: one line, not a traceback (unless asked for)
        if args.debug:
            traceback.print_exc()
        from engine.sanitize import echo

        print(f"algo-filing: internal error, please report: {type(exc).__name__}: {echo(str(exc))}"
              + ("" if args.debug else " (run again with --debug for the details)"), file=sys.stderr)
        return EXIT_INTERNAL
