"""Feature scaling: the lecture's badly scaled regression, its condition number, GD steps.

The lecture (section 6) fits ``y = w1*x1 + w2*x2 + b`` with mean squared error to data
with ``x1`` in 1..10 and ``x2`` in 1,000..10,000.  The loss is a quadratic whose Hessian
is constant, ``H = (2/N) sum_n a_n a_n^T`` with ``a_n = (x1_n, x2_n, 1)``: twice the
second-moment matrix of the features.  Its condition number ``kappa = lambda_max /
lambda_min`` is huge, and after standardising each feature, ``(x - mu) / sigma``, it is
close to 1.

Gradient descent with a fixed learning rate ``eta`` on a quadratic multiplies the error
along the eigenvector of ``lambda`` by ``1 - eta*lambda`` per step.  The rate that
minimises the worst factor ``max |1 - eta*lambda|`` is ``eta = 2/(lambda_min +
lambda_max)``, with factor ``q = (kappa - 1)/(kappa + 1)`` (Nesterov, *Introductory
Lectures on Convex Optimization*, 2004, Theorem 2.1.15: for this step,
``||x_k - x*|| <= q^k ||x_0 - x*||``).  The loss gap ``L - L* = 1/2 e^T H e`` then
shrinks at least by ``q^2`` per step, so ``ceil(log(tol/gap_0) / (2 log q))`` steps
always suffice: the predicted count below.  The measured count comes from
:func:`symopt.run`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import sympy as sp

from ..loss import Loss

__all__ = ["lecture_data", "standardize", "best_learning_rate", "contraction_factor",
           "predicted_steps", "FeatureScalingReport", "feature_scaling_experiment"]

FEATURES = ("x1", "x2")
MODEL = "w1*x1 + w2*x2 + b"
PARAMS = ("w1", "w2", "b")
CHUNK = 500  # steps per run between checks of the loss gap


def lecture_data(n_samples: int = 100, noise: float = 1.0, seed: int = 0) -> dict[str, np.ndarray]:
    """The lecture's data: integer ``x1`` in 1..10, ``x2`` in 1000..10000, ``y = x1 + x2 + noise``.

    Parameters
    ----------
    n_samples : int
        Number of samples (drawn uniformly, with a seeded ``numpy.random.Generator``).
    noise : float
        Standard deviation of the Gaussian noise added to ``y``.
    seed : int
        Seed of the generator.

    Examples
    --------
    >>> data = lecture_data(5)
    >>> sorted(data), int(data["x1"].min()) >= 1, int(data["x2"].max()) <= 10000
    (['x1', 'x2', 'y'], True, True)
    """
    rng = np.random.default_rng(seed)
    x1 = rng.integers(1, 11, n_samples)
    x2 = rng.integers(1000, 10001, n_samples)
    y = x1 + x2 + noise * rng.normal(size=n_samples)
    return {"x1": x1, "x2": x2, "y": y}


def standardize(features: Mapping[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, tuple[float, float]]]:
    """``(x - mu) / sigma`` per feature, with the mean and population standard deviation (1/N).

    Returns the scaled columns and ``{name: (mu, sigma)}``.

    Examples
    --------
    >>> scaled, stats = standardize({"x": [1.0, 2.0, 3.0]})
    >>> scaled["x"], stats["x"][0]
    (array([-1.22474487,  0.        ,  1.22474487]), 2.0)
    """
    scaled, stats = {}, {}
    for name, values in features.items():
        column = np.asarray(values, dtype=float)
        mu, sigma = float(column.mean()), float(column.std())
        if not sigma > 0:
            raise ValueError(f"feature {name!r} is constant ({mu}); it cannot be standardised")
        scaled[name] = (column - mu) / sigma
        stats[name] = (mu, sigma)
    return scaled, stats


def best_learning_rate(eigenvalues: Any) -> float:
    """``2 / (lambda_min + lambda_max)``: the fixed GD rate with the smallest worst-case factor.

    >>> float(best_learning_rate([1.0, 3.0]))
    0.5
    """
    values = np.asarray(eigenvalues, dtype=float)
    if values.min() <= 0:
        raise ValueError(f"the Hessian must be positive definite; its eigenvalues are {values}")
    return float(2.0 / (values.min() + values.max()))


def contraction_factor(kappa: float) -> float:
    """``(kappa - 1)/(kappa + 1)``: the error factor per step of GD at the best fixed rate.

    >>> contraction_factor(3.0)
    0.5
    """
    return (kappa - 1.0) / (kappa + 1.0)


def predicted_steps(kappa: float, gap0: float, tol: float) -> int:
    """Steps after which the loss gap ``gap0 * q**(2t)`` is at most ``tol`` (``q`` as above).

    >>> predicted_steps(3.0, gap0=1.0, tol=1e-2)       # 0.25**t <= 0.01 from t = 4
    4
    """
    if gap0 <= tol:
        return 0
    q = contraction_factor(kappa)
    if q <= 0:
        return 1
    return math.ceil(math.log(tol / gap0) / (2.0 * math.log(q)) - 1e-12)


@dataclass(frozen=True)
class FeatureScalingReport:
    """The lecture's feature-scaling experiment, raw features vs standardised ones.

    Attributes
    ----------
    n_samples : int
    hessian_raw, hessian_scaled : sympy.Matrix
        The exact Hessians of the two losses: twice the second moments of ``(x1, x2, 1)``
        and of ``(z1, z2, 1)``.  The scaled one is ``T H_raw T^T`` with the exact map
        ``(z1, z2, 1) = T (x1, x2, 1)``; its off-diagonal entry is twice the correlation of
        ``x1`` and ``x2``.  The eigenvalues are those of the exact matrices.
    eigenvalues_raw, eigenvalues_scaled : tuple of float
        Their eigenvalues, ascending.
    kappa_raw, kappa_scaled : float
        Condition numbers ``lambda_max / lambda_min``.
    learning_rate_raw, learning_rate_scaled : float
        The best fixed rates ``2/(lambda_min + lambda_max)`` used for gradient descent.
    tol : float
        Target loss gap: a run has converged at the first step with ``L - L* <= tol``.
    max_steps : int
        The cap on the steps of each run.
    steps_raw, steps_scaled : int or None
        Measured steps to the target; None when the run did not reach it within the cap.
    predicted_raw, predicted_scaled : int
        Steps the contraction factor guarantees (an upper bound on the measured count).
    gap_at_end_raw, gap_at_end_scaled : float
        ``L - L*`` where each run stopped (runs stop after the chunk of 500 steps in which
        they reached the target, or at the cap).
    min_loss : float
        ``L*``, from the normal equations.
    """

    n_samples: int
    hessian_raw: sp.Matrix
    hessian_scaled: sp.Matrix
    eigenvalues_raw: tuple[float, ...]
    eigenvalues_scaled: tuple[float, ...]
    kappa_raw: float
    kappa_scaled: float
    learning_rate_raw: float
    learning_rate_scaled: float
    tol: float
    max_steps: int
    steps_raw: int | None
    steps_scaled: int | None
    predicted_raw: int
    predicted_scaled: int
    gap_at_end_raw: float
    gap_at_end_scaled: float
    min_loss: float

    @property
    def step_ratio(self) -> float:
        """Measured raw steps over scaled steps; with a raw run that did not converge, the
        cap is used, so the true ratio is at least this (see :attr:`ratio_is_lower_bound`)."""
        raw = self.max_steps if self.steps_raw is None else self.steps_raw
        return raw / max(self.steps_scaled or self.max_steps, 1)

    @property
    def ratio_is_lower_bound(self) -> bool:
        return self.steps_raw is None

    @property
    def predicted_ratio(self) -> float:
        return self.predicted_raw / max(self.predicted_scaled, 1)

    def _steps_text(self, steps: int | None) -> str:
        return f">= {self.max_steps}" if steps is None else str(steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_samples": self.n_samples,
            "hessian_raw": [[str(v) for v in row] for row in self.hessian_raw.tolist()],
            "hessian_scaled": [[float(v) for v in row] for row in self.hessian_scaled.tolist()],
            "eigenvalues_raw": list(self.eigenvalues_raw),
            "eigenvalues_scaled": list(self.eigenvalues_scaled),
            "kappa_raw": self.kappa_raw, "kappa_scaled": self.kappa_scaled,
            "learning_rate_raw": self.learning_rate_raw,
            "learning_rate_scaled": self.learning_rate_scaled,
            "tol": self.tol, "max_steps": self.max_steps,
            "steps_raw": self.steps_raw, "steps_scaled": self.steps_scaled,
            "steps_raw_text": self._steps_text(self.steps_raw),
            "predicted_raw": self.predicted_raw, "predicted_scaled": self.predicted_scaled,
            "step_ratio": self.step_ratio, "ratio_is_lower_bound": self.ratio_is_lower_bound,
            "predicted_ratio": self.predicted_ratio,
            "gap_at_end_raw": self.gap_at_end_raw, "gap_at_end_scaled": self.gap_at_end_scaled,
            "min_loss": self.min_loss,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        bound = ">= " if self.ratio_is_lower_bound else ""
        return "\n".join([
            f"feature scaling, {self.n_samples} samples, y = w1*x1 + w2*x2 + b, MSE",
            f"{'':22}{'raw':>14}{'standardised':>16}",
            f"{'condition number':22}{self.kappa_raw:>14.4g}{self.kappa_scaled:>16.4g}",
            (f"{'best fixed rate':22}{self.learning_rate_raw:>14.3g}"
             f"{self.learning_rate_scaled:>16.3g}"),
            (f"{'GD steps (measured)':22}{self._steps_text(self.steps_raw):>14}"
             f"{self._steps_text(self.steps_scaled):>16}"),
            f"{'GD steps (predicted)':22}{self.predicted_raw:>14}{self.predicted_scaled:>16}",
            f"{'loss gap at the end':22}{self.gap_at_end_raw:>14.3g}{self.gap_at_end_scaled:>16.3g}",
            (f"step ratio raw/standardised: {bound}{self.step_ratio:.4g} "
             f"(predicted {self.predicted_ratio:.4g}); target L - L* <= {self.tol:g}"),
        ])


def _eigenvalues(matrix: sp.Matrix) -> np.ndarray:
    return np.linalg.eigvalsh(np.array(matrix.evalf(30).tolist(), dtype=float))


def _hessian_and_steps(columns: Mapping[str, np.ndarray], y: np.ndarray, tol: float,
                       max_steps: int, hessian: sp.Matrix | None = None) -> dict[str, Any]:
    from .. import optim
    from ..numeric import compile as compile_loss
    from ..runner import run

    data = {**{k: np.asarray(v) for k, v in columns.items()}, "y": y}
    loss = Loss.from_model(MODEL, data=data, target="y", loss="mse", params=list(PARAMS))
    hessian = loss.hessian if hessian is None else hessian
    eigenvalues = _eigenvalues(hessian)
    rate = best_learning_rate(eigenvalues)
    design = np.column_stack([np.asarray(columns[k], dtype=float) for k in FEATURES]
                             + [np.ones(len(y))])
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    min_loss = float(np.mean((design @ best - y) ** 2))
    # GD keeps no state, so runs of CHUNK steps, each from where the last ended, are one
    # run; stop at the first chunk that reaches the target, or at the cap
    f, x, done, steps = compile_loss(loss), np.zeros(len(PARAMS)), 0, None
    gap0 = gap = float(f.value(x)) - min_loss
    while done < max_steps and steps is None:
        result = run(f, optim.gd(rate), x, steps=min(CHUNK, max_steps - done))
        gaps = result.losses - min_loss
        reached = np.flatnonzero(gaps <= tol)
        if reached.size:
            steps = done + int(result.recorded_steps[reached[0]])
        done += int(result.nit)
        x, gap = result.x, float(gaps[-1])
    kappa = float(eigenvalues[-1] / eigenvalues[0])
    return {"hessian": hessian, "eigenvalues": tuple(float(v) for v in eigenvalues),
            "kappa": kappa, "rate": rate, "min_loss": min_loss, "steps": steps,
            "predicted": predicted_steps(kappa, gap0, tol), "gap_at_end": gap}


def _scaling_map(columns: Mapping[str, np.ndarray]) -> sp.Matrix:
    """The exact matrix ``T`` with ``(z1, z2, 1) = T (x1, x2, 1)``, ``z = (x - mu)/sigma``."""
    from ..loss import _exact_number

    transform = sp.eye(len(FEATURES) + 1)
    for i, name in enumerate(FEATURES):
        values = [_exact_number(v) for v in np.asarray(columns[name]).tolist()]
        mu = sp.Add(*values) / len(values)
        sigma = sp.sqrt(sp.Add(*[(v - mu) ** 2 for v in values]) / len(values))
        transform[i, i] = 1 / sigma
        transform[i, len(FEATURES)] = -mu / sigma
    return transform


def feature_scaling_experiment(data: Mapping[str, Any] | None = None, *, tol: float = 1e-3,
                               max_steps: int = 20_000) -> FeatureScalingReport:
    """Condition numbers and GD step counts of the lecture's regression, raw and standardised.

    Parameters
    ----------
    data : mapping with columns ``x1``, ``x2``, ``y``, optional
        Default :func:`lecture_data` (100 samples, seed 0).
    tol : float
        A run has converged when the loss is within ``tol`` of its minimum ``L*``
        (``L*`` is about the noise variance, 1 by default).
    max_steps : int
        The cap on the steps of each gradient-descent run (from ``w = 0``, ``b = 0``).

    Returns
    -------
    FeatureScalingReport

    Examples
    --------
    >>> report = feature_scaling_experiment(lecture_data(40), max_steps=200)
    >>> report.kappa_raw > 1e8, report.kappa_scaled < 1.5
    (True, True)
    >>> report.steps_raw is None, report.steps_scaled <= report.predicted_scaled
    (True, True)
    """
    data = lecture_data() if data is None else data
    missing = [k for k in (*FEATURES, "y") if k not in data]
    if missing:
        raise ValueError(f"the data need columns x1, x2 and y; missing {', '.join(missing)}")
    y = np.asarray(data["y"], dtype=float)
    raw = {k: np.asarray(data[k]) for k in FEATURES}
    scaled, _ = standardize(raw)
    before = _hessian_and_steps(raw, y, tol, max_steps)
    # the exact Hessian after scaling: z = T a with a = (x1, x2, 1), so H_z = T H_a T^T,
    # with the exact means and standard deviations (square roots) of the raw data
    transform = _scaling_map(raw)
    exact = (transform * before["hessian"] * transform.T).applyfunc(sp.radsimp)
    after = _hessian_and_steps(scaled, y, tol, max_steps, hessian=exact)
    return FeatureScalingReport(
        n_samples=len(y), hessian_raw=before["hessian"], hessian_scaled=after["hessian"],
        eigenvalues_raw=before["eigenvalues"], eigenvalues_scaled=after["eigenvalues"],
        kappa_raw=before["kappa"], kappa_scaled=after["kappa"],
        learning_rate_raw=before["rate"], learning_rate_scaled=after["rate"],
        tol=tol, max_steps=max_steps, steps_raw=before["steps"], steps_scaled=after["steps"],
        predicted_raw=before["predicted"], predicted_scaled=after["predicted"],
        gap_at_end_raw=before["gap_at_end"], gap_at_end_scaled=after["gap_at_end"],
        min_loss=before["min_loss"])
