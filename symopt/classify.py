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

from typing import Sequence

import mpmath
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .budget import Budget
from .errors import BudgetExceeded
from .polysolve import T, AlgebraicPoint, qq_poly, t
from .higher_order import LIMIT as HIGHER_ORDER_LIMIT, higher_order_test
from .realsigns import exact_sign
from .records import Classification, Kind
from .summary import plural

__all__ = ["Kind", "Classification", "classify_exact", "classify_numeric", "exact_sign",
           "inertia_from_charpoly", "HIGHER_ORDER_LIMIT"]



# -- exact signs ------------------------------------------------------------------------
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
                   budget: Budget, higher_order: bool = True,
                   exact_eigen: bool = True) -> Classification:
    """Classify a critical point whose coordinates are exact.

    ``point`` is the algebraic representation for points of polynomial systems (its
    Hessian entries are reduced in Q(tau)); otherwise ``coords`` are exact SymPy
    numbers substituted into the Hessian.  The result keeps its evidence: the
    characteristic polynomial, its coefficient signs, the inertia, eigenpairs and, at
    degenerate points, the higher-order form.  ``exact_eigen=False``: eigenpairs to 30
    digits only, not as exact algebraic numbers (their signs are exact either way).
    """
    lam = sp.Dummy("lambda")
    n = len(params)
    rational_hessian = None
    if point is not None and point.degree > 1:
        entries = [[point.reduce(hessian[i, j], params) for j in range(n)] for i in range(n)]
        matrix = sp.Matrix(n, n, lambda i, j: entries[i][j].as_expr())
        coeffs = budget.run(lambda: _charpoly_mod(entries, point.minpoly),
                            what="characteristic polynomial")
        signs: list[int | None] = [point.sign_of(c) for c in coeffs]
        root = point.root
        charpoly = tuple(c.as_expr().subs(T, root) for c in coeffs)
        numeric_h = _numeric_matrix(matrix.subs(T, point.tau(60)))
    else:
        subs = dict(zip(params, coords))
        at_point = _rational_at(hessian, params, coords) or hessian.xreplace(subs)
        if any(e.has(sp.zoo, sp.oo, -sp.oo, sp.nan) for e in at_point):
            return Classification(
                kind=Kind.INCONCLUSIVE, degenerate=True,
                reason="the Hessian is not finite at this point (a second derivative is "
                       "infinite, e.g. at the edge of the loss's domain): no Taylor test applies")
        matrix = budget.run(
            lambda: at_point.applyfunc(lambda e: e if e.is_Rational else sp.simplify(e)),
            what="Hessian at the point")
        char = budget.run(lambda: matrix.charpoly(lam), what="characteristic polynomial")
        charpoly = tuple(char.all_coeffs())
        signs = [exact_sign(c) for c in charpoly]
        if all(e.is_Rational for e in matrix):
            rational_hessian = matrix
        numeric_h = _numeric_matrix(matrix)
    inertia = inertia_from_charpoly(signs)
    evidence = {"charpoly": charpoly, "signs": tuple(signs), "inertia": inertia}
    if inertia is None:
        return Classification(kind=Kind.INCONCLUSIVE, degenerate=True,
                              eigenvalues=_numeric_eigenvalues(numeric_h), **evidence,
                              reason="the signs of the Hessian's characteristic polynomial "
                                     "could not be decided exactly")
    degenerate = inertia[2] > 0
    eigenvalues, directions = _eigen(rational_hessian if exact_eigen else None, numeric_h,
                                     inertia, budget)
    evidence.update(eigenvalues=eigenvalues, escape_directions=directions,
                    eigenvectors=_eigenvectors(numeric_h))
    kind = _kind_from_inertia(inertia)
    if kind is not None:
        return Classification(kind=kind, degenerate=degenerate, reason=_reason(kind, inertia),
                              **evidence)
    # semidefinite and singular: decide with higher-order terms
    if not higher_order:
        return Classification(kind=Kind.INCONCLUSIVE, degenerate=True, **evidence,
                              reason="the Hessian is semidefinite and singular")
    if rational_hessian is None or any(c.has(sp.Float, sp.CRootOf) for c in coords):
        return Classification(
            kind=Kind.INCONCLUSIVE, degenerate=True, **evidence,
            reason="the Hessian is semidefinite and singular at a point with algebraic "
                   "coordinates; the higher-order test needs a rational Hessian there")
    test = higher_order_test(expr, params, coords, rational_hessian, inertia, budget)
    return Classification(kind=test.kind, degenerate=True, reason=test.reason, **evidence,
                          higher_order=test.form, order=test.order,
                          descent_curve=test.descent_curve)


def _charpoly_mod(entries: list[list[sp.Poly]], minpoly: sp.Poly) -> list[sp.Poly]:
    """Coefficients (highest first) of the characteristic polynomial of a matrix over
    Q(tau) = Q[T]/(minpoly), each reduced modulo minpoly: computed over the polynomial
    domain Q[T] (DomainMatrix), not on expressions."""
    domain = sp.QQ[T]
    n = len(entries)
    matrix = DomainMatrix([[domain.from_sympy(e.as_expr()) for e in row] for row in entries],
                          (n, n), domain)
    return [sp.Poly(domain.to_sympy(c), T, domain="QQ").rem(minpoly)
            for c in matrix.charpoly()]


def _rational_at(hessian: sp.Matrix, params, coords) -> sp.Matrix | None:
    """The Hessian at rational coordinates, entry by entry as polynomials (far cheaper
    than substituting into expressions); None when an entry or coordinate is not so."""
    if not all(isinstance(c, sp.Rational) for c in coords):
        return None
    try:
        polys = [qq_poly(e, tuple(params)) for e in hessian]
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed,
            sp.polys.polyerrors.GeneratorsNeeded):
        return None
    values = [p.eval(tuple(coords)) if p.free_symbols else p.as_expr() for p in polys]
    return sp.Matrix(hessian.rows, hessian.cols, values)


def _eigenvectors(numeric_h: mpmath.matrix) -> tuple[tuple[sp.Expr, ...], ...]:
    """Unit eigenvectors (30 digits) in the order of ascending eigenvalues."""
    with mpmath.workdps(50):
        _, vectors = mpmath.eigsy(numeric_h)
        n = numeric_h.rows
        return tuple(_orient(tuple(sp.Float(str(vectors[r, i]), 30) for r in range(n)))
                     for i in range(n))


def _reason(kind: Kind, inertia: tuple[int, int, int]) -> str:
    positive, negative, zero = inertia
    if kind is Kind.SADDLE:
        extra = f" (and {zero} zero)" if zero else ""
        return (f"the Hessian is indefinite: {positive} positive and "
                f"{plural(negative, 'negative eigenvalue')}{extra}")
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
    exact_values = None
    if rational_hessian is not None:
        try:
            exact_values, directions = budget.run(lambda: _exact_eigen(rational_hessian),
                                                  fraction=0.3, what="exact eigenvectors")
            if directions is not None:
                return exact_values, directions
        except (BudgetExceeded, NotImplementedError, ValueError):
            pass
    with mpmath.workdps(50):
        values, vectors = mpmath.eigsy(numeric_h)
        n = numeric_h.rows
        eigenvalues = exact_values or tuple(sp.Float(str(values[i]), 30) for i in range(n))
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
        if not v.is_Rational:
            # an irrational eigenvalue's unit eigenvector is a nested radical that takes
            # seconds to simplify: the eigenvalues stay exact, the directions numeric
            return eigenvalues, None
        # a rational eigenvalue of a rational matrix: the null space is rational, and
        # radsimp is all the unit vectors need (simplify would cost seconds, and its
        # first call imports sympy.physics)
        basis = (h - v * sp.eye(h.rows)).nullspace()
        for vec in _gram_schmidt(basis):
            directions.append(_orient(tuple(sp.radsimp(c) for c in vec)))
    return eigenvalues, tuple(directions)


def _gram_schmidt(vectors: list[sp.Matrix]) -> list[sp.Matrix]:
    out: list[sp.Matrix] = []
    for v in vectors:
        w = v
        for u in out:
            w = w - (u.dot(w)) * u
        norm = sp.sqrt(sp.radsimp(sp.expand(w.dot(w))))
        out.append((w / norm).applyfunc(lambda c: sp.radsimp(sp.expand(c))))
    return out


def _orient(vector: tuple[sp.Expr, ...]) -> tuple[sp.Expr, ...]:
    """Unit vectors are defined up to sign: make the first clearly nonzero entry positive."""
    for c in vector:
        if isinstance(c, sp.Float):
            sign = 0 if abs(c) <= 1e-25 else (1 if c > 0 else -1)
        else:
            sign = exact_sign(c) or 0
        if sign:
            return vector if sign > 0 else tuple(-c for c in vector)
    return vector


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
        return Classification(kind=Kind.SADDLE, degenerate=near_zero > 0, inertia=inertia,
                              eigenvalues=eigenvalues, escape_directions=directions,
                              reason=_reason(Kind.SADDLE, inertia)
                              + " (signs clear of numerical error)")
    if near_zero:
        return Classification(kind=Kind.INCONCLUSIVE, degenerate=True, inertia=inertia,
                              eigenvalues=eigenvalues, escape_directions=directions,
                              reason=f"{plural(near_zero, 'eigenvalue')} within {threshold:.1e} of "
                              "zero at a numerically located point: their signs cannot be "
                              "decided")
    kind = Kind.MINIMUM if positive else Kind.MAXIMUM
    return Classification(kind=kind, degenerate=False, inertia=inertia, eigenvalues=eigenvalues,
                          escape_directions=directions,
                          reason=_reason(kind, inertia) + " (signs clear of numerical error)")
