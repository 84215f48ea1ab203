"""`symopt derive` and `symopt lecture`: checked derivations as LaTeX or Markdown."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_commands"]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds")
    return value


def add_commands(subparsers: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add the ``derive`` and ``lecture`` subcommands (``parser_class`` is the CLI's parser)."""
    derive = subparsers.add_parser(
        "derive", help="a checked step-by-step derivation as LaTeX or Markdown",
        description="Derive the loss step by step (derivatives, gradient, Hessian, solving the "
                    "gradient, every critical point's eigenvalues, kind and escape direction), "
                    "each step checked against SymPy, and write it as LaTeX or Markdown.")
    derive.add_argument("expr", help='the loss, e.g. "(1 - w1*w2)**2"')
    derive.add_argument("--params", help="parameters in order, e.g. w1,w2 (default: all names)")
    derive.add_argument("--format", choices=("tex", "md"), default="md",
                        help="LaTeX or Markdown (default md)")
    derive.add_argument("--language", choices=("en", "zh"), default="en",
                        help="language of the text (zh: Markdown only)")
    derive.add_argument("-o", "--output", help="write to this file (default: standard output)")
    whole = derive.add_mutually_exclusive_group()
    whole.add_argument("--standalone", dest="standalone", action="store_true", default=True,
                       help="a complete LaTeX document (default)")
    whole.add_argument("--body", dest="standalone", action="store_false",
                       help="only the LaTeX body, to paste into a document")
    derive.add_argument("--rules", action="store_true",
                        help="append the update rules of the optimizers and schedules")
    derive.add_argument("--timeout", type=_seconds, default=30.0,
                        help="seconds for the whole derivation (default 30)")
    derive.set_defaults(handler=_cmd_derive)

    lecture = subparsers.add_parser(
        "lecture", help="the week-2 lecture's worked example, corrected",
        description="Regenerate the week-2 lecture's mathematics (quadratic approximation with "
                    "the Hessian, the worked example y = w1 w2 x, optimizer rules, softmax), "
                    "with the notes' errata corrected.")
    lecture.add_argument("--format", choices=("tex", "md", "both"), default=None,
                         help="what to write (default: both for en, md for zh)")
    lecture.add_argument("--language", choices=("en", "zh"), default="en",
                         help="language of the text (zh: Markdown only)")
    lecture.add_argument("-o", "--output", default="out", help="output folder (default out/)")
    lecture.set_defaults(handler=_cmd_lecture)


def _cmd_derive(args: argparse.Namespace) -> int:
    from .loss import Loss
    from .parse import parse_names
    from .report import derive

    params = parse_names(args.params) if args.params else None
    loss = Loss.parse(args.expr, params=params)
    derivation = derive(loss, language=args.language, timeout=args.timeout)
    if args.rules:
        derivation = derivation.add_optimizer_rules()
    if args.format == "tex":
        text = derivation.to_latex(standalone=args.standalone)
    else:
        text = derivation.to_markdown()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_lecture(args: argparse.Namespace) -> int:
    from .report.lecture import write_lecture

    fmt = args.format or ("both" if args.language == "en" else "md")
    formats = ("tex", "md") if fmt == "both" else (fmt,)
    for path in write_lecture(args.output, formats, args.language):
        print(f"wrote {path}")
    return 0
