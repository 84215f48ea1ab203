"""Helpers shared by the transform modules: zero state, 0/0 division, declared hints."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from .base import GradientTransformation, Hints, Params
from .namespace import ops_for

__all__ = ["EmptyState", "zeros", "no_state", "transformation", "divide_zero_by_zero_is_zero"]


class EmptyState(NamedTuple):
    """State of a transform that keeps none."""


def zeros(params: Params) -> Any:
    """Zeros shaped like ``params``, in its namespace (float64 for NumPy)."""
    return ops_for(params).zeros_like(params)


def no_state(params: Params) -> EmptyState:
    """``init`` of a transform without state."""
    return EmptyState()


def transformation(init: Callable[..., Any], update: Callable[..., Any], *,
                   accepts_factor: bool = False, next_factor: Any = None,
                   fresh_output: bool = True, donates_state: bool = True
                   ) -> GradientTransformation:
    """Pair ``init`` with ``update`` and declare its :class:`~symopt.optim.base.Hints`."""
    return GradientTransformation(init, update, Hints(donates_state=donates_state,
                                                      fresh_output=fresh_output,
                                                      accepts_factor=accepts_factor,
                                                      next_factor=next_factor))


def divide_zero_by_zero_is_zero(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` as a new array, with 0 wherever the denominator is 0."""
    ops = ops_for(numerator)
    nonzero = denominator != 0
    if ops.name == "numpy":
        result = ops.zeros_like(numerator)
        ops.divide(numerator, denominator, out=result, where=nonzero)
        return result
    safe = ops.where(nonzero, denominator, ops.full_like(denominator, 1))
    return ops.where(nonzero, ops.divide(numerator, safe), ops.zeros_like(numerator))
