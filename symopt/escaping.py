"""Escape from a critical point, measured: steps, exit direction, loss drop, against the prediction.

:func:`escape` starts an optimizer a small distance ``delta`` from a critical point and
counts the steps until it is ``radius`` away, the direction it leaves along, and how that
compares with what the Hessian predicts.  The report first says what the point is: a
strict or non-strict minimum or maximum, a point on a family of critical points, a strict
saddle (a negative eigenvalue) or a non-strict saddle (none, yet the loss falls nearby).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from .classify import Kind, exact_sign
from .critical import CriticalPoint, classify_point, critical_points
from .loss import Loss, as_loss
from .numeric import NumericLoss, compile as compile_loss
from .runner import run
from .summary import plural

__all__ = ["EscapeReport", "escape", "growth_factor", "point_verdict", "orient"]

#: Optimizers whose escape speed follows from the linearisation (heavy-ball family).
_LINEAR_FORMS = ("gd", "momentum", "sgd")


# -- small rules ------------------------------------------------------------------------------
def orient(vector: Any) -> np.ndarray:
    """A direction's sign fixed: its first nonzero coordinate positive (the one convention).

    >>> orient([-0.5, -0.5]).tolist()
    [0.5, 0.5]
    """
    v = np.asarray(vector, dtype=float).copy()
    scale = float(np.abs(v).max()) if v.size else 0.0
    for c in v:
        if abs(c) > 1e-12 * max(scale, 1e-300):
            return v if c > 0 else -v
    return v


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


def point_verdict(loss: Loss, point: CriticalPoint, timeout: float = 30) -> tuple[str, str | None]:
    """What the critical point is, in words, and the family it lies on (its equations), if any.

    A point with a zero eigenvalue may lie on a family of critical points; the families
    (found exactly for polynomial gradients) decide that, so a point on the curve of global
    minima of (1 - w1*w2)**2 is "a non-strict minimum on a family", not a saddle.
    """
    kind, inertia = point.kind, point.inertia
    if point.degenerate:
        analysis = critical_points(loss, timeout=timeout)
        subs = dict(zip(loss.params, point.coords))
        for family in analysis.families:
            if all(exact_sign(sp.simplify(e.xreplace(subs))) == 0 for e in family.equations):
                equations = ", ".join(f"{e} = 0" for e in family.equations) or "everywhere"
                tag = ", global minima" if family.global_minimum else ""
                words = {Kind.MINIMUM: "non-strict minimum", Kind.MAXIMUM: "non-strict maximum",
                         Kind.SADDLE: "saddle"}.get(family.kind, "point")
                return f"{words} on a family of critical points ({equations}{tag})", equations
        if not analysis.complete and not analysis.families:
            return (f"{point.kind.value}, degenerate; whether it lies on a family of critical "
                    "points is undecided (the search for families did not finish)"), None
    if kind is Kind.SADDLE:
        strict = inertia is not None and inertia[1] > 0
        return ("strict saddle (a negative eigenvalue)" if strict else
                "non-strict saddle (no negative eigenvalue, yet the loss falls nearby)"), None
    if kind in (Kind.MINIMUM, Kind.MAXIMUM):
        return ("non-strict " if point.degenerate else "strict ") + kind.value, None
    return "inconclusive (the tests available cannot decide its kind)", None


# -- the report -----------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class EscapeReport:
    """What happened when an optimizer started near a critical point.

    Attributes
    ----------
    point_kind : str
        What the point is ("strict saddle", "non-strict minimum on a family ...", ...).
    family : str or None
        The equations of the family the point lies on.
    escaped : bool
        The run reached distance ``radius`` from the point.
    status : str
        "escaped", "stuck" (it did not move: the gradient is zero at the start),
        or "not escaped" (it moved but stayed within ``radius`` for all steps).
    steps : int or None
        The first step at distance >= radius.
    exit_point, exit_direction : ndarray or None
        Where it crossed the radius, and the unit vector from the point to there.
    escape_direction : tuple of float or None
        The most negative curvature's unit eigenvector u, first nonzero coordinate positive.
    exit_side : int or None
        +1 or -1: the run left along +u or -u.
    cosine : float or None
        Norm of the exit direction's projection on the negative-curvature eigenspace.
    predicted_steps : int or None
        From the linearisation (None where not applicable).
    growth_factor : float or None
        Per-step growth of the escaping component (linear forms only).
    d0 : float
        The start's component along u.
    gradient, hessian : tuple of str
        The exact gradient and Hessian at the point.
    """

    point: tuple[float, ...]
    coords: tuple[str, ...]
    optimizer: str
    point_kind: str
    family: str | None
    escaped: bool
    status: str
    steps: int | None
    exit_point: np.ndarray | None
    exit_direction: np.ndarray | None
    escape_direction: tuple[float, ...] | None
    exit_side: int | None
    cosine: float | None
    predicted_steps: int | None
    growth_factor: float | None
    prediction: str
    d0: float
    delta: float
    radius: float
    strict: bool
    gradient: tuple[str, ...]
    hessian: tuple[tuple[str, ...], ...]
    eigenvalues: tuple[float, ...]
    exact_eigenvalues: tuple[str, ...]
    min_eigenvalue: float
    loss_at_point: float
    loss_drop: float | None
    predicted_loss_drop: float | None
    start: np.ndarray | None = field(repr=False, default=None)
    distances: np.ndarray | None = field(repr=False, default=None)

    def to_dict(self) -> dict[str, Any]:
        """Every fact of the text, as JSON-ready values."""
        def arr(v: Any) -> list[float] | None:
            return None if v is None else [float(c) for c in v]
        return {
            "point": list(self.point), "coords": list(self.coords),
            "optimizer": self.optimizer, "point_kind": self.point_kind, "family": self.family,
            "escaped": self.escaped, "status": self.status, "steps": self.steps,
            "predicted_steps": self.predicted_steps, "growth_factor": self.growth_factor,
            "prediction": self.prediction, "exit_point": arr(self.exit_point),
            "exit_direction": arr(self.exit_direction),
            "escape_direction": arr(self.escape_direction), "exit_side": self.exit_side,
            "cosine": self.cosine, "d0": self.d0, "delta": self.delta, "radius": self.radius,
            "strict": self.strict, "gradient": list(self.gradient),
            "hessian": [list(row) for row in self.hessian],
            "eigenvalues": list(self.eigenvalues),
            "exact_eigenvalues": list(self.exact_eigenvalues),
            "min_eigenvalue": self.min_eigenvalue,
            "loss_at_point": self.loss_at_point, "loss_drop": self.loss_drop,
            "predicted_loss_drop": self.predicted_loss_drop,
        }

    def __str__(self) -> str:
        def vec(v: Any) -> str:
            return "(" + ", ".join(f"{float(c):.6g}" for c in v) + ")"
        lines = [f"point     ({', '.join(self.coords)}): {self.point_kind}",
                 f"gradient  ({', '.join(self.gradient)})",
                 f"Hessian   [{', '.join('[' + ', '.join(r) + ']' for r in self.hessian)}], "
                 f"eigenvalues ({', '.join(self.exact_eigenvalues)}), "
                 f"loss {self.loss_at_point:.6g}"]
        if self.escape_direction is not None:
            lines.append(f"escape direction u = {vec(self.escape_direction)} "
                         "(first nonzero coordinate positive)")
        lines.append(f"{self.optimizer} from delta {self.delta:g} to radius {self.radius:g}: "
                     f"{self.status}")
        if self.escaped:
            predicted = "n/a" if self.predicted_steps is None else str(self.predicted_steps)
            lines.append(f"  steps {self.steps}; predicted {predicted} ({self.prediction})")
            side = ""
            if self.exit_side is not None:
                side = f" (along {'+' if self.exit_side > 0 else '-'}u"
                side += f", cosine with the negative eigenspace {self.cosine:.6f})"
            lines.append(f"  exit direction {vec(self.exit_direction)}{side}")
            lines.append(f"  loss change {self.loss_drop:.6g}; second-order prediction "
                         f"{self.predicted_loss_drop:.6g}")
        else:
            lines.append(f"  {self.prediction}")
        return "\n".join(lines)


# -- escape --------------------------------------------------------------------------------------
def _point_and_loss(loss: Loss | str, point: Any) -> tuple[Loss, np.ndarray, CriticalPoint | None]:
    loss = as_loss(loss, "escape")
    if isinstance(point, CriticalPoint):
        return loss, np.array(point.numeric, dtype=float), point
    try:
        coords = [c for c in point]
    except TypeError:
        raise TypeError(f"point must be a CriticalPoint or a sequence of {loss.n_params} "
                        f"coordinates, got {point!r}") from None
    if len(coords) != loss.n_params:
        raise ValueError(f"the point has {plural(len(coords), 'coordinate')} but the loss has "
                         f"{plural(loss.n_params, 'parameter')}: "
                         f"{', '.join(p.name for p in loss.params)}")
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
           seed: int = 0, f: NumericLoss | None = None, timeout: float = 30) -> EscapeReport:
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
    timeout : float
        Seconds for deciding what the point is (families of a degenerate point).

    Examples
    --------
    >>> from symopt import optim
    >>> r = escape("(1 - w1*w2)**2", [0, 0], optim.gd(0.1), delta=1e-6, direction="eigen")
    >>> r.point_kind, r.escaped, r.steps, r.predicted_steps
    ('strict saddle (a negative eigenvalue)', True, 64, 64)
    >>> [round(c, 6) for c in r.escape_direction], r.exit_side
    ([0.707107, 0.707107], 1)
    """
    if not (isinstance(delta, (int, float)) and delta >= 0 and math.isfinite(delta)):
        raise ValueError(f"delta={delta!r} must be a distance >= 0")
    if not (isinstance(radius, (int, float)) and radius > delta and math.isfinite(radius)):
        raise ValueError(f"radius={radius!r} must be finite and larger than delta={delta!r}")
    if not (isinstance(steps, int) and steps > 0):
        raise ValueError(f"steps={steps!r} must be a positive int")
    loss, p, exact = _point_and_loss(loss, point)
    verdict, family = point_verdict(loss, exact, timeout)
    subs = dict(zip(loss.params, exact.coords))
    gradient = tuple(str(sp.simplify(g.xreplace(subs))) for g in loss.gradient)
    hessian_exact = tuple(tuple(str(sp.simplify(e.xreplace(subs))) for e in row)
                          for row in loss.hessian.tolist())
    f = f if f is not None else compile_loss(loss)
    n = loss.n_params
    hessian = np.asarray(f.hess(p), dtype=float)
    eigenvalues, vectors = np.linalg.eigh(hessian)
    n_negative = exact.inertia[1] if exact.inertia is not None else int(
        (eigenvalues < -1e-10 * max(1.0, float(np.abs(eigenvalues).max()))).sum())
    negative_space = vectors[:, :n_negative]
    strict = n_negative > 0
    if strict and exact.escape_directions:
        u = np.array(exact.escape_directions_numeric[0], dtype=float)
    else:
        u = orient(vectors[:, 0])
    # the start
    rng = np.random.default_rng(seed)
    if isinstance(direction, str):
        if direction == "random":
            v = rng.normal(size=n)
        elif direction == "eigen":
            if not strict:
                raise ValueError("direction='eigen' needs a negative eigenvalue; this point has "
                                 "none (use 'random' or a vector)")
            v = u.copy()
        elif direction == "stable":
            v = rng.normal(size=n)
            v -= negative_space @ (negative_space.T @ v)
            if np.linalg.norm(v) < 1e-12:
                raise ValueError("every direction has negative curvature here: no stable direction")
        else:
            raise ValueError(f"direction={direction!r}: use 'random', 'eigen', 'stable' or a "
                             "vector")
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
    # prediction
    predicted, factor = None, None
    if not strict and "minimum" in verdict:
        prediction = ("a minimum: there is no way down, so nothing to escape from; a run "
                      "started nearby stays near it or settles back")
    elif not strict:
        prediction = (f"a {verdict.split(' (')[0]}: no negative eigenvalue, so no linear "
                      "prediction; escape, if any, comes from higher-order terms")
    elif name in _LINEAR_FORMS and lr is not None:
        predicted, factor = _linear_prediction(lr, float(eigenvalues[0]), mu, d0, radius)
        if predicted < 0:
            predicted = None
            prediction = ("no component along the negative eigenvector: the linearisation "
                          "never leaves")
        elif mu:
            prediction = ("linearisation: ceil(ln(radius/|A|)/ln r) with growth factor "
                          f"r = {factor:.6g}")
        else:
            prediction = ("linearisation: ceil(ln(radius/|d0|)/ln(1 + lr*|lambda|)), "
                          f"1 + lr*|lambda| = {factor:.6g}")
    else:
        prediction = (f"{name}: not applicable (it scales each coordinate separately, or its "
                      "learning rate varies); measured only")
    facts = dict(point=tuple(p.tolist()), coords=tuple(str(c) for c in exact.coords),
                 optimizer=name, point_kind=verdict, family=family, predicted_steps=predicted,
                 growth_factor=factor, d0=d0, delta=float(delta), radius=float(radius),
                 strict=strict, gradient=gradient, hessian=hessian_exact,
                 escape_direction=tuple(u.tolist()) if strict else None,
                 eigenvalues=tuple(eigenvalues.tolist()), min_eigenvalue=float(eigenvalues[0]),
                 exact_eigenvalues=tuple(str(v) for v in exact.eigenvalues),
                 loss_at_point=loss_at_point, start=start, distances=distances)
    if crossed.size:
        k = int(crossed[0])
        exit_point = path[k]
        offset = exit_point - p
        exit_direction = offset / np.linalg.norm(offset)
        side = None
        if strict:
            side = 1 if float(u @ exit_direction) >= 0 else -1
        return EscapeReport(**facts, escaped=True, status="escaped", steps=k,
                            exit_point=exit_point, exit_direction=exit_direction, exit_side=side,
                            cosine=float(np.linalg.norm(negative_space.T @ exit_direction))
                            if strict else None, prediction=prediction,
                            loss_drop=float(f.value(exit_point)) - loss_at_point,
                            predicted_loss_drop=float(offset @ hessian @ offset) / 2)
    moved = float(np.abs(path - start).max())
    status = "stuck" if moved == 0.0 else "not escaped"
    if status == "stuck":
        prediction = ("stuck: the gradient is zero at the start, so a gradient method does not "
                      "move (not a failure of the code); start at delta > 0 or perturb")
    return EscapeReport(**facts, escaped=False, status=status, steps=None, exit_point=None,
                        exit_direction=None, exit_side=None, cosine=None, prediction=prediction,
                        loss_drop=None, predicted_loss_drop=None)
