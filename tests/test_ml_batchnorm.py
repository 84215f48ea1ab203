"""Tests of symopt.ml.batchnorm: the exact layer and gradient, and inference statistics."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symopt import ml

EPS = 1e-5


def _forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Batch norm written out in NumPy: per column, biased variance."""
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def _loss(x, gamma, beta, c) -> float:
    return float(np.sum(c * _forward(x, gamma, beta)))


def _central(fn, value: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        up, down = value.copy(), value.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (fn(up) - fn(down)) / (2 * h)
    return grad


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(0)
    m, d = 4, 2
    return {"x": rng.normal(size=(m, d)) * [1.0, 3.0] + [0.5, -2.0],
            "gamma": rng.normal(size=d) + 1, "beta": rng.normal(size=d),
            "c": rng.normal(size=(m, d)), "layer": ml.batch_norm(m, d)}


def test_layer_outputs_match_numpy(case) -> None:
    out = case["layer"].evaluate(case["x"], case["gamma"], case["beta"])
    np.testing.assert_allclose(out, _forward(case["x"], case["gamma"], case["beta"]), rtol=1e-12)


def test_layer_statistics_are_the_batch_mean_and_mean_squared_deviation() -> None:
    layer = ml.batch_norm(3, eps=0)
    x1, x2, x3 = layer.inputs
    assert sp.simplify(layer.mean[0] - (x1 + x2 + x3) / 3) == 0
    mu = (x1 + x2 + x3) / 3
    assert sp.expand(layer.variance[0] - ((x1 - mu) ** 2 + (x2 - mu) ** 2 + (x3 - mu) ** 2) / 3) == 0
    point = dict(zip(layer.inputs, [1, 2, 6]))
    assert layer.mean[0].subs(point) == 3
    assert layer.variance[0].subs(point) == sp.Rational(14, 3)


def test_exact_gradient_matches_central_differences(case) -> None:
    x, gamma, beta, c = case["x"], case["gamma"], case["beta"], case["c"]
    grad = ml.batch_norm_gradient(case["layer"])
    values = grad.evaluate(x, gamma, beta, weights=c)
    assert values["loss"] == pytest.approx(_loss(x, gamma, beta, c), rel=1e-12)
    np.testing.assert_allclose(values["inputs"], _central(lambda v: _loss(v, gamma, beta, c), x),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(values["gamma"], _central(lambda v: _loss(x, v, beta, c), gamma),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(values["beta"], _central(lambda v: _loss(x, gamma, v, c), beta),
                               rtol=1e-6, atol=1e-7)


def test_gamma_and_beta_gradients_by_hand(case) -> None:
    x, gamma, beta, c = case["x"], case["gamma"], case["beta"], case["c"]
    values = ml.batch_norm_gradient(case["layer"], weights=c).evaluate(x, gamma, beta)
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + EPS)
    np.testing.assert_allclose(values["gamma"], (c * xhat).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(values["beta"], c.sum(axis=0), rtol=1e-12)


def test_closed_form_input_gradient_equals_the_derivative(case) -> None:
    layer = ml.batch_norm(3)
    grad = ml.batch_norm_gradient(layer)
    closed = ml.batch_norm_input_gradient(layer, grad.weights)
    rng = np.random.default_rng(5)
    for _ in range(3):
        point = dict(zip(list(layer.symbols) + list(grad.weights),
                         [sp.Rational(int(v), 7) for v in rng.integers(-20, 20, size=8)]))
        assert sp.simplify((grad.d_inputs - closed).subs(point)) == sp.zeros(3, 1)


def test_input_gradient_is_blind_to_shifts(case) -> None:
    values = ml.batch_norm_gradient(case["layer"]).evaluate(
        case["x"], case["gamma"], case["beta"], weights=case["c"])
    np.testing.assert_allclose(values["inputs"].sum(axis=0), 0.0, atol=1e-12)


def test_bad_layer_sizes_are_rejected() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        ml.batch_norm(1)
    with pytest.raises(ValueError, match="eps"):
        ml.batch_norm(2, eps=-1)
    with pytest.raises(ValueError, match="entries"):
        ml.batch_norm_gradient(ml.batch_norm(2), weights=[1, 2, 3])


# ----------------------------------------------------------------------------- inference

@pytest.fixture(scope="module")
def inference() -> ml.BatchNormInference:
    return ml.batch_norm_inference((4, 16, 256), n_samples=1024, steps=300, momentum=0.9)


def test_training_mode_uses_the_batch_statistics() -> None:
    net = ml.BatchNormNetwork.random(3, 5, seed=2)
    x = np.random.default_rng(2).normal(size=(10, 3))
    h = x @ net.w1 + net.b1
    a = np.maximum(_forward(h, net.gamma, net.beta), 0)
    np.testing.assert_allclose(net.forward(x), a @ net.w2 + net.b2, rtol=1e-12)
    full_mean, full_var = h.mean(axis=0), h.var(axis=0)
    np.testing.assert_allclose(net.forward(x, full_mean, full_var), net.forward(x), rtol=1e-12)


def test_running_mean_approaches_the_full_data_mean(inference) -> None:
    for trace in inference.trace:
        assert trace[-1] < trace[4] / 3                 # the start at 0 is forgotten


def test_running_mean_error_is_within_its_stationary_spread(inference) -> None:
    # with independent batch means of variance s2/B * (N-B)/(N-1), the average
    # p*mu_bar + (1-p)*mu_t has stationary variance (1-p)/(1+p) times that
    p, n = inference.momentum, inference.n_samples
    rng = np.random.default_rng(0)
    x = rng.normal(loc=[1.0, -2.0, 0.5, 3.0], scale=[1.0, 5.0, 0.2, 2.0], size=(n, 4))
    net = ml.BatchNormNetwork.random(4, 8, seed=1)
    s2 = net.hidden(x).var(axis=0)
    for row in inference.rows:
        b = row.batch_size
        spread = np.sqrt((1 - p) / (1 + p) * s2 / b * (n - b) / (n - 1))
        assert row.running_mean_error <= 5 * spread.max()


def test_inference_differences_shrink_with_larger_batches(inference) -> None:
    small, _, large = inference.rows
    assert large.max_diff_full < small.max_diff_full / 2
    assert large.max_diff_running < small.max_diff_running / 2
    assert large.running_mean_error < small.running_mean_error
    assert "max|batch - full|" in str(inference)
    assert set(inference.to_dict()["trace"]) == {"4", "16", "256"}


def test_inference_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="momentum"):
        ml.batch_norm_inference(momentum=1.0)
    with pytest.raises(ValueError, match="batch size"):
        ml.batch_norm_inference((1,))
