"""The handout's figures: the worked example's landscape, optimizer paths, schedules.

Drawn here (plotting sits above report) and passed by path to
:func:`symopt.report.handout.write_handout`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..critical import critical_points
from ..runner import run
from .charts import schedule
from .landscape import landscape, path_panels

__all__ = ["handout_figures"]


def handout_figures(out_dir: str | Path = "out", dpi: int = 150) -> dict[str, Path]:
    """Draw the handout's figures into ``out_dir``; return their paths by name.

    The names are those of :data:`symopt.report.handout.HANDOUT_FIGURES`: ``landscape``
    (saddle, family of minima, escape direction of the worked example), ``paths`` (gradient
    descent, momentum and Adam from one start near the saddle, one panel each) and
    ``schedules`` (decay and warm-up).
    """
    from .. import optim
    from ..report.lecture import lecture_loss

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    loss = lecture_loss()
    analysis = critical_points(loss, timeout=30)
    written: dict[str, Path] = {}

    fig = landscape(loss, analysis=analysis)
    written["landscape"] = folder / "handout_landscape.png"
    fig.savefig(written["landscape"], dpi=dpi)

    start = np.array([0.05, -0.03])
    runs = {"gd": run(loss, optim.gd(0.1), start, steps=120),
            "momentum": run(loss, optim.momentum(0.05, 0.9), start, steps=120),
            "adam": run(loss, optim.adam(0.05), start, steps=120)}
    fig = path_panels(loss, runs, region=(-1.6, 1.6, -1.6, 1.6), analysis=analysis)
    written["paths"] = folder / "handout_paths.png"
    fig.savefig(written["paths"], dpi=dpi)

    steps = 400
    fig = schedule({"exponential decay": optim.exponential(0.1, 0.99),
                    "linear warm-up": optim.linear_warmup(0.1, 50),
                    "warm-up, then cosine": optim.warmup_cosine(0.1, 50, steps),
                    "Transformer (scaled)": _scaled(optim.transformer(64, 50), 0.1)}, steps)
    written["schedules"] = folder / "handout_schedules.png"
    fig.savefig(written["schedules"], dpi=dpi)
    return written


def _scaled(fn, peak: float):
    """``fn`` rescaled so its largest value over 0..999 is ``peak`` (for one common axis)."""
    top = max(float(fn(t)) for t in range(1000))
    return lambda t: peak * float(fn(t)) / top
