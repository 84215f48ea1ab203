"""Certified boxes around simple real roots, and certified Hessian inertia, fast.

A box ``m +- r`` (``m`` an exact dyadic vector, ``r`` float radii) is refined by the
Krawczyk operator (Krawczyk 1969; Moore 1977)::

    K(X) = m - Y f(m) + (I - Y J(X)) (X - m),      Y ~ J(m)^-1 (any matrix)

where ``J(X)`` encloses the Jacobian over the box.  When ``K(X)`` lies in the interior
of ``X``, ``X`` holds exactly one zero of ``f`` and ``J`` is nonsingular there; every
zero in ``X`` also lies in ``K(X)``, so iterating shrinks the box around it.

Arithmetic is midpoint-radius: ``f(m)``, ``J(m)`` and ``I - Y J(m)`` are exact rationals
(Python integers, no rounding at all); only the radii are floats, and every radius is
an upper bound (sums of nonnegative terms, each inflated well beyond the float
rounding it suffered).  The Jacobian's spread over the box uses the mean value
theorem, ``|x^a - m^a| <= sum_i a_i r_i (|m|+r)^(a - e_i)``, which needs no
subtraction of close numbers.

The inertia of a symmetric matrix ``H(x*)`` at the enclosed root is certified without
its characteristic polynomial: ``H(x*) = H(m) + E`` with ``||E||_2 <= eps``
(Frobenius bound of the spread).  Exact LDL^T factorisations of ``H(m) - eps I`` and
``H(m) + eps I`` (Sylvester's law of inertia) count the eigenvalues of ``H(m)`` above
``eps`` and above ``-eps``; when the counts agree, no eigenvalue lies in
``[-eps, eps]`` and, by Weyl's inequality, ``H(x*)`` has the inertia of ``H(m)``.
When they differ (a degenerate or nearly degenerate point) the answer is None and the
caller decides exactly: a value near zero never decides a sign.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np
import sympy as sp

__all__ = ["CompiledPoly", "Box", "System", "krawczyk_refine", "certified_inertia"]

#: Relative inflation of every float radius: far above the rounding of the few hundred
#: float operations that produced it.
_SAFETY = 1.0 + 1e-9


class CompiledPoly:
    """A polynomial with rational coefficients, ready for exact evaluation at dyadic
    points and for bounds on its spread over a box."""

    def __init__(self, poly: sp.Poly):
        terms = poly.terms() or [((0,) * len(poly.gens), sp.Integer(0))]
        denominator = 1
        for _, c in terms:
            denominator = math.lcm(denominator, int(sp.Rational(c).q))
        self.denominator = denominator
        self.coeffs = [int(sp.Rational(c) * denominator) for _, c in terms]
        self.monoms = [tuple(int(e) for e in m) for m, _ in terms]
        self.degree = max(sum(m) for m in self.monoms)
        self.exponents = np.array(self.monoms, dtype=float).reshape(len(terms), len(poly.gens))
        self.abs_coeffs = np.array([abs(float(Fraction(c, denominator))) for c in self.coeffs])
        self.abs_coeffs *= _SAFETY

    def at(self, powers: Sequence[Sequence[int]], k: int) -> tuple[int, int]:
        """The exact value at ``x_i = M_i / 2**k`` as (numerator, denominator > 0),
        given ``powers[i][e] = M_i**e``."""
        top = self.degree
        total = 0
        for c, m in zip(self.coeffs, self.monoms):
            term = c << (k * (top - sum(m)))
            for i, e in enumerate(m):
                if e:
                    term *= powers[i][e]
            total += term
        return total, self.denominator << (k * top)


class Box:
    """``m +- r``: centre ``M_i / 2**k`` (exact), radii ``r`` (floats, upper bounds)."""

    def __init__(self, centre: Sequence[int], k: int, radii: Sequence[float]):
        self.centre = list(centre)
        self.k = k
        self.radii = np.array(radii, dtype=float)

    @classmethod
    def around(cls, bounds: Sequence[tuple[Fraction, Fraction]], bits: int,
               inflate: float = 1.0) -> "Box":
        """A box that holds the box of dyadic bounds ``(low, high)``, centred on a
        ``bits``-bit dyadic grid, with the same relative radius in every coordinate
        (at least twice the widest bound's, times ``inflate``), so that a root on the
        boundary is inside."""
        centre, radii = [], []
        scale = 1 << bits
        for lo, hi in bounds:
            mid = (Fraction(lo) + Fraction(hi)) / 2
            grid = round(mid * scale)
            off = abs(Fraction(grid, scale) - mid)
            half = (Fraction(hi) - Fraction(lo)) / 2
            magnitude = 1.0 + abs(float(mid))
            centre.append(grid)
            radii.append((_up(2 * (half + off)) + magnitude * 2.0 ** (-bits + 8)) / magnitude)
        # the same relative radius in every coordinate: a Newton step moves each
        # coordinate by about the error of the widest one
        widest = max(radii) * inflate
        return cls(centre, bits, [widest * (1.0 + abs(float(Fraction(c, scale))))
                                  for c in centre])

    def midpoint(self) -> list[Fraction]:
        return [Fraction(c, 1 << self.k) for c in self.centre]

    def floats(self) -> np.ndarray:
        return np.array([c / (1 << self.k) if abs(c).bit_length() < 1000 else
                         float(Fraction(c, 1 << self.k)) for c in self.centre])

    def relative_width(self) -> float:
        return float(np.max(self.radii / (1.0 + np.abs(self.floats()))))

    def bounds(self) -> list[tuple[Fraction, Fraction]]:
        """Rational bounds that hold the box (radii rounded up)."""
        mids = self.midpoint()
        return [(m - Fraction(r), m + Fraction(r)) for m, r in zip(mids, self.radii)]

    def digits(self, digits: int) -> tuple[str, ...]:
        """The centre to ``digits`` significant digits (as decimal strings)."""
        out = []
        for m in self.midpoint():
            out.append(_decimal(m, digits))
        return tuple(out)


def _decimal(value: Fraction, digits: int) -> str:
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    exponent = math.floor(math.log10(float(value))) if float(value) > 0 else \
        len(str(value.denominator)) - len(str(value.numerator))
    scaled = value * Fraction(10) ** (digits - 1 - exponent)
    mantissa = round(scaled)
    return f"{sign}{mantissa}e{exponent - digits + 1}"


def _up(value: Fraction) -> float:
    """A float >= the nonnegative rational ``value``."""
    f = float(value)
    return f * _SAFETY + 1e-300 if f >= 0 else 0.0


def _powers(box: Box, degree: int) -> list[list[int]]:
    return [[1] + [0] * degree for _ in box.centre] if degree == 0 else \
        [_power_list(c, degree) for c in box.centre]


def _power_list(base: int, degree: int) -> list[int]:
    out = [1]
    for _ in range(degree):
        out.append(out[-1] * base)
    return out


class System:
    """A square polynomial system ``f`` with its Jacobian (symmetric when it is a
    gradient's Hessian), compiled once for many boxes."""

    def __init__(self, equations: Sequence[sp.Poly], jacobian: Sequence[Sequence[sp.Poly]],
                 symmetric: bool = False):
        self.n = len(jacobian)
        self.equations = [CompiledPoly(p) for p in equations]
        self.symmetric = symmetric
        self.jacobian = [[CompiledPoly(jacobian[i][j]) if (not symmetric or j >= i) else None
                          for j in range(self.n)] for i in range(self.n)]
        self.degree = max([0] + [p.degree for p in self.equations]
                          + [p.degree for row in self.jacobian for p in row if p is not None])

    def _spread_arrays(self):
        """Every Jacobian entry's terms stacked, for one vectorised spread bound."""
        if not hasattr(self, "_stacked"):
            entries = [(i, j, p) for i, row in enumerate(self.jacobian)
                       for j, p in enumerate(row) if p is not None]
            exponents = np.vstack([p.exponents for _, _, p in entries])
            coeffs = np.concatenate([p.abs_coeffs for _, _, p in entries])
            starts = np.cumsum([0] + [len(p.coeffs) for _, _, p in entries])[:-1]
            self._stacked = (entries, exponents, coeffs, starts)
        return self._stacked

    def jacobian_at(self, box: Box, powers) -> tuple[list[list[tuple[int, int]]], np.ndarray]:
        """``J(m)`` exactly (numerator, denominator pairs) and a float bound of
        ``|J(x) - J(m)|`` over the box (mean value theorem, nonnegative terms only)."""
        n = self.n
        # |x_i| <= a_i on the box; raising a_i only raises the bound (every term is
        # increasing in every a_i), so a floor keeps products of tiny a_i out of
        # underflow, and an underflow left is an error (the caller gives up)
        absolute = np.maximum(np.abs(self.floats_up(box)) + box.radii, 1e-30)
        entries, exponents, coeffs, starts = self._spread_arrays()
        with np.errstate(over="raise", under="raise"):
            size = np.prod(absolute ** exponents, axis=1)
            slope = (exponents * (box.radii / absolute)).sum(axis=1)
            bounds = np.add.reduceat(coeffs * size * slope, starts) * _SAFETY * _SAFETY
        exact: list[list[tuple[int, int]]] = [[(0, 1)] * n for _ in range(n)]
        spread = np.zeros((n, n))
        for (i, j, poly), bound in zip(entries, bounds):
            exact[i][j] = poly.at(powers, box.k)
            spread[i, j] = bound
            if self.symmetric:
                exact[j][i], spread[j, i] = exact[i][j], bound
        return exact, spread

    @staticmethod
    def floats_up(box: Box) -> np.ndarray:
        """|m_i| rounded up (a float bound)."""
        return np.abs(box.floats()) * _SAFETY + 1e-300


_U = 2.0 ** -52  # a bound of float64's relative rounding


def krawczyk_refine(system: System, box: Box, target: float = 1e-60, bits: int = 320,
                    iterations: int = 8):
    """Prove that ``box`` holds exactly one zero of ``system`` and shrink it to relative
    radius ``target``.  Returns the final box with ``J(m)`` (exact, as numerator and
    denominator pairs) and the spread of ``J`` over it, or None when the proof fails
    (for example at a singular Jacobian, or values beyond float range).  ``box`` must
    be on the ``bits``-bit grid."""
    try:
        return _krawczyk(system, box, target, bits, iterations)
    except (OverflowError, FloatingPointError, ZeroDivisionError):
        return None


def _krawczyk(system: System, box: Box, target: float, bits: int, iterations: int):
    proven = False
    n = system.n
    fixed = 2 * bits  # f(m) on the grid 2**-fixed: rounding far below every radius
    for _ in range(iterations):
        if box.k != bits:
            return None
        powers = _powers(box, system.degree)
        values = [p.at(powers, box.k) for p in system.equations]
        jac, spread = system.jacobian_at(box, powers)
        approx = np.array([[num / den for num, den in row] for row in jac])
        if not np.all(np.isfinite(approx)):
            return None
        try:
            inverse = np.linalg.inv(approx)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(inverse)):
            return None
        # the Newton step Y f(m), exactly up to f's rounding to the grid 2**-fixed
        grid_f = [(num << fixed) // den for num, den in values]  # f - 2**-fixed < grid <= f
        ratios = [[float(v).as_integer_ratio() for v in row] for row in inverse]
        shift_bits = max(q.bit_length() - 1 for row in ratios for _, q in row)
        step = [sum(p * (1 << (shift_bits - q.bit_length() + 1)) * f
                    for (p, q), f in zip(ratios[i], grid_f)) for i in range(n)]
        # step_i / 2**(shift_bits + fixed) = (Y grid_f)_i; z = m - step
        down = shift_bits + fixed - bits
        centre = [box.centre[i] - _round_shift(step[i], down) for i in range(n)]
        absolute_y = np.abs(inverse)
        # |I - Y J(m)|, bounded in floats: computed residual plus the rounding of the
        # product, of J's conversion and of the subtraction
        product = inverse @ approx
        residual = np.abs(np.eye(n) - product) * (1 + 2 * _U) \
            + (n + 4) * _U * (absolute_y @ np.abs(approx))
        residual = residual * _SAFETY + absolute_y @ spread * _SAFETY * _SAFETY
        rho = residual @ box.radii * _SAFETY * _SAFETY
        rho = rho + absolute_y.sum(axis=1) * 2.0 ** -fixed * _SAFETY  # f's rounding
        moved = np.array([abs(c - m) / (1 << bits) for c, m in zip(centre, box.centre)])
        moved = moved * _SAFETY + 2.0 ** -bits  # the recentring on the grid
        if not np.all(np.isfinite(rho)):
            return None
        if not proven:
            # K(X) = z + [-rho, rho] inside the interior of X = m + [-r, r]
            if not np.all(moved + rho < box.radii):
                return None
            proven = True
        # every zero in X lies in K(X); X and K(X) both hold it: keep the smaller
        radii = np.minimum((rho + 2.0 ** -bits) * _SAFETY + 1e-300, box.radii + moved)
        box = Box(centre, bits, radii)
        if box.relative_width() <= target:
            powers = _powers(box, system.degree)
            jac, spread = system.jacobian_at(box, powers)
            return box, jac, spread
    return None


def _round_shift(value: int, down: int) -> int:
    """``value / 2**down`` rounded to an integer (down may be negative)."""
    if down <= 0:
        return value << -down
    return (value + (1 << (down - 1))) >> down


def _leading_minor_inertia(matrix: list[list[int]]) -> tuple[int, int] | None:
    """(positive, negative) eigenvalue counts of a nonsingular symmetric integer matrix
    from the signs of its leading principal minors (fraction-free Bareiss elimination,
    exact; Sylvester's law of inertia on the LDL^T pivots ``d_k / d_(k-1)``).  None
    when a leading minor is 0 (the caller retries with another shift)."""
    n = len(matrix)
    a = [row[:] for row in matrix]
    previous = 1
    positive = negative = 0
    for k in range(n):
        pivot = a[k][k]
        if pivot == 0:
            return None
        if (pivot > 0) == (previous > 0):
            positive += 1
        else:
            negative += 1
        row_k = a[k]
        for i in range(k + 1, n):
            row_i = a[i]
            lead = row_i[k]
            for j in range(k + 1, n):
                row_i[j] = (row_i[j] * pivot - lead * row_k[j]) // previous
        previous = pivot
    return positive, negative


def certified_inertia(jac: list[list[tuple[int, int]]], spread: np.ndarray,
                      bits: int = 400) -> tuple[int, int, int] | None:
    """The inertia of every symmetric matrix within ``spread`` (entrywise) of the
    symmetric ``jac``, certified; None when an eigenvalue of ``jac`` may lie within
    the spread's norm of 0 (a degenerate or nearly degenerate point)."""
    n = len(jac)
    scale = 1 << bits
    # jac rounded to the grid 2**-bits: each entry moves by at most 2**-bits
    grid = [[(num * scale + den // 2) // den for num, den in row] for row in jac]
    eps = float(np.sqrt((spread ** 2).sum())) * _SAFETY + n * 2.0 ** (-bits + 1)
    for attempt in range(3):
        shift = math.ceil(eps * (2 + attempt) * scale) + 1  # a little above eps, on the grid
        above = _leading_minor_inertia([[grid[i][j] - (shift if i == j else 0)
                                         for j in range(n)] for i in range(n)])
        below = _leading_minor_inertia([[grid[i][j] + (shift if i == j else 0)
                                         for j in range(n)] for i in range(n)])
        if above is None or below is None:
            continue
        # above[0]: eigenvalues > shift; below[0]: eigenvalues > -shift
        if above[0] == below[0]:
            return above[0], n - above[0], 0
        return None
    return None
