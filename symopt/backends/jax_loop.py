"""The JAX loop of :func:`symopt.run`: a whole trajectory as one compiled float64 program.

Steps run in ``lax.scan`` (an outer scan over records, an inner scan over the
``record_every`` steps between them); all starts move together as one ``(k, n)`` array, the
batched form of a ``vmap`` over starts (every rule is elementwise, so both give the same
program). The divergence and convergence tests are those of
:mod:`symopt.backends.numpy_loop`, written once more in ``jnp.where`` form, so the two loops
give the same statuses and, to rounding, the same points; a stopped start's point is captured
only in the rare blocks of steps in which some start stopped (see :func:`_program`).
Mini-batch runs are the same program: the batch index sequence is drawn beforehand from the
plan's sampler (the one the NumPy loop draws from, so the same seed gives the same batches in
the same order) and scanned over with the steps. A short last batch of an epoch is padded to
the batch size with a repeat of one of its own samples and a 0/1 mask, so every step has the
same shapes. Convergence is then tested, as in the NumPy loop, on the full-data gradient at
the end of each epoch only.
Compiled programs are cached on the loss, keyed by the optimizer and the run's shape.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ..run_plan import GTOL_RELATIVE, RunPlan
from .iterated import Iterated
from .jax_loss import float64

__all__ = ["iterate"]


class _Carry(NamedTuple):
    """The loop's state. ``stop`` per start: -1 running, ``t >= 0`` converged at update ``t``,
    ``-2 - t`` diverged at update ``t``: one small int array instead of four. ``kept`` holds
    the point each stopped start keeps (its iterate at the stop); ``x`` of a stopped start is
    not looked at again (see :func:`_program`)."""

    x: Any
    state: Any
    gradient: Any
    stop: Any
    peak_squared: Any
    kept: Any


# Up to this many parameters, per-row reductions are unrolled column by column: XLA's
# reduction over a short last axis costs more than the optimizer step itself.
_UNROLL_MAX = 16

# Steps per block: the unit after which the loop asks whether a start stopped inside it.
_BLOCK = 32


def _row_squares(rows: Any) -> Any:
    """Squared norm of each row of ``(k, n)``."""
    import jax.numpy as jnp
    if rows.shape[1] > _UNROLL_MAX:
        return jnp.sum(rows * rows, axis=-1)
    total = rows[:, 0] * rows[:, 0]
    for j in range(1, rows.shape[1]):
        total = total + rows[:, j] * rows[:, j]
    return total


def _rows_within(rows: Any, threshold: Any) -> Any:
    """Is every coordinate of a row finite and within ``threshold`` in absolute value?"""
    import jax.numpy as jnp
    if rows.shape[1] > _UNROLL_MAX:
        return jnp.all(jnp.abs(rows) <= threshold, axis=-1)
    within = jnp.abs(rows[:, 0]) <= threshold
    for j in range(1, rows.shape[1]):
        within = within & (jnp.abs(rows[:, j]) <= threshold)
    return within


def batch_sequence(plan: RunPlan) -> tuple[np.ndarray, np.ndarray | None]:
    """The ``(total, batch_size)`` sample indices of every update, and the 0/1 mask of the
    same shape (None when no batch is short).

    Drawn from ``plan.sampler``, so they are the NumPy loop's batches. A short batch is
    padded with its own first sample under mask 0: a padded position then only ever holds
    values some kept position holds too, so it adds no NaN or infinity of its own.
    """
    size = plan.batch_size
    indices = np.empty((plan.total, size), dtype=np.int32)
    mask = np.ones((plan.total, size))
    short = False
    for row in range(plan.total):
        drawn = next(plan.sampler)
        m = len(drawn)
        indices[row, :m] = drawn
        if m < size:
            short = True
            indices[row, m:] = drawn[0]
            mask[row, m:] = 0.0
    return indices, (mask if short else None)


def _program(plan: RunPlan, k: int, n: int) -> Callable[..., Any]:
    """The jitted ``program(x0, tol_squared, threshold, indices, mask) -> (final carry,
    path)``; ``indices`` and ``mask`` are the mini-batches of :func:`batch_sequence`
    (None for full-batch runs, and ``mask`` None when no batch is short).

    Per step only the per-start tests run (two short row reductions into the ``(k,)`` stop
    codes); no point is masked, so the step is the optimizer's update, the gradient and those
    tests, fused by XLA. A stopped start keeps moving in ``x``, but nothing reads it: what
    the run reports for it is ``kept``, its iterate at the stop (the last good one after a
    divergence), and the gradient there. Capturing ``kept`` needs a select over ``(k, n)``,
    so the steps run in blocks of up to :data:`_BLOCK`: a block in which no start stopped is
    taken as it is; otherwise it is run again from its first carry with the capture on (the
    starts are independent, so the second pass gives the same iterates). Every start's
    trajectory, stop update and kept point are those of the NumPy loop, whose stopped starts
    stay put.
    """
    import jax
    import jax.numpy as jnp

    grad = plan.loss.traceable("grad")
    update, init = plan.update, plan.init
    every, total, relative = plan.record_every, plan.total, plan.tol is None
    chunks, rest = divmod(total, every)
    minibatch, per_epoch = plan.sampler is not None, plan.per_epoch

    def step(carry: _Carry, count: Any, tol_squared: Any, threshold: Any,
             capture: bool, batches: Any) -> _Carry:
        x, stop = carry.x, carry.stop
        running = stop == -1
        if minibatch:
            indices, mask = batches
            g = grad(x, index=indices[count - 1],
                     mask=None if mask is None else mask[count - 1])
        else:
            g = carry.gradient
        updates, state = update(g, carry.state, x)
        moved = x + updates
        bad = ~_rows_within(moved, threshold) & running
        if minibatch:
            # the full-data gradient, and the test on it, at the end of an epoch only
            epoch_end = count % per_epoch == 0
            gradient = jax.lax.cond(epoch_end, grad, jnp.zeros_like, moved)
        else:
            gradient = grad(moved)
        squared = _row_squares(gradient)
        peak = carry.peak_squared
        if relative:
            peak = jnp.maximum(peak, squared)
            if minibatch:
                peak = jnp.where(epoch_end, peak, carry.peak_squared)
            bound = GTOL_RELATIVE ** 2 * peak
        else:
            bound = tol_squared
        reached = (squared <= bound) & running & ~bad
        if minibatch:
            reached = reached & epoch_end
        kept = carry.kept
        if capture:
            kept = jnp.where(bad[:, None], x, jnp.where(reached[:, None], moved, kept))
        stop = jnp.where(bad, -2 - count, jnp.where(reached, count, stop))
        return _Carry(moved, state, gradient, stop, peak, kept)

    def scan_steps(carry: _Carry, first: Any, length: int, tol_squared: Any, threshold: Any,
                   capture: bool, batches: Any) -> _Carry:
        def body(c: _Carry, count: Any) -> tuple[_Carry, None]:
            return step(c, count, tol_squared, threshold, capture, batches), None
        return jax.lax.scan(body, carry, first + jnp.arange(length, dtype=jnp.int32))[0]

    def block(carry: _Carry, first: Any, length: int, tol_squared: Any,
              threshold: Any, batches: Any) -> _Carry:
        fast = scan_steps(carry, first, length, tol_squared, threshold, False, batches)
        stopped_inside = jnp.any(fast.stop != carry.stop)
        return jax.lax.cond(
            stopped_inside,
            lambda: scan_steps(carry, first, length, tol_squared, threshold, True, batches),
            lambda: fast)

    def steps(carry: _Carry, first: Any, length: int, tol_squared: Any,
              threshold: Any, batches: Any) -> _Carry:
        size = min(length, _BLOCK)
        blocks, tail = divmod(length, size)

        def body(c: _Carry, index: Any) -> tuple[_Carry, None]:
            return block(c, first + index * size, size, tol_squared, threshold,
                         batches), None
        carry = jax.lax.scan(body, carry, jnp.arange(blocks, dtype=jnp.int32))[0]
        if tail:
            carry = block(carry, first + blocks * size, tail, tol_squared, threshold, batches)
        return carry

    def reported(c: _Carry) -> Any:
        return jnp.where((c.stop == -1)[:, None], c.x, c.kept)

    def program(x0: Any, tol_squared: Any, threshold: Any, indices: Any = None,
                mask: Any = None) -> tuple[_Carry, Any]:
        batches = (indices, mask)
        state = jax.tree.map(jnp.asarray, init(x0))
        gradient = grad(x0)
        squared = _row_squares(gradient)
        if relative:          # the relative test starts after the first update
            stop = jnp.full(k, -1, dtype=jnp.int32)
        else:
            stop = jnp.where(squared <= tol_squared, 0, -1).astype(jnp.int32)
        carry = _Carry(x0, state, gradient, stop, squared if relative else None, x0)

        def record(c: _Carry, chunk: Any) -> tuple[_Carry, Any]:
            c = steps(c, 1 + chunk * every, every, tol_squared, threshold, batches)
            return c, reported(c)

        carry, path = jax.lax.scan(record, carry, jnp.arange(chunks, dtype=jnp.int32))
        if rest:
            carry = steps(carry, 1 + chunks * every, rest, tol_squared, threshold, batches)
        final = reported(carry)
        return carry._replace(x=final, gradient=grad(final)), path

    return jax.jit(program)


def jax_errors() -> Any:
    import jax
    return jax.errors


def iterate(plan: RunPlan) -> Iterated:
    """Run ``plan`` as one compiled JAX program; NumPy arrays out, as the NumPy loop."""
    k, n = plan.start.shape
    indices, mask = batch_sequence(plan) if plan.sampler is not None else (None, None)
    key = (plan.init, plan.update, plan.total, plan.record_every, plan.tol is None, k, n,
           plan.batch_size, plan.per_epoch, mask is not None)
    cache = plan.loss.__dict__.setdefault("_jax_runs", {})
    with float64():
        program = cache.get(key)
        if program is None:
            program = cache[key] = _program(plan, k, n)
        tol_squared = 0.0 if plan.tol is None else plan.tol ** 2
        try:
            carry, path = program(plan.start, tol_squared, plan.threshold, indices, mask)
        except (jax_errors().ConcretizationTypeError,
                jax_errors().TracerBoolConversionError,
                jax_errors().TracerIntegerConversionError):
            del cache[key]
            raise TypeError("the optimizer (e.g. a learning-rate callable) branches on the step "
                            "count in Python, which a compiled JAX run cannot trace; use a "
                            "symopt.optim schedule, or compile the loss with backend='numpy'"
                            ) from None
        x, gradient, stop = (np.asarray(v) for v in (carry.x, carry.gradient, carry.stop))
        path = np.asarray(path)
    stop = stop.astype(int)
    active, converged = stop == -1, stop >= 0
    diverged_at = np.where(stop <= -2, -2 - stop, -1)
    stopped_at = np.where(converged, stop, np.where(diverged_at >= 0, diverged_at - 1, -1))
    chunks = path.shape[0]
    every = plan.record_every
    # the NumPy loop ends once every start has stopped: keep the records up to that step
    if active.any():
        done = plan.total
    else:
        done = int(np.max(np.where(converged, stopped_at, np.maximum(diverged_at, stopped_at))))
    kept = min(chunks, done // every)
    steps = [0] + [every * (i + 1) for i in range(kept)]
    points = [plan.start] + [path[i] for i in range(kept)]
    if steps[-1] != done:
        steps.append(done)
        points.append(x)
    stopped_at = np.where(stopped_at < 0, done, stopped_at)
    return Iterated(x, gradient, np.stack(points), np.array(steps), converged.astype(bool),
                    stopped_at.astype(int), diverged_at.astype(int))
