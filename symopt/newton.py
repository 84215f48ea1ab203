"""Multi-start Newton on the gradient, with the exact Hessian, for non-polynomial losses.

Starts are quasi-random (a shifted Halton sequence) in a box; Newton steps run on all of
them at once through the compiled derivatives; converged points are deduplicated,
polished with mpmath at 40 digits and kept only when the gradient there is below 1e-20.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .budget import Budget
from .classify import classify_numeric

__all__ = ["newton_search", "search_box"]


def search_box(box: Any, n: int) -> list[tuple[float, float]]:
    if box is None:
        return [(-5.0, 5.0)] * n
    if isinstance(box, (int, float)):
        if not box > 0:
            raise ValueError(f"box={box!r} must be a positive half-width")
        return [(-float(box), float(box))] * n
    bounds = [tuple(map(float, b)) for b in box]
    if len(bounds) != n or any(len(b) != 2 or not b[0] < b[1] for b in bounds):
        raise ValueError(f"box must be a half-width or {n} pairs (low, high) with low < high")
    return bounds


def newton_search(loss, gradient, hessian, bounds, starts, seed, budget: Budget):
    from .numeric import compile as compile_loss

    params = loss.params
    n = len(params)
    compiled = compile_loss(loss)
    rng = np.random.default_rng(seed)
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    x = lo + (hi - lo) * _halton(starts, n, rng)

    def evaluate(x):
        return compiled.grad(x), compiled.hess(x)

    if hessian.has(sp.Derivative):  # e.g. d/dx sign(x/y): no numeric value to search on
        return [], ("multi-start Newton not run: the Hessian holds unevaluated derivatives "
                    f"({next(iter(hessian.atoms(sp.Derivative)))})")
    with np.errstate(all="ignore"):
        for _ in range(60):
            if budget.expired:
                break
            g, h = evaluate(x)
            x = x - _newton_steps(h, g, n)
            x[~np.isfinite(x).all(axis=1)] = np.nan
        g, _ = evaluate(x)
    good = np.isfinite(x).all(axis=1) & (np.linalg.norm(g, axis=1) < 1e-6)
    inside = ((x >= lo - 1e-9) & (x <= hi + 1e-9)).all(axis=1)
    found = []
    for candidate in x[good & inside]:
        if any(np.linalg.norm(candidate - f) < 1e-6 * (1 + np.linalg.norm(f)) for f in found):
            continue
        found.append(candidate)
    results = []
    # kinks (abs, relu) differentiate to DiracDelta/Heaviside: use the derivative that
    # exists almost everywhere, as the compiled NumPy functions do
    modules = [{"LogSumExp": _logsumexp_mpmath, "DiracDelta": _zero, "Heaviside": _heaviside},
               "mpmath"]
    grad_mp = sp.lambdify(params, list(gradient), modules=modules)
    hess_mp = sp.lambdify(params, hessian.tolist(), modules=modules)
    value_mp = sp.lambdify(params, loss.expr, modules=modules)
    unverified = 0
    for candidate in found:
        if budget.expired:
            break
        with mpmath.workdps(40):
            point = mpmath.matrix([mpmath.mpf(float(c)) for c in candidate])
            for _ in range(30):
                g = mpmath.matrix(grad_mp(*point))
                h = mpmath.matrix(hess_mp(*point))
                try:
                    point = point - mpmath.lu_solve(h, g)
                except ZeroDivisionError:
                    break
                if mpmath.norm(g) < mpmath.mpf(10) ** -35:
                    break
            g = mpmath.matrix(grad_mp(*point))
            residual = mpmath.norm(g)
            h = mpmath.matrix(hess_mp(*point))
            scale = float(mpmath.mnorm(h, 1))
            if residual > mpmath.mpf(10) ** -20 or not _newton_step_small(h, g, point):
                unverified += 1
                continue
            raw_value = value_mp(*point)
            if isinstance(raw_value, mpmath.mpc) or any(isinstance(c, mpmath.mpc) for c in point):
                unverified += 1  # outside the loss's real domain, e.g. log of a negative
                continue
            coords = tuple(sp.Float(str(c), 30) for c in point)
            value = sp.Float(str(raw_value), 30)
            cls = classify_numeric(h, scale, 1e-12)
        results.append((coords, cls, value))
    note = (f"multi-start Newton: {starts} starts, {len(found)} distinct point(s) converged in the box, "
            f"{len(results)} verified at 40 digits (|gradient| < 1e-20 and a Newton step below 1e-20)")
    if unverified:
        note += (f"; {unverified} could not be verified (degenerate roots, where Newton "
                 "converges too slowly to certify, or not roots)")
    return results, note


def _newton_step_small(h, g, point) -> bool:
    """True when one more Newton step moves the point by less than 1e-20 (relative): a
    small gradient alone is no proof near a degenerate root, where Newton creeps."""
    try:
        step = mpmath.lu_solve(h, g)
    except ZeroDivisionError:
        return False
    return mpmath.norm(step) <= mpmath.mpf(10) ** -20 * (1 + mpmath.norm(point))


def _newton_steps(h: np.ndarray, g: np.ndarray, n: int) -> np.ndarray:
    """Newton steps H^-1 g for a batch; NaN for starts whose H or g is not finite and
    least squares where H is singular (never an exception)."""
    finite = np.isfinite(h).all(axis=(-2, -1)) & np.isfinite(g).all(axis=-1)
    delta = np.full(g.shape, np.nan)
    if not finite.any():
        return delta
    hf, gf = h[finite], g[finite]
    try:
        delta[finite] = np.linalg.solve(hf + 1e-14 * np.eye(n), gf[..., None])[..., 0]
    except np.linalg.LinAlgError:
        steps = []
        for hh, gg in zip(hf, gf):
            try:
                steps.append(np.linalg.lstsq(hh, gg, rcond=None)[0])
            except np.linalg.LinAlgError:
                steps.append(np.full(n, np.nan))
        delta[finite] = np.stack(steps)
    return delta


def _logsumexp_mpmath(*args):
    top = max(args)
    return top + mpmath.log(mpmath.fsum(mpmath.exp(a - top) for a in args))


def _zero(*args):
    return mpmath.mpf(0)


def _heaviside(x, at_zero=0.5):
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0) if x < 0 else mpmath.mpf(at_zero)


def _halton(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53]
    out = np.empty((count, dim))
    shift = rng.random(dim)
    for d in range(dim):
        base = primes[d % len(primes)]
        for i in range(count):
            f, r, k = 1.0, 0.0, i + 1
            while k:
                f /= base
                r += f * (k % base)
                k //= base
            out[i, d] = r
    return (out + shift) % 1.0
