"""``symopt diagnose``: the lecture's loss diagnosis for runs listed in a CSV file."""

from __future__ import annotations

import argparse
import csv
import io
from typing import Any

from .common import EXIT_OK, number
from .files import read_text

__all__ = ["register"]

_threshold = number(float, "threshold", at_least=0)


def register(subparsers: Any) -> None:
    """Add ``diagnose CSV [--json] [--verbose] [--large-loss X] [--overfit-ratio R] [--mismatch-ratio R]``."""
    from ..ml.diagnose import COLUMNS, LARGE_LOSS, MISMATCH_RATIO, OVERFIT_RATIO

    cmd = subparsers.add_parser(
        "diagnose", help="tell model bias, optimization issues, overfitting and mismatch apart",
        description="Apply the lecture's diagnosis to training runs listed in a CSV file with "
                    f"the columns {','.join(COLUMNS)} (the first three required; empty cells "
                    "allowed in the others; distribution_shift is yes/no).")
    cmd.add_argument("csv", help="the runs, one line per trained model")
    cmd.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    cmd.add_argument("--verbose", action="store_true",
                     help="print every line of evidence (by default the first few and a count)")
    cmd.add_argument("--large-loss", type=_threshold, default=LARGE_LOSS,
                     help=f"a training loss above this is large (default {LARGE_LOSS:g})")
    cmd.add_argument("--overfit-ratio", type=_threshold, default=OVERFIT_RATIO,
                     help="overfitting when val_loss > ratio * train_loss "
                          f"(default {OVERFIT_RATIO:g})")
    cmd.add_argument("--mismatch-ratio", type=_threshold, default=MISMATCH_RATIO,
                     help="mismatch when test_loss > ratio * val_loss under a distribution "
                          f"change (default {MISMATCH_RATIO:g})")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read the runs (size, encoding and NUL checked), diagnose, print."""
    from ..ml.diagnose import diagnose, read_runs

    text = read_text(args.csv, "CSV file")
    if not text.strip():
        raise ValueError(f"{args.csv} is empty; it needs a header line and one line per run")
    try:
        runs = read_runs(io.StringIO(text))
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ValueError(f"{args.csv}: {exc}") from None
    result = diagnose(runs, large_loss=args.large_loss, overfit_ratio=args.overfit_ratio,
                      mismatch_ratio=args.mismatch_ratio)
    print(result.to_json() if args.json else result.format(verbose=args.verbose))
    return EXIT_OK
