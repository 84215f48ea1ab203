"""Tests of symopt.ml.classification: softmax facts derived exactly, stability, MSE vs CE."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.special import expit, logsumexp

import symopt as so
from symopt import ml

KS = [2, 3, 4, 5]


def _symbols(k: int) -> tuple[list[sp.Symbol], list[sp.Symbol]]:
    y = [sp.Symbol(f"y{i + 1}", real=True) for i in range(k)]
    yhat = [sp.Symbol(f"yhat{i + 1}", real=True) for i in range(k)]
    return y, yhat


def _plain_softmax(y: list[sp.Expr]) -> list[sp.Expr]:
    """exp(y_i) / sum_j exp(y_j), written without LogSumExp."""
    total = sp.Add(*[sp.exp(v) for v in y])
    return [sp.exp(v) / total for v in y]


@pytest.mark.parametrize("k", KS)
def test_cross_entropy_gradient_is_softmax_minus_target(k: int) -> None:
    y, yhat = _symbols(k)
    last = {yhat[-1]: 1 - sp.Add(*yhat[:-1])}            # sum_i yhat_i = 1
    probabilities = _plain_softmax(y)
    # the textbook form, differentiated by SymPy independently of symopt
    e_plain = -sp.Add(*[t * sp.log(p) for t, p in zip(yhat, probabilities)])
    # symopt's form, with LogSumExp
    e_symopt = ml.cross_entropy(k)
    for i in range(k):
        expected = probabilities[i] - yhat[i]
        plain = sp.diff(e_plain, y[i]) - expected
        assert sp.simplify(plain.xreplace(last)) == 0
        ours = (sp.diff(e_symopt, y[i]).rewrite(sp.log) - expected).xreplace(last)
        assert sp.simplify(ours) == 0


@pytest.mark.parametrize("k", KS)
def test_cross_entropy_gradient_function_matches_softmax_minus_target(k: int) -> None:
    y, yhat = _symbols(k)
    rng = np.random.default_rng(k)
    logits = rng.normal(size=k) * 3
    targets = rng.dirichlet(np.ones(k))                  # any probability vector
    point = {**dict(zip(y, logits)), **dict(zip(yhat, targets))}
    expected = np.exp(logits - logsumexp(logits)) - targets
    got = [float(g.rewrite(sp.log).evalf(30, subs=point)) for g in ml.cross_entropy_gradient(k)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("k", KS)
def test_softmax_lies_in_the_simplex(k: int) -> None:
    y, _ = _symbols(k)
    probabilities = ml.softmax(k)
    assert sp.simplify(sp.Add(*probabilities).rewrite(sp.log)) == 1
    for ours, plain in zip(probabilities, _plain_softmax(y)):
        assert sp.simplify(ours.rewrite(sp.log) - plain) == 0


def test_two_class_softmax_is_the_sigmoid_of_the_difference() -> None:
    y1, y2 = sp.symbols("y1 y2", real=True)
    p1, p2 = ml.softmax([y1, y2])
    sigmoid = lambda z: 1 / (1 + sp.exp(-z))  # the definition
    assert sp.simplify(p1.rewrite(sp.log) - sigmoid(y1 - y2)) == 0
    assert sp.simplify(p2.rewrite(sp.log) - sigmoid(y2 - y1)) == 0
    assert sp.simplify(ml.sigmoid(y1 - y2) - sigmoid(y1 - y2)) == 0


def test_mean_cross_entropy_is_the_negative_log_likelihood() -> None:
    x = [1, 2, -1, sp.Rational(3, 2)]
    labels = [0, 2, 1, 0]
    w1, w2, b1, b2 = sp.symbols("w1 w2 b1 b2", real=True)
    loss = so.Loss.from_model(["w1*x + b1", "w2*x + b2", "0"], data={"x": x, "y": labels},
                              loss="cross_entropy")
    likelihood = sp.Integer(1)
    for xn, c in zip(x, labels):
        likelihood *= _plain_softmax([w1 * xn + b1, w2 * xn + b2, sp.Integer(0)])[c]
    nll = -sp.log(likelihood) / len(x)
    difference = sp.expand_log(nll - loss.expr.rewrite(sp.log), force=True)
    assert sp.simplify(difference) == 0
    # symopt's own likelihood agrees too
    ours = ml.likelihood([[w1 * xn + b1, w2 * xn + b2, 0] for xn in x], labels)
    assert sp.simplify(sp.expand_log(-sp.log(ours) / len(x) - nll, force=True).rewrite(sp.log)) == 0


def test_compiled_cross_entropy_is_finite_and_correct_at_logits_of_1000() -> None:
    f = so.compile(so.Loss.from_model(["a", "b"], data={"y": [0]}, loss="cross_entropy"))
    points = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    # e = log(exp(a) + exp(b)) - a: 0 when a wins by 2000, 2000 when b does
    np.testing.assert_allclose(f.value(points), [0.0, 2000.0], atol=1e-12)
    np.testing.assert_allclose(f.grad(points), [[0.0, 0.0], [-1.0, 1.0]], atol=1e-12)
    assert np.all(np.isfinite(f.hess(points)))


def test_compiled_softmax_and_log_softmax_are_stable() -> None:
    a, b = sp.symbols("a b", real=True)
    p = so.compile(so.Loss(ml.softmax([a, b])[0], params=[a, b]))
    log_p = so.compile(so.Loss(ml.log_softmax([a, b])[0], params=[a, b]))
    points = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [1000.0, 999.0]])
    np.testing.assert_allclose(p.value(points), [1.0, 0.0, expit(1.0)], rtol=1e-12)
    np.testing.assert_allclose(log_p.value(points), [0.0, -2000.0, -np.log1p(np.exp(-1.0))],
                               rtol=1e-12, atol=1e-300)


def test_compiled_data_cross_entropy_is_stable_per_sample() -> None:
    rng = np.random.default_rng(1)
    x = rng.choice([-1.0, 1.0], size=20)
    labels = rng.integers(0, 3, size=20)
    loss = so.Loss.from_model(["w*x", "-w*x", "0"], data={"x": x, "y": labels},
                              loss="cross_entropy")
    assert loss.is_data_loss
    f = so.compile(loss)
    for w in (1000.0, -1000.0):
        logits = np.stack([w * x, -w * x, np.zeros_like(x)], axis=1)
        expected = np.mean(logsumexp(logits, axis=1) - logits[np.arange(20), labels])
        value = f.value([w])
        assert np.isfinite(value) and value == pytest.approx(expected, rel=1e-12)


def _reference_gradients(w: float, b: float, x: np.ndarray, labels: np.ndarray):
    """Hand-derived gradients for logits (w x + b, 0): p = sigmoid(w x + b), t = [label == 0].

    MSE per sample 2 (p - t)^2, so d/dz = 4 (p - t) p (1 - p); CE per sample d/dz = p - t.
    """
    p = expit(w * x + b)
    t = (labels == 0).astype(float)
    mse = np.mean(2 * (p - t) ** 2)
    dz_mse, dz_ce = 4 * (p - t) * p * (1 - p), p - t
    mse_grad = np.array([np.mean(dz_mse * x), np.mean(dz_mse)])
    ce_grad = np.array([np.mean(dz_ce * x), np.mean(dz_ce)])
    ce = np.mean(np.logaddexp(0.0, -(w * x + b)) * t + np.logaddexp(0.0, w * x + b) * (1 - t))
    return mse, np.linalg.norm(mse_grad), ce, np.linalg.norm(ce_grad)


def test_mse_vs_cross_entropy_matches_hand_derived_gradients() -> None:
    table = ml.compare_mse_cross_entropy()
    x, labels = np.array(table.x), np.array(table.labels)
    for row in table.rows:
        mse, mse_norm, ce, ce_norm = _reference_gradients(row.w, row.b, x, labels)
        # losses and gradients are O(1) at most; near saturation both sides round 1 - p
        assert row.mse == pytest.approx(mse, rel=1e-9, abs=1e-14)
        assert row.mse_grad_norm == pytest.approx(mse_norm, rel=1e-9, abs=1e-14)
        assert row.cross_entropy == pytest.approx(ce, rel=1e-9, abs=1e-14)
        assert row.cross_entropy_grad_norm == pytest.approx(ce_norm, rel=1e-9, abs=1e-14)


def test_mse_is_flat_where_the_classifier_is_confidently_wrong_and_ce_is_not() -> None:
    table = ml.compare_mse_cross_entropy(weights=[-20.0, -10.0, 0.0, 20.0])
    wrong, _, middle, right = table.rows
    assert wrong.mse > 1.99                              # nearly the worst MSE possible (2)
    assert wrong.mse_grad_norm < 1e-6                    # ... and yet flat
    assert wrong.cross_entropy_grad_norm > 0.1           # cross-entropy still pulls
    assert wrong.cross_entropy_grad_norm > 1e6 * wrong.mse_grad_norm
    assert middle.mse_grad_norm > 0.1                    # away from saturation both slope
    assert right.cross_entropy_grad_norm < 1e-6 and right.mse_grad_norm < 1e-6
    assert "|grad CE|" in str(table) and len(table.to_dict()["rows"]) == 4


def test_bad_input_is_rejected_with_a_message() -> None:
    with pytest.raises(ValueError, match="positive int"):
        ml.logit_symbols(0)
    with pytest.raises(ValueError, match="labels"):
        ml.likelihood([[1, 2]], [0, 1])
    with pytest.raises(ValueError, match="not a class"):
        ml.likelihood([[1, 2]], [2])
    with pytest.raises(ValueError, match="2-class"):
        ml.compare_mse_cross_entropy(x=[1.0], labels=[3])
    with pytest.raises(ValueError, match="target entry"):
        ml.cross_entropy(3, [1, 0])
