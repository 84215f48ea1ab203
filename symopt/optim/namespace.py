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

Scalars of a rule (the step count, bias corrections) go through :func:`scalar_sqrt` and
:func:`select`, which keep Python numbers as Python numbers and let traced JAX scalars be
traced.

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
from typing import Any, Callable, NamedTuple

import numpy as np

__all__ = ["ArrayOps", "ops_for", "NUMPY", "OBJECT", "scalar_sqrt", "select", "is_traced"]


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


def _object_sqrt(values: Any, out: Any = None) -> Any:
    values = np.asarray(values, dtype=object)
    result = np.empty(values.shape, dtype=object) if out is None else out
    flat = result.reshape(-1)
    for index, value in enumerate(values.reshape(-1)):
        half = (value * 0 + 1) / 2          # 1/2 in the element's own number type
        flat[index] = value ** half
    return result


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


NUMPY = ArrayOps("numpy", np.multiply, np.add, np.subtract, np.divide, np.sqrt, np.maximum,
                 lambda a: np.zeros(np.shape(a), dtype=np.float64),
                 lambda a, fill: np.full(np.shape(a), fill, dtype=np.float64),
                 lambda a: np.array(a, dtype=np.float64), np.where, True)

OBJECT = ArrayOps("object", np.multiply, np.add, np.subtract, np.divide, _object_sqrt,
                  np.maximum, _object_zeros_like, _object_full_like,
                  lambda a: np.array(a, dtype=object), np.where, True)


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
