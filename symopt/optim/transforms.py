"""Optimizer building blocks: direction (momentum), learning rate, weight decay; all transforms.

They follow the lecture's unified rule
:math:`\\theta_{t+1} = \\theta_t - \\frac{\\eta_t}{\\sigma_t} m_t`: :func:`trace` makes the
direction :math:`m_t`; :func:`scale_by_adagrad`, :func:`scale_by_rms` (and their lecture forms)
divide by a per-parameter scale :math:`\\sigma_t`; :func:`scale_by_adam` does both from the raw
gradient (those five live in :mod:`symopt.optim.scales` and are re-exported here);
:func:`scale_by_learning_rate` multiplies by :math:`-\\eta_t`. Compose them with
:func:`symopt.optim.chain`. Each function's rule is ``RULES[<function name>]``; in the rules
:math:`u_t` is the transform's input (the gradient, or the output of the previous transform).

Every ``update`` is pure and elementwise, written once against
:mod:`symopt.optim.namespace`, so the same rule runs on NumPy arrays, JAX arrays (inside
``jit`` and ``lax.scan``) and object arrays of exact numbers. Under NumPy, arrays a rule has
just created are updated in place (``out=``) so a step allocates as little as possible.
Transforms whose ``hints.donates_state`` is set also accept ``donate=True``: the caller gives
up the old ``state`` (as :func:`symopt.run` does), so its arrays are reused for the new state.
Such state arrays are never returned as updates, so donating them cannot change anything the
caller still holds (:func:`trace` returns its buffer and therefore does not take ``donate``).
Likewise ``hints.fresh_output`` marks updates that are new arrays the caller may overwrite.

>>> import numpy as np
>>> from symopt.optim import chain
>>> opt = chain(scale_by_adam(), scale_by_learning_rate(0.1))
>>> x = np.array([3.0, -4.0])
>>> u, state = opt.update(np.array([2.0, -0.5]), opt.init(x), x)
>>> np.round(u, 6)      # Adam's first step is lr * sign(g), up to eps
array([-0.1,  0.1])
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import _checks
from ._support import EmptyState, no_state, transformation, zeros
from .base import GradientTransformation, Params, Updates
from .namespace import ops_for, select
from .rules import with_rule
from .scales import (AdamState, RmsState, SumState, scale_by_adagrad, scale_by_adagrad_lecture,
                     scale_by_adam, scale_by_rms, scale_by_rms_lecture)
from .schedules import Schedule, as_schedule

__all__ = [
    "EmptyState",
    "ScheduleState",
    "TraceState",
    "AdamState",
    "SumState",
    "RmsState",
    "identity",
    "scale",
    "scale_by_learning_rate",
    "add_decayed_weights",
    "trace",
    "scale_by_adam",
    "scale_by_adagrad",
    "scale_by_adagrad_lecture",
    "scale_by_rms",
    "scale_by_rms_lecture",
]


class ScheduleState(NamedTuple):
    """``count``: updates made so far, the step passed to the schedule."""

    count: Any


class TraceState(NamedTuple):
    """``count``: updates made so far; ``momentum``: the buffer :math:`b_{t-1}`."""

    count: Any
    momentum: Any


@with_rule("identity")
def identity() -> GradientTransformation:
    """Pass the updates through unchanged.

    {rule}

    Examples
    --------
    >>> import numpy as np
    >>> identity().update(np.array([1.5]), EmptyState())
    (array([1.5]), EmptyState())
    """

    def update(updates: Updates, state: EmptyState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, EmptyState]:
        return updates, state

    return transformation(no_state, update, fresh_output=False)


@with_rule("scale")
def scale(factor: float) -> GradientTransformation:
    """Multiply the updates by a constant ``factor`` (:math:`c`).

    {rule}

    Examples
    --------
    >>> import numpy as np
    >>> scale(-2.0).update(np.array([1.0, 3.0]), EmptyState())[0]
    array([-2., -6.])
    """
    c = _checks.real("factor", factor, "Pass a finite number, e.g. factor=-1.")

    def update(updates: Updates, state: EmptyState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, EmptyState]:
        return ops_for(updates).multiply(updates, c), state

    return transformation(no_state, update)


@with_rule("scale_by_learning_rate")
def scale_by_learning_rate(lr: float | Schedule | Any) -> GradientTransformation:
    """Multiply the updates by minus the learning rate of the step.

    {rule}

    Parameters
    ----------
    lr : float or Schedule or callable
        A positive number or a schedule of the step ``t = 0, 1, ...``; turned into a
        :class:`~symopt.optim.schedules.Schedule` once, here.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_learning_rate(lambda step: 0.1 * (step + 1))
    >>> u, s = t.update(np.array([1.0]), t.init(np.zeros(1)))
    >>> u, s = t.update(np.array([1.0]), s)
    >>> u, s.count
    (array([-0.2]), 2)
    """
    schedule = as_schedule(lr)
    fixed = schedule.constant_value

    def init(params: Params) -> ScheduleState:
        return ScheduleState(0)

    if fixed is not None:
        minus_lr = -fixed

        def next_factor(state: ScheduleState) -> tuple[float, ScheduleState]:
            return minus_lr, ScheduleState(state.count + 1)
    else:
        def next_factor(state: ScheduleState) -> tuple[float, ScheduleState]:
            count = state.count
            return -schedule(count), ScheduleState(count + 1)

    def update(updates: Updates, state: ScheduleState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, ScheduleState]:
        factor, state = next_factor(state)
        return ops_for(updates).multiply(updates, factor), state

    # chain() folds this factor into a preceding transform that accepts one (scale_by_adam)
    return transformation(init, update, next_factor=next_factor)


@with_rule("add_decayed_weights")
def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    """Add :math:`\\lambda \\theta_t` (``weight_decay`` times the parameters) to the updates.

    {rule}

    Before a scale transform this is L2 regularisation (PyTorch's ``weight_decay`` of SGD,
    Adagrad, RMSprop, Adam); after it, decoupled weight decay (AdamW).

    Examples
    --------
    >>> import numpy as np
    >>> t = add_decayed_weights(0.5)
    >>> t.update(np.array([1.0]), EmptyState(), np.array([4.0]))[0]
    array([3.])
    """
    decay = _checks.non_negative("weight_decay", weight_decay, "Pass e.g. weight_decay=1e-4.")

    def update(updates: Updates, state: EmptyState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, EmptyState]:
        if params is None:
            raise ValueError("add_decayed_weights needs the parameters: call "
                             "update(grads, state, params)")
        result = ops_for(params).multiply(params, decay)
        result += updates
        return result, state

    return transformation(no_state, update)


@with_rule("trace")
def trace(decay: float, dampening: float = 0.0, nesterov: bool = False) -> GradientTransformation:
    """Momentum buffer (PyTorch SGD's ``momentum_buffer``), optionally Nesterov's look-ahead.

    {rule}

    With :math:`\\mu` = ``decay`` and :math:`\\tau` = ``dampening``. The first buffer is the
    first input itself; with :math:`\\tau = 0` that equals starting from :math:`b_{-1} = 0`.

    Parameters
    ----------
    decay : float
        :math:`\\mu \\in [0, 1)`.
    dampening : float
        :math:`\\tau \\in [0, 1]`.
    nesterov : bool
        Return :math:`u_t + \\mu b_t` instead of :math:`b_t`; needs ``dampening = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> t = trace(0.5)
    >>> s = t.init(np.zeros(1))
    >>> for _ in range(3):
    ...     u, s = t.update(np.array([1.0]), s)
    >>> u                      # 1 + 0.5 + 0.25
    array([1.75])
    """
    mu = _checks.in_unit_interval("decay", decay, "Pass e.g. decay=0.9.")
    tau = _checks.in_unit_interval("dampening", dampening, "Pass e.g. dampening=0.",
                                   closed=True)
    nesterov = _checks.flag("nesterov", nesterov)
    if nesterov and tau != 0:
        raise ValueError(f"nesterov momentum needs dampening=0; got dampening={dampening!r}. "
                         "Pass dampening=0 or nesterov=False.")

    def init(params: Params) -> TraceState:
        return TraceState(0, zeros(params))

    def update(updates: Updates, state: TraceState,
               params: Params | None = None) -> tuple[Updates, TraceState]:
        ops = ops_for(updates)
        decay_ = ops.lift(mu, updates)
        # b_0 = u_0 (undamped, and b_{-1} = 0); later mu b_{t-1} + (1 - tau) u_t
        buffer = ops.multiply(state.momentum, decay_)
        if tau == 0:
            buffer += updates
        else:
            buffer += ops.multiply(updates, select(state.count == 0, 1,
                                                   1 - ops.lift(tau, updates)))
        if nesterov:
            result = ops.multiply(buffer, decay_)
            result += updates
        else:
            result = buffer
        return result, TraceState(state.count + 1, buffer)

    # the buffer is returned as the update (no nesterov), so it is neither fresh nor donatable
    return transformation(init, update, fresh_output=nesterov, donates_state=False)
