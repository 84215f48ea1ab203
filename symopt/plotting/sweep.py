"""Figures of a sweep's table: a metric against the learning rate per optimizer, and basins.

Reached as ``symopt.plot.sweep(table)``. One row of panels per loss: on the left the median
final loss (or the converged fraction) against ``lr``, one line per optimizer in that
optimizer's colour; on the right, per optimizer and learning rate, the fraction of runs that
ended in each basin. Optimizers take their colour and marker from the style registry
(:mod:`symopt.plotting.style`), as in every other figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._backend import require_matplotlib
from .style import SERIES_COLORS, style_for

__all__ = ["sweep", "METRICS"]

#: What the left panels can show.
METRICS = ("final_loss", "converged")

_SPECIAL_BASINS = {"diverged": "#d62728", "elsewhere": "#c7c7c7", "other": "#7f7f7f"}
_MAX_BASINS = 6



def _figure(rows: int, show: bool) -> tuple[Any, Any]:
    require_matplotlib()
    size = (11.0, 3.6 * rows + 0.6)
    if show:
        import matplotlib.pyplot as plt
        return plt.subplots(rows, 2, figsize=size, layout="constrained", squeeze=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, 2, squeeze=False)


def _short(label: Any, width: int = 28) -> str:
    text = str(label)
    return text if len(text) <= width else text[: width - 3] + "..."


def _loss_title(text: Any) -> str:
    """The table's loss text as a formula (read by symopt's own parser), else as text."""
    import warnings

    from ..errors import ParseNote, SymoptError
    from ..loss import Loss
    from .notation import loss_title

    try:
        with warnings.catch_warnings():  # a title only: the notes were given when it was run
            warnings.simplefilter("ignore", ParseNote)
            loss = Loss.parse(str(text))
    except (ValueError, TypeError, SymoptError):
        return f"L = {_short(text, 60)}"
    return loss_title(loss, [str(p) for p in loss.params], width=60)


def _variant(row: Any, extra: list[str]) -> str:
    parts = [f"{c}={row[c]}" for c in extra if c in row and row[c] is not None
             and not (isinstance(row[c], float) and np.isnan(row[c]))]
    return f" ({', '.join(parts)})" if parts else ""


def _metric_panel(ax: Any, rows: Any, metric: str, extra: list[str], numeric_lr: bool,
                  positions: dict[Any, int]) -> None:
    for (name, *_), group in rows.groupby(["optimizer", *extra], sort=False, dropna=False):
        lrs = list(dict.fromkeys(group.lr))
        if metric == "converged":
            values = [float((group.status[group.lr == lr] == "converged").mean()) for lr in lrs]
        else:
            values = [float(group.final_loss[(group.lr == lr) & (group.status != "diverged")]
                            .median()) for lr in lrs]
        xs = lrs if numeric_lr else [positions[lr] for lr in lrs]
        order = np.argsort(xs)
        label = name + _variant(group.iloc[0], extra)
        style = style_for(name).line_kwargs()
        if not numeric_lr:           # categories (schedules) are not a scale: no line between
            style["linestyle"] = "none"
        ax.plot(np.asarray(xs, dtype=float)[order], np.asarray(values)[order], label=label,
                **style)
    if numeric_lr:
        ax.set_xscale("log")
    else:
        ax.set_xticks(list(positions.values()), [str(k).replace(", ", ",\n") for k in positions],
                      fontsize=7)
    ax.set_xlabel("learning rate (lr)")
    if metric == "converged":
        ax.set_ylabel("converged fraction")
        ax.set_ylim(-0.03, 1.03)
    else:
        ax.set_ylabel("median final loss (runs that did not diverge)")
        values = [v for line in ax.get_lines() for v in line.get_ydata()]
        finite = [v for v in values if np.isfinite(v)]
        if finite and min(finite) > 0:
            ax.set_yscale("log")
        if len(finite) < len(values):
            ax.text(0.99, 0.99, "a missing point: every run there diverged",
                    transform=ax.transAxes, ha="right", va="top", fontsize=7, color="#555555")
    ax.legend(fontsize=7)


def _basin_panel(ax: Any, rows: Any, extra: list[str]) -> None:
    counts = rows.basin.value_counts()
    named = [b for b in counts.index if b not in _SPECIAL_BASINS][:_MAX_BASINS]
    grouped = rows.basin.where(rows.basin.isin(named + ["elsewhere", "diverged"]), "other")
    order = named + [b for b in ("other", "elsewhere", "diverged") if (grouped == b).any()]
    palette = [c for c in SERIES_COLORS if c not in _SPECIAL_BASINS.values()]
    colours = {b: _SPECIAL_BASINS.get(b, palette[i % len(palette)]) for i, b in enumerate(order)}
    labels, fractions = [], []
    for _, group in rows.assign(grouped=grouped).groupby(["optimizer", *extra, "lr"],
                                                         sort=False, dropna=False):
        first = group.iloc[0]
        labels.append(f"{first.optimizer}{_variant(first, extra)} lr={_short(first.lr, 44)}")
        share = group.grouped.value_counts(normalize=True)
        fractions.append([float(share.get(b, 0.0)) for b in order])
    fractions = np.array(fractions).reshape(len(labels), len(order))
    left = np.zeros(len(labels))
    y = np.arange(len(labels))[::-1]
    for j, basin in enumerate(order):
        ax.barh(y, fractions[:, j], left=left, color=colours[basin], label=_short(basin, 40),
                edgecolor="white", linewidth=0.5)
        left += fractions[:, j]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction of runs ending in each basin")
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False)


def sweep(table: Any, *, metric: str = "final_loss", show: bool = False) -> Any:
    """Plot a table of :func:`symopt.sweep`: a metric against ``lr``, and basin fractions.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`symopt.sweep` (columns ``loss``, ``optimizer``, ``lr``,
        ``status``, ``final_loss``, ``basin``; other hyper-parameter columns split an
        optimizer's line into variants).
    metric : {"final_loss", "converged"}
        Left panels: the median final loss of the runs that did not diverge, or the fraction
        of runs that converged.
    show : bool
        Also show the figure (through pyplot).

    Returns
    -------
    matplotlib.figure.Figure
        One row of two panels per loss. Learning rates that are all numbers go on a log
        axis; schedules make the axis categorical, labelled by the schedule.
    """
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r}; choose one of {', '.join(METRICS)}")
    needed = {"loss", "optimizer", "lr", "status", "final_loss", "basin"}
    missing = needed - set(getattr(table, "columns", ()))
    if missing:
        raise TypeError(f"table lacks the column(s) {', '.join(sorted(missing))}; pass the "
                        "DataFrame returned by symopt.sweep (with an lr hyper-parameter)")
    from ..sweep.tasks import RESULT_COLUMNS
    extra = [c for c in table.columns if c not in RESULT_COLUMNS and c != "lr"]
    extra = [c for c in extra if table[c].nunique(dropna=True) > 1]
    numeric_lr = table.lr.dtype.kind == "f"
    positions = {lr: i for i, lr in enumerate(dict.fromkeys(table.lr))}
    losses = list(dict.fromkeys(table.loss))
    fig, axes = _figure(len(losses), show)
    for row, loss in enumerate(losses):
        rows = table[table.loss == loss]
        _metric_panel(axes[row][0], rows, metric, extra, numeric_lr, positions)
        axes[row][0].set_title(_loss_title(loss), fontsize=9)
        _basin_panel(axes[row][1], rows, extra)
    if show:
        import matplotlib.pyplot as plt
        plt.show()
    return fig
