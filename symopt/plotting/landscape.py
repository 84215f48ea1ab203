"""The loss landscape: filled contours, critical points by kind, families, escape arrows, paths.

One parameter gives a line plot of the loss; two give the plane of the parameters; more
give a 2-D slice ``theta = p + a*d1 + b*d2`` (see :class:`~symopt.plotting.geometry.View`).
How each part is drawn lives in :mod:`~symopt.plotting.scene`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..critical import CriticalSet
from ..loss import Loss
from ..numeric import compile as compile_loss
from ._backend import finish, legend_below, new_axes
from .scene import KIND_STYLES, PATH_COLORS, Scene

__all__ = ["landscape", "trajectories", "path_panels", "start_near_saddle", "KIND_STYLES",
           "PATH_COLORS", "as_path"]


def as_path(run: Any, n: int, name: str = "path") -> np.ndarray:
    """The parameter path of a run as an array of shape (records, starts, n).

    ``run`` is a :class:`~symopt.runner.Trajectory` (its ``path``) or an array of shape
    ``(records, n)`` (one start) or ``(records, starts, n)``.
    """
    path = getattr(run, "path", run)
    try:
        array = np.asarray(path, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a Trajectory or an array of shape (steps, {n}); got "
                        f"{type(run).__name__}") from None
    if array.ndim == 2:
        array = array[:, None, :]
    if array.ndim != 3 or array.shape[-1] != n or array.shape[0] == 0:
        raise ValueError(f"{name}: a path must have shape (steps, {n}) or (steps, starts, {n}) "
                         f"for this loss's {n} parameter(s); got {np.shape(path)}")
    return array


# ----------------------------------------------------------------------------- public
def start_near_saddle(analysis: CriticalSet, offset: float = 0.05) -> np.ndarray:
    """A start a distance ``offset`` from the first saddle, from which gradient methods move.

    The offset is along ``u + s/2`` (normalised), with ``u`` the saddle's first escape
    direction and ``s`` the Hessian eigenvector of its largest eigenvalue: a path from there
    first slides toward the saddle along ``s`` and then leaves along ``u``.  At a saddle
    without an escape direction the offset is along ``(1, -0.6, 0.36, ...)`` normalised;
    without a saddle, the same offset is taken from the first critical point, or from the
    origin when there is none.

    Parameters
    ----------
    analysis : CriticalSet
    offset : float
        Distance from the point.

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> import symopt as so
    >>> start_near_saddle(so.critical_points("(1 - w1*w2)**2")).round(4).tolist()
    [0.0474, 0.0158]
    """
    if not isinstance(analysis, CriticalSet):
        raise TypeError(f"analysis must be a CriticalSet, got {type(analysis).__name__}")
    if not (isinstance(offset, (int, float)) and offset > 0 and np.isfinite(offset)):
        raise ValueError(f"offset must be a positive distance; got {offset!r}")
    n = analysis.loss.n_params
    generic = (-0.6) ** np.arange(n)
    saddles = analysis.saddles
    chosen = saddles[0] if saddles else (analysis.points[0] if analysis.points else None)
    base = np.zeros(n) if chosen is None else np.array(chosen.numeric, dtype=float)
    direction = generic
    if chosen is not None and chosen.escape_directions:
        u = np.array(chosen.escape_directions_numeric[0], dtype=float)
        hessian = compile_loss(analysis.loss).hess(base)
        values, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
        stable = vectors[:, -1] if values[-1] > 0 else np.zeros(n)
        stable = stable if stable[np.argmax(np.abs(stable))] >= 0 else -stable
        direction = u + 0.5 * stable
    return base + float(offset) * direction / np.linalg.norm(direction)


def landscape(loss: Loss | str, region: Sequence[float] | None = None, *,
              analysis: CriticalSet | None = None, levels: int = 30, resolution: int = 200,
              point: Sequence[float] | None = None, directions: Any = None, ax: Any = None,
              show: bool = False, timeout: float = 30.0, colorbar: bool = True) -> Any:
    """Draw the loss with its critical points, families of critical points and escape arrows.

    Parameters
    ----------
    loss : Loss or str
        The loss (text is parsed safely).
    region : sequence of float, optional
        ``(xmin, xmax, ymin, ymax)`` (``(xmin, xmax)`` for one parameter; slice
        coordinates ``a, b`` for more than two).  Default: the critical points on the
        drawn plane with a margin of ``max(2, 20% of their spread)`` on each axis, or
        ``[-2, 2]`` per axis when there are none.
    analysis : CriticalSet, optional
        From :func:`symopt.critical_points`; computed (within ``timeout`` seconds) when
        not given.
    levels : int
        Number of contour levels.  They are linear, or log-spaced when the loss spans
        orders of magnitude over the region (see
        :func:`~symopt.plotting.geometry.contour_levels`; the colour bar then says so).
    resolution : int
        Grid points per axis (10 to 2000).
    point : sequence of float, optional
        More than two parameters only: the point the 2-D slice goes through (default the
        first critical point, else the origin).
    directions : array_like of shape (2, n), optional
        More than two parameters only: the slice's directions, orthonormalised (default
        the two Hessian eigenvectors at ``point`` with the largest absolute eigenvalues).
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure.
    show : bool
        Call ``matplotlib.pyplot.show()`` (otherwise nothing is displayed).
    timeout : float
        Seconds for the analysis when ``analysis`` is not given.
    colorbar : bool
        Add a colour bar (two or more parameters).

    Returns
    -------
    matplotlib.figure.Figure
        Critical points are scatter collections with labels ``"minimum"``,
        ``"maximum"``, ``"saddle"``, ``"inconclusive"`` (markers o, ^, X, s); families are
        dashed lines labelled ``"family: $w_{1} w_{2} - 1 = 0$"``; escape directions are
        annotations (arrows in both senses along each eigenvector of a negative
        eigenvalue) at saddles.  :func:`symopt.plot.read` returns all of it as arrays.

    Raises
    ------
    ImportError
        When matplotlib is not installed (``pip install "symopt[plot]"``).

    Examples
    --------
    >>> from symopt import plot
    >>> fig = plot.landscape("(1 - w1*w2)**2")
    >>> data = plot.read(fig)
    >>> data.points["saddle"].tolist(), data.escape[0][1].round(4).tolist()
    ([[0.0, 0.0]], [0.7071, 0.7071])
    >>> list(data.families), data.region
    (['family: $w_{1} w_{2} - 1 = 0$'], (-2.0, 2.0, -2.0, 2.0))
    """
    scene = Scene.build(loss, analysis, point, directions, timeout)
    region = scene.region(region)
    fig, ax = new_axes(ax, show=show)
    extra = scene.draw(ax, region, levels, resolution, colorbar)
    legend_below(ax, extra)
    return finish(fig, show)


def trajectories(loss: Loss | str, runs: Mapping[str, Any], region: Sequence[float] | None = None,
                 *, analysis: CriticalSet | None = None, levels: int = 30,
                 resolution: int = 200, point: Sequence[float] | None = None,
                 directions: Any = None, ax: Any = None, show: bool = False,
                 timeout: float = 30.0, colorbar: bool = True,
                 zoom: Sequence[float] | None = None) -> Any:
    """Draw optimizers' paths over the landscape of ``loss``.

    Parameters
    ----------
    loss : Loss or str
    runs : mapping of str to Trajectory or array
        One entry per optimizer: a :class:`~symopt.runner.Trajectory` (its ``path``, one
        start or many) or an array of shape ``(steps, n)`` or ``(steps, starts, n)``.
        Each becomes one line labelled with its name (several starts are one line broken
        by NaN rows); starts are hollow circles, ends stars.
    region : sequence of float, optional
        As in :func:`landscape`; the default also covers the paths, unless one runs more
        than four times the critical points' region away (then the paths are clipped).
    analysis, levels, resolution, point, directions, ax, show, timeout, colorbar
        As in :func:`landscape`.  With more than two parameters the paths are projected
        on the slice; with one, each is drawn on the loss curve.
    zoom : sequence of float, optional
        ``(xmin, xmax, ymin, ymax)``: an inset in the lower right corner shows this box
        magnified, where paths pile up (two or more parameters); the box is outlined on the
        main plot.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import symopt as so
    >>> from symopt import optim, plot
    >>> loss = so.Loss.parse("(1 - w1*w2)**2")
    >>> gd = so.run(loss, optim.gd(0.1), [0.3, 0.1], steps=50)
    >>> fig = plot.trajectories(loss, {"gd": gd})
    >>> bool(np.array_equal(plot.read(fig).paths["gd"], gd.path))
    True
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError("runs must be a non-empty mapping of optimizer name to Trajectory or "
                        "path array, e.g. {'gd': trajectory}")
    scene = Scene.build(loss, analysis, point, directions, timeout)
    n = scene.view.n
    paths = {str(name): as_path(run, n, str(name)) for name, run in runs.items()}
    extra = []
    for path in paths.values():
        flat = path.reshape(-1, n)
        extra.append(scene.view.project(flat) if scene.view.dim == 2 else flat[:, :1])
    region = scene.region(region, extra)
    fig, ax = new_axes(ax, show=show)
    extra = scene.draw(ax, region, levels, resolution, colorbar)
    scene.draw_paths(ax, paths)
    legend_below(ax, extra)
    if zoom is not None:
        _zoom_inset(ax, scene, paths, zoom, levels, resolution)
    return finish(fig, show)


def _zoom_inset(ax: Any, scene: Scene, paths: Mapping[str, np.ndarray], zoom: Sequence[float],
                levels: int, resolution: int) -> None:
    """A magnified copy of the box ``zoom`` in the lower right corner of ``ax``."""
    box = tuple(float(v) for v in zoom)
    if scene.view.dim != 2 or len(box) != 4 or not (box[0] < box[1] and box[2] < box[3]):
        raise ValueError(f"zoom must be (xmin, xmax, ymin, ymax) with min < max on a plane; "
                         f"got {tuple(zoom)}")
    inset = ax.inset_axes([0.6, 0.02, 0.38, 0.38], zorder=20)   # above the paths and stars
    inset.set_gid("symopt:zoom")
    scene.draw(inset, box, levels, resolution, colorbar=False)
    scene.draw_paths(inset, paths)
    inset.set_title("")
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.tick_params(labelsize="x-small")
    ax.indicate_inset_zoom(inset, edgecolor="#333333")


def path_panels(loss: Loss | str, runs: Mapping[str, Any], region: Sequence[float] | None = None,
                *, analysis: CriticalSet | None = None, levels: int = 30, resolution: int = 120,
                columns: int | None = None, panel_size: float = 3.6, show: bool = False,
                timeout: float = 30.0) -> Any:
    """Small multiples: one panel per optimizer, same landscape and region in each.

    For paths that lie on top of each other in :func:`trajectories`.  Each panel is titled
    with the optimizer's name and drawn in its registry style; the figure's title names the
    loss; the panels share their axes (equal scales, so lengths compare).

    Parameters
    ----------
    loss, runs, region, analysis, levels, resolution, timeout
        As in :func:`trajectories`; the region covers every path.
    columns : int, optional
        Panels per row (default: all in one row up to four).
    panel_size : float
        Width of a panel in inches.
    show : bool

    Returns
    -------
    matplotlib.figure.Figure
        :func:`symopt.plot.read` reads each panel's paths from ``fig.axes``.

    Examples
    --------
    >>> import symopt as so
    >>> from symopt import optim, plot
    >>> loss = so.Loss.parse("(1 - w1*w2)**2")
    >>> runs = {name: so.run(loss, opt, [0.3, 0.1], steps=30)
    ...         for name, opt in (("gd", optim.gd(0.1)), ("adam", optim.adam(0.05)))}
    >>> fig = plot.path_panels(loss, runs)
    >>> [ax.get_title() for ax in fig.axes]
    ['gd', 'adam']
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError("runs must be a non-empty mapping of optimizer name to Trajectory or "
                        "path array, e.g. {'gd': trajectory}")
    scene = Scene.build(loss, analysis, None, None, timeout)
    if scene.view.dim != 2:
        raise ValueError("path_panels draws planes: the loss needs two parameters or more "
                         "(use trajectories for one)")
    n = scene.view.n
    paths = {str(name): as_path(run, n, str(name)) for name, run in runs.items()}
    extra = [scene.view.project(path.reshape(-1, n)) for path in paths.values()]
    region = scene.region(region, extra)
    count = len(paths)
    columns = min(count, 4) if columns is None else max(1, int(columns))
    rows = -(-count // columns)
    # panels keep equal scales, so their height follows the region's shape
    aspect = (region[3] - region[2]) / (region[1] - region[0])
    height = min(max(panel_size * aspect, 1.2), 1.5 * panel_size) + 0.7
    fig, _ = new_axes(show=show, figsize=(panel_size * columns + 0.6, height * rows + 1.0))
    fig.delaxes(fig.axes[0])
    axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
    for ax, (name, path) in zip(axes, paths.items()):
        legend_extra = scene.draw(ax, region, levels, resolution, colorbar=False)
        scene.draw_paths(ax, {name: path})
        ax.set_title(name, fontsize="medium")
        ax.set_aspect("equal", adjustable="box")
        ax.label_outer()
    for ax in axes[count:]:
        ax.set_visible(False)
    # one legend for the landscape's parts, shared by the panels (paths are named by titles)
    handles, labels = axes[0].get_legend_handles_labels()
    keep = [(h, lab) for h, lab in zip(handles, labels) if not lab.startswith("_")
            and lab not in paths]
    keep += [(h, h.get_label()) for h in legend_extra]
    if keep:
        fig.legend([h for h, _ in keep], [lab for _, lab in keep], loc="outside lower center",
                   ncol=min(len(keep), 4), fontsize="small", frameon=False)
    fig.suptitle(scene.title(), fontsize="medium")
    return finish(fig, show)
