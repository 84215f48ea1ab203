"""Saving the examples' figures: a Figure on the Agg canvas (no display), or nothing
with a message when matplotlib (the `plot` extra) is not installed."""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def save_figure(path: Path, draw: Callable, *, size: tuple[float, float] = (6.4, 4.2)) -> Path | None:
    """Call ``draw(figure)`` and write the figure to ``path`` as PNG; None without matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print(f"matplotlib is not installed: skipped {path.name} (pip install -e \".[plot]\")")
        return None
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    draw(figure)
    figure.savefig(path, dpi=100)
    print(f"wrote {path}")
    return path
