"""Tests of symopt.gradcheck: user gradients against exact ones, compiled derivatives
against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import symopt
from symopt.gradcheck import FiniteDifferenceCheck, GradientCheck
from symopt.loss import Loss
from symopt.gradcheck import check_finite_differences, check_gradient
from symopt.numeric import compile


@pytest.fixture(scope="module")
def lecture() -> Loss:
    return Loss.parse("(1 - w1*w2)**2")


def lecture_grad(t):
    """Hand-written gradient of (1 - w1*w2)**2."""
    w1, w2 = t
    return np.array([-2 * w2 * (1 - w1 * w2), -2 * w1 * (1 - w1 * w2)])


def lecture_grad_batch(t):
    w1, w2 = t[:, 0], t[:, 1]
    return np.stack([-2 * w2 * (1 - w1 * w2), -2 * w1 * (1 - w1 * w2)], axis=1)


def forgets_w1(t):
    """Wrong in coordinate w2: -2*(1 - w1*w2) instead of -2*w1*(1 - w1*w2)."""
    w1, w2 = t
    return [-2 * w2 * (1 - w1 * w2), -2 * (1 - w1 * w2)]


# -- check_gradient ---------------------------------------------------------------------------
def test_correct_gradient_passes(lecture: Loss):
    check = check_gradient(lecture, lecture_grad)
    assert isinstance(check, GradientCheck)
    assert check.ok
    assert check.n_points == 20 and check.points.shape == (20, 2)
    assert np.all(np.abs(check.points) <= 2.0)
    assert check.max_abs_error < 1e-12
    assert "passed" in str(check)


def test_public_names_are_exported():
    assert symopt.check_gradient is check_gradient
    assert symopt.check_finite_differences is check_finite_differences
    assert symopt.compile is compile


def test_wrong_gradient_is_caught_in_the_right_coordinate(lecture: Loss):
    check = check_gradient(lecture, forgets_w1)
    assert not check.ok
    assert check.worst_index[1] == 1  # w2
    # only coordinate w2 is wrong: coordinate w1 errors are zero
    np.testing.assert_array_equal(check.abs_errors[:, 0], 0.0)
    assert check.max_abs_error == pytest.approx(np.max(check.abs_errors[:, 1]))
    text = check.report()
    assert "FAILED" in text and "coordinate w2 (index 1)" in text
    p = check.worst_index[0]
    np.testing.assert_array_equal(check.worst_point, check.points[p])
    assert f"point {p}" in text


def test_error_at_one_point_and_coordinate_is_located_exactly(lecture: Loss):
    points = [[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]]

    def off_at_third_point(t):
        g = lecture_grad(t)
        if t[0] == 3.0:
            g[0] += 0.5
        return g

    check = check_gradient(lecture, off_at_third_point, points)
    assert not check.ok
    assert check.worst_index == (2, 0)
    np.testing.assert_array_equal(check.worst_point, [3.0, 1.0])
    assert check.max_abs_error == pytest.approx(0.5)
    np.testing.assert_allclose(check.point_errors, [0.0, 0.0, 0.5])
    # exact gradient at (3, 1): [-2*1*(1-3), -2*3*(1-3)] = [4, 12]
    np.testing.assert_allclose(check.expected[2], [4.0, 12.0])
    np.testing.assert_allclose(check.actual[2], [4.5, 12.0])
    assert check.max_rel_error == pytest.approx(0.5 / 4.5)
    np.testing.assert_array_equal(check.failed_points, [2])
    assert "expected 4, got 4.5" in check.report()
    assert "point 2: (w1=3, w2=1)" in check.report()


def test_tolerances_decide_ok(lecture: Loss):
    def slightly_off(t):
        return lecture_grad(t) * (1 + 1e-7)

    assert check_gradient(lecture, slightly_off, rtol=1e-6).ok
    assert not check_gradient(lecture, slightly_off, rtol=1e-8, atol=0.0).ok


def test_batch_functions_and_lists_are_accepted(lecture: Loss):
    assert check_gradient(lecture, lecture_grad_batch).ok
    assert check_gradient(lecture, lecture_grad_batch, vectorized=True).ok
    assert check_gradient(lecture, lambda t: list(lecture_grad(t))).ok
    assert check_gradient(lecture, lambda t: lecture_grad(t).reshape(2, 1)).ok


def test_single_point_and_compiled_loss_are_accepted(lecture: Loss):
    check = check_gradient(compile(lecture), lecture_grad, [2.0, 1.0])
    assert check.ok and check.points.shape == (1, 2)
    np.testing.assert_allclose(check.expected, [[2.0, 4.0]])


def test_one_parameter_gradient_may_be_a_scalar():
    loss = Loss.parse("x**3")
    assert check_gradient(loss, lambda t: 3 * t[0] ** 2).ok


def test_seed_and_box_choose_the_points(lecture: Loss):
    a = check_gradient(lecture, lecture_grad, n_points=5, box=0.5, seed=3)
    b = check_gradient(lecture, lecture_grad, n_points=5, box=0.5, seed=3)
    np.testing.assert_array_equal(a.points, b.points)
    assert a.points.shape == (5, 2) and np.all(np.abs(a.points) <= 0.5)


def test_data_loss_gradient_by_hand_passes_and_mini_batch_is_respected():
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, 40)
    y = 2 * x + 1 + 0.1 * rng.normal(size=40)
    loss = Loss.from_model("a*x + b", data={"x": x, "y": y})

    def grad_over(index):
        def grad(t):
            r = y[index] - t[0] * x[index] - t[1]
            return [np.mean(-2 * x[index] * r), np.mean(-2 * r)]
        return grad

    everything = np.arange(40)
    assert check_gradient(loss, grad_over(everything)).ok
    batch = np.array([1, 5, 9])
    assert check_gradient(loss, grad_over(batch), samples=batch).ok
    assert not check_gradient(loss, grad_over(everything), samples=batch).ok


def test_nan_from_user_gradient_fails(lecture: Loss):
    check = check_gradient(lecture, lambda t: [np.nan, 0.0], [[1.0, 1.0]])
    assert not check.ok and check.worst_index == (0, 0)


# -- bad user functions ---------------------------------------------------------------------------
def test_raising_user_gradient_gets_a_clear_error(lecture: Loss):
    def broken(t):
        return [1 / 0, 0.0]

    with pytest.raises(ValueError, match=r"user_grad raised ZeroDivisionError.*shape \(2,\)") as info:
        check_gradient(lecture, broken)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_wrong_shape_names_what_was_expected(lecture: Loss):
    with pytest.raises(ValueError, match=r"returned shape \(3,\).*expected \(2,\)"):
        check_gradient(lecture, lambda t: [0.0, 0.0, 0.0], vectorized=False)
    with pytest.raises(ValueError, match=r"returned shape \(3,\).*shape \(k, 2\)"):
        check_gradient(lecture, lambda t: [0.0, 0.0, 0.0])


def test_non_numeric_return_is_a_type_error(lecture: Loss):
    with pytest.raises(TypeError, match="returned None"):
        check_gradient(lecture, lambda t: None)
    with pytest.raises(TypeError, match="not an array of real numbers"):
        check_gradient(lecture, lambda t: ["a", "b"], vectorized=False)


def test_bad_arguments_are_rejected(lecture: Loss):
    with pytest.raises(TypeError, match="must be a function"):
        check_gradient(lecture, [1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"shape \(k, 2\).*\(w1, w2\)"):
        check_gradient(lecture, lecture_grad, [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="n_points"):
        check_gradient(lecture, lecture_grad, n_points=0)
    with pytest.raises(ValueError, match="rtol"):
        check_gradient(lecture, lecture_grad, rtol=-1.0)
    with pytest.raises(TypeError, match="Loss or NumericLoss"):
        check_gradient("x**2", lecture_grad)  # type: ignore[arg-type]


# -- check_finite_differences ----------------------------------------------------------------------
@pytest.mark.parametrize("text", ["(1 - w1*w2)**2", "exp(w1) * sin(w2) + w3**4",
                                  "log(1 + w1**2) * cos(w2)"])
def test_finite_differences_pass_for_compiled_functions(text: str):
    check = check_finite_differences(compile(Loss.parse(text)))
    assert isinstance(check, FiniteDifferenceCheck)
    assert check.ok, check.report()
    assert check.hessian is not None and check.hessian.expected.shape[1:] == (check.gradient.points.shape[1],) * 2
    assert "gradient check passed" in str(check) and "Hessian check passed" in str(check)


def test_finite_differences_pass_for_a_data_loss_and_mini_batch():
    rng = np.random.default_rng(12)
    x = rng.uniform(-2, 2, 30)
    loss = Loss.from_model("c*tanh(w*x + b)", data={"x": x, "y": np.sin(x)})
    f = compile(loss)
    assert check_finite_differences(f, n_points=5).ok
    assert check_finite_differences(f, n_points=5, samples=[0, 4, 4, 29]).ok
    assert check_finite_differences(loss, n_points=3, hessian=False).hessian is None


class _WrongHessian:
    """A compiled lecture loss whose Hessian entry (w1, w2) misses the constant -2."""

    def __init__(self):
        self.inner = compile(Loss.parse("(1 - w1*w2)**2"))
        self.n_params, self.params = 2, ("w1", "w2")
        self.value, self.grad = self.inner.value, self.inner.grad

    def hess(self, theta):
        h = self.inner.hess(theta).copy()
        h[..., 0, 1] += 2.0
        return h


def test_finite_differences_catch_a_wrong_hessian_entry():
    check = check_finite_differences(_WrongHessian(), [[0.5, 0.5], [1.0, 2.0]])
    assert check.gradient.ok and not check.ok
    assert check.hessian.worst_index[1:] == (0, 1)
    assert check.hessian.max_abs_error == pytest.approx(2.0, rel=1e-6)
    assert "entry (w1, w2) (index [0, 1])" in check.report()


def test_finite_differences_catch_a_wrong_gradient():
    f = _WrongHessian()
    f.grad = lambda theta: f.inner.grad(theta) * np.array([1.0, 1.1])
    check = check_finite_differences(f, [[1.0, 2.0]], hessian=False)
    assert not check.ok and check.gradient.worst_index == (0, 1)


def test_finite_difference_steps(lecture: Loss):
    f = compile(lecture)
    default = check_finite_differences(f, [[0.0, 3.0]])
    eps3 = np.finfo(float).eps ** (1 / 3)
    np.testing.assert_allclose(default.steps, [[eps3, 3 * eps3]])
    assert check_finite_differences(f, [[0.0, 3.0]], h=1e-4).ok
    np.testing.assert_array_equal(check_finite_differences(f, [[1.0, 1.0]], h=[1e-4, 1e-5]).steps,
                                  [[1e-4, 1e-5]])
    with pytest.raises(ValueError, match="positive"):
        check_finite_differences(f, h=0.0)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        check_finite_differences(f, h=[1e-4, 1e-4, 1e-4])
