"""Real points of a rational univariate representation, certified by interval arithmetic.

A verified representation ``x_i = h_i(t) / d(t)``, ``mu(t) = 0`` (``mu`` squarefree) has
one real point per real root of ``mu``.  Each root has an exact isolating interval; the
coordinates over that interval, evaluated in outward-rounded interval arithmetic
(``mpmath.iv``), form a box that provably holds the point.  Signs of polynomials at the
point (for example the coefficients of the Hessian's characteristic polynomial) are
certified when their interval excludes zero; otherwise the interval is refined, and a
sign that stays undecided is reported as None (the caller then decides exactly), so a
value near zero never decides a sign.

Exact coordinates stay available: :meth:`ParametrizedPoint.algebraic` factors ``mu`` and
returns the point as an :class:`~symopt.polysolve.AlgebraicPoint` (minimal polynomial,
isolating interval), computed on first use.
"""

from __future__ import annotations

from contextlib import contextmanager
from fractions import Fraction
from typing import Any, Callable, Iterator, Sequence

import mpmath
import sympy as sp

__all__ = ["ParametrizedPoint", "interval_charpoly", "interval_value", "precision"]

iv = mpmath.iv


@contextmanager
def precision(bits: int) -> Iterator[None]:
    """mpmath.iv's working precision set to ``bits`` inside the block."""
    saved = iv.prec
    iv.prec = bits
    try:
        yield
    finally:
        iv.prec = saved


def _iv_rational(c) -> mpmath.ctx_iv.ivmpf:
    c = sp.Rational(c)
    return iv.mpf(int(c.p)) / int(c.q)


def _horner(coeffs: Sequence, x):
    acc = iv.mpf(0)
    for c in coeffs:
        acc = acc * x + c
    return acc


class ParametrizedPoint:
    """The ``index``-th real point (in increasing order of t) of a verified
    representation; coordinates as certified boxes, exact form on demand."""

    def __init__(self, eliminant: sp.Poly, index: int, numerators: tuple[sp.Poly, ...],
                 denominator: sp.Poly, intervals: Callable[[tuple, int], list],
                 exact: Callable[["ParametrizedPoint"], Any]):
        self.eliminant = eliminant
        self.index = index
        self.numerators = numerators
        self.denominator = denominator
        self._intervals = intervals  # (coefficients, digits) -> isolating intervals
        self._exact = exact  # this point -> its AlgebraicPoint
        self._algebraic = None
        self._key = tuple(sp.Rational(c) for c in eliminant.all_coeffs())
        self._num = [[sp.Rational(c) for c in h.all_coeffs()] for h in numerators]
        self._den = [sp.Rational(c) for c in denominator.all_coeffs()]

    def interval(self, digits: int) -> tuple[Fraction, Fraction]:
        """An isolating interval of t of width below 10**-digits (refined in steps of 20
        digits from 40, so that the points of one eliminant share one refinement)."""
        digits = max(40, -(-digits // 20) * 20)
        return self._intervals(self._key, digits)[self.index]

    def rational_root(self) -> Fraction | None:
        """t when it is rational (proven: the eliminant vanishes there exactly), else None."""
        lo, hi = self.interval(40)
        mid = (lo + hi) / 2
        for bound in (10 ** 6, 10 ** 12):
            r = mid.limit_denominator(bound)
            if lo <= r <= hi and self.eliminant.eval(sp.Rational(r.numerator, r.denominator)) == 0:
                return r
        return None

    def box(self, digits: int = 40) -> list:
        """Intervals (mpmath.iv) that provably hold the coordinates."""
        lo, hi = self.interval(digits)
        with precision(int(digits * 3.33) + 60):
            low = iv.mpf(lo.numerator) / lo.denominator
            high = iv.mpf(hi.numerator) / hi.denominator
            t = iv.mpf([low.a, high.b])
            d = _horner([_iv_rational(c) for c in self._den], t)
            if 0 in d:
                raise ValueError("the denominator's interval holds 0; refine")
            return [_horner([_iv_rational(c) for c in h], t) / d for h in self._num]

    def evalf(self, digits: int = 30) -> tuple[sp.Float, ...]:
        """Coordinates to ``digits`` significant digits (midpoints of certified boxes of
        width far below the last digit)."""
        box = self.box(digits + 10)
        with mpmath.workdps(digits + 10):
            mids = [(mpmath.mp.make_mpf(b._mpi_[0]) + mpmath.mp.make_mpf(b._mpi_[1])) / 2
                    for b in box]
            return tuple(sp.Float(mpmath.nstr(m, digits + 5), digits) for m in mids)

    def algebraic(self):
        """This point as an AlgebraicPoint (minimal polynomial and index), exactly."""
        if self._algebraic is None:
            self._algebraic = self._exact(self)
        return self._algebraic

    # AlgebraicPoint's interface, exact, computed on first use
    @property
    def minpoly(self) -> sp.Poly:
        return self.algebraic().minpoly

    @property
    def coordinate_polys(self) -> tuple[sp.Poly, ...]:
        return self.algebraic().coordinate_polys

    @property
    def degree(self) -> int:
        return self.algebraic().degree

    @property
    def root(self) -> sp.Expr:
        return self.algebraic().root

    def reduce(self, expr, gens):
        return self.algebraic().reduce(expr, gens)

    def sign_of(self, value):
        return self.algebraic().sign_of(value)

    def __repr__(self) -> str:
        return (f"ParametrizedPoint(root {self.index} of a degree-{self.eliminant.degree()} "
                f"eliminant, ~{tuple(float(c) for c in self.evalf(15))})")


def interval_value(poly: sp.Poly, box: Sequence) -> mpmath.ctx_iv.ivmpf:
    """A polynomial (rational coefficients) over a box, in interval arithmetic."""
    total = iv.mpf(0)
    for monom, c in poly.terms():
        term = _iv_rational(c)
        for x, e in zip(box, monom):
            if e:
                term = term * x ** e
        total = total + term
    return total


def interval_charpoly(matrix: list[list]) -> list:
    """Coefficients (highest degree first) of det(lambda I - A) for an interval matrix,
    by the Faddeev-LeVerrier recursion in interval arithmetic."""
    n = len(matrix)
    identity = [[iv.mpf(1 if i == j else 0) for j in range(n)] for i in range(n)]
    coeffs = [iv.mpf(1)]
    m = [[iv.mpf(0)] * n for _ in range(n)]
    for k in range(1, n + 1):
        m = [[sum((matrix[i][r] * m[r][j] for r in range(n)), iv.mpf(0))
              + coeffs[-1] * identity[i][j] for j in range(n)] for i in range(n)]
        am = [[sum((matrix[i][r] * m[r][j] for r in range(n)), iv.mpf(0)) for j in range(n)]
              for i in range(n)]
        coeffs.append(-sum((am[i][i] for i in range(n)), iv.mpf(0)) / k)
    return coeffs


def certified_signs(point: ParametrizedPoint, hessian: Sequence[Sequence[sp.Poly]],
                    digits: int = 40, attempts: int = 3) -> list[int] | None:
    """Signs of the Hessian's characteristic polynomial's coefficients at the point,
    certified by interval arithmetic, or None when some stays undecided."""
    for _ in range(attempts):
        try:
            box = point.box(digits)
        except ValueError:
            digits *= 2
            continue
        with precision(int(digits * 3.33) + 60):
            matrix = [[interval_value(h, box) for h in row] for row in hessian]
            coeffs = interval_charpoly(matrix)
        signs = [1 if c.a > 0 else -1 if c.b < 0 else None for c in coeffs]
        if all(s is not None for s in signs):
            return signs
        digits *= 2
    return None
