"""The loss landscape: filled contours, critical points by kind, families, escape arrows, paths.

One parameter gives a line plot of the loss; two give the plane of the parameters; more
give a 2-D slice ``theta = p + a*d1 + b*d2`` (see :class:`~symopt.plotting.geometry.View`).
Every artist carries a ``gid`` starting with ``"symopt:"`` so that
:func:`~symopt.plotting.readback.read` (and tests) can find the plotted data again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..critical import CriticalSet, Kind, critical_points
from ..loss import Loss
from ..numeric import NumericLoss, compile as compile_loss
from ._backend import finish, legend_below, new_axes
from .geometry import View, check_region, contour_levels, default_region, plane_view

__all__ = ["landscape", "trajectories", "start_near_saddle", "KIND_STYLES", "PATH_COLORS",
           "as_path"]

#: Marker and colour of each kind of critical point.
KIND_STYLES: dict[str, dict[str, str]] = {
    "minimum": {"marker": "o", "color": "#1a9850"},
    "maximum": {"marker": "^", "color": "#d73027"},
    "saddle": {"marker": "X", "color": "#ff7f00"},
    "inconclusive": {"marker": "s", "color": "#984ea3"},
}
#: Colours of optimizer paths, in order (chosen to stand out on the viridis colormap).
PATH_COLORS: tuple[str, ...] = ("#e41a1c", "#000000", "#f781bf", "#00e5ff", "#ffffff",
                                "#ffd92f", "#a65628", "#a6d854")
#: Colour of the escape arrows (the saddle's colour).
ARROW_COLOR = "#ff7f00"
#: Length of an escape arrow as a fraction of the region's smaller side.
ARROW_FRACTION = 0.18
#: Widest title line, in characters, before the loss expression is shortened.
TITLE_WIDTH = 70


# ----------------------------------------------------------------------------- the scene
@dataclass(frozen=True, eq=False)
class _Scene:
    """A loss, its analysis and the view it is drawn in."""

    loss: Loss
    f: NumericLoss
    analysis: CriticalSet
    view: View

    @classmethod
    def build(cls, loss: Loss | str, analysis: CriticalSet | None, point: Any,
              directions: Any, timeout: float) -> "_Scene":
        if isinstance(loss, str):
            loss = Loss.parse(loss)
        if not isinstance(loss, Loss):
            raise TypeError(f"loss must be a symopt Loss or the text of one, got "
                            f"{type(loss).__name__}; build one with Loss.parse('...')")
        if analysis is None:
            analysis = critical_points(loss, timeout=timeout)
        elif not isinstance(analysis, CriticalSet):
            raise TypeError(f"analysis must be a CriticalSet from symopt.critical_points, got "
                            f"{type(analysis).__name__}")
        f = compile_loss(loss)
        names = tuple(p.name for p in loss.params)
        if len(names) <= 2:
            if point is not None:
                raise ValueError(f"point chooses where a slice goes through, for losses with "
                                 f"more than two parameters; this loss has {len(names)} "
                                 f"({', '.join(names)}): drop point")
            return cls(loss, f, analysis, plane_view(names, directions=directions))
        if point is None:
            origin = np.array(analysis.points[0].numeric) if analysis.points else np.zeros(len(names))
        else:
            origin = _vector(point, len(names), "point", names)
        hessian = f.hess(origin) if directions is None else None
        return cls(loss, f, analysis, plane_view(names, origin, directions, hessian))

    # -- what lies in the drawing ---------------------------------------------------------
    def visible_points(self) -> list[tuple[str, np.ndarray, Any]]:
        """(kind, drawing coordinates, point) of the critical points on the drawn plane."""
        out = []
        for p in self.analysis.points:
            theta = np.array(p.numeric, dtype=float)
            scale = 1.0 + float(np.linalg.norm(theta))
            if float(self.view.distance(theta)) <= 1e-6 * scale:
                out.append((p.kind.value, self.view.project(theta), p))
        return out

    def region(self, region: Any, extra: Sequence[np.ndarray] = ()) -> tuple[float, ...]:
        """``region`` checked, or the default one covering the visible points (and ``extra``)."""
        dim = self.view.dim
        if region is not None:
            return check_region(region, dim)
        coords = [c for _, c, _ in self.visible_points()]
        if not coords and self.view.n <= 2:
            for fam in self.analysis.families:
                for sample in fam.sample_points:
                    coords.append(np.array([float(sp.N(c, 20)) for c in sample]))
        base = default_region(np.array(coords).reshape(-1, dim), dim)
        if not extra:
            return base
        every = np.concatenate([np.reshape(e, (-1, dim)) for e in extra])
        every = every[np.isfinite(every).all(axis=1)]
        if len(every) == 0:
            return base
        low = np.minimum(np.array(base[0::2]), every.min(axis=0))
        high = np.maximum(np.array(base[1::2]), every.max(axis=0))
        width = np.array(base[1::2]) - np.array(base[0::2])
        if ((high - low) > 4 * width).any():
            # a path ran far away (or diverged): keep the critical points in view and the starts
            return base
        pad = 0.05 * (high - low)
        return tuple(float(v) for pair in zip(low - pad, high + pad) for v in pair)

    # -- drawing --------------------------------------------------------------------------
    def title(self) -> str:
        names = ", ".join(self.view.names)
        loss = self.loss
        if loss.is_data_loss:
            text = (f"L({names}) = {loss.reduction} over {loss.n_samples} samples of "
                    f"{loss.sample_expr}")
        else:
            text = f"L({names}) = {loss.expr}"
        if len(text) > TITLE_WIDTH:
            text = text[: TITLE_WIDTH - 3] + "..."
        if self.view.sliced:
            text += "\n" + self.view.describe()
        return text

    def draw(self, ax: Any, region: tuple[float, ...], levels: int, resolution: int,
             colorbar: bool) -> list[Any]:
        """Draw the landscape, critical points, families and escape arrows.

        Returns the extra legend handles (artists that are not in the axes).
        """
        resolution = _resolution(resolution)
        if self.view.dim == 1:
            self._draw_line(ax, region, resolution)
        else:
            self._draw_plane(ax, region, levels, resolution, colorbar)
        self._draw_points(ax, region)
        extra = self._draw_escape_arrows(ax, region)
        ax.set_title(self.title(), fontsize="medium")
        labels = self.view.axis_labels()
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1] if self.view.dim == 2 else f"L({labels[0]})")
        ax.set_xlim(region[0], region[1])
        if self.view.dim == 2:
            ax.set_ylim(region[2], region[3])
        return extra

    def _draw_line(self, ax: Any, region: tuple[float, ...], resolution: int) -> None:
        xs = np.linspace(region[0], region[1], max(resolution, 400))
        with np.errstate(all="ignore"):
            ys = np.asarray(self.f.value(xs[:, None]), dtype=float)
        ax.plot(xs, ys, color="#225ea8", lw=2, label=f"L({self.view.names[0]})",
                gid="symopt:landscape")

    def _draw_plane(self, ax: Any, region: tuple[float, ...], levels: int, resolution: int,
                    colorbar: bool) -> None:
        import matplotlib as mpl

        a = np.linspace(region[0], region[1], resolution)
        b = np.linspace(region[2], region[3], resolution)
        grid_a, grid_b = np.meshgrid(a, b)
        theta = self.view.lift(np.stack([grid_a, grid_b], axis=-1))
        with np.errstate(all="ignore"):
            z = np.asarray(self.f.value(theta), dtype=float)
        values, log = contour_levels(z, levels)
        cmap = mpl.colormaps["viridis"]
        norm = mpl.colors.BoundaryNorm(values, cmap.N) if log else None
        filled = ax.contourf(grid_a, grid_b, np.ma.masked_invalid(z), levels=values, cmap=cmap,
                             norm=norm)
        filled.set_gid("symopt:landscape")
        lines = ax.contour(grid_a, grid_b, np.ma.masked_invalid(z), levels=values,
                           colors="white", linewidths=0.3, alpha=0.35)
        lines.set_gid("symopt:landscape-lines")
        if colorbar:
            label = "loss" + (" (log-spaced levels)" if log else "")
            bar = ax.figure.colorbar(filled, ax=ax, label=label)
            if log:
                bar.set_ticks(values[:: max(1, len(values) // 8)])
                bar.ax.set_yticklabels([f"{v:.3g}" for v in values[:: max(1, len(values) // 8)]])
        self._draw_families(ax, grid_a, grid_b, theta)

    def _draw_families(self, ax: Any, grid_a: np.ndarray, grid_b: np.ndarray,
                       theta: np.ndarray) -> None:
        import contourpy

        params = self.loss.params
        columns = [theta[..., i] for i in range(self.view.n)]
        for fam in self.analysis.families:
            if not fam.equations:
                continue
            label = "family: " + ", ".join(f"{e} = 0" for e in fam.equations)
            fn = sp.lambdify(params, list(fam.equations), modules="numpy")
            with np.errstate(all="ignore"):
                residuals = [np.broadcast_to(np.asarray(r, dtype=float), grid_a.shape)
                             for r in fn(*columns)]
            first = np.ma.masked_invalid(residuals[0])
            for other in residuals[1:]:
                # several equations: keep the zero curve of the first where the others vanish
                # to within about a grid cell
                ga, gb = np.gradient(other)
                first = np.ma.masked_where(np.abs(other) > 2 * (np.abs(ga) + np.abs(gb)) + 1e-12,
                                           first)
            generator = contourpy.contour_generator(grid_a, grid_b, first, line_type="Separate")
            segments = [s for s in generator.lines(0.0) if len(s) > 1]
            if not segments:
                continue
            gap = np.full((1, 2), np.nan)
            data = np.concatenate([part for s in segments for part in (s, gap)][:-1])
            style = KIND_STYLES.get(fam.kind.value, KIND_STYLES["inconclusive"])
            ax.plot(data[:, 0], data[:, 1], color=style["color"], lw=2.5, ls="--", label=label,
                    gid="symopt:family", zorder=4)

    def _draw_points(self, ax: Any, region: tuple[float, ...]) -> None:
        groups: dict[str, list[np.ndarray]] = {}
        for kind, coords, p in self.visible_points():
            if not _inside(coords, region):
                continue
            if self.view.dim == 1:
                coords = np.array([coords[0], p.numeric_value])
            groups.setdefault(kind, []).append(coords)
        for kind in [k.value for k in Kind]:
            if kind not in groups:
                continue
            style = KIND_STYLES[kind]
            xy = np.array(groups[kind])
            ax.scatter(xy[:, 0], xy[:, 1], marker=style["marker"], c=style["color"], s=110,
                       edgecolors="white", linewidths=1.2, zorder=6, label=kind,
                       gid=f"symopt:critical:{kind}")

    def _draw_escape_arrows(self, ax: Any, region: tuple[float, ...]) -> list[Any]:
        widths = [region[1] - region[0]] + ([region[3] - region[2]] if self.view.dim == 2 else [])
        length = ARROW_FRACTION * min(widths)
        drawn = False
        for kind, coords, p in self.visible_points():
            if kind != Kind.SADDLE.value or not _inside(coords, region):
                continue
            base = coords if self.view.dim == 2 else np.array([coords[0], p.numeric_value])
            for u in p.escape_directions_numeric:
                d = self.view.directions @ np.array(u, dtype=float)
                if float(np.linalg.norm(d)) < 0.2:
                    continue  # (nearly) perpendicular to the drawn plane
                if self.view.dim == 1:
                    d = np.array([d[0], 0.0])
                for sign in (1.0, -1.0):
                    tip = base + sign * length * d
                    ax.annotate("", xy=(float(tip[0]), float(tip[1])),
                                xytext=(float(base[0]), float(base[1])),
                                arrowprops={"arrowstyle": "-|>", "color": ARROW_COLOR, "lw": 2.2,
                                            "mutation_scale": 16, "shrinkA": 0, "shrinkB": 0},
                                zorder=7, gid="symopt:escape")
                    drawn = True
        if not drawn:
            return []
        from matplotlib.lines import Line2D

        return [Line2D([], [], color=ARROW_COLOR, marker=r"$\rightarrow$", markersize=14,
                       ls="none", label="escape direction")]

    def draw_paths(self, ax: Any, paths: Mapping[str, np.ndarray]) -> None:
        """Draw each optimizer's path (records, starts, n) as one line (starts split by NaN)."""
        start_labelled = False
        for index, (name, path) in enumerate(paths.items()):
            color = PATH_COLORS[index % len(PATH_COLORS)]
            pieces = []
            for k in range(path.shape[1]):
                xy = self._drawing_coordinates(path[:, k, :])
                pieces += [xy, np.full((1, 2), np.nan)]
            data = np.concatenate(pieces[:-1])
            ax.plot(data[:, 0], data[:, 1], color=color, lw=1.5, marker=".", markersize=3,
                    label=name, gid=f"symopt:path:{name}", zorder=5)
            starts = np.array([self._drawing_coordinates(path[:1, k, :])[0]
                               for k in range(path.shape[1])])
            ends = np.array([self._drawing_coordinates(_last_finite(path[:, k, :]))[0]
                             for k in range(path.shape[1])])
            ax.scatter(starts[:, 0], starts[:, 1], marker="o", facecolors="none",
                       edgecolors="black", linewidths=1.5, s=60, zorder=8,
                       label="start" if not start_labelled else "_nolegend_",
                       gid=f"symopt:start:{name}")
            start_labelled = True
            ax.scatter(ends[:, 0], ends[:, 1], marker="*", c=color, edgecolors="black",
                       linewidths=0.6, s=120, zorder=8, label="_nolegend_",
                       gid=f"symopt:end:{name}")

    def _drawing_coordinates(self, theta: np.ndarray) -> np.ndarray:
        if self.view.dim == 2:
            return self.view.project(theta)
        with np.errstate(all="ignore"):
            values = np.asarray(self.f.value(theta), dtype=float).reshape(-1)
        return np.stack([theta[:, 0], values], axis=1)


# ----------------------------------------------------------------------------- helpers
def _vector(value: Any, n: int, what: str, names: Sequence[str]) -> np.ndarray:
    try:
        v = np.array([float(sp.N(c)) if isinstance(c, sp.Basic) else float(c) for c in value])
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be {n} numbers (one per parameter: {', '.join(names)}); "
                        f"got {value!r}") from None
    if v.shape != (n,) or not np.isfinite(v).all():
        raise ValueError(f"{what} must be {n} finite numbers (one per parameter: "
                         f"{', '.join(names)}); got {value!r}")
    return v


def _resolution(resolution: Any) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or not 10 <= resolution <= 2000:
        raise ValueError(f"resolution must be an int from 10 to 2000 (grid points per axis); "
                         f"got {resolution!r}")
    return int(resolution)


def _inside(coords: np.ndarray, region: tuple[float, ...]) -> bool:
    return all(region[2 * i] <= coords[i] <= region[2 * i + 1] for i in range(len(region) // 2))


def _last_finite(path: np.ndarray) -> np.ndarray:
    finite = np.isfinite(path).all(axis=1)
    index = int(np.nonzero(finite)[0][-1]) if finite.any() else 0
    return path[index:index + 1]


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
        dashed lines labelled ``"family: w1*w2 - 1 = 0"``; escape directions are
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
    (['family: w1*w2 - 1 = 0'], (-2.0, 2.0, -2.0, 2.0))
    """
    scene = _Scene.build(loss, analysis, point, directions, timeout)
    region = scene.region(region)
    fig, ax = new_axes(ax, show=show)
    extra = scene.draw(ax, region, levels, resolution, colorbar)
    legend_below(ax, extra)
    return finish(fig, show)


def trajectories(loss: Loss | str, runs: Mapping[str, Any], region: Sequence[float] | None = None,
                 *, analysis: CriticalSet | None = None, levels: int = 30,
                 resolution: int = 200, point: Sequence[float] | None = None,
                 directions: Any = None, ax: Any = None, show: bool = False,
                 timeout: float = 30.0, colorbar: bool = True) -> Any:
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
    scene = _Scene.build(loss, analysis, point, directions, timeout)
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
    return finish(fig, show)
