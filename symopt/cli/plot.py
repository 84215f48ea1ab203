"""``symopt plot``: draw a loss landscape, and optimizers' paths on it, to an image file."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from .common import (EXIT_BUDGET, EXIT_OK, MAX_STEPS, add_loss_options, build_optimizer,
                     number, optimizer_names, seconds)
from .files import check_output_path, write_output
from .loss_input import loss_from_args

__all__ = ["register"]

#: Largest resolution accepted, and the largest image in pixels.
MAX_DPI = 1200
MAX_PIXELS = 60_000_000
_FORMATS = ("png", "pdf", "svg", "jpg", "jpeg")
_PLURALS = {"minimum": "minima", "maximum": "maxima", "saddle": "saddles",
            "inconclusive": "inconclusive points"}


def register(subparsers: Any) -> None:
    """Add ``symopt plot``."""
    cmd = subparsers.add_parser(
        "plot", help="draw the landscape (and optimizers' paths) to an image",
        description="Draw the loss with its critical points by kind, families of critical "
                    "points and escape arrows at saddles; with --optimizers, also their paths "
                    "from --start. Three or more parameters: a 2-D slice through the first "
                    "critical point along the Hessian's two strongest eigenvectors. Needs "
                    'matplotlib: pip install "symopt[plot]".')
    add_loss_options(cmd)
    cmd.add_argument("--optimizers",
                     help="comma-separated optimizers whose paths to draw, from: "
                          + ", ".join(optimizer_names()) + " (default: none)")
    cmd.add_argument("--lr", type=number(float, "learning rate", positive=True), default=0.05,
                     help="learning rate of every optimizer (default 0.05)")
    cmd.add_argument("--steps", type=number(int, "whole number of steps", at_least=1,
                                            at_most=MAX_STEPS), default=200,
                     help="steps of every optimizer (default 200)")
    cmd.add_argument("--start", help="start of the paths, one number per parameter, e.g. "
                                     "0.05,0.02 (default: 0.05 away from the first saddle)")
    cmd.add_argument("--region", help="xmin,xmax,ymin,ymax (xmin,xmax for one parameter; "
                                      "slice coordinates for three or more); write "
                                      "--region=-2,2,-1,1 when it starts with a minus")
    cmd.add_argument("--timeout", type=seconds, default=30.0,
                     help="seconds for the analysis (default 30)")
    cmd.add_argument("-o", "--output", default="landscape.png",
                     help="image file; the format follows the extension (" + ", ".join(_FORMATS)
                          + "; none: .png is added) (default landscape.png)")
    cmd.add_argument("--force", action="store_true", help="overwrite an existing image")
    cmd.add_argument("--dpi", type=number(int, "whole number", at_least=10, at_most=MAX_DPI),
                     default=120, help="resolution of raster images (default 120)")
    cmd.set_defaults(handler=run)


def image_path(output: str) -> tuple[str, str]:
    """The path actually written for ``-o output`` and its format (.png added when absent)."""
    target = Path(output)
    if target.is_dir():
        raise ValueError(f"cannot write {output}: it is a folder; give a file name such as "
                         f"{target / 'landscape.png'}")
    suffix = target.suffix.lower().lstrip(".")
    if target.exists() and not target.is_file():  # a device such as /dev/null: as it is
        return output, suffix if suffix in _FORMATS else "png"
    if not suffix:
        return output + ".png", "png"
    if suffix not in _FORMATS:
        raise ValueError(f"cannot write {output}: .{suffix} is not an image format; use one of "
                         + ", ".join("." + f for f in _FORMATS))
    return output, suffix


def run(args: argparse.Namespace) -> int:
    """Analyse, run the optimizers, draw, write; say what was drawn and where."""
    import numpy as np

    from ..critical import critical_points
    from ..parse import parse_names, parse_point
    from ..runner import run as run_optimizer

    path, fmt = image_path(args.output)
    check_output_path(path, args.force)
    try:
        from .. import plot
        from ..plotting._backend import require_matplotlib

        require_matplotlib()
    except ImportError as error:
        raise ValueError(str(error)) from None
    # 1. the loss, its analysis and the options that depend on its size
    loss = loss_from_args(args)
    n = loss.n_params
    names = [p.name for p in loss.params]
    chosen = parse_names(args.optimizers) if args.optimizers else []
    known = optimizer_names()
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise ValueError(f"unknown optimizer {unknown[0]!r}; choose from {', '.join(known)}")
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
        runs = {name: run_optimizer(loss, build_optimizer(name, args.lr), start, steps=args.steps)
                for name in chosen}
    # 3. the figure, rendered in memory, then written
    if runs:
        fig = plot.trajectories(loss, runs, region, analysis=analysis)
    else:
        fig = plot.landscape(loss, region, analysis=analysis)
    width, height = fig.get_size_inches()
    if width * height * args.dpi ** 2 > MAX_PIXELS:
        raise ValueError(f"--dpi {args.dpi} makes an image of {int(width * args.dpi)} x "
                         f"{int(height * args.dpi)} pixels; use a smaller --dpi")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=args.dpi)
    written = write_output(path, buffer.getvalue(), args.force)
    # 4. what was drawn, in words
    kinds: dict[str, int] = {}
    for p in analysis.points:
        kinds[p.kind.value] = kinds.get(p.kind.value, 0) + 1
    found = ", ".join(f"{count} {kind if count == 1 else _PLURALS[kind]}"
                      for kind, count in kinds.items()) or "no isolated critical points"
    if analysis.families:
        found += f", {len(analysis.families)} famil{'ies' if len(analysis.families) != 1 else 'y'}"
    timed_out = str(getattr(analysis.status, "value", analysis.status)) == "timeout"
    if timed_out:
        found += " (INCOMPLETE: the analysis ran out of time; give it more with --timeout)"
    print(f"wrote {written}: L({', '.join(names)}) with {found}")
    for name, trajectory in runs.items():
        end = ", ".join(f"{v:.6g}" for v in np.atleast_1d(trajectory.x))
        print(f"  {name}: {trajectory.nit} steps from "
              f"({', '.join(f'{v:.6g}' for v in trajectory.path[0])}) to ({end}), "
              f"loss {float(trajectory.fun):.6g} ({trajectory.status})")
    return EXIT_BUDGET if timed_out else EXIT_OK
