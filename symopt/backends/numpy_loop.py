"""The NumPy loop of :func:`symopt.run`: all starts as one ``(k, n)`` array, updated in place."""

from __future__ import annotations

import numpy as np

from ..run_plan import GTOL_RELATIVE, RunPlan
from .iterated import Iterated

__all__ = ["iterate", "squared_norms"]

# Up to this many parameters, a row's squared norm is summed column by column (einsum's
# reduction over a short last axis is several times slower than a few whole-column passes).
_COLUMNWISE_MAX = 16


def squared_norms(rows: np.ndarray) -> np.ndarray:
    """Squared Euclidean norm of each row of a ``(k, n)`` array, as a new ``(k,)`` array."""
    n = rows.shape[1]
    if n > _COLUMNWISE_MAX:
        return np.einsum("ij,ij->i", rows, rows)
    column = rows[:, 0]
    total = np.multiply(column, column)
    for j in range(1, n):
        column = rows[:, j]
        total += column * column
    return total


def _upper(top: float) -> float:
    """A maximum as an upper bound: infinity if it is NaN."""
    top = float(top)
    return top if top == top else float("inf")


def iterate(plan: RunPlan) -> Iterated:
    """Gradient, update, mask stopped starts, divergence, convergence, record; step by step.

    A start stops when its gradient norm reaches its tolerance (see :mod:`symopt.run_plan`;
    tested after every update, or with mini-batches on the full-data gradient after every
    epoch, and for an absolute ``tol`` also at the start) or when it diverges; its point is kept from then on. The loop ends early once every
    start has stopped.
    """
    loss, update, sampler = plan.loss, plan.update, plan.sampler
    x = plan.start
    k = x.shape[0]
    state = plan.init(x)
    grad = loss.grad
    # run owns the state, so optimizers that can reuse its arrays may, and updates that are
    # new arrays nobody else holds can receive the next iterate (see optim.base.Hints)
    donate = {"donate": True} if plan.donates_state else {}
    fresh, threshold = plan.fresh_output, plan.threshold
    stopped_at = np.full(k, -1)            # update count at which a start stopped, -1: running
    diverged_at = np.full(k, -1)
    converged = np.zeros(k, dtype=bool)
    active = np.ones(k, dtype=bool)
    all_active = True
    path = [x]
    recorded = [0]
    done = 0

    relative = plan.tol is None
    rtol_squared = GTOL_RELATIVE ** 2

    def check_tol(gradient: np.ndarray, count: int) -> None:
        # Per step one whole-array test rules out almost every step: no start can have
        # reached its tolerance while the smallest squared norm exceeds the largest bound.
        # Only then are the per-start comparisons made (the same ones, so the same starts
        # stop at the same steps): two reductions instead of four passes and a reduction.
        # Stopped starts (whose gradients stay small) are left out of the smallest norm.
        nonlocal all_active, peak_top
        squared = squared_norms(gradient)
        if relative:
            np.maximum(peak_squared, squared, out=peak_squared)
            peak_top = max(peak_top, _upper(squared.max()))
        lowest = squared if all_active else np.where(active, squared, np.inf)
        if lowest.min() > (rtol_squared * peak_top if relative else tol_squared):
            return
        if relative:
            reached = squared <= rtol_squared * peak_squared
        else:
            reached = squared <= tol_squared
        reached &= active
        if reached.any():
            converged[reached] = True
            stopped_at[reached] = count
            active[reached] = False
            all_active = False

    with np.errstate(all="ignore"):
        g = grad(x)
        if np.shape(g) != x.shape:
            raise ValueError(f"f.grad returned shape {np.shape(g)} for points of shape "
                             f"{x.shape}; it must return one derivative per parameter, shape "
                             "(..., n_params)")
        peak_squared = squared_norms(g)
        # an upper bound of every start's peak (infinity once a norm was NaN: the maximum
        # of the others is not known then, and the quick test in check_tol never passes)
        peak_top = _upper(peak_squared.max())
        tol_squared = 0.0 if relative else plan.tol ** 2
        if not relative:                   # the relative test needs a step to compare with
            check_tol(g, 0)
        for done in range(1, plan.total + 1):
            if not all_active and not active.any():
                done -= 1
                break
            if sampler is not None:
                g = grad(x, samples=next(sampler))
            updates, state = update(g, state, x, **donate)
            x_new = np.add(x, updates, out=updates if fresh else None)
            if not all_active:
                np.copyto(x_new, x, where=~active[:, None])
            # one pass each for max and min (NaN propagates, so it fails the test too);
            # a BLAS dot would be one pass but wakes BLAS threads every step
            if not (x_new.max() <= threshold and x_new.min() >= -threshold):
                bad = ~(np.abs(x_new) <= threshold).all(axis=-1) & active
                if bad.any():
                    x_new[bad] = x[bad]
                    diverged_at[bad] = done
                    stopped_at[bad] = done - 1
                    active[bad] = False
                    all_active = False
            x = x_new
            if sampler is None:
                g = grad(x)
                check_tol(g, done)
            elif done % plan.per_epoch == 0:
                check_tol(grad(x), done)
            if done % plan.record_every == 0:
                path.append(x)
                recorded.append(done)
        if recorded[-1] != done:
            path.append(x)
            recorded.append(done)
        if sampler is not None:
            g = grad(x)
    stopped_at[stopped_at < 0] = done
    return Iterated(x, np.asarray(g), np.stack(path), np.array(recorded), converged,
                    stopped_at, diverged_at)
