"""Exact, scale-free sign tests for polynomials along rational lines.

A polynomial ``p`` changes sign on a line ``b + t*d`` exactly when its restriction, a
univariate polynomial in ``t``, has a real root of odd multiplicity; that is decided
with exact real-root counting, so no box or sampling grid is involved and a
hypersurface at ``x = 10**6`` is found like one at ``x = 1``.
"""

from __future__ import annotations

import itertools
from typing import Iterator, Sequence

import sympy as sp

__all__ = ["lines", "sign_change_on_line", "takes_both_signs", "points_on_hypersurface",
           "evident_sign", "exact_sign"]

_t = sp.Dummy("t")


def lines(n: int, limit: int = 40) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Rational lines ``(base, direction)``: through the origin along coordinate axes,
    diagonals and a few fixed generic directions, then through unit points."""
    seen = set()
    directions: list[tuple[int, ...]] = []
    for i in range(n):
        directions.append(tuple(1 if k == i else 0 for k in range(n)))
    for i, j in itertools.combinations(range(n), 2):
        for sign in (1, -1):
            for a, b in ((1, 1), (1, 2), (2, 1)):
                directions.append(tuple(a if k == i else sign * b if k == j else 0
                                        for k in range(n)))
    directions.append(tuple(1 for _ in range(n)))
    directions.append(tuple(k + 1 for k in range(n)))
    directions.append(tuple((-1) ** k * (2 * k + 1) for k in range(n)))
    bases = [tuple(0 for _ in range(n))] + [tuple(1 if k == i else 0 for k in range(n))
                                            for i in range(n)]
    count = 0
    for base in bases:
        for d in directions:
            if (base, d) in seen:
                continue
            seen.add((base, d))
            yield base, d
            count += 1
            if count >= limit:
                return


def _restriction(poly: sp.Poly, base: Sequence[int], direction: Sequence[int]) -> sp.Poly:
    gens = poly.gens
    subs = {g: b + d * _t for g, b, d in zip(gens, base, direction)}
    return sp.Poly(sp.expand(poly.as_expr().xreplace(subs)), _t, domain="QQ")


def sign_change_on_line(poly: sp.Poly, base: Sequence[int],
                        direction: Sequence[int]) -> list[sp.Expr] | None:
    """Real roots ``t`` of odd multiplicity of ``poly(base + t*direction)`` (exact:
    rationals first, then CRootOf), or None when the restriction keeps one sign."""
    r = _restriction(poly, base, direction)
    if r.is_zero or r.degree() <= 0:
        return None
    roots: list[sp.Expr] = []
    for factor, multiplicity in r.sqf_list()[1]:
        if multiplicity % 2 == 0:
            continue
        for irreducible, _ in factor.factor_list()[1]:
            if irreducible.degree() == 1:
                a, b = irreducible.all_coeffs()
                roots.insert(0, sp.Rational(-b, a))
            else:
                roots.extend(sp.CRootOf(irreducible, k)
                             for k in range(irreducible.count_roots()))
    return roots or None


def _centre(poly: sp.Poly) -> tuple[sp.Expr, ...] | None:
    """The rational critical point of a quadratic (its centre), if it has exactly one."""
    if poly.total_degree() != 2:
        return None
    gens = poly.gens
    solutions = sp.linsolve([poly.diff(g).as_expr() for g in gens], *gens)
    for solution in solutions:
        if all(c.is_Rational for c in solution):
            return tuple(solution)
    return None


def _all_lines(poly: sp.Poly, limit: int):
    """:func:`lines`, then the same directions through the quadratic's centre (so a small
    sphere far from the origin is crossed too)."""
    yield from lines(len(poly.gens), limit)
    centre = _centre(poly)
    if centre is not None:
        for base, direction in lines(len(poly.gens), len(poly.gens) + 1):
            yield tuple(c + b for c, b in zip(centre, base)), direction


def takes_both_signs(poly: sp.Poly, limit: int = 40) -> bool:
    """True when ``poly`` is proven to take both signs (an odd-multiplicity real root on
    one of the rational lines).  False means only that no such line was found."""
    if poly.total_degree() % 2 == 1:
        return True  # along any line where the top form is nonzero, t -> +-oo
    for base, direction in _all_lines(poly, limit):
        if sign_change_on_line(poly, base, direction):
            return True
    return False


def points_on_hypersurface(poly: sp.Poly, wanted: int = 3,
                           limit: int = 40) -> list[tuple[sp.Expr, ...]]:
    """Exact real points of ``poly = 0`` where it changes sign, rational ones first."""
    rational: list[tuple[sp.Expr, ...]] = []
    algebraic: list[tuple[sp.Expr, ...]] = []
    for base, direction in _all_lines(poly, limit):
        roots = sign_change_on_line(poly, base, direction)
        for root in roots or ():
            point = tuple(sp.Rational(b) + d * root for b, d in zip(base, direction))
            target = rational if root.is_Rational else algebraic
            if point not in rational and point not in algebraic:
                target.append(point)
        if len(rational) >= wanted:
            break
    return (rational + algebraic)[:wanted]


def evident_sign(poly: sp.Poly) -> int:
    """+1 (-1) when ``poly`` is evidently >= 0 (<= 0): every term an even monomial with a
    coefficient of that sign; else 0."""
    signs = set()
    for monom, coeff in poly.terms():
        if any(e % 2 for e in monom):
            return 0
        signs.add(1 if coeff > 0 else -1)
    return signs.pop() if len(signs) == 1 else 0


def exact_sign(value: sp.Expr, digits: int = 60) -> int | None:
    """The sign of an exact real number, or None when it cannot be decided.

    Rationals and numbers SymPy can decide are exact.  Otherwise the number is
    evaluated to ``digits`` digits: a value far from zero decides its sign; a value
    that looks like zero is zero only if SymPy proves it, else None (a float near zero
    never decides a sign).
    """
    value = sp.sympify(value)
    if value.is_Rational:
        return int(sp.sign(value))
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    approx = value.evalf(digits)
    if approx.is_Number and abs(approx) > sp.Float(10) ** (-(digits // 2)):
        return 1 if approx > 0 else -1
    if sp.simplify(value) == 0:
        return 0
    return None
