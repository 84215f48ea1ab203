"""How big an expression gets when multiplied out: degree, terms and bits of its numbers.

The parser measures every expression it builds, bottom up, and refuses one whose expansion
would be a monster, whatever the syntax that produced it (``(((x**100)**100)**100)**100``
is ``x**100000000`` however it was written).  The measures are upper bounds of what
``sympy.expand`` produces:

* ``degree``: total degree, counting every function call and fractional power as one
  more variable;
* ``terms``: number of terms; a sum of ``t`` terms to the power ``n`` has at most
  ``C(n + t - 1, t - 1)``;
* ``bits``: bits of the largest exact number (numerator or denominator).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import sympy

#: Measures are clipped here: only "over the limit" matters past it.
_CLIP = 10**30


class Size(NamedTuple):
    """Upper bounds of the expanded form of an expression.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> measure((x + y)**3, {})
    Size(degree=3, terms=4, bits=6)
    >>> measure(3*x**2 + 5, {})
    Size(degree=2, terms=2, bits=4)
    """

    degree: int
    terms: int
    bits: int


_ATOM = Size(1, 1, 0)
_NUMBER = Size(0, 1, 0)


def _clip(value: int) -> int:
    return min(value, _CLIP)


def _bits_of(number: sympy.Rational) -> int:
    return max(abs(number.p).bit_length(), abs(number.q).bit_length())  # type: ignore[attr-defined]


def add_sizes(sizes: list[Size]) -> Size:
    """Size of a sum of expressions of these sizes."""
    return Size(max((s.degree for s in sizes), default=0),
                _clip(sum(s.terms for s in sizes)),
                max((s.bits for s in sizes), default=0) + max(len(sizes) - 1, 0).bit_length())


def mul_sizes(sizes: list[Size]) -> Size:
    """Size of a product of expressions of these sizes (a quotient counts as a product)."""
    terms = 1
    for s in sizes:
        terms = _clip(terms * s.terms)
    smallest = min((s.terms for s in sizes), default=1)
    return Size(_clip(sum(s.degree for s in sizes)), terms,
                _clip(sum(s.bits for s in sizes) + (smallest - 1).bit_length()))


def pow_size(base: Size, exponent: sympy.Rational) -> Size:
    """Size of ``base**exponent`` for a rational exponent."""
    n = abs(exponent)
    if not exponent.is_Integer:  # a root stays one factor; its degree is a fraction
        return Size(_clip(math.ceil(n * base.degree)), 1, base.bits)
    k = int(n)
    t = base.terms
    if t <= 1 or k <= 1:
        terms = t
    elif t > 10**6 or k > 10**6:
        terms = _CLIP
    else:
        terms = _clip(math.comb(k + t - 1, t - 1))
    return Size(_clip(k * base.degree), terms, _clip(k * (base.bits + (t - 1).bit_length())))


def measure(expr: sympy.Basic, memo: dict) -> Size:
    """Size of ``expr`` expanded; ``memo`` keeps the sizes of sub-expressions measured before."""
    found = memo.get(expr)
    if found is not None:
        return found
    if expr.is_Rational:
        size = Size(0, 1, _bits_of(expr))  # type: ignore[arg-type]
    elif expr.is_Symbol:
        size = _ATOM
    elif expr.is_Number or expr.is_NumberSymbol:
        size = _NUMBER
    elif expr.is_Add:
        size = add_sizes([measure(arg, memo) for arg in expr.args])
    elif expr.is_Mul:
        size = mul_sizes([measure(arg, memo) for arg in expr.args])
    elif expr.is_Pow and expr.exp.is_Rational:  # type: ignore[attr-defined]
        size = pow_size(measure(expr.base, memo), expr.exp)  # type: ignore[attr-defined]
    else:  # a function call, or a power with a symbolic exponent: one more variable
        size = Size(1, 1, max((measure(arg, memo).bits for arg in expr.args), default=0))
    memo[expr] = size
    return size
