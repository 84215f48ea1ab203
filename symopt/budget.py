"""Time budgets for symbolic steps: SymPy can hang, symopt never does.

A :class:`Budget` is a deadline shared by the stages of one analysis.  Each bounded
step runs through :func:`Budget.run`, which interrupts it when the deadline passes
(with ``SIGALRM`` in the main thread on POSIX; elsewhere with a worker thread whose
result is abandoned) and raises :class:`~symopt.errors.BudgetExceeded`.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from .errors import BudgetExceeded

T = TypeVar("T")

_CAN_ALARM = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")


class Budget:
    """A deadline ``seconds`` from now (``None`` or ``inf``: no deadline)."""

    def __init__(self, seconds: float | None):
        if seconds is not None and not (isinstance(seconds, (int, float)) and seconds > 0):
            raise ValueError(f"timeout must be a positive number of seconds, got {seconds!r}")
        self.seconds = math.inf if seconds is None else float(seconds)
        self.start = time.perf_counter()

    @property
    def remaining(self) -> float:
        return self.seconds - (time.perf_counter() - self.start)

    @property
    def expired(self) -> bool:
        return self.remaining <= 0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def run(self, fn: Callable[[], T], fraction: float = 1.0, what: str = "symbolic step") -> T:
        """Run ``fn()`` with at most ``fraction`` of the remaining time.

        Raises BudgetExceeded if it does not finish in time.
        """
        limit = self.remaining * fraction if math.isfinite(self.remaining) else math.inf
        if limit <= 0:
            raise BudgetExceeded(f"{what}: no time left in the budget of {self.seconds:g} s")
        return run_bounded(fn, limit, what)


@contextmanager
def _alarm(seconds: float, what: str) -> Iterator[None]:
    def handler(signum, frame):  # pragma: no cover - timing dependent
        raise BudgetExceeded(f"{what} did not finish within {seconds:.3g} s")

    previous_handler = signal.signal(signal.SIGALRM, handler)
    previous_timer = signal.getitimer(signal.ITIMER_REAL)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    started = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        # an outer alarm (nested budget) keeps running with what is left of it
        if previous_timer[0] > 0:
            left = previous_timer[0] - (time.perf_counter() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


def run_bounded(fn: Callable[[], T], seconds: float, what: str = "symbolic step") -> T:
    """Call ``fn()``; raise BudgetExceeded if it takes longer than ``seconds``."""
    if not math.isfinite(seconds):
        return fn()
    if _CAN_ALARM and threading.current_thread() is threading.main_thread():
        outer = signal.getitimer(signal.ITIMER_REAL)[0]
        if outer > 0:
            seconds = min(seconds, outer)
        with _alarm(seconds, what):
            return fn()
    # Not in the main thread: run in a daemon worker and stop waiting at the deadline.
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise BudgetExceeded(f"{what} did not finish within {seconds:.3g} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
