"""The kinks of a piecewise loss and the algebra of its regions.

``abs(u)``, ``max(a, b)`` and ``min(a, b)`` (``relu(x) = max(0, x)``) switch on the sign of a
polynomial ``u`` (``a - b`` for max and min).  A sign for each switching function picks
one polynomial piece of the loss on an open region.  Here: finding the kinks, the piece
and the region of a sign pattern, whether a region is empty (exact linear programming
for linear switches), and evident bounds of the pieces on their regions.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple, Sequence

import sympy as sp

try:  # exact linear programming (SymPy >= 1.13); without it regions are sampled only
    from sympy.solvers.simplex import lpmax
except ImportError:  # pragma: no cover - older SymPy
    lpmax = None

__all__ = ["Kink", "Unsupported", "kinks", "piece_of", "region_of", "witness", "holds", "nonempty",
           "evident_bound", "nonnegative", "EMPTY"]

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
    if groups:
        stand_ins = {atom: sp.Dummy() for atom in atoms}
        try:
            sp.Poly(expr.xreplace(stand_ins), *params, *stand_ins.values(), domain="QQ")
        except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed):
            raise Unsupported("the pieces between the kinks are not polynomials") from None
    return [Kink(u, tuple(branches)) for u, branches in groups.items()]


def piece_of(expr, found: Sequence[Kink], signs: Sequence[int], expand: bool = True) -> sp.Expr:
    piece = expr.xreplace({atom: (plus if s > 0 else minus)
                           for k, s in zip(found, signs) for atom, plus, minus in k.branches})
    return sp.expand(piece) if expand else piece


def region_of(found: Sequence[Kink], signs: Sequence[int]) -> sp.Basic:
    return sp.And(*[(k.u > 0) if s > 0 else (k.u < 0) for k, s in zip(found, signs)])


EMPTY = object()


def witness(found: Sequence[Kink], signs: Sequence[int], params):
    """A rational point of the open region, ``EMPTY`` when it is proven empty (linear
    switching functions: exact linear programming), or None when neither is shown."""
    margin = sp.Dummy("margin")
    functions = [sp.expand(s * k.u) for k, s in zip(found, signs)]
    if lpmax is not None and all(sp.Poly(f, *params).total_degree() <= 1 for f in functions):
        best, where = lpmax(margin, [f >= margin for f in functions] + [margin <= 1])
        if best <= 0:
            return EMPTY
        return tuple(where.get(p, sp.Integer(0)) for p in params)
    for point in itertools.product((0, 1, -1, 2, -2, sp.Rational(1, 2), 3), repeat=len(params)):
        subs = dict(zip(params, point))
        if all(f.xreplace(subs) > 0 for f in functions):
            return point
    return None


def holds(condition: sp.Basic, params, coords) -> bool | None:
    value = condition.xreplace(dict(zip(params, coords)))
    if value in (sp.true, sp.false):
        return bool(value)
    try:
        return bool(sp.simplify(value))
    except TypeError:
        return None


def nonempty(condition: sp.Basic, free) -> bool | None:
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
    if lpmax is None:
        return None
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


def evident_bound(loss, found, value, sign: int) -> bool:
    """Every piece minus ``value`` (times ``sign``) is evidently >= 0 on its closed region:
    a sum of products of even powers, positive numbers and the region's own signs."""
    for signs in itertools.product((1, -1), repeat=len(found)):
        piece = piece_of(loss.expr, found, signs, expand=False)
        allowed = {sp.expand(s * k.u) for k, s in zip(found, signs)}
        written = (sign * piece if value == 0 else sign * (piece - value),
                   sp.factor(sp.expand(sign * (piece - value))))
        if not any(nonnegative(r, allowed) for r in written):
            return False
    return True


def nonnegative(expr: sp.Expr, allowed: set) -> bool:
    if expr.is_number:
        return bool(expr >= 0)
    for term in sp.Add.make_args(expr):
        if term.is_Mul and any(a.is_Add for a in term.args) and not _nonnegative_product(
                term, allowed):
            if not nonnegative(sp.expand(term), allowed):
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
        elif f.is_Add and nonnegative(f, allowed):
            continue
        else:
            return False
    return sign > 0

