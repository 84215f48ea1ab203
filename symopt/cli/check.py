"""``symopt check``: a hand derivation (gradient, Hessian, critical points, eigenpairs) checked."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import EXIT_OK, add_loss_options, seconds
from .loss_input import loss_from_args

__all__ = ["register", "EXIT_WRONG"]

#: Exit code when the check ran and found entries to correct (like diff: 0 same, 1 different).
EXIT_WRONG = 1


def register(subparsers: Any) -> None:
    """Add ``symopt check``."""
    cmd = subparsers.add_parser(
        "check", help="check a hand derivation entry by entry",
        description="Compare a hand-derived gradient, Hessian, critical points with their "
                    "kinds, and Hessian eigenpairs with the exact ones; each wrong entry comes "
                    "with the exact difference and a point where it shows. Exit 0 when every "
                    "entry is right, 1 when some are wrong.")
    add_loss_options(cmd)
    cmd.add_argument("--gradient", help='comma-separated, e.g. "-2*w2*(1 - w1*w2), '
                                        '-2*w1*(1 - w1*w2)"')
    cmd.add_argument("--hessian", help='rows in brackets, e.g. "[[2*w2**2, 4*w1*w2 - 2], '
                                       '[4*w1*w2 - 2, 2*w1**2]]"')
    cmd.add_argument("--point", action="append", default=None, metavar="POINT",
                     help="a critical point, e.g. 0,0 or --point=-1,1 (repeat for each; all "
                          "of them are "
                          "compared with every critical point)")
    cmd.add_argument("--kind", action="append", default=None, metavar="KIND",
                     help="the kind of each --point, in order: minimum, maximum or saddle")
    cmd.add_argument("--eigenpair", action="append", default=[], metavar="P;LAMBDA;V",
                     help='a Hessian eigenpair at a point, e.g. "0,0; -2; 1,1"')
    cmd.add_argument("--timeout", type=seconds, default=30.0,
                     help="seconds for the symbolic work (default 30)")
    cmd.add_argument("--json", action="store_true", help="print the result as JSON")
    cmd.set_defaults(handler=run)


def _eigenpair(text: str) -> tuple[str, str, str]:
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"--eigenpair {text!r}: write POINT; EIGENVALUE; VECTOR, e.g. "
                         '"0,0; -2; 1,1"')
    return parts[0], parts[1], parts[2]


def run(args: argparse.Namespace) -> int:
    """Check the given entries and print one line each."""
    from ..handcheck import check

    if args.kind is not None and args.point is None:
        raise ValueError("--kind describes a --point; give the points too")
    if not (args.gradient or args.hessian or args.point or args.eigenpair):
        raise ValueError("nothing to check: give --gradient, --hessian, --point or --eigenpair")
    from ..report.notation import plain  # formulas as a lecturer writes them

    loss = loss_from_args(args)
    result = check(loss, gradient=args.gradient, hessian=args.hessian,
                   critical_points=args.point, kinds=args.kind,
                   eigenpairs=[_eigenpair(t) for t in args.eigenpair] or None,
                   timeout=args.timeout, show=plain)
    print(json.dumps(result.to_dict(), indent=2) if args.json else str(result))
    return EXIT_OK if result.ok else EXIT_WRONG
