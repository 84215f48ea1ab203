"""Tests of symopt.ml.scaling: exact Hessians, condition numbers, GD step counts."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symopt import ml

CAP = 300


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    return ml.lecture_data(100, seed=0)


@pytest.fixture(scope="module")
def report(data: dict[str, np.ndarray]) -> ml.FeatureScalingReport:
    return ml.feature_scaling_experiment(data, tol=1e-3, max_steps=CAP)


def _design(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.column_stack([x1, x2, np.ones(len(x1))]).astype(float)


def _standardised(data: dict[str, np.ndarray]) -> np.ndarray:
    z = [(data[k] - data[k].mean()) / data[k].std() for k in ("x1", "x2")]
    return _design(*z)


def _gd_steps(design: np.ndarray, y: np.ndarray, rate: float, tol: float, cap: int) -> int | None:
    """Plain NumPy gradient descent on mean((A w - y)^2) from 0: first step with gap <= tol."""
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    floor = np.mean((design @ best - y) ** 2)
    w = np.zeros(design.shape[1])
    for t in range(1, cap + 1):
        w = w - rate * 2 * design.T @ (design @ w - y) / len(y)
        if np.mean((design @ w - y) ** 2) - floor <= tol:
            return t
    return None


def test_data_follow_the_lecture(data: dict[str, np.ndarray]) -> None:
    assert data["x1"].min() >= 1 and data["x1"].max() <= 10
    assert data["x2"].min() >= 1000 and data["x2"].max() <= 10000
    assert np.abs(data["y"] - data["x1"] - data["x2"]).max() < 5   # unit noise


def test_raw_hessian_is_twice_the_exact_second_moments(data, report) -> None:
    n = len(data["y"])
    columns = [[Fraction(int(v)) for v in data["x1"]], [Fraction(int(v)) for v in data["x2"]],
               [Fraction(1)] * n]
    expected = sp.Matrix(3, 3, lambda i, j: sp.Rational(
        2 * sum(a * b for a, b in zip(columns[i], columns[j])) / n))
    assert report.hessian_raw == expected


def test_scaled_hessian_holds_the_correlation(data, report) -> None:
    h = np.array(report.hessian_scaled.evalf(30).tolist(), dtype=float)
    r = np.corrcoef(data["x1"], data["x2"])[0, 1]
    np.testing.assert_allclose(h, [[2, 2 * r, 0], [2 * r, 2, 0], [0, 0, 2]], atol=1e-12)


def test_condition_numbers_match_numpy(data, report) -> None:
    raw = _design(data["x1"], data["x2"])
    scaled = _standardised(data)
    kappa_raw = np.linalg.cond(raw.T @ raw / len(raw))
    kappa_scaled = np.linalg.cond(scaled.T @ scaled / len(scaled))
    assert report.kappa_raw == pytest.approx(kappa_raw, rel=1e-6)
    assert report.kappa_scaled == pytest.approx(kappa_scaled, rel=1e-9)
    assert report.kappa_raw > 1e8 and report.kappa_scaled < 1.1


def test_learning_rates_are_two_over_the_eigenvalue_sum(data, report) -> None:
    for design, rate in ((_design(data["x1"], data["x2"]), report.learning_rate_raw),
                         (_standardised(data), report.learning_rate_scaled)):
        eigenvalues = np.linalg.eigvalsh(2 * design.T @ design / len(design))
        assert rate == pytest.approx(2 / (eigenvalues[0] + eigenvalues[-1]), rel=1e-9)


def test_step_counts_match_plain_gradient_descent(data, report) -> None:
    y = data["y"]
    scaled = _gd_steps(_standardised(data), y, report.learning_rate_scaled, 1e-3, CAP)
    raw = _gd_steps(_design(data["x1"], data["x2"]), y, report.learning_rate_raw, 1e-3, CAP)
    assert report.steps_scaled == scaled and scaled is not None
    assert report.steps_raw is None and raw is None           # not within the cap: ">= cap"
    assert report.ratio_is_lower_bound and report.step_ratio == CAP / scaled
    assert report.to_dict()["steps_raw_text"] == f">= {CAP}"
    assert f">= {CAP}" in str(report)


def test_predicted_counts_follow_the_contraction_factor(data, report) -> None:
    design, y = _design(data["x1"], data["x2"]), data["y"]
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    gap0 = np.mean(y ** 2) - np.mean((design @ best - y) ** 2)      # the loss gap at w = 0
    for kappa, predicted in ((report.kappa_raw, report.predicted_raw),
                             (report.kappa_scaled, report.predicted_scaled)):
        q = (kappa - 1) / (kappa + 1)
        assert predicted == math.ceil(math.log(1e-3 / gap0) / (2 * math.log(q)))
    assert report.steps_scaled <= report.predicted_scaled           # the bound holds
    assert report.predicted_raw > 1e8                               # hopeless without scaling


def test_well_scaled_features_converge_in_both_runs() -> None:
    data = ml.lecture_data(60, seed=3)
    data["x2"] = np.random.default_rng(99).integers(1, 11, 60)       # both features 1..10
    result = ml.feature_scaling_experiment(data, max_steps=5000)
    assert result.steps_raw is not None and not result.ratio_is_lower_bound
    assert result.steps_raw <= result.predicted_raw
    assert result.steps_scaled <= result.predicted_scaled
    assert result.step_ratio == result.steps_raw / result.steps_scaled


def test_helpers_by_hand() -> None:
    assert ml.best_learning_rate([1.0, 3.0]) == 0.5
    assert ml.contraction_factor(3.0) == 0.5
    assert ml.predicted_steps(3.0, gap0=1.0, tol=1e-2) == 4     # 0.25^3 > 0.01 >= 0.25^4
    assert ml.predicted_steps(3.0, gap0=1e-3, tol=1e-2) == 0
    scaled, stats = ml.standardize({"x": [2.0, 4.0, 6.0, 8.0]})
    assert stats["x"] == (5.0, math.sqrt(5.0))
    assert scaled["x"].mean() == 0 and scaled["x"].std() == pytest.approx(1.0)


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="constant"):
        ml.standardize({"x": [1.0, 1.0]})
    with pytest.raises(ValueError, match="missing x2"):
        ml.feature_scaling_experiment({"x1": [1, 2], "y": [1, 2]})
    with pytest.raises(ValueError, match="positive definite"):
        ml.best_learning_rate([0.0, 1.0])
