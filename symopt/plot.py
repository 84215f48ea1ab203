"""Figures of loss landscapes, optimizer paths, loss curves, schedules and basins.

matplotlib is an optional extra: ``pip install "symopt[plot]"``.  It is imported only
when a function here is called (never by ``import symopt`` or ``import symopt.plot``);
without it the call raises an ImportError that names the extra.  Figures are drawn on an
Agg canvas without pyplot, so no display is needed; pass ``show=True`` to show one.  Every
function returns the matplotlib Figure, and :func:`read` returns what it shows as arrays.

>>> from symopt import plot
>>> fig = plot.landscape("(1 - w1*w2)**2")          # saddle, escape arrows, family of minima
>>> sorted(plot.read(fig).legend)
['escape direction', 'family: $w_{1} w_{2} - 1 = 0$', 'saddle']
>>> fig.savefig("landscape.png")                     # doctest: +SKIP
"""

from __future__ import annotations

from .plotting._backend import INSTALL_HINT
from .plotting.charts import basin_map, loss_curves, schedule
from .plotting.crosscheck import crosscheck
from .plotting.handout import handout_figures
from .plotting.geometry import View, contour_levels, default_region, plane_view
from .plotting.landscape import (KIND_STYLES, landscape, path_panels, start_near_saddle,
                                 trajectories)
from .plotting.style import OPTIMIZER_STYLES, Style, style_for
from .plotting.readback import PlotData, read
from .plotting.sweep import sweep

__all__ = ["landscape", "trajectories", "path_panels", "loss_curves", "schedule", "basin_map",
           "sweep", "crosscheck", "read", "start_near_saddle", "style_for", "handout_figures", "Style",
           "OPTIMIZER_STYLES",
           "PlotData", "View", "plane_view", "default_region", "contour_levels", "KIND_STYLES",
           "INSTALL_HINT"]
