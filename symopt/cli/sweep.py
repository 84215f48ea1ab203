"""``symopt sweep``: run the sweep a TOML file describes and keep its rows in a Parquet dataset."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_BAD_INPUT, EXIT_OK
from .files import read_text

__all__ = ["register", "summary"]


def register(subparsers: Any) -> None:
    """Add ``sweep CONFIG.toml -o OUT [--scheduler ADDRESS] [--force] [--progress|--no-progress]``."""
    cmd = subparsers.add_parser(
        "sweep", help="run losses x optimizers x hyper-parameters x starts into a Parquet dataset",
        description="Run the sweep described in CONFIG.toml (losses, optimizers with their "
                    "grids, starts, steps; see docs/sweep.md) and write one Parquet file per "
                    "finished task to OUT. Re-running the same command resumes an interrupted "
                    "sweep. Needs the extra symopt[sweep], and symopt[dask] for --scheduler.")
    cmd.add_argument("config", help="the sweep, as TOML")
    cmd.add_argument("-o", "--out", required=True,
                     help="the results: a Parquet dataset directory, e.g. results.parquet")
    cmd.add_argument("--scheduler", default=None,
                     help="a Dask scheduler address such as tcp://10.0.0.5:8786 (default: run "
                          "here, one task after another)")
    cmd.add_argument("--force", action="store_true",
                     help="replace OUT when it is a file or holds a different sweep")
    cmd.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="show a progress bar (default: when standard error is a terminal)")
    cmd.set_defaults(handler=run)


def summary(table: Any) -> str:
    """Per loss, optimizer and hyper-parameters: runs, converged and diverged fractions, median
    final loss."""
    from ..sweep.tasks import RESULT_COLUMNS
    keys = ["loss", "optimizer"] + [c for c in table.columns if c not in RESULT_COLUMNS]
    grouped = table.assign(converged=table.status == "converged",
                           diverged=table.status == "diverged").groupby(keys, sort=False,
                                                                        dropna=False)
    result = grouped.agg(runs=("start", "size"), converged=("converged", "mean"),
                         diverged=("diverged", "mean"), median_final_loss=("final_loss", "median"))
    return result.to_string(float_format=lambda v: f"{v:.4g}")


def run(args: argparse.Namespace) -> int:
    """Read and check the config, run the sweep, print a summary."""
    from ..sweep import sweep
    from ..sweep.config import parse_config

    options = parse_config(read_text(args.config, "TOML file"), source=args.config)
    try:
        table = sweep(**options, executor=args.scheduler, out=args.out, overwrite=args.force,
                      progress=args.progress)
    except ImportError as error:
        print(f"symopt: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{len(table)} runs in {args.out}")
    print(summary(table))
    return EXIT_OK
