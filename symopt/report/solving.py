"""Solving grad L = 0 step by step: factored components, their cases, the critical set found.

Each gradient component is factored; one vanishing factor per component makes a case, and
every case is matched with the critical points and families of the analysis.  Every factor,
point and family is checked to make the gradient vanish.
"""

from __future__ import annotations

import itertools
from typing import Any, Sequence

import sympy as sp

from ..budget import Budget
from ..critical import CriticalSet
from ..loss import Loss
from .records import Line, Step, Tex
from .checks import fail, is_approximate, number_sign, same_expr, same_number, shown
from .words import APPROX, EQ, IFF, IMPLIES, LOSS, Writer

__all__ = ["solve_step", "critical_set_step", "vanishes_on", "factorable", "MAX_CASES"]

#: Cases from the factors of the gradient are listed only up to this many.
MAX_CASES = 24


def _never_zero(factor: sp.Expr) -> bool:
    return bool(factor.is_number and factor != 0) or factor.is_positive is True \
        or factor.is_negative is True


def _vanishes_at(factor: sp.Expr, params: Sequence[sp.Symbol], coords: Sequence[Any]) -> bool:
    value = factor.xreplace(dict(zip(params, coords)))
    if value.has(sp.Float):
        return abs(sp.N(value, 30)) < 1e-12
    return number_sign(value) == 0


def vanishes_on(expr: sp.Expr, equations: Sequence[sp.Expr], params: Sequence[sp.Symbol],
                samples: Sequence[Sequence[Any]]) -> bool:
    """True when ``expr`` is zero on the common zeros of ``equations``.

    Exact for polynomials whose remainder modulo the Groebner basis is zero; otherwise judged
    at the given sample points of the set (and False without any).
    """
    try:
        basis = sp.groebner(list(equations), *params, order="grevlex")
        numerator = sp.fraction(sp.together(expr))[0]
        if basis.reduce(sp.expand(numerator))[1] == 0:
            return True
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, ValueError):
        pass
    return bool(samples) and all(_vanishes_at(expr, params, s) for s in samples)


def factorable(expr: sp.Expr, params: Sequence[sp.Symbol]) -> bool:
    """Worth factoring: a polynomial in the parameters, or a short expression."""
    try:
        sp.Poly(expr, *params)
        return True
    except sp.PolynomialError:
        return sp.count_ops(expr) <= 60


def solve_step(loss: Loss, cs: CriticalSet, say: Writer, budget: Budget) -> Step:
    """Solve grad L = 0 by factoring each component: one vanishing factor per component."""
    params, gradient = loss.params, loss.gradient
    if not all(factorable(g, params) for g in gradient):
        lines = tuple(Line(sp.Derivative(LOSS, p), EQ, sp.Integer(0)) for p in params)
        return Step("solve", say("h_solve"), say("solve_numeric", method=cs.method), lines,
                    {"factored": (), "cases": ()})
    lines, choices, factored = [], [], []
    for p, g in zip(params, gradient):
        derivative = sp.Derivative(LOSS, p)
        if g == 0:
            lines.append(Line(derivative, EQ, sp.Integer(0), Tex("\\quad"), Tex(
                "\\text{" + say.word("everywhere") + "}")))
            factored.append(sp.Integer(0))
            continue
        form = budget.run(lambda: sp.factor(g), 0.2, "factoring the gradient")
        _, pairs = budget.run(lambda: sp.factor_list(g), 0.2, "factoring the gradient")
        factors = [f for f, _ in pairs if not _never_zero(f)]
        if not same_expr(form, g):
            fail("solve", f"the factored form {form} differs from the component {g}")
        factored.append(form)
        parts: list[Any] = [derivative, EQ, form, EQ, sp.Integer(0)]
        if factors:
            parts.append(IFF)
            for k, f in enumerate(factors):
                parts += ([say.math_word("or")] if k else []) + [sp.Eq(f, 0)]
        else:
            parts = [derivative, EQ, form, Tex("\\ne"), sp.Integer(0)]
        lines.append(Line(*parts))
        choices.append(factors)
    count = 1
    for factors in choices:
        count *= len(factors)
    values: dict[str, Any] = {"factored": tuple(factored), "cases": ()}
    if count == 0:
        if cs.points or cs.families:
            fail("solve", "a gradient component never vanishes, yet critical points were found")
        return Step("solve", say("h_solve"), say("solve_none"), tuple(lines), values)
    if count > MAX_CASES:
        return Step("solve", say("h_solve"), say("solve_many", count=str(count)), tuple(lines),
                    values)
    cases = _minimal_cases(choices)
    values["cases"] = tuple(tuple(case) for case in cases)
    for case in cases:
        lines.append(Line(*_case_parts(case, loss, cs, say, budget)))
    for i, point in enumerate(cs.points, 1):
        if not any(all(_vanishes_at(f, params, point.coords) for f in case) for case in cases):
            fail("solve", f"critical point {i} {point.coords} satisfies none of the cases")
    return Step("solve", say("h_solve"), say("solve_text", count=str(len(cases))), tuple(lines),
                values)


def _minimal_cases(choices: list[list[sp.Expr]]) -> list[list[sp.Expr]]:
    """One factor per component; cases implied by a smaller one are dropped."""
    sets: list[frozenset] = []
    for combo in itertools.product(*choices):
        case = frozenset(sp.factor_terms(f) for f in combo)
        if case not in sets:
            sets.append(case)
    minimal = [c for c in sets if not any(o < c for o in sets)]
    return [sorted(c, key=sp.default_sort_key) for c in minimal]


def _case_parts(case: list[sp.Expr], loss: Loss, cs: CriticalSet, say: Writer,
                budget: Budget) -> list[Any]:
    params = loss.params
    parts: list[Any] = []
    for k, f in enumerate(case):
        parts += ([Tex(",\\ ")] if k else []) + [sp.Eq(f, 0)]
    parts.append(IMPLIES)
    found: list[Any] = []
    inside = [i for i, point in enumerate(cs.points, 1)
              if all(_vanishes_at(f, params, point.coords) for f in case)]
    if len(inside) == 1:
        point = cs.points[inside[0] - 1]
        found.append([Tex("p_{%d} =" % inside[0]), sp.Tuple(*map(shown, point.coords))])
    elif inside:
        found.append([Tex(", ".join("p_{%d}" % i for i in inside))])
    for k, family in enumerate(cs.families, 1):
        if all(vanishes_on(f, family.equations, params, family.sample_points) for f in case):
            found.append([Tex("F_{%d}\\ (\\text{%s})" % (k, say.word("family")))])
    if found:
        for k, pieces in enumerate(found):
            parts += ([say.math_word("or")] if k else []) + pieces
        return parts
    try:
        basis = budget.run(lambda: sp.groebner(case, *params, order="grevlex"), 0.1,
                           "the Groebner basis of a case")
        inconsistent = list(basis.exprs) == [1]
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, ValueError):
        inconsistent = False
    if inconsistent:
        return parts + [Tex("\\text{" + say.word("no_solution") + "}")]
    _check_case_solutions(case, loss, cs, budget)
    return parts + [Tex("\\text{" + say.word("no_new_solution") + "}")]


def _check_case_solutions(case: list[sp.Expr], loss: Loss, cs: CriticalSet, budget: Budget) -> None:
    """Real solutions of a case must be critical points already found (or lie on a family)."""
    params = loss.params
    try:
        solutions = budget.run(lambda: sp.solve(case, list(params), dict=True), 0.1,
                               "solving a case")
    except (NotImplementedError, ValueError, TypeError):
        return
    except Exception as exc:  # noqa: BLE001 - a time-out here only skips an extra check
        if type(exc).__name__ != "BudgetExceeded":
            raise
        return
    for solution in solutions:
        if set(solution) != set(params) or not all(v.is_real for v in solution.values()):
            continue
        coords = tuple(solution[p] for p in params)
        on_family = any(all(_vanishes_at(e, params, coords) for e in f.equations)
                        for f in cs.families)
        known = any(all(same_number(a, b) for a, b in zip(coords, p.coords)) for p in cs.points)
        if cs.complete and not (on_family or known):
            fail("solve", f"the case {case} has the real solution {coords}, which is not among "
                          "the critical points found")


def critical_set_step(loss: Loss, cs: CriticalSet, say: Writer) -> Step:
    """The critical points and families, each checked to make the gradient vanish."""
    params, gradient = loss.params, loss.gradient
    lines = []
    for i, point in enumerate(cs.points, 1):
        for g in gradient:
            if not _vanishes_at(g, params, point.coords):
                fail("critical_points", f"the gradient does not vanish at point {i} {point.coords}")
        value = loss.expr.xreplace(dict(zip(params, point.coords)))
        if not same_number(value, point.value):
            fail("critical_points", f"L at point {i} is {value}, not {point.value}")
        approximate = is_approximate(point.coords)
        lines.append(Line(Tex("p_{%d}:" % i), sp.Tuple(*params), APPROX if approximate else EQ,
                          sp.Tuple(*map(shown, point.coords)), Tex(",\\quad L"),
                          APPROX if is_approximate([point.value]) else EQ, shown(point.value)))
    for k, family in enumerate(cs.families, 1):
        for g in gradient:
            if not vanishes_on(g, family.equations, params, family.sample_points):
                fail("critical_points", f"the gradient does not vanish on family {k}")
        parts: list[Any] = [Tex("F_{%d}:" % k)]
        for j, e in enumerate(family.equations):
            parts += ([Tex(",\\ ")] if j else []) + [sp.Eq(e, 0)]
        if family.value is not None:
            parts += [Tex(",\\quad L"), EQ, family.value]
        lines.append(Line(*parts))
    complete = say.word("complete") if cs.complete else say.word("incomplete")
    text = say("critical_text", points=str(len(cs.points)), families=str(len(cs.families)),
               complete=complete)
    values = {"points": tuple(p.coords for p in cs.points),
              "families": tuple(f.equations for f in cs.families), "complete": cs.complete}
    return Step("critical_points", say("h_critical"), text, tuple(lines), values)
