"""Optimizers that escape saddles: a negative-curvature step, perturbed GD, saddle-free Newton.

Each takes plain functions of the parameters (``hess``, ``value``), never a symbolic loss, so
this module stays NumPy only.  ``hess(x)`` maps points of shape (k, n) to Hessians of shape
(k, n, n) and ``value(x)`` maps them to losses of shape (k,) (a compiled
:class:`symopt.NumericLoss` provides both as ``f.hess`` and ``f.value``).
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

from .base import GradientTransformation

__all__ = ["negative_curvature_descent", "perturbed_gd", "saddle_free_newton"]

ArrayFn = Callable[[np.ndarray], Any]


class _StepState(NamedTuple):
    count: int


def _batched(params: np.ndarray) -> tuple[np.ndarray, bool]:
    return (params[None, :], True) if params.ndim == 1 else (params, False)


def _check_lr(lr: float) -> None:
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr={lr!r} must be a positive number")


def _count_steps(params: Any) -> _StepState:
    return _StepState(0)


def _arrays(name: str, grads: Any, params: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """Parameters and gradient as (k, n) arrays, and whether the input was one point."""
    if params is None:
        raise ValueError(f"{name} needs the parameters in update(grads, state, params)")
    x, single = _batched(np.asarray(params, float))
    g, _ = _batched(np.asarray(grads, float))
    return x, g, single


def negative_curvature_descent(hess: ArrayFn, value: ArrayFn, lr: float, *,
                               gradient_tolerance: float = 1e-6,
                               curvature_tolerance: float = 1e-8,
                               max_step: float = 1.0) -> GradientTransformation:
    """Gradient descent that steps along negative curvature where the gradient is small.

    Where ``|g| <= gradient_tolerance`` and the Hessian's smallest eigenvalue lambda is below
    ``-curvature_tolerance``, the step is theta <- theta + a*u with u its unit eigenvector
    (sign chosen so that g.u <= 0) and a the largest of max_step, max_step/2, ... for which
    the loss decreases (checked with ``value``); elsewhere theta <- theta - lr*g.  At a
    saddle, ``u^T H u = lambda |u|^2 < 0``, so L(theta + a u) ~ L(theta) + lambda a^2 / 2.
    """
    _check_lr(lr)

    def update(grads: Any, state: _StepState, params: Any = None) -> tuple[Any, _StepState]:
        x, g, single = _arrays("negative_curvature_descent", grads, params)
        updates = -lr * g
        small = np.linalg.norm(g, axis=1) <= gradient_tolerance
        if small.any():
            idx = np.nonzero(small)[0]
            values, vectors = np.linalg.eigh(hess(x[idx]))
            for j, i in enumerate(idx):
                if values[j, 0] >= -curvature_tolerance:
                    continue
                u = vectors[j, :, 0]
                if g[i] @ u > 0:
                    u = -u
                base = float(value(x[i]))
                a = max_step
                while a > 1e-12 and float(value(x[i] + a * u)) >= base:
                    a /= 2
                if a > 1e-12:
                    updates[i] = a * u
        return (updates[0] if single else updates), _StepState(state.count + 1)

    return GradientTransformation(_count_steps, update)


class _PerturbState(NamedTuple):
    count: int
    last_perturbation: np.ndarray  # step of each start's last perturbation
    anchor: np.ndarray  # where each start was perturbed from
    anchor_value: np.ndarray
    finished: np.ndarray  # a perturbation did not help: this start is at a local minimum
    rng: np.random.Generator


def perturbed_gd(lr: float, *, value: ArrayFn | None = None, gradient_threshold: float = 1e-3,
                 radius: float = 1e-2, wait: int = 20, decrease: float = 1e-8,
                 seed: int = 0) -> GradientTransformation:
    """Perturbed gradient descent (Jin, Ge, Netrapalli, Kakade, Jordan 2017, "How to escape
    saddle points efficiently").

    When ``|g| <= gradient_threshold`` and no perturbation was made in the last ``wait``
    steps, add a point drawn uniformly from the ball of radius ``radius``; every step is
    theta <- theta - lr*g.  With ``value`` (the loss) it also applies the paper's stopping
    rule: if ``wait`` steps after a perturbation the loss has not fallen by ``decrease``
    below its value at the perturbed-from point, the start returns to that point and is
    not perturbed again (it sits at a local minimum).  Without ``value`` it keeps
    perturbing near minima, so it ends within about ``radius`` of one.
    """
    _check_lr(lr)
    if not radius > 0:
        raise ValueError(f"radius={radius!r} must be positive")

    def init(params: Any) -> _PerturbState:
        x, _ = _batched(np.asarray(params, float))
        k = x.shape[0]
        return _PerturbState(0, np.full(k, -10 ** 9), x.copy(), np.full(k, np.inf),
                             np.zeros(k, bool), np.random.default_rng(seed))

    def update(grads: Any, state: _PerturbState, params: Any = None) -> tuple[Any, _PerturbState]:
        g, single = _batched(np.asarray(grads, float))
        x = _batched(np.asarray(params, float))[0] if params is not None else None
        updates = -lr * g
        last = state.last_perturbation.copy()
        anchor, anchor_value = state.anchor.copy(), state.anchor_value.copy()
        finished = state.finished.copy()
        if value is not None and x is not None:
            judged = (~finished) & (state.count - last == wait)
            if judged.any():
                values = np.atleast_1d(value(x[judged]))
                failed = values > anchor_value[judged] - decrease
                idx = np.nonzero(judged)[0][failed]
                updates[idx] = anchor[idx] - x[idx]  # back to the minimum
                finished[idx] = True
        due = ((np.linalg.norm(g, axis=1) <= gradient_threshold)
               & (state.count - last > wait) & ~finished)
        if due.any():
            k, n = int(due.sum()), g.shape[1]
            direction = state.rng.normal(size=(k, n))
            direction /= np.linalg.norm(direction, axis=1, keepdims=True)
            length = radius * state.rng.random(k) ** (1.0 / n)
            updates[due] += direction * length[:, None]
            last[due] = state.count
            if x is not None:
                anchor[due] = x[due]
                if value is not None:
                    anchor_value[due] = np.atleast_1d(value(x[due]))
        new_state = _PerturbState(state.count + 1, last, anchor, anchor_value, finished, state.rng)
        return (updates[0] if single else updates), new_state

    return GradientTransformation(init, update)


def saddle_free_newton(hess: ArrayFn, lr: float = 1.0, *, damping: float = 1e-3,
                       max_step: float = 1.0) -> GradientTransformation:
    """Saddle-free Newton (Dauphin, Pascanu, Gulcehre, Cho, Ganguli, Bengio 2014,
    "Identifying and attacking the saddle point problem"): ``theta <- theta - lr*|H|^-1 g``,
    with ``|H| = V |Lambda| V^T`` built from the absolute eigenvalues (plus ``damping``), so
    negative curvature repels instead of attracting.  Steps are capped at ``max_step``.
    Exactly at a critical point g = 0 and it does not move: start it nearby."""
    _check_lr(lr)

    def update(grads: Any, state: _StepState, params: Any = None) -> tuple[Any, _StepState]:
        x, g, single = _arrays("saddle_free_newton", grads, params)
        values, vectors = np.linalg.eigh(hess(x))
        coefficients = np.einsum("kji,kj->ki", vectors, g) / (np.abs(values) + damping)
        step = -lr * np.einsum("kij,kj->ki", vectors, coefficients)
        norms = np.linalg.norm(step, axis=1, keepdims=True)
        step = np.where(norms > max_step, step * (max_step / np.maximum(norms, 1e-300)), step)
        return (step[0] if single else step), _StepState(state.count + 1)

    return GradientTransformation(_count_steps, update)
