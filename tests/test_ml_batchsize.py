"""Tests of symopt.ml.batchsize: exact mini-batch gradient moments and the comparison table."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import symopt as so
from symopt import ml

THETA = np.array([0.7, -0.4])


def _data(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    return {"x": x, "y": np.sin(x) + 0.1 * rng.normal(size=n)}


def _loss(n: int, reduction: str = "mean") -> so.Loss:
    return so.Loss.from_model("w1*tanh(w2*x)", data=_data(n), params=["w1", "w2"],
                              reduction=reduction)


def _per_sample(n: int, theta: np.ndarray) -> np.ndarray:
    """By hand: r = y - w1 tanh(w2 x); d/dw1 r^2 = -2 r tanh(w2 x), d/dw2 = -2 r w1 x sech^2."""
    d = _data(n)
    w1, w2 = theta
    t = np.tanh(w2 * d["x"])
    r = d["y"] - w1 * t
    return np.column_stack([-2 * r * t, -2 * r * w1 * d["x"] * (1 - t ** 2)])


def _enumerated(grads: np.ndarray, b: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of scale * (mean of a batch) over every batch of size b."""
    batches = np.array([scale * grads[list(c)].mean(axis=0)
                        for c in itertools.combinations(range(len(grads)), b)])
    centred = batches - batches.mean(axis=0)
    return batches.mean(axis=0), centred.T @ centred / len(batches)


def test_per_sample_gradients_match_the_hand_derivative() -> None:
    np.testing.assert_allclose(ml.per_sample_gradients(_loss(15), THETA), _per_sample(15, THETA),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("b", [1, 3, 7, 10])
def test_moments_equal_the_average_over_every_batch(b: int) -> None:
    moments = ml.minibatch_gradient_moments(_loss(10), THETA, b)
    mean, cov = _enumerated(_per_sample(10, THETA), b, scale=1.0)
    np.testing.assert_allclose(moments.mean, mean, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(moments.covariance, cov, rtol=1e-10, atol=1e-14)


def test_moments_follow_the_finite_population_correction() -> None:
    n, b = 40, 8
    grads = _per_sample(n, THETA)
    moments = ml.minibatch_gradient_moments(so.compile(_loss(n)), THETA, b)
    centred = grads - grads.mean(axis=0)
    population = centred.T @ centred / n                       # divisor N
    np.testing.assert_allclose(moments.full_gradient, grads.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(moments.per_sample_covariance, population, rtol=1e-12)
    np.testing.assert_allclose(moments.covariance, (n - b) / (b * (n - 1)) * population,
                               rtol=1e-12)
    assert moments.noise == pytest.approx(np.trace(moments.covariance))
    assert moments.updates_per_epoch == 5


def test_sum_reduction_scales_by_the_batch_size() -> None:
    b = 4
    moments = ml.minibatch_gradient_moments(_loss(9, "sum"), THETA, b)
    mean, cov = _enumerated(_per_sample(9, THETA), b, scale=float(b))
    np.testing.assert_allclose(moments.mean, mean, rtol=1e-12)
    np.testing.assert_allclose(moments.covariance, cov, rtol=1e-10, atol=1e-14)


def test_simulated_batches_agree_within_their_sampling_error() -> None:
    n, b, draws = 50, 5, 4000
    f = so.compile(_loss(n))
    moments = ml.minibatch_gradient_moments(f, THETA, b)
    samples = ml.sample_minibatch_gradients(f, THETA, b, n_batches=draws, seed=1)
    # each batch drawn without replacement: no index repeats inside a batch
    assert samples.shape == (draws, 2)
    error = samples.mean(axis=0) - moments.mean
    assert np.all(np.abs(error) <= 5 * np.sqrt(np.diag(moments.covariance) / draws))
    squares = (samples - moments.mean) ** 2                    # unbiased for the variance
    spread = squares.std(axis=0) / math.sqrt(draws)
    assert np.all(np.abs(squares.mean(axis=0) - np.diag(moments.covariance)) <= 5 * spread)
    cross = (samples[:, 0] - moments.mean[0]) * (samples[:, 1] - moments.mean[1])
    assert abs(cross.mean() - moments.covariance[0, 1]) <= 5 * cross.std() / math.sqrt(draws)


def test_updates_per_epoch_is_the_ceiling() -> None:
    assert [ml.updates_per_epoch(100, b) for b in (1, 32, 33, 50, 100)] == [100, 4, 4, 2, 1]
    with pytest.raises(ValueError):
        ml.updates_per_epoch(10, 0)


def test_moments_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        ml.minibatch_gradient_moments(_loss(10), THETA, 11)
    with pytest.raises(ValueError, match="no per-sample data"):
        ml.minibatch_gradient_moments(so.Loss.parse("x**2"), [1.0], 1)


# ----------------------------------------------------------------------------- the table

def _numpy_sgd(n: int, b: int, lr: float, epochs: int, seed: int) -> float:
    """SGD written out: shuffle with default_rng(seed) every epoch, consecutive batches."""
    d = _data(n)
    rng = np.random.default_rng(seed)
    theta = THETA.copy()
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, b):
            theta = theta - lr * _per_sample(n, theta)[order[start:start + b]].mean(axis=0)
    return float(np.mean((d["y"] - theta[0] * np.tanh(theta[1] * d["x"])) ** 2))


@pytest.fixture(scope="module")
def table() -> ml.BatchSizeTable:
    return ml.batch_size_table(_loss(64), THETA, learning_rate=0.05, batch_sizes=(1, 8, 64),
                               epochs=3, timing_budget=0.02, repeats=2)


def test_table_counts_noise_and_final_losses(table) -> None:
    grads = _per_sample(64, THETA)
    centred = grads - grads.mean(axis=0)
    population_trace = np.sum(centred ** 2) / 64
    for row in table.rows:
        b = row.batch_size
        assert row.updates_per_epoch == -(-64 // b)
        assert row.noise == pytest.approx((64 - b) / (b * 63) * population_trace, abs=1e-14)
        assert row.final_loss == pytest.approx(_numpy_sgd(64, b, 0.05, 3, seed=0), rel=1e-9)
        assert row.serial_epoch == pytest.approx(row.updates_per_epoch * row.serial_update)
        assert row.vectorised_epoch == pytest.approx(row.updates_per_epoch * row.vectorised_update)
    assert table.row(64).noise == 0.0


def test_regimes_compare_the_measured_epoch_times(table) -> None:
    # the two regimes are stated from the measured epoch times, whatever they are: the
    # ratios printed are those of the table's own fields (no claim about their size here)
    small, large = table.row(1), table.row(64)
    serial, parallel = table.regimes()
    assert serial.ratio == pytest.approx(small.serial_epoch / large.serial_epoch)
    assert parallel.ratio == pytest.approx(small.vectorised_epoch / large.vectorised_epoch)
    assert (serial.small, serial.large) == (1, 64)
    text = str(table)
    assert "without parallelism" in text and "vectorised" in text
    assert f"{serial.ratio:.2g}" in text and f"{parallel.ratio:.2g}" in text


def test_table_renders_and_serialises(table) -> None:
    text = str(table)
    assert "updates/epoch" in text and "measured" in text
    data = table.to_dict()
    assert [r["batch_size"] for r in data["rows"]] == [1, 8, 64]
    assert "serial_update" in data["measured"] and "noise" in data["derived"]
    with pytest.raises(KeyError, match="no row"):
        table.row(5)
