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
]


def real(name: str, value: Any, hint: str) -> float:
    """Return ``value`` as a finite float, or raise a TypeError/ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number; got {value!r} "
                        f"of type {type(value).__name__}. {hint}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite; got {value!r}. {hint}")
    return number


def positive(name: str, value: Any, hint: str) -> float:
    """A finite number > 0."""
    number = real(name, value, hint)
    if number <= 0:
        raise ValueError(f"{name} must be positive; got {value!r}. {hint}")
    return number


def non_negative(name: str, value: Any, hint: str) -> float:
    """A finite number >= 0."""
    number = real(name, value, hint)
    if number < 0:
        raise ValueError(f"{name} must be >= 0; got {value!r}. {hint}")
    return number


def in_unit_interval(name: str, value: Any, hint: str, *, closed: bool = False) -> float:
    """A number in [0, 1), or in [0, 1] when ``closed``."""
    number = real(name, value, hint)
    upper_ok = number <= 1 if closed else number < 1
    if number < 0 or not upper_ok:
        interval = "[0, 1]" if closed else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}; got {value!r}. {hint}")
    return number


def positive_int(name: str, value: Any, hint: str) -> int:
    """An integer >= 1 (bool is not accepted)."""
    number = non_negative_int(name, value, hint)
    if number < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}. {hint}")
    return number


def non_negative_int(name: str, value: Any, hint: str) -> int:
    """An integer >= 0 (bool is not accepted)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} "
                        f"of type {type(value).__name__}. {hint}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {value!r}. {hint}")
    return int(value)


def flag(name: str, value: Any) -> bool:
    """A bool (numpy bools accepted)."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)
