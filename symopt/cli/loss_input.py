"""The loss a command works on: text, or --model with --data; misreadings noted or refused."""

from __future__ import annotations

import argparse
import csv
import io
from typing import Any

from .common import say
from .files import read_text

__all__ = ["loss_from_args", "read_data"]

#: At most this many data values in all (the CLI is for small, exact examples).
MAX_DATA_VALUES = 100_000


def loss_from_args(args: argparse.Namespace) -> Any:
    """Build the Loss of ``args`` (expr or --model/--data, --params), noting misreadings.

    Every note goes to standard error as one line; with ``--strict`` the first one is an
    error instead.  When the parameters were not named, the ones chosen are printed.
    """
    from ..loss import Loss
    from ..parse import parse_names
    from ..parse.ambiguity import misreadings

    params = parse_names(args.params) if getattr(args, "params", None) else None
    model = getattr(args, "model", None)
    data_args = getattr(args, "data", None) or []
    if model is not None or data_args:
        if args.expr is not None:
            raise ValueError("give either the loss or --model with --data, not both")
        if model is None or not data_args:
            raise ValueError("--model and --data go together, e.g. --model \"w1*w2*x\" "
                             "--data x=1 --data y=1")
        data = read_data(data_args)
        loss = Loss.from_model(model, data=data, target=args.target, params=params)
        notes = misreadings((p.name for p in loss.params), params_given=True)
    else:
        if args.expr is None:
            raise ValueError('give the loss, e.g. symopt analyze "(1 - w1*w2)**2"')
        import warnings

        from ..errors import ParseNote

        with warnings.catch_warnings():  # the notes are printed below, as the CLI's lines
            warnings.simplefilter("ignore", ParseNote)
            loss = Loss.parse(args.expr, params)
        notes = loss.notes
    if notes and getattr(args, "strict", False):
        raise ValueError(f"{notes[0]} (--strict)")
    for note in notes:
        say(f"note: {note}")
    if params is None:
        say(f"parameters: {', '.join(p.name for p in loss.params)}")
    return loss


def read_data(items: list[str]) -> dict[str, list[float]]:
    """Columns from ``NAME=v1,v2,...`` items and CSV files (a header line, then numbers)."""
    columns: dict[str, list[float]] = {}
    for item in items:
        if "=" in item:
            name, _, values = item.partition("=")
            name = name.strip()
            if not name.isidentifier():
                raise ValueError(f"--data {item!r}: {name!r} is not a column name; write e.g. "
                                 "--data x=1,2")
            _add(columns, name, values.split(","), f"--data {name}")
        else:
            table = list(csv.reader(io.StringIO(read_text(item, "data file"))))
            rows = [row for row in table if any(cell.strip() for cell in row)]
            if len(rows) < 2:
                raise ValueError(f"{item}: a data file needs a header line and at least one "
                                 "row of numbers")
            header = [h.strip() for h in rows[0]]
            for k, name in enumerate(header):
                if not name.isidentifier():
                    raise ValueError(f"{item}: column {k + 1} of the header, {name!r}, is not "
                                     "a name such as x or y")
                cells = []
                for line, row in enumerate(rows[1:], 2):
                    if len(row) != len(header):
                        raise ValueError(f"{item}: line {line} has {len(row)} cells, the "
                                         f"header {len(header)}")
                    cells.append(row[k])
                _add(columns, name, cells, f"{item}, column {name}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError("the data columns differ in length: "
                         + ", ".join(f"{k} has {len(v)}" for k, v in columns.items()))
    return columns


def _add(columns: dict[str, list[float]], name: str, cells: list[str], where: str) -> None:
    import math

    if name in columns:
        raise ValueError(f"{where}: the column {name!r} is given twice")
    if sum(map(len, columns.values())) + len(cells) > MAX_DATA_VALUES:
        raise ValueError(f"{where}: more than {MAX_DATA_VALUES} data values; the command "
                         "line is for small examples (use Loss.from_model in Python)")
    values = []
    for row, cell in enumerate(cells, 1):
        text = cell.strip()
        try:
            if len(text) > 40:
                raise ValueError
            value = float(text)
        except ValueError:
            raise ValueError(f"{where}, value {row}: {text[:40]!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{where}, value {row}: {text!r} is not a finite number")
        values.append(value)
    columns[name] = values
