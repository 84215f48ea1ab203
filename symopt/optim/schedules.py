"""Learning-rate schedules: callables from the step count t = 0, 1, 2, ... to the learning rate.

Every schedule here is a :class:`Schedule` carrying its exact rule (``.rule``, LaTeX from
:data:`symopt.optim.rules.RULES`). :func:`as_schedule` turns what a user passes as ``lr`` (a
positive number, a :class:`Schedule`, or any callable of the step) into a schedule, once, when
an optimizer is built; a plain callable is checked at every call.

Step ``t`` is the index of the update the rate is used for, so ``t = 0`` is the first update.
This matches PyTorch's schedulers when ``scheduler.step()`` is called once after every
``optimizer.step()``: ``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR`` (within its first
period), ``LinearLR`` and ``LambdaLR`` give the same rates, see ``tests/test_schedules.py``.

>>> from symopt.optim import schedules
>>> s = schedules.step_decay(0.1, step_size=2, gamma=0.5)
>>> [s(t) for t in range(5)]
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Callable

import numpy as np

from . import _checks
from .namespace import is_traced, select
from .rules import SCHEDULES, with_rule

__all__ = [
    "Schedule",
    "as_schedule",
    "constant",
    "step_decay",
    "exponential",
    "cosine",
    "linear_warmup",
    "warmup_cosine",
    "transformer",
]

_LR_HINT = "Pass a positive number such as lr=1e-3, or a schedule such as cosine(1e-2, 1000)."


class Schedule:
    """A learning rate as a function of the step count, with its name, rule and parameters.

    Parameters
    ----------
    function : callable
        ``function(t) -> float`` for ``t = 0, 1, 2, ...``.
    name : str
        Key of the rule in :data:`~symopt.optim.rules.RULES` (``"callable"`` for user functions).
    params : dict
        The hyper-parameters, shown by ``repr``.
    constant_value : float, optional
        Set when the rate never changes, so optimizers can skip the call.
    rule : str, optional
        LaTeX of the rule when ``name`` is not a key of the registry.

    Examples
    --------
    >>> s = constant(0.5)
    >>> s(0), s(10), s.constant_value
    (0.5, 0.5, 0.5)
    >>> s
    constant(lr=0.5)
    """

    __slots__ = ("_function", "name", "rule", "params", "constant_value")

    def __init__(self, function: Callable[[int], float], name: str, params: dict[str, Any],
                 constant_value: float | None = None, rule: str | None = None) -> None:
        self._function = function
        self.name = name
        self.rule: str = rule or SCHEDULES.get(name, r"\eta_t = \mathrm{lr}(t)")
        self.params = dict(params)
        self.constant_value = constant_value

    def __call__(self, step: int) -> float:
        if is_traced(step):            # a step count traced by JAX (inside symopt.run)
            return self._function(step)
        if step < 0:
            raise ValueError(f"schedule step must be >= 0 (steps count from 0); got {step!r}")
        return self._function(step)

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.name}({args})"


def _cos(angle: Any) -> Any:
    """``cos`` of a Python number, or of a traced JAX scalar."""
    if is_traced(angle):
        import jax.numpy as jnp
        return jnp.cos(angle)
    return math.cos(angle)


def _checked_callable(function: Callable[[int], Any]) -> Callable[[int], float]:
    """Wrap a user callable so every value it returns is checked."""

    def checked(step: int) -> float:
        if is_traced(step):          # inside a compiled JAX run: the function must trace
            return function(step)
        value = function(step)
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"the learning-rate callable returned {value!r} (type "
                            f"{type(value).__name__}) at step {step}; it must return a number, "
                            "the learning rate of that step")
        number = float(value)
        if not (math.isfinite(number) and number >= 0):
            raise ValueError(f"the learning-rate callable returned {number!r} at step {step}; "
                             "it must return a finite number >= 0. Check its formula at that "
                             "step")
        return number

    return checked


def as_schedule(lr: Any, name: str = "lr") -> Schedule:
    """Turn a learning-rate argument into a :class:`Schedule` (done once, at construction).

    Parameters
    ----------
    lr : float or Schedule or callable
        A positive finite number (a constant rate), a :class:`Schedule`, or any callable
        ``lr(t)`` of the integer step ``t >= 0`` returning a finite number ``>= 0``. A callable
        is called once here with ``t = 0`` so mistakes show up when the optimizer is built,
        and its value is checked at every later call.
    name : str
        The argument's name, for messages.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> as_schedule(0.1)
    constant(lr=0.1)
    >>> s = as_schedule(lambda t: 1.0 / (t + 1))
    >>> s(3)
    0.25
    >>> as_schedule(-1.0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be positive; got -1.0. Pass a positive number such as lr=1e-3, or a schedule such as cosine(1e-2, 1000).
    """
    if isinstance(lr, Schedule):
        return lr
    if callable(lr) and not isinstance(lr, (Real, np.ndarray)):
        checked = _checked_callable(lr)
        checked(0)
        return Schedule(checked, "callable", {"function": lr})
    if isinstance(lr, np.ndarray) and lr.shape == ():
        lr = lr[()]
    if isinstance(lr, bool) or not isinstance(lr, Real):
        raise TypeError(f"{name} must be a positive number or a schedule (a callable of the "
                        f"step); got {lr!r} of type {type(lr).__name__}. {_LR_HINT}")
    return constant(_checks.positive(name, lr, _LR_HINT))


@with_rule("constant")
def constant(lr: float) -> Schedule:
    """The same learning rate at every step.

    {rule}

    Examples
    --------
    >>> constant(0.01)(123)
    0.01
    """
    value = _checks.positive("lr", lr, _LR_HINT)
    return Schedule(lambda step: value, "constant", {"lr": value}, constant_value=value)


@with_rule("step_decay")
def step_decay(lr: float, step_size: int, gamma: float) -> Schedule:
    """Multiply the rate by ``gamma`` every ``step_size`` steps (PyTorch's ``StepLR``).

    {rule}

    Parameters
    ----------
    lr : float
        Rate of the first ``step_size`` steps.
    step_size : int
        Steps between decays, :math:`s \\ge 1`.
    gamma : float
        Factor per decay, :math:`\\gamma > 0` (usually below 1).

    Examples
    --------
    >>> s = step_decay(1.0, step_size=10, gamma=0.1)
    >>> s(9), s(10), s(25)
    (1.0, 0.1, 0.010000000000000002)
    """
    lr = _checks.positive("lr", lr, _LR_HINT)
    step_size = _checks.positive_int("step_size", step_size, "Pass e.g. step_size=30.")
    gamma = _checks.positive("gamma", gamma, "Pass e.g. gamma=0.1.")
    return Schedule(lambda step: lr * gamma ** (step // step_size), "step_decay",
                    {"lr": lr, "step_size": step_size, "gamma": gamma})


@with_rule("exponential")
def exponential(lr: float, gamma: float) -> Schedule:
    """Multiply the rate by ``gamma`` every step (PyTorch's ``ExponentialLR``).

    {rule}

    Examples
    --------
    >>> s = exponential(1.0, gamma=0.5)
    >>> [s(t) for t in range(4)]
    [1.0, 0.5, 0.25, 0.125]
    """
    lr = _checks.positive("lr", lr, _LR_HINT)
    gamma = _checks.positive("gamma", gamma, "Pass e.g. gamma=0.99.")
    return Schedule(lambda step: lr * gamma ** step, "exponential", {"lr": lr, "gamma": gamma})


def _check_min_lr(min_lr: Any, lr: float) -> float:
    value = _checks.non_negative("min_lr", min_lr, "Pass e.g. min_lr=0.")
    if value > lr:
        raise ValueError(f"min_lr must not exceed lr; got min_lr={value!r} > lr={lr!r}. "
                         "Pass a smaller min_lr (the rate the schedule ends at).")
    return value


@with_rule("cosine")
def cosine(lr: float, total_steps: int, min_lr: float = 0.0) -> Schedule:
    """Half a cosine from ``lr`` at step 0 down to ``min_lr`` at ``total_steps``.

    {rule}

    Past the end (:math:`t \\ge T`) the rate **stays at** ``min_lr``. PyTorch's
    ``CosineAnnealingLR`` instead continues periodically (it rises again after ``T_max``); the
    two agree for :math:`0 \\le t \\le T`.

    Parameters
    ----------
    lr : float
        Rate at step 0.
    total_steps : int
        :math:`T \\ge 1`, the step at which ``min_lr`` is reached.
    min_lr : float
        Final rate, :math:`0 \\le \\eta_{\\min} \\le \\eta`.

    Examples
    --------
    >>> s = cosine(1.0, total_steps=4)
    >>> [round(s(t), 12) for t in range(6)]
    [1.0, 0.853553390593, 0.5, 0.146446609407, 0.0, 0.0]
    """
    lr = _checks.positive("lr", lr, _LR_HINT)
    total = _checks.positive_int("total_steps", total_steps, "Pass e.g. total_steps=1000.")
    low = _check_min_lr(min_lr, lr)

    def rate(step: int) -> float:
        # past the end the cosine stays at cos(pi) = -1, i.e. exactly at min_lr
        fraction = select(step >= total, 1.0, step / total)
        return low + (lr - low) * (1 + _cos(math.pi * fraction)) / 2

    return Schedule(rate, "cosine", {"lr": lr, "total_steps": total, "min_lr": low})


@with_rule("linear_warmup")
def linear_warmup(lr: float, warmup_steps: int, start: float = 0.0) -> Schedule:
    """Rise linearly from ``start`` at step 0 to ``lr`` at ``warmup_steps``, then stay there.

    {rule}

    PyTorch's ``LinearLR(start_factor=start / lr, end_factor=1, total_iters=W)`` gives the same
    rates (PyTorch needs ``start > 0``; here ``start = 0`` is allowed, so the first update is a
    no-op).

    Parameters
    ----------
    lr : float
        Rate from step ``warmup_steps`` on.
    warmup_steps : int
        :math:`W \\ge 1`.
    start : float
        :math:`\\eta_0 \\ge 0`, the rate at step 0.

    Examples
    --------
    >>> s = linear_warmup(1.0, warmup_steps=4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    lr = _checks.positive("lr", lr, _LR_HINT)
    warmup = _checks.positive_int("warmup_steps", warmup_steps, "Pass e.g. warmup_steps=100.")
    first = _checks.non_negative("start", start, "Pass e.g. start=0.")

    def rate(step: int) -> float:
        return select(step >= warmup, lr, first + (lr - first) * step / warmup)

    return Schedule(rate, "linear_warmup", {"lr": lr, "warmup_steps": warmup, "start": first})


@with_rule("warmup_cosine")
def warmup_cosine(lr: float, warmup_steps: int, total_steps: int,
                  min_lr: float = 0.0) -> Schedule:
    """Linear warm-up from 0 to ``lr`` over ``warmup_steps``, then cosine decay to ``min_lr``.

    {rule}

    The rate is 0 at step 0 when ``warmup_steps > 0``, reaches ``lr`` at step :math:`W`, and
    ``min_lr`` at step :math:`T` = ``total_steps``, where it then stays (as :func:`cosine`).

    Examples
    --------
    >>> s = warmup_cosine(1.0, warmup_steps=2, total_steps=6)
    >>> [round(s(t), 12) for t in range(8)]
    [0.0, 0.5, 1.0, 0.853553390593, 0.5, 0.146446609407, 0.0, 0.0]
    """
    lr = _checks.positive("lr", lr, _LR_HINT)
    warmup = _checks.non_negative_int("warmup_steps", warmup_steps, "Pass e.g. warmup_steps=100.")
    total = _checks.positive_int("total_steps", total_steps, "Pass e.g. total_steps=1000.")
    if total <= warmup:
        raise ValueError(f"total_steps must exceed warmup_steps; got total_steps={total} <= "
                         f"warmup_steps={warmup}. The decay runs from warmup_steps to "
                         "total_steps.")
    low = _check_min_lr(min_lr, lr)

    def rate(step: int) -> float:
        fraction = select(step >= total, 1.0, (step - warmup) / (total - warmup))
        decayed = low + (lr - low) * (1 + _cos(math.pi * fraction)) / 2
        return select(step < warmup, lr * step / max(warmup, 1), decayed)

    return Schedule(rate, "warmup_cosine",
                    {"lr": lr, "warmup_steps": warmup, "total_steps": total, "min_lr": low})


@with_rule("transformer")
def transformer(d_model: int, warmup_steps: int, scale: float = 1.0) -> Schedule:
    """The Transformer's warm-up then inverse-square-root decay (Vaswani et al. 2017, eq. 3).

    {rule}

    With :math:`d` = ``d_model``, :math:`W` = ``warmup_steps``, :math:`c` = ``scale``. The paper
    counts steps from 1, so its step number is :math:`t + 1`; the peak is at :math:`t + 1 = W`.

    Examples
    --------
    >>> s = transformer(d_model=64, warmup_steps=4)
    >>> s(0), s(3), s(15)
    (0.015625, 0.0625, 0.03125)
    """
    d = _checks.positive("d_model", d_model, "Pass the model width, e.g. d_model=512.")
    warmup = _checks.positive_int("warmup_steps", warmup_steps, "Pass e.g. warmup_steps=4000.")
    factor = _checks.positive("scale", scale, "Pass e.g. scale=1.")
    peak = factor * d ** -0.5
    ramp = warmup ** -1.5

    def rate(step: int) -> float:
        s = step + 1
        rising = s * ramp
        falling = s ** -0.5
        return peak * select(rising < falling, rising, falling)

    return Schedule(rate, "transformer", {"d_model": d_model, "warmup_steps": warmup,
                                          "scale": factor})
