"""Helpers shared by the transform modules: zero state, 0/0 division, markers for chain and run."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .base import GradientTransformation, Params

__all__ = ["EmptyState", "multiply", "divide", "sqrt", "maximum", "zeros", "no_state",
           "transformation", "divide_zero_by_zero_is_zero"]


class EmptyState(NamedTuple):
    """State of a transform that keeps none."""


multiply = np.multiply
divide = np.divide
sqrt = np.sqrt
maximum = np.maximum


def zeros(params: Params) -> np.ndarray:
    """Float64 zeros shaped like ``params``."""
    return np.zeros(np.shape(params), dtype=np.float64)


def no_state(params: Params) -> EmptyState:
    """``init`` of a transform without state."""
    return EmptyState()


def transformation(init: Any, update: Any, *, accepts_factor: bool = False,
                   next_factor: Any = None, fresh_output: bool = True) -> GradientTransformation:
    """Mark ``update`` for chain() and run(), and pair it with ``init``.

    ``donates_state``: takes ``donate``. ``fresh_output``: the updates it returns are a new
    array that its state does not reference, so the caller may overwrite them.
    ``accepts_factor``: takes a scalar ``factor`` its output is multiplied by.
    ``next_factor``: it is a learning-rate scaling whose factor chain() can hand on.
    """
    update.donates_state = True
    update.fresh_output = fresh_output
    if accepts_factor:
        update.accepts_factor = True
    if next_factor is not None:
        update.next_factor = next_factor
    return GradientTransformation(init, update)


def divide_zero_by_zero_is_zero(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` as a new array, with 0 wherever the denominator is 0."""
    result = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=result, where=denominator != 0)
    return result
