"""Basins of attraction: run an optimizer from many starts and say where each one ends.

(The module is not called ``basins`` so that importing it never hides the function
``symopt.basins``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from .critical import CriticalSet, critical_points
from .loss import Loss, as_loss
from .newton import search_box
from .numeric import compile as compile_loss
from .runner import run

__all__ = ["BasinReport", "basins", "box_bounds"]

@dataclass(frozen=True, kw_only=True)
class BasinReport:
    """Where each run ended: labels per start and counts per label."""

    starts: np.ndarray
    ends: np.ndarray
    labels: tuple[str, ...]
    counts: dict[str, int]
    analysis: CriticalSet

    def __str__(self) -> str:
        width = max(len(k) for k in self.counts) if self.counts else 0
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in
                         sorted(self.counts.items(), key=lambda kv: -kv[1]))


def basins(loss: Loss | str, optimizer: Any, starts: Any = 256, steps: int = 2000, *,
           box: Any = None, seed: int = 0, tolerance: float = 1e-4,
           analysis: CriticalSet | None = None) -> BasinReport:
    """Run ``optimizer`` from many starts at once; say where each ends.

    ``starts`` is a number of uniform random starts in ``box`` (a half-width, or one
    (low, high) pair per parameter; default: a box around the critical points) or an
    array of shape (k, n).  A run ends at a critical point (label "minimum at (...)",
    etc.) or on a family (label "family: equations (kind)") when it is within
    ``tolerance`` of it; otherwise "diverged" or "elsewhere (not at a known critical
    point)".
    """
    loss = as_loss(loss, "basins")
    cs = analysis if analysis is not None else critical_points(loss)
    n = loss.n_params
    if isinstance(starts, (int, np.integer)):
        if starts < 1:
            raise ValueError(f"starts={starts!r} must be a positive count or an array")
        bounds = box_bounds(cs, n, box)
        rng = np.random.default_rng(seed)
        lo, hi = bounds[:, 0], bounds[:, 1]
        x0 = lo + (hi - lo) * rng.random((int(starts), n))
    else:
        x0 = np.asarray(starts, dtype=float)
        if x0.ndim != 2 or x0.shape[1] != n:
            raise ValueError(f"starts must have shape (k, {n}), got {x0.shape}")
    f = compile_loss(loss)
    trajectory = run(f, optimizer, x0, steps=steps, record_every=steps)
    ends = np.asarray(trajectory.x)
    status = np.atleast_1d(trajectory.status)
    labels = []
    point_labels = [(np.array(p.numeric),
                     f"{p.kind.value} at ({', '.join(f'{c:.6g}' for c in p.numeric)})")
                    for p in cs.points]
    family_checks = []
    for fam in cs.families:
        fn = sp.lambdify(loss.params, list(fam.equations), modules="numpy")
        text = ", ".join(f"{e} = 0" for e in fam.equations) or "everywhere"
        family_checks.append((fn, f"family {text} ({fam.kind.value})"))
    for end, st in zip(ends, status):
        if st == "diverged" or not np.isfinite(end).all():
            labels.append("diverged")
            continue
        label = None
        for coords, text in point_labels:
            if np.linalg.norm(end - coords) <= tolerance * (1 + np.linalg.norm(coords)):
                label = text
                break
        if label is None:
            for fn, text in family_checks:
                residual = np.abs(np.asarray(fn(*end), dtype=float)).max()
                if residual <= tolerance:
                    label = text
                    break
        labels.append(label or "elsewhere (not at a known critical point)")
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return BasinReport(starts=x0, ends=ends, labels=tuple(labels), counts=counts, analysis=cs)


def box_bounds(cs: CriticalSet, n: int, box: Any) -> np.ndarray:
    """Bounds (n, 2) of a box: a half-width, n (low, high) pairs, or (None) a box around
    the critical points with at least 1 of padding."""
    if box is None:
        if cs.points:
            coords = np.array([p.numeric for p in cs.points])
            lo, hi = coords.min(axis=0), coords.max(axis=0)
            pad = np.maximum(1.0, 0.5 * (hi - lo))
            return np.stack([lo - pad, hi + pad], axis=1)
        return np.tile([-2.0, 2.0], (n, 1))
    return np.array(search_box(box, n), dtype=float)
