"""The cross-check figure: per-step deviation of a candidate from its closest variants, in ulps.

One line per equivalence class (the best few), the step's worst deviation on a log scale, and
the tolerance as a dashed line: the matching class runs along the bottom, a wrong one sits
orders of magnitude above from the step where it differs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._backend import finish, legend_below, new_axes
from .style import SERIES_COLORS, style_for

__all__ = ["crosscheck", "deviation_figure", "FLOOR_ULPS"]

#: Steps with no deviation at all are drawn at this height (a log scale has no zero).
FLOOR_ULPS = 0.1


def deviation_figure(report: Any, *, classes: int = 4, ax: Any = None, show: bool = False,
                     path: str | None = None) -> Any:
    """Draw ``report``'s per-step deviations (a :class:`~symopt.crosschecking.CrossCheckReport`).

    Parameters
    ----------
    report : CrossCheckReport
    classes : int
        How many of the best equivalence classes to draw.
    ax : matplotlib Axes, optional
    show : bool
        Show the figure (pyplot).
    path : str, optional
        Save the figure there (PNG, PDF, ... by extension).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_axes(ax, show=show, figsize=(7.2, 5.2))
    steps = np.arange(1, report.steps + 1)
    for rank, match in enumerate(report.matches[:classes]):
        deviation = report.deviations[match.name].per_step_ulps
        shown = np.where(deviation > FLOOR_ULPS, deviation, FLOOR_ULPS)
        marker = style_for(match.name.split(":")[0]).marker
        label = " = ".join(match.variants)
        if len(label) > 40:
            label = label[:37] + "..."
        ax.plot(steps, shown, color=SERIES_COLORS[rank % len(SERIES_COLORS)], marker=marker,
                markersize=3, linewidth=1.2, zorder=10 - rank, label=f"{label} (max {match.max_ulps:.2g} ulp)")
    ax.axhline(report.tolerance_ulps, color="#555555", linestyle="--", linewidth=1,
               label=f"tolerance {report.tolerance_ulps:g} ulp")
    if report.first_divergence is not None:
        ax.axvline(report.first_divergence.step, color="#D55E00", linestyle=":", linewidth=1,
                   label=f"first divergence from {report.first_divergence.variant}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(f"worst deviation per step (ulp; 0 drawn at {FLOOR_ULPS:g})")
    ax.set_title(f"{report.candidate}\nagainst the closest variants", fontsize="medium")
    ax.grid(True, which="major", alpha=0.3)
    legend_below(ax)
    if path is not None:
        fig.savefig(path, dpi=110)
    return finish(fig, show)


def crosscheck(result: Any, *, classes: int = 4, ax: Any = None, show: bool = False,
               path: str | None = None) -> Any:
    """The figure of a cross-check: ``so.plot.crosscheck(so.crosscheck(...))``.

    The per-step deviation (ulps, log scale) of the candidate from its closest equivalence
    classes, the tolerance, and the first divergence; see :func:`deviation_figure`.
    """
    return deviation_figure(result, classes=classes, ax=ax, show=show, path=path)
