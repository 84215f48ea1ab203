"""Batch size: the exact moments of the mini-batch gradient, and the lecture's comparison.

A mini-batch of ``B`` of the ``N`` samples, drawn without replacement, gives the gradient
``g_B = (1/B) sum_{n in batch} g_n`` (for a loss with ``reduction="mean"``; ``g_n`` is the
gradient of sample ``n``'s loss).  It is a sample mean under simple random sampling, so
(Cochran, *Sampling Techniques*, 3rd ed., 1977, Theorems 2.1 to 2.3):

    E[g_B]   = gbar = (1/N) sum_n g_n                      (the full gradient)
    Cov[g_B] = (N - B) / (B (N - 1)) * S,  S = (1/N) sum_n (g_n - gbar)(g_n - gbar)^T

``S`` is the population covariance with divisor ``N``.  Cochran writes
``(S'^2 / B)(1 - B/N)`` with ``S'^2`` taken with divisor ``N - 1``; the two agree, and the
factor ``1 - B/N`` (here ``(N - B)/(N - 1)`` against ``S``) is the finite population
correction.  ``B = N`` gives zero noise; ``B = 1`` gives ``S``.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple, Sequence

import numpy as np

__all__ = ["updates_per_epoch", "per_sample_gradients", "MinibatchMoments",
           "minibatch_gradient_moments", "sample_minibatch_gradients", "BatchSizeRow",
           "BatchSizeTable", "EpochRegime", "batch_size_table"]


def updates_per_epoch(n_samples: int, batch_size: int) -> int:
    """``ceil(N / B)``: updates in one pass over the data (the last batch may be short).

    >>> updates_per_epoch(100, 32)
    4
    """
    if batch_size < 1 or n_samples < 1:
        raise ValueError(f"need N >= 1 and B >= 1, got N={n_samples}, B={batch_size}")
    return -(-n_samples // batch_size)


def _numeric(f: Any) -> Any:
    if hasattr(f, "grad") and hasattr(f, "n_params"):
        numeric = f
    else:
        from ..numeric import compile as compile_loss
        numeric = compile_loss(f)
    if getattr(numeric, "n_samples", None) is None:
        raise ValueError("the loss has no per-sample data (n_samples is None); build it with "
                         "Loss.from_model on more than 12 samples (or with float data)")
    return numeric


def per_sample_gradients(f: Any, theta: Any) -> np.ndarray:
    """The gradient of each sample's loss at ``theta``: shape ``(N, n)``.

    ``f`` is a data :class:`~symopt.loss.Loss` or its compiled
    :class:`~symopt.numeric.NumericLoss`; row ``n`` is ``f.grad(theta, samples=[n])``.

    Examples
    --------
    >>> import symopt as so
    >>> loss = so.Loss.from_model("w*x", data={"x": [1.0, 2.0], "y": [1.0, 1.0]})
    >>> per_sample_gradients(loss, [1.0])          # -2 (y - w x) x per sample
    array([[0.],
           [4.]])
    """
    numeric = _numeric(f)
    point = np.asarray(theta, dtype=float)
    return np.stack([numeric.grad(point, samples=np.array([n]))
                     for n in range(numeric.n_samples)])


@dataclass(frozen=True)
class MinibatchMoments:
    """Exact mean and covariance of the mini-batch gradient at one point.

    Attributes
    ----------
    n_samples, batch_size : int
    full_gradient : ndarray
        The gradient over all samples, ``gbar`` (times ``B`` for ``reduction="sum"``:
        then the mini-batch gradient is a sum, not a mean).
    mean : ndarray
        ``E[g_B]``.
    covariance : ndarray
        ``Cov[g_B]``.
    per_sample_covariance : ndarray
        ``S``, divisor ``N``.
    """

    n_samples: int
    batch_size: int
    full_gradient: np.ndarray
    mean: np.ndarray
    covariance: np.ndarray
    per_sample_covariance: np.ndarray

    @property
    def noise(self) -> float:
        """``trace Cov[g_B]``: the expected squared distance of ``g_B`` from its mean."""
        return float(np.trace(self.covariance))

    @property
    def updates_per_epoch(self) -> int:
        return updates_per_epoch(self.n_samples, self.batch_size)


def minibatch_gradient_moments(f: Any, theta: Any, batch_size: int) -> MinibatchMoments:
    """Mean and covariance of the gradient of a size-``batch_size`` mini-batch, exactly.

    Parameters
    ----------
    f : Loss or NumericLoss
        A data loss (per-sample expression plus data arrays).
    theta : array_like, shape (n,)
    batch_size : int
        ``B`` in ``1..N``; batches are drawn uniformly without replacement.

    Returns
    -------
    MinibatchMoments

    Examples
    --------
    >>> import symopt as so
    >>> loss = so.Loss.from_model("w*x", data={"x": [1.0, 2.0, 3.0, 4.0] * 4,
    ...                                        "y": [1.0, 3.0, 2.0, 5.0] * 4})
    >>> m = minibatch_gradient_moments(loss, [1.0], batch_size=16)
    >>> float(m.noise)                              # B = N: no noise
    0.0
    >>> m1 = minibatch_gradient_moments(loss, [1.0], batch_size=1)
    >>> bool(np.allclose(m1.covariance, m1.per_sample_covariance))
    True
    """
    numeric = _numeric(f)
    n_total = int(numeric.n_samples)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or not 1 <= batch_size <= n_total:
        raise ValueError(f"batch_size must be an int in 1..{n_total}, got {batch_size!r}")
    grads = per_sample_gradients(numeric, theta)
    mean_grad = grads.mean(axis=0)
    centred = grads - mean_grad
    spread = centred.T @ centred / n_total
    factor = (n_total - batch_size) / (batch_size * (n_total - 1)) if n_total > 1 else 0.0
    scale = 1.0 if getattr(numeric.loss, "reduction", "mean") == "mean" else float(batch_size)
    return MinibatchMoments(n_total, int(batch_size), scale * mean_grad, scale * mean_grad,
                            scale ** 2 * factor * spread, spread)


def sample_minibatch_gradients(f: Any, theta: Any, batch_size: int, n_batches: int = 10_000,
                               seed: int = 0) -> np.ndarray:
    """Gradients of ``n_batches`` random mini-batches (each drawn without replacement),
    computed by :meth:`NumericLoss.grad` with ``samples=``: shape ``(n_batches, n)``.

    Examples
    --------
    >>> import symopt as so
    >>> loss = so.Loss.from_model("w*x", data={"x": [1.0, 2.0, 3.0], "y": [1.0, 1.0, 1.0]})
    >>> sample_minibatch_gradients(loss, [1.0], batch_size=3, n_batches=2)   # B = N
    array([[5.33333333],
           [5.33333333]])
    """
    numeric = _numeric(f)
    rng = np.random.default_rng(seed)
    point = np.asarray(theta, dtype=float)
    return np.stack([numeric.grad(point, samples=rng.choice(numeric.n_samples, batch_size,
                                                             replace=False))
                     for _ in range(n_batches)])


# ----------------------------------------------------------------------------- the table

@dataclass(frozen=True)
class BatchSizeRow:
    """One batch size in the lecture's comparison (times in seconds).

    ``serial_update`` and ``vectorised_update`` are measured (one update's mini-batch
    gradient); the epoch times are
    ``updates_per_epoch`` times them; ``noise`` is exact at ``theta0``; ``final_loss`` is
    measured after a seeded run.
    """

    batch_size: int
    updates_per_epoch: int
    serial_update: float
    vectorised_update: float
    serial_epoch: float
    vectorised_epoch: float
    noise: float
    final_loss: float


class EpochRegime(NamedTuple):
    """One regime of the lecture's epoch-time claim, from measured epoch times.

    ``ratio`` is the smallest batch's epoch time over the largest batch's: about 1 means
    "one epoch takes the same time", much more than 1 means small-batch epochs are slower.
    """

    regime: str
    small: int
    large: int
    small_epoch: float
    large_epoch: float

    @property
    def ratio(self) -> float:
        return self.small_epoch / self.large_epoch

    def sentence(self) -> str:
        where = ("without parallelism (one sample's gradient at a time)"
                 if self.regime == "serial" else
                 "with vectorised (parallel) evaluation of the batch")
        return (f"{where}: an epoch with B = {self.small} takes {_ms(self.small_epoch)}, "
                f"with B = {self.large} {_ms(self.large_epoch)}; "
                f"ratio {self.ratio:.2g} (measured, this machine)")


@dataclass(frozen=True)
class BatchSizeTable:
    """The lecture's small-batch vs large-batch comparison, from measurements."""

    n_samples: int
    epochs: int
    learning_rate: float
    rows: tuple[BatchSizeRow, ...]

    def row(self, batch_size: int) -> BatchSizeRow:
        for r in self.rows:
            if r.batch_size == batch_size:
                return r
        raise KeyError(f"no row for batch size {batch_size}; rows: "
                       f"{', '.join(str(r.batch_size) for r in self.rows)}")

    def regimes(self) -> tuple[EpochRegime, EpochRegime]:
        """The epoch time of the smallest against the largest batch, serial then vectorised.

        The lecture's table says "one epoch: same time"; that holds without parallelism.  With
        the batch evaluated in parallel, a large batch's update costs about as much as a
        small one's, so an epoch of small batches (more updates) is slower.
        """
        small = min(self.rows, key=lambda r: r.batch_size)
        large = max(self.rows, key=lambda r: r.batch_size)
        return (EpochRegime("serial", small.batch_size, large.batch_size, small.serial_epoch,
                            large.serial_epoch),
                EpochRegime("vectorised", small.batch_size, large.batch_size,
                            small.vectorised_epoch, large.vectorised_epoch))

    def to_dict(self) -> dict[str, Any]:
        return {"n_samples": self.n_samples, "epochs": self.epochs,
                "learning_rate": self.learning_rate, "rows": [asdict(r) for r in self.rows],
                "measured": ["serial_update", "vectorised_update", "final_loss"],
                "derived": {"serial_epoch": "updates_per_epoch * serial_update",
                            "vectorised_epoch": "updates_per_epoch * vectorised_update",
                            "noise": "trace of the exact mini-batch gradient covariance"},
                "regimes": [dict(r._asdict(), ratio=r.ratio) for r in self.regimes()]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        head = (f"{'B':>6} {'updates/epoch':>13} {'update, serial':>15} {'update, parallel':>17} "
                f"{'epoch, serial':>14} {'epoch, parallel':>16} {'noise tr Cov':>13} "
                f"{'loss after ' + str(self.epochs) + ' ep':>16}")
        lines = [f"batch size, N = {self.n_samples}, SGD lr = {self.learning_rate:g}", head,
                 "-" * len(head)]
        for r in self.rows:
            lines.append(f"{r.batch_size:>6} {r.updates_per_epoch:>13} "
                         f"{_ms(r.serial_update):>15} {_ms(r.vectorised_update):>17} "
                         f"{_ms(r.serial_epoch):>14} {_ms(r.vectorised_epoch):>16} "
                         f"{r.noise:>13.4g} {r.final_loss:>16.6g}")
        lines.append("measured: update times (serial = one sample's gradient at a time; "
                     "parallel = the batch in one vectorised NumPy call, standing in for "
                     "parallel hardware up to its width) and final loss; epoch = "
                     "updates/epoch x update; noise = trace of the exact covariance")
        lines.extend(regime.sentence() for regime in self.regimes())
        return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms"


class _Serial:
    """A data loss whose mini-batch gradient sums per-sample gradients one at a time."""

    def __init__(self, numeric: Any) -> None:
        self._f = numeric
        self.n_params, self.n_samples = numeric.n_params, numeric.n_samples
        self.params = numeric.params

    def value(self, theta: Any, samples: Any = None) -> np.ndarray:
        return self._f.value(theta, samples)

    def grad(self, theta: Any, samples: Any = None) -> np.ndarray:
        index = np.arange(self.n_samples) if samples is None else np.asarray(samples)
        total = np.zeros(np.shape(theta))
        for n in index:
            total += self._f.grad(theta, samples=np.array([n]))
        return total / len(index)


def _timed_gradients(f: Any, theta0: np.ndarray, batches: Sequence[np.ndarray]) -> float:
    start = time.perf_counter()
    for batch in batches:
        f.grad(theta0, samples=batch)
    return time.perf_counter() - start


def _update_times(f: Any, theta0: np.ndarray, sizes: Sequence[int], budget: float,
                  repeats: int, seed: int = 0) -> list[float]:
    """Seconds per mini-batch gradient (the work of one update) for each batch size.

    For each size, ``k`` random batches are drawn (``k`` grown by fours until the loop
    takes about ``budget`` seconds, up to 4096); the loop is timed ``repeats`` rounds, the
    sizes in turn, and the fastest round counts (the others include interruptions by the
    rest of the machine).  Nothing else is in the loop, so no fixed cost is divided in.
    """
    rng = np.random.default_rng(seed)
    n_total = int(f.n_samples)
    f.grad(theta0, samples=np.arange(min(2, n_total)))          # compile and warm up
    plans = []
    for b in sizes:
        count = 4
        while True:
            batches = [rng.choice(n_total, b, replace=False) for _ in range(count)]
            if _timed_gradients(f, theta0, batches) >= budget or count >= 4096:
                break
            count *= 4
        plans.append(batches)
    best = [math.inf] * len(sizes)
    for _ in range(repeats):
        for i, batches in enumerate(plans):
            best[i] = min(best[i], _timed_gradients(f, theta0, batches) / len(batches))
    return best


def batch_size_table(f: Any, theta0: Any, learning_rate: float,
                     batch_sizes: Sequence[int] | None = None, *, epochs: int = 5,
                     seed: int = 0, timing_budget: float = 0.05,
                     repeats: int = 3) -> BatchSizeTable:
    """The lecture's comparison of batch sizes, measured on one data loss.

    Parameters
    ----------
    f : Loss or NumericLoss
        A data loss with ``reduction="mean"``.
    theta0 : array_like, shape (n,)
        Start of the runs and the point where the gradient noise is computed.
    learning_rate : float
        The SGD rate of the final-loss runs (the same for every batch size).
    batch_sizes : sequence of int, optional
        Default ``(1, N)``: the lecture's small and large batch.
    epochs : int
        Epochs of each seeded final-loss run.
    seed : int
        Seed of the shuffling.
    timing_budget : float
        Seconds each timed loop of mini-batch gradients should take (loops grow until they
        do, up to 4096 batches); the update time is the fastest of ``repeats`` loops
        divided by its batches.
    repeats : int

    Returns
    -------
    BatchSizeTable
        What is measured: the time of one update's mini-batch gradient with ``B`` samples,
        (a) with the batch's per-sample gradients computed one at a time ("serial", no
        parallelism) and (b) in one vectorised NumPy evaluation ("parallel": the model of
        parallel hardware is a per-update time nearly constant in ``B`` up to its width,
        which vectorised NumPy matches for small ``B``); and the loss after ``epochs``
        epochs.  Derived: epoch times = ``ceil(N/B)`` x update time.  Exact: the gradient
        noise ``trace Cov[g_B]`` at ``theta0``.

    Examples
    --------
    >>> import symopt as so
    >>> x = np.linspace(-1, 1, 20)
    >>> loss = so.Loss.from_model("w*x", data={"x": x, "y": 2 * x})
    >>> table = batch_size_table(loss, [0.0], 0.5, epochs=2, timing_budget=0.001, repeats=1)
    >>> [(r.batch_size, r.updates_per_epoch, r.noise == 0) for r in table.rows]
    [(1, 20, False), (20, 1, True)]
    """
    from .. import optim
    from ..runner import run

    numeric = _numeric(f)
    n_total = int(numeric.n_samples)
    sizes = (1, n_total) if batch_sizes is None else tuple(int(b) for b in batch_sizes)
    point = np.asarray(theta0, dtype=float)
    serial_times = _update_times(_Serial(numeric), point, sizes, timing_budget, repeats)
    vector_times = _update_times(numeric, point, sizes, timing_budget, repeats)
    rows = []
    for b, serial_update, vector_update in zip(sizes, serial_times, vector_times):
        moments = minibatch_gradient_moments(numeric, point, b)
        per_epoch = moments.updates_per_epoch
        final = run(numeric, optim.sgd(learning_rate), point, epochs=epochs, batch_size=b,
                    seed=seed, record_every=per_epoch)
        rows.append(BatchSizeRow(b, per_epoch, serial_update, vector_update,
                                 per_epoch * serial_update, per_epoch * vector_update,
                                 moments.noise, float(final.fun)))
    return BatchSizeTable(n_total, int(epochs), float(learning_rate), tuple(rows))
