"""The array namespace an update rule runs in: NumPy (in place), JAX, or exact object arrays.

Every update rule in :mod:`symopt.optim` is written once against the few operations of an
:class:`ArrayOps`, resolved from the arrays it receives (:func:`ops_for`):

* ``numpy``: float arrays; ``out=`` is honoured, so a rule may overwrite arrays it has just
  created (or state arrays the caller donated) instead of allocating.
* ``jax``: ``jax.Array`` and tracers inside ``jit``/``lax.scan``; ``out=`` is ignored and
  every operation returns a new array. JAX is imported only when such an array arrives.
* ``object``: NumPy arrays of Python objects (``fractions.Fraction``, ``mpmath.mpf``, SymPy
  numbers): the operators of the elements themselves do the arithmetic, so a rule runs in
  exact or arbitrary-precision arithmetic. The square root is ``x ** (1/2)`` with the half
  built from the element itself, so SymPy numbers stay exact and mpmath numbers keep their
  precision.

Scalars of a rule (the step count, bias corrections) go through :func:`lift`,
:func:`scalar_sqrt` and :func:`select`: for NumPy and JAX they keep Python numbers as Python
numbers and let traced JAX scalars be traced; for object arrays :func:`lift` brings a
hyper-parameter into the elements' number type first, so that :math:`1 - \\beta^t` is
computed in exact (or 60-digit) arithmetic rather than in float64.

``ops.fma(a, b, c)`` is ``a * b + c`` rounded once, as compiled frameworks round it (PyTorch's
CPU kernels, XLA): NumPy has no fused multiply-add, so the ``numpy`` namespace computes it
exactly with error-free transformations; exact numbers need no rounding at all.

``in-place`` operators (``a += b``) need no dispatch: on NumPy and object arrays they update
``a``, on JAX arrays Python rebinds ``a`` to ``a + b``.

>>> import numpy as np
>>> from fractions import Fraction
>>> ops_for(np.zeros(2)).name, ops_for(np.array([Fraction(1, 3)], dtype=object)).name
('numpy', 'object')
>>> ops_for(np.array([Fraction(9, 4)], dtype=object)).sqrt(np.array([Fraction(9, 4)], dtype=object))
array([1.5], dtype=object)
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from typing import Any, Callable, NamedTuple

import numpy as np

__all__ = ["ArrayOps", "ops_for", "NUMPY", "OBJECT", "lift", "scalar_sqrt", "select",
           "is_traced"]


class ArrayOps(NamedTuple):
    """The operations an update rule may call; each takes ``out=`` (honoured or ignored)."""

    name: str
    multiply: Callable[..., Any]
    add: Callable[..., Any]
    subtract: Callable[..., Any]
    divide: Callable[..., Any]
    sqrt: Callable[..., Any]
    maximum: Callable[..., Any]
    zeros_like: Callable[[Any], Any]
    full_like: Callable[[Any, Any], Any]
    copy: Callable[[Any], Any]
    where: Callable[[Any, Any, Any], Any]
    in_place: bool
    lift: Callable[[Any, Any], Any] = lambda value, like: value
    fma: Callable[[Any, Any, Any], Any] = lambda a, b, c: a * b + c


def _object_sqrt(values: Any, out: Any = None) -> Any:
    values = np.asarray(values, dtype=object)
    result = np.empty(values.shape, dtype=object) if out is None else out
    flat = result.reshape(-1)
    for index, value in enumerate(values.reshape(-1)):
        half = (value * 0 + 1) / 2          # 1/2 in the element's own number type
        flat[index] = value ** half
    return result


def _object_lift(value: Any, like: Any) -> Any:
    """``value`` (a Python number) in the number type of the elements of ``like``.

    An element type may convert numbers itself (a ``lift`` method); ``fractions.Fraction``
    takes a float exactly; any other type gets ``element * 0 + value`` (its own arithmetic).
    """
    flat = np.asarray(like, dtype=object).reshape(-1)
    if not flat.size:
        return value
    first = flat[0]
    if hasattr(first, "lift"):
        return first.lift(value)
    if isinstance(first, Fraction):
        return Fraction(value)
    return first * 0 + value


def _object_zeros_like(values: Any) -> Any:
    values = np.asarray(values, dtype=object)
    result = np.empty(values.shape, dtype=object)
    flat, source = result.reshape(-1), values.reshape(-1)
    for index, value in enumerate(source):
        flat[index] = value * 0
    return result


def _object_full_like(values: Any, fill: Any) -> Any:
    result = _object_zeros_like(values)
    result += fill
    return result


_SPLIT = 134217729.0          # 2**27 + 1: Veltkamp's splitting constant for float64


def _split(a: Any) -> tuple[Any, Any]:
    scaled = _SPLIT * a
    high = scaled - (scaled - a)
    return high, a - high


def _numpy_fma(a: Any, b: Any, c: Any) -> Any:
    """``a * b + c`` with one rounding, as a fused multiply-add (NumPy has none).

    The product is split exactly into ``p + e`` (Dekker's TwoProduct with Veltkamp's
    splitting), ``p + c`` into ``s + r`` (Knuth's TwoSum); the result ``s + (r + e)`` is
    the correctly rounded ``a * b + c`` except in rare double-rounding ties, and exact
    where overflow does not intervene. Frameworks compiled with FMA (PyTorch's CPU kernels
    for ``lerp`` and ``addcmul``; XLA on CPU) round this way, so a rule that models their
    rounding needs it.

    >>> float(_numpy_fma(np.float64(0.1), np.float64(10.0), np.float64(-1.0)))
    5.551115123125783e-17
    """
    a, b, c = (np.asarray(x, dtype=np.float64) for x in (a, b, c))
    with np.errstate(over="ignore", invalid="ignore"):
        product = a * b
        a_high, a_low = _split(a)
        b_high, b_low = _split(b)
        error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
        total = product + c
        virtual = total - product
        rounding = (product - (total - virtual)) + (c - virtual)
        result = total + (rounding + error)
    # where the splitting overflowed (huge operands), the plain expression is all there is
    return np.where(np.isfinite(result), result, a * b + c)


NUMPY = ArrayOps("numpy", np.multiply, np.add, np.subtract, np.divide, np.sqrt, np.maximum,
                 lambda a: np.zeros(np.shape(a), dtype=np.float64),
                 lambda a, fill: np.full(np.shape(a), fill, dtype=np.float64),
                 lambda a: np.array(a, dtype=np.float64), np.where, True,
                 lambda value, like: value, _numpy_fma)

OBJECT = ArrayOps("object", np.multiply, np.add, np.subtract, np.divide, _object_sqrt,
                  np.maximum, _object_zeros_like, _object_full_like,
                  lambda a: np.array(a, dtype=object), np.where, True, _object_lift)


def _functional(op: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        return op(*args)
    return call


def _jax_ops() -> ArrayOps:
    import jax.numpy as jnp  # only reached when a JAX array arrived, so JAX is installed

    return ArrayOps("jax", _functional(jnp.multiply), _functional(jnp.add),
                    _functional(jnp.subtract), _functional(jnp.divide), _functional(jnp.sqrt),
                    _functional(jnp.maximum), jnp.zeros_like,
                    lambda a, fill: jnp.full_like(a, fill), jnp.array, jnp.where, False)


_JAX: list[ArrayOps] = []


def _is_jax(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith("jax") or module.startswith("jaxlib")


def ops_for(array: Any) -> ArrayOps:
    """The :class:`ArrayOps` for ``array``: NumPy float, NumPy object, or JAX.

    Examples
    --------
    >>> ops_for(np.ones(3)) is NUMPY
    True
    """
    if isinstance(array, np.ndarray):
        return OBJECT if array.dtype == object else NUMPY
    if _is_jax(array):
        if not _JAX:
            _JAX.append(_jax_ops())
        return _JAX[0]
    return NUMPY


def is_traced(value: Any) -> bool:
    """Is ``value`` a JAX array or tracer (rather than a Python or NumPy number)?"""
    return _is_jax(value)


def lift(value: Any, like: Any) -> Any:
    """A hyper-parameter ``value`` in the arithmetic of the array ``like``.

    NumPy and JAX keep the Python number (float64 arithmetic, as before). Object arrays get it
    in their elements' own number type, so that scalar expressions of a rule (a bias
    correction :math:`1 - \\beta^t`, a step size) are computed in that arithmetic, exactly for
    exact numbers, instead of being rounded to float64 first.

    >>> lift(0.5, np.zeros(2))
    0.5
    >>> lift(0.1, np.array([Fraction(1)], dtype=object)) == Fraction(0.1)
    True
    """
    return ops_for(like).lift(value, like)


def scalar_sqrt(value: Any) -> Any:
    """Square root of a scalar: ``math.sqrt`` for floats, the element's own power otherwise.

    >>> scalar_sqrt(2.25)
    1.5
    """
    if isinstance(value, (float, int)):
        return math.sqrt(value)
    if _is_jax(value):
        return sys.modules["jax.numpy"].sqrt(value)
    return value ** ((value * 0 + 1) / 2)


def select(condition: Any, if_true: Any, if_false: Any) -> Any:
    """``if_true if condition else if_false`` for Python conditions, ``where`` for traced ones.

    >>> select(3 > 2, "yes", "no")
    'yes'
    """
    if _is_jax(condition):
        return sys.modules["jax.numpy"].where(condition, if_true, if_false)
    return if_true if condition else if_false
