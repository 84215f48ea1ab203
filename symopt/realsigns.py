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

__all__ = ["lines", "sign_change_on_line", "takes_both_signs", "points_on_hypersurface"]

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


def takes_both_signs(poly: sp.Poly, limit: int = 40) -> bool:
    """True when ``poly`` is proven to take both signs (an odd-multiplicity real root on
    one of the rational :func:`lines`).  False means only that no such line was found."""
    if poly.total_degree() % 2 == 1:
        return True  # along any line where the top form is nonzero, t -> +-oo
    for base, direction in lines(len(poly.gens), limit):
        if sign_change_on_line(poly, base, direction):
            return True
    return False


def points_on_hypersurface(poly: sp.Poly, wanted: int = 3,
                           limit: int = 40) -> list[tuple[sp.Expr, ...]]:
    """Exact real points of ``poly = 0`` where it changes sign, rational ones first."""
    rational: list[tuple[sp.Expr, ...]] = []
    algebraic: list[tuple[sp.Expr, ...]] = []
    for base, direction in lines(len(poly.gens), limit):
        roots = sign_change_on_line(poly, base, direction)
        for root in roots or ():
            point = tuple(sp.Integer(b) + d * root for b, d in zip(base, direction))
            target = rational if root.is_Rational else algebraic
            if point not in rational and point not in algebraic:
                target.append(point)
        if len(rational) >= wanted:
            break
    return (rational + algebraic)[:wanted]
