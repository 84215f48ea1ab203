"""Exact numbers for the variant rules (rationals; mpmath at 60 digits) and ulps.

The rules of :mod:`symopt.optim` are written once over the array namespace of
:mod:`symopt.optim.namespace`, which runs NumPy object arrays with the elements' own
arithmetic. An object array of :class:`Exact` numbers therefore computes the truth of a step
with the very same definition that runs in float64. An :class:`Exact` holds a
:class:`fractions.Fraction` (exact; no square roots) or an ``mpmath.mpf`` (``dps`` digits);
float64 inputs and hyper-parameters convert exactly (``Exact.lift``, which
:func:`symopt.optim.namespace.lift` calls, so bias corrections such as :math:`1 - \\beta^t`
are computed exactly too).

>>> import numpy as np
>>> from fractions import Fraction
>>> RATIONAL.asarray([0.5, 0.1])[1].value == Fraction(0.1)
True
>>> with MPMATH.precision():
...     float((MPMATH.asarray([2.0])[0] ** MPMATH.scalar(0.5)) ** 2)
2.0
"""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

__all__ = ["Exact", "ExactKind", "RATIONAL", "MPMATH", "as_mpf", "ulps", "to_float"]


def as_mpf(value: Any) -> Any:
    """The exact mpmath number of ``value`` (float, int, Fraction, mpf or Exact)."""
    if isinstance(value, Exact):
        value = value.value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


def _operands(a: Any, b: Any) -> tuple[Any, Any]:
    """Both values in one exact type: Fractions while both are rational, else mpf."""
    if isinstance(b, Exact):
        b = b.value
    elif isinstance(b, np.generic):
        b = b.item()
    if isinstance(a, Fraction) and isinstance(b, (Fraction, int, float)):
        return a, Fraction(b)
    if isinstance(a, Fraction) or isinstance(b, Fraction):
        return as_mpf(a), as_mpf(b)
    return a, b                          # mpf with mpf, int or float: mpmath converts exactly


def _binary(operation: Any, reflected: bool = False) -> Any:
    def apply(self: "Exact", other: Any) -> Any:
        if isinstance(other, np.ndarray):
            return NotImplemented               # let the array apply it elementwise
        a, b = _operands(self.value, other)
        return Exact(operation(b, a) if reflected else operation(a, b))
    return apply


def _power(base: Any, exponent: Any) -> Any:
    if isinstance(base, Fraction) and isinstance(exponent, Fraction) \
            and exponent.denominator != 1:
        raise TypeError("this rule takes a root, which rationals cannot hold exactly; run it "
                        "over mpmath numbers (MPMATH)")
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        exponent = int(exponent)
    return base ** exponent


def _compare(operation: Any) -> Any:
    def apply(self: "Exact", other: Any) -> Any:
        if isinstance(other, np.ndarray):
            return NotImplemented
        a, b = _operands(self.value, other)
        return operation(a, b)
    return apply


class Exact:
    """An exact number (a Fraction or an mpmath mpf) that steps aside for NumPy arrays.

    ``mpf * ndarray`` first tries to convert the whole array (slowly, and in vain), and
    ``Fraction * float`` gives a float; this wrapper returns ``NotImplemented`` to arrays so
    they apply the operation per element, and converts floats exactly.

    >>> (Exact(Fraction(1, 3)) * 0.5).value
    Fraction(1, 6)
    """

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value.value if isinstance(value, Exact) else value

    def lift(self, number: Any) -> "Exact":
        """``number`` (float or int) as an exact number of this one's kind."""
        if isinstance(self.value, Fraction):
            return Exact(Fraction(number))
        return Exact(as_mpf(number))

    __add__ = _binary(lambda a, b: a + b)
    __radd__ = _binary(lambda a, b: a + b, reflected=True)
    __sub__ = _binary(lambda a, b: a - b)
    __rsub__ = _binary(lambda a, b: a - b, reflected=True)
    __mul__ = _binary(lambda a, b: a * b)
    __rmul__ = _binary(lambda a, b: a * b, reflected=True)
    __truediv__ = _binary(lambda a, b: a / b)
    __rtruediv__ = _binary(lambda a, b: a / b, reflected=True)
    __pow__ = _binary(_power)
    __rpow__ = _binary(_power, reflected=True)
    __lt__ = _compare(lambda a, b: a < b)
    __le__ = _compare(lambda a, b: a <= b)
    __gt__ = _compare(lambda a, b: a > b)
    __ge__ = _compare(lambda a, b: a >= b)
    __eq__ = _compare(lambda a, b: a == b)  # type: ignore[assignment]
    __ne__ = _compare(lambda a, b: a != b)  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    def __neg__(self) -> "Exact":
        return Exact(-self.value)

    def __abs__(self) -> "Exact":
        return Exact(abs(self.value))

    def __bool__(self) -> bool:
        return bool(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        return f"Exact({self.value})"


def _object_array(values: Any, convert: Any) -> np.ndarray:
    array = np.asarray(values, dtype=object)
    result = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        result[index] = convert(value.item() if isinstance(value, np.generic) else value)
    return result


class ExactKind:
    """A kind of exact number: ``"rational"`` (Fractions) or ``"mpmath"`` (``dps`` digits).

    ``asarray`` turns float64 (or exact) values into an object array of :class:`Exact`;
    computations on mpmath numbers run inside ``with kind.precision():``.
    """

    def __init__(self, name: str, dps: int = 60):
        self.name = name
        self.dps = dps

    def scalar(self, value: Any) -> Exact:
        if isinstance(value, Exact):
            value = value.value
        if isinstance(value, np.generic):
            value = value.item()
        if self.name == "rational":
            return Exact(Fraction(value))
        return Exact(as_mpf(value))

    def asarray(self, values: Any) -> np.ndarray:
        return _object_array(values, self.scalar)

    def precision(self) -> Any:
        return mpmath.workdps(self.dps) if self.name == "mpmath" else contextlib.nullcontext()


RATIONAL = ExactKind("rational")
MPMATH = ExactKind("mpmath", 60)


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
        if isinstance(truth, Exact):
            truth = truth.value
        if isinstance(truth, Fraction):
            difference = abs(Fraction(value) - truth)
        else:
            difference = abs(mpmath.mpf(value) - as_mpf(truth))
        result[i] = float(difference / Fraction(spacing)) if isinstance(
            difference, Fraction) else float(difference / spacing)
    return result.reshape(np.shape(got))
