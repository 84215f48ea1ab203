"""The higher-order test at a degenerate critical point: the splitting lemma and its form.

With a semidefinite singular Hessian, the loss near the point is split (splitting
lemma) into a nondegenerate quadratic part in the range directions ``v`` and a function
``g(s)`` of the null directions ``s``: ``v`` is solved for as a power series ``v(s)``
(the centre manifold) and ``g(s) = L(p + N s + R v(s)) - L(p)``, exact to order
:data:`LIMIT`.  Then:

* if the lowest-order form of ``g`` has odd degree or takes both signs, the point is a
  saddle, and a curve along which the loss falls is given;
* if it is definite, the point is a strict extremum (or a saddle against the
  quadratic part);
* if ``g`` (to the order computed) is a sum of even monomials all of one sign that
  contains an even pure power ``s_i**p_i`` of every null direction with all ``p_i`` at
  most the order computed, then ``g`` is bounded below by ``c * max|s_i|**max(p_i)``
  and the remainder is of higher order: a strict extremum.  This decides
  ``x**4 + y**2 + z**6`` and ``x**2*y**2 + x**4 + y**6``, where the lowest form alone is
  only semidefinite.

Non-polynomial losses are expanded in a Taylor series first; a loss that is not
analytic at the point (a kink of ``abs`` or ``relu``) is left to :mod:`symopt.piecewise`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import NamedTuple

import sympy as sp

from .budget import Budget
from .errors import BudgetExceeded
from .polysolve import t
from .realsigns import exact_sign
from .records import Kind
from .summary import plural

__all__ = ["LIMIT", "HigherOrder", "higher_order_test"]

#: Order of the expansion on the centre manifold.
LIMIT = 12


class HigherOrder(NamedTuple):
    """Outcome of the higher-order test."""

    kind: Kind
    reason: str
    form: sp.Expr | None = None
    order: int | None = None
    descent_curve: tuple[sp.Expr, ...] | None = None


class NotAnalytic(Exception):
    """The loss has no Taylor expansion at the point."""


def _sign(value: sp.Expr) -> int | None:
    return exact_sign(sp.sympify(value))


def higher_order_test(expr: sp.Expr, params, coords, hessian: sp.Matrix,
                      inertia: tuple[int, int, int], budget: Budget) -> HigherOrder:
    """Decide a point whose Hessian (rational entries) is semidefinite and singular."""
    positive, negative, zero = inertia
    semidefinite_sign = 1 if negative == 0 else -1
    try:
        g, manifold = budget.run(lambda: _centre_manifold(expr, params, coords, hessian),
                                 fraction=0.5, what="higher-order test")
    except BudgetExceeded:
        return HigherOrder(Kind.INCONCLUSIVE, "the higher-order test ran out of time")
    except NotAnalytic as exc:
        return HigherOrder(Kind.INCONCLUSIVE, f"the loss is not analytic at this point ({exc}): "
                                              "no Taylor expansion decides it")
    s = manifold.s_symbols
    if g == 0:
        return HigherOrder(Kind.INCONCLUSIVE,
                           f"the loss is flat to order {LIMIT} along the Hessian's null directions")
    poly = sp.Poly(g, *s)
    order = min(sum(m) for m in poly.monoms())
    form = sp.Add(*[c * sp.Mul(*[si ** e for si, e in zip(s, m)])
                    for m, c in poly.terms() if sum(m) == order])
    zero_text = plural(zero, "zero eigenvalue")
    lead = f"on the centre manifold the loss changes by {form} + ... (order {order})"
    definiteness, witness = _form_definiteness(form, s)
    if definiteness is None:
        return HigherOrder(Kind.INCONCLUSIVE, f"{zero_text}; {lead}: the signs of its "
                           "coefficients could not be decided exactly", form, order)
    if order % 2 == 1 or definiteness == "indefinite":
        direction = witness if witness is not None else _any_nonzero(form, s)
        why = ": odd order, so the loss decreases on one side" if order % 2 == 1 else \
            ", which takes both signs"
        return HigherOrder(Kind.SADDLE, f"{zero_text}; {lead}{why}" + _no_negative(inertia),
                           form, order, manifold.descent(direction, form))
    if definiteness == "semidefinite":
        falling = _falling_line(g, form, s, semidefinite_sign if (positive or negative)
                                else _form_sign(form, s))
        if falling is not None:
            direction, term = falling
            return HigherOrder(Kind.SADDLE, f"{zero_text}; {lead}, which is semidefinite, but "
                               f"along the direction {direction} where it vanishes the loss "
                               f"changes by {term} + ...: it takes both signs"
                               + _no_negative(inertia), form, order,
                               manifold.descent_along(direction, g))
        sign = _dominated_sign(poly, s)
        if sign is None:
            return HigherOrder(Kind.INCONCLUSIVE, f"{zero_text}; {lead}, which is semidefinite, "
                               f"and the terms up to order {LIMIT} do not decide", form, order)
        definiteness = "positive" if sign > 0 else "negative"
        lead += (f"; up to order {LIMIT} every term is an even monomial of that sign and each "
                 "null direction has its own even power, so the loss is bounded away from its "
                 "value by a pure-power sum")
    sign = 1 if definiteness == "positive" else -1
    if sign != semidefinite_sign and (positive or negative):
        return HigherOrder(Kind.SADDLE, f"{zero_text}; {lead}, {definiteness} definite against a "
                           f"{'positive' if semidefinite_sign > 0 else 'negative'} semidefinite "
                           "Hessian" + _no_negative(inertia), form, order,
                           manifold.descent(witness or _any_nonzero(form, s), form))
    kind = Kind.MINIMUM if sign > 0 else Kind.MAXIMUM
    return HigherOrder(kind, f"{zero_text}; {lead}, {definiteness} definite", form, order)


def _no_negative(inertia: tuple[int, int, int]) -> str:
    if inertia[1]:
        return ""
    return ("; a saddle with no negative eigenvalue: no escape direction, the loss falls only "
            "along a curve (descent_curve)")


def _form_sign(form: sp.Expr, s) -> int:
    for candidate in itertools.product((1, -1, 2, -2, 3), repeat=len(s)):
        value = _sign(form.xreplace(dict(zip(s, candidate))))
        if value:
            return value
    return 1


def _falling_line(g: sp.Expr, form: sp.Expr, s, expected: int):
    """A rational direction d where the lowest form vanishes but g(t*d) has lowest term of
    odd degree or of the sign opposite to ``expected``: (d, that term) or None."""
    tt = sp.Dummy("t")
    seen = set()
    for candidate in itertools.product((0, 1, -1, 2, -2), repeat=len(s)):
        if not any(candidate) or candidate in seen:
            continue
        seen.add(candidate)
        if _sign(form.xreplace(dict(zip(s, candidate)))) != 0:
            continue
        along = sp.Poly(sp.expand(g.xreplace({si: c * tt for si, c in zip(s, candidate)})), tt)
        if along.is_zero:
            continue
        (degree,), coeff = min(along.terms(), key=lambda term: term[0][0])
        sign = _sign(coeff)
        if sign is not None and (degree % 2 == 1 or sign != expected):
            return candidate, coeff * sp.Symbol("t") ** degree
    return None


def _dominated_sign(poly: sp.Poly, s) -> int | None:
    """+1 / -1 when every term is an even monomial of that sign and every variable has a
    pure power of degree at most LIMIT; else None."""
    signs = set()
    pure = set()
    for monom, coeff in poly.terms():
        if any(e % 2 for e in monom):
            return None
        sign = _sign(coeff)
        if sign is None or sign == 0:
            return None
        signs.add(sign)
        nonzero = [i for i, e in enumerate(monom) if e]
        if len(nonzero) == 1:
            pure.add(nonzero[0])
    if len(signs) != 1 or pure != set(range(len(s))):
        return None
    return signs.pop()


@dataclass(frozen=True)
class _CentreManifold:
    point: tuple[sp.Expr, ...]
    null_basis: sp.Matrix  # n x k
    range_basis: sp.Matrix  # n x (n - k)
    v_series: sp.Matrix  # (n - k) x 1, polynomials in s
    s_symbols: tuple[sp.Symbol, ...]

    def descent(self, s_dir, form) -> tuple[sp.Expr, ...] | None:
        """A curve p + N s(t) + R v(s(t)) along which the loss falls below L(p) for small t > 0."""
        if s_dir is None:
            return None
        s_dir = list(s_dir)
        if _sign(form.xreplace(dict(zip(self.s_symbols, s_dir)))) != -1:
            s_dir = [-c for c in s_dir]
            if _sign(form.xreplace(dict(zip(self.s_symbols, s_dir)))) != -1:
                return None
        scaled = {s: c * t for s, c in zip(self.s_symbols, s_dir)}
        v = self.v_series.xreplace(scaled) if self.v_series.rows else sp.zeros(0, 1)
        offset = self.null_basis * sp.Matrix([c * t for c in s_dir])
        if self.range_basis.cols:
            offset += self.range_basis * v
        return tuple(sp.expand(c + o) for c, o in zip(self.point, offset))


    def descent_along(self, s_dir, g) -> tuple[sp.Expr, ...] | None:
        """Like :meth:`descent` with the full expansion ``g`` deciding the sign along s_dir."""
        tt = sp.Dummy("t")
        for d in (list(s_dir), [-c for c in s_dir]):
            along = sp.Poly(sp.expand(g.xreplace({si: c * tt for si, c in zip(self.s_symbols, d)})), tt)
            (_, coeff) = min(along.terms(), key=lambda term: term[0][0])
            if _sign(coeff) == -1:
                scaled = {si: c * t for si, c in zip(self.s_symbols, d)}
                v = self.v_series.xreplace(scaled) if self.v_series.rows else sp.zeros(0, 1)
                offset = self.null_basis * sp.Matrix([c * t for c in d])
                if self.range_basis.cols:
                    offset += self.range_basis * v
                return tuple(sp.expand(c + o) for c, o in zip(self.point, offset))
        return None


def _centre_manifold(expr, params, coords, hessian) -> tuple[sp.Expr, _CentreManifold]:
    n = len(params)
    null = hessian.nullspace()
    k = len(null)
    null_basis = sp.Matrix.hstack(*null)
    range_vectors = sp.Matrix(null_basis.T).nullspace() if k < n else []
    range_basis = sp.Matrix.hstack(*range_vectors) if range_vectors else sp.zeros(n, 0)
    s = tuple(sp.Symbol(f"s{i + 1}", real=True) for i in range(k))
    v = tuple(sp.Symbol(f"v{i + 1}", real=True) for i in range(n - k))
    eps = sp.Dummy("eps")
    shift = null_basis * sp.Matrix(s)
    if v:
        shift += range_basis * sp.Matrix(v)
    point_map = {p: c + d for p, c, d in zip(params, coords, shift)}
    F = _taylor(expr, point_map, params, coords, s + v, eps)

    def truncate(e):
        e = sp.expand(e.xreplace({si: eps * si for si in s}))
        if not e.has(eps):
            return e
        poly = sp.Poly(e, eps)
        return sp.Add(*[c for (d,), c in poly.terms() if d <= LIMIT])

    series = sp.zeros(len(v), 1)
    if v:
        grad_v = sp.Matrix([sp.diff(F, vi) for vi in v])
        A_inv = (range_basis.T * hessian * range_basis).inv()
        for _ in range(LIMIT):
            at = grad_v.xreplace(dict(zip(v, series)))
            new = (series - A_inv * at.applyfunc(lambda e: truncate(sp.expand(e)))).applyfunc(truncate)
            if new == series:
                break
            series = new
    g = sp.expand(truncate(F.xreplace(dict(zip(v, series))) if v else F))
    return g, _CentreManifold(tuple(coords), null_basis, range_basis, series, s)


def _taylor(expr, point_map, params, coords, symbols, eps) -> sp.Expr:
    """L(p + shift) - L(p) as a polynomial in the shift variables, exact to order LIMIT."""
    base = expr.xreplace(dict(zip(params, coords)))
    shifted = expr.xreplace(point_map)
    F = sp.expand(shifted - base)
    try:
        sp.Poly(F, *symbols)
        if not F.has(sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Piecewise):
            return F
    except sp.PolynomialError:
        pass
    if shifted.has(sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Piecewise, sp.DiracDelta):
        raise NotAnalytic("it has a kink: abs, relu or max")
    scaled = shifted.xreplace({x: eps * x for x in symbols})
    try:
        series = sp.series(scaled, eps, 0, LIMIT + 1).removeO()
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise NotAnalytic(f"no series expansion: {type(exc).__name__}") from exc
    F = sp.expand(series.subs(eps, 1) - base)
    F = sp.expand(sp.nsimplify(F) if F.has(sp.Float) else F)
    try:
        sp.Poly(F, *symbols)
    except sp.PolynomialError as exc:
        raise NotAnalytic("the Taylor series has non-polynomial terms") from exc
    if F.has(sp.zoo, sp.oo, sp.nan):
        raise NotAnalytic("a derivative is infinite")
    return F


def _any_nonzero(form, s_symbols):
    for candidate in itertools.product((1, -1, 2, 0, 3), repeat=len(s_symbols)):
        if any(candidate) and _sign(form.xreplace(dict(zip(s_symbols, candidate)))) != 0:
            return candidate
    return None


def _form_definiteness(form: sp.Expr, s_symbols) -> tuple[str | None, tuple | None]:
    """'positive', 'negative', 'indefinite' or 'semidefinite' for a homogeneous form (None:
    a coefficient's sign is undecided), with a witness direction where the form is
    negative (indefinite) or nonzero."""
    k = len(s_symbols)
    poly = sp.Poly(form, *s_symbols)
    if any(_sign(c) is None for c in poly.coeffs()):
        return None, None
    grid = (1, -1, 2, -2, 3, -3, 0)
    found = {}
    for candidate in itertools.product(grid, repeat=k):
        if not any(candidate):
            continue
        value = _sign(form.xreplace(dict(zip(s_symbols, candidate))))
        if value is None:
            return None, None
        if value != 0:
            found.setdefault(value, candidate)
        if len(found) == 2:
            return "indefinite", found[-1]
    if k == 1:
        c = _sign(poly.LC())
        return ("positive" if c > 0 else "negative"), found.get(-1)
    if k == 2:
        s1, s2 = s_symbols
        u = sp.Dummy("u")
        dehom = sp.Poly(poly.as_expr().subs({s1: 1, s2: u}), u)
        top = poly.as_expr().subs({s1: 0, s2: 1})
        sign = 1 if 1 in found else -1
        if not all(c.is_Rational for c in dehom.all_coeffs()):
            return "semidefinite", None
        if dehom.count_roots() == 0 and top != 0:
            return ("positive" if sign > 0 else "negative"), None
        for p in _sample_between_roots(dehom):
            value = dehom.eval(p)
            if value != 0 and (1 if value > 0 else -1) != sign:
                return "indefinite", (1, p) if value < 0 else found.get(-1)
        return "semidefinite", None
    # three or more null directions: definite when it is a sum of even monomials of one
    # sign with a pure power of every direction
    sign = _dominated_sign(poly, s_symbols)
    if sign is not None:
        return ("positive" if sign > 0 else "negative"), None
    return "semidefinite", None


def _sample_between_roots(poly: sp.Poly) -> list[sp.Rational]:
    intervals = poly.intervals()
    cuts = []
    for (a, b), _ in intervals:
        cuts.extend([sp.Rational(a), sp.Rational(b)])
    if not cuts:
        return [sp.Integer(0)]
    lo, hi = min(cuts) - 1, max(cuts) + 1
    bounds = sorted(cuts)
    return [lo, hi] + [(a + b) / 2 for a, b in zip(bounds, bounds[1:]) if a != b]
