"""Read the data of a symopt figure back from its matplotlib artists.

Tests and users check what was drawn (marker positions and kinds, arrow directions, line
coordinates, legend labels) through :func:`read`, which looks only at the matplotlib
objects (by their ``gid``), never at pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["PlotData", "read"]


@dataclass(frozen=True, eq=False)
class PlotData:
    """What a symopt figure shows, as arrays.

    Attributes
    ----------
    title : str
        The axes title.
    legend : list of str
        The legend's texts, in order.
    region : tuple of float
        ``(xmin, xmax, ymin, ymax)`` of the axes.
    points : dict of str to ndarray
        Critical-point markers by kind (``"minimum"``, ``"saddle"``, ...), shape (m, 2).
    escape : list of (ndarray, ndarray)
        Each escape arrow as (base, unit direction) in drawing coordinates.
    families : dict of str to ndarray
        Family curves by label (``"family: $w_{1} w_{2} - 1 = 0$"``), shape (m, 2); NaN rows
        separate the pieces of a curve.
    paths : dict of str to ndarray
        Optimizer paths by name, shape (records, 2) in drawing coordinates (NaN rows
        separate several starts).
    starts, ends : dict of str to ndarray
        Each path's start and end markers.
    curves : dict of str to ndarray
        Loss curves and schedules by label, shape (m, 2): columns step and value.
    basins : dict of str to ndarray
        Basin-map starts by label, shape (m, 2).
    levels : ndarray or None
        The filled contour's levels.
    """

    title: str
    legend: list[str]
    region: tuple[float, ...]
    points: dict[str, np.ndarray] = field(default_factory=dict)
    escape: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    families: dict[str, np.ndarray] = field(default_factory=dict)
    paths: dict[str, np.ndarray] = field(default_factory=dict)
    starts: dict[str, np.ndarray] = field(default_factory=dict)
    ends: dict[str, np.ndarray] = field(default_factory=dict)
    curves: dict[str, np.ndarray] = field(default_factory=dict)
    basins: dict[str, np.ndarray] = field(default_factory=dict)
    levels: np.ndarray | None = None


def _line_xy(line: Any) -> np.ndarray:
    return np.column_stack([np.asarray(line.get_xdata(), dtype=float),
                            np.asarray(line.get_ydata(), dtype=float)])


def read(figure: Any) -> PlotData:
    """The data drawn on a figure made by :mod:`symopt.plot` (or on one of its axes).

    Parameters
    ----------
    figure : matplotlib Figure or Axes
        A figure returned by a :mod:`symopt.plot` function (its first axes is read), or
        the axes passed to one as ``ax``.

    Returns
    -------
    PlotData

    Examples
    --------
    >>> from symopt import plot
    >>> data = plot.read(plot.landscape("x**2 - y**2"))
    >>> data.points["saddle"].tolist(), [d.tolist() for _, d in data.escape]
    ([[0.0, 0.0]], [[0.0, 1.0], [0.0, -1.0]])
    """
    ax = figure.axes[0] if hasattr(figure, "axes") and not hasattr(figure, "plot") else figure
    if not hasattr(ax, "collections"):
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(figure).__name__}")
    levels = None
    for collection in ax.collections:
        if collection.get_gid() == "symopt:landscape":
            levels = np.asarray(getattr(collection, "levels", []), dtype=float)
    legend = ax.get_legend()
    data = PlotData(
        title=ax.get_title(),
        legend=[t.get_text() for t in legend.get_texts()] if legend is not None else [],
        region=tuple(float(v) for v in (*ax.get_xlim(), *ax.get_ylim())),
        levels=levels,
    )
    for line in ax.lines:
        gid = line.get_gid() or ""
        if gid == "symopt:family":
            data.families[line.get_label()] = _line_xy(line)
        elif gid.startswith("symopt:path:"):
            data.paths[gid[len("symopt:path:"):]] = _line_xy(line)
        elif gid.startswith("symopt:curve:"):
            data.curves[gid[len("symopt:curve:"):]] = _line_xy(line)
        elif gid == "symopt:landscape":
            data.curves["loss"] = _line_xy(line)
    prefixes = {"symopt:critical:": data.points, "symopt:start:": data.starts,
                "symopt:end:": data.ends, "symopt:basin:": data.basins}
    for collection in ax.collections:
        gid = collection.get_gid() or ""
        for prefix, target in prefixes.items():
            if gid.startswith(prefix):
                target[gid[len(prefix):]] = np.asarray(collection.get_offsets(), dtype=float)
    for text in ax.texts:
        if text.get_gid() == "symopt:escape":
            tip = np.asarray(text.xy, dtype=float)
            base = np.asarray(text.xyann, dtype=float)
            offset = tip - base
            data.escape.append((base, offset / np.linalg.norm(offset)))
    return data
