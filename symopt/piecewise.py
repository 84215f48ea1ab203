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

from .budget import Budget
from .errors import AlgorithmFailure, BudgetExceeded
from .families import graph
from .kinkpoints import corners, kink_points
from .kinks import (EMPTY, Kink, Unsupported, evident_bound, holds, kinks, nonempty,
                    piece_of, region_of, witness)
from .records import CriticalFamily, CriticalPoint, CriticalSet, FamilyPiece, Kind
from .status import Status

__all__ = ["MAX_REGIONS", "Kink", "Unsupported", "kinks", "analyse_piecewise"]

#: Default cap on the number of regions analysed.
MAX_REGIONS = 64


class _Region(NamedTuple):
    signs: tuple[int, ...]
    piece: sp.Expr
    condition: sp.Basic  # strict signs: the open region


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
        region = _Region(signs, piece_of(loss.expr, found, signs), region_of(found, signs))
        inside = witness(found, signs, params)
        if inside is EMPTY:
            empty += 1
            continue
        if region.piece.is_number:
            if inside is None:
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
            if holds(region.condition, params, p.coords):
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
                lambda: kink_points(loss, found, i, budget), fraction=0.5,
                what=f"critical points on the kink {kink.u} = 0")
        except BudgetExceeded as exc:
            timed_out, complete = True, False
            notes.append(str(exc))
            continue
        except (AlgorithmFailure, sp.PolynomialError) as exc:  # e.g. quotients on a kink
            failures.append(str(exc))
            continue
        points.extend(new)
        families.extend(new_families)
        if not ok:
            complete = False
            notes.append(f"the kink {kink.u} = 0 holds a set of candidates that was not "
                         "decided point by point")
    try:
        corner_points, corners_ok = budget.run(lambda: corners(loss, found, budget),
                                               fraction=0.5, what="points where kinks meet")
        points.extend(corner_points)
        if not corners_ok:
            complete = False
            notes.append("a set where several kinks meet was not decided")
        for region, value in flat:
            families.append(budget.run(lambda: _flat_family(loss, found, region, value, params),
                                       fraction=0.5, what="a constant region"))
        families, points = budget.run(lambda: _glue(families, points, params), fraction=0.5,
                                      what="gluing regions")
    except BudgetExceeded as exc:
        timed_out, complete = True, False
        notes.append(str(exc))
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
    if any(holds(condition, params, p) for p in f.sample_points):
        return True
    if not f.equations:
        return nonempty(condition, params)
    shape = graph(f.equations, params)
    if shape is None:
        return None
    solution, free = shape
    return nonempty(condition.xreplace(solution), free)


def _in_region(f: CriticalFamily, condition: sp.Basic, params) -> CriticalFamily:
    samples = [(p, e) for p, e in zip(f.sample_points, f.sample_eigenvalues)
               if holds(condition, params, p)]
    return CriticalFamily(equations=f.equations, dimension=f.dimension, kind=f.kind,
                          degenerate=f.degenerate, reason=f.reason, pieces=f.pieces,
                          sample_points=tuple(p for p, _ in samples),
                          sample_eigenvalues=tuple(e for _, e in samples), value=f.value,
                          global_minimum=False, certified=f.certified,
                          region=condition)


def _flat_family(loss, found, region: _Region, value, params) -> CriticalFamily:
    lower = evident_bound(loss, found, value, 1)
    kind = Kind.MINIMUM
    if lower:
        reason = (f"the loss is constant ({value}) on this region and no piece goes below "
                  f"{value}: global minima")
    elif evident_bound(loss, found, value, -1):
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


# -- gluing ------------------------------------------------------------------------------------------
def _glue(families: list[CriticalFamily], points: list[CriticalPoint],
          params) -> tuple[list[CriticalFamily], list[CriticalPoint]]:
    """A kink point on the edge of a family's region (on its equations, in the closure of
    its region), with the same kind and value, joins that family; regions are then
    written as simply as SymPy can."""
    kept = []
    for p in points:
        host = None
        for k, f in enumerate(families):
            if f.value is None or f.kind is not p.kind or len(f.pieces) != 1:
                continue
            subs = dict(zip(params, p.coords))
            if any(sp.expand(e.xreplace(subs)) != 0 for e in f.equations):
                continue
            if sp.simplify(f.value - p.value) != 0:
                continue
            if holds(_closure(f.region), params, p.coords):
                host = k
                break
        if host is None:
            kept.append(p)
            continue
        f = families[host]
        at = sp.And(*[sp.Eq(x, c) for x, c in zip(params, p.coords)])
        region = _simplify(sp.Or(f.region, at), params, f.equations)
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


def _simplify(region: sp.Basic, params, equations=()) -> sp.Basic:
    """One free variable (of the space, or of a family that is a graph): as intervals."""
    free, solution = tuple(params), {}
    if equations:
        shape = graph(equations, params)
        if shape is None:
            return region
        solution, free = shape
    if len(free) == 1:
        try:
            return region.xreplace(solution).as_set().as_relational(free[0])
        except (NotImplementedError, TypeError, ValueError):
            return region
    return region
