"""The program: the parser built from the subcommand modules, one run, failures as exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Callable, Sequence

from .. import __version__
from .common import (EXIT_BAD_INPUT, EXIT_BUDGET, EXIT_INTERNAL, EXIT_OK, NOTES,
                     CommandParser,
                     flush_notes, one_line)

__all__ = ["build_parser", "main"]


def build_parser(commands: Sequence[str]) -> argparse.ArgumentParser:
    """The ``symopt`` parser with a subcommand from each module named in ``commands``."""
    parser = CommandParser(prog="symopt", description="Exact analysis of optimization landscapes.",
                           epilog="exit codes: 0 success; 2 bad input, usage or I/O; 3 a time "
                                  "budget ran out (partial results are printed, marked "
                                  "incomplete); 1 a failure of symopt itself")
    parser.add_argument("--version", action="version", version=f"symopt {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=CommandParser)
    for name in commands:
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return parser


def _say(message: str) -> None:
    try:
        print(f"symopt: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr itself is gone: nothing left to tell
        pass


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit flush cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None, commands: Sequence[str]) -> int:
    """Run the command line with the subcommands ``commands``; return the exit code (see
    the package docstring)."""
    from ..errors import BudgetExceeded, MemoryBudgetExceeded, SymoptError

    parser = build_parser(commands)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error already printed
        return int(stop.code or 0) if not isinstance(stop.code, str) else EXIT_BAD_INPUT
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_usage(sys.stderr)
        _say("name a command, e.g. symopt analyze \"(1 - w1*w2)**2\" (see symopt --help)")
        return EXIT_BAD_INPUT
    NOTES.clear()
    try:
        code = handler(args)
        sys.stdout.flush()
        flush_notes()
        return code
    except BrokenPipeError:  # `symopt ... | head`: the reader has gone; end quietly
        NOTES.clear()
        _quiet_stdout()
        return EXIT_OK
    except BudgetExceeded as exc:  # time (or the memory cap) ran out: exit 3
        NOTES.clear()
        advice = "give it more time with --timeout"
        if isinstance(exc, MemoryBudgetExceeded):
            advice = "it needs more memory than the cap allows"
        _say(f"{one_line(exc)}; {advice}")
        return EXIT_BUDGET
    except KeyboardInterrupt:
        NOTES.clear()
        _say("interrupted")
        return 130
    except (ValueError, TypeError, OSError, LookupError, ArithmeticError, MemoryError,
            RecursionError) as exc:  # bad input, or input too large to handle: one line
        NOTES.clear()
        if isinstance(exc, OSError) and exc.filename is None:  # standard output failed
            _quiet_stdout()
            _say(f"cannot write the output: {one_line(exc)}")
        else:
            _say(one_line(exc))
        return EXIT_BAD_INPUT
    except SymoptError as exc:
        NOTES.clear()
        _say(f"symopt could not finish: {one_line(exc)}")
        return EXIT_INTERNAL
    except Exception as exc:  # noqa: BLE001 - a bug of symopt's: one line still, never a traceback
        NOTES.clear()
        _say(f"internal error ({type(exc).__name__}): {one_line(exc)}; please report it")
        return EXIT_INTERNAL
