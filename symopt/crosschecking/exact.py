"""Exact number namespaces for the variant rules (rationals; mpmath at 60 digits) and ulps.

The rules of :mod:`symopt.optim.variants` are written over an array namespace; passing one of
these instead of :data:`symopt.optim.variants.NUMPY` computes the truth of a step with the
same definition. Arrays are NumPy object arrays of :class:`fractions.Fraction` or
``mpmath.mpf``; float64 inputs convert exactly.

>>> import numpy as np
>>> from fractions import Fraction
>>> RATIONAL.asarray([0.5, 0.1])[1] == Fraction(0.1)
True
>>> with MPMATH.precision():
...     float(MPMATH.sqrt(MPMATH.scalar(2.0)) ** 2)
2.0
"""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction
from typing import Any, Iterator

import mpmath
import numpy as np

__all__ = ["RationalNamespace", "MpmathNamespace", "RATIONAL", "MPMATH", "Exact", "as_mpf", "ulps", "to_float"]


def _object_array(values: Any, convert: Any) -> np.ndarray:
    array = np.asarray(values, dtype=object)
    result = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        result[index] = convert(value.item() if isinstance(value, np.generic) else value)
    return result


class RationalNamespace:
    """Exact rationals: float64 inputs become the fractions they are; no square roots."""

    name = "rational"

    @staticmethod
    def scalar(value: Any) -> Fraction:
        return Fraction(value.item() if isinstance(value, np.generic) else value)

    def asarray(self, values: Any) -> np.ndarray:
        return _object_array(values, Fraction)

    def zeros_like(self, x: Any) -> np.ndarray:
        return self.full_like(x, 0)

    def full_like(self, x: Any, value: Any) -> np.ndarray:
        return _object_array(np.zeros(np.shape(x)), lambda _: Fraction(value))

    @staticmethod
    def sqrt(x: Any) -> Any:
        raise TypeError("this rule takes a square root, which rationals cannot hold exactly; "
                        "use the mpmath namespace (MPMATH) for it")

    maximum = staticmethod(np.frompyfunc(max, 2, 1))
    abs = staticmethod(np.frompyfunc(abs, 1, 1))
    divide_or_zero = staticmethod(np.frompyfunc(lambda n, d: n / d if d else n * 0, 2, 1))

    @contextlib.contextmanager
    def precision(self) -> Iterator[None]:
        yield


def _binary(operation: Any) -> Any:
    def apply(self: "Exact", other: Any) -> Any:
        if isinstance(other, np.ndarray):
            return NotImplemented               # let the array apply it elementwise
        return Exact(operation(self.value, other.value if isinstance(other, Exact) else other))
    return apply


class Exact:
    """An mpmath number that steps aside for NumPy arrays.

    ``mpf * ndarray`` first tries to convert the whole array (slowly, and in vain); this
    wrapper returns ``NotImplemented`` at once so the array applies the operation per element.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value.value if isinstance(value, Exact) else value

    __add__ = _binary(lambda a, b: a + b)
    __radd__ = _binary(lambda a, b: b + a)
    __sub__ = _binary(lambda a, b: a - b)
    __rsub__ = _binary(lambda a, b: b - a)
    __mul__ = _binary(lambda a, b: a * b)
    __rmul__ = _binary(lambda a, b: b * a)
    __truediv__ = _binary(lambda a, b: a / b)
    __rtruediv__ = _binary(lambda a, b: b / a)
    __pow__ = _binary(lambda a, b: a ** b)

    def __neg__(self) -> "Exact":
        return Exact(-self.value)

    def __abs__(self) -> "Exact":
        return Exact(abs(self.value))

    def __bool__(self) -> bool:
        return bool(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __lt__(self, other: Any) -> bool:
        return self.value < (other.value if isinstance(other, Exact) else other)

    def __le__(self, other: Any) -> bool:
        return self.value <= (other.value if isinstance(other, Exact) else other)

    def __gt__(self, other: Any) -> bool:
        return self.value > (other.value if isinstance(other, Exact) else other)

    def __ge__(self, other: Any) -> bool:
        return self.value >= (other.value if isinstance(other, Exact) else other)

    def __repr__(self) -> str:
        return f"Exact({self.value})"


def as_mpf(value: Any) -> Any:
    """The exact mpmath number of ``value`` (float, int, Fraction, mpf or Exact)."""
    if isinstance(value, Exact):
        return value.value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


class MpmathNamespace:
    """mpmath numbers at ``dps`` decimal digits (60 by default): square roots allowed.

    Computations must run inside ``with namespace.precision():``.
    """

    name = "mpmath"

    def __init__(self, dps: int = 60):
        self.dps = dps

    @staticmethod
    def scalar(value: Any) -> Exact:
        return Exact(as_mpf(value))

    def asarray(self, values: Any) -> np.ndarray:
        return _object_array(values, self.scalar)

    def zeros_like(self, x: Any) -> np.ndarray:
        return self.full_like(x, 0)

    def full_like(self, x: Any, value: Any) -> np.ndarray:
        return _object_array(np.zeros(np.shape(x)), lambda _: Exact(as_mpf(value)))

    sqrt = staticmethod(np.frompyfunc(lambda x: Exact(mpmath.sqrt(as_mpf(x))), 1, 1))
    maximum = staticmethod(np.frompyfunc(max, 2, 1))
    abs = staticmethod(np.frompyfunc(abs, 1, 1))
    divide_or_zero = staticmethod(np.frompyfunc(lambda n, d: n / d if d else n * 0, 2, 1))

    def precision(self) -> Any:
        return mpmath.workdps(self.dps)


RATIONAL = RationalNamespace()
MPMATH = MpmathNamespace()


def to_float(values: Any) -> np.ndarray:
    """Exact values rounded to the nearest float64 (elementwise)."""
    return np.array([float(v) for v in np.ravel(values)], dtype=np.float64).reshape(
        np.shape(values))


def ulps(got: Any, exact: Any) -> np.ndarray:
    """``|got - exact|`` in units in the last place of the float64 nearest ``exact``.

    ``got`` is float64, ``exact`` exact numbers (any shape, elementwise). A non-finite
    ``got`` is infinitely far.

    Examples
    --------
    >>> from fractions import Fraction
    >>> ulps([1.0 + 2 ** -52], [Fraction(1)])
    array([1.])
    """
    got_flat = [float(v) for v in np.ravel(np.asarray(got, dtype=np.float64))]
    exact_flat = np.ravel(np.asarray(exact, dtype=object))
    result = np.empty(len(got_flat), dtype=np.float64)
    for i, (value, truth) in enumerate(zip(got_flat, exact_flat)):
        if not math.isfinite(value):
            result[i] = np.inf
            continue
        nearest = float(truth)
        spacing = float(np.spacing(abs(nearest))) if np.isfinite(nearest) else np.inf
        if isinstance(truth, Fraction):
            difference = abs(Fraction(value) - truth)
        else:
            difference = abs(mpmath.mpf(value) - as_mpf(truth))
        result[i] = float(difference / Fraction(spacing)) if isinstance(
            difference, Fraction) else float(difference / spacing)
    return result.reshape(np.shape(got))
