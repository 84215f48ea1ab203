"""``symopt derive``: a checked step-by-step derivation as LaTeX or Markdown."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, add_loss_options, seconds
from .files import check_output_path, write_output
from .loss_input import loss_from_args

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``symopt derive``."""
    cmd = subparsers.add_parser(
        "derive", help="a checked step-by-step derivation as LaTeX or Markdown",
        description="Derive the loss step by step (derivatives, gradient, Hessian, solving the "
                    "gradient, every critical point's eigenvalues, kind and escape direction), "
                    "each step checked against SymPy, and write it as LaTeX or Markdown.")
    add_loss_options(cmd)
    cmd.add_argument("--format", choices=("tex", "md"), default="md",
                     help="LaTeX or Markdown (default md)")
    cmd.add_argument("--language", choices=("en", "zh"), default="en",
                     help="language of the text")
    cmd.add_argument("-o", "--output", help="write to this file (default: standard output)")
    cmd.add_argument("--force", action="store_true", help="overwrite an existing --output file")
    whole = cmd.add_mutually_exclusive_group()
    whole.add_argument("--standalone", dest="standalone", action="store_true", default=True,
                       help="a complete LaTeX document (default)")
    whole.add_argument("--body", dest="standalone", action="store_false",
                       help="only the LaTeX body, to paste into a document")
    cmd.add_argument("--rules", action="store_true",
                     help="append the update rules of the optimizers and schedules")
    cmd.add_argument("--timeout", type=seconds, default=30.0,
                     help="seconds for the whole derivation (default 30)")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Derive, render, write (checking the output path before any work)."""
    from ..report import derive

    if args.output:
        check_output_path(args.output, args.force)
    loss = loss_from_args(args)
    derivation = derive(loss, language=args.language, timeout=args.timeout)
    if args.rules:
        derivation = derivation.add_optimizer_rules()
    if args.format == "tex":
        text = derivation.to_latex(standalone=args.standalone)
    else:
        text = derivation.to_markdown()
    if args.output:
        written = write_output(args.output, text, args.force)
        print(f"wrote {written}")
    else:
        sys.stdout.write(text)
    return EXIT_OK
