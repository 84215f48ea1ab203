"""Every critical point of a loss, classified: the CriticalSet and how it is found.

Polynomial gradients are solved exactly (see :mod:`symopt.polysolve`): all isolated
real points, exact coordinates, positive-dimensional families split off, and
``complete=True`` only when that is proven.  Other gradients get exact attempts within
the time budget, then multi-start Newton with the exact Hessian over a stated box,
polished with mpmath and verified; ``complete=False`` and the method is stated.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from fractions import Fraction
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy as sp
from sympy.polys.rings import PolyRing

from .budget import DEFAULT_MEMORY_MB, Budget, bounded_call, can_interrupt, run_bounded
from .classify import (Classification, Kind, _orient, classify_exact,
                       exact_sign, inertia_from_charpoly)
from .errors import AlgorithmFailure, BudgetExceeded, MemoryBudgetExceeded
from .families import analyse_family
from .loss import Loss, as_loss
from .newton import newton_search, search_box
from .piecewise import MAX_REGIONS, Unsupported, analyse_piecewise, kinks
from .polysolve import (SOLVERS, T, AlgebraicPoint, ProductPoint, qq_poly, crootof,
                        isolating_intervals, solve_polynomial_system)
from .krawczyk import CompiledPoly, System, certified_inertia
from .msolve import BoxPoint
from .realroots import ParametrizedPoint, certified_signs
from .realsigns import evident_sign
from .records import CriticalFamily, CriticalPoint, CriticalSet, FamilyPiece
from .summary import plural
from .status import Status
from .symmetry import PointIndex, TooLarge, point_orbits, symmetries

__all__ = ["Kind", "Status", "CriticalPoint", "CriticalFamily", "FamilyPiece", "CriticalSet",
           "critical_points", "classify_point"]

# In a child process the analysis stops this long before the deadline to send its result
# back; the parent kills the child this long after it.
_RETURN_MARGIN = 0.15
_KILL_GRACE = 0.3


# ---------------------------------------------------------------------------------------
def critical_points(loss: Loss | str, timeout: float | None = 30, *, box: Any = None,
                    starts: int = 256, seed: int = 0, isolate: bool | None = None,
                    memory_mb: float | None = DEFAULT_MEMORY_MB,
                    max_regions: int = MAX_REGIONS, solver: str = "auto") -> CriticalSet:
    """Every critical point of ``loss``, classified.

    Parameters
    ----------
    loss : Loss or str
        The loss (text is parsed safely).
    timeout : float
        Seconds for the whole analysis.  Every symbolic step runs under this budget;
        when it runs out the result says so (``status="timeout"``, ``complete=False``).
    box : float or sequence of (low, high), optional
        Where multi-start Newton looks for points of non-polynomial gradients
        (default: [-5, 5] in every parameter).  Not used for polynomial gradients,
        which are solved everywhere.
    starts, seed : int
        Number of Newton starts (quasi-random in the box) and their seed.
    solver : {"auto", "exact", "msolve"}
        How polynomial gradient systems are solved: symopt's own exact path, msolve
        (an optional binary, for zero-dimensional systems), or msolve when installed.
    max_regions : int
        Piecewise losses (abs, relu, max, min): at most this many regions are analysed
        (default 64); past the cap the status is ``Status.INCOMPLETE``.
    isolate : bool, optional
        Run the whole analysis in a child process that is killed at the deadline
        (:func:`symopt.budget.run_bounded`).  Default: only where a step cannot be
        interrupted in place (threads other than the main one, Windows).
    memory_mb : float or None
        Memory cap of that child process in MiB (None: no cap); over it, the result is
        empty and ``status=Status.INCOMPLETE``.

    Examples
    --------
    >>> cs = critical_points(Loss.parse("(1 - w1*w2)**2"))
    >>> [(p.coords, p.kind.value) for p in cs.points]
    [((0, 0), 'saddle')]
    >>> cs.families[0].equations, cs.complete
    ((w1*w2 - 1,), True)
    """
    loss = as_loss(loss, "critical_points")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(map(repr, SOLVERS))}, got {solver!r}")
    budget = Budget(timeout)
    options = dict(box=box, starts=starts, seed=seed, max_regions=max_regions, solver=solver)
    if isolate or (isolate is None and not can_interrupt()):
        return _isolated(loss, budget, memory_mb, options)
    try:  # an outer alarm, a moment after the deadline, for any step that escaped its budget
        return bounded_call(lambda: _analyse_split(loss, budget, box, starts, seed, max_regions,
                                                          solver),
                            budget.seconds + _KILL_GRACE, "the analysis")
    except BudgetExceeded as exc:
        return _empty(loss, Status.TIMEOUT, str(exc), budget.elapsed())


def _analyse_split(loss: Loss, budget: Budget, box: Any, starts: int, seed: int,
                   max_regions: int, solver: str = "auto") -> CriticalSet:
    """A piecewise loss region by region, any other loss whole, in this process."""
    try:
        found = kinks(loss.expr, loss.params)
    except Unsupported as exc:
        found = []
        unsupported = str(exc)
    else:
        unsupported = ""
    if found:
        return analyse_piecewise(loss, found, budget,
                                 lambda piece: _analyse(piece, budget, box, starts, seed, solver),
                                 max_regions)
    cs = _analyse(loss, budget, box, starts, seed, solver)
    if unsupported:
        # the smooth search may list true critical points, but those on the kinks (where
        # the loss is not differentiable) are out of its reach: not "incomplete" as a
        # search in a box is, but outside what the analysis handles
        note = (f"not split into regions ({unsupported}): searched as a smooth loss, so "
                "points on the kinks are not found; status unsupported")
        return dataclasses.replace(cs, status=Status.UNSUPPORTED, notes=cs.notes + (note,))
    return cs


def _analyse(loss: Loss, budget: Budget, box: Any, starts: int, seed: int,
             solver: str = "auto") -> CriticalSet:
    """The analysis of one smooth (or not split) loss in this process, every step under ``budget``."""
    params = loss.params
    try:
        derivatives = budget.run(lambda: _polynomial_derivatives(loss), fraction=0.5,
                                 what="gradient")
        if derivatives is not None:
            return _polynomial_case(loss, list(derivatives.gradient_polys), [], None,
                                    budget, solver, derivatives)
        gradient = budget.run(lambda: loss.gradient, fraction=0.5, what="gradient")
        hessian = budget.run(lambda: loss.hessian, fraction=0.5, what="Hessian")
        system = budget.run(lambda: _polynomial_system(gradient, params), fraction=0.5,
                            what="preparing the polynomial system")
    except BudgetExceeded as exc:
        return _empty(loss, Status.TIMEOUT, str(exc), budget.elapsed())
    if system is not None:
        numerators, denominators = system
        return _polynomial_case(loss, numerators, denominators, hessian, budget, solver)
    return _general_case(loss, gradient, hessian, budget, box, starts, seed)


class _Derivatives:
    """A polynomial loss with its gradient and Hessian as polynomials; the Hessian as a
    SymPy matrix is built on first use (the certified-box route never needs it)."""

    def __init__(self, loss_poly: sp.Poly, gradient_polys, hessian_polys):
        self.loss_poly = loss_poly
        self.gradient_polys = tuple(gradient_polys)
        self.hessian_polys = tuple(tuple(row) for row in hessian_polys)
        self._hessian: sp.Matrix | None = None

    @property
    def hessian(self) -> sp.Matrix:
        if self._hessian is None:
            n = len(self.hessian_polys)
            exprs = {}
            for i in range(n):
                for j in range(i, n):
                    exprs[i, j] = exprs[j, i] = self.hessian_polys[i][j].as_expr()
            self._hessian = sp.Matrix(n, n, lambda i, j: exprs[i, j])
        return self._hessian


def _polynomial_derivatives(loss: Loss) -> _Derivatives | None:
    """Gradient and Hessian of a polynomial loss with rational coefficients by
    differentiating its polynomial form (far quicker than symbolic differentiation of a
    large expression, and equal to it); None for any other loss."""
    if loss.is_data_loss or loss.expr.has(sp.Float):
        return None  # floats are never silently made exact here
    params = tuple(loss.params)
    try:  # ring arithmetic on the expression tree: no symbolic expansion (0.03 s, not 0.7 s)
        element = PolyRing(params, sp.QQ, "grevlex").from_expr(loss.expr)
        poly = sp.Poly.from_dict(dict(element.items()) or {(0,) * len(params): 0}, *params,
                                 domain=sp.QQ)
    except (ValueError, TypeError, sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
        poly = None
        for expand in (False, True):  # an expanded polynomial needs no expansion
            try:
                poly = sp.Poly(loss.expr, *params, domain="QQ", expand=expand)
                break
            except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
                continue
    if poly is None:
        return None
    grad = [poly.diff(p) for p in loss.params]
    n = len(grad)
    second: list[list] = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            second[i][j] = second[j][i] = grad[i].diff(loss.params[j])
    return _Derivatives(poly, grad, second)


def _empty(loss: Loss, status: Status, note: str, elapsed: float) -> CriticalSet:
    return CriticalSet(loss=loss, points=(), families=(), method="none", status=status,
                       notes=(note,), elapsed=elapsed)


def _isolated(loss: Loss, budget: Budget, memory_mb: float | None, options: dict) -> CriticalSet:
    """critical_points in one child process, killed a moment after the deadline."""
    deadline = time.monotonic() + budget.seconds
    try:
        return run_bounded(_analysis_before, loss, deadline, options, what="the analysis",
                           timeout=budget.seconds + _KILL_GRACE, memory_mb=memory_mb)
    except BudgetExceeded as exc:  # MemoryBudgetExceeded included
        status = Status.INCOMPLETE if isinstance(exc, MemoryBudgetExceeded) else Status.TIMEOUT
        return _empty(loss, status, str(exc), budget.elapsed())


def _analysis_before(loss: Loss, deadline: float, options: dict) -> CriticalSet:
    """In the child process: critical_points with what is left of the time, minus a margin."""
    left = deadline - time.monotonic() - _RETURN_MARGIN
    if left <= 0:
        return _empty(loss, Status.TIMEOUT,
                      "no time was left for the analysis after starting its child process", 0.0)
    return critical_points(loss, left, isolate=False, memory_mb=None, **options)


def _polynomial_system(gradient: sp.Matrix, params) -> tuple[list, list] | None:
    numerators, denominators = [], []
    for g in gradient:
        num, den = sp.fraction(sp.together(g))
        for part in (num, den):
            try:
                poly = sp.Poly(part, *params)
            except sp.PolynomialError:
                return None
            if not (poly.domain.is_QQ or poly.domain.is_ZZ):
                return None
        numerators.append(sp.expand(num))
        if not den.is_number:
            denominators.append(den)
    return numerators, denominators


# -- polynomial gradients ----------------------------------------------------------------
def _polynomial_case(loss: Loss, numerators, denominators, hessian, budget: Budget,
                     solver: str = "exact",
                     derivatives: _Derivatives | None = None) -> CriticalSet:
    params = loss.params

    def full_hessian() -> sp.Matrix:
        return derivatives.hessian if derivatives is not None else hessian

    try:
        solved = solve_polynomial_system(numerators, params, budget, solver)
    except AlgorithmFailure as exc:
        return CriticalSet(loss=loss, points=(), families=(), method=_EXACT_METHOD,
                           status=Status.ALGORITHM_FAILURE, failures=(str(exc),),
                           elapsed=budget.elapsed())
    notes = list(solved.notes)
    failures = [solved.failure] if getattr(solved, "failure", "") else []
    timed_out = getattr(solved, "timed_out", False) or (not solved.complete and budget.expired)
    points = []
    block_cache: dict = {}  # the groups' points recur in many product points
    rows = None
    # a large system solved by msolve (its points in certified boxes) in more than four
    # parameters: at its rational points the eigenvalues are 30-digit numbers (charpoly,
    # signs and inertia stay exact); exact eigenpairs of such Hessians cost seconds
    exact_eigen = len(params) <= 4 or not any(isinstance(p, BoxPoint) for p in solved.points)
    system = (tuple(numerators), tuple(params))  # shared by every point's exact recipe
    group = _group(derivatives.loss_poly, budget, notes) if derivatives is not None else ()
    copied = 0
    known: dict[int, tuple] = {}  # id(point) -> its coordinates as mpmath numbers
    index = PointIndex(25)  # the points classified so far, by those coordinates
    part_values: dict = {}  # a separable system's group points recur in many points
    for alg in solved.points:
        if denominators and any(alg.reduce(d, params).is_zero for d in denominators):
            continue  # outside the loss's domain
        source = alg
        if group:  # the solver's 30 digits, once per point (never CRootOf's evalf)
            values = _point_values(alg, part_values)
            image = _symmetric_copy(values, points, index, group)
            if image is not None:  # classified already, as a symmetric copy
                if not image.exact:
                    image = dataclasses.replace(image, _exact=_LazyExact(source, system))
                points.append(image)
                known[id(image)] = values
                index.add(values, image)
                copied += 1
                continue
        try:
            certified = None
            if isinstance(alg, ProductPoint) and not denominators:
                certified = _block_point(loss, alg, full_hessian(), block_cache)
            if isinstance(alg, BoxPoint):
                rows = rows or _hessian_rows(loss, hessian, derivatives)
                certified = _box_point(loss, alg, rows) if rows else None
                if certified is None:  # degenerate or nearly so: decide exactly
                    alg = alg.exact_point()
            if certified is None and isinstance(alg, ParametrizedPoint):
                rows = rows or _hessian_rows(loss, hessian, derivatives)
                certified = _certified_point(loss, alg, full_hessian(),
                                             rows.polys if rows else None)
            point = certified or _exact_point(
                loss, alg.algebraic() if isinstance(alg, ParametrizedPoint) else alg,
                full_hessian(), budget, exact_eigen)
        except (BudgetExceeded, AlgorithmFailure) as exc:
            # the point is still listed, numerically, with an honest "inconclusive"
            timed_out = timed_out or isinstance(exc, BudgetExceeded)
            if isinstance(exc, AlgorithmFailure):
                failures.append(str(exc))
            point = _unclassified_point(loss, source, exc)
        if not point.exact:
            point = dataclasses.replace(point, _exact=_LazyExact(source, system))
        points.append(point)
        if group:
            known[id(point)] = values
            index.add(values, point)
    families = []
    for component in _distinct_families(solved.families, params):
        try:
            families.append(analyse_family(loss.expr, params, full_hessian(), component,
                                           budget))
        except (BudgetExceeded, AlgorithmFailure) as exc:
            timed_out = timed_out or isinstance(exc, BudgetExceeded)
            if isinstance(exc, AlgorithmFailure):
                failures.append(str(exc))
            why = f"not decided: {exc}"
            families.append(CriticalFamily(
                equations=tuple(component.equations), dimension=component.dimension,
                kind=Kind.INCONCLUSIVE, degenerate=True, reason=why,
                pieces=(FamilyPiece(condition=sp.true, kind=Kind.INCONCLUSIVE, degenerate=True,
                                    reason=why),), certified=component.certified))
    if denominators:
        notes.append("points where a denominator of the gradient vanishes are outside the "
                      "loss's domain and were dropped")
    points.sort(key=lambda p: p.numeric)
    orbits: tuple = ()
    if group:
        orbits = _orbits(loss, group, points, [known[id(p)] for p in points], families, budget,
                         solved.complete and not timed_out, notes, failures)
        if copied:
            notes.append(f"{plural(copied, 'point')} classified as the symmetric image of "
                         "a point classified before (same eigenvalues; eigenvectors mapped)")
    if timed_out:
        status = Status.TIMEOUT
    elif failures:
        status = Status.ALGORITHM_FAILURE
    elif not solved.complete or not all(f.certified for f in families):
        status = Status.INCOMPLETE
    else:
        status = Status.COMPLETE
    return CriticalSet(loss=loss, points=tuple(points), families=tuple(families),
                       method=_EXACT_METHOD, status=status, notes=tuple(notes),
                       elapsed=budget.elapsed(), failures=tuple(failures),
                       symmetries=group, orbits=orbits)


def _group(poly: sp.Poly, budget: Budget, notes: list) -> tuple:
    """The exact signed-permutation symmetries of ``poly``; () when only the identity
    is one, or when the search is too large or runs out of its time."""
    try:
        group = budget.run(lambda: symmetries(poly), fraction=0.1, what="symmetries")
    except (TooLarge, BudgetExceeded) as exc:
        notes.append(f"symmetries not used: {exc}")
        return ()
    return tuple(group) if len(group) > 1 else ()


def _point_values(alg, cache: dict) -> tuple:
    """A solver's point to 30 digits as mpmath numbers (a product point from its groups'
    points, each evaluated once)."""
    if isinstance(alg, ProductPoint):
        out: list = [None] * alg.n
        for block, part in zip(alg.blocks, alg.parts):
            key = id(part)
            if key not in cache:
                cache[key] = (part, _point_values(part, cache))
            for i, v in zip(block, cache[key][1]):
                out[i] = v
        return tuple(out)
    with mpmath.workdps(40):
        return tuple(mpmath.mpf(str(c)) for c in alg.evalf(30))


def _symmetric_copy(target: tuple, points: list, index: PointIndex,
                    group) -> CriticalPoint | None:
    """The point with coordinates ``target`` as the image g(p) of a point p classified
    before (in ``index``), with p's classification carried over: eigenvalues equal,
    eigenvectors v mapped to g(v).  None when it is no such image (matched to 25 digits)
    or p's evidence is in its own coordinates (higher-order forms, descent curves)."""
    for g in group:
        if g.is_identity:
            continue
        # target = g(p) exactly when p = g^-1(target); signs applied at full precision
        with mpmath.workdps(45):
            p = index.find(g.inverse()(target))
        if p is None:
            continue
        cls = p.classification
        if (cls.kind is Kind.INCONCLUSIVE or cls.higher_order is not None
                or cls.descent_curve is not None):
            continue
        return _image_point(p, g)
    return None


def _image_point(p: CriticalPoint, g) -> CriticalPoint:
    cls = p.classification
    new = dataclasses.replace(
        cls, eigenvectors=tuple(g(v) for v in cls.eigenvectors),
        escape_directions=tuple(_orient(g(v)) for v in cls.escape_directions),
        reason=cls.reason + " (the point is the image of another under an exact symmetry "
                            "of the loss, which keeps the Hessian's eigenvalues)")
    return CriticalPoint(coords=g(p.coords), numeric=g(p.numeric), value=p.value,
                         classification=new, exact=p.exact)


def _orbits(loss: Loss, group: tuple, points: list, values: list, families: list,
            budget: Budget, complete: bool, notes: list, failures: list) -> tuple:
    """The orbits of ``points`` (coordinates ``values``) under the loss's exact
    signed-permutation symmetries ``group``.  A free consistency check: the image of a critical point is a critical point
    of the same kind, so when the list is complete every image must be in it, and every
    orbit must share one kind; a violation is an algorithm failure.  Families are
    checked to map onto families (ideal membership; a note when not shown)."""
    params = loss.params
    if not points:
        return ()
    try:
        orbits, missing = budget.run(
            lambda: point_orbits(values,
                                 group, digits=18), fraction=0.2, what="orbits of the points")
    except BudgetExceeded as exc:
        notes.append(f"orbits not found: {exc}")
        return ()
    names = [p.name for p in params]
    try:
        unmatched = budget.run(lambda: _families_unmatched(families, group, params),
                               fraction=0.1, what="images of the families")
    except BudgetExceeded:
        unmatched = None
    if unmatched is None:
        notes.append("the images of the families under the symmetries were not checked "
                     "(time)")
    elif unmatched:
        notes.append(f"{plural(unmatched, 'image')} of a family under a symmetry not shown "
                     "to be a listed family (ideal membership may miss equal zero sets)")
    if missing and complete:
        a, g = missing[0]
        failures.append(f"symmetry check: the image of the point {points[a].numeric} under "
                        f"{g.describe(names)} is not among the critical points")
    agree = True
    for orbit in orbits:
        kinds = {points[i].kind for i in orbit} - {Kind.INCONCLUSIVE}
        if len(kinds) > 1:
            agree = False
            failures.append(f"symmetry check: symmetric points "
                            f"{', '.join(str(points[i].numeric) for i in orbit)} got different "
                            f"kinds ({', '.join(sorted(k.value for k in kinds))})")
    notes.append(f"{plural(len(group), 'exact symmetry', 'exact symmetries')} (signed "
                 f"permutations of the parameters, identity included): "
                 f"{plural(len(points), 'point')} in {plural(len(orbits), 'orbit')}, every image "
                 "of a point listed with the same kind" if not missing and agree else
                 f"{plural(len(group), 'exact symmetry', 'exact symmetries')}: "
                 f"{plural(len(orbits), 'orbit')}")
    return tuple(tuple(o) for o in orbits)


_EXACT_METHOD = "Groebner basis + exact real-root isolation"


def _families_unmatched(families, group, params) -> int:
    """How many images g(F) of families F are not shown to equal a listed family."""
    count = 0
    for f in families:
        for g in group:
            if g.is_identity:
                continue
            # y = g(x): x_perm(i) = s_i y_i
            back = {params[j]: s * params[i] for i, (s, j) in enumerate(zip(g.signs, g.perm))}
            image = [sp.expand(e.xreplace(back)) for e in f.equations]
            if not any(_contains(image, h.equations, params) and
                       _contains(h.equations, image, params) for h in families):
                count += 1
    return count


def _distinct_families(components, params) -> list:
    """Drop components without real points (an equation evidently > 0) and components
    inside a larger one (its equations vanish on them), which add nothing."""
    kept = []
    for c in components:
        if any(_evidently_positive(e, params) for e in c.equations):
            continue
        kept.append(c)
    out = []
    for c in kept:
        if c.equations and any(
                other is not c and other.dimension > c.dimension and other.equations
                and _contains(c.equations, other.equations, params) for other in kept):
            continue
        out.append(c)
    return out


def _evidently_positive(equation, params) -> bool:
    try:
        poly = sp.Poly(equation, *params, domain="QQ")
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
        return False
    return evident_sign(poly) != 0 and poly.coeff_monomial(1) != 0


def _contains(inner, outer, params) -> bool:
    """The zeros of ``inner`` lie in those of ``outer``: each of ``outer`` reduces to 0
    modulo a Groebner basis of ``inner``."""
    try:
        basis = sp.groebner(list(inner), *params, order="grevlex", domain="QQ")
        return all(basis.reduce(sp.expand(e))[1] == 0 for e in outer)
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
        return False


def _unclassified_point(loss: Loss, alg: AlgebraicPoint, exc: Exception) -> CriticalPoint:
    numeric = tuple(float(v) for v in alg.evalf(20))
    coords = tuple(sp.Float(v, 20) for v in alg.evalf(20))
    value = sp.N(loss.expr.xreplace(dict(zip(loss.params, coords))), 20)
    why = "ran out of time" if isinstance(exc, BudgetExceeded) else "an algorithm gave up"
    cls = Classification(kind=Kind.INCONCLUSIVE, degenerate=False,
                         reason=f"not classified: {why} ({exc})")
    return CriticalPoint(coords=coords, numeric=numeric, value=value, classification=cls,
                         exact=False)


def exact_coordinates(alg: AlgebraicPoint) -> tuple[sp.Expr, ...]:
    """Exact coordinates: rationals, radicals for quadratic fields, CRootOf otherwise."""
    if alg.degree == 1:
        r = alg.root
        return tuple(sp.nsimplify(c.as_expr().subs(T, r)) for c in alg.coordinate_polys)
    if alg.degree == 2:
        root = _quadratic_root(alg)
        return tuple(sp.radsimp(sp.expand(c.as_expr().subs(T, root))) for c in alg.coordinate_polys)
    coords = []
    with mpmath.workdps(60):
        values = alg.evalf(50)
    for c, value in zip(alg.coordinate_polys, values):
        if c.degree() <= 0:
            coords.append(c.as_expr())
            continue
        coords.append(_coordinate_root(alg, c, value))
    return tuple(coords)


class _LazyExact:
    """The exact coordinates of a point certified by a box, derived on first use and kept.

    Holds the solver's point (its exact form: :meth:`ParametrizedPoint.algebraic`).  A
    pickled copy keeps instead the gradient system and the point's certified box; its
    first use solves the system exactly again and takes the one point in the box.
    """

    def __init__(self, point, system: tuple[tuple, tuple]):
        self._point = point
        self._system = system  # (gradient numerators, params)
        self._bounds: list[tuple[Fraction, Fraction]] | None = None
        self._coords: tuple[sp.Expr, ...] | None = None

    def resolve(self, timeout: float | None) -> tuple[sp.Expr, ...]:
        if self._coords is None:
            budget = Budget(timeout)
            point = self._point if self._point is not None else self._find(budget)
            if isinstance(point, BoxPoint):  # with this call's time, not the solve's
                point = budget.run(lambda: point.exact_point(budget), what="exact coordinates")
            self._coords = budget.run(lambda: _exact_of(point), what="exact coordinates")
        return self._coords

    def _find(self, budget: Budget):
        numerators, params = self._system
        solved = solve_polynomial_system(list(numerators), params, budget, "exact")
        slack = Fraction(1, 10 ** 50)
        matches = []
        for q in solved.points:
            values = [Fraction(str(v)) for v in q.evalf(60)]
            if all(lo - slack <= v <= hi + slack for v, (lo, hi) in zip(values, self._bounds)):
                matches.append(q)
        if len(matches) == 1:
            return matches[0]
        if getattr(solved, "timed_out", False):
            raise BudgetExceeded("exact coordinates: the exact solve ran out of time")
        raise AlgorithmFailure(f"exact coordinates: {len(matches)} exact solutions lie in the "
                               "point's certified box, not one")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if self._coords is not None:
            state["_system"] = None
        elif self._point is not None:
            state["_bounds"] = _certified_bounds(self._point)
        state["_point"] = None  # solver objects hold callables and caches
        return state


def _certified_bounds(point) -> list[tuple[Fraction, Fraction]]:
    """Rational bounds that provably hold each coordinate of a solver's point."""
    if isinstance(point, BoxPoint):
        return point.bounds()
    if isinstance(point, AlgebraicPoint):
        # exact already: a tight box around its coordinates
        values = [Fraction(str(v)) for v in point.evalf(60)]
        eps = Fraction(1, 10 ** 45)
        return [(v - eps * (1 + abs(v)), v + eps * (1 + abs(v))) for v in values]
    out = []
    for b in point.box(40):
        lo, hi = (mpmath.mpf(e) for e in b._mpi_)
        out.append((_fraction_of(lo), _fraction_of(hi)))
    return out


def _fraction_of(value: mpmath.mpf) -> Fraction:
    sign, man, exp, _ = value._mpf_
    man = -man if sign else man
    return Fraction(man * 2 ** exp) if exp >= 0 else Fraction(man, 2 ** -exp)


def _exact_of(point) -> tuple[sp.Expr, ...]:
    """Exact coordinates of a solver's point (box, parametrized, product or algebraic)."""
    if isinstance(point, ProductPoint):  # each group in its own field
        out: list = [None] * point.n
        for block, part in zip(point.blocks, point.parts):
            for i, c in zip(block, _exact_of(part)):
                out[i] = c
        return tuple(out)
    if isinstance(point, ParametrizedPoint):
        return exact_coordinates(point.algebraic())
    return exact_coordinates(point)


def _quadratic_root(alg: AlgebraicPoint) -> sp.Expr:
    roots = sorted(sp.roots(alg.minpoly, multiple=True), key=lambda r: float(sp.N(r)))
    return roots[alg.index]


_X = sp.Dummy("X")


@functools.lru_cache(maxsize=256)
def _coordinate_factors(minpoly: sp.Poly, coordinate: sp.Poly) -> tuple[sp.Poly, ...]:
    """The irreducible factors (primitive, positive leading coefficient) of
    res_T(minpoly(T), X - coordinate(T)); shared by every root of one minimal polynomial,
    so computed once for all of them."""
    res = sp.Poly(sp.resultant(minpoly.as_expr(), _X - coordinate.as_expr(), T), _X)
    out = []
    for factor, _ in res.factor_list()[1]:
        _, factor = factor.clear_denoms(convert=True)
        factor = factor.primitive()[1]
        out.append(-factor if factor.LC() < 0 else factor)
    return tuple(out)


def _coordinate_root(alg: AlgebraicPoint, coordinate: sp.Poly, value: sp.Float) -> sp.Expr:
    """The coordinate p(tau) as a root of its own minimal polynomial.

    The minimal polynomial divides the resultant res_T(f(T), X - p(T)); the root is the
    one whose isolating interval (width 1e-40) holds the coordinate's 50-digit value.
    """
    target = Fraction(str(sp.Float(value, 50)))
    slack = Fraction(1, 10 ** 40)
    for factor in _coordinate_factors(alg.minpoly, coordinate):
        for k, (a, b) in enumerate(isolating_intervals(factor, 45)):
            if a - slack <= target <= b + slack:
                if factor.degree() == 1:
                    return sp.Rational(-factor.all_coeffs()[1], factor.all_coeffs()[0])
                if factor.degree() == 2:
                    return sorted(sp.roots(factor, multiple=True), key=lambda r: float(sp.N(r)))[k]
                return crootof(factor, k)
    raise BudgetExceeded("could not identify a coordinate among its minimal polynomial's roots")


def _matrix_at(rows, coords) -> mpmath.matrix:
    """Polynomial entries evaluated at numeric coordinates, at the working precision
    (term by term: far cheaper than substituting into the expressions)."""
    values = [mpmath.mpf(str(c)) for c in coords]
    out = mpmath.matrix(len(rows), len(rows[0]))
    for i, row in enumerate(rows):
        for j, poly in enumerate(row):
            total = mpmath.mpf(0)
            for monom, c in poly.terms():
                term = mpmath.mpf(int(c.p)) / int(c.q)
                for v, e in zip(values, monom):
                    if e:
                        term *= v ** e
                total += term
            out[i, j] = total
    return out


class _HessianRows:
    """The Hessian's entries as polynomials, compiled once for all points."""

    def __init__(self, loss: Loss, hessian, derivatives: _Derivatives | None):
        params = loss.params
        n = len(params)
        if derivatives is not None:
            self.polys = [list(row) for row in derivatives.hessian_polys]
            loss_poly = derivatives.loss_poly
        else:
            self.polys = [[sp.Poly(hessian[i, j], *params, domain="QQ") for j in range(n)]
                          for i in range(n)]
            loss_poly = sp.Poly(loss.expr, *params, domain="QQ")
        self.system = System([], self.polys, symmetric=True)
        self.loss = CompiledPoly(loss_poly)


def _hessian_rows(loss: Loss, hessian, derivatives=None) -> _HessianRows | None:
    try:
        return _HessianRows(loss, hessian, derivatives)
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
        return None  # not a polynomial loss: the exact path classifies


def _box_point(loss: Loss, point: BoxPoint, rows: _HessianRows) -> CriticalPoint | None:
    """A point in a Krawczyk-certified box classified by the certified inertia of its
    Hessian (exact LDL^T of shifted midpoint Hessians; see :mod:`symopt.krawczyk`);
    None when an eigenvalue may be 0 (the caller decides exactly).  Coordinates: 30
    digits (exact: ``point.algebraic()``)."""
    box = point.certified_box
    powers = [[c ** e for e in range(rows.system.degree + 1)] for c in box.centre]
    try:
        jac, spread = rows.system.jacobian_at(box, powers)
        inertia = certified_inertia(jac, spread)
        if inertia is None:
            return None
        eigenvalues, escape = _eigenpairs(jac, inertia[1])
    except (OverflowError, FloatingPointError, np.linalg.LinAlgError):
        return None  # values beyond float range: the exact path decides
    num, den = rows.loss.at([[c ** e for e in range(rows.loss.degree + 1)]
                             for c in box.centre], box.k)
    value = sp.Float(sp.Rational(num, den), 30)
    positive, negative, _ = inertia
    kind = Kind.SADDLE if positive and negative else Kind.MINIMUM if positive else Kind.MAXIMUM
    reason = (f"{positive} positive and {plural(negative, 'negative Hessian eigenvalue')}, proven "
              "by a Krawczyk-certified box around the point and an exact inertia count "
              "with a margin above the Hessian's spread over the box")
    cls = Classification(kind=kind, degenerate=False, reason=reason, inertia=inertia,
                         eigenvalues=eigenvalues, escape_directions=escape)
    coords = point.evalf(30)
    return _point_from(coords, tuple(float(c) for c in coords), value, cls, exact=False)


def _eigenpairs(jac, negative: int):
    """Eigenvalues (ascending, 30 digits) and the unit eigenvectors of the ``negative``
    lowest (15 digits) of the symmetric matrix of exact entries ``(num, den)``.  The
    vectors come from float64; each eigenvalue is the Rayleigh quotient of its vector,
    in exact arithmetic, accurate to about the square of the vector's error.  Their
    signs are not decided here (the certified inertia decides)."""
    n = len(jac)
    floats = np.array([[num / den for num, den in row] for row in jac])
    _, vectors = np.linalg.eigh(floats)
    grid = 1 << 256
    matrix = [[(num * grid) // den for num, den in row] for row in jac]  # H to 2**-256
    values = []
    for c in range(n):
        v = [Fraction(float(x)) for x in vectors[:, c]]
        scale = max(f.denominator for f in v)
        w = [int(f * scale) for f in v]  # integers, exactly proportional to v
        hw = [sum(matrix[r][k] * w[k] for k in range(n)) for r in range(n)]
        values.append(Fraction(sum(a * b for a, b in zip(w, hw)),
                               sum(a * a for a in w) * grid))
    order = sorted(range(n), key=lambda c: values[c])
    eigenvalues = tuple(sp.Float(sp.Rational(values[c].numerator, values[c].denominator), 30)
                        for c in order)
    escape = tuple(_orient(tuple(sp.Float(float(x), 15) for x in vectors[:, c]))
                   for c in order[:negative])
    return eigenvalues, escape


def _certified_point(loss: Loss, point: ParametrizedPoint, hessian,
                     rows=None) -> CriticalPoint | None:
    """A nondegenerate point classified by interval arithmetic on a certified box (the
    signs of the Hessian's characteristic polynomial, so its inertia, are proven); None
    when a sign stays undecided.  Coordinates: 30 digits (exact: ``point.algebraic()``)."""
    params = loss.params
    if rows is None:
        rows = [[qq_poly(hessian[i, j], tuple(params)) for j in range(len(params))]
                for i in range(len(params))]
    signs = certified_signs(point, rows)
    inertia = inertia_from_charpoly(signs) if signs is not None else None
    if inertia is None or inertia[2]:
        return None
    coords = point.evalf(30)
    subs = dict(zip(params, coords))
    eigenvalues, escape = _numeric_eigenpairs(rows, coords, inertia[1])
    positive, negative, _ = inertia
    kind = Kind.SADDLE if positive and negative else Kind.MINIMUM if positive else Kind.MAXIMUM
    reason = (f"{positive} positive and {plural(negative, 'negative Hessian eigenvalue')}, "
              "proven by "
              "interval arithmetic on a certified box around the point")
    value = sp.Float(str(sp.N(loss.expr.xreplace(subs), 30)), 30)
    cls = Classification(kind=kind, degenerate=False, reason=reason, inertia=inertia,
                         eigenvalues=eigenvalues, escape_directions=escape,
                         signs=tuple(signs))
    return _point_from(coords, tuple(float(c) for c in coords), value, cls, exact=False)


def _numeric_eigenpairs(rows, coords, negative: int) -> tuple[tuple, tuple]:
    """Eigenvalues (ascending, 30 digits) of the polynomial matrix ``rows`` at ``coords``,
    and unit eigenvectors of its ``negative`` lowest, each with its first clearly nonzero
    entry positive.  Their signs are not decided here: the caller's proven inertia says
    how many are negative."""
    with mpmath.workdps(50):  # str() prints at the working precision: convert inside
        values, vectors = mpmath.eigsy(_matrix_at(rows, coords))
        escape = []
        for c in range(negative):
            column = [vectors[r, c] for r in range(len(rows))]
            flip = -1 if next((v for v in column if abs(v) > 1e-20), 1) < 0 else 1
            escape.append(tuple(sp.Float(str(flip * v), 30) for v in column))
        return tuple(sp.Float(str(v), 30) for v in values), tuple(escape)


def _block_inertia(part, rows, gens) -> tuple[int, int, int] | None:
    """Inertia of one group's Hessian block at that group's point: interval arithmetic
    on a certified box first, exact signs in the point's number field otherwise."""
    if isinstance(part, ParametrizedPoint):
        signs = certified_signs(part, rows)
        if signs is not None:
            return inertia_from_charpoly(signs)
        part = part.algebraic()
    lam = sp.Dummy("lambda")
    matrix = sp.Matrix(len(rows), len(rows),
                       lambda i, j: part.reduce(rows[i][j].as_expr(), gens).as_expr())
    coeffs = [sp.Poly(c, T, domain="QQ") for c in matrix.charpoly(lam).all_coeffs()]
    return inertia_from_charpoly([part.sign_of(c) for c in coeffs])


def _block_point(loss: Loss, point: ProductPoint, hessian,
                 cache: dict | None = None) -> CriticalPoint | None:
    """A point of a block-separable gradient whose Hessian is block-diagonal (checked:
    every entry between two groups is identically 0), so its inertia is the sum of the
    blocks' inertias, each proven in its own group's number field.  None when that does
    not hold or leaves the kind open (a semidefinite singular Hessian)."""
    params = loss.params
    group = {i: k for k, block in enumerate(point.blocks) for i in block}
    if any(hessian[i, j] != 0 for i in range(len(params)) for j in range(len(params))
           if group[i] != group[j]):
        return None  # a gradient entry in another group's variables (as for x*y)
    total = [0, 0, 0]
    for block, part in zip(point.blocks, point.parts):
        gens = tuple(params[i] for i in block)
        key = (block, id(part))
        if cache is None or key not in cache:
            rows = [[sp.Poly(hessian[i, j], *gens, domain="QQ") for j in block] for i in block]
            inertia = _block_inertia(part, rows, gens)
            if cache is not None:
                cache[key] = (part, inertia)  # the part is kept so its id stays unique
        else:
            inertia = cache[key][1]
        if inertia is None:
            return None
        total = [a + b for a, b in zip(total, inertia)]
    positive, negative, zero = total
    if zero and not (positive and negative):
        return None
    coords = point.evalf(30)
    subs = dict(zip(params, coords))
    rows = [[qq_poly(hessian[i, j], tuple(params)) for j in range(len(params))]
            for i in range(len(params))]
    eigenvalues, escape = _numeric_eigenpairs(rows, coords, negative)
    kind = Kind.SADDLE if positive and negative else Kind.MINIMUM if positive else Kind.MAXIMUM
    reason = (f"{positive} positive and {plural(negative, 'negative Hessian eigenvalue')}"
              + (f" and {zero} zero" if zero else "") + ": the Hessian is block-diagonal "
              "(the gradient splits into groups of variables), each block's inertia proven "
              "exactly or by interval arithmetic on a certified box")
    cls = Classification(kind=kind, degenerate=bool(zero), reason=reason,
                         inertia=(positive, negative, zero),
                         eigenvalues=eigenvalues, escape_directions=escape)
    value = sp.Float(str(sp.N(loss.expr.xreplace(subs), 30)), 30)
    numeric = tuple(float(c) for c in coords)
    if not any(isinstance(part, ParametrizedPoint) for part in point.parts):
        # each coordinate is exact in its own group's field: no common field is needed
        exact: list = [None] * len(params)
        for block, part in zip(point.blocks, point.parts):
            key = ("coordinates", block, id(part))
            if cache is None or key not in cache:
                found = exact_coordinates(part)
                if cache is not None:
                    cache[key] = (part, found)
            else:
                found = cache[key][1]
            for i, c in zip(block, found):
                exact[i] = c
        return _point_from(tuple(exact), numeric, value, cls, exact=True)
    return _point_from(coords, numeric, value, cls, exact=False)


def _exact_point(loss: Loss, alg: AlgebraicPoint, hessian, budget: Budget,
                 exact_eigen: bool = True) -> CriticalPoint:
    params = loss.params
    coords = budget.run(lambda: exact_coordinates(alg), fraction=0.5, what="exact coordinates")
    numeric = tuple(float(v) for v in alg.evalf(20))
    cls = classify_exact(loss.expr, params, hessian, alg, coords, budget,
                         exact_eigen=exact_eigen)
    if alg.degree == 1:
        value = sp.nsimplify(loss.expr.xreplace(dict(zip(params, coords))))
    else:
        reduced = alg.reduce(loss.expr, params) if _is_poly(loss.expr, params) else None
        value = (sp.Float(str(sp.N(reduced.as_expr().subs(T, alg.tau(60)), 30)), 30)
                 if reduced is not None else sp.N(loss.expr.xreplace(dict(zip(params, coords))), 30))
    return _point_from(coords, numeric, value, cls, exact=True)


def _is_poly(expr, params) -> bool:
    try:
        sp.Poly(expr, *params)
        return True
    except sp.PolynomialError:
        return False


def _point_from(coords, numeric, value, cls: Classification, exact: bool) -> CriticalPoint:
    return CriticalPoint(coords=tuple(coords), numeric=tuple(numeric), value=value,
                         classification=cls, exact=exact)


def classify_point(loss: Loss | str, point: Sequence[Any], timeout: float = 30) -> CriticalPoint:
    """Classify one given point, which must be an exact critical point of ``loss``.

    Coordinates may be numbers, exact SymPy numbers, or text such as "1/2" (parsed
    safely).  Raises ValueError when the gradient does not vanish there exactly.
    """
    from .parse import parse_expression

    loss = as_loss(loss, "classify_point")
    params = loss.params
    if len(point) != len(params):
        raise ValueError(f"the point has {plural(len(point), 'coordinate')} but the loss has "
                         f"{plural(len(params), 'parameter')}: "
                         f"{', '.join(p.name for p in params)}")
    coords = tuple(parse_expression(c) if isinstance(c, str) else sp.nsimplify(c, rational=True)
                   if isinstance(c, float) else sp.sympify(c) for c in point)
    budget = Budget(timeout)
    subs = dict(zip(params, coords))
    residual = [sp.simplify(g.xreplace(subs)) for g in loss.gradient]
    if any(exact_sign(r) != 0 for r in residual):
        raise ValueError(f"{tuple(coords)} is not a critical point: the gradient there is "
                         f"{tuple(residual)}; use critical_points(loss) to find them")
    cls = classify_exact(loss.expr, params, loss.hessian, None, coords, budget)
    value = sp.simplify(loss.expr.xreplace(subs))
    return _point_from(coords, tuple(float(sp.N(c, 30)) for c in coords), value, cls, exact=True)


# -- other gradients: exact attempts, then multi-start Newton ------------------------------------
def _nowhere_zero(gradient) -> sp.Expr | None:
    """A gradient entry that is a nonzero constant over an expression (so never zero)."""
    for g in gradient:
        numerator, _ = sp.fraction(sp.together(g))
        if numerator.is_number and exact_sign(numerator) not in (0, None):
            return g
    return None


def _general_case(loss: Loss, gradient, hessian, budget: Budget, box, starts: int,
                  seed: int) -> CriticalSet:
    params = loss.params
    bounds = search_box(box, len(params))
    never = _nowhere_zero(gradient)
    if never is not None:
        return CriticalSet(
            loss=loss, points=(), families=(), status=Status.COMPLETE, elapsed=budget.elapsed(),
            method="exact: a gradient entry never vanishes",
            notes=(f"the gradient entry {never} has a constant nonzero numerator, so it is "
                   "never zero: there are no critical points",))
    notes, failures = [], []
    exact_found: list[tuple[sp.Expr, ...]] = []
    try:
        candidates = budget.run(lambda: sp.solve(list(gradient), list(params), dict=True),
                                fraction=0.3, what="exact solve")
        for cand in candidates:
            if set(cand) != set(params):
                continue
            coords = tuple(sp.simplify(cand[p]) for p in params)
            if not all(c.is_real for c in coords):
                continue
            residual = [sp.simplify(g.xreplace(dict(zip(params, coords)))) for g in gradient]
            if all(exact_sign(r) == 0 for r in residual):
                exact_found.append(coords)
    except BudgetExceeded:
        notes.append("the exact attempt (sympy.solve) ran out of its share of the time budget")
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError) as exc:
        notes.append(f"the exact attempt found nothing usable ({type(exc).__name__})")
    numeric_points, newton_note = newton_search(loss, gradient, hessian, bounds, starts, seed, budget)
    notes.append(newton_note)
    points = []
    for coords in exact_found:
        numeric = tuple(float(sp.N(c, 30)) for c in coords)
        value = sp.simplify(loss.expr.xreplace(dict(zip(params, coords))))
        try:
            cls = classify_exact(loss.expr, params, hessian, None, coords, budget)
        except BudgetExceeded as exc:
            cls = Classification(kind=Kind.INCONCLUSIVE, degenerate=False,
                                 reason=f"not classified: ran out of time ({exc})")
        except Exception as exc:  # noqa: BLE001 - one failed point never hides the others
            failures.append(f"classifying {coords}: {type(exc).__name__}: {exc}")
            cls = Classification(kind=Kind.INCONCLUSIVE, degenerate=False,
                                 reason=f"not classified: {type(exc).__name__}: {exc}")
        points.append(_point_from(coords, numeric, value, cls, exact=True))
    merged = 0
    for coords, cls, value in numeric_points:
        numeric = tuple(float(c) for c in coords)
        # Newton creeps towards a degenerate root (linear convergence), leaving a cluster of
        # "verified" approximations: points within 1e-3 of one already listed are merged
        if any(np.allclose(numeric, p.numeric, atol=1e-3, rtol=1e-3) for p in points):
            merged += 1
            continue
        points.append(_point_from(coords, numeric, value, cls, exact=False))
    if merged:
        notes.append(f"{plural(merged, 'numerically located point')} within 1e-3 of another point "
                     "were merged into it (slow Newton convergence at a degenerate root)")
    points.sort(key=lambda p: p.numeric)
    # a Hessian with unevaluated derivatives (d/dx of sign(...), say): Newton cannot run
    # and no exact path applies, so the loss is outside what the analysis handles
    unsupported = hessian.has(sp.Derivative)
    status = (Status.UNSUPPORTED if unsupported else Status.TIMEOUT if budget.expired else
              Status.ALGORITHM_FAILURE if failures else Status.INCOMPLETE)
    box_text = " x ".join(f"[{lo:g}, {hi:g}]" for lo, hi in bounds)
    method = (f"exact attempt (sympy.solve, candidates verified) + multi-start Newton with the "
              f"exact Hessian over {box_text}, {starts} starts, mpmath-polished")
    return CriticalSet(loss=loss, points=tuple(points), families=(), method=method,
                       status=status, notes=tuple(notes), elapsed=budget.elapsed(),
                       box=tuple(bounds), failures=tuple(failures))
