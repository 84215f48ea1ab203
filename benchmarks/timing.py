"""Timing helpers shared by the benchmarks: best-of-n, interleaved pairs, one timed call.

Ratios printed by the benchmarks compare functions timed in the same run; :func:`interleaved`
calls the two alternately so that both see the same load on a shared machine.
"""

from __future__ import annotations

import time
from typing import Any, Callable

__all__ = ["best_of", "interleaved", "timed"]


def best_of(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best wall time over ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        begin = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - begin)
    return best, result


def interleaved(first: Callable[[], Any], second: Callable[[], Any], repeats: int
                ) -> tuple[tuple[float, Any], tuple[float, Any]]:
    """Best times of two functions called alternately, so both see the same machine load."""
    best = [float("inf"), float("inf")]
    results: list[Any] = [None, None]
    for _ in range(repeats):
        for index, function in enumerate((first, second)):
            begin = time.perf_counter()
            results[index] = function()
            best[index] = min(best[index], time.perf_counter() - begin)
    return (best[0], results[0]), (best[1], results[1])


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call, and its result."""
    begin = time.perf_counter()
    result = function()
    return time.perf_counter() - begin, result
