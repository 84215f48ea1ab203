"""Families of critical points: exact witnesses and kinds stratified along each family.

For a hypersurface family ``p = 0`` on which the loss is constant, ``L - c = p**m * q``
with ``p`` not dividing ``q`` (``p`` changes sign, so it divides ``L - c``):

* ``m`` odd: ``L - c`` changes sign across the family at every point where ``q != 0``,
  and such points are dense in it, so every point is a (degenerate) saddle;
* ``m`` even: near a point with ``q > 0`` we have ``L >= c``, a non-strict minimum;
  ``q < 0`` gives maxima; where ``q`` changes sign along the family the point has both
  kinds arbitrarily close, so it is a saddle.

The pieces carry exact conditions (``q`` restricted to the family).  Other families are
decided from the characteristic polynomial of the Hessian reduced modulo the family's
equations; when its coefficients are not constant along the family the kind is
reported inconclusive with that reason, never guessed from samples.
"""

from __future__ import annotations

import random
from typing import Sequence

import sympy as sp

from .budget import Budget
from .classify import classify_exact, exact_sign, inertia_from_charpoly
from .errors import AlgorithmFailure, BudgetExceeded
from .polysolve import FamilyComponent, canonical_point, zero_dimensional_points
from .realsigns import points_on_hypersurface
from .records import CriticalFamily, FamilyPiece, Kind
from .summary import plural

__all__ = ["analyse_family", "witness_points", "is_lower_bound", "sign_pieces", "graph"]

_POLY_ERRORS = (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed,
                sp.polys.polyerrors.CoercionFailed, ValueError)


def analyse_family(expr: sp.Expr, params: tuple[sp.Symbol, ...], hessian: sp.Matrix,
                   component: FamilyComponent, budget: Budget) -> CriticalFamily:
    """The family ``component`` with its value, witness points and kind pieces."""
    equations = tuple(component.equations)
    dim = component.dimension
    if not equations:
        value = expr
        constant = bool(value.is_number)
        return CriticalFamily(equations=(), dimension=dim, kind=Kind.MINIMUM, degenerate=True,
                              reason="the loss is constant: every point is critical",
                              pieces=(FamilyPiece(condition=sp.true, kind=Kind.MINIMUM,
                                                  degenerate=True, reason="constant loss"),),
                              value=value if constant else None, global_minimum=constant)
    value = budget.run(lambda: _value_on(expr, equations, params), fraction=0.3,
                       what="the loss on a family")
    witnesses = budget.run(lambda: witness_points(equations, params, dim, budget),
                           fraction=0.3, what="points on a family")
    pieces: tuple[FamilyPiece, ...]
    global_min = value is not None and is_lower_bound(expr, value)
    if global_min:
        reason = (f"the loss equals {value} on the family, and {value} is a lower bound of the "
                  "loss (a sum of even powers): global minima")
        pieces = (FamilyPiece(condition=sp.true, kind=Kind.MINIMUM, degenerate=True,
                              reason=reason),)
    elif len(equations) == 1 and dim == len(params) - 1 and value is not None:
        pieces, reason = budget.run(
            lambda: _hypersurface_pieces(expr, params, equations[0], value),
            fraction=0.5, what="kinds along a family")
    else:
        pieces, reason = budget.run(
            lambda: _normal_hessian_pieces(expr, params, hessian, equations, dim, budget),
            fraction=0.5, what="kinds along a family")
    if not component.certified:
        reason += f"; {component.note}"
    kinds = {p.kind for p in pieces}
    kind = kinds.pop() if len(kinds) == 1 else Kind.MIXED
    sample_eigen = []
    for point in witnesses:
        cls = classify_exact(expr, params, hessian, None, point, budget, higher_order=False)
        sample_eigen.append(cls.eigenvalues)
    return CriticalFamily(equations=equations, dimension=dim, kind=kind, degenerate=True,
                          reason=reason, pieces=pieces, sample_points=tuple(witnesses),
                          sample_eigenvalues=tuple(sample_eigen), value=value,
                          global_minimum=global_min, certified=component.certified)


# -- hypersurfaces: L - c = p**m * q -------------------------------------------------------
def _hypersurface_pieces(expr, params, equation, value) -> tuple[tuple[FamilyPiece, ...], str]:
    try:
        p = sp.Poly(equation, *params, domain="QQ")
        rest = sp.Poly(sp.expand(expr - value), *params, domain="QQ")
    except _POLY_ERRORS:
        return _undecided("the loss is not a polynomial near the family")
    m = 0
    while not rest.is_zero:
        quotient, remainder = rest.div(p)
        if not remainder.is_zero:
            break
        rest, m = quotient, m + 1
    if m == 0 or rest.is_zero:
        return _undecided(f"the loss minus {value} is not divisible by {equation}")
    q = rest
    head = f"L - ({value}) = ({equation})**{m} * q with q = {q.as_expr()}"
    if m % 2 == 1:
        reason = (f"{head}: an odd power, so the loss changes sign across the family at every "
                  "point where q != 0, and those are dense in it: degenerate saddles")
        return (FamilyPiece(condition=sp.true, kind=Kind.SADDLE, degenerate=True,
                            reason=reason),), reason
    restricted, free = _restrict(q, p, params)
    head += f"; on the family q = {restricted}"
    sign = _constant_sign(restricted)
    if sign:
        kind = Kind.MINIMUM if sign > 0 else Kind.MAXIMUM
        reason = (f"{head}, which is {'positive' if sign > 0 else 'negative'} there: "
                  f"non-strict {kind.value}")
        return (FamilyPiece(condition=sp.true, kind=kind, degenerate=True, reason=reason),), reason
    pieces = sign_pieces(restricted, free, "q > 0 there: L >= c nearby, non-strict minima",
                         "q < 0 there: L <= c nearby, non-strict maxima")
    return pieces, f"{head}: its sign decides the kind, piece by piece"


def sign_pieces(rel: sp.Expr, free: Sequence[sp.Symbol], above: str,
                below: str) -> tuple[FamilyPiece, ...]:
    """Minima where ``rel > 0``, maxima where ``rel < 0``, and on ``rel = 0`` saddles where
    ``rel`` changes sign along the family (one free variable, odd roots), else
    inconclusive.  Empty pieces are dropped when that is decidable (one variable)."""
    minimum = FamilyPiece(condition=_region(rel > 0, free), kind=Kind.MINIMUM, degenerate=True,
                          reason=above)
    maximum = FamilyPiece(condition=_region(rel < 0, free), kind=Kind.MAXIMUM, degenerate=True,
                          reason=below)
    pieces = (maximum, *_boundary_pieces(rel, free), minimum)
    return tuple(pc for pc in pieces if pc.condition is not sp.false)


_UNDECIDED = ("the sign that decides the kind is zero there and does not change along the "
              "family, or its change is not established")


def _boundary_pieces(restricted: sp.Expr, free: Sequence[sp.Symbol]) -> tuple[FamilyPiece, ...]:
    """Where ``restricted`` vanishes: saddles where it changes sign, else undecided."""
    if len(free) == 1:
        u = free[0]
        odd, even = [], []
        for factor, mult in sp.Poly(restricted, u).sqf_list()[1]:
            if factor.degree() > 0:
                (odd if mult % 2 else even).extend(sp.Eq(u, r) for r in factor.real_roots())
        pieces = []
        if odd:
            pieces.append(FamilyPiece(condition=sp.Or(*odd), kind=Kind.SADDLE, degenerate=True,
                                      reason="the sign that decides the kind changes along the "
                                             "family there, so minima and maxima come "
                                             "arbitrarily close: degenerate saddles"))
        if even:
            pieces.append(FamilyPiece(condition=sp.Or(*even), kind=Kind.INCONCLUSIVE,
                                      degenerate=True, reason=_UNDECIDED))
        return tuple(pieces)
    return (_boundary_piece(restricted, free),)


def _boundary_piece(restricted: sp.Expr, free: Sequence[sp.Symbol]) -> FamilyPiece:
    condition = _region(sp.Eq(restricted, 0), free)
    if free:
        # distinct linear factors to odd powers: next to any zero there is a smooth point
        # of one factor, across which the sign flips
        factors = sp.Poly(restricted, *free).factor_list()[1]
        if factors and all(f.total_degree() == 1 and m % 2 == 1 for f, m in factors):
            return FamilyPiece(condition=condition, kind=Kind.SADDLE, degenerate=True,
                               reason="a product of odd powers of linear factors, whose sign "
                                      "flips next to every zero: minima and maxima come "
                                      "arbitrarily close, degenerate saddles")
    return FamilyPiece(condition=condition, kind=Kind.INCONCLUSIVE, degenerate=True,
                       reason=_UNDECIDED)


def _region(relation: sp.Basic, free: Sequence[sp.Symbol]) -> sp.Basic:
    """An exact condition; for one free variable written as intervals."""
    if len(free) == 1 and relation not in (sp.true, sp.false):
        try:
            return sp.solve_univariate_inequality(relation, free[0], relational=True) \
                if not isinstance(relation, sp.Eq) else sp.Or(*[
                    sp.Eq(free[0], r) for r in sp.Poly(relation.lhs, free[0]).real_roots()])
        except (NotImplementedError, ValueError, TypeError):
            return relation
    return relation


def _restrict(q: sp.Poly, p: sp.Poly, params) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """``q`` on ``p = 0``: substituted when ``p`` solves for a variable, else reduced."""
    for i, x in enumerate(params):
        as_x = sp.Poly(p.as_expr(), x)
        if as_x.degree() == 1 and as_x.LC().is_number:
            solution = sp.solve(p.as_expr(), x)[0]
            restricted = sp.factor(sp.expand(q.as_expr().xreplace({x: solution})))
            return restricted, tuple(v for v in params if v != x)
    _, remainder = sp.reduced(q.as_expr(), [p.as_expr()], *params, order="grevlex")
    return sp.factor(remainder), tuple(params)


def _constant_sign(expr: sp.Expr) -> int:
    """+1 / -1 when ``expr`` is a nonzero number or evidently one-signed and nonzero
    (a positive constant plus even monomials with positive coefficients); else 0."""
    expr = sp.expand(expr)
    if expr.is_number:
        return exact_sign(expr) or 0
    for sign in (1, -1):
        e = sign * expr
        terms = sp.Add.make_args(e)
        constant = sum(t for t in terms if t.is_number)
        if exact_sign(constant) != 1:
            continue
        if all(t.is_number or (_even_monomial(t) and exact_sign(t.as_coeff_Mul()[0]) == 1)
               for t in terms):
            return sign
    return 0


def _even_monomial(term: sp.Expr) -> bool:
    _, rest = term.as_coeff_Mul()
    return all(f.is_Pow and f.exp.is_Integer and f.exp % 2 == 0 for f in sp.Mul.make_args(rest))


def _undecided(why: str) -> tuple[tuple[FamilyPiece, ...], str]:
    return (FamilyPiece(condition=sp.true, kind=Kind.INCONCLUSIVE, degenerate=True,
                        reason=why),), why


# -- other families: the Hessian reduced modulo the family ----------------------------------
def _normal_hessian_pieces(expr, params, hessian, equations, dim,
                           budget: Budget) -> tuple[tuple[FamilyPiece, ...], str]:
    """Kinds from det(lambda I - H) along the family.

    On a family that is a graph over free variables the coefficients become polynomials
    in them.  Constant coefficients decide the whole family.  Over one free variable the
    real roots of the coefficients cut the family into intervals of constant inertia
    (Descartes' rule at an exact sample of each) and special points, each classified
    on its own (higher-order test); equal neighbours are merged.  Otherwise inconclusive.
    """
    lam = sp.Dummy("lambda")
    char = hessian.charpoly(lam).all_coeffs()
    graph_ = graph(equations, params)
    if graph_ is None:
        try:
            basis = sp.groebner(list(equations), *params, order="grevlex", domain="QQ")
            coeffs = [sp.expand(basis.reduce(sp.expand(c))[1]) for c in char]
        except _POLY_ERRORS:
            return _undecided("the Hessian could not be reduced modulo the family's equations")
        free: tuple[sp.Symbol, ...] = ()
        if not all(c.is_number for c in coeffs):
            return _undecided("the Hessian's characteristic polynomial is not constant along "
                              "the family, which is not a graph over free variables: not "
                              "stratified")
    else:
        solution, free = graph_
        coeffs = [sp.expand(c.xreplace(solution)) for c in char]
    if all(c.is_number for c in coeffs):
        kind, why = _kind_from_coeffs(coeffs, dim)
        reason = f"the Hessian's characteristic polynomial is constant along the family: {why}"
        return (FamilyPiece(condition=sp.true, kind=kind, degenerate=True, reason=reason),), reason
    if len(free) != 1:
        return _undecided("the Hessian's characteristic polynomial varies along a family of "
                          "dimension > 1: not stratified")
    u = free[0]
    cuts: set = set()
    for c in coeffs:
        if not c.is_number:
            cuts.update(sp.Poly(c, u).real_roots())
    cuts_sorted = sorted(cuts, key=lambda r: float(sp.N(r, 30)))
    segments: list[tuple[sp.Basic, Kind, str]] = []
    samples = _interval_samples(cuts_sorted)
    for k, sample in enumerate(samples):
        kind, why = _kind_from_coeffs([c.xreplace({u: sample}) for c in coeffs], dim)
        lo = cuts_sorted[k - 1] if k > 0 else None
        hi = cuts_sorted[k] if k < len(cuts_sorted) else None
        cond = sp.And(*(([u > lo] if lo is not None else []) + ([u < hi] if hi is not None else [])))
        segments.append((cond, kind, why))
        if hi is not None:
            point = {x: e.xreplace({u: hi}) for x, e in solution.items()}
            coords = tuple(point.get(x, hi if x == u else x) for x in params)
            cls = classify_exact(expr, params, hessian, None, coords, budget)
            segments.append((sp.Eq(u, hi), cls.kind, f"at this point: {cls.reason}"))
    merged: list[list] = []
    for cond, kind, why in segments:
        if merged and merged[-1][1] is kind:
            merged[-1][0] = sp.Or(merged[-1][0], cond)
            continue
        merged.append([cond, kind, why])
    pieces = tuple(FamilyPiece(condition=_simplify_condition(c, u), kind=k, degenerate=True,
                               reason=w) for c, k, w in merged)
    reason = (f"along the family the Hessian's characteristic polynomial has coefficients "
              f"{', '.join(map(str, coeffs))}; they vanish only at {u} in "
              f"{{{', '.join(map(str, cuts_sorted))}}}: kinds by interval, special points "
              "classified on their own")
    return pieces, reason


def _simplify_condition(cond: sp.Basic, u: sp.Symbol) -> sp.Basic:
    try:
        return sp.Intersection(cond.as_set(), sp.S.Reals).as_relational(u)
    except (NotImplementedError, TypeError, ValueError):
        return cond


def _interval_samples(cuts) -> list[sp.Rational]:
    """One rational strictly inside each interval cut out by the sorted real ``cuts``."""
    if not cuts:
        return [sp.Integer(0)]
    values = [sp.Rational(sp.floor(sp.N(cuts[0], 30)) - 1)]
    for a, b in zip(cuts, cuts[1:]):
        lo, hi = sp.N(a, 40), sp.N(b, 40)
        mid = sp.nsimplify((lo + hi) / 2, rational=True, tolerance=(hi - lo) / 8)
        values.append(sp.Rational(mid))
    values.append(sp.Rational(sp.ceiling(sp.N(cuts[-1], 30)) + 1))
    return values


def _kind_from_coeffs(coeffs, dim: int) -> tuple[Kind, str]:
    inertia = inertia_from_charpoly([exact_sign(c) for c in coeffs])
    if inertia is None:
        return Kind.INCONCLUSIVE, "the signs of the Hessian's characteristic polynomial are undecided"
    positive, negative, zero = inertia
    if positive and negative:
        return Kind.SADDLE, f"eigenvalues of both signs ({positive} positive, {negative} negative)"
    if zero == dim:
        kind = Kind.MINIMUM if negative == 0 else Kind.MAXIMUM
        return kind, (f"exactly {plural(dim, 'zero eigenvalue')} (the family's own directions) "
                      "and the "
                      f"others {'positive' if kind is Kind.MINIMUM else 'negative'}")
    return Kind.INCONCLUSIVE, "more zero eigenvalues than the family's dimension"


def graph(equations, params) -> tuple[dict, tuple[sp.Symbol, ...]] | None:
    """``{dependent: polynomial in free variables}`` when each equation is linear with a
    constant coefficient in its own leading variable (a lex basis of a graph)."""
    leading = []
    for e in equations:
        poly = sp.Poly(e, *params)
        degrees = poly.degree_list()
        lead = next((i for i, d in enumerate(degrees) if d > 0), None)
        if lead is None or degrees[lead] != 1 or lead in leading:
            return None
        if not sp.Poly(e, params[lead]).LC().is_number:
            return None
        leading.append(lead)
    dependent = [params[i] for i in leading]
    try:
        solutions = sp.solve(list(equations), dependent, dict=True)
    except NotImplementedError:
        return None
    if len(solutions) != 1 or set(solutions[0]) != set(dependent):
        return None
    solution = {x: sp.expand(v) for x, v in solutions[0].items()}
    if any(v.free_symbols & set(dependent) for v in solution.values()):
        return None
    return solution, tuple(p for p in params if p not in dependent)


# -- values and witnesses --------------------------------------------------------------------
def _value_on(expr: sp.Expr, equations, params) -> sp.Expr | None:
    """The loss on the family when it is constant there (reduced by the family's basis)."""
    try:
        basis = sp.groebner(list(equations), *params, order="grevlex", domain="QQ")
        _, remainder = basis.reduce(sp.expand(expr))
    except _POLY_ERRORS:
        return None
    remainder = sp.expand(remainder)
    return remainder if remainder.is_number else None


def is_lower_bound(expr: sp.Expr, value: sp.Expr) -> bool:
    """True when expr >= value everywhere is evident: expr - value is a sum of terms
    c * (...)**(2k) * (positive factors) with c >= 0."""
    if value != 0:
        return _is_sum_of_squares(sp.factor(sp.expand(expr - value)))
    return _is_sum_of_squares(expr)


def _is_sum_of_squares(expr: sp.Expr) -> bool:
    for term in sp.Add.make_args(expr):
        for f in sp.Mul.make_args(term):
            if f.is_number:
                if not f.is_nonnegative:
                    return False
            elif not (f.is_Pow and f.exp.is_Integer and f.exp % 2 == 0) and \
                    _constant_sign(f) != 1:
                return False
    return True


def witness_points(equations, params, dimension: int, budget: Budget,
                   wanted: int = 3) -> list[tuple[sp.Expr, ...]]:
    """Exact real points on a family, rational where possible.

    A hypersurface is met by rational lines at its sign changes (no box: scale-free).
    Otherwise the family is sliced by ``dimension`` random rational hyperplanes and the
    zero-dimensional slice solved exactly, under the caller's budget.
    """
    if len(equations) == 1 and dimension == len(params) - 1:
        poly = sp.Poly(equations[0], *params, domain="QQ")
        points = points_on_hypersurface(poly, wanted)
        if any(all(c.is_Rational for c in p) for p in points):
            return [p for p in points if all(c.is_Rational for c in p)]
        if points:
            return points
    rng = random.Random(0)
    found: list[tuple[sp.Expr, ...]] = []
    for _ in range(4):
        hyperplanes = [sum(sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) * x for x in params)
                       - rng.randint(-3, 3) for _ in range(dimension)]
        try:
            points = budget.run(lambda: zero_dimensional_points(
                [sp.expand(e) for e in equations] + hyperplanes, tuple(params), budget),
                fraction=0.3, what="a slice of a family")
        except (BudgetExceeded, AlgorithmFailure, *_POLY_ERRORS):
            continue
        for alg in map(canonical_point, points):
            if alg.degree != 1:
                continue
            point = tuple(sp.nsimplify(c.as_expr()) for c in alg.coordinate_polys)
            if point not in found:
                found.append(point)
        if len(found) >= wanted:
            break
    return found[:wanted]
