"""The numbers behind a plot: which plane to draw, over which region, with which levels.

NumPy only (no matplotlib), so these rules are testable and reusable on their own.

* :class:`View` maps parameter vectors to drawing coordinates: the parameters themselves
  for one or two parameters, a 2-D slice ``theta = p + a*d1 + b*d2`` for more.
* :func:`default_region` covers given points with a margin.
* :func:`contour_levels` chooses filled-contour levels, log-spaced when the loss spans
  orders of magnitude over the region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["View", "plane_view", "default_region", "check_region", "contour_levels",
           "MARGIN", "DEFAULT_HALF_WIDTH", "LOG_LEVELS_RATIO", "LOG_OFFSET"]

#: Smallest margin around the critical points in the default region.
MARGIN = 2.0
#: Half-width of the default region when there is nothing to cover.
DEFAULT_HALF_WIDTH = 2.0
#: Levels are log-spaced when (max - min) exceeds this many times (median - min).
LOG_LEVELS_RATIO = 10.0
#: Log-spaced levels are spaced in ``loss - min + offset`` with offset this fraction of
#: (max - min), so the lowest level sits at the minimum.
LOG_OFFSET = 1e-3


def _fmt(values: Sequence[float]) -> str:
    return "(" + ", ".join(f"{0.0 if abs(v) < 5e-13 else v:.3g}" for v in values) + ")"


@dataclass(frozen=True, eq=False)
class View:
    """How parameter vectors map to the coordinates of the drawing.

    Attributes
    ----------
    names : tuple of str
        Parameter names.
    origin : ndarray, shape (n,)
        The point the slice goes through (zeros when not sliced).
    directions : ndarray, shape (dim, n)
        Orthonormal rows; drawing coordinate ``i`` is ``(theta - origin) @ directions[i]``.
    sliced : bool
        True for more than two parameters: the drawing is the slice
        ``theta = origin + a*directions[0] + b*directions[1]``.
    """

    names: tuple[str, ...]
    origin: np.ndarray
    directions: np.ndarray
    sliced: bool

    @property
    def n(self) -> int:
        """Number of parameters."""
        return len(self.names)

    @property
    def dim(self) -> int:
        """Number of drawing coordinates in parameter space: 1 (a line) or 2 (a plane)."""
        return int(self.directions.shape[0])

    def project(self, theta: Any) -> np.ndarray:
        """Drawing coordinates ``(..., dim)`` of parameter vectors ``(..., n)``."""
        points = np.asarray(theta, dtype=float)
        if not self.sliced:
            return points.copy()
        return (points - self.origin) @ self.directions.T

    def lift(self, coords: Any) -> np.ndarray:
        """Parameter vectors ``(..., n)`` of drawing coordinates ``(..., dim)``."""
        coords = np.asarray(coords, dtype=float)
        if not self.sliced:
            return coords.copy()
        return self.origin + coords @ self.directions

    def distance(self, theta: Any) -> np.ndarray:
        """Distance of parameter vectors from the drawn line or plane (0 when not sliced)."""
        points = np.asarray(theta, dtype=float)
        if not self.sliced:
            return np.zeros(points.shape[:-1])
        return np.linalg.norm(points - self.lift(self.project(points)), axis=-1)

    def axis_labels(self) -> tuple[str, ...]:
        """Axis labels: the parameter names, or the slice coordinates a and b."""
        if not self.sliced:
            return self.names
        return ("a (along d1)", "b (along d2)")

    def describe(self) -> str:
        """The slice in words (empty when not sliced), for the title."""
        if not self.sliced:
            return ""
        names = ", ".join(self.names)
        return (f"slice ({names}) = p + a*d1 + b*d2, p = {_fmt(self.origin)},\n"
                f"d1 = {_fmt(self.directions[0])}, d2 = {_fmt(self.directions[1])}")


def plane_view(names: Sequence[str], origin: Any = None, directions: Any = None,
               hessian: Any = None) -> View:
    """The :class:`View` for ``len(names)`` parameters.

    Parameters
    ----------
    names : sequence of str
        Parameter names.
    origin : array_like, optional
        The point a slice goes through (more than two parameters); default the origin.
    directions : array_like of shape (2, n), optional
        The slice's directions; they are orthonormalised (Gram-Schmidt, in order).
        Default: the eigenvectors of ``hessian`` with the two largest absolute
        eigenvalues (the coordinate axes of the first two parameters without it).
    hessian : array_like of shape (n, n), optional
        The Hessian at ``origin``, for the default directions.

    Examples
    --------
    >>> v = plane_view(["x", "y", "z"], origin=[0, 0, 0], hessian=np.diag([1.0, -5.0, 3.0]))
    >>> v.directions
    array([[0., 1., 0.],
           [0., 0., 1.]])
    >>> v.project([1.0, 2.0, 3.0])
    array([2., 3.])
    """
    names = tuple(str(n) for n in names)
    n = len(names)
    if n == 0:
        raise ValueError("a loss with no parameters cannot be plotted")
    if n <= 2:
        if directions is not None:
            raise ValueError(f"directions are for slices of losses with more than two "
                             f"parameters; this loss has {n} ({', '.join(names)})")
        return View(names, np.zeros(n), np.eye(n), sliced=False)
    p = np.zeros(n) if origin is None else np.asarray(origin, dtype=float).reshape(-1)
    if p.shape != (n,) or not np.isfinite(p).all():
        raise ValueError(f"point must be {n} finite numbers (one per parameter: "
                         f"{', '.join(names)}); got {origin!r}")
    if directions is None:
        if hessian is not None:
            h = np.asarray(hessian, dtype=float)
            values, vectors = np.linalg.eigh((h + h.T) / 2)
            order = np.argsort(-np.abs(values), kind="stable")[:2]
            candidates = vectors[:, order].T
        else:
            candidates = np.eye(n)[:2]
    else:
        candidates = np.asarray(directions, dtype=float)
        if candidates.shape != (2, n) or not np.isfinite(candidates).all():
            raise ValueError(f"directions must be two finite vectors of length {n}; got "
                             f"shape {candidates.shape}")
    basis = []
    for vector in candidates:
        v = vector - sum((vector @ b) * b for b in basis)
        norm = np.linalg.norm(v)
        if norm <= 1e-12 * max(1.0, np.linalg.norm(vector)):
            raise ValueError("the two slice directions are parallel (or one is zero); give "
                             "two independent vectors")
        v = v / norm
        # a fixed sign: the largest entry positive, so pictures do not flip between runs
        if v[np.argmax(np.abs(v))] < 0:
            v = -v
        basis.append(v)
    return View(names, p, np.array(basis), sliced=True)


def check_region(region: Any, dim: int) -> tuple[float, ...]:
    """``region`` as floats: ``(xmin, xmax)`` for a line, ``(xmin, xmax, ymin, ymax)`` for a plane."""
    wanted = "xmin, xmax" if dim == 1 else "xmin, xmax, ymin, ymax"
    try:
        values = tuple(float(v) for v in region)
    except (TypeError, ValueError):
        raise TypeError(f"region must be {2 * dim} numbers ({wanted}); got {region!r}") from None
    if len(values) != 2 * dim:
        raise ValueError(f"region must be {2 * dim} numbers ({wanted}); got {len(values)}: "
                         f"{region!r}")
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"region must be finite; got {region!r}")
    for i in range(dim):
        if not values[2 * i] < values[2 * i + 1]:
            raise ValueError(f"region {values!r}: each minimum must be below its maximum "
                             f"({wanted})")
    return values


def default_region(coords: Any, dim: int, center: Any = None) -> tuple[float, ...]:
    """A region covering ``coords`` (shape (m, dim)) with a margin.

    The margin on each axis is ``max(MARGIN, 0.2 * spread)``; with nothing to cover the
    region is ``center +- DEFAULT_HALF_WIDTH`` (center default 0).

    Examples
    --------
    >>> default_region([[0.0, 0.0]], 2)
    (-2.0, 2.0, -2.0, 2.0)
    >>> default_region([[-10.0, 0.0], [10.0, 1.0]], 2)
    (-14.0, 14.0, -2.0, 3.0)
    >>> default_region(np.zeros((0, 1)), 1, center=[3.0])
    (1.0, 5.0)
    """
    points = np.asarray(coords, dtype=float).reshape(-1, dim)
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) == 0:
        c = np.zeros(dim) if center is None else np.asarray(center, dtype=float).reshape(dim)
        lo, hi = c - DEFAULT_HALF_WIDTH, c + DEFAULT_HALF_WIDTH
    else:
        low, high = points.min(axis=0), points.max(axis=0)
        pad = np.maximum(MARGIN, 0.2 * (high - low))
        lo, hi = low - pad, high + pad
    out: list[float] = []
    for a, b in zip(lo, hi):
        out += [float(a), float(b)]
    return tuple(out)


def contour_levels(values: Any, count: int = 30) -> tuple[np.ndarray, bool]:
    """Levels for a filled contour of ``values``, and whether they are log-spaced.

    Linear levels are round numbers (steps of 1, 2, 2.5 or 5 times a power of ten) from
    at or below the minimum of the finite values to at or above their maximum.  When ``max - min`` is more than
    :data:`LOG_LEVELS_RATIO` times ``median - min`` (most of the region would fall in the
    lowest few bands) the levels are log-spaced in ``loss - min + offset`` with
    ``offset = LOG_OFFSET * (max - min)``:
    ``min - offset + geomspace(offset, max - min + offset, count)``, so the first level is
    the minimum and the last the maximum.

    Examples
    --------
    >>> levels, log = contour_levels(np.linspace(0, 1, 101), 5)
    >>> levels.tolist(), log
    ([0.0, 0.25, 0.5, 0.75, 1.0], False)
    >>> contour_levels(np.linspace(-3.7, 4.1, 101), 5)[0].tolist()
    [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0]
    >>> levels, log = contour_levels(np.logspace(-6, 2, 101), 5)
    >>> log, bool(np.isclose(levels[0], 1e-6)), bool(np.isclose(levels[-1], 100.0))
    (True, True, True)
    """
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 2:
        raise ValueError(f"levels must be an int >= 2 (the number of contour levels); got "
                         f"{count!r}")
    z = np.asarray(values, dtype=float)
    z = z[np.isfinite(z)]
    if z.size == 0:
        raise ValueError("the loss is not finite anywhere in the region; choose another region")
    low, high = float(z.min()), float(z.max())
    spread = high - low
    if spread <= 1e-12 * max(1.0, abs(low)):
        half = max(1.0, abs(low)) * 1e-3
        return np.linspace(low - half, low + half, count), False
    median = float(np.median(z))
    if spread > LOG_LEVELS_RATIO * (median - low):
        offset = LOG_OFFSET * spread
        levels = low - offset + np.geomspace(offset, spread + offset, count)
        levels[0], levels[-1] = low, high
        return levels, True
    return _round_levels(low, high, count), False


def _round_levels(low: float, high: float, count: int) -> np.ndarray:
    """At most about ``count`` levels at round numbers covering [low, high]."""
    raw = (high - low) / (count - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw * (1 - 1e-9))
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    number = int(round((last - first) / step)) + 1
    return np.round(first + step * np.arange(number), 12)
