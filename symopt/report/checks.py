"""The checks every derivation step runs: its result against SymPy's, and the error if they differ.

Numbers are compared exactly where they are rationals or radicals and to many digits where
they are roots without radicals (CRootOf) or floats; a disagreement raises
:class:`~symopt.report.DerivationError` naming the step.
"""

from __future__ import annotations

from typing import Any, Iterable

import sympy as sp

from ..classify import exact_sign
from .records import DerivationError

__all__ = ["fail", "same_expr", "number_sign", "sign_of", "same_number", "is_approximate",
           "shown", "agree"]


def fail(key: str, message: str) -> None:
    raise DerivationError(f"step {key!r}: {message}")


def same_expr(a: Any, b: Any) -> bool:
    """True when ``a - b`` is identically zero (expanded, then simplified)."""
    difference = sp.sympify(a) - sp.sympify(b)
    if difference == 0 or sp.expand(difference) == 0:
        return True
    return sp.simplify(difference) == 0


def number_sign(value: Any) -> int:
    """The sign of a real number: exact for rationals and radicals; for roots without radicals
    (CRootOf) and floats, from 50 digits, where a value below 1e-30 counts as zero."""
    value = sp.sympify(value)
    if value.is_Rational:
        return int(sp.sign(value))
    if not (value.has(sp.CRootOf) or value.has(sp.Float)):
        simplified = sp.radsimp(sp.expand(value))
        sign = exact_sign(simplified)
        if sign is not None:
            return sign
    approx = sp.N(value, 50)
    scale = max([1.0] + [abs(float(sp.N(a, 20))) for a in sp.Add.make_args(value) if a.is_number])
    if abs(approx) <= sp.Float(10) ** -30 * scale:
        return 0
    return 1 if approx > 0 else -1


def same_number(a: Any, b: Any) -> bool:
    """True when two real numbers agree: exactly for rationals and radicals, else to 30 digits
    (roots given as CRootOf) or to 15 digits (floats of numerically located points)."""
    a, b = sp.sympify(a), sp.sympify(b)
    if a.has(sp.Float) or b.has(sp.Float):
        x, y = sp.N(a, 40), sp.N(b, 40)
        return bool(abs(x - y) <= sp.Float(10) ** -15 * max(1, abs(y)))
    return number_sign(a - b) == 0


def is_approximate(values: Iterable[Any]) -> bool:
    """Values shown rounded: floats, or roots without radicals (CRootOf)."""
    return any(sp.sympify(v).has(sp.Float) or sp.sympify(v).has(sp.CRootOf) for v in values)


def shown(value: Any, digits: int = 8) -> Any:
    """What to display: the exact value, or 8 significant digits of an approximate one."""
    value = sp.sympify(value)
    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(lambda e: shown(e, digits))
    if value.has(sp.Float) or value.has(sp.CRootOf):
        approximate = sp.N(value, digits)
        # a coefficient of exactly 1.0 is written as a lecturer writes it: lambda**2, not 1.0*lambda**2
        ones = {f: sp.Integer(int(f)) for f in approximate.atoms(sp.Float) if abs(float(f)) == 1.0}
        return approximate.xreplace(ones) if ones and not approximate.is_Number else approximate
    return value


sign_of = number_sign


def agree(a: Any, b: Any) -> bool:
    """True when two numbers agree to 15 digits (at 40) and neither has an imaginary part."""
    a, b = sp.N(a, 40), sp.N(b, 40)
    return bool(abs(sp.re(a) - sp.re(b)) <= 1e-15 * max(1, abs(sp.re(b)))
                and abs(sp.im(a)) < 1e-15 and abs(sp.im(b)) < 1e-15)
