"""``symopt escape``: what a critical point is, and how an optimizer leaves it."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import (EXIT_OK, MAX_STEPS, add_loss_options, build_optimizer,
                     number, optimizer_names, seconds)
from .loss_input import loss_from_args

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``symopt escape``."""
    cmd = subparsers.add_parser(
        "escape", help="what a critical point is, and how an optimizer leaves it",
        description="Say what the critical point is (minimum, maximum, strict or non-strict "
                    "saddle, on a family), then start an optimizer DELTA away from it and count "
                    "the steps to RADIUS, compared with the linearised prediction.")
    add_loss_options(cmd)
    cmd.add_argument("--at", required=True, help="the critical point, e.g. 0,0 (write "
                                                 "--at=-1,1 when it starts with a minus)")
    cmd.add_argument("--optimizer", choices=optimizer_names(), default="gd")
    cmd.add_argument("--lr", type=number(float, "learning rate", positive=True), default=0.1,
                     help="learning rate (default 0.1)")
    cmd.add_argument("--momentum", type=number(float, "momentum", at_least=0, at_most=0.9999),
                     default=None,
                     help="momentum for 'momentum' (default 0.9) and 'sgd' (default 0)")
    cmd.add_argument("--delta", type=number(float, "distance", at_least=0), default=1e-6,
                     help="start distance (default 1e-6)")
    cmd.add_argument("--radius", type=number(float, "distance", positive=True), default=0.1,
                     help="escape radius (default 0.1)")
    cmd.add_argument("--direction", default="random", choices=("random", "eigen", "stable"))
    cmd.add_argument("--steps", type=number(int, "whole number of steps", at_least=1,
                                            at_most=MAX_STEPS), default=10_000)
    cmd.add_argument("--seed", type=number(int, "whole number", at_least=0, at_most=2**63 - 1),
                     default=0)
    cmd.add_argument("--timeout", type=seconds, default=30.0,
                     help="seconds for deciding what the point is (default 30)")
    cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Measure the escape and print the report."""
    from ..escaping import escape
    from ..parse import parse_point

    loss = loss_from_args(args)
    point = parse_point(args.at, loss.n_params)
    optimizer = build_optimizer(args.optimizer, args.lr, args.momentum)
    report = escape(loss, point, optimizer, delta=args.delta, radius=args.radius,
                    direction=args.direction, steps=args.steps, seed=args.seed,
                    timeout=args.timeout)
    print(json.dumps(report.to_dict(), indent=2) if args.json else str(report))
    return EXIT_OK
