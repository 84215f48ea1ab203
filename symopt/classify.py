"""Classify a critical point exactly: eigenvalue signs, higher-order tests, escape directions.

Eigenvalue signs come from the characteristic polynomial: a real symmetric matrix has
only real eigenvalues, so Descartes' rule of signs counts its positive and negative
eigenvalues exactly, and the trailing zero coefficients count the zero eigenvalues.
The coefficients are exact numbers (rationals, or elements of Q(tau) for a point with
algebraic coordinates, whose signs are certified by interval arithmetic).

When the Hessian is semidefinite and singular, the splitting lemma decides: the loss
restricted to the centre manifold (the null directions, with the other directions
solved for as power series) has a lowest-order form whose sign pattern settles the
question, or the answer is "inconclusive" with the reason.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import Enum
from typing import Sequence

import mpmath
import sympy as sp

from .budget import Budget
from .errors import BudgetExceeded
from .polysolve import T, AlgebraicPoint, t


class Kind(str, Enum):
    """What a critical point is."""

    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    SADDLE = "saddle"
    INCONCLUSIVE = "inconclusive"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Classification:
    kind: Kind
    degenerate: bool
    inertia: tuple[int, int, int] | None  # (positive, negative, zero) eigenvalue counts
    eigenvalues: tuple[sp.Expr, ...]
    escape_directions: tuple[tuple[sp.Expr, ...], ...]
    reason: str
    descent_curve: tuple[sp.Expr, ...] | None = None  # in the symbol t, for non-strict saddles
    higher_order: sp.Expr | None = None  # lowest-order form on the centre manifold



HIGHER_ORDER_LIMIT = 8


# -- exact signs ------------------------------------------------------------------------
def exact_sign(value: sp.Expr, digits: int = 60) -> int | None:
    """The sign of an exact real number, or None when it cannot be decided.

    Rationals and numbers SymPy can decide are exact.  Otherwise the number is
    evaluated to ``digits`` digits: a value far from zero decides its sign; a value
    that looks like zero is zero only if SymPy proves it, else None (a float near zero
    never decides a sign).
    """
    value = sp.sympify(value)
    if value.is_Rational:
        return int(sp.sign(value))
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    approx = value.evalf(digits)
    if approx.is_Number and abs(approx) > sp.Float(10) ** (-(digits // 2)):
        return 1 if approx > 0 else -1
    if sp.simplify(value) == 0:
        return 0
    return None


def inertia_from_charpoly(signs: Sequence[int | None]) -> tuple[int, int, int] | None:
    """(positive, negative, zero) eigenvalue counts from the signs of the characteristic
    polynomial's coefficients (highest degree first), for a real-rooted polynomial."""
    if any(s is None for s in signs):
        return None
    n = len(signs) - 1
    zeros = 0
    for s in reversed(signs):
        if s != 0:
            break
        zeros += 1
    head = [s for s in signs[: len(signs) - zeros]]
    positive = _sign_changes(head)
    degree = len(head) - 1
    negative = _sign_changes([s * (-1) ** (degree - i) for i, s in enumerate(head)])
    if positive + negative + zeros != n:
        return None
    return positive, negative, zeros


def _sign_changes(signs: Sequence[int]) -> int:
    nonzero = [s for s in signs if s != 0]
    return sum(1 for a, b in zip(nonzero, nonzero[1:]) if a != b)


def _kind_from_inertia(inertia: tuple[int, int, int]) -> Kind | None:
    positive, negative, zero = inertia
    if positive and negative:
        return Kind.SADDLE
    if zero:
        return None
    return Kind.MINIMUM if positive else Kind.MAXIMUM


# -- exact points ---------------------------------------------------------------------
def classify_exact(expr: sp.Expr, params: tuple[sp.Symbol, ...], hessian: sp.Matrix,
                   point: AlgebraicPoint | None, coords: tuple[sp.Expr, ...],
                   budget: Budget, higher_order: bool = True) -> Classification:
    """Classify a critical point whose coordinates are exact.

    ``point`` is the algebraic representation for points of polynomial systems (its
    Hessian entries are reduced in Q(tau)); otherwise ``coords`` are exact SymPy
    numbers substituted into the Hessian.
    """
    lam = sp.Dummy("lambda")
    n = len(params)
    rational_hessian = None
    if point is not None and point.degree > 1:
        entries = [[point.reduce(hessian[i, j], params) for j in range(n)] for i in range(n)]
        matrix = sp.Matrix(n, n, lambda i, j: entries[i][j].as_expr())
        char = budget.run(lambda: matrix.charpoly(lam), what="characteristic polynomial")
        coeffs = [sp.Poly(c, T, domain="QQ") for c in char.all_coeffs()]
        signs: list[int | None] = [point.sign_of(c) for c in coeffs]
        numeric_h = _numeric_matrix(matrix.subs(T, point.root.evalf(50)))
    else:
        subs = dict(zip(params, coords))
        at_point = hessian.xreplace(subs)
        matrix = budget.run(
            lambda: at_point.applyfunc(lambda e: e if e.is_Rational else sp.simplify(e)),
            what="Hessian at the point")
        char = budget.run(lambda: matrix.charpoly(lam), what="characteristic polynomial")
        signs = [exact_sign(c) for c in char.all_coeffs()]
        if all(e.is_Rational for e in matrix):
            rational_hessian = matrix
        numeric_h = _numeric_matrix(matrix)
    inertia = inertia_from_charpoly(signs)
    if inertia is None:
        return Classification(Kind.INCONCLUSIVE, True, None, _numeric_eigenvalues(numeric_h), (),
                              "the signs of the Hessian's characteristic polynomial could not "
                              "be decided exactly")
    degenerate = inertia[2] > 0
    eigenvalues, directions = _eigen(rational_hessian, numeric_h, inertia, budget)
    kind = _kind_from_inertia(inertia)
    if kind is not None:
        return Classification(kind, degenerate, inertia, eigenvalues, directions,
                              _reason(kind, inertia))
    # semidefinite and singular: decide with higher-order terms
    if not higher_order:
        return Classification(Kind.INCONCLUSIVE, True, inertia, eigenvalues, directions,
                              "the Hessian is semidefinite and singular")
    if rational_hessian is None or not all(c.is_Rational for c in coords):
        return Classification(
            Kind.INCONCLUSIVE, True, inertia, eigenvalues, directions,
            "the Hessian is semidefinite and singular at a point with irrational coordinates; "
            "the higher-order test needs rational coordinates")
    return _higher_order(expr, params, coords, rational_hessian, inertia, eigenvalues,
                         directions, budget)


def _reason(kind: Kind, inertia: tuple[int, int, int]) -> str:
    positive, negative, zero = inertia
    if kind is Kind.SADDLE:
        extra = f" (and {zero} zero)" if zero else ""
        return f"the Hessian is indefinite: {positive} positive and {negative} negative eigenvalue(s){extra}"
    if kind is Kind.MINIMUM:
        return "the Hessian is positive definite"
    return "the Hessian is negative definite"


def _numeric_matrix(matrix: sp.Matrix) -> mpmath.matrix:
    with mpmath.workdps(50):
        return mpmath.matrix([[mpmath.mpf(str(sp.N(e, 50))) for e in row]
                              for row in matrix.tolist()])


def _numeric_eigenvalues(numeric_h: mpmath.matrix) -> tuple[sp.Expr, ...]:
    with mpmath.workdps(50):
        values, _ = mpmath.eigsy(numeric_h)
        return tuple(sp.Float(str(v), 30) for v in values)


def _eigen(rational_hessian: sp.Matrix | None, numeric_h: mpmath.matrix,
           inertia: tuple[int, int, int], budget: Budget):
    """Eigenvalues (ascending) and unit escape directions (negative eigenvalues)."""
    if rational_hessian is not None:
        try:
            return budget.run(lambda: _exact_eigen(rational_hessian), fraction=0.3,
                              what="exact eigenvectors")
        except (BudgetExceeded, NotImplementedError, ValueError):
            pass
    with mpmath.workdps(50):
        values, vectors = mpmath.eigsy(numeric_h)
        n = numeric_h.rows
        eigenvalues = tuple(sp.Float(str(values[i]), 30) for i in range(n))
        negative = inertia[1]
        directions = []
        for i in range(negative):  # eigsy sorts ascending: the first ones are negative
            vec = [vectors[r, i] for r in range(n)]
            directions.append(_orient(tuple(sp.Float(str(v), 30) for v in vec)))
    return eigenvalues, tuple(directions)


def _exact_eigen(h: sp.Matrix):
    lam = sp.Dummy("lambda")
    char = sp.Poly(h.charpoly(lam).all_coeffs(), lam)
    roots = sp.roots(char, multiple=False)
    if sum(roots.values()) != h.rows or any(r.has(sp.I) for r in roots):
        # casus irreducibilis or no radicals: real roots as CRootOf
        roots = {}
        for r in sp.Poly(char.all_coeffs(), t).all_roots(radicals=False):
            roots[r] = roots.get(r, 0) + 1
    values = sorted(roots, key=lambda r: float(sp.N(r, 30)))
    eigenvalues = tuple(v for v in values for _ in range(roots[v]))
    directions = []
    for v in values:
        if exact_sign(v) != -1:
            continue
        if isinstance(v, sp.CRootOf) or v.has(sp.CRootOf):
            raise NotImplementedError("eigenvector of a CRootOf eigenvalue")
        basis = (h - v * sp.eye(h.rows)).nullspace(simplify=True)
        for vec in _gram_schmidt(basis):
            directions.append(_orient(tuple(sp.radsimp(sp.simplify(c)) for c in vec)))
    return eigenvalues, tuple(directions)


def _gram_schmidt(vectors: list[sp.Matrix]) -> list[sp.Matrix]:
    out: list[sp.Matrix] = []
    for v in vectors:
        w = v
        for u in out:
            w = w - (u.dot(w)) * u
        norm = sp.sqrt(sp.simplify(w.dot(w)))
        out.append((w / norm).applyfunc(sp.simplify))
    return out


def _orient(vector: tuple[sp.Expr, ...]) -> tuple[sp.Expr, ...]:
    """Unit vectors are defined up to sign: make the first clearly nonzero entry positive."""
    for c in vector:
        value = float(sp.N(c, 30))
        if abs(value) > 1e-12:
            return vector if value > 0 else tuple(-c for c in vector)
    return vector


# -- higher-order test ------------------------------------------------------------------
def _higher_order(expr, params, coords, hessian, inertia, eigenvalues, directions,
                  budget: Budget) -> Classification:
    positive, negative, zero = inertia
    semidefinite_sign = 1 if negative == 0 else -1  # PSD (or zero) vs NSD
    try:
        form, curve_of, order = budget.run(
            lambda: _centre_manifold_form(expr, params, coords, hessian),
            fraction=0.5, what="higher-order test")
    except BudgetExceeded:
        return Classification(Kind.INCONCLUSIVE, True, inertia, eigenvalues, directions,
                              "the higher-order test ran out of time")
    if form is None:
        return Classification(
            Kind.INCONCLUSIVE, True, inertia, eigenvalues, directions,
            f"the loss is flat to order {HIGHER_ORDER_LIMIT} along the Hessian's null directions")
    definiteness, witness = _form_definiteness(form, curve_of.s_symbols)
    zero_text = f"{zero} zero eigenvalue(s)"
    lead = f"on the centre manifold the loss changes by {form} + ... (order {order})"
    if order % 2 == 1:
        # an odd form takes both signs
        s_dir = witness if witness is not None else _any_nonzero(form, curve_of.s_symbols)
        curve = curve_of.descent(s_dir, form)
        return Classification(Kind.SADDLE, True, inertia, eigenvalues, directions,
                              f"{zero_text}; {lead}: odd order, so the loss decreases on one side"
                              + _no_negative(inertia), curve, form)
    if definiteness == "indefinite":
        curve = curve_of.descent(witness, form)
        return Classification(Kind.SADDLE, True, inertia, eigenvalues, directions,
                              f"{zero_text}; {lead}, which takes both signs" + _no_negative(inertia),
                              curve, form)
    if definiteness in ("positive", "negative"):
        sign = 1 if definiteness == "positive" else -1
        if positive == 0 and negative == 0:
            kind = Kind.MINIMUM if sign > 0 else Kind.MAXIMUM
        elif sign == semidefinite_sign:
            kind = Kind.MINIMUM if sign > 0 else Kind.MAXIMUM
        else:
            kind = Kind.SADDLE
        if kind is Kind.SADDLE:
            curve = curve_of.descent(witness, form)
            return Classification(
                kind, True, inertia, eigenvalues, directions,
                f"{zero_text}; {lead}, {definiteness} definite against a "
                f"{'positive' if semidefinite_sign > 0 else 'negative'} semidefinite Hessian"
                + _no_negative(inertia), curve, form)
        return Classification(kind, True, inertia, eigenvalues, directions,
                              f"{zero_text}; {lead}, {definiteness} definite", None, form)
    return Classification(Kind.INCONCLUSIVE, True, inertia, eigenvalues, directions,
                          f"{zero_text}; {lead}, which is semidefinite: higher orders would decide",
                          None, form)


def _no_negative(inertia: tuple[int, int, int]) -> str:
    if inertia[1]:
        return ""
    return ("; a saddle with no negative eigenvalue: no escape direction, the loss falls only "
            "along a curve (descent_curve)")


@dataclass
class _CentreManifold:
    point: tuple[sp.Expr, ...]
    null_basis: sp.Matrix  # n x k
    range_basis: sp.Matrix  # n x (n - k)
    v_series: sp.Matrix  # (n - k) x 1, polynomials in s
    s_symbols: tuple[sp.Symbol, ...]

    def descent(self, s_dir, form) -> tuple[sp.Expr, ...] | None:
        """A curve p + N s(t) + R v(s(t)) along which the loss falls below L(p) for small t > 0."""
        if s_dir is None:
            return None
        s_dir = list(s_dir)
        value = form.xreplace(dict(zip(self.s_symbols, s_dir)))
        if value > 0:
            s_dir = [-c for c in s_dir]
            if form.xreplace(dict(zip(self.s_symbols, s_dir))) >= 0:
                return None
        scaled = {s: c * t for s, c in zip(self.s_symbols, s_dir)}
        v = self.v_series.xreplace(scaled) if self.v_series.rows else sp.zeros(0, 1)
        s_vec = sp.Matrix([c * t for c in s_dir])
        offset = self.null_basis * s_vec
        if self.range_basis.cols:
            offset += self.range_basis * v
        return tuple(sp.expand(c + o) for c, o in zip(self.point, offset))


def _centre_manifold_form(expr, params, coords, hessian):
    n = len(params)
    null = hessian.nullspace()
    k = len(null)
    null_basis = sp.Matrix.hstack(*null)
    range_vectors = sp.Matrix(null_basis.T).nullspace() if k < n else []
    range_basis = sp.Matrix.hstack(*range_vectors) if range_vectors else sp.zeros(n, 0)
    s = tuple(sp.Symbol(f"s{i + 1}", real=True) for i in range(k))
    v = tuple(sp.Symbol(f"v{i + 1}", real=True) for i in range(n - k))
    eps = sp.Dummy("eps")
    shift = null_basis * sp.Matrix(s)
    if v:
        shift += range_basis * sp.Matrix(v)
    point_map = {p: c + d for p, c, d in zip(params, coords, shift)}
    base = expr.xreplace(dict(zip(params, coords)))
    F = sp.expand(expr.xreplace(point_map) - base)
    order = HIGHER_ORDER_LIMIT

    def truncate(e):
        e = sp.expand(e.xreplace({si: eps * si for si in s}))
        if not e.has(eps):
            return e
        poly = sp.Poly(e, eps)
        return sp.Add(*[c for (d,), c in poly.terms() if d <= order])

    series = sp.zeros(len(v), 1)
    if v:
        grad_v = sp.Matrix([sp.diff(F, vi) for vi in v])
        A = range_basis.T * hessian * range_basis
        A_inv = A.inv()
        for _ in range(order):
            at = grad_v.xreplace(dict(zip(v, series)))
            new = series - A_inv * at.applyfunc(lambda e: truncate(sp.expand(e)))
            new = new.applyfunc(truncate)
            if new == series:
                break
            series = new
    g = truncate(F.xreplace(dict(zip(v, series))) if v else F)
    g = sp.expand(g)
    manifold = _CentreManifold(tuple(coords), null_basis, range_basis, series, s)
    if g == 0:
        return None, manifold, None
    poly = sp.Poly(g, *s)
    lowest = min(sum(m) for m in poly.monoms())
    form = sp.Add(*[c * sp.Mul(*[si ** e for si, e in zip(s, m)])
                    for m, c in poly.terms() if sum(m) == lowest])
    if lowest > order:
        return None, manifold, None
    return form, manifold, lowest


def _any_nonzero(form, s_symbols):
    for candidate in itertools.product((1, -1, 2, 0, 3), repeat=len(s_symbols)):
        if any(candidate) and form.xreplace(dict(zip(s_symbols, candidate))) != 0:
            return candidate
    return None


def _form_definiteness(form: sp.Expr, s_symbols) -> tuple[str, tuple | None]:
    """'positive', 'negative', 'indefinite' or 'semidefinite' for a homogeneous form, with
    a witness direction where the form is negative (indefinite) or nonzero."""
    k = len(s_symbols)
    poly = sp.Poly(form, *s_symbols)
    grid = (1, -1, 2, -2, 3, -3, 0)
    found = {}
    for candidate in itertools.product(grid, repeat=k):
        if not any(candidate):
            continue
        value = poly.eval(dict(zip(s_symbols, candidate))) if k > 1 else poly.eval(candidate[0])
        if value != 0:
            found.setdefault(1 if value > 0 else -1, candidate)
        if len(found) == 2:
            return "indefinite", found[-1]
    if k == 1:
        c = poly.LC()
        return ("positive" if c > 0 else "negative"), found.get(-1)
    if k == 2:
        s1, s2 = s_symbols
        u = sp.Dummy("u")
        dehom = sp.Poly(poly.as_expr().subs({s1: 1, s2: u}), u)
        top = poly.as_expr().subs({s1: 0, s2: 1})
        sign = 1 if 1 in found else -1
        if dehom.count_roots() == 0 and top != 0:
            return ("positive" if sign > 0 else "negative"), None
        # real roots: check the sign between and beyond them exactly
        for p in _sample_between_roots(dehom):
            value = dehom.eval(p)
            if value != 0 and (1 if value > 0 else -1) != sign:
                return "indefinite", (1, p) if value < 0 else found.get(-1)
        return "semidefinite", None
    # three or more null directions: definite when it is a sum of even pure powers
    # with positive coefficients plus even monomials with positive coefficients
    terms = poly.terms()
    pure = {i for m, c in terms for i in range(k) if m[i] == sum(m)}
    if all(all(e % 2 == 0 for e in m) for m, _ in terms) and len(pure) == k:
        signs = {1 if c > 0 else -1 for _, c in terms}
        if len(signs) == 1:
            return ("positive" if signs == {1} else "negative"), None
    return "semidefinite", None


def _sample_between_roots(poly: sp.Poly) -> list[sp.Rational]:
    intervals = poly.intervals()
    cuts = []
    for (a, b), _ in intervals:
        cuts.extend([sp.Rational(a), sp.Rational(b)])
    if not cuts:
        return [sp.Integer(0)]
    lo, hi = min(cuts) - 1, max(cuts) + 1
    samples = [lo, hi]
    bounds = sorted(cuts)
    samples += [(a + b) / 2 for a, b in zip(bounds, bounds[1:]) if a != b]
    return samples


# -- numerically located points -----------------------------------------------------------
def classify_numeric(hessian_values: mpmath.matrix, scale: float, tolerance: float) -> Classification:
    """Classify from a Hessian evaluated at a numerically located point.

    Eigenvalues within ``tolerance * scale`` of zero cannot be signed: the point is then
    reported inconclusive (a float near zero never decides a sign).
    """
    with mpmath.workdps(30):
        values, vectors = mpmath.eigsy(hessian_values)
    n = hessian_values.rows
    eigenvalues = tuple(sp.Float(str(values[i]), 20) for i in range(n))
    threshold = tolerance * max(scale, 1.0)
    near_zero = sum(1 for v in eigenvalues if abs(v) <= threshold)
    positive = sum(1 for v in eigenvalues if v > threshold)
    negative = sum(1 for v in eigenvalues if v < -threshold)
    directions = tuple(_orient(tuple(sp.Float(str(vectors[r, i]), 20) for r in range(n)))
                       for i in range(negative))
    inertia = (positive, negative, near_zero)
    if positive and negative:
        return Classification(Kind.SADDLE, near_zero > 0, inertia, eigenvalues, directions,
                              _reason(Kind.SADDLE, inertia) + " (signs clear of numerical error)")
    if near_zero:
        return Classification(Kind.INCONCLUSIVE, True, inertia, eigenvalues, directions,
                              f"{near_zero} eigenvalue(s) within {threshold:.1e} of zero at a "
                              "numerically located point: their signs cannot be decided")
    kind = Kind.MINIMUM if positive else Kind.MAXIMUM
    return Classification(kind, False, inertia, eigenvalues, directions,
                          _reason(kind, inertia) + " (signs clear of numerical error)")
