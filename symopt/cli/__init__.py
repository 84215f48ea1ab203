"""The ``symopt`` command line: argparse front end over the public API, one module per subcommand.

Each module named in :data:`COMMANDS` defines ``register(subparsers)``, which adds its
subcommand(s) and sets ``handler`` (a function of the parsed arguments returning an exit
code).  The list is explicit: a new subcommand is one module plus one entry here.

Exit codes: 0 success; 2 bad input, usage or I/O; 3 a time budget ran out (what was found
is still printed, marked incomplete); 1 a failure of symopt itself.
"""

from __future__ import annotations

#: Subcommand modules of this package, in the order ``symopt --help`` lists them.
COMMANDS: tuple[str, ...] = ("analyze", "check", "derive", "lecture", "escape", "plot",
                             "diagnose", "sweep", "crosscheck")

import argparse  # noqa: E402
from typing import Sequence  # noqa: E402

from . import app  # noqa: E402

__all__ = ["COMMANDS", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``symopt`` parser with every subcommand of :data:`COMMANDS`."""
    return app.build_parser(COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    return app.main(argv, COMMANDS)
