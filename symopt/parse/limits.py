"""Limits on the sizes of numbers and powers, so that hostile input fails fast.

A number literal may have only so many digits; a power may not multiply out to a huge exact
number, take a root of one, or raise a symbol to a huge exponent.  The checks run on the
operands, before SymPy builds the power.  :class:`Limits` gathers every limit the parser
applies, including those on the value of the whole expression (its degree, terms and numbers
when multiplied out, measured by :mod:`symopt.parse.size`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

import sympy

#: Largest number of significant digits in a number literal.
MAX_LITERAL_DIGITS = 400
#: Largest decimal exponent of a number literal (``1e400`` is allowed, ``1e401`` is not).
MAX_LITERAL_EXPONENT = 400
#: Largest exact number (in bits, about 3,900 decimal digits) an expression may hold, also
#: once multiplied out.  Below Python's 4,300-digit limit on printing integers, so that
#: every printer can show whatever the parser accepts.
MAX_NUMBER_BITS = 13_000
#: Largest number (in bits, about 420 decimal digits) whose root is taken exactly.
MAX_ROOT_BITS = 1_400
#: Largest denominator of a fractional exponent, as in ``x**(1/1000000)``.
MAX_ROOT_DEGREE = 10**6



@dataclass(frozen=True)
class Limits:
    """Every limit the parser applies; raise one to accept larger input.

    Parameters
    ----------
    max_length : int
        Longest accepted text, in characters.
    max_depth : int
        Deepest nesting of brackets, operators and calls (a run such as ``a + b - c``
        is one level).
    max_exponent : int
        Largest absolute numeric exponent written on a non-numeric base (``x**100``).
    max_degree : int
        Largest total degree of the expression multiplied out, every function call
        counting as one more variable: ``(x**100)**100`` has degree 10,000.
    max_terms : int
        Largest estimated number of terms of the expression multiplied out:
        ``(w + x + y + z)**100`` would have 176,851.
    max_number_bits : int
        Largest exact number, in bits, in the expression or its expansion.

    Examples
    --------
    >>> Limits(max_degree=5000).max_degree
    5000
    >>> Limits.of({"max_terms": 10})
    Limits(max_length=5000, max_depth=60, max_exponent=100, max_degree=1000, max_terms=10, max_number_bits=13000)
    """

    max_length: int = 5000
    max_depth: int = 60
    max_exponent: int = 100
    max_degree: int = 1000
    max_terms: int = 20_000
    max_number_bits: int = MAX_NUMBER_BITS

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{field.name} must be a non-negative int, got {value!r}")

    @classmethod
    def of(cls, limits: "Limits | dict | None", **overrides: int | None) -> "Limits":
        """``limits`` (a Limits, a dict of field values or None) with ``overrides`` applied."""
        if limits is None:
            values: dict = {}
        elif isinstance(limits, Limits):
            values = {f.name: getattr(limits, f.name) for f in fields(limits)}
        elif isinstance(limits, dict):
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(limits) - known)
            if unknown:
                raise ValueError(f"unknown limit {unknown[0]!r}; the limits are "
                                 f"{', '.join(sorted(known))}")
            values = dict(limits)
        else:
            raise TypeError(f"limits must be a Limits, a dict or None, got {type(limits).__name__}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


# Why a power is refused; ``{piece}`` is replaced by the quoted source of the power.
_NOT_REAL = (
    "{piece} is not a real number (a fractional power of a negative number); "
    "losses are real-valued"
)
_NUMBER_ROOT_TOO_HARD = (
    f"{{piece}} asks for a root of a number with more than about "
    f"{MAX_ROOT_BITS * 3 // 10} digits or of degree above {MAX_ROOT_DEGREE}; "
    "simplify it"
)
_NUMBER_TOO_LARGE = (
    "{piece} is too large: it would have more than {digits} digits; "
    "use smaller numbers or a symbolic exponent, or raise max_number_bits"
)
_ROOT_TOO_HARD = (
    "{piece} asks for a root of a number that is too large or of too high a degree; "
    "simplify it"
)
_TOO_LARGE = (
    "{piece} is too large: its numbers would have more than {digits} digits; "
    "use smaller numbers, or raise max_number_bits"
)


def _bits(n: int) -> float:
    """log2 of ``|n|``: the bits a power of ``n`` needs per unit of exponent."""
    return math.log2(abs(n)) if n else 0.0


def _number_bits(expr: sympy.Basic) -> float:
    """Bits of the exact numbers that an integer power of ``expr`` would multiply out.

    ``(c*x)**n`` becomes ``c**n * x**n`` and ``(a**r)**n`` becomes ``a**(r*n)``, so the
    numbers in products and powers count; sums and functions are never expanded.
    """
    if expr.is_Rational:
        return max(_bits(expr.p), _bits(expr.q))  # type: ignore[attr-defined]
    if expr.is_Mul:
        return sum((_number_bits(arg) for arg in expr.args), 0.0)
    if expr.is_Pow and expr.exp.is_Rational:  # type: ignore[attr-defined]
        return float(abs(expr.exp)) * _number_bits(expr.base)  # type: ignore[attr-defined]
    return 0.0


def _root_bits(expr: sympy.Basic) -> float:
    """Bits of the largest exact number whose root a fractional power of ``expr`` takes."""
    if expr.is_Rational:
        return max(_bits(expr.p), _bits(expr.q))  # type: ignore[attr-defined]
    if expr.is_Mul:
        return max((_root_bits(arg) for arg in expr.args), default=0)
    if expr.is_Pow and expr.exp.is_Rational:  # type: ignore[attr-defined]
        return _root_bits(expr.base)  # type: ignore[attr-defined]
    return 0


def _root_too_hard(base: sympy.Expr, exponent: sympy.Rational) -> bool:
    """Whether SymPy would take a root of too large a number, or of too high a degree."""
    return exponent.q > MAX_ROOT_DEGREE or _root_bits(base) > MAX_ROOT_BITS


def _literal(digits: str) -> Decimal | None:
    """Exact value of a decimal literal such as ``12``, ``0.1`` or ``1e-3``; None for others."""
    if not re.fullmatch(r"(\d[\d_]*)?(\.[\d_]*)?([eE][+-]?\d[\d_]*)?", digits) or not any(
        c.isdigit() for c in digits
    ):
        return None
    try:
        value = Decimal(digits.replace("_", ""))
    except InvalidOperation:
        return None
    return value


def _power_problem(base: sympy.Expr, exponent: sympy.Expr, max_exponent: int,
                   max_bits: int = MAX_NUMBER_BITS) -> str | None:
    """Why ``base**exponent`` would be a monster (a message with ``{piece}``), or None."""
    if not exponent.is_Rational:
        return None  # symbolic or irrational exponent: nothing is multiplied out
    size = abs(exponent)
    if base.is_Rational:
        if not exponent.is_Integer and base.is_negative:
            return _NOT_REAL
        if base in (sympy.S.Zero, sympy.S.One, sympy.S.NegativeOne):
            return None
        root_too_hard, too_large = _NUMBER_ROOT_TOO_HARD, _NUMBER_TOO_LARGE
    elif size > max_exponent:
        return (
            f"the exponent in {{piece}} is larger than max_exponent={max_exponent}; "
            "use a smaller power or raise max_exponent"
        )
    else:
        root_too_hard, too_large = _ROOT_TOO_HARD, _TOO_LARGE
    if not exponent.is_Integer and _root_too_hard(base, exponent):
        return root_too_hard
    if size * _number_bits(base) > max_bits:
        return too_large.replace("{digits}", f"{max_bits * 3 // 10:,}")
    return None


def _exp_problem(argument: sympy.Expr, max_exponent: int,
                 max_bits: int = MAX_NUMBER_BITS) -> str | None:
    """``exp(k*log(a))`` becomes ``a**k``: why that power would be a monster, or None."""
    for term in sympy.Add.make_args(argument):
        factors = sympy.Mul.make_args(term)
        logs = [f for f in factors if isinstance(f, sympy.log)]
        if len(logs) != 1:
            continue
        coefficient = sympy.Mul(*[f for f in factors if not isinstance(f, sympy.log)])
        if coefficient.is_Rational:
            problem = _power_problem(logs[0].args[0], coefficient, max_exponent, max_bits)
            if problem is not None:
                return problem
    return None
