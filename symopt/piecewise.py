"""Critical points of piecewise losses (abs, relu, max, min): regions, kinks, glued.

The kinks ``abs(u)``, ``max(a, b)`` and ``min(a, b)`` (``relu(x) = max(0, x)``) switch on
the sign of a polynomial ``u`` (``a - b`` for max and min).  With ``k`` kinks the space
splits into at most ``2**k`` open regions, on each of which the loss is one polynomial
piece ``P``; at most ``max_regions`` regions are analysed (default
:data:`MAX_REGIONS`), beyond that the status is ``incomplete``.

* Inside a region, the critical points and families are those of its piece (solved
  exactly) that satisfy the region's strict sign conditions.
* On a kink ``u = 0`` the loss is not differentiable; a point there is critical when 0
  lies in the Clarke subdifferential, the convex hull of the gradients of the pieces
  meeting there (Clarke, *Optimization and Nonsmooth Analysis*, 1983, Thm 2.5.1).  With
  one kink active the two gradients are ``mu_- grad u`` and ``mu_+ grad u`` at the
  critical points of ``P`` restricted to ``u = 0`` (the Lagrange conditions), and the
  point is critical when ``mu_- * mu_+ <= 0``.  Where several kinks meet, 0 in the hull
  is decided exactly by Caratheodory's theorem over subsets of the gradients.
* A kink point is classified by the pieces around it: in one variable by the lowest
  one-sided terms; else, when ``mu_+ > 0 > mu_-`` (a V across the kink) it is a minimum
  exactly when the loss restricted to the kink has one there (and a maximum for a
  Lambda-shape), decided by the exact test in one variable fewer; and wherever every
  piece minus the value is evidently nonnegative on its region (a product of even
  powers, positive factors and region signs), a global minimum.
* Points of a locally constant region are non-strict minima (and maxima); a kink point
  of the same kind and value on such a region's edge is glued to it (``relu(w1)``: the
  half-line ``w1 <= 0`` of minima).
"""

from __future__ import annotations

import itertools
from typing import Callable, NamedTuple, Sequence

import sympy as sp
from sympy.solvers.simplex import lpmax

from .budget import Budget
from .errors import AlgorithmFailure, BudgetExceeded
from .classify import exact_sign
from .families import graph, sign_pieces
from .polysolve import solve_polynomial_system
from .records import (Classification, CriticalFamily, CriticalPoint, CriticalSet, FamilyPiece,
                      Kind)
from .status import Status

__all__ = ["MAX_REGIONS", "Kink", "kinks", "analyse_piecewise"]

#: Default cap on the number of regions analysed.
MAX_REGIONS = 64

_KINK_TYPES = (sp.Abs, sp.Max, sp.Min)


class Kink(NamedTuple):
    """One switching function ``u`` (primitive, positive leading coefficient) and the kinks
    that switch on it: each ``(atom, plus, minus)`` equals ``plus`` where ``u > 0`` and
    ``minus`` where ``u < 0`` (``relu(x)`` and ``relu(-x)`` share ``u = x``)."""

    u: sp.Expr
    branches: tuple[tuple[sp.Expr, sp.Expr, sp.Expr], ...]


class Unsupported(Exception):
    """A piecewise loss outside what this module decides."""


def kinks(expr: sp.Expr, params: Sequence[sp.Symbol]) -> list[Kink]:
    """The kinks of ``expr`` grouped by switching function: empty for a smooth loss;
    Unsupported when a kink is nested, has more than two arguments, or switches on a
    non-polynomial."""
    atoms = sorted(expr.atoms(*_KINK_TYPES), key=sp.default_sort_key)
    groups: dict[sp.Expr, list[tuple[sp.Expr, sp.Expr, sp.Expr]]] = {}
    for atom in atoms:
        if any(a.has(*_KINK_TYPES) for a in atom.args):
            raise Unsupported(f"nested kinks such as {atom}")
        if isinstance(atom, sp.Abs):
            (u,) = atom.args
            plus, minus = u, -u
        else:
            if len(atom.args) != 2:
                raise Unsupported(f"{atom} has more than two arguments")
            a, b = atom.args
            u = a - b
            plus, minus = (a, b) if isinstance(atom, sp.Max) else (b, a)
        try:
            poly = sp.Poly(u, *params, domain="QQ")
        except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
            raise Unsupported(f"the kink {atom} switches on a non-polynomial") from None
        if poly.total_degree() <= 0:
            continue  # a constant switch: SymPy evaluates such kinks itself
        _, primitive = poly.clear_denoms(convert=True)
        primitive = primitive.primitive()[1]
        if primitive.LC() < 0:
            primitive = -primitive
        if (poly.LC() > 0) != (primitive.LC() > 0):
            plus, minus = minus, plus
        groups.setdefault(primitive.as_expr(), []).append((atom, plus, minus))
    return [Kink(u, tuple(branches)) for u, branches in groups.items()]


class _Region(NamedTuple):
    signs: tuple[int, ...]
    piece: sp.Expr
    condition: sp.Basic  # strict signs: the open region


def _piece(expr, found: Sequence[Kink], signs: Sequence[int], expand: bool = True) -> sp.Expr:
    piece = expr.xreplace({atom: (plus if s > 0 else minus)
                           for k, s in zip(found, signs) for atom, plus, minus in k.branches})
    return sp.expand(piece) if expand else piece


def _region(found: Sequence[Kink], signs: Sequence[int]) -> sp.Basic:
    return sp.And(*[(k.u > 0) if s > 0 else (k.u < 0) for k, s in zip(found, signs)])


_EMPTY = object()


def _witness(found: Sequence[Kink], signs: Sequence[int], params):
    """A rational point of the open region, ``_EMPTY`` when it is proven empty (linear
    switching functions: exact linear programming), or None when neither is shown."""
    margin = sp.Dummy("margin")
    functions = [sp.expand(s * k.u) for k, s in zip(found, signs)]
    if all(sp.Poly(f, *params).total_degree() <= 1 for f in functions):
        best, where = lpmax(margin, [f >= margin for f in functions] + [margin <= 1])
        if best <= 0:
            return _EMPTY
        return tuple(where.get(p, sp.Integer(0)) for p in params)
    for point in itertools.product((0, 1, -1, 2, -2, sp.Rational(1, 2), 3), repeat=len(params)):
        subs = dict(zip(params, point))
        if all(f.xreplace(subs) > 0 for f in functions):
            return point
    return None


def _holds(condition: sp.Basic, params, coords) -> bool | None:
    value = condition.xreplace(dict(zip(params, coords)))
    if value in (sp.true, sp.false):
        return bool(value)
    try:
        return bool(sp.simplify(value))
    except TypeError:
        return None


def analyse_piecewise(loss, found: list[Kink], budget: Budget,
                      smooth: Callable[[object], CriticalSet],
                      max_regions: int = MAX_REGIONS) -> CriticalSet:
    """Every critical point of a piecewise-polynomial loss, regions and kinks glued.

    ``smooth(loss)`` analyses a polynomial loss under the same budget.
    """
    from .loss import Loss

    params = loss.params
    notes: list[str] = []
    complete = True
    timed_out = False
    failures: list[str] = []
    all_signs = list(itertools.product((1, -1), repeat=len(found)))
    if len(all_signs) > max_regions:
        complete = False
        notes.append(f"{len(all_signs)} regions exceed max_regions={max_regions}: only the "
                     f"first {max_regions} were analysed")
        all_signs = all_signs[:max_regions]
    points: list[CriticalPoint] = []
    families: list[CriticalFamily] = []
    flat: list[tuple[_Region, sp.Expr]] = []
    empty = 0
    for signs in all_signs:
        region = _Region(signs, _piece(loss.expr, found, signs), _region(found, signs))
        witness = _witness(found, signs, params)
        if witness is _EMPTY:
            empty += 1
            continue
        if region.piece.is_number:
            if witness is None:
                complete = False
                notes.append(f"the constant region {region.condition} was not shown to be "
                             "nonempty; its points are not listed")
                continue
            flat.append((region, region.piece))
            continue
        cs = smooth(Loss(region.piece, params=params))
        timed_out |= cs.status is Status.TIMEOUT
        complete &= cs.complete
        failures.extend(cs.failures)
        for p in cs.points:
            if _holds(region.condition, params, p.coords):
                points.append(p)
        for f in cs.families:
            if _on_a_kink(f, found, params):
                continue
            meets = _family_meets(f, region.condition, params)
            if meets is False:
                continue
            if meets is None:
                complete = False
                notes.append(f"the family {f.equations} was not shown to meet the region "
                             f"{region.condition}")
            families.append(_in_region(f, region.condition, params))
    # kinks: one active at a time, then where several meet
    for i, kink in enumerate(found):
        try:
            new, new_families, ok = budget.run(
                lambda: _kink_points(loss, found, i, budget), fraction=0.5,
                what=f"critical points on the kink {kink.u} = 0")
        except BudgetExceeded as exc:
            timed_out, complete = True, False
            notes.append(str(exc))
            continue
        except AlgorithmFailure as exc:
            failures.append(str(exc))
            continue
        points.extend(new)
        families.extend(new_families)
        if not ok:
            complete = False
            notes.append(f"the kink {kink.u} = 0 holds a set of candidates that was not "
                         "decided point by point")
    corner_points, corners_ok = _corners(loss, found, budget)
    points.extend(corner_points)
    if not corners_ok:
        complete = False
        notes.append("a set where several kinks meet was not decided")
    for region, value in flat:
        families.append(_flat_family(loss, found, region, value, params))
    families, points = _glue(families, points, params)
    if empty:
        notes.append(f"{empty} sign pattern(s) of the kinks describe empty regions (exact "
                     "linear programming)")
    notes.append("kink points are critical when 0 is in the Clarke subdifferential "
                 "(the convex hull of the adjacent pieces' gradients)")
    status = (Status.TIMEOUT if timed_out else Status.ALGORITHM_FAILURE if failures else
              Status.COMPLETE if complete else Status.INCOMPLETE)
    points.sort(key=lambda p: p.numeric)
    return CriticalSet(loss=loss, points=tuple(points), families=tuple(families),
                       method=f"piecewise: {len(all_signs)} region(s) solved exactly, kinks by "
                              "the Clarke subdifferential", status=status,
                       notes=tuple(notes), elapsed=budget.elapsed(), failures=tuple(failures))


def _on_a_kink(f: CriticalFamily, found: Sequence[Kink], params) -> bool:
    """The family lies inside some kink u = 0, so outside every open region."""
    if not f.equations:
        return False
    try:
        basis = sp.groebner(list(f.equations), *params, order="grevlex", domain="QQ")
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
        return False
    return any(basis.reduce(k.u)[1] == 0 for k in found)


def _family_meets(f: CriticalFamily, condition: sp.Basic, params) -> bool | None:
    """Whether the family has points in the open region (None: not decided)."""
    if any(_holds(condition, params, p) for p in f.sample_points):
        return True
    if not f.equations:
        return _nonempty(condition, params)
    shape = graph(f.equations, params)
    if shape is None:
        return None
    solution, free = shape
    return _nonempty(condition.xreplace(solution), free)


def _in_region(f: CriticalFamily, condition: sp.Basic, params) -> CriticalFamily:
    samples = [(p, e) for p, e in zip(f.sample_points, f.sample_eigenvalues)
               if _holds(condition, params, p)]
    return CriticalFamily(equations=f.equations, dimension=f.dimension, kind=f.kind,
                          degenerate=f.degenerate, reason=f.reason, pieces=f.pieces,
                          sample_points=tuple(p for p, _ in samples),
                          sample_eigenvalues=tuple(e for _, e in samples), value=f.value,
                          global_minimum=False, certified=f.certified,
                          region=condition)


def _flat_family(loss, found, region: _Region, value, params) -> CriticalFamily:
    lower = _evident_bound(loss, found, value, 1)
    kind = Kind.MINIMUM
    if lower:
        reason = (f"the loss is constant ({value}) on this region and no piece goes below "
                  f"{value}: global minima")
    elif _evident_bound(loss, found, value, -1):
        kind = Kind.MAXIMUM
        reason = (f"the loss is constant ({value}) on this region and no piece goes above "
                  f"{value}: global maxima")
    else:
        reason = (f"the loss is constant ({value}) on this open region: every point is a "
                  "non-strict local minimum (and maximum)")
    return CriticalFamily(equations=(), dimension=len(params), kind=kind, degenerate=True,
                          reason=reason, pieces=(FamilyPiece(condition=region.condition,
                                                             kind=kind, degenerate=True,
                                                             reason=reason),),
                          value=value, global_minimum=lower, region=region.condition)


# -- kinks -------------------------------------------------------------------------------------
def _kink_points(loss, found, i, budget) -> tuple[list[CriticalPoint], list[CriticalFamily], bool]:
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
        p_minus = _piece(loss.expr, found, [signs_minus[j] for j in order])
        p_plus = _piece(loss.expr, found, [signs_plus[j] for j in order])
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
            elif fam is not _EMPTY:
                families.append(fam)
        for alg in solved.points:
            if alg.degree != 1:
                complete = False  # irrational kink points are not compared yet
                continue
            coords = tuple(sp.nsimplify(c.as_expr()) for c in alg.coordinate_polys)
            if not _holds(condition, params, coords):
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
    critical = sp.true if _nonnegative(-product, set()) else _in_free(product <= 0, free)
    on_family = sp.And(condition.xreplace(solution), critical)
    nonempty = _nonempty(on_family, free)
    if nonempty is False:
        return _EMPTY
    if nonempty is None:
        return None
    region = sp.And(condition, critical)
    equations = tuple(component.equations)
    head = f"on the kink {kink.u} = 0 the one-sided slopes are {mu[0]} and {mu[1]}"
    if value.is_number and _evident_bound(loss, found, value, 1):
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


def _nonempty(condition: sp.Basic, free) -> bool | None:
    """Whether an exact condition on the free variables holds somewhere (None: unknown).
    Strict linear conditions: exact linear programming; one variable: its solution set."""
    if condition in (sp.true, sp.false):
        return bool(condition)
    relations = list(condition.args) if isinstance(condition, sp.And) else [condition]
    if len(free) == 1:
        try:
            return condition.as_set() != sp.EmptySet
        except (NotImplementedError, TypeError, ValueError):
            pass
    margin = sp.Dummy("margin")
    constraints = []
    for rel in relations:
        if not isinstance(rel, (sp.StrictGreaterThan, sp.StrictLessThan)):
            return None
        f = rel.lhs - rel.rhs if isinstance(rel, sp.StrictGreaterThan) else rel.rhs - rel.lhs
        if not free or sp.Poly(f, *free).total_degree() > 1:
            return None
        constraints.append(f >= margin)
    best, _ = lpmax(margin, constraints + [margin <= 1])
    return bool(best > 0)


def _in_free(relation: sp.Basic, free) -> sp.Basic:
    if len(free) == 1:
        try:
            return sp.solve_univariate_inequality(relation, free[0], relational=True)
        except (NotImplementedError, ValueError, TypeError):
            return relation
    return relation


def _corners(loss, found, budget) -> tuple[list[CriticalPoint], bool]:
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
                    piece = _piece(loss.expr, found, [signs[j] for j in range(len(found))])
                    gradients.append(tuple(sp.diff(piece, p).xreplace(subs) for p in params))
                if not _zero_in_hull(gradients):
                    continue
                bound = _evident_bound(loss, found, loss.expr.xreplace(subs), 1)
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
    if _evident_bound(loss, found, value, 1):
        return Classification(kind=Kind.MINIMUM, degenerate=True,
                              reason=f"{slopes}; every piece is evidently at least {value} "
                                     "on its region: a global minimum")
    if mu_p > 0 > mu_m or mu_p < 0 < mu_m:
        restricted = _restricted(p_minus, kink.u, params, coords, budget)
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


def _evident_bound(loss, found, value, sign: int) -> bool:
    """Every piece minus ``value`` (times ``sign``) is evidently >= 0 on its closed region:
    a sum of products of even powers, positive numbers and the region's own signs."""
    for signs in itertools.product((1, -1), repeat=len(found)):
        piece = _piece(loss.expr, found, signs, expand=False)
        allowed = {sp.expand(s * k.u) for k, s in zip(found, signs)}
        written = (sign * piece if value == 0 else sign * (piece - value),
                   sp.factor(sp.expand(sign * (piece - value))))
        if not any(_nonnegative(r, allowed) for r in written):
            return False
    return True


def _nonnegative(expr: sp.Expr, allowed: set) -> bool:
    if expr.is_number:
        return bool(expr >= 0)
    for term in sp.Add.make_args(expr):
        if term.is_Mul and any(a.is_Add for a in term.args) and not _nonnegative_product(
                term, allowed):
            if not _nonnegative(sp.expand(term), allowed):
                return False
            continue
        if not _nonnegative_product(term, allowed):
            return False
    return True


def _nonnegative_product(term: sp.Expr, allowed: set) -> bool:
    """A product of a number, even powers, positive sums and region sign functions (or
    their negatives, which flip the sign) that is evidently >= 0."""
    coeff, rest = term.as_coeff_Mul()
    sign = 1 if coeff >= 0 else -1
    for f in sp.Mul.make_args(rest):
        expanded = sp.expand(f)
        if f.is_number:
            sign *= 1 if f >= 0 else -1
        elif f.is_Pow and f.exp.is_Integer and f.exp % 2 == 0:
            continue
        elif expanded in allowed:
            continue
        elif sp.expand(-f) in allowed:
            sign = -sign
        elif f.is_Pow and f.exp.is_Integer and sp.expand(f.base) in allowed:
            continue
        elif f.is_Add and _nonnegative(f, allowed):
            continue
        else:
            return False
    return sign > 0


# -- gluing ------------------------------------------------------------------------------------------
def _glue(families: list[CriticalFamily], points: list[CriticalPoint],
          params) -> tuple[list[CriticalFamily], list[CriticalPoint]]:
    """A kink point on the edge of a constant region, with the same kind and value, joins
    that region's family; regions are then written as simply as SymPy can."""
    kept = []
    for p in points:
        host = None
        for k, f in enumerate(families):
            if f.equations or f.value is None or f.kind is not p.kind:
                continue
            if sp.simplify(f.value - p.value) != 0:
                continue
            if _holds(_closure(f.region), params, p.coords):
                host = k
                break
        if host is None:
            kept.append(p)
            continue
        f = families[host]
        at = sp.And(*[sp.Eq(x, c) for x, c in zip(params, p.coords)])
        region = _simplify(sp.Or(f.region, at), params)
        families[host] = CriticalFamily(
            equations=f.equations, dimension=f.dimension, kind=f.kind, degenerate=True,
            reason=f.reason + f"; with the kink point {p.coords} ({p.reason})",
            pieces=tuple(FamilyPiece(condition=region, kind=pc.kind, degenerate=True,
                                     reason=pc.reason) for pc in f.pieces),
            value=f.value, global_minimum=f.global_minimum, region=region,
            sample_points=f.sample_points, sample_eigenvalues=f.sample_eigenvalues)
    return families, kept


def _closure(region: sp.Basic) -> sp.Basic:
    def close(rel):
        if isinstance(rel, sp.StrictGreaterThan):
            return sp.GreaterThan(rel.lhs, rel.rhs)
        if isinstance(rel, sp.StrictLessThan):
            return sp.LessThan(rel.lhs, rel.rhs)
        return rel

    if isinstance(region, sp.And):
        return sp.And(*[close(a) for a in region.args])
    return close(region)


def _simplify(region: sp.Basic, params) -> sp.Basic:
    if len(params) == 1:
        try:
            return region.as_set().as_relational(params[0])
        except (NotImplementedError, TypeError, ValueError):
            return region
    return region
