"""The lecture's worked example end to end (LECTURE.md section 2), from model and data.

Every expected value below is the lecture's hand derivation (with its errata corrected):
L = (1 - w1*w2)**2, gradient [-2*w2*(1 - w1*w2), -2*w1*(1 - w1*w2)], d2L/dw1^2 = 2*w2**2,
d2L/dw1dw2 = -2 + 4*w1*w2, H(0, 0) = [[0, -2], [-2, 0]] with eigenvalues -2 and 2, the
escape direction u = (1, 1) belongs to lambda = -2, and w1*w2 = 1 is a curve of minima.
"""

import pytest
import sympy as sp

import symopt as so

w1, w2 = sp.symbols("w1 w2", real=True)


@pytest.fixture(scope="module")
def loss():
    return so.Loss.from_model("w1*w2*x", data={"x": [1], "y": [1]}, target="y", loss="mse",
                              params=["w1", "w2"])


@pytest.fixture(scope="module")
def analysis(loss):
    return so.critical_points(loss)


def test_model_and_data_give_the_lecture_loss(loss):
    assert loss.params == (w1, w2)
    assert sp.expand(loss.expr - (1 - w1 * w2) ** 2) == 0
    assert loss.expr == (1 - w1 * w2) ** 2


def test_gradient_is_the_corrected_one(loss):
    expected = sp.Matrix([-2 * w2 * (1 - w1 * w2), -2 * w1 * (1 - w1 * w2)])
    assert (loss.gradient - expected).applyfunc(sp.expand) == sp.zeros(2, 1)


def test_second_derivatives(loss):
    h = loss.hessian
    assert sp.expand(h[0, 0] - 2 * w2 ** 2) == 0
    assert sp.expand(h[1, 1] - 2 * w1 ** 2) == 0
    assert sp.expand(h[0, 1] - (-2 + 4 * w1 * w2)) == 0
    assert h[0, 1] == h[1, 0]
    assert h.subs({w1: 0, w2: 0}) == sp.Matrix([[0, -2], [-2, 0]])


def test_origin_is_a_saddle_escaping_along_1_1_with_eigenvalue_minus_2(analysis):
    assert analysis.complete
    assert len(analysis.points) == 1
    origin = analysis.points[0]
    assert origin.coords == (0, 0)
    assert origin.kind is so.Kind.SADDLE and origin.degenerate is False
    assert sorted(origin.eigenvalues) == [-2, 2]
    assert origin.value == 1
    assert origin.escape_directions == ((sp.sqrt(2) / 2, sp.sqrt(2) / 2),)
    assert origin.negative_eigenvalues == (-2,)
    # the second-order prediction L(p + a*u) ~ 1 - a**2 along u = (1, 1)/sqrt(2)
    assert origin.predicted_loss(0.1) == pytest.approx(1 - 0.01)


def test_the_curve_w1_w2_equals_1_is_a_family_of_global_minima(analysis):
    assert len(analysis.families) == 1
    family = analysis.families[0]
    assert sp.expand(family.equations[0] - (w1 * w2 - 1)) == 0 or sp.expand(family.equations[0] + (w1 * w2 - 1)) == 0
    assert family.dimension == 1
    assert family.kind is so.Kind.MINIMUM
    assert family.global_minimum and family.value == 0
    for point in family.sample_points:
        assert point[0] * point[1] == 1


def test_sympy_nonlinsolve_misses_the_saddle_that_symopt_finds(loss, analysis):
    # the reason symopt has its own solver (the motivating example)
    solutions = sp.nonlinsolve(list(loss.gradient), [w1, w2])
    listed = [s for s in solutions if all(c.is_number for c in s)]
    assert (0, 0) not in [tuple(s) for s in listed]
    assert analysis.points[0].coords == (0, 0)
