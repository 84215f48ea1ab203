"""Classification of single critical points: evidence, degenerate points decided by
higher-order terms, and losses that used to crash.  Expected values are derived by hand
in each test's comment."""

import sympy as sp
import pytest

import symopt as so
from symopt.polysolve import t


def analyse(text, **kw):
    kw.setdefault("timeout", 120)  # generous: the machine running the tests may be busy
    return so.critical_points(so.Loss.parse(text), **kw)


def test_classification_keeps_its_evidence():
    # H = diag(2, -2): det(lambda I - H) = lambda**2 - 4, signs (+, 0, -): one positive and
    # one negative eigenvalue by Descartes; escape along y
    (p,) = analyse("x**2 - y**2").points
    cls = p.classification
    assert cls.charpoly == (1, 0, -4) and cls.signs == (1, 0, -1)
    assert cls.inertia == (1, 1, 0) and p.inertia == (1, 1, 0)
    assert p.kind is cls.kind is so.Kind.SADDLE
    assert p.eigenvalues == (-2, 2) and p.escape_directions == ((0, 1),)
    assert len(cls.eigenvectors) == 2


def test_escape_direction_has_first_nonzero_coordinate_positive():
    # x*y: H = [[0, 1], [1, 0]], eigenvalue -1 with eigenvector (1, -1)/sqrt(2) up to sign
    (p,) = analyse("x*y").points
    (d,) = p.escape_directions
    assert d == (sp.sqrt(2) / 2, -sp.sqrt(2) / 2)


@pytest.mark.parametrize("text", ["x**4 + y**2 + z**6", "x**2*y**2 + x**4 + y**6"])
def test_degenerate_minima_decided_by_even_pure_powers(text):
    # every term is an even monomial with a positive coefficient and each variable has
    # a pure power, so L > 0 = L(0) away from the origin: a strict (degenerate) minimum
    (p,) = analyse(text).points
    assert all(c == 0 for c in p.coords)
    assert (p.kind, p.degenerate) == (so.Kind.MINIMUM, True)
    assert p.classification.higher_order is not None


def test_semidefinite_lowest_form_with_a_falling_direction_is_a_saddle():
    # x**2*y**2 + x**4 - y**6: lowest form x**4 + x**2*y**2 >= 0 vanishes on x = 0,
    # where L(0, t) = -t**6 < 0, while L(t, 0) = t**4 > 0
    (p,) = analyse("x**2*y**2 + x**4 - y**6").points
    assert p.kind is so.Kind.SADDLE and p.escape_directions == ()
    curve = analyse("x**2*y**2 + x**4 - y**6").loss.expr.xreplace(
        dict(zip(sp.symbols("x y", real=True), p.descent_curve)))
    assert sp.expand(curve) == -t ** 6


def test_regularised_scalar_chain_of_depth_three_is_solved():
    # (1 - a*b*c)**2 + (a**2 + b**2 + c**2)/10.  With p = a*b*c the gradient gives
    # a**2 = b**2 = c**2 = 10*p*(1 - p) and p**2 = (a**2)**3, so 1000*p*(1 - p)**3 = 1:
    # two roots in (0, 1), each with the 4 sign patterns of positive product, plus the
    # origin (a minimum: Hessian I/5).  Between the origin and each far minimum lies a
    # saddle, so the root nearer 0 gives saddles and the one nearer 1 minima.
    cs = analyse("(1 - a*b*c)**2 + (a**2 + b**2 + c**2)/10")
    assert cs.status is so.Status.COMPLETE and len(cs.points) == 9
    origin = [p for p in cs.points if p.coords == (0, 0, 0)]
    assert origin and origin[0].kind is so.Kind.MINIMUM
    u = sp.Symbol("u")
    small, large = sorted(float(r) for r in sp.Poly(1000 * u * (1 - u) ** 3 - 1, u).real_roots()
                          if 0 < r < 1)
    for p in cs.points:
        if p.coords == (0, 0, 0):
            continue
        a, b, c = p.numeric
        prod = a * b * c
        assert a * a == pytest.approx(b * b) == pytest.approx(c * c)
        assert a * a == pytest.approx(10 * prod * (1 - prod))
        assert prod == pytest.approx(small) or prod == pytest.approx(large)
        expected = so.Kind.SADDLE if prod == pytest.approx(small) else so.Kind.MINIMUM
        assert p.kind is expected


@pytest.mark.slow
def test_regularised_scalar_chain_of_depth_four_is_solved():
    # (1 - a*b*c*d)**2 + |w|**2/10: a**2 = ... = d**2 = 10*p*(1 - p), p = a*b*c*d = s**2
    # > 0, so 100*p*(1 - p)**2 = 1: two roots in (0, 1) times 8 sign patterns with a
    # positive product, plus the origin: 17 points, 9 minima and 8 saddles
    cs = analyse("(1 - a*b*c*d)**2 + (a**2 + b**2 + c**2 + d**2)/10", timeout=120)
    assert cs.status is so.Status.COMPLETE and len(cs.points) == 17
    assert (len(cs.minima), len(cs.saddles)) == (9, 8)


def test_sin_to_the_ninth_has_degenerate_saddles_at_multiples_of_pi():
    # sin(x)**9 = (x - k*pi)**9 * (+-1 + ...) near k*pi: odd order 9, a saddle
    cs = analyse("sin(x)**9", timeout=120, starts=32)
    exact = {p.coords[0]: p for p in cs.points if p.exact}
    for where in (0, sp.pi):
        assert exact[where].kind is so.Kind.SADDLE and exact[where].degenerate
        assert exact[where].classification.order == 9
    assert cs.status is so.Status.INCOMPLETE  # Newton over a box: not a proof
    # Newton creeps towards these degenerate roots; its approximations (a gradient below
    # 1e-20 but steps still of size 1e-4) are not listed as further points
    for p in cs.points:
        if not p.exact:
            assert all(abs(p.numeric[0] - float(e)) > 1e-2 for e in exact)


def test_log_base_one_half_to_the_fourth_has_a_minimum_at_one():
    # (log(x)/log(1/2))**4 >= 0 with equality only at x = 1; order 4 there
    cs = analyse("log(x, 0.5)**4")
    (p,) = [p for p in cs.points if p.exact]
    assert p.coords == (1,) and p.kind is so.Kind.MINIMUM and p.classification.order == 4


def test_log_with_a_parameter_base_has_no_critical_points_proven():
    # d/dy log(y + z)/log(w2) = 1/((y + z)*log(w2)) is never zero
    cs = analyse("log(y + z, w2)")
    assert cs.points == () and cs.status is so.Status.COMPLETE


def test_z_sqrt_z_lists_its_edge_point_with_a_reason():
    # z**(3/2): gradient 3*sqrt(z)/2 vanishes at z = 0, where the Hessian 3/(4*sqrt(z)) is
    # infinite: no Taylor test applies, so the point is inconclusive with that reason
    cs = analyse("z*sqrt(z)")
    (p,) = cs.points
    assert p.coords == (0,) and p.kind is so.Kind.INCONCLUSIVE
    assert "not finite" in p.reason


def test_abs_cubed_does_not_crash():
    cs = analyse("abs(z)**3")
    assert [p.coords for p in cs.points] == [(0,)]
