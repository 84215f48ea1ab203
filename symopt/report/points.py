"""The steps at each critical point and on each family: Hessian, spectrum, kind, checked.

At a point: the Hessian there, its characteristic polynomial, eigenvalues and eigenvectors,
and the classification with its reason (at a saddle, :mod:`~symopt.report.descent` adds the
way down).  On a family: its equations, the loss on it and the Hessian at sample points.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Sequence

import sympy as sp

from ..budget import Budget
from ..classify import inertia_from_charpoly
from ..loss import Loss
from .records import Line, Step, Tex
from .checks import agree, fail, is_approximate, same_expr, same_number, shown, sign_of
from .descent import escape_step
from .words import APPROX, COMMA, EQ, LOSS, Writer

__all__ = ["point_steps", "family_step"]


def point_steps(index: int, point: Any, loss: Loss, say: Writer, budget: Budget,
                direct_hessian: sp.Matrix) -> list[Step]:
    """Hessian, characteristic polynomial, eigen-pairs, kind and (at a saddle) the way down."""
    key = f"point{index}"
    params = loss.params
    exact = not is_approximate(point.coords)
    rel = EQ if exact else APPROX
    where = sp.Tuple(*map(shown, point.coords))
    # Hessian at the point, against sympy.hessian of the loss
    subs = dict(zip(params, point.coords))
    hessian = loss.hessian.xreplace(subs)
    if exact:
        hessian = hessian.applyfunc(lambda e: sp.radsimp(sp.simplify(e)))
    for a, b in zip(hessian, direct_hessian.xreplace(subs)):
        if not same_number(a, b):
            fail(f"{key}.hessian", f"H at {point.coords} has entry {a}, sympy.hessian gives {b}")
    steps = [Step(f"{key}.hessian", say("h_point_hessian", i=str(index), point=where),
                  say("point_hessian_text" if exact else "point_hessian_approx", point=where),
                  (Line(Tex("H"), rel, shown(hessian)),),
                  {"point": point.coords, "hessian": hessian})]
    # characteristic polynomial and eigen-pairs
    lam = sp.Dummy("lambda")
    char, eigenvalues, pairs = _spectrum(f"{key}.eigen", point, hessian, exact, lam, budget)
    char_line = [Tex("\\det(\\lambda I - H)"), rel, shown(char)]
    if exact:
        factored = sp.factor(char)
        if factored != char:
            char_line += [EQ, factored]
    steps.append(Step(f"{key}.charpoly", say("h_charpoly"), say("charpoly_text"),
                      (Line(*char_line),), {"charpoly": char, "symbol": lam}))
    lines = []
    for k, (value, vectors) in enumerate(pairs, 1):
        approx = is_approximate([value]) or any(is_approximate(v) for v in vectors)
        parts: list[Any] = [Tex("\\lambda_{%d}" % k), APPROX if is_approximate([value]) else EQ,
                            shown(value), COMMA, Tex("v"), APPROX if approx else EQ]
        for j, v in enumerate(vectors):
            parts += ([Tex(",\\ ")] if j else []) + [shown(v)]
        lines.append(Line(*parts))
    steps.append(Step(f"{key}.eigen", say("h_eigen"),
                      say("eigen_text", v=Tex("v"), system=Tex("(H - \\lambda I) v = 0")),
                      tuple(lines),
                      {"eigenvalues": eigenvalues, "eigenvectors": tuple(pairs)}))
    steps.append(_kind_step(key, point, eigenvalues, say))
    if point.kind.value == "saddle":
        steps.append(escape_step(key, point, loss, hessian, exact, pairs, say, budget))
    return steps


def _primitive(vector: sp.Matrix) -> sp.Matrix:
    """A rational vector as the shortest integer multiple, first nonzero entry positive."""
    entries = list(vector)
    if all(e.is_Rational for e in entries):
        scale = math.lcm(*[int(sp.Rational(e).q) for e in entries])
        ints = [int(e * scale) for e in entries]
        divisor = math.gcd(*ints) or 1
        vector = sp.Matrix([sp.Integer(i // divisor) for i in ints])
    for e in vector:
        if e != 0:
            return vector if sign_of(e) > 0 else -vector
    return vector


def _spectrum(key: str, point: Any, hessian: sp.Matrix, exact: bool, lam: sp.Dummy,
              budget: Budget):
    """(characteristic polynomial, eigenvalues ascending, [(eigenvalue, [vectors])]), checked."""
    import mpmath

    n = hessian.rows
    rational = exact and all(e.is_Rational for e in hessian)
    if exact:
        poly = sp.Poly(budget.run(lambda: hessian.charpoly(lam), 0.2, "charpoly").all_coeffs(), lam)
        det = budget.run(lambda: (lam * sp.eye(n) - hessian).det(method="bareiss"), 0.2, "det")
        if not same_expr(poly.as_expr(), det):
            fail(key, f"charpoly {poly.as_expr()} differs from det(lambda I - H) = {det}")
        roots = sp.roots(poly)
        if sum(roots.values()) == n and not any(r.has(sp.I) for r in roots):
            eigenvalues = tuple(r for r in sorted(roots, key=lambda r: float(sp.N(r, 30)))
                                for _ in range(roots[r]))
        elif rational:
            eigenvalues = tuple(poly.all_roots())
        else:
            eigenvalues = tuple(point.eigenvalues)
        direct = budget.run(lambda: hessian.eigenvals(multiple=True), 0.2, "Matrix.eigenvals")
        char = poly.as_expr()
    else:
        numeric = hessian.evalf(40)
        char = sp.Poly(numeric.charpoly(lam).all_coeffs(), lam).as_expr()
        eigenvalues = tuple(point.eigenvalues)
        direct = None
    with mpmath.workdps(45):
        matrix = mpmath.matrix([[mpmath.mpf(str(sp.N(e, 45))) for e in row]
                                for row in hessian.tolist()])
        values, vectors = mpmath.eigsy(matrix)
        numeric_pairs = [(sp.Float(str(values[i]), 40),
                          sp.Matrix([sp.Float(str(vectors[r, i]), 40) for r in range(n)]))
                         for i in range(n)]
    numeric_pairs.sort(key=lambda p: p[0])
    if direct is None:
        direct = [v for v, _ in numeric_pairs]
    ordered = sorted(direct, key=lambda v: float(sp.re(sp.N(v, 30))))
    reference = sorted(point.eigenvalues, key=lambda v: float(sp.N(v, 30)))
    for mine, theirs, recomputed in zip(eigenvalues, reference, ordered):
        if not (agree(mine, recomputed) and agree(mine, theirs)):
            fail(key, f"eigenvalue {mine}: Matrix.eigenvals gives {recomputed}, "
                      f"the analysis {theirs}")
    if len(eigenvalues) != n or len(reference) != n:
        fail(key, f"{len(eigenvalues)} eigenvalue(s) for a {n} x {n} Hessian")
    pairs: list[tuple[Any, list[sp.Matrix]]] = []
    for value in dict.fromkeys(eigenvalues):
        multiplicity = eigenvalues.count(value)
        if exact and not value.has(sp.CRootOf):
            basis = budget.run(lambda: (hessian - value * sp.eye(n)).nullspace(simplify=True),
                               0.2, "eigenvectors")
            basis = [_primitive(v.applyfunc(sp.radsimp)) for v in basis]
            for v in basis:
                if any(not same_number(r, 0) for r in hessian * v - value * v):
                    fail(key, f"H v != lambda v for lambda = {value}, v = {list(v)}")
        else:
            matching = [(val, vec) for val, vec in numeric_pairs if agree(val, value)]
            basis = [vec for _, vec in matching]
            for val, v in matching:  # residual with the 40-digit eigenvalue
                residual = (hessian.evalf(40) * v - val * v).norm()
                if residual > 1e-25 * max(1, abs(val)):
                    fail(key, f"H v != lambda v for lambda ~ {sp.N(value, 8)}")
        if len(basis) != multiplicity:
            fail(key, f"eigenvalue {value} has multiplicity {multiplicity} but "
                      f"{len(basis)} eigenvector(s)")
        pairs.append((value, basis))
    return char, eigenvalues, pairs


def _form_signs(form: sp.Expr) -> set[int]:
    symbols = sorted(form.free_symbols, key=lambda s: s.name)
    signs = set()
    for candidate in itertools.product((-2, -1, 0, 1, 2), repeat=len(symbols)):
        value = form.xreplace(dict(zip(symbols, candidate)))
        if value != 0:
            signs.add(1 if value > 0 else -1)
    return signs


def _kind_step(key: str, point: Any, eigenvalues: Sequence[Any], say: Writer) -> Step:
    """The classification, with the reason; checked against the eigenvalue signs (exact,
    from the signs of the characteristic polynomial kept in the classification)."""
    evidence = getattr(getattr(point, "classification", None), "signs", ())
    exact = inertia_from_charpoly(evidence) if evidence else None
    if exact is not None:
        inertia = exact
    else:
        signs = [sign_of(v) for v in eigenvalues]
        inertia = (signs.count(1), signs.count(-1), signs.count(0))
    if point.inertia is not None and tuple(point.inertia) != inertia:
        fail(f"{key}.kind", f"eigenvalue signs give (+, -, 0) = {inertia}, the analysis "
                            f"{tuple(point.inertia)}")
    positive, negative, zero = inertia
    kind = point.kind.value
    expected = ("saddle" if positive and negative else None if zero else
                "minimum" if positive else "maximum")
    if expected is not None and kind != expected:
        fail(f"{key}.kind", f"eigenvalue signs {inertia} make the point a {expected}, "
                            f"the analysis says {kind}")
    lines = [Line(Tex("(n_{+}, n_{-}, n_{0})"), EQ, sp.Tuple(*inertia))]
    values: dict[str, Any] = {"kind": point.kind, "inertia": inertia, "reason": point.reason}
    if positive and negative:
        text = say("kind_saddle", pos=str(positive), neg=str(negative))
    elif not zero:
        text = say("kind_min" if positive else "kind_max")
    else:
        text = say("kind_singular", zero=str(zero))
        form = point.higher_order
        if form is None or kind == "inconclusive":
            text += (" ",) + say("ho_none", reason=point.reason)
        else:
            order = sp.Poly(form, *sorted(form.free_symbols, key=lambda s: s.name)).total_degree()
            found = _form_signs(form)
            wanted = {"minimum": found == {1}, "maximum": found == {-1},
                      "saddle": (-1 in found) if positive else (1 in found) if negative
                      else found == {1, -1}}[kind]
            if not wanted:
                fail(f"{key}.kind", f"the higher-order form {form} does not make the point "
                                    f"a {kind}")
            ho_key = ("ho_saddle_odd" if order % 2 else "ho_saddle") if kind == "saddle" else \
                f"ho_{kind[:3]}"
            text += (" ",) + say(ho_key, order=str(order))
            lines.append(Line(Tex("L - L(p) ="), form, Tex("+ \\dots")))
            values["higher_order"] = form
    if not point.exact:
        text += (" ",) + say("numeric_note")
    return Step(f"{key}.kind", say("h_kind", kind=say.word(f"word_{kind}")), text, tuple(lines),
                values)


def family_step(index: int, family: Any, loss: Loss, say: Writer, budget: Budget,
                direct_hessian: sp.Matrix) -> Step:
    """A set of critical points: its equations, the loss on it, sample Hessians, its kind."""
    key = f"family{index}"
    params = loss.params
    lines: list[Line] = []
    for e in family.equations:
        lines.append(Line(sp.Eq(e, 0)))
    for sample, eigen in zip(family.sample_points, family.sample_eigenvalues):
        subs = dict(zip(params, sample))
        for e in family.equations:
            if not same_number(e.xreplace(subs), 0):
                fail(key, f"the sample point {sample} is not on the family")
        recomputed = sorted(direct_hessian.xreplace(subs).eigenvals(multiple=True),
                            key=lambda v: float(sp.re(sp.N(v, 30))))
        reference = sorted(eigen, key=lambda v: float(sp.N(v)))
        if not all(agree(a, b) for a, b in zip(recomputed, reference)):
            fail(key, f"at {sample} the Hessian's eigenvalues are {recomputed}, not {eigen}")
        if family.value is not None and not same_number(loss.expr.xreplace(subs), family.value):
            fail(key, f"L{sample} = {loss.expr.xreplace(subs)}, not {family.value}")
        lines.append(Line(sp.Tuple(*params), EQ, sp.Tuple(*sample), Tex(":\\quad \\lambda"), EQ,
                          sp.Tuple(*eigen)))
    if family.value is not None:
        lines.insert(len(family.equations), Line(LOSS, EQ, family.value))
    if family.global_minimum:
        for k in range(12):  # L >= its value at probe points
            probe = {p: sp.Rational((-1) ** (k + j) * (k + 2 * j + 1), 3 + k % 4)
                     for j, p in enumerate(params)}
            if sign_of(loss.expr.xreplace(probe) - family.value) < 0:
                fail(key, f"L{tuple(probe.values())} is below {family.value}: not a global minimum")
        text = say("family_global", value=family.value)
    elif family.kind.value not in ("inconclusive", "mixed"):
        text = say("family_kind", dim=str(family.dimension),
                   kind=say.word(f"word_{family.kind.value}"))
    else:
        text = say("family_unknown", reason=family.reason)
    heading = say("h_family", i=str(index), dim=str(family.dimension))
    values = {"equations": family.equations, "dimension": family.dimension,
              "kind": family.kind, "value": family.value,
              "global_minimum": family.global_minimum}
    return Step(key, heading, text, tuple(lines), values)
