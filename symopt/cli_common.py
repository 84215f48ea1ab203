"""What the command-line modules share: argument types and the optimizers by name."""

from __future__ import annotations

import argparse
import math
from typing import Any, Callable

#: Optimizers the commands accept, each built from a learning rate (and a momentum).
OPTIMIZER_NAMES = ("gd", "momentum", "sgd", "adagrad", "adagrad_lecture", "rmsprop",
                   "rmsprop_lecture", "adam", "adamw")


def build_optimizer(name: str, lr: float, momentum: float | None = None) -> Any:
    """The named optimizer; ``momentum`` is the heavy-ball coefficient of 'momentum'
    (default 0.9) and 'sgd' (default 0)."""
    from . import optim

    if name not in OPTIMIZER_NAMES:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZER_NAMES)}")
    if name == "momentum":
        return optim.momentum(lr, 0.9 if momentum is None else momentum)
    if name == "sgd":
        return optim.sgd(lr, momentum=0.0 if momentum is None else momentum)
    if name == "rmsprop_lecture":
        return optim.rmsprop_lecture(lr, 0.9)
    return getattr(optim, name)(lr)


def number(kind: type = float, what: str = "number", *, positive: bool = False,
           at_least: int | None = None) -> Callable[[str], Any]:
    """An argparse type: a finite number of ``kind``, optionally positive or >= at_least."""
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite {what}")
        if positive and not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be a positive {what}")
        if at_least is not None and value < at_least:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {at_least}")
        return value

    return convert
