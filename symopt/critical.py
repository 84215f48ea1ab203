"""Every critical point of a loss, classified: the CriticalSet and how it is found.

Polynomial gradients are solved exactly (see :mod:`symopt.polysolve`): all isolated
real points, exact coordinates, positive-dimensional families split off, and
``complete=True`` only when that is proven.  Other gradients get exact attempts within
the time budget, then multi-start Newton with the exact Hessian over a stated box,
polished with mpmath and verified; ``complete=False`` and the method is stated.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import mpmath
import numpy as np
import sympy as sp

from .budget import Budget
from .classify import (Classification, Kind, _numeric_matrix, classify_exact, exact_sign,
                       inertia_from_charpoly)
from .errors import BudgetExceeded
from .loss import Loss
from .newton import newton_search, search_box
from .realroots import ParametrizedPoint, certified_signs
from .polysolve import (SOLVERS, T, AlgebraicPoint, FamilyComponent, canonical_point, crootof,
                        isolating_intervals, solve_polynomial_system, zero_dimensional_points)

__all__ = ["Kind", "CriticalPoint", "CriticalFamily", "CriticalSet", "critical_points",
           "classify_point"]


@dataclass(frozen=True)
class CriticalPoint:
    """An isolated critical point and what kind it is.

    ``coords`` are exact SymPy numbers in ``loss.params`` order (rational, radical or
    CRootOf) when ``exact`` is true, else high-precision Floats of a verified numerical
    root.  ``escape_directions`` are unit eigenvectors of the negative eigenvalues.
    """

    coords: tuple[sp.Expr, ...]
    numeric: tuple[float, ...]
    value: sp.Expr
    kind: Kind
    degenerate: bool
    eigenvalues: tuple[sp.Expr, ...]
    escape_directions: tuple[tuple[sp.Expr, ...], ...]
    reason: str
    exact: bool = True
    inertia: tuple[int, int, int] | None = None
    descent_curve: tuple[sp.Expr, ...] | None = None
    higher_order: sp.Expr | None = None

    @property
    def numeric_value(self) -> float:
        return float(sp.N(self.value, 30))

    @property
    def eigenvalues_numeric(self) -> tuple[float, ...]:
        return tuple(float(sp.N(v, 30)) for v in self.eigenvalues)

    @property
    def escape_directions_numeric(self) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(float(sp.N(c, 30)) for c in d) for d in self.escape_directions)

    @property
    def negative_eigenvalues(self) -> tuple[sp.Expr, ...]:
        return tuple(v for v in self.eigenvalues if float(sp.N(v, 30)) < 0)[
            : len(self.escape_directions)]

    def predicted_loss(self, step: float, direction: int = 0) -> float:
        """Second-order prediction L(p + a*u) ~ L(p) + lambda*a**2/2 along escape direction u."""
        if not self.escape_directions:
            raise ValueError("this point has no negative-curvature direction to step along")
        lam = float(sp.N(self.negative_eigenvalues[direction], 30))
        return self.numeric_value + lam * step * step / 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "coords": [str(c) for c in self.coords],
            "numeric": list(self.numeric),
            "value": str(self.value),
            "value_numeric": self.numeric_value,
            "kind": self.kind.value,
            "degenerate": self.degenerate,
            "eigenvalues": [str(v) for v in self.eigenvalues],
            "eigenvalues_numeric": list(self.eigenvalues_numeric),
            "escape_directions": [[str(c) for c in d] for d in self.escape_directions],
            "escape_directions_numeric": [list(d) for d in self.escape_directions_numeric],
            "exact": self.exact,
            "reason": self.reason,
            "descent_curve": None if self.descent_curve is None else [str(c) for c in self.descent_curve],
        }


@dataclass(frozen=True)
class CriticalFamily:
    """A positive-dimensional set of critical points: the common zeros of ``equations``."""

    equations: tuple[sp.Expr, ...]
    dimension: int
    kind: Kind
    degenerate: bool
    reason: str
    sample_points: tuple[tuple[sp.Expr, ...], ...] = ()
    sample_eigenvalues: tuple[tuple[sp.Expr, ...], ...] = ()
    value: sp.Expr | None = None  # the loss on the family, when it is constant there
    global_minimum: bool = False
    certified: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "equations": [str(e) for e in self.equations],
            "dimension": self.dimension,
            "kind": self.kind.value,
            "degenerate": self.degenerate,
            "global_minimum": self.global_minimum,
            "value": None if self.value is None else str(self.value),
            "reason": self.reason,
            "sample_points": [[str(c) for c in p] for p in self.sample_points],
            "sample_eigenvalues": [[str(v) for v in e] for e in self.sample_eigenvalues],
        }


@dataclass(frozen=True)
class CriticalSet:
    """The critical points and families of a loss, and whether the list is proven complete."""

    loss: Loss
    points: tuple[CriticalPoint, ...]
    families: tuple[CriticalFamily, ...]
    complete: bool
    method: str
    status: str  # "complete", "incomplete" or "timeout"
    notes: tuple[str, ...] = ()
    elapsed: float = 0.0
    box: tuple[tuple[float, float], ...] | None = None

    def __iter__(self) -> Iterator[CriticalPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def of_kind(self, kind: Kind | str) -> tuple[CriticalPoint, ...]:
        kind = Kind(kind)
        return tuple(p for p in self.points if p.kind is kind)

    @property
    def saddles(self) -> tuple[CriticalPoint, ...]:
        return self.of_kind(Kind.SADDLE)

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        return self.of_kind(Kind.MINIMUM)

    @property
    def maxima(self) -> tuple[CriticalPoint, ...]:
        return self.of_kind(Kind.MAXIMUM)

    def to_dict(self) -> dict[str, Any]:
        return {
            "expr": str(self.loss.expr),
            "params": [p.name for p in self.loss.params],
            "points": [p.to_dict() for p in self.points],
            "families": [f.to_dict() for f in self.families],
            "complete": self.complete,
            "status": self.status,
            "method": self.method,
            "notes": list(self.notes),
            "elapsed_seconds": round(self.elapsed, 4),
        }

    def _repr_latex_(self) -> str:
        from .report import critical_set_latex  # display only

        return critical_set_latex(self)

    def _repr_markdown_(self) -> str:
        from .report import critical_set_markdown

        return critical_set_markdown(self)

    def __repr__(self) -> str:
        return (f"CriticalSet({len(self.points)} point(s), {len(self.families)} family(ies), "
                f"complete={self.complete}, method={self.method!r})")


# ---------------------------------------------------------------------------------------
def critical_points(loss: Loss | str, timeout: float = 30, *, box: Any = None,
                    starts: int = 256, seed: int = 0, solver: str = "auto") -> CriticalSet:
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
        (optional binary, for zero-dimensional systems), or msolve when installed.

    Examples
    --------
    >>> cs = critical_points(Loss.parse("(1 - w1*w2)**2"))
    >>> [(p.coords, p.kind.value) for p in cs.points]
    [((0, 0), 'saddle')]
    >>> cs.families[0].equations, cs.complete
    ((w1*w2 - 1,), True)
    """
    if isinstance(loss, str):
        loss = Loss.parse(loss)
    if not isinstance(loss, Loss):
        raise TypeError(f"critical_points takes a Loss or text, got {type(loss).__name__}")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(map(repr, SOLVERS))}, got {solver!r}")
    budget = Budget(timeout)
    params = loss.params
    try:
        gradient = budget.run(lambda: loss.gradient, fraction=0.5, what="gradient")
        hessian = budget.run(lambda: loss.hessian, fraction=0.5, what="Hessian")
    except BudgetExceeded as exc:
        return CriticalSet(loss, (), (), False, "none", "timeout", (str(exc),), budget.elapsed())
    system = _polynomial_system(gradient, params)
    if system is not None:
        numerators, denominators = system
        return _polynomial_case(loss, numerators, denominators, hessian, budget, solver)
    return _general_case(loss, gradient, hessian, budget, box, starts, seed)


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
                     solver: str = "exact") -> CriticalSet:
    params = loss.params
    solved = solve_polynomial_system(numerators, params, budget, solver)
    notes = list(solved.notes)
    timed_out = any("time budget" in n for n in notes)
    points = []
    for alg in solved.points:
        if denominators and any(alg.reduce(d, params).is_zero for d in denominators):
            continue  # outside the loss's domain
        try:
            certified = (_certified_point(loss, alg, hessian)
                         if isinstance(alg, ParametrizedPoint) else None)
            points.append(certified or _exact_point(
                loss, alg.algebraic() if isinstance(alg, ParametrizedPoint) else alg,
                hessian, budget))
        except BudgetExceeded as exc:
            timed_out = True
            notes.append(f"classification stopped at the time budget: {exc}")
            break
    families = []
    for component in solved.families:
        try:
            families.append(_family(loss, component, hessian, budget))
        except BudgetExceeded as exc:
            timed_out = True
            notes.append(f"family classification stopped at the time budget: {exc}")
            families.append(CriticalFamily(component.equations, component.dimension,
                                           Kind.INCONCLUSIVE, True, "ran out of time",
                                           certified=component.certified))
    if denominators:
        notes.append("points where a denominator of the gradient vanishes are outside the "
                      "loss's domain and were dropped")
    complete = solved.complete and not timed_out
    status = "complete" if complete else ("timeout" if timed_out else "incomplete")
    points.sort(key=lambda p: p.numeric)
    return CriticalSet(loss, tuple(points), tuple(families), complete,
                       "Groebner basis + exact real-root isolation", status, tuple(notes),
                       budget.elapsed())


def _certified_point(loss: Loss, point: ParametrizedPoint, hessian) -> CriticalPoint | None:
    """A nondegenerate point classified by interval arithmetic on a certified box (the
    signs of the Hessian's characteristic polynomial, so its inertia, are proven); None
    when a sign stays undecided.  Coordinates: 30 digits (exact form: point.algebraic())."""
    params = loss.params
    rows = [[sp.Poly(hessian[i, j], *params, domain="QQ") for j in range(len(params))]
            for i in range(len(params))]
    signs = certified_signs(point, rows)
    inertia = inertia_from_charpoly(signs) if signs is not None else None
    if inertia is None or inertia[2]:
        return None
    coords = point.evalf(30)
    subs = dict(zip(params, coords))
    numeric_h = _numeric_matrix(hessian.xreplace(subs))
    with mpmath.workdps(50):
        values, vectors = mpmath.eigsy(numeric_h)
    eigenvalues = tuple(sp.Float(str(v), 30) for v in values)
    escape = tuple(tuple(sp.Float(str(vectors[r, c]), 30) for r in range(len(params)))
                   for c in range(len(params)) if values[c] < 0)
    positive, negative, _ = inertia
    kind = Kind.SADDLE if positive and negative else Kind.MINIMUM if positive else Kind.MAXIMUM
    reason = (f"{positive} positive and {negative} negative Hessian eigenvalue(s), proven by "
              "interval arithmetic on a certified box around the point")
    value = sp.Float(str(sp.N(loss.expr.xreplace(subs), 30)), 30)
    cls = Classification(kind, False, inertia, eigenvalues, escape, reason)
    return _point_from(coords, tuple(float(c) for c in coords), value, cls, exact=False)


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


def _quadratic_root(alg: AlgebraicPoint) -> sp.Expr:
    roots = sorted(sp.roots(alg.minpoly, multiple=True), key=lambda r: float(sp.N(r)))
    return roots[alg.index]


def _coordinate_root(alg: AlgebraicPoint, coordinate: sp.Poly, value: sp.Float) -> sp.Expr:
    """The coordinate p(tau) as a root of its own minimal polynomial.

    The minimal polynomial divides the resultant res_T(f(T), X - p(T)); the root is the
    one whose isolating interval (width 1e-40) holds the coordinate's 50-digit value.
    """
    X = sp.Dummy("X")
    res = sp.Poly(sp.resultant(alg.minpoly.as_expr(), X - coordinate.as_expr(), T), X)
    target = Fraction(str(sp.Float(value, 50)))
    slack = Fraction(1, 10 ** 40)
    for factor, _ in res.factor_list()[1]:
        _, factor = factor.clear_denoms(convert=True)
        factor = factor.primitive()[1]
        if factor.LC() < 0:
            factor = -factor
        for k, (a, b) in enumerate(isolating_intervals(factor, 45)):
            if a - slack <= target <= b + slack:
                if factor.degree() == 1:
                    return sp.Rational(-factor.all_coeffs()[1], factor.all_coeffs()[0])
                if factor.degree() == 2:
                    return sorted(sp.roots(factor, multiple=True), key=lambda r: float(sp.N(r)))[k]
                return crootof(factor, k)
    raise BudgetExceeded("could not identify a coordinate among its minimal polynomial's roots")


def _exact_point(loss: Loss, alg: AlgebraicPoint, hessian, budget: Budget) -> CriticalPoint:
    params = loss.params
    coords = budget.run(lambda: exact_coordinates(alg), fraction=0.5, what="exact coordinates")
    numeric = tuple(float(v) for v in alg.evalf(20))
    cls = classify_exact(loss.expr, params, hessian, alg, coords, budget)
    if alg.degree == 1:
        value = sp.nsimplify(loss.expr.xreplace(dict(zip(params, coords))))
    else:
        reduced = alg.reduce(loss.expr, params) if _is_poly(loss.expr, params) else None
        value = (sp.Float(str(sp.N(reduced.as_expr().subs(T, alg.root), 30)), 30)
                 if reduced is not None else sp.N(loss.expr.xreplace(dict(zip(params, coords))), 30))
    return _point_from(coords, numeric, value, cls, exact=True)


def _is_poly(expr, params) -> bool:
    try:
        sp.Poly(expr, *params)
        return True
    except sp.PolynomialError:
        return False


def _point_from(coords, numeric, value, cls: Classification, exact: bool) -> CriticalPoint:
    return CriticalPoint(tuple(coords), tuple(numeric), value, cls.kind, cls.degenerate,
                         cls.eigenvalues, cls.escape_directions, cls.reason, exact, cls.inertia,
                         cls.descent_curve, cls.higher_order)


def classify_point(loss: Loss | str, point: Sequence[Any], timeout: float = 30) -> CriticalPoint:
    """Classify one given point, which must be an exact critical point of ``loss``.

    Coordinates may be numbers, exact SymPy numbers, or text such as "1/2" (parsed
    safely).  Raises ValueError when the gradient does not vanish there exactly.
    """
    from .parse import parse_expression

    if isinstance(loss, str):
        loss = Loss.parse(loss)
    params = loss.params
    if len(point) != len(params):
        raise ValueError(f"the point has {len(point)} coordinate(s) but the loss has "
                         f"{len(params)} parameter(s): {', '.join(p.name for p in params)}")
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


# -- families -------------------------------------------------------------------------------
def _family(loss: Loss, component: FamilyComponent, hessian, budget: Budget) -> CriticalFamily:
    params = loss.params
    equations = component.equations
    if not equations:
        value = loss.expr
        return CriticalFamily((), component.dimension, Kind.MINIMUM, True,
                              "the loss is constant: every point is critical", (), (),
                              value if value.is_number else None, bool(value.is_number))
    value = budget.run(lambda: _value_on(loss.expr, equations, params), fraction=0.3,
                       what="the loss on a family")
    samples = budget.run(lambda: _family_samples(equations, params, component.dimension),
                         fraction=0.3, what="points on a family")
    kinds, sample_eigen = [], []
    for point in samples:
        cls = classify_exact(loss.expr, params, hessian, None, point, budget, higher_order=False)
        sample_eigen.append(cls.eigenvalues)
        kinds.append(_family_kind_at(cls.inertia, component.dimension))
    global_min = value is not None and _is_lower_bound(loss.expr, value)
    if global_min:
        kind = Kind.MINIMUM
        reason = (f"the loss equals {value} on the family, and {value} is a lower bound of the "
                  "loss (a sum of even powers): global minima")
    elif kinds and all(k is kinds[0] and k is not None for k in kinds):
        kind = kinds[0]
        reason = (f"at sampled points the Hessian has exactly {component.dimension} zero "
                  f"eigenvalue(s) (the family's own directions) and the others are "
                  f"{'positive' if kind is Kind.MINIMUM else 'negative' if kind is Kind.MAXIMUM else 'of both signs'}"
                  f": {kind.value} (nondegenerate across the family)")
    else:
        kind = Kind.INCONCLUSIVE
        reason = "sampled points of the family do not agree on a kind"
    if not component.certified:
        reason += f"; {component.note}"
    return CriticalFamily(tuple(equations), component.dimension, kind, True, reason,
                          tuple(samples), tuple(sample_eigen), value, global_min,
                          component.certified)


def _family_kind_at(inertia: tuple[int, int, int] | None, dimension: int) -> Kind | None:
    """The kind at a point of a family: eigenvalues of both signs make a saddle; with
    exactly ``dimension`` zero eigenvalues (the family's own directions) the sign of the
    others decides; anything else (a special point of the family) decides nothing."""
    if inertia is None:
        return None
    positive, negative, zero = inertia
    if positive and negative:
        return Kind.SADDLE
    if zero == dimension:
        return Kind.MINIMUM if negative == 0 else Kind.MAXIMUM
    return None


def _value_on(expr: sp.Expr, equations, params) -> sp.Expr | None:
    """The loss on the family when it is constant there (reduced by the family's basis)."""
    try:
        basis = sp.groebner(list(equations), *params, order="grevlex", domain="QQ")
        _, remainder = basis.reduce(sp.expand(expr))
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed,
            sp.polys.polyerrors.CoercionFailed, ValueError):
        return None
    remainder = sp.expand(remainder)
    return remainder if remainder.is_number else None


def _is_lower_bound(expr: sp.Expr, value: sp.Expr) -> bool:
    """True when expr >= value everywhere is evident: expr - value is a sum of terms
    c * (...)**(2k) with c >= 0."""
    if value != 0:
        shifted = sp.expand(expr - value)
        return _is_sum_of_squares(sp.factor(shifted))
    return _is_sum_of_squares(expr)


def _is_sum_of_squares(expr: sp.Expr) -> bool:
    terms = sp.Add.make_args(expr)
    for term in terms:
        factors = sp.Mul.make_args(term)
        for f in factors:
            if f.is_number:
                if not f.is_nonnegative:
                    return False
            elif f.is_Pow and f.exp.is_Integer and f.exp % 2 == 0:
                continue
            else:
                return False
    return True


def _family_samples(equations, params, dimension: int, wanted: int = 3):
    """A few exact real points on a family: fix free variables at small rationals."""
    samples: list[tuple[sp.Expr, ...]] = []
    values = [1, 2, -1, sp.Rational(1, 2), 3, -2]
    for free in itertools.combinations(params, dimension):
        for choice in itertools.product(values, repeat=len(free)):
            subs = dict(zip(free, choice))
            rest = tuple(p for p in params if p not in subs)
            system = [sp.expand(e.xreplace(subs)) for e in equations]
            system = [e for e in system if e != 0]
            if any(e.is_number for e in system):
                continue
            budget = Budget(2)
            try:
                points = zero_dimensional_points(system, rest, budget) if rest and system else []
            except (BudgetExceeded, Exception):  # noqa: BLE001 - a sample is optional
                continue
            for alg in map(canonical_point, points):
                if alg.degree != 1:
                    continue
                coords = dict(zip(rest, (c.as_expr() for c in alg.coordinate_polys)))
                point = tuple(subs.get(p, coords.get(p)) for p in params)
                if any(c is None for c in point):
                    continue
                point = tuple(sp.nsimplify(c) for c in point)
                if point not in samples:
                    samples.append(point)
                    break
            if len(samples) >= wanted:
                return samples
        if samples:
            return samples
    return samples


# -- other gradients: exact attempts, then multi-start Newton ------------------------------------
def _general_case(loss: Loss, gradient, hessian, budget: Budget, box, starts: int,
                  seed: int) -> CriticalSet:
    params = loss.params
    bounds = search_box(box, len(params))
    notes = []
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
            if all(exact_sign(sp.simplify(g.xreplace(dict(zip(params, coords))))) == 0 for g in gradient):
                exact_found.append(coords)
    except BudgetExceeded:
        notes.append("the exact attempt (sympy.solve) ran out of its share of the time budget")
    except (NotImplementedError, ValueError, TypeError) as exc:
        notes.append(f"the exact attempt found nothing usable ({type(exc).__name__})")
    numeric_points, newton_note = newton_search(loss, gradient, hessian, bounds, starts, seed, budget)
    notes.append(newton_note)
    points = []
    for coords in exact_found:
        try:
            cls = classify_exact(loss.expr, params, hessian, None, coords, budget)
        except BudgetExceeded:
            break
        numeric = tuple(float(sp.N(c, 30)) for c in coords)
        value = sp.simplify(loss.expr.xreplace(dict(zip(params, coords))))
        points.append(_point_from(coords, numeric, value, cls, exact=True))
    for coords, cls, value in numeric_points:
        numeric = tuple(float(c) for c in coords)
        if any(np.allclose(numeric, p.numeric, atol=1e-8, rtol=1e-8) for p in points):
            continue
        points.append(_point_from(coords, numeric, value, cls, exact=False))
    points.sort(key=lambda p: p.numeric)
    status = "timeout" if budget.expired else "incomplete"
    box_text = " x ".join(f"[{lo:g}, {hi:g}]" for lo, hi in bounds)
    method = (f"exact attempt (sympy.solve, candidates verified) + multi-start Newton with the "
              f"exact Hessian over {box_text}, {starts} starts, mpmath-polished")
    return CriticalSet(loss, tuple(points), (), False, method, status, tuple(notes),
                       budget.elapsed(), tuple(bounds))
