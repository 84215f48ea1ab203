"""A loss's data: validated float columns in a frozen Dataset, and the one rule for exactness.

Data are checked here, before any symbolic work, in time linear in the number of values:

* A column is one-dimensional. Numbers (Python or NumPy, ``Fraction``, ``Decimal``) and
  strings are accepted; a string is read as a float (``float(text)``), never evaluated.
  Booleans, None and other objects are refused.
* **Policy on non-finite values: refused.** NaN, ``inf``, and anything that overflows to
  them (``"1e99999999"``) is an error naming the column and the row; drop or replace such
  rows first. A string whose decimal exponent lies outside +-:data:`MAX_EXPONENT` is refused
  too (``"1e-999999"`` would underflow to 0 and, read exactly, have a million digits).
* Every error is one line: ``data column 'x', row 3: '1e99999999' is not a finite number
  ...``.

**Exactness rule** (:func:`exact_values`): the data are kept as exact rationals, and a loss
substitutes them sample by sample, only when there are at most :data:`SMALL_DATA` samples and
every value is written exactly (an int, a ``Fraction``, a ``Decimal`` or a decimal string).
Any larger dataset stays float arrays; exact values are then made only on request (when the
exact whole-loss expression or its derivatives are asked for), from each float as written
(its shortest round-trip decimal).

>>> data = read_columns({"x": [1, "2.5"], "y": [0.5, 3]}, ("x", "y"))
>>> data["x"].tolist(), data["x"].flags.writeable
([1.0, 2.5], False)
>>> read_columns({"x": ["1e99999999"]}, ("x",))
Traceback (most recent call last):
...
ValueError: data column 'x', row 0: '1e99999999' is not a finite number (NaN and infinite values are refused); drop or replace that row
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

__all__ = ["Dataset", "SMALL_DATA", "MAX_EXPONENT", "read_columns", "exact_values",
           "exact_number"]

#: At most this many samples, all written exactly, are substituted into the loss expression
#: sample by sample (as the lecture does by hand). The one threshold of the exactness rule.
SMALL_DATA = 12

#: Decimal exponents of data strings beyond +-this are refused (floats reach about 1e308).
MAX_EXPONENT = 400


@dataclass(frozen=True, eq=False)
class Dataset:
    """The data of a loss over samples, and how the per-sample losses combine.

    Attributes
    ----------
    arrays : mapping of str to ndarray
        Each used column as a read-only float64 array of length ``n_samples``.
    columns : tuple of str
        The column names the per-sample loss uses, in order.
    n_samples : int
    reduction : {"mean", "sum"}
    kind : {"mse", "cross_entropy"}
    model : sympy.Expr or sympy.Tuple
        The model's output (a tuple of logits for cross-entropy).
    sample_expr : sympy.Expr
        The loss of one sample, in the parameters and the column symbols.
    target : sympy.Symbol
        The target column's symbol (as given by the user).
    targets : tuple of str
        The columns holding targets (one per class for cross-entropy).
    features : tuple of str
        The feature columns.
    substituted : bool
        The samples were substituted into the loss expression (small exact data).
    exact : mapping of str to tuple, or None
        The exact values of a dataset written exactly (see the module's rule), else None.
    """

    arrays: Mapping[str, np.ndarray]
    columns: tuple[str, ...]
    n_samples: int
    reduction: str
    kind: str
    model: sp.Basic
    sample_expr: sp.Expr
    target: sp.Symbol
    targets: tuple[str, ...]
    features: tuple[str, ...]
    substituted: bool
    exact: Mapping[str, tuple[sp.Rational, ...]] | None

    def symbols(self) -> tuple[sp.Symbol, ...]:
        """The real symbols the columns feed, in column order."""
        return tuple(sp.Symbol(k, real=True) for k in self.columns)

    def exact_columns(self) -> dict[str, tuple[sp.Expr, ...]]:
        """Exact values of every column: the stored ones, or each float as written."""
        if self.exact is not None:
            return dict(self.exact)
        return {k: tuple(exact_number(float(v)) for v in self.arrays[k]) for k in self.columns}


def _refuse(column: str, row: int, value: Any, why: str) -> ValueError:
    return ValueError(f"data column {column!r}, row {row}: {value!r} {why}")


_NOT_FINITE = ("is not a finite number (NaN and infinite values are refused); drop or replace "
               "that row")


def _float_of(column: str, row: int, value: Any) -> float:
    """One value as a float, or the one-line error naming column and row."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise _refuse(column, row, value, "is not a number; use numbers such as 0 and 1")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            raise _refuse(column, row, value, "is not a number; write a decimal such as 2.5"
                          ) from None
        if np.isfinite(number) and number != 0 and not _exponent_ok(text):
            raise _refuse(column, row, value, _EXPONENT)
        if number == 0 and not _exponent_ok(text):
            raise _refuse(column, row, value, _EXPONENT)
    elif isinstance(value, (numbers.Real, Decimal)):
        try:
            number = float(value)
        except OverflowError:
            raise _refuse(column, row, value, _NOT_FINITE) from None
    else:
        raise _refuse(column, row, value, f"of type {type(value).__name__} is not a number")
    if not np.isfinite(number):
        raise _refuse(column, row, value, _NOT_FINITE)
    return number


_EXPONENT = (f"has a decimal exponent beyond +-{MAX_EXPONENT}, outside the float range; "
             "write it within about 1e-308..1e308")


def _exponent_ok(text: str) -> bool:
    try:
        decimal = Decimal(text)
    except InvalidOperation:
        return True                      # float() read it (e.g. 'infinity'); finite test rules
    return not decimal.is_finite() or decimal.is_zero() or abs(decimal.adjusted()) <= MAX_EXPONENT


def _column_array(name: str, values: Any) -> np.ndarray:
    """A float64 array of one column, validated; vectorised for numeric arrays."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        if values.ndim != 1:
            raise ValueError(f"data column {name!r} must be one-dimensional, got shape "
                             f"{values.shape}")
        array = values.astype(np.float64)
        bad = ~np.isfinite(array)
        if bad.any():
            row = int(np.argmax(bad))
            raise _refuse(name, row, values[row].item(), _NOT_FINITE)
        return array
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValueError(f"data column {name!r} must be one-dimensional, got shape "
                         f"{values.shape}")
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ValueError(f"data column {name!r} must be a sequence of numbers, got "
                         f"{type(values).__name__}")
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if items and all(type(v) is float for v in items):
        array = np.array(items, dtype=np.float64)
        bad = ~np.isfinite(array)
        if bad.any():
            row = int(np.argmax(bad))
            raise _refuse(name, row, items[row], _NOT_FINITE)
        return array
    return np.array([_float_of(name, row, v) for row, v in enumerate(items)], dtype=np.float64)


def read_columns(data: Mapping[str, Any], columns: Sequence[str]) -> dict[str, np.ndarray]:
    """Validated read-only float64 arrays of ``columns``; one-line errors naming column, row."""
    arrays = {}
    for name in columns:
        array = _column_array(name, data[name])
        array.setflags(write=False)
        arrays[name] = array
    return arrays


def exact_number(value: Any) -> sp.Rational:
    """An exact rational for one data value: ints, fractions, decimals, floats as written.

    >>> exact_number(0.1), exact_number("2.50"), exact_number(Fraction(1, 3))
    (1/10, 5/2, 1/3)
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"data value {value!r} is a boolean; use numbers such as 0 and 1")
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"data value {value!r} is not finite; remove or replace it")
        # repr gives the shortest decimal that round-trips: the number as written
        return sp.Rational(Fraction(Decimal(repr(float(value)))))
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) > MAX_EXPONENT:
            raise ValueError(f"data value {value!r} is not finite or beyond the float range")
        return sp.Rational(Fraction(value))
    if isinstance(value, str):
        try:
            decimal = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"data value {value!r} is not a number") from None
        return exact_number(decimal)
    if isinstance(value, sp.Basic) and value.is_number:
        return value  # type: ignore[return-value]
    raise TypeError(f"data value {value!r} of type {type(value).__name__} is not a number")


def _written_exactly(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, np.integer, Fraction, sp.Rational, Decimal, str))


def exact_values(data: Mapping[str, Any], columns: Sequence[str], n_samples: int
                 ) -> dict[str, tuple[sp.Rational, ...]] | None:
    """The exact values of the columns when the exactness rule allows it, else None.

    Call after :func:`read_columns` (so every value is known to be a finite number).
    """
    if n_samples > SMALL_DATA:
        return None
    raw = {k: (data[k].tolist() if isinstance(data[k], np.ndarray) else list(data[k]))
           for k in columns}
    if not all(_written_exactly(v) for k in columns for v in raw[k]):
        return None
    return {k: tuple(exact_number(v) for v in raw[k]) for k in columns}
