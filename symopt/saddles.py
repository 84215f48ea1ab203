"""Saddle points in practice: escape measured against the linearised prediction, and basins.

:func:`escape` starts an optimizer a small distance ``delta`` from a critical point and
counts the steps until it is ``radius`` away, the direction it leaves along, and how
that compares with what the Hessian predicts.  :func:`basins` runs many starts and
says which critical point or family each one ends at.  The escape methods that use the
exact Hessian (:func:`negative_curvature_descent`, :func:`saddle_free_newton`) and
perturbed gradient descent (:func:`perturbed_gd`) are optimizers for :func:`symopt.run`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import sympy as sp

from .critical import CriticalPoint, CriticalSet, classify_point, critical_points
from .loss import Loss
from .numeric import NumericLoss, compile as compile_loss
from .optim.base import GradientTransformation
from .runner import run

__all__ = ["EscapeReport", "escape", "growth_factor", "negative_curvature_descent",
           "perturbed_gd", "saddle_free_newton", "BasinReport", "basins"]

#: Optimizers whose escape speed follows from the linearisation (heavy-ball family).
_LINEAR_FORMS = ("gd", "momentum", "sgd")


# -- prediction -------------------------------------------------------------------------------
def growth_factor(learning_rate: float, curvature: float, momentum: float = 0.0) -> float:
    """Per-step growth of the component along an eigenvector of eigenvalue ``curvature`` < 0.

    Plain GD: ``1 + lr*|lambda|``.  Heavy-ball momentum (lecture form
    ``m <- mu*m - lr*g, theta <- theta + m``, and PyTorch's SGD with momentum, which is
    the same recurrence): the largest root of ``r**2 - (1 + mu + lr*|lambda|)*r + mu = 0``.
    """
    a = learning_rate * abs(curvature)
    if momentum == 0:
        return 1.0 + a
    b = 1.0 + momentum + a
    return (b + math.sqrt(b * b - 4 * momentum)) / 2


def _linear_prediction(learning_rate: float, curvature: float, momentum: float,
                       d0: float, radius: float) -> tuple[int, float]:
    """Steps until the linearised component reaches ``radius``, and the growth factor.

    The component obeys x_{t+1} = (1 + mu + a) x_t - mu x_{t-1} with x_1 = (1 + a) x_0
    (a = lr*|lambda|), so x_t = A r1**t + B r2**t; the dominant mode gives
    t = ln(radius / |A|) / ln(r1), and the first step at or past radius is its ceiling.
    """
    r1 = growth_factor(learning_rate, curvature, momentum)
    a = learning_rate * abs(curvature)
    if momentum == 0:
        amplitude = abs(d0)
    else:
        r2 = momentum / r1  # product of the roots is mu
        x1 = (1 + a) * d0
        amplitude = abs((x1 - r2 * d0) / (r1 - r2))
    if amplitude == 0:
        return -1, r1
    return max(0, math.ceil(math.log(radius / amplitude) / math.log(r1) - 1e-9)), r1


# -- the report -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EscapeReport:
    """What happened when an optimizer started near a critical point.

    Attributes
    ----------
    escaped : bool
        The run reached distance ``radius`` from the point.
    status : str
        "escaped", "stuck" (it did not move: the gradient is zero at the start),
        or "not escaped" (it moved but stayed within ``radius`` for all steps).
    steps : int or None
        The first step at distance >= radius.
    exit_point, exit_direction : ndarray or None
        Where it crossed the radius, and the unit vector from the point to there.
    cosine : float or None
        Norm of the exit direction's projection on the negative-curvature eigenspace
        (1: it left exactly along it).
    predicted_steps : int or None
        From the linearisation (None where not applicable: adaptive methods scale per
        coordinate; non-strict saddles have no linear escape).
    growth_factor : float or None
        Per-step growth of the escaping component (linear forms only).
    d0 : float
        The start's component along the most negative eigenvector.
    """

    point: tuple[float, ...]
    optimizer: str
    escaped: bool
    status: str
    steps: int | None
    exit_point: np.ndarray | None
    exit_direction: np.ndarray | None
    cosine: float | None
    predicted_steps: int | None
    growth_factor: float | None
    prediction: str
    d0: float
    delta: float
    radius: float
    strict: bool
    eigenvalues: tuple[float, ...]
    min_eigenvalue: float
    loss_at_point: float
    loss_drop: float | None
    predicted_loss_drop: float | None
    start: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    distances: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        def arr(v):
            return None if v is None else [float(c) for c in v]
        return {
            "point": list(self.point), "optimizer": self.optimizer, "escaped": self.escaped,
            "status": self.status, "steps": self.steps, "predicted_steps": self.predicted_steps,
            "growth_factor": self.growth_factor, "prediction": self.prediction,
            "exit_point": arr(self.exit_point), "exit_direction": arr(self.exit_direction),
            "cosine": self.cosine, "d0": self.d0, "delta": self.delta, "radius": self.radius,
            "strict": self.strict, "eigenvalues": list(self.eigenvalues),
            "loss_at_point": self.loss_at_point, "loss_drop": self.loss_drop,
            "predicted_loss_drop": self.predicted_loss_drop,
        }

    def __str__(self) -> str:
        lines = [f"{self.optimizer} from {self.point} (delta {self.delta:g}, radius {self.radius:g}): "
                 f"{self.status}"]
        if self.escaped:
            predicted = "n/a" if self.predicted_steps is None else str(self.predicted_steps)
            lines.append(f"  steps {self.steps}; predicted {predicted} ({self.prediction})")
            direction = f"  exit direction {np.round(self.exit_direction, 6).tolist()}"
            if self.cosine is not None:
                direction += f", cosine with the negative eigenspace {self.cosine:.6f}"
            lines.append(direction)
            lines.append(f"  loss drop {self.loss_drop:.6g}; second-order prediction "
                         f"{self.predicted_loss_drop:.6g}")
        else:
            lines.append(f"  {self.prediction}")
        return "\n".join(lines)


# -- escape --------------------------------------------------------------------------------------
def _point_and_loss(loss: Loss | str, point: Any) -> tuple[Loss, np.ndarray, CriticalPoint | None]:
    if isinstance(loss, str):
        loss = Loss.parse(loss)
    if not isinstance(loss, Loss):
        raise TypeError(f"escape takes a Loss or text, got {type(loss).__name__}")
    if isinstance(point, CriticalPoint):
        return loss, np.array(point.numeric, dtype=float), point
    try:
        coords = [c for c in point]
    except TypeError:
        raise TypeError(f"point must be a CriticalPoint or a sequence of {loss.n_params} "
                        f"coordinates, got {point!r}") from None
    if len(coords) != loss.n_params:
        raise ValueError(f"the point has {len(coords)} coordinate(s) but the loss has "
                         f"{loss.n_params} parameter(s): {', '.join(p.name for p in loss.params)}")
    exact = classify_point(loss, coords)  # raises ValueError when it is not critical
    return loss, np.array(exact.numeric, dtype=float), exact


def _optimizer_form(optimizer: Any) -> tuple[str, float | None, float]:
    """(name, learning rate if constant, heavy-ball momentum) of a named optimizer."""
    name = getattr(optimizer, "name", type(optimizer).__name__)
    hyper = getattr(optimizer, "hyperparams", {}) or {}
    lr = hyper.get("lr")
    schedule_value = None
    if callable(lr):
        try:
            values = {float(lr(k)) for k in (0, 1, 10, 100)}
            schedule_value = values.pop() if len(values) == 1 else None
        except Exception:  # noqa: BLE001 - a schedule we cannot read gives no prediction
            schedule_value = None
    elif isinstance(lr, (int, float)):
        schedule_value = float(lr)
    if name == "momentum":
        mu = float(hyper.get("decay", 0.0))
    elif name == "sgd":
        if hyper.get("nesterov") or hyper.get("dampening", 0) or hyper.get("weight_decay", 0):
            return name + " (nesterov/dampening/weight decay)", None, 0.0
        mu = float(hyper.get("momentum", 0.0))
    else:
        mu = 0.0
    return name, schedule_value, mu


def escape(loss: Loss | str, point: Any, optimizer: Any, delta: float = 1e-6,
           radius: float = 0.1, direction: Any = "random", steps: int = 10_000,
           seed: int = 0, f: NumericLoss | None = None) -> EscapeReport:
    """Start ``optimizer`` at distance ``delta`` from ``point`` and measure its escape.

    Parameters
    ----------
    loss : Loss or str
    point : CriticalPoint or sequence of coordinates (an exact critical point)
    optimizer : a symopt.optim optimizer
    delta : float
        Distance of the start from the point (0: start exactly at it).
    radius : float
        The escape is the first step at distance >= radius.
    direction : "random", "eigen", "stable" or a vector
        Where the start lies: a random unit vector (seeded), the most negative
        eigenvector, a direction orthogonal to the negative eigenspace, or the given
        vector (normalised).
    steps : int
        At most this many steps.

    Examples
    --------
    >>> from symopt import optim
    >>> r = escape("(1 - w1*w2)**2", [0, 0], optim.gd(0.1), delta=1e-6, direction="eigen")
    >>> r.escaped, r.steps, r.predicted_steps
    (True, 64, 64)
    """
    if not (isinstance(delta, (int, float)) and delta >= 0 and math.isfinite(delta)):
        raise ValueError(f"delta={delta!r} must be a distance >= 0")
    if not (isinstance(radius, (int, float)) and radius > delta and math.isfinite(radius)):
        raise ValueError(f"radius={radius!r} must be finite and larger than delta={delta!r}")
    if not (isinstance(steps, int) and steps > 0):
        raise ValueError(f"steps={steps!r} must be a positive int")
    loss, p, exact = _point_and_loss(loss, point)
    f = f if f is not None else compile_loss(loss)
    n = loss.n_params
    hessian = f.hess(p)
    eigenvalues, vectors = np.linalg.eigh(hessian)
    if exact is not None and exact.inertia is not None:
        n_negative = exact.inertia[1]
    else:
        scale = max(1.0, float(np.abs(eigenvalues).max()))
        n_negative = int((eigenvalues < -1e-10 * scale).sum())
    negative_space = vectors[:, :n_negative]
    u = vectors[:, 0]
    # the start
    rng = np.random.default_rng(seed)
    if isinstance(direction, str):
        if direction == "random":
            v = rng.normal(size=n)
        elif direction == "eigen":
            if n_negative == 0:
                raise ValueError("direction='eigen' needs a negative eigenvalue; this point has "
                                 "none (use 'random' or a vector)")
            v = u.copy()
        elif direction == "stable":
            v = rng.normal(size=n)
            v -= negative_space @ (negative_space.T @ v)
            if np.linalg.norm(v) < 1e-12:
                raise ValueError("every direction has negative curvature here: no stable direction")
        else:
            raise ValueError(f"direction={direction!r}: use 'random', 'eigen', 'stable' or a vector")
    else:
        v = np.asarray(direction, dtype=float).reshape(-1)
        if v.shape != (n,) or not np.isfinite(v).all() or np.linalg.norm(v) == 0:
            raise ValueError(f"direction must be a nonzero finite vector of length {n}")
    v = v / np.linalg.norm(v)
    start = p + delta * v
    d0 = float(u @ (start - p))
    # the run
    name, lr, mu = _optimizer_form(optimizer)
    trajectory = run(f, optimizer, start, steps=steps, record_every=1)
    path = np.asarray(trajectory.path)
    distances = np.linalg.norm(path - p, axis=1)
    crossed = np.nonzero(distances >= radius)[0]
    loss_at_point = float(f.value(p))
    strict = n_negative > 0
    # prediction
    prediction, predicted, factor = "", None, None
    if not strict:
        prediction = ("non-strict saddle (no negative eigenvalue): no linear prediction; "
                      "escape, if any, is slow (higher-order terms)")
    elif name in _LINEAR_FORMS and lr is not None:
        predicted, factor = _linear_prediction(lr, float(eigenvalues[0]), mu, d0, radius)
        if predicted < 0:
            predicted = None
            prediction = "no component along the negative eigenvector: the linearisation never leaves"
        else:
            prediction = (f"linearisation: ceil(ln(radius/|A|)/ln r) with growth factor r = {factor:.6g}"
                          if mu else
                          f"linearisation: ceil(ln(radius/|d0|)/ln(1 + lr*|lambda|)), 1 + lr*|lambda| = {factor:.6g}")
    else:
        prediction = (f"{name}: not applicable (it scales each coordinate separately, or its "
                      "learning rate varies); measured only")
    if crossed.size:
        k = int(crossed[0])
        exit_point = path[k]
        exit_direction = (exit_point - p) / np.linalg.norm(exit_point - p)
        cosine = float(np.linalg.norm(negative_space.T @ exit_direction)) if strict else None
        drop = float(f.value(exit_point)) - loss_at_point
        offset = exit_point - p
        predicted_drop = float(offset @ hessian @ offset) / 2
        return EscapeReport(tuple(p.tolist()), name, True, "escaped", k, exit_point, exit_direction,
                            cosine, predicted, factor, prediction, d0, float(delta), float(radius),
                            strict, tuple(eigenvalues.tolist()), float(eigenvalues[0]),
                            loss_at_point, drop, predicted_drop, start, distances)
    moved = float(np.abs(path - start).max())
    status = "stuck" if moved == 0.0 else "not escaped"
    if status == "stuck":
        prediction = ("stuck: the gradient is zero at the start, so a gradient method does not "
                      "move (not a failure of the code); start at delta > 0 or perturb")
    return EscapeReport(tuple(p.tolist()), name, False, status, None, None, None, None, predicted,
                        factor, prediction, d0, float(delta), float(radius), strict,
                        tuple(eigenvalues.tolist()), float(eigenvalues[0]), loss_at_point, None,
                        None, start, distances)


# -- escape methods that use the Hessian ---------------------------------------------------------
class _StepState(NamedTuple):
    count: int


def _batched(params: np.ndarray) -> tuple[np.ndarray, bool]:
    return (params[None, :], True) if params.ndim == 1 else (params, False)


def _check_lr(lr: float) -> None:
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr={lr!r} must be a positive number")


def _count_steps(params) -> _StepState:
    return _StepState(0)


def _arrays(name: str, grads, params) -> tuple[np.ndarray, np.ndarray, bool]:
    """Parameters and gradient as (k, n) arrays, and whether the input was one point."""
    if params is None:
        raise ValueError(f"{name} needs the parameters in update(grads, state, params)")
    x, single = _batched(np.asarray(params, float))
    g, _ = _batched(np.asarray(grads, float))
    return x, g, single


def negative_curvature_descent(f: NumericLoss, lr: float, *, gradient_tolerance: float = 1e-6,
                               curvature_tolerance: float = 1e-8,
                               max_step: float = 1.0) -> GradientTransformation:
    """Gradient descent that steps along negative curvature where the gradient is small.

    Where ``|g| <= gradient_tolerance`` and the Hessian's smallest eigenvalue lambda is below
    -curvature_tolerance, the step is theta <- theta + a*u with u its unit eigenvector
    (sign chosen so that g.u <= 0) and a the largest of max_step, max_step/2, ... for which
    the loss decreases (checked); elsewhere theta <- theta - lr*g.  At a saddle,
    ``u^T H u = lambda |u|^2 < 0``, so L(theta + a u) ~ L(theta) + lambda a^2 / 2 < L(theta).
    """
    _check_lr(lr)

    def update(grads, state, params=None):
        x, g, single = _arrays("negative_curvature_descent", grads, params)
        updates = -lr * g
        small = np.linalg.norm(g, axis=1) <= gradient_tolerance
        if small.any():
            idx = np.nonzero(small)[0]
            values, vectors = np.linalg.eigh(f.hess(x[idx]))
            for j, i in enumerate(idx):
                if values[j, 0] >= -curvature_tolerance:
                    continue
                u = vectors[j, :, 0]
                if g[i] @ u > 0:
                    u = -u
                base = float(f.value(x[i]))
                a = max_step
                while a > 1e-12 and float(f.value(x[i] + a * u)) >= base:
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


def perturbed_gd(lr: float, *, f: NumericLoss | None = None, gradient_threshold: float = 1e-3,
                 radius: float = 1e-2, wait: int = 20, decrease: float = 1e-8,
                 seed: int = 0) -> GradientTransformation:
    """Perturbed gradient descent (Jin, Ge, Netrapalli, Kakade, Jordan 2017, "How to escape
    saddle points efficiently").

    When ``|g| <= gradient_threshold`` and no perturbation was made in the last ``wait``
    steps, add a point drawn uniformly from the ball of radius ``radius``; every step is
    theta <- theta - lr*g.  With ``f`` (the compiled loss) it also applies the paper's
    stopping rule: if ``wait`` steps after a perturbation the loss has not fallen by
    ``decrease`` below its value at the perturbed-from point, the start returns to that
    point and is not perturbed again (it sits at a local minimum).  Without ``f`` it
    keeps perturbing near minima, so it ends within about ``radius`` of one.
    """
    _check_lr(lr)
    if not radius > 0:
        raise ValueError(f"radius={radius!r} must be positive")

    def init(params):
        x, _ = _batched(np.asarray(params, float))
        k = x.shape[0]
        return _PerturbState(0, np.full(k, -10 ** 9), x.copy(), np.full(k, np.inf),
                             np.zeros(k, bool), np.random.default_rng(seed))

    def update(grads, state, params=None):
        g, single = _batched(np.asarray(grads, float))
        x = _batched(np.asarray(params, float))[0] if params is not None else None
        updates = -lr * g
        last = state.last_perturbation.copy()
        anchor, anchor_value = state.anchor.copy(), state.anchor_value.copy()
        finished = state.finished.copy()
        if f is not None and x is not None:
            judged = (~finished) & (state.count - last == wait)
            if judged.any():
                values = np.atleast_1d(f.value(x[judged]))
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
                if f is not None:
                    anchor_value[due] = np.atleast_1d(f.value(x[due]))
        new_state = _PerturbState(state.count + 1, last, anchor, anchor_value, finished, state.rng)
        return (updates[0] if single else updates), new_state

    return GradientTransformation(init, update)


def saddle_free_newton(f: NumericLoss, lr: float = 1.0, *, damping: float = 1e-3,
                       max_step: float = 1.0) -> GradientTransformation:
    """Saddle-free Newton (Dauphin, Pascanu, Gulcehre, Cho, Ganguli, Bengio 2014,
    "Identifying and attacking the saddle point problem"): ``theta <- theta - lr*|H|^-1 g``,
    with ``|H| = V |Lambda| V^T`` built from the absolute eigenvalues (plus ``damping``), so
    negative curvature repels instead of attracting.  Steps are capped at ``max_step``.
    Exactly at a critical point g = 0 and it does not move: start it nearby."""
    _check_lr(lr)

    def update(grads, state, params=None):
        x, g, single = _arrays("saddle_free_newton", grads, params)
        values, vectors = np.linalg.eigh(f.hess(x))
        coefficients = np.einsum("kji,kj->ki", vectors, g) / (np.abs(values) + damping)
        step = -lr * np.einsum("kij,kj->ki", vectors, coefficients)
        norms = np.linalg.norm(step, axis=1, keepdims=True)
        step = np.where(norms > max_step, step * (max_step / np.maximum(norms, 1e-300)), step)
        return (step[0] if single else step), _StepState(state.count + 1)

    return GradientTransformation(_count_steps, update)


# -- basins ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
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
    if isinstance(loss, str):
        loss = Loss.parse(loss)
    cs = analysis if analysis is not None else critical_points(loss)
    n = loss.n_params
    if isinstance(starts, (int, np.integer)):
        if starts < 1:
            raise ValueError(f"starts={starts!r} must be a positive count or an array")
        bounds = _box_around(cs, n, box)
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
    point_labels = [(np.array(p.numeric), f"{p.kind.value} at ({', '.join(f'{c:.6g}' for c in p.numeric)})")
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
    return BasinReport(x0, ends, tuple(labels), counts, cs)


def _box_around(cs: CriticalSet, n: int, box: Any) -> np.ndarray:
    if box is None:
        if cs.points:
            coords = np.array([p.numeric for p in cs.points])
            lo, hi = coords.min(axis=0), coords.max(axis=0)
            pad = np.maximum(1.0, 0.5 * (hi - lo))
            return np.stack([lo - pad, hi + pad], axis=1)
        return np.tile([-2.0, 2.0], (n, 1))
    if isinstance(box, (int, float)):
        return np.tile([-float(box), float(box)], (n, 1))
    bounds = np.asarray(box, dtype=float)
    if bounds.shape != (n, 2) or not (bounds[:, 0] < bounds[:, 1]).all():
        raise ValueError(f"box must be a half-width or {n} pairs (low, high) with low < high")
    return bounds
