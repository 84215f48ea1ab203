"""Tests of symopt.numeric: compiled value, gradient, Hessian and Hessian-vector products."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import sympy as sp

from symopt.loss import Loss
from symopt.numeric import NumericLoss, compile


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lecture() -> NumericLoss:
    return compile(Loss.parse("(1 - w1*w2)**2"))


@pytest.fixture(scope="module")
def bowl() -> NumericLoss:
    return compile(Loss.parse("x**2 + y**2"))


@pytest.fixture(scope="module")
def line_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.uniform(-2.0, 2.0, size=50)
    y = 1.5 * x - 0.5 + 0.2 * rng.normal(size=50)
    return {"x": x, "y": y}


@pytest.fixture(scope="module")
def line(line_data: dict[str, np.ndarray]) -> NumericLoss:
    return compile(Loss.from_model("a*x + b", data=line_data))


def mse_by_hand(theta: np.ndarray, x: np.ndarray, y: np.ndarray):
    """Closed-form MSE of y = a*x + b: value, gradient, Hessian."""
    a, b = theta
    r = y - a * x - b
    value = np.mean(r**2)
    grad = np.array([np.mean(-2 * x * r), np.mean(-2 * r)])
    hess = np.array([[2 * np.mean(x * x), 2 * np.mean(x)], [2 * np.mean(x), 2.0]])
    return value, grad, hess


# -- shapes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", [(), (4,), (2, 3)])
def test_bowl_has_fixed_shapes_with_constant_hessian_broadcast(bowl: NumericLoss, batch):
    theta = np.arange(np.prod(batch, dtype=int) * 2, dtype=float).reshape(batch + (2,))
    value, grad, hess = bowl.value(theta), bowl.grad(theta), bowl.hess(theta)
    assert value.shape == batch and grad.shape == batch + (2,) and hess.shape == batch + (2, 2)
    np.testing.assert_array_equal(value, (theta**2).sum(axis=-1))
    np.testing.assert_array_equal(grad, 2 * theta)
    np.testing.assert_array_equal(hess, np.broadcast_to(2 * np.eye(2), batch + (2, 2)))


@pytest.mark.parametrize("batch", [(), (3,), (2, 2)])
def test_zero_and_constant_entries_are_broadcast(batch):
    f = compile(Loss.parse("x**2 + 3*y"))  # grad (2x, 3), Hessian [[2, 0], [0, 0]]
    theta = np.ones(batch + (2,))
    np.testing.assert_array_equal(f.grad(theta), np.broadcast_to([2.0, 3.0], batch + (2,)))
    expected = np.broadcast_to([[2.0, 0.0], [0.0, 0.0]], batch + (2, 2))
    np.testing.assert_array_equal(f.hess(theta), expected)
    assert f.hess(theta).dtype == np.float64


def test_parameter_absent_from_the_loss_gets_zero_derivatives():
    f = compile(Loss.parse("x**2", params=["x", "y"]))
    np.testing.assert_array_equal(f.grad([[1.0, 5.0], [2.0, 5.0]]), [[2.0, 0.0], [4.0, 0.0]])
    np.testing.assert_array_equal(f.value(np.zeros((2, 3, 2))), np.zeros((2, 3)))


def test_kinks_give_the_derivative_that_exists_almost_everywhere():
    # d2/dw1^2 |w1| is 2*DiracDelta(w1): zero wherever the second derivative exists
    f = compile(Loss.parse("abs(w1) + w2**2"))
    np.testing.assert_array_equal(f.grad([[-1.5, 1.0], [2.0, 0.5]]), [[-1.0, 2.0], [1.0, 1.0]])
    np.testing.assert_array_equal(f.hess([-1.5, 1.0]), [[0.0, 0.0], [0.0, 2.0]])


def test_integer_and_list_inputs_are_accepted(bowl: NumericLoss):
    assert bowl.value([1, 2]) == 5.0
    np.testing.assert_array_equal(bowl.grad([[1, 2]]), [[2.0, 4.0]])


# -- values of the lecture loss ---------------------------------------------------------------
# (1 - w1*w2)**2: grad [-2 w2 (1 - w1 w2), -2 w1 (1 - w1 w2)],
# Hessian [[2 w2^2, -2 + 4 w1 w2], [-2 + 4 w1 w2, 2 w1^2]]
LECTURE_POINTS = [
    # point, value, gradient, Hessian (worked out by hand from the formulas above)
    ((0.0, 0.0), 1.0, (0.0, 0.0), ((0.0, -2.0), (-2.0, 0.0))),
    ((2.0, 1.0), 1.0, (2.0, 4.0), ((2.0, 6.0), (6.0, 8.0))),
    ((1.0, -1.0), 4.0, (4.0, -4.0), ((2.0, -6.0), (-6.0, 2.0))),
    ((0.5, 2.0), 0.0, (0.0, 0.0), ((8.0, 2.0), (2.0, 0.5))),
]


@pytest.mark.parametrize("point, value, grad, hess", LECTURE_POINTS)
def test_lecture_loss_matches_hand_computed_derivatives(lecture: NumericLoss, point, value,
                                                        grad, hess):
    assert lecture.value(point) == pytest.approx(value)
    np.testing.assert_allclose(lecture.grad(point), grad, atol=1e-15)
    np.testing.assert_allclose(lecture.hess(point), hess, atol=1e-15)


def test_lecture_loss_batch_equals_each_point(lecture: NumericLoss):
    points = np.array([p for p, *_ in LECTURE_POINTS])
    np.testing.assert_allclose(lecture.value(points), [v for _, v, _, _ in LECTURE_POINTS])
    np.testing.assert_allclose(lecture.grad(points), [g for *_, g, _ in LECTURE_POINTS],
                               atol=1e-15)
    np.testing.assert_allclose(lecture.hess(points.reshape(2, 2, 2)),
                               np.array([h for *_, h in LECTURE_POINTS]).reshape(2, 2, 2, 2),
                               atol=1e-15)


def test_numeric_loss_attributes(lecture: NumericLoss):
    assert lecture.params == ("w1", "w2")
    assert lecture.n_params == 2
    assert lecture.n_samples is None
    assert isinstance(lecture.loss, Loss)
    assert lecture.backend == "numpy"
    assert lecture(np.array([2.0, 1.0])) == 1.0


def test_derivatives_are_compiled_only_when_asked_for():
    loss = Loss.parse("(1 - w1*w2)**2")
    f = compile(loss)
    f.value([1.0, 1.0])
    assert "hessian" not in vars(loss) and "gradient" not in vars(loss)
    f.hess([1.0, 1.0])
    assert "hessian" in vars(loss)


# -- data losses --------------------------------------------------------------------------------
def test_data_loss_equals_closed_form_mse(line: NumericLoss, line_data):
    assert line.n_samples == 50 and line.params == ("a", "b")
    theta = np.array([0.7, -1.2])
    value, grad, hess = mse_by_hand(theta, line_data["x"], line_data["y"])
    assert line.value(theta) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(line.grad(theta), grad, rtol=1e-12)
    np.testing.assert_allclose(line.hess(theta), hess, rtol=1e-12)


def test_data_loss_batch_of_thetas_equals_each_theta(line: NumericLoss, line_data):
    thetas = np.random.default_rng(1).normal(size=(2, 3, 2))
    values = line.value(thetas)
    grads = line.grad(thetas)
    hessians = line.hess(thetas)
    assert values.shape == (2, 3) and grads.shape == (2, 3, 2) and hessians.shape == (2, 3, 2, 2)
    for index in np.ndindex(2, 3):
        value, grad, hess = mse_by_hand(thetas[index], line_data["x"], line_data["y"])
        assert values[index] == pytest.approx(value, rel=1e-13)
        np.testing.assert_allclose(grads[index], grad, rtol=1e-12)
        np.testing.assert_allclose(hessians[index], hess, rtol=1e-12)


def test_mini_batch_is_the_mean_over_just_those_samples(line: NumericLoss, line_data):
    theta = np.array([0.3, 0.9])
    batch = np.array([4, 17, 17, 0, 49])
    value, grad, hess = mse_by_hand(theta, line_data["x"][batch], line_data["y"][batch])
    assert line.value(theta, samples=batch) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(line.grad(theta, samples=batch), grad, rtol=1e-12)
    np.testing.assert_allclose(line.hess(theta, samples=batch), hess, rtol=1e-12)


def test_sum_reduction_sums_over_the_selected_samples(line_data):
    f = compile(Loss.from_model("a*x + b", data=line_data, reduction="sum"))
    theta = np.array([1.0, 2.0])
    r = line_data["y"] - theta[0] * line_data["x"] - theta[1]
    assert f.value(theta) == pytest.approx(np.sum(r**2), rel=1e-13)
    assert f.value(theta, samples=[2, 5]) == pytest.approx(r[2]**2 + r[5]**2, rel=1e-13)
    np.testing.assert_allclose(f.hess(theta)[1, 1], 2.0 * 50)


def test_chunking_over_samples_gives_the_same_results(line: NumericLoss, line_data):
    small = compile(line.loss, memory_budget=2_000)  # a few samples per chunk
    thetas = np.random.default_rng(2).normal(size=(5, 2))
    np.testing.assert_allclose(small.value(thetas), line.value(thetas), rtol=1e-13)
    np.testing.assert_allclose(small.grad(thetas), line.grad(thetas), rtol=1e-12)
    np.testing.assert_allclose(small.hess(thetas), line.hess(thetas), rtol=1e-12)


def test_data_loss_never_builds_the_summed_expression(line_data, monkeypatch):
    def refuse(self):
        raise AssertionError("a data loss must not build its N-term sum")

    loss = Loss.from_model("c*tanh(w*x) + b", data=line_data)
    monkeypatch.setattr(Loss, "expr", property(refuse))
    monkeypatch.setattr(Loss, "gradient", property(refuse))
    monkeypatch.setattr(Loss, "hessian", property(refuse))
    f = compile(loss)
    theta = np.array([0.1, 0.5, -0.4])  # b, c, w
    b, c, w = theta
    x, y = line_data["x"], line_data["y"]
    assert f.value(theta) == pytest.approx(np.mean((y - c * np.tanh(w * x) - b) ** 2))
    assert f.hess(theta).shape == (3, 3) and f.hvp(theta, [1.0, 0.0, 0.0]).shape == (3,)


@pytest.mark.parametrize("backend", ["numpy", "symengine"])
def test_cross_entropy_compiles_with_a_stable_log_sum_exp(backend):
    if backend == "symengine":
        pytest.importorskip("symengine")
    rng = np.random.default_rng(8)
    x = rng.normal(size=40)
    labels = (x > 0).astype(int)
    loss = Loss.from_model(["a*x + b", "c*x"], data={"x": x, "y": labels},
                           loss="cross_entropy")
    f = compile(loss, backend=backend)
    a, b, c = 0.4, -0.2, 1.5
    z1, z2 = a * x + b, c * x
    top = np.maximum(z1, z2)
    lse = top + np.log(np.exp(z1 - top) + np.exp(z2 - top))
    assert f.value([a, b, c]) == pytest.approx(np.mean(np.where(labels == 0, lse - z1, lse - z2)))
    # logits of +-1000 stay finite: log(exp(1000) + exp(-1000)) would overflow
    assert np.isfinite(f.value([1000.0, 0.0, -1000.0]))
    assert np.all(np.isfinite(f.hess([1000.0, 0.0, -1000.0])))


def test_small_exact_dataset_compiles_as_a_plain_expression():
    loss = Loss.from_model("w1*w2*x", data={"x": [1], "y": [1]})
    f = compile(loss)
    assert f.n_samples is None
    np.testing.assert_allclose(f.hess([0.0, 0.0]), [[0.0, -2.0], [-2.0, 0.0]])
    with pytest.raises(ValueError, match="substituted"):
        f.value([0.0, 0.0], samples=[0])


# -- Hessian-vector products ----------------------------------------------------------------------
def test_hvp_equals_hessian_times_vector(lecture: NumericLoss):
    theta = np.array([2.0, 1.0])  # Hessian [[2, 6], [6, 8]]
    np.testing.assert_allclose(lecture.hvp(theta, [1.0, -1.0]), [-4.0, -2.0])


def test_hvp_broadcasts_points_against_vectors(lecture: NumericLoss):
    thetas = np.array([[0.0, 0.0], [2.0, 1.0], [1.0, -1.0]])
    v = np.array([1.0, 2.0])
    expected = np.einsum("kij,j->ki", lecture.hess(thetas), v)
    np.testing.assert_allclose(lecture.hvp(thetas, v), expected)
    vs = np.eye(2)
    np.testing.assert_allclose(lecture.hvp(thetas[1], vs), [[2.0, 6.0], [6.0, 8.0]])


CHAIN = " + ".join(f"(w{i}*w{i + 1} - 1)**2" for i in range(1, 12)) + " + w1**4"


def test_hvp_of_many_parameters_uses_a_compiled_product_and_matches():
    f = compile(Loss.parse(CHAIN))
    assert f.n_params == 12
    rng = np.random.default_rng(3)
    thetas, vs = rng.normal(size=(4, 12)), rng.normal(size=(4, 12))
    expected = np.einsum("kij,kj->ki", f.hess(thetas), vs)
    np.testing.assert_allclose(f.hvp(thetas, vs), expected, rtol=1e-12, atol=1e-12)
    assert "hvp" in f._kernels


def test_hvp_of_a_data_loss_with_mini_batch(line_data):
    model = " + ".join(f"c{i}*tanh(w{i}*x + b{i})" for i in range(1, 5)) + " + b0"
    f = compile(Loss.from_model(model, data=line_data))
    assert f.n_params == 13
    rng = np.random.default_rng(4)
    theta, v = rng.normal(size=13), rng.normal(size=13)
    batch = np.arange(0, 50, 3)
    np.testing.assert_allclose(f.hvp(theta, v, samples=batch),
                               f.hess(theta, samples=batch) @ v, rtol=1e-10, atol=1e-12)


# -- backends ----------------------------------------------------------------------------------
def test_symengine_backend_equals_numpy_backend(line_data):
    pytest.importorskip("symengine")
    model = " + ".join(f"c{i}*tanh(w{i}*x + b{i})" for i in range(1, 5)) + " + b0"
    loss = Loss.from_model(model, data=line_data)
    fast, reference = compile(loss, backend="symengine"), compile(loss)
    rng = np.random.default_rng(5)
    thetas, v = rng.normal(size=(2, 3, 13)), rng.normal(size=13)
    batch = np.array([1, 2, 3, 40])
    for method in ("value", "grad", "hess"):
        np.testing.assert_allclose(getattr(fast, method)(thetas), getattr(reference, method)(thetas),
                                   rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(getattr(fast, method)(thetas[0, 0], samples=batch),
                                   getattr(reference, method)(thetas[0, 0], samples=batch),
                                   rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast.hvp(thetas, v), reference.hvp(thetas, v), rtol=1e-10,
                               atol=1e-12)


def test_symengine_backend_keeps_shapes_of_constant_entries():
    pytest.importorskip("symengine")
    f = compile(Loss.parse("x**2 + 3*y"), backend="symengine")
    np.testing.assert_array_equal(f.hess(np.ones((2, 3, 2))),
                                  np.broadcast_to([[2.0, 0.0], [0.0, 0.0]], (2, 3, 2, 2)))
    assert f.value([1.0, 1.0]).shape == ()
    one = compile(Loss.parse("(x - 1)**2"), backend="symengine")
    np.testing.assert_array_equal(one.grad([[0.0], [3.0]]), [[-2.0], [4.0]])


def test_symengine_falls_back_to_numpy_for_what_it_cannot_compile():
    pytest.importorskip("symengine")
    w1, w2 = sp.symbols("w1 w2", real=True)
    f = compile(Loss(sp.Heaviside(w1) * w2**2), backend="symengine")
    with pytest.warns(RuntimeWarning, match="using the numpy backend"):
        value = f.value([[1.0, 3.0], [-1.0, 3.0]])
    np.testing.assert_array_equal(value, [9.0, 0.0])


def test_missing_symengine_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "symengine", None)
    with pytest.raises(ImportError, match=r'pip install "symopt\[fast\]"'):
        compile(Loss.parse("x**2"), backend="symengine")


# -- validation ----------------------------------------------------------------------------------
def test_wrong_last_dimension_names_both_numbers_and_the_parameters(lecture: NumericLoss):
    with pytest.raises(ValueError, match=r"last dimension 3 .* 2 parameter\(s\) \(w1, w2\)"):
        lecture.grad([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"single number .* \(w1, w2\)"):
        lecture.value(1.0)


@pytest.mark.parametrize("theta", [["a", "b"], [1 + 2j, 0.0], [None, 1.0]])
def test_non_numeric_theta_is_a_type_error(lecture: NumericLoss, theta):
    with pytest.raises(TypeError, match="real numbers"):
        lecture.value(theta)


def test_hvp_vector_is_validated(lecture: NumericLoss):
    with pytest.raises(ValueError, match=r"v has last dimension 3"):
        lecture.hvp([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="do not broadcast"):
        lecture.hvp(np.zeros((3, 2)), np.zeros((4, 2)))


def test_samples_out_of_range_says_the_valid_range(line: NumericLoss):
    with pytest.raises(IndexError, match=r"index 50 is out of range.*50 samples.*0\.\.49"):
        line.value([0.0, 0.0], samples=[3, 50])
    with pytest.raises(IndexError, match="index -1"):
        line.grad([0.0, 0.0], samples=[-1])


@pytest.mark.parametrize("samples, error, message", [
    ([0.5, 1.0], TypeError, "integer indices"),
    (np.ones(50, dtype=bool), TypeError, "flatnonzero"),
    ([], TypeError, "integer indices"),
    (np.array([], dtype=int), ValueError, "empty"),
    ([[0, 1]], ValueError, "1-D"),
])
def test_bad_samples_are_rejected(line: NumericLoss, samples, error, message):
    with pytest.raises(error, match=message):
        line.value([0.0, 0.0], samples=samples)


def test_samples_for_a_plain_loss_are_rejected(lecture: NumericLoss):
    with pytest.raises(ValueError, match="plain expression"):
        lecture.value([0.0, 0.0], samples=[0])


def test_compile_rejects_unknown_backend_and_non_loss():
    with pytest.raises(ValueError, match="backend='torch' is not known"):
        compile(Loss.parse("x**2"), backend="torch")
    with pytest.raises(TypeError, match="Loss.parse"):
        compile("x**2")  # type: ignore[arg-type]


def test_a_complex_derivative_entry_is_nan_not_its_real_part():
    # d/dx (-2)**x = (-2)**x log(-2) = (-2)**x (log 2 + i pi): at x = 2 that is 4 log 2 + 4 pi i,
    # not a real number, so the real loss has no derivative there; its real part 4 log 2 must
    # not come out as if it were one. d/dy = 1 and the value 4 + y are real.
    f = compile(Loss.parse("(-2)**x + y"))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad = f.grad([[2.0, 0.5], [3.0, 0.0]])
        value = f.value([2.0, 0.5])
    assert np.isnan(grad[:, 0]).all() and grad[:, 1].tolist() == [1.0, 1.0]
    assert value == 4.5


def test_grad_is_written_contiguous_in_batch_then_parameter_order(lecture: NumericLoss):
    theta = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 1.0]])
    grad = lecture.grad(theta)
    assert grad.flags["C_CONTIGUOUS"] and grad.shape == (3, 2)
    # lecture loss (1 - w1 w2)^2: grad = -2 (1 - w1 w2) (w2, w1)
    r = 1 - theta[:, 0] * theta[:, 1]
    np.testing.assert_array_equal(grad, -2 * r[:, None] * theta[:, ::-1])


def _tanh_net(hidden: int, samples: int) -> Loss:
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 2, size=samples)
    model = " + ".join(f"c{k}*tanh(w{k}*x + b{k})" for k in range(1, hidden + 1)) + " + b0"
    return Loss.from_model(model, data={"x": x, "y": np.sin(2 * x)}, target="y")


def _tanh_net_hessian_by_hand(loss: Loss, theta: np.ndarray) -> np.ndarray:
    """MSE Hessian of sum_k c_k tanh(w_k x + b_k) + b0, from its Jacobian J and the residual:
    H = 2 mean(J J^T - r d2f), with d2f the model's second derivatives written out."""
    names = [p.name for p in loss.params]
    index = {name: i for i, name in enumerate(names)}
    x, y = loss.data["x"], loss.data["y"]
    hidden = (len(names) - 1) // 3
    n = len(names)
    jac = np.zeros((len(x), n))
    d2 = np.zeros((len(x), n, n))
    r = y - theta[index["b0"]]
    jac[:, index["b0"]] = 1.0
    for k in range(1, hidden + 1):
        w, b, c = index[f"w{k}"], index[f"b{k}"], index[f"c{k}"]
        t = np.tanh(theta[w] * x + theta[b])
        s = 1 - t**2                        # tanh'
        s2 = -2 * t * s                     # tanh''
        r -= theta[c] * t
        jac[:, c], jac[:, w], jac[:, b] = t, theta[c] * s * x, theta[c] * s
        for i, j, value in [(c, w, s * x), (c, b, s), (w, w, theta[c] * s2 * x * x),
                            (w, b, theta[c] * s2 * x), (b, b, theta[c] * s2)]:
            d2[:, i, j] = d2[:, j, i] = value
    # residual e = y - f: d2(e^2)/2 = J J^T - e d2f
    return 2 * (np.einsum("mi,mj->ij", jac, jac) - np.einsum("m,mij->ij", r, d2)) / len(x)


def test_large_hessians_are_symbolic_through_symengine_and_exact():
    pytest.importorskip("symengine")
    loss = _tanh_net(hidden=7, samples=40)                  # 22 parameters
    f = compile(loss)
    assert f.n_params == 22 and f.hessian_method == "symbolic (symengine)"
    theta = np.random.default_rng(0).normal(size=22)
    np.testing.assert_allclose(f.hess(theta), _tanh_net_hessian_by_hand(loss, theta),
                               rtol=1e-12, atol=1e-13)
    v = np.arange(22.0)
    np.testing.assert_allclose(f.hvp(theta, v), f.hess(theta) @ v, rtol=1e-12, atol=1e-12)


def test_past_the_symbolic_size_hess_is_autodiff_and_says_so(monkeypatch):
    pytest.importorskip("jax")
    import symopt.numeric as numeric
    loss = _tanh_net(hidden=2, samples=30)                  # 7 parameters
    f = compile(loss)
    assert f.hessian_method == "symbolic (sympy)"
    theta = np.random.default_rng(1).normal(size=(3, 7))
    symbolic = f.hess(theta)
    monkeypatch.setattr(numeric, "SYMBOLIC_HESSIAN_MAX", 5)
    assert f.hessian_method == "autodiff (jax)"
    np.testing.assert_allclose(f.hess(theta), symbolic, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f.hess(theta[0]), _tanh_net_hessian_by_hand(loss, theta[0]),
                               rtol=1e-12, atol=1e-14)
    v = np.ones(7)
    np.testing.assert_allclose(f.hvp(theta, v), symbolic @ v, rtol=1e-12, atol=1e-13)


def test_numeric_does_not_import_gradcheck():
    import subprocess
    import sys
    from pathlib import Path
    code = "import sys, symopt.numeric; print('symopt.gradcheck' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# -- gradients of MSE data losses in matrix form ---------------------------------------------
def _tanh_network_gradient(theta: np.ndarray, x: np.ndarray, y: np.ndarray,
                           mean: bool) -> np.ndarray:
    """By hand: L = sum_i (y_i - b0 - sum_k c_k tanh(w_k x_i + b_k))^2 (/ N), for
    theta = (b0, b1, b2, c1, c2, w1, w2) as Loss orders them (sorted names)."""
    b0, b1, b2, c1, c2, w1, w2 = theta
    t1, t2 = np.tanh(w1 * x + b1), np.tanh(w2 * x + b2)
    r = y - b0 - c1 * t1 - c2 * t2
    d1, d2 = c1 * (1 - t1 ** 2), c2 * (1 - t2 ** 2)
    g = -2 * np.array([r.sum(), (r * d1).sum(), (r * d2).sum(), (r * t1).sum(),
                       (r * t2).sum(), (r * d1 * x).sum(), (r * d2 * x).sum()])
    return g / len(x) if mean else g


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_gradient_in_matrix_form_equals_the_hand_derived_gradient(reduction):
    rng = np.random.default_rng(3)
    x = rng.uniform(-2.0, 2.0, size=20_000)          # more samples than one chunk holds
    y = np.sin(2 * x) + 0.1 * rng.normal(size=x.size)
    loss = Loss.from_model("c1*tanh(w1*x + b1) + c2*tanh(w2*x + b2) + b0",
                           data={"x": x, "y": y}, reduction=reduction)
    assert [p.name for p in loss.params] == ["b0", "b1", "b2", "c1", "c2", "w1", "w2"]
    f = compile(loss)
    thetas = rng.normal(size=(3, 7))
    mean = reduction == "mean"
    expected = np.array([_tanh_network_gradient(t, x, y, mean) for t in thetas])
    np.testing.assert_allclose(f.grad(thetas[0]), expected[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(f.grad(thetas), expected, rtol=1e-12, atol=1e-12)
    picked = rng.choice(x.size, size=37, replace=False)
    np.testing.assert_allclose(f.grad(thetas[1], samples=picked),
                               _tanh_network_gradient(thetas[1], x[picked], y[picked], mean),
                               rtol=1e-12, atol=1e-12)


def test_mse_gradient_in_matrix_form_for_a_linear_model_and_one_sample(line_data):
    # d model / dw = x depends on the data only and d model / db = 1 on nothing: both
    # shapes of Jacobian column, for a batch of points and for a mini-batch of one sample
    x, y = line_data["x"], line_data["y"]
    f = compile(Loss.from_model("w*x + b", data=line_data, params=["w", "b"]))
    thetas = np.array([[1.5, -0.5], [0.0, 2.0], [-1.0, 0.25]])
    w, b = thetas[:, :1], thetas[:, 1:]
    r = 2 * (w * x + b - y)
    np.testing.assert_allclose(f.grad(thetas),
                               np.stack([(r * x).mean(axis=1), r.mean(axis=1)], axis=-1),
                               rtol=1e-13)
    np.testing.assert_allclose(f.grad(thetas, samples=[4]),
                               np.stack([r[:, 4] * x[4], r[:, 4]], axis=-1), rtol=1e-13)
