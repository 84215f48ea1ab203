"""Building blocks of optimizers: direction (momentum), per-parameter scale, learning rate.

They follow the lecture's unified rule
:math:`\\theta_{t+1} = \\theta_t - \\frac{\\eta_t}{\\sigma_t} m_t`: :func:`trace` makes the
direction :math:`m_t`; :func:`scale_by_adagrad`, :func:`scale_by_rms` (and their lecture forms)
divide by a per-parameter scale :math:`\\sigma_t`; :func:`scale_by_adam` does both from the raw
gradient; :func:`scale_by_learning_rate` multiplies by :math:`-\\eta_t`. Compose them with
:func:`symopt.optim.chain`. Each function's rule is ``RULES[<function name>]``; in the rules
:math:`u_t` is the transform's input (the gradient, or the output of the previous transform).

Every ``update`` is pure and elementwise; inside it, arrays it has just created are updated in
place (``out=``) so a step allocates as little as possible. Transforms whose update is marked
``update.donates_state`` also accept ``donate=True``: the caller gives up the old ``state`` (as
:func:`symopt.run` does), so its arrays are reused for the new state instead of allocating.
Such state arrays are never returned as updates, so donating them cannot change anything the
caller still holds (:func:`trace` returns its buffer and therefore does not take ``donate``).
Likewise ``update.fresh_output`` marks updates that are new arrays the caller may overwrite.

>>> import numpy as np
>>> from symopt.optim import chain
>>> opt = chain(scale_by_adam(), scale_by_learning_rate(0.1))
>>> x = np.array([3.0, -4.0])
>>> u, state = opt.update(np.array([2.0, -0.5]), opt.init(x), x)
>>> np.round(u, 6)      # Adam's first step is lr * sign(g), up to eps
array([-0.1,  0.1])
"""

from __future__ import annotations

from math import sqrt as _math_sqrt
from typing import Any, NamedTuple

import numpy as np

from . import _checks
from .base import GradientTransformation, Params, Updates
from .rules import with_rule
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


class EmptyState(NamedTuple):
    """State of a transform that keeps none."""


class ScheduleState(NamedTuple):
    """``count``: updates made so far, the step passed to the schedule."""

    count: int


class TraceState(NamedTuple):
    """``count``: updates made so far; ``momentum``: the buffer :math:`b_{t-1}`."""

    count: int
    momentum: np.ndarray


class AdamState(NamedTuple):
    """State of :func:`scale_by_adam`.

    The moments are kept as exponentially weighted *sums*, which saves two array operations
    per step: ``m_sum`` :math:`= \\sum_{k \\le t} \\beta_1^{t-k} u_k = m_t / (1 - \\beta_1)` and
    ``v_sum`` :math:`= \\sum_{k \\le t} \\beta_2^{t-k} u_k^2 = v_t / (1 - \\beta_2)`, with
    :math:`m_t, v_t` the moving averages of the rule (PyTorch's ``exp_avg``,
    ``exp_avg_sq``). ``v_sum_max`` is the running maximum of ``v_sum`` (amsgrad), else None.
    """

    count: int
    m_sum: np.ndarray
    v_sum: np.ndarray
    v_sum_max: np.ndarray | None


class SumState(NamedTuple):
    """``count``: updates made so far; ``sum_of_squares``: :math:`s_{t-1}`."""

    count: int
    sum_of_squares: np.ndarray


class RmsState(NamedTuple):
    """``count``: updates so far; ``square_avg``: :math:`v_{t-1}` (lecture form:
    :math:`\\sigma_{t-1}^2`); ``grad_avg``: :math:`\\bar{u}_{t-1}` when centered, else None."""

    count: int
    square_avg: np.ndarray
    grad_avg: np.ndarray | None


_multiply = np.multiply
_divide = np.divide
_sqrt = np.sqrt
_maximum = np.maximum


def _zeros(params: Params) -> np.ndarray:
    return np.zeros(np.shape(params), dtype=np.float64)


def _no_state(params: Params) -> EmptyState:
    return EmptyState()


def _transformation(init: Any, update: Any, *, accepts_factor: bool = False,
                    next_factor: Any = None, fresh_output: bool = True) -> GradientTransformation:
    """Mark ``update`` for chain() and run().

    ``donates_state``: takes ``donate``. ``fresh_output``: the updates it returns are a new
    array that its state does not reference, so the caller may overwrite them.
    ``accepts_factor``: takes a scalar ``factor`` its output is multiplied by.
    ``next_factor``: it is a learning-rate scaling whose factor chain() can hand on.
    """
    update.donates_state = True
    update.fresh_output = fresh_output
    if accepts_factor:
        update.accepts_factor = True
    if next_factor is not None:
        update.next_factor = next_factor
    return GradientTransformation(init, update)


def _divide_zero_by_zero_is_zero(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` with 0 wherever the denominator is 0."""
    result = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=result, where=denominator != 0)
    return result


@with_rule("identity")
def identity() -> GradientTransformation:
    """Pass the updates through unchanged.

    {rule}
    """

    def update(updates: Updates, state: EmptyState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, EmptyState]:
        return updates, state

    return _transformation(_no_state, update, fresh_output=False)


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
        return _multiply(updates, c), state

    return _transformation(_no_state, update)


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
        return _multiply(updates, factor), state

    # chain() folds this factor into a preceding transform that accepts one (scale_by_adam)
    return _transformation(init, update, next_factor=next_factor)


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
        result = _multiply(params, decay)
        result += updates
        return result, state

    return _transformation(_no_state, update)


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
    keep = 1.0 - tau

    def init(params: Params) -> TraceState:
        return TraceState(0, _zeros(params))

    def update(updates: Updates, state: TraceState,
               params: Params | None = None) -> tuple[Updates, TraceState]:
        if state.count == 0:
            buffer = np.array(updates, dtype=np.float64)
        else:
            buffer = np.multiply(state.momentum, mu)
            if keep == 1.0:
                buffer += updates
            else:
                buffer += np.multiply(updates, keep)
        if nesterov:
            result = np.multiply(buffer, mu)
            result += updates
        else:
            result = buffer
        return result, TraceState(state.count + 1, buffer)

    # the buffer is returned as the update (no nesterov), so it is neither fresh nor donatable
    update.fresh_output = nesterov  # type: ignore[attr-defined]
    return GradientTransformation(init, update)


@with_rule("scale_by_adam")
def scale_by_adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
                  amsgrad: bool = False) -> GradientTransformation:
    """Adam's bias-corrected moment ratio (Kingma & Ba 2015; PyTorch's ``Adam``).

    {rule}

    :math:`\\epsilon` is added *outside* the square root, after bias-correcting :math:`v_t`, as
    PyTorch documents. With ``amsgrad`` the running maximum of :math:`v_t` replaces it (Reddi et
    al. 2018, as in PyTorch). Adam is its own transform because its scale comes from the raw
    input :math:`u_t`, not from the momentum.

    Parameters
    ----------
    b1, b2 : float
        :math:`\\beta_1, \\beta_2 \\in [0, 1)`.
    eps : float
        :math:`\\epsilon \\ge 0`.
    amsgrad : bool
        Keep the maximum of :math:`v_t`.

    Notes
    -----
    The state keeps :math:`m_t / (1-\\beta_1)` and :math:`v_t / (1-\\beta_2)` (see
    :class:`AdamState`); the constant factors go into two scalars per step, computed as

    .. math::

        \\frac{\\hat{m}_t}{\\sqrt{\\hat{v}_t} + \\epsilon}
        = \\frac{1 - \\beta_1}{(1 - \\beta_1^{t+1}) k_t}
          \\frac{m_t / (1 - \\beta_1)}{\\sqrt{v_t / (1 - \\beta_2)} + \\epsilon / k_t},
        \\qquad k_t = \\sqrt{\\frac{1 - \\beta_2}{1 - \\beta_2^{t+1}}}.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_adam()
    >>> u, s = t.update(np.array([4.0, -1e-3]), t.init(np.zeros(2)))
    >>> np.round(u, 4)
    array([ 1., -1.])
    """
    beta1 = _checks.in_unit_interval("betas[0]", b1, "Typical betas are (0.9, 0.999).")
    beta2 = _checks.in_unit_interval("betas[1]", b2, "Typical betas are (0.9, 0.999).")
    epsilon = _checks.non_negative("eps", eps, "Pass e.g. eps=1e-8.")
    keep_max = _checks.flag("amsgrad", amsgrad)
    one_minus_b1 = 1.0 - beta1
    one_minus_b2 = 1.0 - beta2

    def init(params: Params) -> AdamState:
        return AdamState(0, _zeros(params), _zeros(params), _zeros(params) if keep_max else None)

    def update(updates: Updates, state: AdamState, params: Params | None = None,
               factor: float = 1.0, donate: bool = False) -> tuple[Updates, AdamState]:
        count = state.count + 1
        m_sum = _multiply(state.m_sum, beta1, out=state.m_sum if donate else None)
        m_sum += updates
        v_sum = _multiply(state.v_sum, beta2, out=state.v_sum if donate else None)
        result = _multiply(updates, updates)
        v_sum += result
        v_sum_max = None
        if keep_max:
            v_sum_max = _maximum(state.v_sum_max, v_sum, out=state.v_sum_max if donate else None)
            _sqrt(v_sum_max, out=result)
        else:
            _sqrt(v_sum, out=result)
        k = _math_sqrt(one_minus_b2 / (1.0 - beta2 ** count))
        if epsilon:
            result += epsilon / k
        _divide(m_sum, result, out=result)
        result *= factor * one_minus_b1 / ((1.0 - beta1 ** count) * k)
        return result, AdamState(count, m_sum, v_sum, v_sum_max)

    # chain() passes the next learning-rate factor in, saving one pass over the arrays
    return _transformation(init, update, accepts_factor=True)


@with_rule("scale_by_adagrad")
def scale_by_adagrad(initial_accumulator_value: float = 0.0,
                     eps: float = 1e-10) -> GradientTransformation:
    """Divide by the root of the running sum of squares plus eps (PyTorch's ``Adagrad``).

    {rule}

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_adagrad(eps=0.0)
    >>> s = t.init(np.zeros(1))
    >>> u, s = t.update(np.array([3.0]), s)
    >>> u, s = t.update(np.array([4.0]), s)
    >>> u                        # 4 / sqrt(9 + 16)
    array([0.8])
    """
    start = _checks.non_negative("initial_accumulator_value", initial_accumulator_value,
                                 "Pass e.g. initial_accumulator_value=0.")
    epsilon = _checks.non_negative("eps", eps, "Pass e.g. eps=1e-10.")

    def init(params: Params) -> SumState:
        return SumState(0, np.full(np.shape(params), start, dtype=np.float64))

    def update(updates: Updates, state: SumState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, SumState]:
        result = _multiply(updates, updates)
        total = np.add(state.sum_of_squares, result, out=state.sum_of_squares if donate else None)
        _sqrt(total, out=result)
        if epsilon:
            result += epsilon
        _divide(updates, result, out=result)
        return result, SumState(state.count + 1, total)

    return _transformation(init, update)


@with_rule("scale_by_adagrad_lecture")
def scale_by_adagrad_lecture() -> GradientTransformation:
    """The lecture's Adagrad scale: root mean square of all inputs so far, no eps.

    {rule}

    Division by zero: :math:`\\sigma_t = 0` exactly when every input of that coordinate so far
    was 0 (or their squares underflowed); such a coordinate gets update **0** (0/0 is taken as
    0, so a parameter whose gradient has always been zero does not move).

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_adagrad_lecture()
    >>> s = t.init(np.zeros(2))
    >>> u, s = t.update(np.array([3.0, 0.0]), s)
    >>> u, s = t.update(np.array([4.0, 0.0]), s)
    >>> u                        # 4 / sqrt((9 + 16) / 2); 0 / 0 -> 0
    array([1.13137085, 0.        ])
    """

    def init(params: Params) -> SumState:
        return SumState(0, _zeros(params))

    def update(updates: Updates, state: SumState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, SumState]:
        sigma = _multiply(updates, updates)
        total = np.add(state.sum_of_squares, sigma, out=state.sum_of_squares if donate else None)
        _multiply(total, 1.0 / (state.count + 1), out=sigma)
        _sqrt(sigma, out=sigma)
        return _divide_zero_by_zero_is_zero(updates, sigma), SumState(state.count + 1, total)

    return _transformation(init, update)


@with_rule("scale_by_rms")
def scale_by_rms(alpha: float = 0.99, eps: float = 1e-8,
                 centered: bool = False) -> GradientTransformation:
    """RMSprop's scale as in PyTorch: moving average of squares, eps outside the root.

    {rule}

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_rms(alpha=0.75, eps=0.0)
    >>> u, s = t.update(np.array([2.0]), t.init(np.zeros(1)))
    >>> u                        # 2 / sqrt(0.25 * 4)
    array([2.])
    """
    decay = _checks.in_unit_interval("alpha", alpha, "Pass e.g. alpha=0.99.")
    epsilon = _checks.non_negative("eps", eps, "Pass e.g. eps=1e-8.")
    is_centered = _checks.flag("centered", centered)
    weight = 1.0 - decay

    def init(params: Params) -> RmsState:
        return RmsState(0, _zeros(params), _zeros(params) if is_centered else None)

    def update(updates: Updates, state: RmsState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, RmsState]:
        square_avg = _multiply(state.square_avg, decay, out=state.square_avg if donate else None)
        result = _multiply(updates, weight)
        result *= updates
        square_avg += result
        grad_avg = None
        if is_centered:
            # grad_avg + weight * (u - grad_avg), PyTorch's lerp
            grad_avg = np.subtract(updates, state.grad_avg)
            grad_avg *= weight
            grad_avg += state.grad_avg
            _multiply(grad_avg, grad_avg, out=result)
            np.subtract(square_avg, result, out=result)
            _sqrt(result, out=result)
        else:
            _sqrt(square_avg, out=result)
        if epsilon:
            result += epsilon
        _divide(updates, result, out=result)
        return result, RmsState(state.count + 1, square_avg, grad_avg)

    return _transformation(init, update)


@with_rule("scale_by_rms_lecture")
def scale_by_rms_lecture(alpha: float) -> GradientTransformation:
    """The lecture's RMSProp scale: starts at :math:`|u_0|`, no eps.

    {rule}

    Division by zero: :math:`\\sigma_t = 0` exactly when every input of that coordinate so far
    was 0 (or their squares underflowed); such a coordinate gets update **0** (0/0 is taken as
    0).

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_rms_lecture(0.5)
    >>> s = t.init(np.zeros(1))
    >>> u, s = t.update(np.array([-2.0]), s)     # sigma_0 = |g_0|: a sign step
    >>> u
    array([-1.])
    """
    decay = _checks.in_unit_interval("alpha", alpha, "Pass e.g. alpha=0.9.")
    weight = 1.0 - decay

    def init(params: Params) -> RmsState:
        return RmsState(0, _zeros(params), None)

    def update(updates: Updates, state: RmsState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, RmsState]:
        square = _multiply(updates, updates)
        if state.count > 0:
            square *= weight
            square += _multiply(state.square_avg, decay)
        sigma = _sqrt(square)
        return (_divide_zero_by_zero_is_zero(updates, sigma),
                RmsState(state.count + 1, square, None))

    return _transformation(init, update)
