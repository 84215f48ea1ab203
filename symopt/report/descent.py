"""The way down from a saddle: a direction of negative curvature and a step that lowers the loss.

Along an eigenvector ``u`` of a negative eigenvalue, ``u^T H u = lambda |u|^2 < 0`` is checked
and the step ``a`` found with ``L(p + a u) < L(p)``, exactly where the point is exact.  A
saddle without a negative eigenvalue goes down along its descent curve instead.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..budget import Budget
from ..loss import Loss
from .records import Line, Step, Tex
from .checks import agree, fail, is_approximate, same_number, shown, sign_of
from .words import APPROX, EQ, LT, Writer

__all__ = ["escape_step"]


def _first_negative(delta: sp.Expr, variable: sp.Symbol, key: str) -> sp.Rational:
    for k in range(40):
        step = sp.Rational(1, 2 ** k)
        if sign_of(delta.xreplace({variable: step})) < 0:
            return step
    fail(key, f"the loss does not decrease along the direction: L(p + s u) - L(p) = {delta}")
    raise AssertionError  # unreachable


def escape_step(key: str, point: Any, loss: Loss, hessian: sp.Matrix, exact: bool,
                 pairs: list, say: Writer, budget: Budget) -> Step:
    """At a saddle: u^T H u = lambda |u|^2 < 0 and an exact step a with L(p + a u) < L(p)."""
    params, value, key = loss.params, point.value, f"{key}.escape"
    taken = {p.name for p in params}
    a = sp.Symbol(next(n for n in ("a", "s", "h", "tau", "alpha") if n not in taken), real=True)
    if not point.escape_directions:
        return _descent_curve_step(key, point, loss, say, budget)
    lam_value, vectors = pairs[0]
    if exact and not is_approximate(vectors[0]):
        u = vectors[0]
        unit = u / sp.sqrt(u.dot(u))
        if not any(all(same_number(x, sign * y) for x, y in zip(unit, d))
                   for d in point.escape_directions for sign in (1, -1)):
            fail(key, f"u = {list(u)} is not along the analysis's escape directions")
        curvature = sp.simplify((u.T * hessian * u)[0])
        norm2 = sp.simplify(u.dot(u))
        if not same_number(curvature, lam_value * norm2) or sign_of(curvature) >= 0:
            fail(key, f"u^T H u = {curvature}, lambda |u|^2 = {lam_value * norm2}: "
                      "not equal and negative")
        moved = {p: c + a * ui for p, c, ui in zip(params, point.coords, u)}
        delta = budget.run(lambda: sp.expand(loss.expr.xreplace(moved) - value), 0.2,
                           "L(p + a u) - L(p)")
        if delta.is_polynomial(a):
            coeffs = sp.Poly(delta, a).all_coeffs()[::-1] + [0, 0, 0]
            if not (same_number(coeffs[0], 0) and same_number(coeffs[1], 0)
                    and same_number(coeffs[2], curvature / 2)):
                fail(key, f"L(p + a u) - L(p) = {delta} does not start with a**2 u^T H u / 2")
        step = _first_negative(delta, a, key)
        new_point = tuple(sp.radsimp(c + step * ui) for c, ui in zip(point.coords, u))
        new_value = sp.radsimp(sp.simplify(loss.expr.xreplace(dict(zip(params, new_point)))))
        if sign_of(new_value - value) >= 0 or not same_number(new_value - value,
                                                                delta.xreplace({a: step})):
            fail(key, f"L{new_point} = {new_value} is not below L(p) = {value}")
        rel = EQ
    else:
        u = sp.Matrix(point.escape_directions[0])
        lam_value = point.negative_eigenvalues[0] if point.negative_eigenvalues else lam_value
        numeric = hessian.evalf(40)
        curvature = (u.T * numeric * u)[0]
        norm2 = u.dot(u)
        if not agree(curvature, lam_value * norm2) or curvature >= 0:
            fail(key, f"u^T H u ~ {sp.N(curvature, 8)} does not match lambda |u|^2 < 0")
        base = [sp.N(c, 45) for c in point.coords]
        delta = sp.N(loss.expr.xreplace({p: c + a * ui for p, c, ui in zip(params, base, u)})
                     - sp.N(value, 45), 40)
        step = _first_negative(delta, a, key)
        new_point = tuple(c + step * ui for c, ui in zip(base, u))
        new_value = sp.N(loss.expr.xreplace(dict(zip(params, new_point))), 40)
        rel = APPROX
    p_text, new_text = sp.Tuple(*map(shown, point.coords)), sp.Tuple(*map(shown, new_point))
    lines = [
        Line(Tex("u"), rel, shown(u)),
        Line(Tex("u^{T} H u"), EQ, Tex("\\lambda \\lVert u \\rVert^{2}"), rel, shown(lam_value),
             Tex("\\cdot"), shown(norm2), rel, shown(curvature), LT, sp.Integer(0)),
    ]
    if rel is EQ:
        lines.append(Line(Tex("L(p +"), a, Tex("u) - L(p) ="), delta))
    lines.append(Line(a, EQ, step, Tex(":\\quad L"), new_text, rel, shown(new_value), LT,
                      shown(value), rel, Tex("L"), p_text))
    values = {"direction": u, "eigenvalue": lam_value, "curvature": curvature,
              "norm_squared": norm2, "step": step, "new_point": new_point,
              "new_value": new_value, "decrease": delta if rel is EQ else None}
    # an exact point is checked exactly; one known to digits is checked in 40-digit arithmetic
    text = say("escape_text" if rel is EQ else "escape_text_approx", step=sp.Eq(a, step),
               u=Tex("u"), lam=Tex("\\lambda < 0"),
               curvature=Tex("u^{T} H u = \\lambda \\lVert u \\rVert^{2} < 0"), p=Tex("p"))
    return Step(key, say("h_escape"), text, tuple(lines), values)


def _descent_curve_step(key: str, point: Any, loss: Loss, say: Writer, budget: Budget) -> Step:
    """A saddle with no negative eigenvalue: the loss falls along a curve, checked exactly."""
    params, value = loss.params, point.value
    curve = point.descent_curve
    if curve is None:
        return Step(key, say("h_escape"), say("escape_none"), (), {"direction": None})
    (t,) = set().union(*(sp.sympify(c).free_symbols for c in curve)) or {sp.Symbol("t")}
    delta = budget.run(lambda: sp.expand(loss.expr.xreplace(dict(zip(params, curve))) - value),
                       0.2, "L along the curve")
    step = _first_negative(delta, t, key)
    new_point = tuple(sp.sympify(c).xreplace({t: step}) for c in curve)
    new_value = loss.expr.xreplace(dict(zip(params, new_point)))
    if sign_of(new_value - value) >= 0:
        fail(key, f"L{new_point} = {new_value} is not below L(p) = {value}")
    lines = (Line(Tex("\\theta(t) ="), sp.Tuple(*curve)),
             Line(Tex("L(\\theta(t)) - L(p) ="), delta),
             Line(t, EQ, step, Tex(":\\quad L"), sp.Tuple(*new_point), EQ, new_value, LT,
                  value))
    values = {"direction": None, "curve": curve, "decrease": delta, "step": step,
              "new_point": new_point, "new_value": new_value}
    return Step(key, say("h_escape"), say("escape_curve"), lines, values)
