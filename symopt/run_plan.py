"""Validate the arguments of :func:`symopt.run` into a :class:`RunPlan`, before any step.

Every check of ``run`` lives here, so a run never starts on bad input and the loops in
:mod:`symopt.backends` read settled values only.

The default convergence test: after an update, a start converges once the Euclidean norm of
its gradient is at most :data:`GTOL_RELATIVE` times the largest norm it has had so far (for a
descent, the norm at its start). It is not applied at ``x0`` itself, so an optimizer started
on a critical point may leave it (a saddle escape); one that does not move converges after
one update, its gradient being exactly 0. A user ``tol`` is an absolute bound, tested at
``x0`` too.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np

from .optim import _checks

__all__ = ["RunPlan", "plan_run", "GTOL_RELATIVE", "batches"]

#: Default convergence test: gradient norm at most this times the largest norm so far.
GTOL_RELATIVE = 1e-8


class RunPlan(NamedTuple):
    """Settled arguments of one run.

    Attributes
    ----------
    loss : object
        The NumericLoss-like object (``value``, ``grad``, ``n_params``).
    init, update : callable
        The optimizer's functions.
    donates_state, fresh_output : bool
        The optimizer's declared hints.
    start : ndarray
        Starts, shape ``(k, n)``.
    single : bool
        ``x0`` was one point ``(n,)``.
    tol : float or None
        Absolute gradient-norm tolerance, or None for the relative default.
    total : int
        Number of updates.
    record_every : int
    threshold : float
        Divergence threshold on ``|coordinate|``.
    batch_size : int or None
    per_epoch : int
        Updates per epoch (1 for full batch).
    sampler : iterator of index arrays, or None
    names : tuple of str or None
    """

    loss: Any
    init: Callable[..., Any]
    update: Callable[..., Any]
    donates_state: bool
    fresh_output: bool
    start: np.ndarray
    single: bool
    tol: float | None
    total: int
    record_every: int
    threshold: float
    batch_size: int | None
    per_epoch: int
    sampler: Iterator[np.ndarray] | None
    names: tuple[str, ...] | None


def as_numeric_loss(f: Any) -> Any:
    """The NumericLoss-like object to run on; a symbolic Loss is compiled first."""
    if callable(getattr(f, "value", None)) and callable(getattr(f, "grad", None)):
        n_params = getattr(f, "n_params", None)
        if isinstance(n_params, bool) or not isinstance(n_params, Integral) or n_params < 1:
            raise TypeError(f"f.n_params must be a positive int (the number of parameters); "
                            f"got {n_params!r}")
        return f
    if hasattr(f, "expr") and hasattr(f, "params"):
        from .numeric import compile as compile_loss
        return as_numeric_loss(compile_loss(f))
    raise TypeError(f"f must be a NumericLoss-like object (methods value and grad, int "
                    f"attribute n_params) or a symbolic symopt Loss; got {type(f).__name__}. "
                    "Pass symopt.compile(loss) or a loss object.")


def _names(loss: Any) -> tuple[str, ...] | None:
    params = getattr(loss, "params", None)
    if params is None:
        return None
    try:
        names = tuple(str(p) for p in params)
    except TypeError:
        return None
    return names if len(names) == loss.n_params else None


def _check_x0(x0: Any, n_params: int, names: tuple[str, ...] | None) -> np.ndarray:
    try:
        start = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"x0 must be an array of numbers of shape (n,) or (k, n); could not "
                        f"read {x0!r} as one ({error})") from None
    if start.ndim not in (1, 2):
        raise ValueError(f"x0 must have shape (n,) for one start or (k, n) for k starts; got "
                         f"shape {start.shape}. Reshape it to (-1, {n_params}).")
    described = f" ({', '.join(names)})" if names else ""
    if start.shape[-1] != n_params:
        raise ValueError(f"x0 has {start.shape[-1]} coordinates per start but the loss has "
                         f"{n_params} parameters{described}; give one value per parameter, "
                         "in that order")
    if start.size == 0:
        raise ValueError(f"x0 has no starts (shape {start.shape}); give at least one")
    finite = np.isfinite(start)
    if not finite.all():
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        coordinate = where[-1]
        label = f"parameter {names[coordinate]!r}" if names else f"coordinate {coordinate}"
        which = f"start {where[0]}, {label}" if start.ndim == 2 else label
        raise ValueError(f"x0{list(where)} is {start[where]} ({which}); every start must be "
                         "finite")
    return start


def batches(n_samples: int, batch_size: int, shuffle: bool, seed: Any) -> Iterator[np.ndarray]:
    """Index arrays of consecutive mini-batches, epoch after epoch (the last may be short)."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        for begin in range(0, n_samples, batch_size):
            yield order[begin:begin + batch_size]


def plan_run(f: Any, optimizer: Any, x0: Any, steps: int, tol: float | None,
             record_every: int, batch_size: int | None, epochs: int | None, shuffle: bool,
             seed: Any, divergence_threshold: float) -> RunPlan:
    """Check every argument of :func:`symopt.run` and settle them into a :class:`RunPlan`."""
    loss = as_numeric_loss(f)
    if not (callable(getattr(optimizer, "init", None))
            and callable(getattr(optimizer, "update", None))):
        raise TypeError(f"optimizer must have init and update (a GradientTransformation); got "
                        f"{type(optimizer).__name__}. Pass e.g. symopt.optim.adam(1e-3).")
    hints = getattr(optimizer, "hints", None)
    names = _names(loss)
    start = _check_x0(x0, int(loss.n_params), names)
    tolerance = None if tol is None else _checks.threshold(
        "tol", tol, "Pass e.g. tol=1e-8, or tol=None for the relative default.", zero_ok=True)
    every = _checks.count("record_every", record_every, "Pass e.g. record_every=10.")
    threshold = _checks.threshold("divergence_threshold", divergence_threshold,
                                  "Pass e.g. divergence_threshold=1e12.", zero_ok=False)
    n_samples = getattr(loss, "n_samples", None)
    if (batch_size is not None or epochs is not None) and n_samples is None:
        which = "batch_size" if batch_size is not None else "epochs"
        raise ValueError(f"{which}={batch_size if batch_size is not None else epochs!r} needs a "
                         "loss over data samples, but this loss has no data (n_samples is None); "
                         f"drop {which} and use steps")
    if n_samples is not None:
        n_samples = _checks.count("f.n_samples", n_samples, "It is the number of data samples.")
    size = None
    if batch_size is not None:
        size = _checks.count("batch_size", batch_size, "Pass e.g. batch_size=32.")
    per_epoch = 1 if size is None else -(-n_samples // size)      # updates per epoch
    if epochs is not None:
        total = _checks.count("epochs", epochs, "Pass e.g. epochs=10.") * per_epoch
    else:
        total = _checks.count("steps", steps, "Pass e.g. steps=1000.")
    sampler = None if size is None else batches(n_samples, size, bool(shuffle), seed)
    return RunPlan(loss, optimizer.init, optimizer.update,
                   bool(getattr(hints, "donates_state", False)),
                   bool(getattr(hints, "fresh_output", False)),
                   start.reshape(1, -1) if start.ndim == 1 else start, start.ndim == 1,
                   tolerance, total, every, threshold, size, per_epoch, sampler, names)
