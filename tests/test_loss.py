"""Loss: parameters, exact derivatives, models with data (hand-derived expectations)."""

import numpy as np
import pytest
import sympy as sp

import symopt as so
from symopt import Loss

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


# -- data validation (before any symbolic work) ------------------------------------------

@pytest.mark.parametrize("bad, row", [
    ("inf", 1), ("1e99999999", 1), ("1e999999", 1), ("-Infinity", 1), ("nan", 1),
    (float("nan"), 1), (float("inf"), 1),
])
def test_non_finite_data_is_refused_naming_column_and_row(bad, row):
    with pytest.raises(ValueError) as error:
        Loss.from_model("w*x", data={"x": [1.0, bad, 2.0], "y": [1, 2, 3]})
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"data column 'x', row {row}: {bad!r} is not a finite number")


@pytest.mark.parametrize("bad, why", [
    ("abc", "is not a number; write a decimal"), (True, "is not a number"),
    (None, "is not a number"), ([1, 2], "of type list is not a number"),
    ("1e-999999", "decimal exponent beyond"),
])
def test_other_bad_values_are_one_line_errors(bad, why):
    with pytest.raises(ValueError, match=r"^data column 'y', row 2: .*" + why):
        Loss.from_model("w*x", data={"x": [1, 2, 3], "y": [1, 2, bad]})


def test_a_bad_value_in_a_large_numpy_column_is_located():
    x = np.linspace(0, 1, 1000)
    x[617] = np.inf
    with pytest.raises(ValueError, match=r"^data column 'x', row 617: inf is not a finite"):
        Loss.from_model("w*x", data={"x": x, "y": np.zeros(1000)})


def test_data_strings_are_read_as_floats():
    loss = Loss.from_model("w*x", data={"x": [" 2.5", "1e2"] * 10, "y": ["0"] * 20})
    assert loss.data["x"][:2].tolist() == [2.5, 100.0]
    assert loss.data["x"].flags.writeable is False


def test_small_exact_data_is_substituted_and_large_data_stays_float():
    from symopt.dataset import SMALL_DATA, Dataset
    small = Loss.from_model("w*x", data={"x": ["0.1", 2], "y": [1, 0]})
    # (1 - w/10)^2 / 2 + (0 - 2 w)^2 / 2, with 0.1 read exactly as 1/10
    w = sp.Symbol("w", real=True)
    assert sp.simplify(small.expr - ((1 - w / 10) ** 2 + 4 * w**2) / 2) == 0
    large = Loss.from_model("w*x", data={"x": list(range(SMALL_DATA + 1)),
                                         "y": [0] * (SMALL_DATA + 1)})
    assert large.is_data_loss and isinstance(large._data, Dataset)
    assert large._data.exact is None and large._data.arrays["x"].dtype == np.float64
    floats = Loss.from_model("w*x", data={"x": [0.5, 1.5], "y": [1.0, 0.0]})
    assert floats.is_data_loss          # floats are not "written exactly": no substitution
    # exact values on request, each float as written: mean of (1 - w/2)^2 and (3w/2)^2
    assert sp.expand(floats.expr - ((1 - w / 2) ** 2 + (3 * w / 2) ** 2) / 2) == 0


def test_dataset_is_frozen():
    import dataclasses
    loss = Loss.from_model("w*x", data={"x": np.arange(20.0), "y": np.zeros(20)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        loss._data.n_samples = 3  # type: ignore[misc]


def test_integer_class_labels_from_a_numpy_array_are_checked():
    data = {"x": np.array([0.0, 1.0, 2.0]), "y": np.array([0, 1, 2])}
    with pytest.raises(ValueError, match=r"target 2 in row 2 is not a class label 0\.\.1"):
        Loss.from_model(["a*x", "b*x"], data=data, loss="cross_entropy")
