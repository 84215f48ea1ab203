"""Charts over steps and starts: loss curves, learning-rate schedules, basins of attraction."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from ._backend import finish, legend_below, new_axes
from .geometry import contour_levels
from .landscape import KIND_STYLES
from .notation import loss_title, name_text
from .style import SERIES_COLORS, styles_for

__all__ = ["loss_curves", "schedule", "basin_map"]

#: Colours of basin labels, in order; "diverged" and "elsewhere" get fixed greys.
BASIN_COLORS: tuple[str, ...] = ("#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a",
                                 "#b15928", "#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f",
                                 "#cab2d6", "#ffff99")
_CURVE_COLORS = SERIES_COLORS


def _losses(name: str, run: Any) -> tuple[np.ndarray, np.ndarray]:
    """(steps, losses of shape (records, starts)) of a Trajectory or a 1-D/2-D loss array."""
    if hasattr(run, "losses"):
        losses = np.asarray(run.losses, dtype=float)
        steps = np.asarray(getattr(run, "recorded_steps", np.arange(len(losses))), dtype=float)
    else:
        try:
            losses = np.asarray(run, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name}: expected a Trajectory or an array of losses; got "
                            f"{type(run).__name__}") from None
        steps = np.arange(len(losses), dtype=float)
    if losses.ndim == 1:
        losses = losses[:, None]
    if losses.ndim != 2 or len(losses) == 0 or len(steps) != len(losses):
        raise ValueError(f"{name}: losses must have shape (records,) or (records, starts); got "
                         f"{losses.shape}")
    return steps, losses


def loss_curves(runs: Mapping[str, Any], *, ax: Any = None, show: bool = False,
                title: str | None = "loss against step", loss: Any = None) -> Any:
    """Plot each run's loss against the step, on a log scale.

    Parameters
    ----------
    runs : mapping of str to Trajectory or array
        A :class:`~symopt.runner.Trajectory` (its ``losses`` at its ``recorded_steps``) or
        an array of losses (one per step, or ``(steps, starts)``).  Each run is one line
        labelled with its name (several starts: one line broken by NaN).
    ax : matplotlib Axes, optional
    show : bool
    title : str or None
    loss : Loss, optional
        The loss the runs minimised: the title then names it in mathematical notation.

    Returns
    -------
    matplotlib.figure.Figure
        Each line has its optimizer's colour, marker and line style from the style registry
        (:func:`~symopt.plotting.style.style_for`).  The y axis is logarithmic when every loss is positive, else symmetric-log (the
        axis label says so).

    Examples
    --------
    >>> import numpy as np
    >>> from symopt import plot
    >>> fig = plot.loss_curves({"gd": np.array([1.0, 0.5, 0.25])})
    >>> plot.read(fig).curves["gd"].tolist()
    [[0.0, 1.0], [1.0, 0.5], [2.0, 0.25]]
    >>> fig.axes[0].get_yscale()
    'log'
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError("runs must be a non-empty mapping of name to Trajectory or loss array, "
                        "e.g. {'gd': trajectory}")
    fig, ax = new_axes(ax, show=show)
    finite: list[np.ndarray] = []
    styles = styles_for(runs)
    for name, run in runs.items():
        steps, losses = _losses(str(name), run)
        xs, ys = [], []
        for k in range(losses.shape[1]):
            xs += [steps, [np.nan]]
            ys += [losses[:, k], [np.nan]]
        x, y = np.concatenate(xs[:-1]), np.concatenate(ys[:-1])
        style = styles[str(name)]
        ax.plot(x, y, color=style.color, ls=style.linestyle, marker=style.marker,
                markevery=max(1, len(x) // 12), markersize=4, lw=1.8, alpha=0.9,
                label=str(name), gid=f"symopt:curve:{name}")
        finite.append(y[np.isfinite(y)])
    values = np.concatenate(finite)
    if values.size and (values > 0).all():
        ax.set_yscale("log")
        ax.set_ylabel("loss (log scale)")
    else:
        scale = float(np.abs(values).max()) if values.size else 1.0
        ax.set_yscale("symlog", linthresh=max(scale * 1e-6, 1e-300))
        ax.set_ylabel("loss (symmetric log scale: some losses are <= 0)")
    ax.set_xlabel("step")
    if loss is not None:
        names = [p.name for p in loss.params]
        title = (title + "\n" if title else "") + loss_title(loss, names)
    if title:
        ax.set_title(title, fontsize="medium")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return finish(fig, show)


def schedule(schedules: Callable[[int], float] | Mapping[str, Callable[[int], float]],
             steps: int, *, ax: Any = None, show: bool = False, log: bool = False) -> Any:
    """Plot learning rates against the step ``t = 0 .. steps - 1``.

    Parameters
    ----------
    schedules : schedule or mapping of str to schedule
        A :class:`~symopt.optim.schedules.Schedule` or any callable of the step, or
        several by name.  A single one is labelled by its ``repr``.
    steps : int
        Number of steps to draw.
    ax : matplotlib Axes, optional
    show : bool
    log : bool
        Logarithmic y axis.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from symopt import optim, plot
    >>> s = optim.step_decay(0.1, step_size=2, gamma=0.5)
    >>> fig = plot.schedule(s, 5)
    >>> plot.read(fig).curves["step_decay(lr=0.1, step_size=2, gamma=0.5)"][:, 1].tolist()
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive int; got {steps!r}")
    if isinstance(schedules, Mapping):
        named = {str(k): v for k, v in schedules.items()}
    else:
        named = {repr(schedules) if hasattr(schedules, "rule") else
                 getattr(schedules, "__name__", "schedule"): schedules}
    if not named:
        raise ValueError("schedules is empty; pass a schedule or a mapping of them")
    for name, fn in named.items():
        if not callable(fn):
            raise TypeError(f"{name}: a schedule must be a callable of the step; got "
                            f"{type(fn).__name__}")
    fig, ax = new_axes(ax, show=show)
    t = np.arange(int(steps))
    for index, (name, fn) in enumerate(named.items()):
        values = np.array([float(fn(int(k))) for k in t])
        ax.plot(t, values, color=_CURVE_COLORS[index % len(_CURVE_COLORS)], lw=1.8, label=name,
                gid=f"symopt:curve:{name}")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("learning rate")
    ax.set_title("learning-rate schedule" + ("s" if len(named) > 1 else ""), fontsize="medium")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return finish(fig, show)


def basin_map(report: Any, *, ax: Any = None, show: bool = False, contours: bool = True,
              resolution: int = 120) -> Any:
    """Scatter the starts of :func:`symopt.saddles.basins`, coloured by where each ended.

    Parameters
    ----------
    report : BasinReport
        From :func:`symopt.saddles.basins` (``starts``, ``labels``, ``counts``, ``analysis``).
    ax : matplotlib Axes, optional
    show : bool
    contours : bool
        Draw the loss's contour lines underneath (two parameters).
    resolution : int
        Grid points per axis of those contour lines.

    Returns
    -------
    matplotlib.figure.Figure
        One scatter per label, with legend text ``"<label> (<count>)"``; the critical
        points on top with their kind markers.  With more than two parameters the starts
        are shown in their first two coordinates (the axis labels say so); with one, on a
        line.
    """
    starts = np.asarray(getattr(report, "starts", None), dtype=float)
    labels = getattr(report, "labels", None)
    if starts.ndim != 2 or labels is None or len(labels) != len(starts):
        raise TypeError("report must be a BasinReport from symopt.saddles.basins (starts of "
                        "shape (k, n) and one label per start)")
    analysis = getattr(report, "analysis", None)
    n = starts.shape[1]
    names = ([p.name for p in analysis.loss.params] if analysis is not None
             else [f"theta{i}" for i in range(n)])
    fig, ax = new_axes(ax, show=show)
    xy = starts[:, :2] if n >= 2 else np.stack([starts[:, 0], np.zeros(len(starts))], axis=1)
    if contours and n == 2 and analysis is not None:
        from ..numeric import compile as compile_loss

        f = compile_loss(analysis.loss)
        a = np.linspace(xy[:, 0].min(), xy[:, 0].max(), resolution)
        b = np.linspace(xy[:, 1].min(), xy[:, 1].max(), resolution)
        grid_a, grid_b = np.meshgrid(a, b)
        with np.errstate(all="ignore"):
            z = np.asarray(f.value(np.stack([grid_a, grid_b], axis=-1)), dtype=float)
        levels, _ = contour_levels(z, 20)
        ax.contour(grid_a, grid_b, np.ma.masked_invalid(z), levels=levels, colors="#999999",
                   linewidths=0.5, alpha=0.6).set_gid("symopt:landscape-lines")
    label_array = np.array([str(label) for label in labels], dtype=object)
    counts = {label: int((label_array == label).sum()) for label in dict.fromkeys(label_array)}
    # most frequent first; diverged and elsewhere last
    order = sorted(counts, key=lambda label: (label == "diverged" or label.startswith("elsewhere"),
                                              -counts[label], label))
    palette = iter(BASIN_COLORS * (1 + len(order) // len(BASIN_COLORS)))
    for label in order:
        mask = label_array == label
        if label == "diverged":
            color = "#000000"
        elif label.startswith("elsewhere"):
            color = "#bbbbbb"
        else:
            color = next(palette)
        ax.scatter(xy[mask, 0], xy[mask, 1], s=14, c=color, alpha=0.85,
                   label=f"{label} ({int(mask.sum())})", gid=f"symopt:basin:{label}", zorder=3)
    if analysis is not None:
        for kind, style in KIND_STYLES.items():
            points = [p.numeric for p in analysis.points if p.kind.value == kind]
            if not points:
                continue
            pts = np.array(points, dtype=float)
            pxy = pts[:, :2] if n >= 2 else np.stack([pts[:, 0], np.zeros(len(pts))], axis=1)
            ax.scatter(pxy[:, 0], pxy[:, 1], marker=style["marker"], c=style["color"], s=110,
                       edgecolors="black", linewidths=1.0, zorder=6, label=kind,
                       gid=f"symopt:critical:{kind}")
    if n >= 2:
        suffix = "" if n == 2 else " (first two of the parameters)"
        ax.set_xlabel(name_text(names[0]) + suffix)
        ax.set_ylabel(name_text(names[1]))
    else:
        ax.set_xlabel(name_text(names[0]))
        ax.set_yticks([])
    title = "where each start ends"
    if analysis is not None:
        title += "\n" + loss_title(analysis.loss, names)
    ax.set_title(title, fontsize="medium")
    legend_below(ax)
    return finish(fig, show)
