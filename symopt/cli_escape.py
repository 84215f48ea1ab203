"""`symopt escape`: measure how an optimizer leaves a critical point."""

from __future__ import annotations

import argparse
import json

from .cli_common import OPTIMIZER_NAMES, build_optimizer, number

def _cmd_escape(args: argparse.Namespace) -> int:
    from .saddles import escape
    from .loss import Loss
    from .parse import parse_names, parse_point

    params = parse_names(args.params) if args.params else None
    loss = Loss.parse(args.expr, params=params)
    point = parse_point(args.at, loss.n_params)
    optimizer = build_optimizer(args.optimizer, args.lr, args.momentum)
    direction = args.direction
    report = escape(loss, point, optimizer, delta=args.delta, radius=args.radius,
                    direction=direction, steps=args.steps, seed=args.seed)
    print(json.dumps(report.to_dict(), indent=2) if args.json else str(report))
    return 0


def add_commands(subparsers, parser_class) -> None:
    cmd = subparsers.add_parser(
        "escape", help="measure an optimizer's escape from a critical point",
        description="Start an optimizer DELTA away from a critical point and count the steps "
                    "to RADIUS, compared with the linearised prediction.")
    cmd.add_argument("expr", help='the loss, e.g. "(1 - w1*w2)**2"')
    cmd.add_argument("--at", required=True, help="the critical point, e.g. 0,0")
    cmd.add_argument("--params", help="parameters in order, e.g. w1,w2")
    cmd.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default="gd")
    cmd.add_argument("--lr", type=number(), default=0.1, help="learning rate (default 0.1)")
    cmd.add_argument("--momentum", type=number(), default=None,
                     help="momentum for 'momentum' (default 0.9) and 'sgd' (default 0)")
    cmd.add_argument("--delta", type=number(), default=1e-6, help="start distance (default 1e-6)")
    cmd.add_argument("--radius", type=number(), default=0.1, help="escape radius (default 0.1)")
    cmd.add_argument("--direction", default="random", choices=("random", "eigen", "stable"))
    cmd.add_argument("--steps", type=number(int, "whole number", at_least=1), default=10_000)
    cmd.add_argument("--seed", type=int, default=0)
    cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    cmd.set_defaults(handler=_cmd_escape)
