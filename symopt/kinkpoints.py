"""Critical points on the kinks of a piecewise loss: the Clarke condition, and their kinds.

A point on a kink is critical when 0 lies in the Clarke subdifferential, the convex hull
of the gradients of the pieces meeting there (F. H. Clarke, *Optimization and Nonsmooth
Analysis*, 1983, Thm 2.5.1).  With one kink ``u = 0`` active the two gradients are
``mu_- grad u`` and ``mu_+ grad u`` at the critical points of the piece restricted to the
kink (the Lagrange conditions), and the point is critical when ``mu_- * mu_+ <= 0``.
Where several kinks meet, 0 in the hull is decided exactly (Caratheodory's theorem over
subsets of the gradients).  Kink points are classified by the pieces around them.
"""

from __future__ import annotations

import itertools

import sympy as sp

from .classify import exact_sign
from .errors import AlgorithmFailure
from .families import graph, sign_pieces
from .kinks import EMPTY, evident_bound, holds, nonempty, nonnegative, piece_of
from .polysolve import solve_polynomial_system
from .records import Classification, CriticalFamily, CriticalPoint, FamilyPiece, Kind

__all__ = ["kink_points", "corners"]


# -- kinks -------------------------------------------------------------------------------------
def kink_points(loss, found, i, budget) -> tuple[list[CriticalPoint], list[CriticalFamily], bool]:
    """Clarke-critical points and families on u_i = 0 with the other kinks strictly signed."""
    params = loss.params
    kink = found[i]
    grad_u = [sp.diff(kink.u, p) for p in params]
    others = [j for j in range(len(found)) if j != i]
    points: list[CriticalPoint] = []
    families: list[CriticalFamily] = []
    complete = True
    for other_signs in itertools.product((1, -1), repeat=len(others)):
        signs_minus = dict(zip(others, other_signs))
        signs_minus[i] = -1
        signs_plus = dict(signs_minus)
        signs_plus[i] = 1
        order = range(len(found))
        p_minus = piece_of(loss.expr, found, [signs_minus[j] for j in order])
        p_plus = piece_of(loss.expr, found, [signs_plus[j] for j in order])
        condition = sp.And(*[(found[j].u > 0) if s > 0 else (found[j].u < 0)
                             for j, s in zip(others, other_signs)])
        grad_m = [sp.diff(p_minus, p) for p in params]
        minors = [sp.expand(grad_m[a] * grad_u[b] - grad_m[b] * grad_u[a])
                  for a, b in itertools.combinations(range(len(params)), 2)]
        system = [kink.u] + minors
        solved = solve_polynomial_system(system, params, budget)
        if solved.failure:
            raise AlgorithmFailure(solved.failure)
        complete &= solved.complete
        for component in solved.families:
            fam = _kink_family(loss, found, kink, p_minus, p_plus, component, condition)
            if fam is None:
                complete = False
            elif fam is not EMPTY:
                families.append(fam)
        for alg in solved.points:
            if alg.degree != 1:
                complete = False  # irrational kink points are not compared yet
                continue
            coords = tuple(sp.nsimplify(c.as_expr()) for c in alg.coordinate_polys)
            if not holds(condition, params, coords):
                continue
            subs = dict(zip(params, coords))
            gu = [g.xreplace(subs) for g in grad_u]
            norm = sum(g * g for g in gu)
            if norm == 0:
                complete = False  # a singular point of the kink: left undecided
                continue
            mu_m = sum(sp.diff(p_minus, p).xreplace(subs) * g for p, g in zip(params, gu)) / norm
            mu_p = sum(sp.diff(p_plus, p).xreplace(subs) * g for p, g in zip(params, gu)) / norm
            if mu_m * mu_p > 0:
                continue  # 0 is not between the two one-sided slopes
            cls = _classify_kink(loss, found, kink, p_minus, p_plus, coords, mu_m, mu_p, budget)
            value = loss.expr.xreplace(subs)
            points.append(CriticalPoint(coords=coords, numeric=tuple(float(c) for c in coords),
                                        value=sp.nsimplify(value), classification=cls))
    return points, families, complete


def _kink_family(loss, found, kink, p_minus, p_plus, component,
                 condition) -> CriticalFamily | None:
    """A set of Lagrange points along the kink ``u = 0``: the part where 0 is in the
    Clarke subdifferential (mu_- * mu_+ <= 0), with kinds where one side is flat; None
    when it is not a graph over free variables."""
    params = loss.params
    shape = graph(component.equations, params)
    if shape is None:
        return None
    solution, free = shape
    grad_u = [sp.diff(kink.u, p) for p in params]
    norm = sum(g * g for g in grad_u)
    mu = [sp.factor(sp.expand((sum(sp.diff(piece, p) * g for p, g in zip(params, grad_u))
                               / norm).xreplace(solution))) for piece in (p_minus, p_plus)]
    value = sp.expand(p_minus.xreplace(solution))
    product = sp.factor(mu[0] * mu[1])
    critical = sp.true if nonnegative(-product, set()) else _in_free(product <= 0, free)
    on_family = sp.And(condition.xreplace(solution), critical)
    meets = nonempty(on_family, free)
    if meets is False:
        return EMPTY
    if meets is None:
        return None
    region = sp.And(condition, critical)
    equations = tuple(component.equations)
    head = f"on the kink {kink.u} = 0 the one-sided slopes are {mu[0]} and {mu[1]}"
    if value.is_number and evident_bound(loss, found, value, 1):
        kind_pieces = (FamilyPiece(condition=sp.true, kind=Kind.MINIMUM, degenerate=True,
                                   reason="every piece is evidently at least the value: "
                                          "global minima"),)
    elif value.is_number and (p_minus.is_number or p_plus.is_number):
        rise = mu[1] if p_minus.is_number else -mu[0]
        flat = "u < 0" if p_minus.is_number else "u > 0"
        sign = exact_sign(rise) if rise.is_number else None
        if rise == 0:
            kind_pieces = (FamilyPiece(condition=sp.true, kind=Kind.INCONCLUSIVE,
                                       degenerate=True,
                                       reason=f"flat for {flat} and no first-order change "
                                              "across: higher orders not compared"),)
        elif sign:
            kind = Kind.MINIMUM if sign > 0 else Kind.MAXIMUM
            kind_pieces = (FamilyPiece(condition=sp.true, kind=kind, degenerate=True,
                                       reason=f"flat for {flat}, the loss "
                                              f"{'rises' if sign > 0 else 'falls'} across"),)
        else:
            kind_pieces = sign_pieces(rise, free, f"flat for {flat}, the loss rises across",
                                      f"flat for {flat}, the loss falls across")
    else:
        kind_pieces = (FamilyPiece(condition=sp.true, kind=Kind.INCONCLUSIVE, degenerate=True,
                                   reason="both pieces vary across the kink here: not "
                                          "compared along the family"),)
    kinds = {p.kind for p in kind_pieces}
    reason = head + "; " + "; ".join(f"{p.condition}: {p.reason}" for p in kind_pieces)
    return CriticalFamily(equations=equations, dimension=len(free),
                          kind=kinds.pop() if len(kinds) == 1 else Kind.MIXED, degenerate=True,
                          reason=reason, pieces=kind_pieces,
                          value=value if value.is_number else None, region=region,
                          certified=component.certified)


def _in_free(relation: sp.Basic, free) -> sp.Basic:
    if len(free) == 1:
        try:
            return sp.solve_univariate_inequality(relation, free[0], relational=True)
        except (NotImplementedError, ValueError, TypeError):
            return relation
    return relation


def corners(loss, found, budget) -> tuple[list[CriticalPoint], bool]:
    """Points where two or more kinks vanish: critical when 0 is in the hull of the
    adjacent pieces' gradients (exact, rational points only)."""
    params = loss.params
    points: list[CriticalPoint] = []
    complete = True
    seen = set()
    for size in range(2, len(found) + 1):
        for active in itertools.combinations(range(len(found)), size):
            solved = solve_polynomial_system([found[j].u for j in active], params, budget)
            complete &= solved.complete and not solved.families
            for alg in solved.points:
                if alg.degree != 1:
                    complete = False
                    continue
                coords = tuple(sp.nsimplify(c.as_expr()) for c in alg.coordinate_polys)
                if coords in seen:
                    continue
                seen.add(coords)
                subs = dict(zip(params, coords))
                zero = [j for j in range(len(found)) if found[j].u.xreplace(subs) == 0]
                fixed = {j: (1 if found[j].u.xreplace(subs) > 0 else -1)
                         for j in range(len(found)) if j not in zero}
                gradients = []
                for choice in itertools.product((1, -1), repeat=len(zero)):
                    signs = dict(fixed)
                    signs.update(zip(zero, choice))
                    piece = piece_of(loss.expr, found, [signs[j] for j in range(len(found))])
                    gradients.append(tuple(sp.diff(piece, p).xreplace(subs) for p in params))
                if not _zero_in_hull(gradients):
                    continue
                bound = evident_bound(loss, found, loss.expr.xreplace(subs), 1)
                cls = Classification(
                    kind=Kind.MINIMUM if bound else Kind.INCONCLUSIVE, degenerate=True,
                    reason=("0 is in the Clarke subdifferential where kinks meet; every piece "
                            "is evidently at least the value there: a global minimum") if bound
                    else ("0 is in the Clarke subdifferential where kinks meet; the pieces "
                          "around this corner were not compared"))
                points.append(CriticalPoint(coords=coords,
                                            numeric=tuple(float(c) for c in coords),
                                            value=sp.nsimplify(loss.expr.xreplace(subs)),
                                            classification=cls))
    return points, complete


def _zero_in_hull(vectors: list[tuple[sp.Expr, ...]]) -> bool:
    """0 in the convex hull of rational vectors (Caratheodory: some affinely independent
    subset of at most n + 1 of them holds 0 with nonnegative weights)."""
    n = len(vectors[0])
    for size in range(1, min(len(vectors), n + 1) + 1):
        for subset in itertools.combinations(vectors, size):
            weights = sp.symbols(f"l0:{size}")
            equations = [sum(w * v[k] for w, v in zip(weights, subset)) for k in range(n)]
            equations.append(sum(weights) - 1)
            solution = sp.linsolve(equations, *weights)
            for sol in solution:
                if all(s.is_number and s >= 0 for s in sol):
                    return True
    return False


# -- classifying kink points ---------------------------------------------------------------------
def _classify_kink(loss, found, kink, p_minus, p_plus, coords, mu_m, mu_p,
                   budget) -> Classification:
    params = loss.params
    value = loss.expr.xreplace(dict(zip(params, coords)))
    slopes = f"one-sided slopes {mu_m} and {mu_p} across {kink.u} = 0"
    if len(params) == 1:
        return _one_dimensional(p_minus, p_plus, params[0], coords[0], kink.u, slopes)
    for sign, kind, word in ((1, Kind.MINIMUM, "at least"), (-1, Kind.MAXIMUM, "at most")):
        if evident_bound(loss, found, value, sign):
            return Classification(kind=kind, degenerate=True,
                                  reason=f"{slopes}; every piece is evidently {word} {value} "
                                         f"on its region: a global {kind.value}")
    restricted = _restricted(p_minus, kink.u, params, coords, budget)
    rises = mu_p > 0 or mu_m < 0  # the loss goes up off the kink on some side
    falls = mu_p < 0 or mu_m > 0
    if restricted is not None and (restricted.kind is Kind.SADDLE
                                   or (restricted.kind is Kind.MAXIMUM and rises)
                                   or (restricted.kind is Kind.MINIMUM and falls)):
        return Classification(kind=Kind.SADDLE, degenerate=True,
                              reason=f"{slopes}; along the kink the loss has a "
                                     f"{restricted.kind.value} ({restricted.reason}), and "
                                     "across it the loss goes the other way: values above "
                                     "and below nearby")
    if mu_p > 0 > mu_m or mu_p < 0 < mu_m:
        if restricted is not None:
            v_shape = mu_p > 0
            shape = "a V" if v_shape else "a Lambda"
            if restricted.kind in (Kind.MINIMUM, Kind.MAXIMUM):
                agree = (restricted.kind is Kind.MINIMUM) == v_shape
                kind = restricted.kind if agree else Kind.SADDLE
            else:
                kind = restricted.kind
            return Classification(kind=kind, degenerate=True,
                                  reason=f"{slopes}: {shape} across the kink; along the kink "
                                         f"the loss has a {restricted.kind.value} "
                                         f"({restricted.reason})")
    return Classification(kind=Kind.INCONCLUSIVE, degenerate=True,
                          reason=f"{slopes}; the pieces around this kink point were not "
                                 "compared to second order")


def _restricted(piece, u, params, coords, budget):
    """The kind of ``piece`` restricted to ``u = 0`` at ``coords``, when ``u`` is linear in
    a variable with a constant coefficient (eliminated); else None."""
    from .classify import classify_exact

    for k, x in enumerate(params):
        as_x = sp.Poly(u, x)
        if as_x.degree() == 1 and as_x.LC().is_number:
            solution = sp.solve(u, x)[0]
            rest = tuple(p for p in params if p != x)
            reduced = sp.expand(piece.xreplace({x: solution}))
            from .loss import Loss

            small = Loss(reduced, params=rest) if rest else None
            if small is None:
                return None
            point = tuple(c for p, c in zip(params, coords) if p != x)
            return classify_exact(reduced, rest, small.hessian, None, point, budget)
    return None


def _one_dimensional(p_minus, p_plus, x, x0, u, slopes) -> Classification:
    """In one variable: the sign of each piece's lowest nonzero term on its own side."""
    t = sp.Dummy("t", positive=True)
    side_u = sp.diff(u, x).xreplace({x: x0})  # u increases with x when positive
    changes = []
    for piece, side in ((p_minus, -1), (p_plus, 1)):
        direction = side if side_u > 0 else -side
        delta = sp.Poly(sp.expand(piece.xreplace({x: x0 + direction * t}) - piece.xreplace({x: x0})), t)
        if delta.is_zero:
            changes.append(0)
            continue
        (_, coeff) = min(delta.terms(), key=lambda term: term[0][0])
        changes.append(1 if coeff > 0 else -1)
    if all(c >= 0 for c in changes):
        kind, what = Kind.MINIMUM, "the loss does not fall on either side"
    elif all(c <= 0 for c in changes):
        kind, what = Kind.MAXIMUM, "the loss does not rise on either side"
    else:
        kind, what = Kind.SADDLE, "the loss rises on one side and falls on the other"
    strict = "strict" if 0 not in changes else "non-strict"
    return Classification(kind=kind, degenerate=True,
                          reason=f"{slopes}; {what} ({strict})")

