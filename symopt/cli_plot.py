"""``symopt plot``: draw a loss landscape, and optimizers' paths on it, to an image file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .cli_common import OPTIMIZER_NAMES, build_optimizer, number

__all__ = ["add_commands"]


_PLURALS = {"minimum": "minima", "maximum": "maxima", "saddle": "saddles",
            "inconclusive": "inconclusive points"}

def add_commands(subparsers: Any, parser_class: type) -> None:
    """Add ``symopt plot`` to the command line's subcommands."""
    plot = subparsers.add_parser(
        "plot", help="draw the landscape (and optimizers' paths) to an image",
        description="Draw the loss with its critical points by kind, families of critical "
                    "points and escape arrows at saddles; with --optimizers, also their paths "
                    "from --start. Three or more parameters: a 2-D slice through the first "
                    "critical point along the Hessian's two strongest eigenvectors. Needs "
                    'matplotlib: pip install "symopt[plot]".')
    plot.add_argument("expr", help='the loss, e.g. "(1 - w1*w2)**2"')
    plot.add_argument("--params", help="parameters in order, e.g. w1,w2 (default: all names)")
    plot.add_argument("--optimizers",
                      help="comma-separated optimizers whose paths to draw, from: "
                           + ", ".join(OPTIMIZER_NAMES) + " (default: none)")
    plot.add_argument("--lr", type=number(float, "number", positive=True), default=0.05,
                      help="learning rate of every optimizer (default 0.05)")
    plot.add_argument("--steps", type=number(int, "whole number", positive=True), default=200,
                      help="steps of every optimizer (default 200)")
    plot.add_argument("--start", help="start of the paths, one number per parameter, e.g. "
                                      "0.05,0.02 (default: 0.05 away from the first saddle)")
    plot.add_argument("--region", help="xmin,xmax,ymin,ymax (xmin,xmax for one parameter; "
                                       "slice coordinates for three or more); write "
                                       "--region=-2,2,-1,1 when it starts with a minus")
    plot.add_argument("--timeout", type=number(float, "number", positive=True), default=30.0,
                      help="seconds for the analysis (default 30)")
    plot.add_argument("-o", "--output", default="landscape.png",
                      help="image file; the format follows the extension (default "
                           "landscape.png)")
    plot.add_argument("--dpi", type=number(int, "whole number", positive=True), default=120,
                      help="resolution of raster images (default 120)")
    plot.set_defaults(handler=_cmd_plot)


def _cmd_plot(args: argparse.Namespace) -> int:
    import numpy as np

    from .critical import critical_points
    from .loss import Loss
    from .parse import parse_names, parse_point
    from .runner import run

    try:
        from . import plot
        from .plotting._backend import require_matplotlib

        require_matplotlib()
    except ImportError as error:
        print(f"symopt: {error}", file=sys.stderr)
        return 1
    # 1. the loss, its analysis and the options that depend on its size
    params = parse_names(args.params) if args.params else None
    loss = Loss.parse(args.expr, params=params)
    n = loss.n_params
    names = [p.name for p in loss.params]
    chosen = parse_names(args.optimizers) if args.optimizers else []
    unknown = [name for name in chosen if name not in OPTIMIZER_NAMES]
    if unknown:
        raise ValueError(f"unknown optimizer {unknown[0]!r}; choose from "
                         f"{', '.join(OPTIMIZER_NAMES)}")
    dim = 1 if n == 1 else 2
    region = None
    if args.region:
        region = tuple(float(v) for v in parse_point(args.region, 2 * dim))
    analysis = critical_points(loss, timeout=args.timeout)
    # 2. the runs
    runs = {}
    if chosen:
        if args.start:
            start = np.array([float(v) for v in parse_point(args.start, n)])
        else:
            start = plot.start_near_saddle(analysis)
        runs = {name: run(loss, build_optimizer(name, args.lr), start, steps=args.steps)
                for name in chosen}
    # 3. the figure
    if runs:
        fig = plot.trajectories(loss, runs, region, analysis=analysis)
    else:
        fig = plot.landscape(loss, region, analysis=analysis)
    try:
        fig.savefig(args.output, dpi=args.dpi)
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot write {args.output!r}: {error}") from None
    # 4. what was drawn, in words
    kinds: dict[str, int] = {}
    for p in analysis.points:
        kinds[p.kind.value] = kinds.get(p.kind.value, 0) + 1
    found = ", ".join(f"{count} {kind if count == 1 else _PLURALS[kind]}"
                      for kind, count in kinds.items()) or "no isolated critical points"
    if analysis.families:
        found += f", {len(analysis.families)} famil{'ies' if len(analysis.families) != 1 else 'y'}"
    print(f"wrote {args.output}: L({', '.join(names)}) with {found}")
    for name, trajectory in runs.items():
        end = ", ".join(f"{v:.6g}" for v in np.atleast_1d(trajectory.x))
        print(f"  {name}: {trajectory.nit} steps from "
              f"({', '.join(f'{v:.6g}' for v in trajectory.path[0])}) to ({end}), "
              f"loss {float(trajectory.fun):.6g} ({trajectory.status})")
    return 0
