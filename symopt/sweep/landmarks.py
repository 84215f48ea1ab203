"""The exact critical points of a loss as landmarks, and the nearest one to each end point.

A loss's :class:`~symopt.critical.CriticalSet` becomes a small :class:`Landmarks` record
(numeric coordinates of the isolated points, equations of the families, the kinds, the status
of the analysis) that pickles cheaply to every task of that loss. :func:`nearest` then finds,
for a batch of end points, the nearest isolated point or family and the distance to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

__all__ = ["Landmark", "Landmarks", "from_critical_set", "family_distance", "nearest"]

#: Label of an end point that diverged, and of one not at any known critical point.
DIVERGED = "diverged"
ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Landmark:
    """An isolated critical point (``coords``) or a family (``equations``), with its kind."""

    label: str
    kind: str
    coords: tuple[float, ...] | None = None
    equations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Landmarks:
    """What the exact analysis of one loss found, and how it ended.

    ``status`` is the analysis's own (``"complete"``, ``"incomplete"``, ``"timeout"``) or
    ``"failed"``/``"skipped"``; ``note`` says why when it did not complete.
    """

    status: str
    landmarks: tuple[Landmark, ...] = ()
    note: str = ""


def _coords_text(exact: Sequence[Any], numeric: Sequence[float]) -> str:
    text = "(" + ", ".join(str(c) for c in exact) + ")"
    if len(text) <= 40:
        return text
    return "(" + ", ".join(f"{c:.6g}" for c in numeric) + ")"


def from_critical_set(cs: Any) -> Landmarks:
    """The landmarks of a :class:`~symopt.critical.CriticalSet`."""
    found = []
    for point in cs.points:
        found.append(Landmark(_coords_text(point.coords, point.numeric), point.kind.value,
                              coords=tuple(float(c) for c in point.numeric)))
    for family in cs.families:
        equations = tuple(str(e) for e in family.equations)
        label = ", ".join(f"{e} = 0" for e in equations) or "everywhere"
        found.append(Landmark(label, family.kind.value, equations=equations))
    note = "" if cs.complete else "; ".join(cs.notes)
    return Landmarks(str(cs.status), tuple(found), note)


@lru_cache(maxsize=32)
def _family_functions(equations: tuple[str, ...], names: tuple[str, ...]):
    """NumPy functions of the equations and their Jacobian (compiled once per process)."""
    import sympy as sp

    from ..parse import parse_expression
    params = [sp.Symbol(name, real=True) for name in names]
    symbols = {p.name: p for p in params}
    exprs = []
    for text in equations:
        expr = parse_expression(text)
        exprs.append(expr.subs({s: symbols[s.name] for s in expr.free_symbols
                                if s.name in symbols}))
    jacobian = sp.Matrix(exprs).jacobian(list(params))
    values = sp.lambdify(list(params), exprs, modules="numpy")
    derivatives = sp.lambdify(list(params), jacobian.tolist(), modules="numpy")
    return values, derivatives


def _broadcast(raw: Any, k: int) -> np.ndarray:
    """lambdify output (nested lists, constants as scalars) as an array with k last."""
    def fill(item: Any) -> Any:
        if isinstance(item, list):
            return [fill(i) for i in item]
        return np.broadcast_to(np.asarray(item, dtype=float), (k,))
    return np.array(fill(raw), dtype=float)


def _solve_normal(jac: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``J^T (J J^T)^-1 rhs`` per row, regularised by ``1e-14 * trace`` where J J^T is singular."""
    gram = jac @ np.swapaxes(jac, 1, 2)                                   # (k, m, m)
    m = gram.shape[-1]
    ridge = 1e-14 * np.trace(gram, axis1=1, axis2=2)[:, None, None] + 1e-300
    weights = np.linalg.solve(gram + ridge * np.eye(m), rhs[..., None])[..., 0]
    return np.einsum("kmn,km->kn", jac, weights)


def family_distance(x: np.ndarray, equations: tuple[str, ...], params: Sequence[Any],
                    iterations: int = 40) -> np.ndarray:
    """Distance from each row of ``x`` to the common zeros of ``equations`` (NaN: not found).

    Two numerical stages. First a point of the zero set is reached by minimum-norm Newton
    steps ``y <- y - J^T (J J^T)^-1 g(y)`` (each at most ``(1 + |y|) / 2`` long) from ``x``
    nudged by ``1e-7 (1 + |x|)`` along a fixed direction (so a point where ``J = 0`` still
    moves). Then the closest point is sought by linearising the equations at ``y`` and
    projecting ``x`` onto that linear set, ``y <- x - J^T (J J^T)^-1 (g(y) + J (x - y))``,
    whose fixed points are the points of the zero set where ``x - y`` is normal to it. Each
    stage stops early once no row moves. The result is a local closest point, accepted where
    ``|g(y)| <= 1e-10 (1 + |y|)``; where the projection does not settle (e.g. from a centre of
    curvature) the distance is NaN, never a guess.
    """
    if not equations:
        return np.zeros(len(x))
    values, derivatives = _family_functions(equations, tuple(p.name for p in params))
    k, n = x.shape

    def parts(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = _broadcast(values(*y.T), k).T                                # (k, m)
        return g, np.moveaxis(_broadcast(derivatives(*y.T), k), -1, 0)  # (k, m, n)

    nudge = np.arange(1, n + 1) / np.linalg.norm(np.arange(1, n + 1))
    y = x + 1e-7 * (1 + np.linalg.norm(x, axis=1, keepdims=True)) * nudge
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            g, jac = parts(y)
            step = _solve_normal(jac, g)
            length = np.linalg.norm(step, axis=1, keepdims=True)
            cap = 0.5 * (1 + np.linalg.norm(y, axis=1, keepdims=True))
            step = np.where(length > cap, step * (cap / length), step)
            step = np.where(np.isfinite(step).all(axis=1, keepdims=True), step, 0.0)
            y = y - step
            if not (np.abs(step) > 1e-15 * (1 + np.abs(y))).any():
                break
        for _ in range(iterations):
            g, jac = parts(y)
            moved = x - _solve_normal(jac, g + np.einsum("kmn,kn->km", jac, x - y))
            moved = np.where(np.isfinite(moved).all(axis=1, keepdims=True), moved, y)
            settled = not (np.abs(moved - y) > 1e-15 * (1 + np.abs(y))).any()
            y = moved
            if settled:
                break
        g = parts(y)[0]
        on_set = np.abs(g).max(axis=1) <= 1e-10 * (1 + np.linalg.norm(y, axis=1))
        return np.where(on_set, np.linalg.norm(x - y, axis=1), np.nan)


def nearest(x: np.ndarray, status: np.ndarray, landmarks: Landmarks, params: Sequence[Any],
            tolerance: float) -> dict[str, Any]:
    """Nearest landmark of each end point, its kind, the distance and the basin label.

    The basin label is the nearest landmark's label when the distance is at most
    ``tolerance * (1 + |landmark|)`` (for a family, ``tolerance * (1 + |x|)``),
    ``"diverged"`` for a diverged run and ``"elsewhere"`` otherwise.
    """
    k = len(x)
    if not landmarks.landmarks:
        empty = np.full(k, None, dtype=object)
        basin = np.where(status == "diverged", DIVERGED, ELSEWHERE).astype(object)
        return {"nearest": empty, "nearest_kind": empty.copy(),
                "distance": np.full(k, np.nan), "basin": basin}
    distances, scales = [], []
    for mark in landmarks.landmarks:
        if mark.coords is not None:
            point = np.array(mark.coords)
            distances.append(np.linalg.norm(x - point, axis=1))
            scales.append(np.full(k, 1 + np.linalg.norm(point)))
        else:
            distances.append(family_distance(x, mark.equations, params))
            scales.append(1 + np.linalg.norm(x, axis=1))
    table = np.array(distances)                         # (landmarks, k)
    known = np.isfinite(table).any(axis=0)
    best = np.argmin(np.where(np.isfinite(table), table, np.inf), axis=0)
    distance = np.where(known, table[best, np.arange(k)], np.nan)
    labels = np.array([m.label for m in landmarks.landmarks], dtype=object)
    kinds = np.array([m.kind for m in landmarks.landmarks], dtype=object)
    near = np.where(known, labels[best], None)
    kind = np.where(known, kinds[best], None)
    close = known & (distance <= tolerance * np.array(scales)[best, np.arange(k)])
    basin = np.where(status == "diverged", DIVERGED,
                     np.where(close, near, ELSEWHERE)).astype(object)
    return {"nearest": near, "nearest_kind": kind, "distance": distance, "basin": basin}
