"""Loss: parameters, exact derivatives, models with data (hand-derived expectations)."""

import numpy as np
import pytest
import sympy as sp

import symopt as so

w1, w2, a, b = sp.symbols("w1 w2 a b", real=True)


def test_parameters_default_to_free_symbols_in_natural_order():
    loss = so.Loss.parse("w10**2 + w2**2 + w1")
    assert [p.name for p in loss.params] == ["w1", "w2", "w10"]
    assert all(p.is_real for p in loss.params)


def test_explicit_parameters_and_sympy_input():
    x, y = sp.symbols("x y")  # not declared real: symopt makes them real
    loss = so.Loss(x ** 2 - y ** 2, params=["y", "x"])
    assert [p.name for p in loss.params] == ["y", "x"]
    assert loss.gradient == sp.Matrix([-2 * loss.params[0], 2 * loss.params[1]])


def test_floats_become_the_exact_rationals_they_were_written_as():
    x = sp.Symbol("x")
    loss = so.Loss(sp.Float("0.1") * x ** 2)
    assert loss.expr == sp.Rational(1, 10) * loss.params[0] ** 2


def test_gradient_and_hessian_are_computed_once():
    loss = so.Loss.parse("(1 - w1*w2)**2")
    assert loss.gradient is loss.gradient
    assert loss.hessian is loss.hessian


@pytest.mark.parametrize("bad, message", [
    (dict(params=["w1"]), "w2 which is not a parameter"),
    (dict(params=["w1", "w1", "w2"]), "listed twice"),
    (dict(params=["1w"]), "not a valid name"),
])
def test_bad_parameters_are_explained(bad, message):
    with pytest.raises(ValueError, match=message):
        so.Loss.parse("(1 - w1*w2)**2", **bad)


def test_a_loss_must_be_a_scalar_expression():
    with pytest.raises(TypeError, match="Loss.parse"):
        so.Loss("x**2")
    with pytest.raises(TypeError, match="scalar"):
        so.Loss(sp.Matrix([1, 2]))
    with pytest.raises(ValueError, match="no parameters"):
        so.Loss(sp.Integer(3))


def test_small_exact_data_are_substituted_sample_by_sample():
    # y = a*x + b on (1, 2), (2, 3): L = ((2 - a - b)**2 + (3 - 2a - b)**2) / 2
    loss = so.Loss.from_model("a*x + b", data={"x": [1, 2], "y": [2, 3]})
    expected = ((2 - a - b) ** 2 + (3 - 2 * a - b) ** 2) / 2
    assert sp.expand(loss.expr - expected) == 0
    assert not loss.is_data_loss
    assert [p.name for p in loss.params] == ["a", "b"]


def test_sum_reduction():
    loss = so.Loss.from_model("a*x", data={"x": [1, 2], "y": [1, 1]}, reduction="sum")
    assert sp.expand(loss.expr - ((1 - a) ** 2 + (1 - 2 * a) ** 2)) == 0


def test_large_polynomial_data_are_summed_by_monomials():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=500)
    ys = 3 * xs - 1 + 0.1 * rng.normal(size=500)
    loss = so.Loss.from_model("a*x + b", data={"x": xs, "y": ys})
    assert loss.is_data_loss and loss.n_samples == 500
    # the exact loss has a fixed number of terms (monomials 1, a, b, a^2, ab, b^2)
    assert len(sp.Add.make_args(loss.expr)) == 6
    # least squares: the unique minimum is the normal-equation solution
    cs = so.critical_points(loss)
    (p,) = cs.points
    expected = np.linalg.lstsq(np.stack([xs, np.ones_like(xs)], 1), ys, rcond=None)[0]
    assert np.allclose(p.numeric, expected, atol=1e-12)
    assert p.kind is so.Kind.MINIMUM


def test_data_loss_keeps_the_per_sample_expression():
    xs = np.linspace(-1, 1, 40)
    loss = so.Loss.from_model("c*tanh(w*x)", data={"x": xs, "y": np.sin(xs)})
    assert loss.is_data_loss
    c, w, x, y = sp.symbols("c w x y", real=True)
    assert sp.expand(loss.sample_expr - (y - c * sp.tanh(w * x)) ** 2) == 0
    assert loss.sample_gradient.shape == (2, 1)
    assert set(loss.data) == {"x", "y"}


@pytest.mark.parametrize("kwargs, message", [
    (dict(data={"x": [1, 2], "y": [1]}), "differ in length"),
    (dict(data={"x": [1]}), "target column 'y'"),
    (dict(data={"x": [1], "y": [1], "z": [2]}), "not used by the model"),
    (dict(data={"x": [], "y": []}), "empty"),
    (dict(data={"x": [1], "y": ["one"]}), "not a number"),
    (dict(data={"x": [1], "y": [1]}, loss="hinge"), "not known"),
    (dict(data={"x": [1], "y": [1]}, reduction="max"), "not known"),
])
def test_bad_data_is_explained(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        so.Loss.from_model("w*x", **kwargs)
