"""Deprecated: the old home of escape measurement, second-order optimizers and basins.

Use :mod:`symopt.escaping` (``so.escape``), :mod:`symopt.optim.second_order` and
:mod:`symopt.attraction` (``so.basins``).  This module stays for one release.
"""

from __future__ import annotations

import warnings
from typing import Any

from .attraction import BasinReport, basins
from .escaping import EscapeReport, escape, growth_factor
from .optim import second_order as _second_order
from .optim.base import GradientTransformation

warnings.warn("symopt.saddles is deprecated; use symopt.escaping, symopt.attraction and "
              "symopt.optim.second_order", DeprecationWarning, stacklevel=2)

__all__ = ["EscapeReport", "escape", "growth_factor", "negative_curvature_descent",
           "perturbed_gd", "saddle_free_newton", "BasinReport", "basins"]


def negative_curvature_descent(f: Any, lr: float, **options: Any) -> GradientTransformation:
    """Old signature (a compiled loss ``f``): see :func:`symopt.optim.second_order.negative_curvature_descent`."""
    return _second_order.negative_curvature_descent(f.hess, f.value, lr, **options)


def perturbed_gd(lr: float, *, f: Any = None, **options: Any) -> GradientTransformation:
    """Old signature (``f=`` a compiled loss): see :func:`symopt.optim.second_order.perturbed_gd`."""
    return _second_order.perturbed_gd(lr, value=None if f is None else f.value, **options)


def saddle_free_newton(f: Any, lr: float = 1.0, **options: Any) -> GradientTransformation:
    """Old signature (a compiled loss ``f``): see :func:`symopt.optim.second_order.saddle_free_newton`."""
    return _second_order.saddle_free_newton(f.hess, lr, **options)
