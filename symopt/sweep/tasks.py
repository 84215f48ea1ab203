"""The units of work of a sweep: an exact analysis per loss, a run per chunk of starts.

Task records are frozen, pickle by value and carry their key: a SHA-256 of the loss, the
optimizer with its hyper-parameters, the chunk of starts, the run settings and the symopt
version. :func:`run_chunk` and :func:`analyse` are what an executor calls; they return
pyarrow tables and :class:`~symopt.sweep.landmarks.Landmarks`, and never touch the disk.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from .grid import OptimizerConfig, digest
from .landmarks import Landmarks, nearest

__all__ = ["Starts", "AnalysisTask", "RunTask", "RunSettings", "analyse", "run_chunk",
           "OUTPUT_COLUMNS", "RESULT_COLUMNS"]

#: The run's output columns, after ``loss``, ``optimizer`` and the hyper-parameter columns.
OUTPUT_COLUMNS = ("start", "x0", "x", "final_loss", "grad_norm", "status", "converged_step",
                  "steps_run", "basin", "nearest", "nearest_kind", "distance", "analysis",
                  "analysis_note")
#: Every column of a sweep's table that is not a hyper-parameter.
RESULT_COLUMNS = frozenset({"loss", "optimizer", *OUTPUT_COLUMNS, "path"})


@dataclass(frozen=True)
class Starts:
    """A chunk of starts: given rows, or uniform draws regenerated from the seed.

    For drawn starts, ``rows`` is None and the chunk is rows ``first .. first + size`` of
    ``low + (high - low) * default_rng(seed).random((count, n))``, produced without drawing
    the rows before it (PCG64's ``advance``; one 64-bit output per coordinate).
    """

    first: int
    size: int
    rows: np.ndarray | None = None
    seed: int | None = None
    bounds: np.ndarray | None = None

    def array(self) -> np.ndarray:
        if self.rows is not None:
            return self.rows
        n = len(self.bounds)
        generator = np.random.PCG64(self.seed)
        generator.advance(self.first * n)
        unit = np.random.Generator(generator).random((self.size, n))
        return self.bounds[:, 0] + (self.bounds[:, 1] - self.bounds[:, 0]) * unit


@dataclass(frozen=True)
class RunSettings:
    """How each run goes: steps, convergence tolerance, basin tolerance, trajectory records."""

    steps: int
    tol: float | None
    basin_tolerance: float
    trajectories: int | None

    def identity(self) -> str:
        return repr((self.steps, self.tol, self.basin_tolerance, self.trajectories))


@dataclass(frozen=True)
class AnalysisTask:
    """The exact critical points of one loss, under a hard budget."""

    index: int
    key: str
    loss: Any
    label: str
    budget: float | None


@dataclass(frozen=True)
class RunTask:
    """One optimizer configuration from one chunk of starts on one loss."""

    index: int
    key: str
    loss: Any
    loss_key: str
    loss_label: str
    config: OptimizerConfig
    columns: tuple[tuple[str, str, Any], ...]      # (name, "float" | "string", value)
    starts: Starts
    settings: RunSettings
    landmarks: Landmarks | None = None             # set once the loss's analysis is known


def analysis_key(loss_key: str, budget: float | None, version: str) -> str:
    return digest("analysis", loss_key, repr(budget), version)


def run_key(loss_key: str, config: OptimizerConfig, chunk: np.ndarray, settings: RunSettings,
            analysis: str, version: str) -> str:
    return digest("run", loss_key, config.identity, np.ascontiguousarray(chunk, "<f8").tobytes(),
                  chunk.shape, settings.identity(), analysis, version)


# ----------------------------------------------------------------------------- work

#: Seconds a hard-budgeted analysis may take beyond its budget (the child's start-up, its
#: imports and the answer) before its process is killed.
GRACE_SECONDS = 5.0


def landmarks_of(loss: Any, budget: float) -> Landmarks:
    """``critical_points(loss, timeout=budget)`` as Landmarks (what a child process runs)."""
    from ..critical import critical_points
    from .landmarks import from_critical_set
    return from_critical_set(critical_points(loss, timeout=budget))


def analyse(task: AnalysisTask) -> Landmarks:
    """The landmarks of the task's loss, found in a child process killed at the budget.

    The analysis runs in a child process (:func:`symopt.isolate.run_bounded`, which works
    inside Dask's worker processes too), so a step that ignores symopt's own budget still
    ends: the child is killed ``GRACE_SECONDS`` after the budget and the status is
    ``"timeout"``. The child is kept for the next analysis in the same process (SymPy is
    imported once per worker, not once per loss); a killed child is replaced. A budget of None skips the analysis (status ``"skipped"``).
    """
    if task.budget is None:
        return Landmarks("skipped", (), "no exact analysis was asked for (analysis_budget=None)")
    from ..errors import BudgetExceeded, MemoryBudgetExceeded
    from ..isolate import run_bounded
    try:
        return run_bounded(landmarks_of, task.loss, task.budget,
                           timeout=task.budget + GRACE_SECONDS, what="the exact analysis",
                           reuse=True)
    except MemoryBudgetExceeded as error:
        return Landmarks("failed", (), str(error))
    except BudgetExceeded as error:
        return Landmarks("timeout", (), str(error))
    except Exception as error:  # noqa: BLE001 - one loss's failure is that loss's status
        return Landmarks("failed", (), f"{type(error).__name__}: {error}")


_COMPILED: "OrderedDict[str, Any]" = OrderedDict()


def _compiled(key: str, loss: Any) -> Any:
    """The NumericLoss of ``loss``, compiled once per process (the last few are kept)."""
    if key in _COMPILED:
        _COMPILED.move_to_end(key)
        return _COMPILED[key]
    from ..numeric import compile as compile_loss
    _COMPILED[key] = compile_loss(loss)
    while len(_COMPILED) > 8:
        _COMPILED.popitem(last=False)
    return _COMPILED[key]


def _lists(values: np.ndarray, dtype: Any) -> Any:
    """A pyarrow list array with one list per row of the 2-D ``values``."""
    import pyarrow as pa
    rows, width = values.shape
    offsets = pa.array(np.arange(0, rows * width + 1, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(values.reshape(-1), type=dtype))


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: Kept in the heap during a run: the arrays of a chunk of starts, freed and made every step.
_ROOMY_MMAP, _ROOMY_TRIM = 32 * 2**20, 256 * 2**20
_malloc_lock = threading.Lock()
_malloc_users = 0


def _fixed_malloc() -> Any:
    """glibc's mallopt and malloc_trim when this process's malloc thresholds were fixed by
    the environment (Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` in its workers), else None."""
    if not sys.platform.startswith("linux") or not any(
            name in os.environ for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")):
        return None
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:  # pragma: no cover - not glibc
        return None


def _threshold(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@contextmanager
def roomy_malloc() -> Iterator[None]:
    """Keep a run's arrays in the heap, then give memory back as the environment asked.

    A run makes and frees arrays of its chunk's size at every step. With fixed malloc
    thresholds (``MALLOC_TRIM_THRESHOLD_``, which Dask's nanny sets so that workers return
    memory to the system), each such array is mapped from and returned to the kernel, and a
    run takes about 1.6 times as long as in a process with glibc's default (adaptive)
    thresholds. During a run the thresholds are raised; after the last run in the process
    they are set back and the heap is trimmed. Nothing changes where the thresholds were not
    fixed (glibc adapts them) or off glibc.
    """
    global _malloc_users
    libc = _fixed_malloc()
    if libc is None:
        yield
        return
    with _malloc_lock:
        _malloc_users += 1
        if _malloc_users == 1:
            libc.mallopt(_M_MMAP_THRESHOLD, _ROOMY_MMAP)
            libc.mallopt(_M_TRIM_THRESHOLD, _ROOMY_TRIM)
    try:
        yield
    finally:
        with _malloc_lock:
            _malloc_users -= 1
            if _malloc_users == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _threshold("MALLOC_MMAP_THRESHOLD_", 128 * 1024))
                libc.mallopt(_M_TRIM_THRESHOLD, _threshold("MALLOC_TRIM_THRESHOLD_", 128 * 1024))
                libc.malloc_trim(0)


def run_chunk(task: RunTask) -> Any:
    """Run the task's optimizer from its chunk of starts; one table row per start."""
    import pyarrow as pa

    from ..runner import run
    settings = task.settings
    landmarks = task.landmarks or Landmarks("skipped", (), "")
    starts = task.starts.array()
    f = _compiled(task.loss_key, task.loss)
    record = settings.trajectories or settings.steps
    with roomy_malloc():
        trajectory = run(f, task.config.build(), starts, steps=settings.steps,
                         tol=settings.tol, record_every=record)
    x = np.asarray(trajectory.x, dtype=float)
    status = np.asarray(trajectory.status).astype(str)
    steps_run = np.asarray(trajectory.nit, dtype=np.int64)
    near = nearest(x, status, landmarks, task.loss.params, settings.basin_tolerance)
    size = len(starts)
    columns: dict[str, Any] = {
        "loss": pa.array([task.loss_label] * size, pa.string()),
        "optimizer": pa.array([task.config.name] * size, pa.string()),
    }
    for name, kind, value in task.columns:
        columns[name] = pa.array([value] * size, pa.float64() if kind == "float" else pa.string())
    columns.update({
        "start": pa.array(np.arange(task.starts.first, task.starts.first + size), pa.int64()),
        "x0": _lists(starts, pa.float64()),
        "x": _lists(x, pa.float64()),
        "final_loss": pa.array(np.asarray(trajectory.fun, dtype=float), pa.float64()),
        "grad_norm": pa.array(np.asarray(trajectory.grad_norm, dtype=float), pa.float64()),
        "status": pa.array(status, pa.string()),
        "converged_step": pa.array(steps_run, pa.int64(), mask=status != "converged"),
        "steps_run": pa.array(steps_run, pa.int64()),
        "basin": pa.array(near["basin"], pa.string()),
        "nearest": pa.array(near["nearest"], pa.string()),
        "nearest_kind": pa.array(near["nearest_kind"], pa.string()),
        "distance": pa.array(near["distance"], pa.float64(), from_pandas=True),
        "analysis": pa.array([landmarks.status] * size, pa.string()),
        "analysis_note": pa.array([landmarks.note or None] * size, pa.string()),
    })
    if settings.trajectories:
        path = np.asarray(trajectory.path, dtype=np.float32)           # (records, size, n)
        records, _, n = path.shape
        inner = _lists(np.swapaxes(path, 0, 1).reshape(size * records, n), pa.float32())
        offsets = pa.array(np.arange(0, size * records + 1, records, dtype=np.int32))
        columns["path"] = pa.ListArray.from_arrays(offsets, inner)
    return pa.table(columns)
