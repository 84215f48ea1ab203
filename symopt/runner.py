"""Run an optimizer on a loss from one start or many at once, and return a Trajectory.

All starts move together as one ``(k, n)`` array (no Python loop over starts). A start stops
moving when its gradient norm reaches ``tol`` ("converged") or when it diverges (a NaN, an
infinity or a coordinate beyond ``divergence_threshold``: "diverged", a status, never an
exception); the others continue, and the run ends early once every start has stopped.

>>> import numpy as np
>>> import symopt as so
>>> class Bowl:                              # L = x^2 + 10 y^2, NumericLoss-like
...     n_params = 2
...     params = ("x", "y")
...     def value(self, theta):
...         return theta[..., 0] ** 2 + 10 * theta[..., 1] ** 2
...     def grad(self, theta):
...         return theta * np.array([2.0, 20.0])
>>> result = so.run(Bowl(), so.optim.gd(0.05), [1.0, 1.0], steps=500, tol=1e-8)
>>> result.status, result.nit, bool(result.fun < 1e-15)
('converged', 182, True)
>>> result.path.shape, result.message
((183, 2), 'Converged: the gradient norm is at most tol.')
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any, Iterator

import numpy as np

from .optim import _checks

__all__ = ["Trajectory", "run", "MESSAGES"]

#: Termination messages by status, as scipy.optimize keeps them in one table.
MESSAGES: dict[str, str] = {
    "converged": "Converged: the gradient norm is at most tol.",
    "max_steps": "Stopped: the step limit was reached (no tol, or the gradient norm stayed "
                 "above it).",
    "diverged": "Diverged: a coordinate became NaN or infinite or exceeded "
                "divergence_threshold in absolute value; x is the last iterate before that.",
}


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What a :func:`run` did, per start; scipy-like fields plus the recorded path.

    For one start (``x0`` of shape ``(n,)``) the per-start fields are scalars; for ``k`` starts
    (``x0`` of shape ``(k, n)``) they are arrays of length ``k``.

    Attributes
    ----------
    x : ndarray
        Final parameters, same shape as ``x0``. For a diverged start: the last iterate that was
        finite and within ``divergence_threshold``.
    fun : float or ndarray
        Loss at ``x`` (over all data samples).
    grad_norm : float or ndarray
        Euclidean norm of the gradient at ``x`` (over all data samples).
    path : ndarray
        Shape ``(records, *x0.shape)``: ``path[0]`` is ``x0``, then every ``record_every``-th
        iterate, and always the final ``x`` last.
    losses : ndarray
        Loss at each record, shape ``(records,)`` or ``(records, k)``.
    recorded_steps : ndarray
        The step count of each record, shape ``(records,)``.
    nit : int or ndarray
        Updates applied to each start.
    status : str or ndarray
        ``"converged"``, ``"max_steps"`` or ``"diverged"``.
    success : bool or ndarray
        Did not diverge and, when ``tol`` was given, converged.
    message : str or ndarray
        ``MESSAGES[status]``.
    diverged_at : int or None or ndarray
        The update count whose result was bad (NaN, infinite or beyond the threshold); None
        (one start) or -1 (in an array) when the start did not diverge.
    params : tuple of str or None
        Parameter names, when the loss has them.
    """

    x: np.ndarray
    fun: Any
    grad_norm: Any
    path: np.ndarray
    losses: np.ndarray
    recorded_steps: np.ndarray
    nit: Any
    status: Any
    success: Any
    message: Any
    diverged_at: Any
    params: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return (f"Trajectory(status={self.status!r}, nit={self.nit!r}, fun={self.fun!r}, "
                f"records={len(self.path)})")


# ----------------------------------------------------------------------------- input checks

def _as_numeric_loss(f: Any) -> Any:
    """The NumericLoss-like object to run on; a symbolic Loss is compiled first."""
    if callable(getattr(f, "value", None)) and callable(getattr(f, "grad", None)):
        n_params = getattr(f, "n_params", None)
        if isinstance(n_params, bool) or not isinstance(n_params, Integral) or n_params < 1:
            raise TypeError(f"f.n_params must be a positive int (the number of parameters); "
                            f"got {n_params!r}")
        return f
    if hasattr(f, "expr") and hasattr(f, "params"):
        from .numeric import compile as compile_loss
        return _as_numeric_loss(compile_loss(f))
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


def _batches(n_samples: int, batch_size: int, shuffle: bool, seed: Any) -> Iterator[np.ndarray]:
    """Index arrays of consecutive mini-batches, epoch after epoch (the last may be short)."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        for begin in range(0, n_samples, batch_size):
            yield order[begin:begin + batch_size]


# ----------------------------------------------------------------------------- the run

def run(f: Any, optimizer: Any, x0: Any, steps: int = 1000, tol: float | None = None,
        record_every: int = 1, *, batch_size: int | None = None, epochs: int | None = None,
        shuffle: bool = True, seed: Any = 0, divergence_threshold: float = 1e12) -> Trajectory:
    """Minimise ``f`` with ``optimizer`` from ``x0`` (one start or a batch), vectorised.

    Parameters
    ----------
    f : NumericLoss-like or Loss
        An object with ``value(theta)`` (shape ``(..., n)`` to ``(...)``), ``grad(theta)``
        (``(..., n)`` to ``(..., n)``), an int ``n_params``, optionally ``params`` (names) and
        ``n_samples`` (int or None; when an int, ``value`` and ``grad`` accept
        ``samples=index_array`` for mini-batches). A symbolic :class:`symopt.Loss` (with
        ``expr`` and ``params``) is compiled with :func:`symopt.compile` first.
    optimizer : GradientTransformation
        E.g. ``symopt.optim.adam(1e-2)``.
    x0 : array_like
        Shape ``(n,)`` for one start or ``(k, n)`` for ``k`` starts, all finite.
    steps : int
        Number of updates (ignored when ``epochs`` is given).
    tol : float, optional
        A start converges when the Euclidean norm of its gradient is ``<= tol`` (tested at
        ``x0`` and after every update; with mini-batches on the full-data gradient, at ``x0``
        and after every epoch). None: run all steps.
    record_every : int
        Record every ``record_every``-th iterate (the first and the final are always recorded).
    batch_size : int, optional
        Mini-batch size for data losses (``f.n_samples`` not None). None: full batch.
    epochs : int, optional
        For data losses: run ``epochs * ceil(N / batch_size)`` updates instead of ``steps``.
    shuffle : bool
        Shuffle the samples at the start of every epoch (a ``numpy.random.Generator`` seeded
        with ``seed``); otherwise take them in order.
    seed : int or None or numpy.random.Generator
        Seed of the shuffling.
    divergence_threshold : float
        A start diverges when a coordinate's absolute value exceeds this (or is NaN or
        infinite); its last good iterate is kept.

    Returns
    -------
    Trajectory

    Notes
    -----
    ``path`` stores one array per record; with many starts and steps keep ``record_every``
    large. The state of a stopped start is still carried along (the optimizer works on the
    whole batch) but its parameters no longer change.

    Examples
    --------
    >>> import numpy as np
    >>> class Line:                           # L = (theta - 3)^2 / 2 for a 1-D theta
    ...     n_params = 1
    ...     def value(self, theta):
    ...         return 0.5 * (theta[..., 0] - 3.0) ** 2
    ...     def grad(self, theta):
    ...         return theta - 3.0
    >>> from symopt import optim
    >>> result = run(Line(), optim.gd(2.5), [[2.0], [3.0]], steps=100, tol=1e-6)
    >>> result.status.tolist(), result.nit.tolist(), result.diverged_at.tolist()
    (['diverged', 'converged'], [68, 0], [69, -1])
    """
    # 1. check every input before the first step
    loss = _as_numeric_loss(f)
    if not (callable(getattr(optimizer, "init", None))
            and callable(getattr(optimizer, "update", None))):
        raise TypeError(f"optimizer must have init and update (a GradientTransformation); got "
                        f"{type(optimizer).__name__}. Pass e.g. symopt.optim.adam(1e-3).")
    names = _names(loss)
    start = _check_x0(x0, int(loss.n_params), names)
    single = start.ndim == 1
    tolerance = None if tol is None else _checks.threshold(
        "tol", tol, "Pass e.g. tol=1e-8, or tol=None to run all steps.", zero_ok=True)
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
    sampler = None if size is None else _batches(n_samples, size, bool(shuffle), seed)

    # 2. state of the batch of starts
    x = start.reshape(1, -1) if single else start
    k = x.shape[0]
    state = optimizer.init(x)
    grad, value, update = loss.grad, loss.value, optimizer.update
    # run owns the state, so optimizers that can reuse its arrays may, and updates that are
    # new arrays nobody else holds can receive the next iterate (see optim.transforms)
    donate = {"donate": True} if getattr(update, "donates_state", False) else {}
    fresh = getattr(update, "fresh_output", False)
    add = np.add
    stopped_at = np.full(k, -1)            # update count at which a start stopped, -1: running
    diverged_at = np.full(k, -1)
    converged = np.zeros(k, dtype=bool)
    active = np.ones(k, dtype=bool)
    all_active = True
    path = [x]
    recorded = [0]
    done = 0

    def check_tol(gradient: np.ndarray, count: int) -> None:
        nonlocal all_active
        reached = np.einsum("ij,ij->i", gradient, gradient) <= tolerance * tolerance
        reached &= active
        if reached.any():
            converged[reached] = True
            stopped_at[reached] = count
            active[reached] = False
            all_active = False

    # 3. iterate: gradient, update, mask stopped starts, divergence, convergence, record
    with np.errstate(all="ignore"):
        g = grad(x)
        if np.shape(g) != x.shape:
            raise ValueError(f"f.grad returned shape {np.shape(g)} for points of shape "
                             f"{x.shape}; it must return one derivative per parameter, shape "
                             "(..., n_params)")
        if tolerance is not None:
            check_tol(g, 0)
        for done in range(1, total + 1):
            if not all_active and not active.any():
                done -= 1
                break
            if sampler is not None:
                g = grad(x, samples=next(sampler))
            updates, state = update(g, state, x, **donate)
            x_new = add(x, updates, out=updates if fresh else None)
            if not all_active:
                np.copyto(x_new, x, where=~active[:, None])
            # one pass each for max and min (NaN propagates, so it fails the test too);
            # a BLAS dot would be one pass but wakes BLAS threads every step
            if not (x_new.max() <= threshold and x_new.min() >= -threshold):
                bad = ~(np.abs(x_new) <= threshold).all(axis=-1) & active
                if bad.any():
                    x_new[bad] = x[bad]
                    diverged_at[bad] = done
                    stopped_at[bad] = done - 1
                    active[bad] = False
                    all_active = False
            x = x_new
            if sampler is None:
                g = grad(x)
                if tolerance is not None:
                    check_tol(g, done)
            elif tolerance is not None and done % per_epoch == 0:
                check_tol(grad(x), done)
            if done % every == 0:
                path.append(x)
                recorded.append(done)
        if recorded[-1] != done:
            path.append(x)
            recorded.append(done)
        if sampler is not None:
            g = grad(x)
        fun = value(x)
        losses = np.stack([value(point) for point in path[:-1]] + [fun])
        grad_norm = np.sqrt(np.einsum("ij,ij->i", g, g))

    # 4. per-start results
    stopped_at[stopped_at < 0] = done
    status = np.where(converged, "converged", np.where(diverged_at >= 0, "diverged", "max_steps"))
    success = (status == "converged") if tolerance is not None else (status != "diverged")
    message = np.array([MESSAGES[s] for s in status])
    trajectory = np.stack(path)
    if single:
        return Trajectory(
            x=x[0], fun=float(fun[0]), grad_norm=float(grad_norm[0]), path=trajectory[:, 0],
            losses=losses[:, 0], recorded_steps=np.array(recorded), nit=int(stopped_at[0]),
            status=str(status[0]), success=bool(success[0]), message=str(message[0]),
            diverged_at=None if diverged_at[0] < 0 else int(diverged_at[0]), params=names)
    return Trajectory(x=x, fun=fun, grad_norm=grad_norm, path=trajectory, losses=losses,
                      recorded_steps=np.array(recorded), nit=stopped_at, status=status,
                      success=success, message=message, diverged_at=diverged_at, params=names)
