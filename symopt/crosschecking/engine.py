"""The comparison: synchronised steps, equivalence classes, free runs, exact first steps.

At every step the candidate and every variant get the same parameters and the same float64
gradient. Each variant's update is computed by its own rule definition in float64 (its own
float64 state, as an implementation would keep it) and, for the variants asked for, exactly
(mpmath, 60 digits: the truth). The candidate is measured against each in ulps twice:

* the update it would make at parameters 0 (:meth:`Session.probe`), in ulps of the exact
  update: every bit of the update is visible there;
* the new parameters it returns, in ulps of the exact new parameters: this is where weight
  decay (which needs the parameters) shows.

The step's deviation is the larger of the two. The candidate's own parameters drive the run.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import mpmath
import numpy as np

from ..optim.variants import Variant
from .candidates import Candidate
from .exact import MPMATH, RATIONAL, as_mpf, to_float, ulps
from .problems import Problem

__all__ = ["StepWorst", "VariantRun", "Recording", "run_candidate", "replay", "equivalence_classes",
           "free_running", "ExactStep", "exact_first_steps"]

_SAME = mpmath.mpf(10) ** -40      # relative: two exact updates this close are one rule


class StepWorst(NamedTuple):
    """The worst coordinate of one step against one variant: where (``step``, ``problem``,
    ``coordinate``, ``quantity``: ``"update at 0"`` or ``"new parameters"``), the variant's
    ``expected`` value, the candidate's ``got``, and the distance in ``ulps`` and ``abs``.
    The report's first divergence is such a record."""

    variant: str
    step: int
    problem: str
    coordinate: int
    expected: float
    got: float
    ulps: float
    abs: float
    quantity: str


class VariantRun(NamedTuple):
    """One variant against the candidate on one problem: the worst coordinate of each step,
    and for an exact run the exact updates (for telling identical rules apart)."""

    worst: list[StepWorst]
    exact: list[Any]


class Recording(NamedTuple):
    """The candidate's run on one problem: ``thetas`` (``(k + 1, n)``), and per step the
    gradient it was given, its update at parameters 0 (``probes``) and its new parameters
    (``thetas[1:]``). A run stops early when the parameters stop being finite."""

    problem: Problem
    thetas: np.ndarray
    grads: np.ndarray
    probes: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.grads)


def run_candidate(candidate: Candidate, problem: Problem, steps: int) -> Recording:
    """Run the candidate ``steps`` steps on ``problem`` and record what it did."""
    session = candidate.open(problem.start)
    theta = problem.start.copy()
    thetas, grads, probes = [theta], [], []
    for _ in range(steps):
        grad = problem.grad(theta)
        if not np.all(np.isfinite(grad)):
            break
        probes.append(session.probe(grad))
        theta = session.step(theta, grad)
        grads.append(grad)
        thetas.append(theta)
        if not np.all(np.isfinite(theta)):
            break
    n = problem.start.size
    return Recording(problem, np.array(thetas), np.array(grads).reshape(-1, n),
                     np.array(probes).reshape(-1, n))


#: The unit of a deviation is the ulp at the largest coordinate of the vector over this step
#: and the ones before it, this many in all: state that a rule carries (momentum buffers,
#: moving averages) holds rounding errors relative to the updates it was built from.
SCALE_WINDOW = 10


def _scaled_ulps(got: np.ndarray, expected: Any, exact: bool, scale: float) -> np.ndarray:
    """``|got - expected|`` in ulps of ``scale`` (a float64 magnitude)."""
    if exact:
        distance = ulps(got, expected) * np.spacing(np.abs(to_float(expected)))
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            distance = np.abs(got - expected)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        result = distance / np.spacing(scale)
    return np.where(np.isnan(result) | ~np.isfinite(got), np.inf, result)


class _Scale:
    """The largest magnitude of a quantity over the last :data:`SCALE_WINDOW` steps."""

    def __init__(self) -> None:
        self.recent: list[float] = []

    def __call__(self, expected: Any, exact: bool) -> float:
        values = to_float(expected) if exact else expected
        self.recent = (self.recent + [float(np.max(np.abs(values)))])[-SCALE_WINDOW:]
        return max(self.recent)


def _record(variant: str, step: int, problem: str, got: np.ndarray, expected: Any, exact: bool,
            quantity: str, scale: float) -> StepWorst:
    distance = _scaled_ulps(got, expected, exact, scale)
    expected_float = to_float(expected) if exact else expected
    with np.errstate(invalid="ignore"):
        absolute = np.where(np.isfinite(got), np.abs(got - expected_float), np.inf)
    at = int(np.argmax(distance))
    return StepWorst(variant, step, problem, at, float(expected_float[at]), float(got[at]),
                     float(distance[at]), float(absolute.max()), quantity)


def replay(recording: Recording, variant: Variant, hyperparams: dict[str, float],
           exact: bool, steps: int | None = None) -> VariantRun:
    """Feed ``variant`` the recorded parameters and gradients and measure the candidate.

    ``exact``: run the rule in mpmath (60 digits) and keep the exact updates; else float64.
    Each step records the worse of the two measurements (update at 0, new parameters).
    """
    count = recording.steps if steps is None else min(steps, recording.steps)
    asarray = MPMATH.asarray if exact else (lambda values: np.array(values, dtype=np.float64))
    uses_params = bool(hyperparams.get("weight_decay"))
    run = VariantRun([], [])
    name = recording.problem.name
    update_scale, parameter_scale = _Scale(), _Scale()
    with MPMATH.precision() if exact else np.errstate(all="ignore"):
        rule = variant.build(hyperparams)          # one definition, float64 or exact arrays
        state = rule.init(asarray(recording.thetas[0]))
        zero = asarray(np.zeros_like(recording.thetas[0]))
        for i in range(count):
            theta, grad = asarray(recording.thetas[i]), asarray(recording.grads[i])
            previous = state
            update, state = rule.update(grad, previous, theta)
            at_zero = rule.update(grad, previous, zero)[0] if uses_params else update
            run.worst.append(max(
                _record(variant.name, i + 1, name, recording.probes[i], at_zero, exact, "update at 0",
                        update_scale(at_zero, exact)),
                _record(variant.name, i + 1, name, recording.thetas[i + 1], theta + update, exact,
                        "new parameters", parameter_scale(theta + update, exact)),
                key=lambda w: w.ulps))
            if exact:
                run.exact.extend(as_mpf(value) for value in list(update) + list(at_zero))
    return run


def equivalence_classes(exact: dict[str, list[Any]]) -> list[list[str]]:
    """Group variants whose exact updates agree (to 1e-40, relative) on every input of the run.

    Such variants are one rule for these hyper-parameters (AdamW with zero decay and Adam;
    the Keras and PyTorch forms of Nesterov momentum at a constant rate).
    """
    classes: list[list[str]] = []
    with MPMATH.precision():
        for name, values in exact.items():
            for group in classes:
                other = exact[group[0]]
                if len(other) == len(values) and all(
                        abs(a - b) <= _SAME * max(abs(a), abs(b)) for a, b in zip(values, other)):
                    group.append(name)
                    break
            else:
                classes.append([name])
    return classes


def free_running(problem: Problem, variant: Variant, hyperparams: dict[str, float],
                 trajectory: np.ndarray) -> np.ndarray:
    """The variant's own float64 run from the same start; ``|variant - candidate|`` per step
    (largest coordinate), as long as both are finite."""
    rule = variant.build(hyperparams)
    theta = problem.start.copy()
    state = rule.init(theta)
    gaps = []
    with np.errstate(all="ignore"):
        for candidate_theta in trajectory[1:]:
            update, state = rule.update(problem.grad(theta), state, theta)
            theta = theta + update
            gaps.append(float(np.max(np.abs(theta - candidate_theta))))
    return np.array(gaps)


class ExactStep(NamedTuple):
    """The candidate's parameters after ``step`` steps from the start, against the variant's
    exact ones (exact gradients, exact rule): error in ulps and the arithmetic used."""

    problem: str
    variant: str
    step: int
    ulps: float
    arithmetic: str


def exact_first_steps(problem: Problem, variant: Variant, hyperparams: dict[str, float],
                      trajectory: np.ndarray, count: int = 3) -> list[ExactStep]:
    """The first ``count`` steps of ``variant`` from ``problem.start`` in exact arithmetic
    (rationals when the loss is polynomial and the rule has no square root, else mpmath at 60
    digits), compared with the candidate's free-running parameters.

    The same rule definition runs on exact numbers. Errors are in ulps of the largest
    coordinate of the exact parameters: a coordinate that is exactly 0 after a step (the
    scaled quadratic's second one, after one step of lr 0.01) would otherwise count a
    rounding of 1e-17 as 1e300 ulps of 0.
    """
    rational = problem.polynomial and variant.sqrt_free
    kind = RATIONAL if rational else MPMATH
    results: list[ExactStep] = []
    with kind.precision():
        rule = variant.build(hyperparams)
        theta = kind.asarray(problem.start)
        state = rule.init(theta)
        for step in range(1, min(count, len(trajectory) - 1) + 1):
            point = [value.value for value in theta] if rational else \
                [as_mpf(value) for value in theta]
            grad = kind.asarray(problem.exact_gradient(point, rational))
            update, state = rule.update(grad, state, theta)
            theta = theta + update
            scale = float(np.max(np.abs(to_float(theta))))
            distance = _scaled_ulps(trajectory[step], theta, True, scale)
            results.append(ExactStep(problem.name, variant.name, step, float(distance.max()),
                                     kind.name))
    return results
