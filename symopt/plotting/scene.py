"""The scene behind a landscape: a loss, its analysis, the view, and how each part is drawn.

Every artist carries a ``gid`` starting with ``"symopt:"`` so that
:func:`~symopt.plotting.readback.read` (and tests) can find the plotted data again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..critical import CriticalSet, Kind, critical_points
from ..loss import Loss, as_loss
from ..numeric import NumericLoss, compile as compile_loss
from .geometry import View, check_region, contour_levels, default_region, plane_view
from .notation import equations_text, loss_title, name_text
from .style import LANDSCAPE_CMAP, SERIES_COLORS, styles_for

__all__ = ["Scene", "KIND_STYLES", "PATH_COLORS"]

#: Marker and colour of each kind of critical point.
KIND_STYLES: dict[str, dict[str, str]] = {
    "minimum": {"marker": "o", "color": "#1a9850"},
    "maximum": {"marker": "^", "color": "#d73027"},
    "saddle": {"marker": "X", "color": "#ff7f00"},
    "inconclusive": {"marker": "s", "color": "#984ea3"},
}
#: Colours of plain series, in order (optimizers take theirs from the style registry).
PATH_COLORS: tuple[str, ...] = SERIES_COLORS
#: Most markers drawn along one path (the others are thinned out so the line stays readable).
PATH_MARKERS = 12
#: Colour of the escape arrows (the saddle's colour).
ARROW_COLOR = "#ff7f00"
#: Length of an escape arrow as a fraction of the region's smaller side.
ARROW_FRACTION = 0.18
#: Widest title line, in characters, before the loss expression is shortened.
TITLE_WIDTH = 70


# ----------------------------------------------------------------------------- the scene
@dataclass(frozen=True, eq=False)
class Scene:
    """A loss, its analysis and the view it is drawn in; draws the landscape's parts."""

    loss: Loss
    f: NumericLoss
    analysis: CriticalSet
    view: View

    @classmethod
    def build(cls, loss: Loss | str, analysis: CriticalSet | None, point: Any,
              directions: Any, timeout: float) -> "Scene":
        loss = as_loss(loss, "the plot")
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
        """The loss in mathematical notation (mathtext), shortened when it is long."""
        text = loss_title(self.loss, self.view.names, TITLE_WIDTH)
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
        labels = [name_text(label) for label in self.view.axis_labels()]
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
        # a light ramp (its darkest half left out) so every path and marker stands out
        cmap = mpl.colors.LinearSegmentedColormap.from_list(
            "symopt-landscape", mpl.colormaps[LANDSCAPE_CMAP](np.linspace(0.02, 0.55, 256)))
        norm = mpl.colors.BoundaryNorm(values, cmap.N) if log else None
        filled = ax.contourf(grid_a, grid_b, np.ma.masked_invalid(z), levels=values, cmap=cmap,
                             norm=norm)
        filled.set_gid("symopt:landscape")
        lines = ax.contour(grid_a, grid_b, np.ma.masked_invalid(z), levels=values,
                           colors="#08306b", linewidths=0.3, alpha=0.25)
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
        """Each family's zero set on the drawn plane, as one line (pieces split by NaN).

        The curve is the zero contour of the equation that varies most over the grid; the
        family's other equations must vanish along it too (to 1e-4 of their range over the
        grid), which removes the stub left where a family only crosses the plane.
        """
        import contourpy

        columns = [theta[..., i] for i in range(self.view.n)]
        for fam in self.analysis.families:
            if not fam.equations:
                continue
            fn = sp.lambdify(self.loss.params, list(fam.equations), modules="numpy")

            def residuals(*coordinates: np.ndarray) -> list[np.ndarray]:
                shape = np.shape(coordinates[0])
                with np.errstate(all="ignore"):
                    return [np.broadcast_to(np.asarray(r, dtype=float), shape)
                            for r in fn(*coordinates)]

            on_grid = residuals(*columns)
            ranges = [float(np.nanmax(np.abs(r))) if np.isfinite(r).any() else 0.0
                      for r in on_grid]
            lead = int(np.argmax(ranges))
            if ranges[lead] <= 1e-12:
                continue  # the whole plane belongs to the family
            generator = contourpy.contour_generator(
                grid_a, grid_b, np.ma.masked_invalid(on_grid[lead]), line_type="Separate")
            pieces: list[np.ndarray] = []
            for segment in generator.lines(0.0):
                points = self.view.lift(segment)
                valid = np.ones(len(segment), dtype=bool)
                for k, values in enumerate(residuals(*points.T)):
                    if k != lead:
                        valid &= np.abs(values) <= 1e-4 * ranges[k] + 1e-12
                pieces += _runs(segment, valid & np.isfinite(segment).all(axis=1))
            if not pieces:
                continue
            gap = np.full((1, 2), np.nan)
            data = np.concatenate([part for piece in pieces for part in (piece, gap)][:-1])
            style = KIND_STYLES.get(fam.kind.value, KIND_STYLES["inconclusive"])
            label = "family: " + equations_text(fam.equations)
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
        """Draw each optimizer's path (records, starts, n) as one line (starts split by NaN).

        Colour, marker and line style come from the style registry
        (:func:`~symopt.plotting.style.style_for`), the same in every figure; markers are
        thinned to about :data:`PATH_MARKERS` per path and lines are slightly transparent, so
        paths on top of each other stay visible.
        """
        start_labelled = False
        styles = styles_for(paths)
        for name, path in paths.items():
            style = styles[name]
            pieces = []
            for k in range(path.shape[1]):
                xy = self._drawing_coordinates(path[:, k, :])
                pieces += [xy, np.full((1, 2), np.nan)]
            data = np.concatenate(pieces[:-1])
            every = max(1, len(data) // PATH_MARKERS)
            ax.plot(data[:, 0], data[:, 1], color=style.color, ls=style.linestyle, lw=1.6,
                    marker=style.marker, markersize=4, markevery=every, alpha=0.85, label=name,
                    gid=f"symopt:path:{name}", zorder=7)
            starts = np.array([self._drawing_coordinates(path[:1, k, :])[0]
                               for k in range(path.shape[1])])
            ends = np.array([self._drawing_coordinates(_last_finite(path[:, k, :]))[0]
                             for k in range(path.shape[1])])
            ax.scatter(starts[:, 0], starts[:, 1], marker="o", facecolors="none",
                       edgecolors="black", linewidths=1.5, s=60, zorder=8,
                       label="start" if not start_labelled else "_nolegend_",
                       gid=f"symopt:start:{name}")
            start_labelled = True
            ax.scatter(ends[:, 0], ends[:, 1], marker="*", c=style.color, edgecolors="black",
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


def _runs(points: np.ndarray, keep: np.ndarray) -> list[np.ndarray]:
    """The runs of consecutive kept points, each of at least two points."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(int), [0]])))
    return [points[start:stop] for start, stop in zip(edges[::2], edges[1::2])
            if stop - start > 1]


def _last_finite(path: np.ndarray) -> np.ndarray:
    finite = np.isfinite(path).all(axis=1)
    index = int(np.nonzero(finite)[0][-1]) if finite.any() else 0
    return path[index:index + 1]
