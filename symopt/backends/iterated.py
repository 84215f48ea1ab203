"""The raw outcome of a run's loop, shared by the NumPy and JAX loops."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Iterated"]


class Iterated(NamedTuple):
    """What a loop hands back to :func:`symopt.run`; arrays over the ``k`` starts.

    Attributes
    ----------
    x : ndarray
        Final points, ``(k, n)``.
    gradient : ndarray
        Full-data gradient at ``x``, ``(k, n)``.
    path : ndarray
        Recorded points, ``(records, k, n)``.
    recorded_steps : ndarray
        Update count of each record, ``(records,)``.
    converged : ndarray of bool
        ``(k,)``.
    stopped_at : ndarray of int
        Updates applied to each start, ``(k,)``.
    diverged_at : ndarray of int
        The update whose result was bad, -1 if none, ``(k,)``.
    """

    x: np.ndarray
    gradient: np.ndarray
    path: np.ndarray
    recorded_steps: np.ndarray
    converged: np.ndarray
    stopped_at: np.ndarray
    diverged_at: np.ndarray
