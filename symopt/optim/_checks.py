"""Validation of hyper-parameters: one place for the messages that say what to pass instead."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

__all__ = [
    "real",
    "positive",
    "non_negative",
    "in_unit_interval",
    "positive_int",
    "non_negative_int",
    "flag",
    "count",
    "threshold",
]


def _wrong_type(name: str, value: Any, wanted: str, hint: str) -> TypeError:
    return TypeError(f"{name} must be {wanted}; got {value!r} "
                     f"of type {type(value).__name__}. {hint}")


def _out_of_range(name: str, value: Any, wanted: str, hint: str) -> ValueError:
    return ValueError(f"{name} must be {wanted}; got {value!r}. {hint}")


def _typed(name: str, value: Any, kind: type, wanted: str, hint: str) -> Any:
    """``value`` if it is an instance of ``kind`` (never a bool), else the TypeError."""
    if isinstance(value, bool) or not isinstance(value, kind):
        raise _wrong_type(name, value, wanted, hint)
    return value


def real(name: str, value: Any, hint: str) -> float:
    """Return ``value`` as a finite float, or raise a TypeError/ValueError naming ``name``."""
    number = float(_typed(name, value, Real, "a real number", hint))
    if not math.isfinite(number):
        raise _out_of_range(name, value, "finite", hint)
    return number


def positive(name: str, value: Any, hint: str) -> float:
    """A finite number > 0."""
    number = real(name, value, hint)
    if number <= 0:
        raise _out_of_range(name, value, "positive", hint)
    return number


def non_negative(name: str, value: Any, hint: str) -> float:
    """A finite number >= 0."""
    number = real(name, value, hint)
    if number < 0:
        raise _out_of_range(name, value, ">= 0", hint)
    return number


def in_unit_interval(name: str, value: Any, hint: str, *, closed: bool = False) -> float:
    """A number in [0, 1), or in [0, 1] when ``closed``."""
    number = real(name, value, hint)
    upper_ok = number <= 1 if closed else number < 1
    if number < 0 or not upper_ok:
        raise _out_of_range(name, value, "in [0, 1]" if closed else "in [0, 1)", hint)
    return number


def positive_int(name: str, value: Any, hint: str) -> int:
    """An integer >= 1 (bool is not accepted)."""
    number = non_negative_int(name, value, hint)
    if number < 1:
        raise _out_of_range(name, value, "a positive integer", hint)
    return number


def non_negative_int(name: str, value: Any, hint: str) -> int:
    """An integer >= 0 (bool is not accepted)."""
    if _typed(name, value, Integral, "an integer", hint) < 0:
        raise _out_of_range(name, value, ">= 0", hint)
    return int(value)


def flag(name: str, value: Any) -> bool:
    """A bool (numpy bools accepted)."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def count(name: str, value: Any, hint: str) -> int:
    """A count such as a number of steps: an integer >= 1 (bool is not accepted)."""
    if _typed(name, value, Integral, "a positive int", hint) < 1:
        raise _out_of_range(name, value, "a positive int", hint)
    return int(value)


def threshold(name: str, value: Any, hint: str, *, zero_ok: bool) -> float:
    """A threshold such as a tolerance: > 0, or >= 0 when ``zero_ok``; not NaN, may be infinite."""
    number = _typed(name, value, Real, "a number", hint)
    if math.isnan(number) or number < 0 or (number == 0 and not zero_ok):
        raise _out_of_range(name, value, ">= 0" if zero_ok else "> 0", hint)
    return float(number)
