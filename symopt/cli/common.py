"""What the subcommands share: exit codes, the parser class, argument types, optimizers, notes."""

from __future__ import annotations

import argparse
import inspect
import math
import sys
from typing import Any, Callable

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_BUDGET = 3

#: Upper bounds of the options that size the work (one home for each).
MAX_STEPS = 1_000_000
MAX_STARTS = 100_000

__all__ = ["EXIT_OK", "EXIT_INTERNAL", "EXIT_BAD_INPUT", "EXIT_BUDGET", "CommandParser",
           "one_line", "number", "seconds", "optimizer_names", "build_optimizer",
           "add_loss_options", "say",
           "flush_notes", "NOTES"]


class CommandParser(argparse.ArgumentParser):
    """argparse, but bad usage prints one line (and exits 2) instead of the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"symopt: {message} (see `{self.prog} --help`)\n")


def one_line(exc: BaseException) -> str:
    """An exception as one line of text: file errors name the file, empty messages the type."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename is not None else ""
        return f"{where}{exc.strerror}"
    if isinstance(exc, MemoryError):
        return "out of memory; make the input or the options (--dpi, --steps, --starts) smaller"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply; write it with fewer brackets"
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    first = text.splitlines()[0]
    return first if len(first) <= 400 else first[:397] + "..."


#: Notes of the running command, printed on standard error once it succeeds (a failure
#: prints its one line only).
NOTES: list[str] = []


def say(message: str) -> None:
    """Keep a note for the user (standard output stays the result)."""
    NOTES.append(message)


def flush_notes() -> None:
    """Print the kept notes on standard error, one line each, and forget them."""
    for message in NOTES:
        print(f"symopt: {message}", file=sys.stderr)
    NOTES.clear()


def number(kind: type = float, what: str = "number", *, positive: bool = False,
           at_least: float | None = None, at_most: float | None = None,
           infinite: bool = False) -> Callable[[str], Any]:
    """An argparse type: a number of ``kind`` within the given bounds (finite unless
    ``infinite``, which admits inf)."""
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what}") from None
        if math.isnan(value) or (math.isinf(value) and not (infinite and value > 0)):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite {what}")
        if positive and not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be a positive {what}")
        if at_least is not None and value < at_least:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {at_least:g}")
        if at_most is not None and value > at_most:
            raise argparse.ArgumentTypeError(f"{text!r} is too large: at most {at_most:g}")
        return value

    convert.__name__ = what  # argparse names the type in its messages
    return convert


#: Seconds of a time budget (any size: inf means no limit).
seconds = number(float, "number of seconds", positive=True, infinite=True)


def optimizer_names() -> tuple[str, ...]:
    """The named optimizers, read from :data:`symopt.optim.OPTIMIZERS`."""
    from .. import optim

    return tuple(optim.OPTIMIZERS)


#: Defaults of the required hyper-parameters other than the learning rate.
_REQUIRED_DEFAULTS = {"decay": 0.9, "alpha": 0.9, "momentum": 0.0}


def build_optimizer(name: str, lr: float, momentum: float | None = None) -> Any:
    """The optimizer ``symopt.optim.<name>`` with learning rate ``lr``.

    ``momentum`` sets the heavy-ball coefficient ('momentum': decay, default 0.9; 'sgd':
    momentum, default 0); other required hyper-parameters take their usual defaults.
    """
    from .. import optim

    names = optimizer_names()
    if name not in names:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(names)}")
    factory = getattr(optim, name)
    kwargs: dict[str, Any] = {}
    for param in list(inspect.signature(factory).parameters.values())[1:]:
        if param.name in ("decay", "momentum") and momentum is not None:
            kwargs[param.name] = momentum
        elif param.default is inspect.Parameter.empty:
            if param.name not in _REQUIRED_DEFAULTS:
                raise ValueError(f"optimizer {name!r} needs {param.name!r}, which the command "
                                 "line does not set; use it from Python")
            kwargs[param.name] = _REQUIRED_DEFAULTS[param.name]
    return factory(lr, **kwargs)


def add_loss_options(cmd: argparse.ArgumentParser, *, data: bool = False) -> None:
    """The loss argument and the options that say how to read it."""
    cmd.add_argument("expr", nargs=None if not data else "?",
                     help='the loss, e.g. "(1 - w1*w2)**2"' + (" (or give --model and --data)"
                                                              if data else ""))
    cmd.add_argument("--params", help="parameters in order, e.g. w1,w2 (default: every name "
                                      "in the loss, which is then printed)")
    cmd.add_argument("--strict", action="store_true",
                     help="refuse input that may be misread (e.g. w1w2 next to w1 and w2) "
                          "instead of noting it")
    if data:
        cmd.add_argument("--model", help='a model such as "w1*w2*x": the loss is the mean '
                                         "squared error against --target over --data")
        cmd.add_argument("--data", action="append", default=[],
                         help="a data column, e.g. --data x=1,2 --data y=1,3, or a CSV file "
                              "with a header line")
        cmd.add_argument("--target", default="y", help="the target column (default y)")
