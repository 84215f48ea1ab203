"""Time budgets for symbolic steps: SymPy can hang, symopt never does.

A :class:`Budget` is a deadline shared by the stages of one analysis.  Each bounded step
runs through :meth:`Budget.run`, which interrupts it when the deadline passes and raises
:class:`~symopt.errors.BudgetExceeded`.

Two mechanisms, chosen by where the call runs:

* In the main thread on Linux and macOS, ``SIGALRM`` interrupts the step between two
  Python bytecodes (:func:`bounded_call`), with a BaseException that ``except Exception``
  in the step cannot swallow, turned into BudgetExceeded where the step began.  An import
  in progress is not interrupted (it would be left half done).  After the deadline the
  alarm repeats every 50 ms until the step has ended, so an interruption that lands where
  Python swallows exceptions (a garbage-collection callback, a ``__del__`` method) is
  raised again; those swallowed interruptions are not reported through
  ``sys.unraisablehook`` meanwhile.
* Anywhere else (other threads, Windows) a step cannot be interrupted from inside the
  process.  Steps then run to their end and the budget is checked between them; work
  that must be bounded there runs whole in a child process that is killed at the
  deadline: :func:`run_bounded` (see :mod:`symopt.isolate`).

Any timeout is accepted, ``inf`` and ``1e308`` included: the alarm is set in slices of at
most a day, and re-armed until the real deadline.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, TypeVar

from .errors import BudgetExceeded, MemoryBudgetExceeded
from .isolate import DEFAULT_MEMORY_MB, check_timeout, run_bounded

__all__ = [
    "Budget",
    "BudgetExceeded",
    "MemoryBudgetExceeded",
    "DEFAULT_MEMORY_MB",
    "bounded_call",
    "can_interrupt",
    "check_timeout",
    "run_bounded",
]

T = TypeVar("T")

_CAN_ALARM = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
#: Longest single alarm; longer budgets re-arm it (setitimer overflows near 1e10 s).
_ALARM_SLICE = 86_400.0
#: After the deadline the alarm repeats this often until the step has ended.
_REPEAT = 0.05


def can_interrupt() -> bool:
    """Whether a step running in this thread can be interrupted in place (SIGALRM).

    True in the main thread on POSIX; False in other threads and on Windows, where
    bounded work must run in a child process (:func:`run_bounded`).
    """
    return _CAN_ALARM and threading.current_thread() is threading.main_thread()


class Budget:
    """A deadline ``seconds`` from now (``None`` or ``inf``: no deadline).

    Examples
    --------
    >>> budget = Budget(10)
    >>> budget.run(lambda: 6 * 7, fraction=0.5, what="arithmetic")
    42
    >>> Budget(float("inf")).remaining
    inf
    """

    def __init__(self, seconds: float | None):
        self.seconds = check_timeout(seconds)
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

        Raises BudgetExceeded if no time is left, or if ``fn`` does not finish in time
        where steps can be interrupted (:func:`can_interrupt`).
        """
        remaining = self.remaining
        limit = remaining * fraction if math.isfinite(remaining) else math.inf
        if limit <= 0:
            raise BudgetExceeded(f"{what}: no time left in the budget of {self.seconds:g} s")
        return bounded_call(fn, limit, what)


# -- the alarm: a stack of deadlines in the main thread ---------------------------------
@dataclass(eq=False)
class _Frame:
    deadline: float
    seconds: float
    what: str


_frames: list[_Frame] = []
_saved: dict[str, Any] = {}


def _arm() -> None:
    """Set the timer for the earliest deadline on the stack (in slices of a day at most)."""
    earliest = min(frame.deadline for frame in _frames)
    left = earliest - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, min(max(left, 1e-3), _ALARM_SLICE), _REPEAT)


class _Interrupted(BaseException):
    """Raised by the alarm inside a step; turned into BudgetExceeded where the step began.

    A BaseException, like KeyboardInterrupt, so that ``except Exception`` in the step's
    code (SymPy has many) does not swallow it.
    """


def _importing(frame: Any) -> bool:
    """Whether ``frame`` runs inside an import (interrupting one would leave it half done)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _on_alarm(signum: int, frame: Any) -> None:  # pragma: no cover - timing dependent
    if not _frames:
        return
    now = time.monotonic()
    late = [f for f in _frames if f.deadline <= now]
    if not late:
        _arm()  # a slice of a long budget ended: set the next one
        return
    if _importing(frame):
        return  # the alarm repeats; the step is stopped once the import is done
    raise _Interrupted()


def _expired_message() -> str:
    now = time.monotonic()
    late = [f for f in _frames if f.deadline <= now] or _frames
    first = min(late, key=lambda f: f.deadline)
    return f"{first.what} did not finish within {first.seconds:.3g} s"


def _quiet_unraisable(unraisable: Any) -> None:
    """While a budget runs: drop our own swallowed interruptions (the alarm repeats), and
    report any other unraisable exception with the alarm held back meanwhile."""
    if isinstance(unraisable.exc_value, _Interrupted) and _frames:
        return
    previous = _saved.get("unraisablehook", sys.__unraisablehook__)
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        previous(unraisable)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _enter(frame: _Frame) -> None:
    if not _frames:
        if hasattr(signal, "pthread_sigmask"):
            _saved["unraisablehook"] = sys.unraisablehook
            sys.unraisablehook = _quiet_unraisable
        _saved["handler"] = signal.signal(signal.SIGALRM, _on_alarm)
        _saved["timer"] = signal.getitimer(signal.ITIMER_REAL)
        _saved["since"] = time.monotonic()
    _frames.append(frame)
    _arm()


def _leave(frame: _Frame) -> None:
    # An alarm may land in the middle of this clean-up; whatever it raises is dropped and
    # the clean-up done again (an outer deadline that passed fires again right after).
    while True:
        try:
            if frame in _frames:
                _frames.remove(frame)
            if _frames:
                _arm()
                return
            signal.setitimer(signal.ITIMER_REAL, 0)
            if "handler" in _saved:
                signal.signal(signal.SIGALRM, _saved.pop("handler"))
            if "unraisablehook" in _saved:
                sys.unraisablehook = _saved.pop("unraisablehook")
            timer = _saved.pop("timer", (0.0, 0.0))
            if timer[0] > 0:  # someone else's alarm keeps running with what is left of it
                left = timer[0] - (time.monotonic() - _saved.get("since", 0.0))
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), timer[1])
            return
        except _Interrupted:
            continue


@contextmanager
def _alarm(seconds: float, what: str) -> Iterator[None]:
    frame = _Frame(time.monotonic() + seconds, seconds, what)
    _enter(frame)
    try:
        yield
    finally:
        _leave(frame)


def bounded_call(fn: Callable[[], T], seconds: float | None, what: str = "symbolic step") -> T:
    """Call ``fn()`` in this process; raise BudgetExceeded if it takes longer than ``seconds``.

    In the main thread on POSIX the call is interrupted at the deadline.  Elsewhere it
    cannot be: it runs to its end, and BudgetExceeded is raised only if no time was
    given at all.  Use :func:`run_bounded` for a hard limit from any thread.

    Examples
    --------
    >>> bounded_call(lambda: sum(range(10)), 5.0)
    45
    """
    seconds = check_timeout(seconds)
    if not math.isfinite(seconds) or not can_interrupt():
        return fn()
    try:
        with _alarm(seconds, what):
            try:
                return fn()
            except _Interrupted:
                # named after the deadline that passed: this step's, or an outer one's
                raise BudgetExceeded(_expired_message()) from None
    except _Interrupted:  # landed while the alarm was being taken down
        raise BudgetExceeded(f"{what} did not finish within {seconds:.3g} s") from None
