"""``so.sweep``: every loss x optimizer x hyper-parameters x start, as one tidy table."""

from __future__ import annotations

import math
import sys
from numbers import Integral, Real
from typing import Any, Iterator


from .executors import Backend, announce_dashboard, backend_of
from .grid import OptimizerConfig, configs_of, digest, losses_of, make_starts, _bounds
from .landmarks import Landmarks
from .tasks import (RESULT_COLUMNS, AnalysisTask, RunSettings, RunTask, Starts, analyse,
                    analysis_key, run_chunk, run_key)

__all__ = ["sweep", "DEFAULT_CHUNK_SIZE", "SWEEP_HINT"]

#: Starts per task unless ``chunk_size`` says otherwise.
DEFAULT_CHUNK_SIZE = 10_000
SWEEP_HINT = 'pip install "symopt[sweep]"'
#: Exact analyses per executor task (each still in its own hard budget). Fixed, so that
#: nothing depends on the executor; small, so that a hanging one holds back few others.
ANALYSIS_BATCH = 4
#: Runs share an executor task until it holds this many start-steps, or RUN_BATCH runs.
RUN_BATCH_WORK = 2_000_000
RUN_BATCH = 32


def _extras() -> tuple[Any, Any]:
    try:
        import pandas
        import pyarrow
    except ImportError as error:
        raise ImportError(f"so.sweep needs pandas and pyarrow ({error.name} is missing): "
                          f"{SWEEP_HINT}") from None
    return pandas, pyarrow


def _count(name: str, value: Any, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive whole number; pass e.g. {example}")
    return int(value)


def _positive(name: str, value: Any, example: str, none_ok: bool = False) -> float | None:
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f"{name}={value!r} must be a positive number; pass e.g. {example}")
    return float(value)


def _hyper_columns(configs: list[OptimizerConfig]) -> list[tuple[str, str]]:
    """(name, "float" | "string") of each hyper-parameter column, in order of first use."""
    kinds: dict[str, str] = {}
    for config in configs:
        for name, label in config.labels:
            is_number = isinstance(label, float)
            kinds[name] = "float" if is_number and kinds.get(name, "float") == "float" else "string"
    return list(kinds.items())


def _column_values(config: OptimizerConfig, columns: list[tuple[str, str]]):
    labels = dict(config.labels)
    values = []
    for name, kind in columns:
        value = labels.get(name)
        if value is not None and kind == "string" and not isinstance(value, str):
            value = repr(value)
        values.append((name, kind, value))
    return tuple(values)


def _progress_bar(progress: bool | None, total: int, initial: int) -> Any:
    if progress is None:
        shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
        progress = sys.stderr.isatty() or type(shell).__name__ == "ZMQInteractiveShell"
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(f"progress=True needs tqdm: {SWEEP_HINT}") from None
    return tqdm(total=total, initial=initial, desc="symopt sweep", unit="task")


def sweep(losses: Any, optimizers: Any, *, starts: Any = 1000, box: Any = (-2, 2),
          seed: int = 0, steps: int = 1000, tol: float | None = 1e-6, executor: Any = None,
          out: Any = None, overwrite: bool = False, chunk_size: int = DEFAULT_CHUNK_SIZE,
          trajectories: int | None = None, progress: bool | None = None,
          analysis_budget: float | None = 30.0, basin_tolerance: float = 1e-3) -> Any:
    """Run every optimizer configuration from every start on every loss; one row per run.

    Parameters
    ----------
    losses : str or Loss, or a list of them
        The landscapes, e.g. ``["(1 - w1*w2)**2", "(1 - x)**2 + 100*(y - x**2)**2"]``.
    optimizers : dict
        ``{name: optimizer}`` (a named optimizer such as ``optim.adam(1e-2)``) or
        ``{name: (factory, grid)}`` such as ``(optim.adam, {"lr": [1e-3, 1e-2]})``. A list in
        the grid holds the values to try (schedules included:
        ``{"lr": [optim.cosine(0.1, total_steps=1000), 1e-2]}``); other values are fixed.
    starts : int or array_like
        A number of uniform random starts in ``box`` (drawn with ``seed``, shared by losses
        with the same number of parameters) or an array of shape ``(n_starts, n_params)``.
    box : (low, high), half-width, or one (low, high) per parameter
        Where random starts are drawn.
    seed : int
        Seed of the starts (``numpy.random.default_rng(seed)``).
    steps : int
        Updates per run.
    tol : float or None
        A run converges when its gradient norm is at most ``tol`` (None: run every step).
    executor : None, concurrent.futures.Executor, dask.distributed.Client or str
        Where tasks run: None runs them here, one after another; a string is a Dask
        scheduler address.
    out : path, optional
        A Parquet dataset directory, one file per finished task, written as tasks finish. A
        directory written by the same sweep is resumed: finished tasks are read, not rerun.
    overwrite : bool
        Replace an existing ``out`` that is a file or holds a different sweep.
    chunk_size : int
        Starts per task (default 10,000). Tasks never depend on the executor, so task keys
        and the table are the same everywhere.
    trajectories : int, optional
        Also keep every ``trajectories``-th iterate of each run (float32) in a ``path``
        column: a list of points, from the start to the last step.
    progress : bool, optional
        Show a tqdm progress bar; default: when stderr is a terminal or in a notebook.
    analysis_budget : float or None
        Seconds for the exact critical points of each loss (a separate task, in a child
        process killed at the budget). None: no analysis (no nearest critical point).
    basin_tolerance : float
        A run ends in a critical point's basin when it is within ``basin_tolerance * (1 +
        |point|)`` of it.

    Returns
    -------
    pandas.DataFrame
        One row per (loss, optimizer, hyper-parameters, start), in that order, with columns
        ``loss``, ``optimizer``, one per hyper-parameter (``lr``; schedules as labels),
        ``start``, ``x0``, ``x`` (final point), ``final_loss``, ``grad_norm``, ``status``,
        ``converged_step``, ``steps_run``, ``basin``, ``nearest`` (the nearest exact critical
        point or family), ``nearest_kind``, ``distance``, ``analysis`` (how the exact
        analysis of the loss ended) and ``analysis_note`` (why, when it did not complete),
        and ``path`` when ``trajectories`` is given.

    Examples
    --------
    >>> import symopt as so
    >>> from symopt import optim
    >>> table = so.sweep("(1 - w1*w2)**2", {"gd": (optim.gd, {"lr": [0.1, 0.01]})},
    ...                  starts=4, steps=300, seed=0)                # doctest: +SKIP
    >>> table.groupby("lr").status.value_counts()                    # doctest: +SKIP
    """
    # 1. check everything before any work starts
    pandas, pa = _extras()
    from .. import __version__ as version
    steps = _count("steps", steps, "steps=1000")
    chunk_size = _count("chunk_size", chunk_size, "chunk_size=10000")
    tol = _positive("tol", tol, "tol=1e-6, or None to run every step", none_ok=True)
    budget = _positive("analysis_budget", analysis_budget, "analysis_budget=30", none_ok=True)
    basin_tolerance = _positive("basin_tolerance", basin_tolerance, "basin_tolerance=1e-3")
    record = None if trajectories is None else _count("trajectories", trajectories,
                                                      "trajectories=10")
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a whole number >= 0; pass e.g. seed=0")
    entries = losses_of(losses)
    configs = configs_of(optimizers)
    columns = _hyper_columns(configs)
    for name, _ in columns:
        if name in RESULT_COLUMNS:
            raise ValueError(f"a hyper-parameter named {name!r} would overwrite the table's "
                             f"{name!r} column; rename the argument")
    settings = RunSettings(steps, tol, basin_tolerance, record)

    # 2. the tasks: one analysis per loss, one run per (loss, optimizer config, chunk)
    analyses = [AnalysisTask(i, analysis_key(e.key, budget, version), e.loss, e.label, budget)
                for i, e in enumerate(entries)]
    runs: list[RunTask] = []
    for entry, analysis in zip(entries, analyses):
        n = entry.loss.n_params
        array = make_starts(starts, box, seed, n)
        drawn = isinstance(starts, Integral)
        bounds = _bounds(box, n) if drawn else None
        for config in configs:
            values = _column_values(config, columns)
            for first in range(0, len(array), chunk_size):
                chunk = array[first:first + chunk_size]
                part = Starts(first, len(chunk), None if drawn else chunk,
                              int(seed) if drawn else None, bounds)
                key = run_key(entry.key, config, chunk, settings, analysis.key, version)
                runs.append(RunTask(len(runs), key, entry.loss, entry.key, entry.label, config,
                                    values, part, settings))
    sweep_key = digest("sweep", *(t.key for t in analyses), *(t.key for t in runs))

    # 3. where tasks run (a scheduler address is reached now), where results go, what is done
    backend: Backend = backend_of(executor)
    store = None
    done_analyses: set[int] = set()
    done_runs: set[int] = set()
    if out is not None:
        from .store import Store
        try:
            store = Store(out, sweep_key, len(analyses) + len(runs), version, overwrite)
        except BaseException:
            backend.close()
            raise
        present = store.finished([store.analysis_file(t.index, t.key) for t in analyses]
                                 + [store.run_file(t.index, t.key) for t in runs])
        done_analyses = {t.index for t in analyses if store.analysis_file(t.index, t.key) in present}
        done_runs = {t.index for t in runs if store.run_file(t.index, t.key) in present}

    # 4. run what is left: analyses first (their landmarks go to every run of the loss)
    bar = None
    tables: dict[int, Any] = {}
    try:
        announce_dashboard(backend)
        bar = _progress_bar(progress, len(analyses) + len(runs),
                            len(done_analyses) + len(done_runs))
        landmarks: dict[int, Landmarks] = {i: store.read_analysis(i, analyses[i].key)
                                           for i in done_analyses}
        # the hardest first, so that a slow one overlaps the others instead of ending last
        todo = sorted((t for t in analyses if t.index not in done_analyses),
                      key=lambda t: _difficulty(t.loss), reverse=True)
        loss_index = {e.key: i for i, e in enumerate(entries)}
        runs_of: dict[int, list[RunTask]] = {}
        for task in runs:
            if task.index not in done_runs:
                runs_of.setdefault(loss_index[task.loss_key], []).append(task)
        pipe = backend.pipeline()

        def submit_runs(losses_done: list[int]) -> None:
            # a loss's runs go out once its landmarks are known, while other analyses go on
            ready = [_with_landmarks(t, landmarks[i]) for i in losses_done
                     for t in runs_of.pop(i, [])]
            for batch in _run_batches(ready):
                pipe.submit(run_chunk, batch, batch[0].key)

        try:
            for first in range(0, len(todo), ANALYSIS_BATCH):
                batch = todo[first:first + ANALYSIS_BATCH]
                pipe.submit(analyse, batch, batch[0].key)
            submit_runs(sorted(i for i in runs_of if i in landmarks))
            for items, results in pipe:
                finished = []
                for task, result in zip(items, results):
                    if isinstance(task, AnalysisTask):
                        if store is not None:
                            store.write_analysis(task.index, task.key, result)
                        landmarks[task.index] = result
                        finished.append(task.index)
                    else:
                        if store is not None:
                            store.write_run(task.index, task.key, result)
                        tables[task.index] = result
                    if bar is not None:
                        bar.update()
                submit_runs(finished)
        finally:
            pipe.cancel()
    finally:
        if bar is not None:
            bar.close()
        backend.close()
        from ..isolate import close_children
        close_children()        # the analyses' children kept by this process (serial, threads)

    # 5. one table, in task order
    for index in sorted(done_runs):
        tables[index] = store.read_run(index, runs[index].key)
    combined = pa.concat_tables([tables[t.index] for t in runs])
    return combined.to_pandas(types_mapper=lambda t: _pandas_type(pandas, pa, t))


#: Nodes of a loss's expression looked at when guessing how hard its analysis is.
_DIFFICULTY_NODES = 20_000


def _difficulty(loss: Any) -> tuple[int, float, int]:
    """A guess at how long the exact analysis of ``loss`` takes, for ordering, never for
    results: (parameters, a bound on its total degree, inf when it is not a polynomial,
    expression nodes). One walk over at most ``_DIFFICULTY_NODES`` nodes; a loss whose
    expression is not built yet (a data set's) counts as hardest."""
    expr = getattr(loss, "_expr", None)
    n = getattr(loss, "n_params", 0)
    if expr is None:
        return (n, math.inf, 0)
    params = set(loss.params)
    nodes = 0

    def degree(e: Any) -> float:
        nonlocal nodes
        nodes += 1
        if nodes > _DIFFICULTY_NODES:
            return math.inf
        if e in params:
            return 1
        if e.is_Number or not (e.free_symbols & params):
            return 0
        if e.is_Add:
            return max(degree(a) for a in e.args)
        if e.is_Mul:
            return sum(degree(a) for a in e.args)
        if e.is_Pow and e.exp.is_Integer and e.exp >= 0:
            return degree(e.base) * int(e.exp)
        return math.inf                         # a function, a fraction, a root: not polynomial

    try:
        bound = degree(expr)
    except (RecursionError, TypeError, AttributeError):
        bound = math.inf
    return (n, bound, min(nodes, _DIFFICULTY_NODES))


def _pandas_type(pandas: Any, pa: Any, arrow_type: Any) -> Any:
    """Lists stay Arrow-backed (compact); whole numbers may be missing (converged_step)."""
    if pa.types.is_list(arrow_type):
        return pandas.ArrowDtype(arrow_type)
    if pa.types.is_int64(arrow_type):
        return pandas.Int64Dtype()
    return None


def _with_landmarks(task: RunTask, landmarks: Landmarks) -> RunTask:
    from dataclasses import replace
    return replace(task, landmarks=landmarks)


def _run_batches(tasks: list[RunTask]) -> Iterator[list[RunTask]]:
    """Consecutive runs grouped so that one executor task holds about ``RUN_BATCH_WORK``
    start-steps (at most ``RUN_BATCH`` runs): tiny runs share a task, and its overhead (a
    submission, pickling the loss once, compiling it once per worker), instead of paying it
    each; a run of that size or more is a task on its own."""
    batch: list[RunTask] = []
    work = 0
    for task in tasks:
        batch.append(task)
        work += task.starts.size * task.settings.steps
        if work >= RUN_BATCH_WORK or len(batch) >= RUN_BATCH:
            yield batch
            batch, work = [], 0
    if batch:
        yield batch
