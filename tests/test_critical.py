"""critical_points beyond the validation set: degenerate cases, families, non-polynomial
losses, time budgets.  Expected values are derived by hand in each test's comment."""

import threading

import numpy as np
import pytest
import sympy as sp

import symopt as so
from symopt.polysolve import t

x, y, z = sp.symbols("x y z", real=True)


def analyse(text, **kw):
    return so.critical_points(so.Loss.parse(text), **kw)


def test_six_hump_camel_has_15_points_6_minima_2_maxima_7_saddles():
    # sympy.solve returns 1 of these 15; the published global minima are
    # (0.0898, -0.7126) and (-0.0898, 0.7126) with value -1.0316
    cs = analyse("4*x**2 - 21/10*x**4 + x**6/3 + x*y - 4*y**2 + 4*y**4")
    assert cs.complete and len(cs.points) == 15
    assert (len(cs.minima), len(cs.maxima), len(cs.saddles)) == (6, 2, 7)
    best = min(cs.minima, key=lambda p: p.numeric_value)
    assert best.numeric_value == pytest.approx(-1.031628453489877, abs=1e-12)
    assert abs(best.numeric[0]) == pytest.approx(0.08984201310031806, abs=1e-12)


def test_x2_minus_y4_is_a_saddle_without_negative_eigenvalue():
    (p,) = analyse("x**2 - y**4").points
    assert p.kind is so.Kind.SADDLE and p.degenerate
    assert p.escape_directions == ()
    assert sorted(p.eigenvalues) == [0, 2]
    # descent along the y axis: L(0, t) = -t**4
    assert p.descent_curve == (0, t) or p.descent_curve == (0, -t)
    assert "negative" not in p.reason or "semidefinite" in p.reason


def test_monkey_saddle_and_x_cubed():
    (p,) = analyse("x**3 - 3*x*y**2").points
    assert p.kind is so.Kind.SADDLE and p.eigenvalues == (0, 0)
    (q,) = analyse("x**3").points
    assert q.kind is so.Kind.SADDLE and q.degenerate


def test_quartic_minimum_and_positive_definite_quartic_form():
    assert analyse("x**4 + y**4").points[0].kind is so.Kind.MINIMUM
    # x**4 - x**2*y**2 + y**4 = (x**2 - y**2/2)**2 + 3*y**4/4 > 0 away from 0
    assert analyse("x**4 - x**2*y**2 + y**4").points[0].kind is so.Kind.MINIMUM
    # -(x**4 + y**4) + 0: a degenerate maximum
    assert analyse("-x**4 - y**4").points[0].kind is so.Kind.MAXIMUM


def test_peano_surface_is_a_saddle_with_a_descent_curve():
    # (x - y**2)(x - 3*y**2): minimum along every line through 0, yet a saddle:
    # on x = 2*y**2 the loss is -y**4
    (p,) = analyse("(x - y**2)*(x - 3*y**2)").points
    assert p.kind is so.Kind.SADDLE
    loss = so.Loss.parse("(x - y**2)*(x - 3*y**2)")
    along = sp.expand(loss.expr.xreplace(dict(zip(loss.params, p.descent_curve))))
    assert sp.Poly(along, t).terms()[-1][1] < 0  # lowest-order coefficient negative


def test_three_factor_product_has_a_surface_of_minima_and_three_lines_of_saddles():
    # (1 - w1*w2*w3)**2: w1*w2*w3 = 1 (global minima) and the coordinate axes, where
    # two weights vanish: at (a, 0, 0) the Hessian has eigenvalues 0 and +-2a
    cs = analyse("(1 - w1*w2*w3)**2")
    assert cs.complete and cs.points == ()
    kinds = sorted((f.dimension, f.kind.value) for f in cs.families)
    assert kinds == [(1, "saddle"), (1, "saddle"), (1, "saddle"), (2, "minimum")]
    surface = next(f for f in cs.families if f.dimension == 2)
    assert surface.global_minimum


def test_sum_of_squares_hypersurface_is_only_its_real_point():
    # (x**2 + y**2)**2: the gradient vanishes on x**2 + y**2 = 0, whose only real
    # point is the origin (a minimum); x**2 + y**2 >= 0 evidently, so every real zero is
    # one of its own critical points and the list is complete
    cs = analyse("(x**2 + y**2)**2")
    assert [p.coords for p in cs.points] == [(0, 0)]
    assert cs.points[0].kind is so.Kind.MINIMUM
    assert cs.complete is True and cs.families == ()


def test_hypersurface_of_unknown_sign_is_not_called_complete():
    # q = x**4 - 2*x**2*y**2 + y**4 + 1 = (x**2 - y**2)**2 + 1 > 0, but in this expanded
    # form it is neither shown to change sign nor evidently one-signed (mixed signs), so
    # completeness is not claimed.  L = q**2 >= 1 with equality where x**2 = y**2: the
    # lines x = y and x = -y are global minima (grad L = 2 q grad q, grad q = 0 there)
    cs = analyse("(x**4 - 2*x**2*y**2 + y**4 + 1)**2")
    assert cs.complete is False and cs.notes
    assert sorted(str(f.equations[0]) for f in cs.families) == ["x + y", "x - y"]
    for f in cs.families:  # minima away from the origin; nothing there claims otherwise
        for point in ((1, 1), (-2, -2), (3, -3)):
            subs = dict(zip((x, y), point))
            if f.equations[0].xreplace(subs) == 0:
                (piece,) = [p for p in f.pieces if bool(p.condition.xreplace(subs))]
                assert piece.kind is so.Kind.MINIMUM
        assert {p.kind for p in f.pieces} <= {so.Kind.MINIMUM, so.Kind.INCONCLUSIVE}


def test_one_dimensional_double_well():
    cs = analyse("(x**2 - 1)**2")
    assert [(p.coords, p.kind.value) for p in cs.points] == [
        ((-1,), "minimum"), ((0,), "maximum"), ((1,), "minimum")]


def test_rational_loss_drops_points_outside_the_domain():
    # 1/(1 + x**2 + y**2): one maximum at the origin
    cs = analyse("1/(1 + x**2 + y**2)")
    assert [(p.coords, p.kind.value) for p in cs.points] == [((0, 0), "maximum")]


def test_non_polynomial_exact_point_is_verified_and_not_called_complete():
    cs = analyse("exp(x) - x + y**2")
    assert cs.complete is False and "Newton" in cs.method
    (p,) = cs.points
    assert p.coords == (0, 0) and p.exact and p.kind is so.Kind.MINIMUM


def test_non_polynomial_multistart_newton_finds_every_point_in_the_box():
    # sin(x) + cos(y): cos x = 0 and sin y = 0; in [-5, 5]^2: x in {+-pi/2, +-3pi/2},
    # y in {0, +-pi}; Hessian diag(-sin x, -cos y)
    cs = analyse("sin(x) + cos(y)")
    assert len(cs.points) == 12
    for p in cs.points:
        px, py = p.numeric
        assert np.cos(px) == pytest.approx(0, abs=1e-12) and np.sin(py) == pytest.approx(0, abs=1e-12)
        signs = (-np.sin(px) > 0, -np.cos(py) > 0)
        expected = {(True, True): "minimum", (False, False): "maximum"}.get(signs, "saddle")
        assert p.kind.value == expected


def test_box_argument_is_validated():
    with pytest.raises(ValueError, match="box"):
        analyse("sin(x) + y**2", box=[(1, 0), (0, 1)])


def test_timeout_ends_the_analysis_with_an_honest_status():
    # a system far beyond a one-second budget; the wall time is measured in
    # benchmarks/bench_budget.py, not asserted here
    text = ("(x**7 + 3*x**3*y**2 - 5*y**5*z + 7*z**6 - x*y*z + 2)**2"
            " + (y**7 - 2*x**4*z**2 + x*y**3 + 5*z - 1)**2 + (z**5*x**2 - y + 3*x**3 - 4)**2")
    threads = threading.active_count()
    cs = analyse(text, timeout=1.0)
    assert cs.complete is False and cs.status == "timeout"
    assert threading.active_count() == threads  # nothing of the analysis keeps running


def test_text_input_and_json_facts():
    cs = so.critical_points("x**2 - y**2")
    facts = cs.to_dict()
    assert facts["complete"] is True
    assert facts["points"][0]["kind"] == "saddle"
    assert facts["points"][0]["escape_directions"] == [["0", "1"]]


def test_classify_point_checks_the_gradient_and_classifies():
    loss = so.Loss.parse("(1 - w1*w2)**2")
    p = so.classify_point(loss, ["1", "1"])  # on the curve of minima: eigenvalues 0 and 4
    assert sorted(p.eigenvalues) == [0, 4] and p.degenerate
    q = so.classify_point(loss, [0, 0])
    assert q.kind is so.Kind.SADDLE
    with pytest.raises(ValueError, match="not a critical point"):
        so.classify_point(loss, [1, 2])
    with pytest.raises(ValueError, match="2 parameter"):
        so.classify_point(loss, [1])


def test_a_saddle_without_negative_eigenvalue_says_so():
    (p,) = analyse("x**2 + y**3").points
    assert "no negative eigenvalue" in p.reason and p.descent_curve is not None


def test_notebook_reprs_show_the_loss_and_the_points():
    loss = so.Loss.parse("(1 - w1*w2)**2")
    # the loss as it was written: (1 - w1*w2)**2
    assert loss._repr_latex_() == r"$\displaystyle L(w_{1}, w_{2}) = \left(1 - w_{1} w_{2}\right)^{2}$"
    table = so.critical_points(loss)._repr_markdown_()
    assert "saddle" in table and r"w_{1} w_{2} - 1 = 0" in table


def test_one_parameter_cubic_gradient_with_three_irrational_roots():
    # L' = 4x**3 - 4x + 1/3 = (4/12)(12x**3 - 12x + 1): three real irrational roots;
    # L'' = 12x**2 - 4 alternates in sign across them: minimum, maximum, minimum
    cs = analyse("x**4 - 2*x**2 + x/3")
    assert cs.complete
    assert [p.kind.value for p in cs.points] == ["minimum", "maximum", "minimum"]
    for p in cs.points:
        (c,) = p.numeric
        assert 12 * c ** 3 - 12 * c + 1 == pytest.approx(0, abs=1e-12)
        assert isinstance(p.coords[0], sp.CRootOf)


def test_irrational_and_rational_coordinates_mixed():
    # (x**2 - 2)**2 + (y - 1)**2: minima at (+-sqrt(2), 1), a saddle at (0, 1)
    cs = analyse("(x**2 - 2)**2 + (y - 1)**2")
    assert [(p.coords, p.kind.value) for p in cs.points] == [
        ((-sp.sqrt(2), 1), "minimum"), ((0, 1), "saddle"), ((sp.sqrt(2), 1), "minimum")]


def test_kinks_do_not_break_the_newton_search():
    # relu(x - 1) + (x - 3)**2 + y**2: smooth near its minimum x = 3 - 1/2
    cs = analyse("relu(x - 1) + (x - 3)**2 + y**2")
    assert [(p.numeric, p.kind.value) for p in cs.points] == [((2.5, 0.0), "minimum")]


def test_family_value_with_rational_coefficients():
    # model w1*w2*x on (1, 1), (2, 3): L = ((1 - u)**2 + (3 - 2u)**2)/2 with u = w1*w2,
    # minimised at u = 7/5 where L = ((-2/5)**2 + (1/5)**2)/2 = 1/10
    loss = so.Loss.from_model("w1*w2*x", data={"x": [1, 2], "y": [1, 3]})
    (family,) = so.critical_points(loss).families
    assert family.value == sp.Rational(1, 10) and family.global_minimum


# -- honest status ---------------------------------------------------------------------------
def test_status_is_an_enum_and_complete_follows_it():
    cs = analyse("x**2 - y**2")
    assert cs.status is so.Status.COMPLETE and cs.complete is True
    assert cs.status == "complete"  # a str Enum: old comparisons keep working
    assert {s.value for s in so.Status} == {"complete", "incomplete", "timeout",
                                            "algorithm_failure", "unsupported"}


def test_a_status_given_as_text_is_deprecated_but_accepted():
    cs = analyse("x**2")
    with pytest.warns(DeprecationWarning, match="Status.TIMEOUT"):
        old = so.CriticalSet(loss=cs.loss, points=(), families=(), method="none",
                             status="timeout")
    assert old.status is so.Status.TIMEOUT and old.complete is False


def test_algorithm_failure_is_not_a_timeout(monkeypatch):
    import symopt.critical as critical

    assert not issubclass(so.AlgorithmFailure, so.BudgetExceeded)

    def give_up(*args, **kwargs):
        raise so.AlgorithmFailure("no separating linear form found among the candidates tried")

    monkeypatch.setattr(critical, "solve_polynomial_system", give_up)
    cs = analyse("x**2 - y**2")
    assert cs.status is so.Status.ALGORITHM_FAILURE and not cs.complete
    assert "separating" in cs.failures[0]


def test_a_failed_point_does_not_hide_the_others(monkeypatch):
    import symopt.critical as critical

    real = critical.classify_exact
    calls = []

    def fail_first(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise so.AlgorithmFailure("could not separate a nonzero algebraic number from zero")
        return real(*args, **kwargs)

    monkeypatch.setattr(critical, "classify_exact", fail_first)
    # (x**2 - 1)**2 + y**2: points (-1, 0), (0, 0), (1, 0)
    cs = analyse("(x**2 - 1)**2 + y**2")
    assert len(cs.points) == 3
    assert sorted(p.kind.value for p in cs.points).count("inconclusive") == 1
    assert cs.status is so.Status.ALGORITHM_FAILURE
