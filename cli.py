"""The ``algo-filing`` command: a thin layer over the engine's library API.

Bad input (a missing file, broken YAML, a wrong type, an unknown id) prints one message per
problem naming the file and the field with the fix, and exits 2 without a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import NoReturn

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

    p = sub.add_parser("assess", help="assess an answers file (YAML or JSON)")
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--as-of", type=_date, default=None, help="apply the rules in force on this date")
    p.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of stdout")

    p = sub.add_parser("validate", help="check an answers file without assessing it")
    p.add_argument("file", type=Path)

    p = sub.add_parser("rules", help="list every rule with its legal basis")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("schema", help="print the JSON Schema of answers or assessments")
    p.add_argument("which", choices=("answers", "assessment"))
    return parser


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _cmd_assess(args: argparse.Namespace) -> int:
    from engine import assess, load_answers
    from engine.render import render

    answers = load_answers(args.file)
    result = assess(answers, as_of=args.as_of)
    text = render(result, args.format, args.lang)
    if args.output:
        _write_atomic(args.output, text)
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
                 "basis": [b.render(book.laws, lang) for b in r.basis],
                 "valid_from": r.valid_from.isoformat() if r.valid_from else None}
                for r in book.rules.values()]
        document = {"rules_version": book.rules_version, "rules": rows}
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return EXIT_OK
    sep = "；" if lang == "zh" else "; "
    table = [[r.id, book.rule_files[r.id], r.title.get(lang),
              sep.join(b.render(book.laws, lang) for b in r.basis)] for r in book.rules.values()]
    headers = ["id", "文件" if lang == "zh" else "file", "标题" if lang == "zh" else "title",
               "依据" if lang == "zh" else "legal basis"]
    print(tabulate(table, headers=headers, tablefmt="simple_grid", maxcolwidths=[36, 20, 40, 48]))
    print(f"{len(table)} rules · {book.rules_version}")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from engine import answers_json_schema, assessment_json_schema

    schema = answers_json_schema() if args.which == "answers" else assessment_json_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


COMMANDS = {"assess": _cmd_assess, "validate": _cmd_validate, "rules": _cmd_rules, "schema": _cmd_schema}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``algo-filing`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
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
