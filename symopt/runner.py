"""Run an optimizer on a loss from one start or many at once, and return a Trajectory.

All starts move together as one ``(k, n)`` array (no Python loop over starts). A start stops
moving when its gradient norm falls to its tolerance ("converged"; by default
:data:`~symopt.run_plan.GTOL_RELATIVE` times its norm at the start, or an absolute ``tol``)
or when it diverges (a NaN, an infinity or a coordinate beyond ``divergence_threshold``:
"diverged", a status, never an exception); the others continue.

:func:`run` is a straight line: validate the arguments into a plan
(:mod:`symopt.run_plan`), iterate (:mod:`symopt.backends.numpy_loop`, or one compiled JAX
program for a loss compiled with ``backend="jax"``), build the :class:`Trajectory`.

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
((183, 2), 'Converged: the gradient norm fell to the tolerance.')
>>> result.first_below(1e-3)                 # first recorded step with loss < 1e-3
33
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .backends.iterated import Iterated
from .backends.numpy_loop import iterate as iterate_numpy
from .backends.numpy_loop import squared_norms
from .run_plan import GTOL_RELATIVE, RunPlan, plan_run

__all__ = ["Trajectory", "run", "MESSAGES", "GTOL_RELATIVE"]

#: Termination messages by status, as scipy.optimize keeps them in one table.
MESSAGES: dict[str, str] = {
    "converged": "Converged: the gradient norm fell to the tolerance.",
    "max_steps": "Stopped: the step limit was reached with the gradient norm above the "
                 "tolerance.",
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
        True exactly when the status is ``"converged"``.
    message : str or ndarray
        ``MESSAGES[status]``.
    diverged_at : int or None or ndarray
        The update count whose result was bad (NaN, infinite or beyond the threshold); None
        (one start) or -1 (in an array) when the start did not diverge.
    params : tuple of str or None
        Parameter names, when the loss has them.
    backend : str
        ``"numpy"`` or ``"jax"``: which loop ran.
    """

    x: np.ndarray
    fun: float | np.ndarray
    grad_norm: float | np.ndarray
    path: np.ndarray
    losses: np.ndarray
    recorded_steps: np.ndarray
    nit: int | np.ndarray
    status: str | np.ndarray
    success: bool | np.ndarray
    message: str | np.ndarray
    diverged_at: int | None | np.ndarray
    params: tuple[str, ...] | None = None
    backend: str = "numpy"

    def first_below(self, threshold: float) -> int | None | np.ndarray:
        """The first recorded step whose loss is below ``threshold``, per start.

        Only recorded steps are looked at (every ``record_every``-th and the last). Returns
        None for one start that never got below, or an int array with -1 for such starts.

        Examples
        --------
        >>> import numpy as np
        >>> t = Trajectory(x=np.zeros(1), fun=0.0, grad_norm=0.0, path=np.zeros((3, 1)),
        ...                losses=np.array([4.0, 1.0, 0.0]), recorded_steps=np.array([0, 5, 10]),
        ...                nit=10, status="converged", success=True, message="", diverged_at=None)
        >>> t.first_below(2.0), t.first_below(-1.0)
        (5, None)
        """
        losses = np.asarray(self.losses)
        below = losses < threshold
        found = below.any(axis=0)
        steps = np.where(found, self.recorded_steps[np.argmax(below, axis=0)], -1)
        if losses.ndim == 1:
            return int(steps) if bool(found) else None
        return steps.astype(int)

    def __repr__(self) -> str:
        return (f"Trajectory(status={self.status!r}, nit={self.nit!r}, fun={self.fun!r}, "
                f"records={len(self.path)})")


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
        and after every epoch). None (default): after an update, ``<= GTOL_RELATIVE`` (1e-8)
        times the largest gradient norm of that start so far, normally its norm at ``x0``
        (see :mod:`symopt.run_plan`). ``tol=0`` stops only at an exact zero gradient.
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
    # 1. validate every argument into a plan, before the first step
    plan = plan_run(f, optimizer, x0, steps, tol, record_every, batch_size, epochs, shuffle,
                    seed, divergence_threshold)
    # 2. iterate: one compiled JAX program for a JAX loss (full or mini-batch), else the
    # NumPy loop
    backend = "jax" if getattr(plan.loss, "backend", None) == "jax" else "numpy"
    if backend == "jax":
        from .backends.jax_loop import iterate as iterate_jax
        raw = iterate_jax(plan)
    else:
        raw = iterate_numpy(plan)
    # 3. build the Trajectory
    return _trajectory(plan, raw, backend)


def _trajectory(plan: RunPlan, raw: Iterated, backend: str) -> Trajectory:
    """Per-start results from the raw loop outcome; losses evaluated at the records."""
    loss = plan.loss
    with np.errstate(all="ignore"):
        records = raw.path.shape[0]
        losses = np.asarray(loss.value(raw.path.reshape(-1, raw.path.shape[-1])),
                            dtype=np.float64).reshape(records, -1)
        fun = losses[-1]
        grad_norm = np.sqrt(squared_norms(raw.gradient))
    # one small code per start, then a table lookup: string comparisons over many starts
    # cost more than a short run itself
    code = np.where(raw.converged, 0, np.where(raw.diverged_at >= 0, 2, 1))
    names = ("converged", "max_steps", "diverged")
    status = np.array(names)[code]
    success = code == 0
    message = np.array([MESSAGES[name] for name in names])[code]
    if plan.single:
        return Trajectory(
            x=raw.x[0], fun=float(fun[0]), grad_norm=float(grad_norm[0]),
            path=raw.path[:, 0], losses=losses[:, 0], recorded_steps=raw.recorded_steps,
            nit=int(raw.stopped_at[0]), status=str(status[0]), success=bool(success[0]),
            message=str(message[0]),
            diverged_at=None if raw.diverged_at[0] < 0 else int(raw.diverged_at[0]),
            params=plan.names, backend=backend)
    return Trajectory(x=raw.x, fun=fun, grad_norm=grad_norm, path=raw.path, losses=losses,
                      recorded_steps=raw.recorded_steps, nit=raw.stopped_at, status=status,
                      success=success, message=message, diverged_at=raw.diverged_at,
                      params=plan.names, backend=backend)
