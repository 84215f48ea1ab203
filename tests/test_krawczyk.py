"""Krawczyk boxes and certified inertia: proven where the answer is known by hand, and
refused where a box holds no root, two roots, or a singular Jacobian, or where an
eigenvalue is too close to 0 for the spread."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from symopt.krawczyk import Box, System, certified_inertia, krawczyk_refine

x, y = sp.symbols("x y")


def _system(equations, gens):
    polys = [sp.Poly(e, *gens, domain="QQ") for e in equations]
    return System(polys, [[p.diff(g) for g in gens] for p in polys])


def _box(*bounds):
    return Box.around([(Fraction(lo), Fraction(hi)) for lo, hi in bounds], 320)


def test_a_box_around_a_simple_root_is_proven_and_shrunk_to_60_digits():
    # x**2 + y**2 = 4, x*y = 1 has the root x = sqrt(2 + sqrt(3)), y = 1/x
    system = _system([x**2 + y**2 - 4, x * y - 1], (x, y))
    refined = krawczyk_refine(system, _box(("1.93", "1.94"), ("0.51", "0.52")))
    assert refined is not None
    box = refined[0]
    assert box.relative_width() <= 1e-60
    with mpmath.workdps(80):
        exact_x = mpmath.sqrt(2 + mpmath.sqrt(3))
        for (lo, hi), value in zip(box.bounds(), (exact_x, 1 / exact_x)):
            lo_mp = mpmath.mpf(lo.numerator) / lo.denominator
            hi_mp = mpmath.mpf(hi.numerator) / hi.denominator
            assert lo_mp <= value <= hi_mp
            assert hi_mp - lo_mp < mpmath.mpf(10) ** -59


def test_a_rational_root_on_the_grid_is_inside_its_inflated_box():
    system = _system([x - Fraction(1, 4), y + 2], (x, y))  # the root (1/4, -2), exactly
    refined = krawczyk_refine(system, _box(("1/4", "1/4"), ("-2", "-2")))
    assert refined is not None
    (lx, hx), (ly, hy) = refined[0].bounds()
    assert lx <= Fraction(1, 4) <= hx and ly <= -2 <= hy


@pytest.mark.parametrize("bounds", [
    (("3", "4"),),        # x**2 - 2 has no root in [3, 4]
    (("-2", "2"),),       # ... and two in [-2, 2] (the derivative vanishes there)
])
def test_boxes_without_exactly_one_root_are_refused(bounds):
    system = _system([x**2 - 2], (x,))
    assert krawczyk_refine(system, Box.around([tuple(map(Fraction, b)) for b in bounds],
                                              320)) is None


def test_a_singular_jacobian_is_refused():
    # x**3 = 0, y = 0: a triple root at the origin, the Jacobian singular there
    system = _system([x**3, y], (x, y))
    assert krawczyk_refine(system, _box(("-1/1000", "1/1000"), ("0", "0"))) is None


def _pairs(matrix):
    return [[Fraction(v).as_integer_ratio() for v in row] for row in matrix]


def test_inertia_is_certified_with_a_margin():
    # eigenvalues 3 and -1 (by hand: [[1, 2], [2, 1]])
    assert certified_inertia(_pairs([[1, 2], [2, 1]]), np.full((2, 2), 1e-30)) == (1, 1, 0)
    assert certified_inertia(_pairs([[2, 0], [0, 5]]), np.zeros((2, 2))) == (2, 0, 0)


def test_an_eigenvalue_within_the_spread_of_zero_is_not_signed():
    # eigenvalue 1e-40 with a spread of 1e-30: its sign is not decided
    tiny = Fraction(1, 10 ** 40)
    matrix = [[tiny.as_integer_ratio(), (0, 1)], [(0, 1), (1, 1)]]
    assert certified_inertia(matrix, np.full((2, 2), 1e-30)) is None
    # an exactly singular matrix: never signed
    assert certified_inertia(_pairs([[1, 1], [1, 1]]), np.zeros((2, 2))) is None
