"""Per-parameter scales sigma_t: Adagrad and RMSProp (PyTorch and lecture forms), and Adam's.

Each divides its input :math:`u_t` (the gradient, or the previous transform's output)
elementwise by a scale built from the inputs seen so far; :func:`scale_by_adam` also replaces
the input by its bias-corrected moving average. Rules: ``RULES[<function name>]``. All are
re-exported by :mod:`symopt.optim.transforms` and :mod:`symopt.optim`.

>>> import numpy as np
>>> t = scale_by_rms_lecture(alpha=0.5)
>>> u, state = t.update(np.array([3.0, -4.0]), t.init(np.zeros(2)))
>>> u                               # sigma_0 = |g_0|
array([ 1., -1.])
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import _checks
from ._support import divide_zero_by_zero_is_zero, transformation, zeros
from .base import GradientTransformation, Params, Updates
from .namespace import ops_for, scalar_sqrt, select
from .rules import with_rule

__all__ = [
    "AdamState",
    "SumState",
    "RmsState",
    "scale_by_adam",
    "scale_by_adagrad",
    "scale_by_adagrad_lecture",
    "scale_by_rms",
    "scale_by_rms_lecture",
]


class AdamState(NamedTuple):
    """State of :func:`scale_by_adam`.

    The moments are kept as exponentially weighted *sums*, which saves two array operations
    per step: ``m_sum`` :math:`= \\sum_{k \\le t} \\beta_1^{t-k} u_k = m_t / (1 - \\beta_1)` and
    ``v_sum`` :math:`= \\sum_{k \\le t} \\beta_2^{t-k} u_k^2 = v_t / (1 - \\beta_2)`, with
    :math:`m_t, v_t` the moving averages of the rule (PyTorch's ``exp_avg``,
    ``exp_avg_sq``). ``v_sum_max`` is the running maximum of ``v_sum`` (amsgrad), else None.
    """

    count: Any
    m_sum: Any
    v_sum: Any
    v_sum_max: Any


class SumState(NamedTuple):
    """``count``: updates made so far; ``sum_of_squares``: :math:`s_{t-1}`."""

    count: Any
    sum_of_squares: Any


class RmsState(NamedTuple):
    """``count``: updates so far; ``square_avg``: :math:`v_{t-1}` (lecture form:
    :math:`\\sigma_{t-1}^2`); ``grad_avg``: :math:`\\bar{u}_{t-1}` when centered, else None."""

    count: Any
    square_avg: Any
    grad_avg: Any


def _root_plus_eps(ops, value, epsilon, inside: bool, like, out):
    """sqrt(value + eps) when ``inside``, else sqrt(value) + eps, written into ``out``
    (eps lifted into ``like``'s number type, so exact arrays stay exact)."""
    if inside:
        out = ops.add(value, ops.lift(epsilon, like), out=out)
        return ops.sqrt(out, out=out)
    out = ops.sqrt(value, out=out)
    if epsilon:
        out += ops.lift(epsilon, like)
    return out


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
    With ``eps = 0`` a coordinate whose inputs have all been 0 so far gives 0/0 = NaN, as in
    PyTorch; keep ``eps > 0`` unless the gradient never vanishes.

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

    def init(params: Params) -> AdamState:
        return AdamState(0, zeros(params), zeros(params), zeros(params) if keep_max else None)

    def update(updates: Updates, state: AdamState, params: Params | None = None,
               factor: float = 1.0, donate: bool = False) -> tuple[Updates, AdamState]:
        ops = ops_for(updates)
        count = state.count + 1
        # the scalars in the arithmetic of the arrays: float64 for NumPy and JAX, exact
        # (or 60-digit) for object arrays, so that 1 - beta^t is the true bias correction
        b1, b2 = ops.lift(beta1, updates), ops.lift(beta2, updates)
        m_sum = ops.multiply(state.m_sum, b1, out=state.m_sum if donate else None)
        m_sum += updates
        v_sum = ops.multiply(state.v_sum, b2, out=state.v_sum if donate else None)
        result = ops.multiply(updates, updates)
        v_sum += result
        v_sum_max = None
        if keep_max:
            v_sum_max = ops.maximum(state.v_sum_max, v_sum,
                                    out=state.v_sum_max if donate else None)
            result = ops.sqrt(v_sum_max, out=result)
        else:
            result = ops.sqrt(v_sum, out=result)
        k = scalar_sqrt((1 - b2) / (1 - b2 ** count))
        if epsilon:
            result += ops.lift(epsilon, updates) / k
        result = ops.divide(m_sum, result, out=result)
        result *= factor * (1 - b1) / ((1 - b1 ** count) * k)
        return result, AdamState(count, m_sum, v_sum, v_sum_max)

    # chain() passes the next learning-rate factor in, saving one pass over the arrays
    return transformation(init, update, accepts_factor=True)


@with_rule("scale_by_adagrad")
def scale_by_adagrad(initial_accumulator_value: float = 0.0, eps: float = 1e-10,
                     eps_in_sqrt: bool = False,
                     rate_first: bool = False) -> GradientTransformation:
    """Divide by the root of the running sum of squares plus eps (PyTorch's ``Adagrad``).

    {rule}

    With ``eps_in_sqrt`` the scale is :math:`\\sqrt{s_t + \\epsilon}` instead (optax's
    ``scale_by_rss``, Keras ``Adagrad``). With ``rate_first`` a following
    :func:`scale_by_learning_rate` is folded in by :func:`~symopt.optim.chain` and applied
    before the division, :math:`(-\\eta u_t) / \\sigma_t`, which rounds as PyTorch's
    ``addcdiv`` does (it costs one more array per step, so it is off by default).

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
    inside = _checks.flag("eps_in_sqrt", eps_in_sqrt)
    fold = _checks.flag("rate_first", rate_first)

    def init(params: Params) -> SumState:
        ops = ops_for(params)
        return SumState(0, ops.full_like(params, ops.lift(start, params)))

    def update(updates: Updates, state: SumState, params: Params | None = None,
               factor: Any = None, donate: bool = False) -> tuple[Updates, SumState]:
        ops = ops_for(updates)
        result = ops.multiply(updates, updates)
        total = ops.add(state.sum_of_squares, result,
                        out=state.sum_of_squares if donate else None)
        result = _root_plus_eps(ops, total, epsilon, inside, updates, out=result)
        # (factor u) / sigma, PyTorch's addcdiv order: the learning rate is folded in here
        numerator = updates if factor is None else ops.multiply(updates, factor)
        result = ops.divide(numerator, result, out=result)
        return result, SumState(state.count + 1, total)

    # with rate_first, chain() passes the next learning-rate factor in
    return transformation(init, update, accepts_factor=fold)


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
        return SumState(0, zeros(params))

    def update(updates: Updates, state: SumState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, SumState]:
        ops = ops_for(updates)
        sigma = ops.multiply(updates, updates)
        total = ops.add(state.sum_of_squares, sigma,
                        out=state.sum_of_squares if donate else None)
        sigma = ops.multiply(total, ops.lift(1, updates) / (state.count + 1), out=sigma)
        sigma = ops.sqrt(sigma, out=sigma)
        return divide_zero_by_zero_is_zero(updates, sigma), SumState(state.count + 1, total)

    return transformation(init, update)


@with_rule("scale_by_rms")
def scale_by_rms(alpha: float = 0.99, eps: float = 1e-8, centered: bool = False,
                 eps_in_sqrt: bool = False) -> GradientTransformation:
    """RMSprop's scale as in PyTorch: moving average of squares, eps outside the root.

    {rule}

    With ``eps_in_sqrt`` the scale is :math:`\\sqrt{v_t + \\epsilon}` (centered:
    :math:`\\sqrt{v_t - \\bar{u}_t^2 + \\epsilon}`) instead, as optax's ``rmsprop`` default,
    Keras and TensorFlow write it.

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
    inside = _checks.flag("eps_in_sqrt", eps_in_sqrt)

    def init(params: Params) -> RmsState:
        return RmsState(0, zeros(params), zeros(params) if is_centered else None)

    def update(updates: Updates, state: RmsState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, RmsState]:
        ops = ops_for(updates)
        alpha_ = ops.lift(decay, updates)
        weight = 1 - alpha_
        square_avg = ops.multiply(state.square_avg, alpha_,
                                  out=state.square_avg if donate else None)
        result = ops.multiply(updates, weight)
        result *= updates
        square_avg += result
        grad_avg = None
        if is_centered:
            # grad_avg + weight * (u - grad_avg), PyTorch's lerp
            grad_avg = ops.subtract(updates, state.grad_avg)
            grad_avg *= weight
            grad_avg += state.grad_avg
            result = ops.multiply(grad_avg, grad_avg, out=result)
            variance = result = ops.subtract(square_avg, result, out=result)
        else:
            variance = square_avg
        # result holds nothing needed any more: reuse it
        result = _root_plus_eps(ops, variance, epsilon, inside, updates, out=result)
        result = ops.divide(updates, result, out=result)
        return result, RmsState(state.count + 1, square_avg, grad_avg)

    return transformation(init, update)


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

    def init(params: Params) -> RmsState:
        return RmsState(0, zeros(params), None)

    def update(updates: Updates, state: RmsState, params: Params | None = None,
               donate: bool = False) -> tuple[Updates, RmsState]:
        ops = ops_for(updates)
        square = ops.multiply(updates, updates)
        # sigma_0^2 = u_0^2; later a moving average (the weights are 1, 0 at t = 0)
        first = state.count == 0
        alpha_ = ops.lift(decay, updates)
        square *= select(first, 1, 1 - alpha_)
        square += ops.multiply(state.square_avg, select(first, 0, alpha_))
        sigma = ops.sqrt(square)
        return (divide_zero_by_zero_is_zero(updates, sigma),
                RmsState(state.count + 1, square, None))

    return transformation(init, update)
