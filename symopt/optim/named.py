"""Named optimizers: the lecture's forms and PyTorch's forms, each a short chain of transforms.

Every function takes the learning rate first (a positive number, a
:class:`~symopt.optim.schedules.Schedule`, or any callable of the step ``t = 0, 1, ...``),
validates its hyper-parameters at once, and returns a
:class:`~symopt.optim.base.NamedOptimizer` whose ``.rule`` is ``RULES[name]``, the exact update
rule as LaTeX (also printed in each docstring below).

The PyTorch forms (``sgd``, ``adagrad``, ``rmsprop``, ``adam``, ``adamw``) reproduce
``torch.optim`` (2.x, ``maximize=False``) step for step; ``tests/test_optim.py`` holds them to
1e-12 of stored PyTorch trajectories.

>>> import numpy as np
>>> from symopt import optim
>>> opt = optim.adam(0.1)
>>> x = np.array([1.0, -1.0])
>>> state = opt.init(x)
>>> for _ in range(100):
...     updates, state = opt.update(2 * x, state, x)      # gradient of |x|^2
...     x = optim.apply_updates(x, updates)
>>> bool(np.abs(x).max() < 0.05)
True
"""

from __future__ import annotations

from typing import Any

from . import _checks
from . import transforms as T
from .base import BUILDERS, GradientTransformation, NamedOptimizer, chain, named
from .rules import OPTIMIZERS, with_rule
from .schedules import Schedule, as_schedule

__all__ = [
    "gd",
    "momentum",
    "sgd",
    "adagrad_lecture",
    "adagrad",
    "rmsprop_lecture",
    "rmsprop",
    "adam",
    "adamw",
]

LearningRate = float | Schedule | Any


def _build(name: str, parts: list[GradientTransformation], **hyperparams: Any) -> NamedOptimizer:
    return named(chain(*parts), name, OPTIMIZERS[name], **hyperparams)


def _only_if_set(**flags: bool) -> dict[str, bool]:
    """The flags that are on: an optimizer's repr names a non-default form only."""
    return {key: value for key, value in flags.items() if value}


def _betas(betas: Any) -> tuple[float, float]:
    hint = "Typical betas are (0.9, 0.999)."
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise TypeError(f"betas must be a pair (beta1, beta2); got {betas!r}. {hint}") from None
    return (_checks.in_unit_interval("betas[0]", b1, hint),
            _checks.in_unit_interval("betas[1]", b2, hint))


@with_rule("gd")
def gd(lr: LearningRate) -> NamedOptimizer:
    """Plain gradient descent.

    {rule}

    Examples
    --------
    >>> import numpy as np
    >>> opt = gd(0.25)
    >>> opt.update(np.array([4.0]), opt.init(np.zeros(1)))[0]
    array([-1.])
    """
    schedule = as_schedule(lr)
    return _build("gd", [T.scale_by_learning_rate(schedule)], lr=schedule)


@with_rule("momentum")
def momentum(lr: LearningRate, decay: float) -> NamedOptimizer:
    """The lecture's momentum: the step is the negative gradient plus the previous movement.

    {rule}

    With :math:`\\lambda` = ``decay``. The learning rate multiplies the gradient *before* it
    enters the movement :math:`m`, as in the lecture; for a constant rate this equals
    :func:`sgd` with ``momentum=decay, dampening=0`` (:math:`m_{t+1} = -\\eta b_t`).

    Examples
    --------
    >>> import numpy as np
    >>> opt = momentum(0.1, decay=0.5)
    >>> s = opt.init(np.zeros(1))
    >>> u, s = opt.update(np.array([1.0]), s)
    >>> u, s = opt.update(np.array([1.0]), s)
    >>> u                              # 0.5 * (-0.1) - 0.1
    array([-0.15])
    """
    schedule = as_schedule(lr)
    lam = _checks.in_unit_interval("decay", decay, "Pass e.g. decay=0.9.")
    return _build("momentum", [T.scale_by_learning_rate(schedule), T.trace(lam)],
                  lr=schedule, decay=lam)


@with_rule("sgd")
def sgd(lr: LearningRate, momentum: float = 0.0, dampening: float = 0.0,
        nesterov: bool = False, weight_decay: float = 0.0) -> NamedOptimizer:
    """Stochastic gradient descent as ``torch.optim.SGD``.

    {rule}

    With :math:`\\mu` = ``momentum``, :math:`\\tau` = ``dampening``, :math:`\\lambda` =
    ``weight_decay``. The first momentum buffer is the (decayed) gradient itself, undamped.

    Examples
    --------
    >>> import numpy as np
    >>> opt = sgd(0.1, momentum=0.9, nesterov=True)
    >>> u, s = opt.update(np.array([1.0]), opt.init(np.zeros(1)))
    >>> u                              # -0.1 * (1 + 0.9 * 1)
    array([-0.19])
    """
    schedule = as_schedule(lr)
    mu = _checks.in_unit_interval("momentum", momentum, "Pass e.g. momentum=0.9.")
    tau = _checks.in_unit_interval("dampening", dampening, "Pass e.g. dampening=0.",
                                   closed=True)
    nesterov = _checks.flag("nesterov", nesterov)
    decay = _checks.non_negative("weight_decay", weight_decay, "Pass e.g. weight_decay=1e-4.")
    if nesterov and (mu == 0 or tau != 0):
        raise ValueError(f"nesterov=True needs momentum > 0 and dampening = 0; got momentum="
                         f"{momentum!r}, dampening={dampening!r}. Pass e.g. momentum=0.9, "
                         "dampening=0, or nesterov=False.")
    parts = [T.add_decayed_weights(decay)] if decay else []
    if mu:
        parts.append(T.trace(mu, tau, nesterov))
    parts.append(T.scale_by_learning_rate(schedule))
    return _build("sgd", parts, lr=schedule, momentum=mu, dampening=tau, nesterov=nesterov,
                  weight_decay=decay)


@with_rule("adagrad_lecture")
def adagrad_lecture(lr: LearningRate) -> NamedOptimizer:
    """The lecture's Adagrad: divide by the root mean square of all gradients so far.

    {rule}

    Division by zero: :math:`\\sigma_t = 0` only when every gradient of that coordinate so far
    was 0 (or their squares underflowed); the update of such a coordinate is **0** (0/0 is
    taken as 0). There is no eps. With the schedule :math:`\\eta_t = \\eta / \\sqrt{t+1}` this is
    :func:`adagrad` with ``eps=0``.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adagrad_lecture(0.1)
    >>> u, s = opt.update(np.array([-3.0, 0.0]), opt.init(np.zeros(2)))
    >>> u                              # a sign step; the zero gradient gives 0
    array([ 0.1, -0. ])
    """
    schedule = as_schedule(lr)
    return _build("adagrad_lecture",
                  [T.scale_by_adagrad_lecture(), T.scale_by_learning_rate(schedule)],
                  lr=schedule)


@with_rule("adagrad")
def adagrad(lr: LearningRate, lr_decay: float = 0.0, weight_decay: float = 0.0,
            initial_accumulator_value: float = 0.0, eps: float = 1e-10,
            eps_in_sqrt: bool = False) -> NamedOptimizer:
    """Adagrad as ``torch.optim.Adagrad``.

    {rule}

    With :math:`\\delta` = ``lr_decay``, :math:`\\lambda` = ``weight_decay``,
    :math:`s_{\\mathrm{init}}` = ``initial_accumulator_value``; :math:`\\eta_t` is the
    (scheduled) learning rate, :math:`\\epsilon` sits outside the square root (inside with
    ``eps_in_sqrt=True``: :math:`\\sqrt{s_t + \\epsilon}`, as optax and Keras write it).

    Examples
    --------
    >>> import numpy as np
    >>> opt = adagrad(1.0, eps=0.0)
    >>> u, s = opt.update(np.array([2.0]), opt.init(np.zeros(1)))
    >>> u
    array([-1.])
    """
    schedule = as_schedule(lr)
    delta = _checks.non_negative("lr_decay", lr_decay, "Pass e.g. lr_decay=0.")
    decay = _checks.non_negative("weight_decay", weight_decay, "Pass e.g. weight_decay=0.")
    rate = adagrad_rate(schedule, delta)
    parts = [T.add_decayed_weights(decay)] if decay else []
    parts += [T.scale_by_adagrad(initial_accumulator_value, eps, eps_in_sqrt),
              T.scale_by_learning_rate(rate)]
    return _build("adagrad", parts, lr=schedule, lr_decay=delta, weight_decay=decay,
                  initial_accumulator_value=float(initial_accumulator_value), eps=float(eps),
                  **_only_if_set(eps_in_sqrt=bool(eps_in_sqrt)))


def adagrad_rate(schedule: Schedule, lr_decay: float) -> Schedule:
    """Adagrad's learning rate :math:`\\eta_t / (1 + t \\delta)` (PyTorch's ``lr_decay``)."""
    if not lr_decay:
        return schedule
    return Schedule(lambda step: schedule(step) / (1 + step * lr_decay), "adagrad_lr",
                    {"lr": schedule, "lr_decay": lr_decay}, rule=r"\eta_t / (1 + t \delta)")


@with_rule("rmsprop_lecture")
def rmsprop_lecture(lr: LearningRate, alpha: float) -> NamedOptimizer:
    """The lecture's RMSProp: a moving root mean square that starts at :math:`|g_0|`.

    {rule}

    Division by zero: :math:`\\sigma_t = 0` only when every gradient of that coordinate so far
    was 0 (or their squares underflowed); the update of such a coordinate is **0** (0/0 is
    taken as 0). There is no eps. This equals :func:`rmsprop` with ``eps=0`` whose square
    average starts at :math:`g_0^2` instead of 0.

    Examples
    --------
    >>> import numpy as np
    >>> opt = rmsprop_lecture(0.1, alpha=0.9)
    >>> u, s = opt.update(np.array([5.0]), opt.init(np.zeros(1)))
    >>> u                              # sigma_0 = |g_0|: a step of exactly lr
    array([-0.1])
    """
    schedule = as_schedule(lr)
    a = _checks.in_unit_interval("alpha", alpha, "Pass e.g. alpha=0.9.")
    return _build("rmsprop_lecture",
                  [T.scale_by_rms_lecture(a), T.scale_by_learning_rate(schedule)],
                  lr=schedule, alpha=a)


@with_rule("rmsprop")
def rmsprop(lr: LearningRate, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
            momentum: float = 0.0, centered: bool = False,
            eps_in_sqrt: bool = False) -> NamedOptimizer:
    """RMSprop as ``torch.optim.RMSprop``.

    {rule}

    With :math:`\\lambda` = ``weight_decay``, :math:`\\mu` = ``momentum``; :math:`\\epsilon`
    sits outside the square root (inside with ``eps_in_sqrt=True``, as optax's default, Keras
    and TensorFlow write it); the momentum buffer starts at 0 and accumulates the *scaled*
    gradient.

    Examples
    --------
    >>> import numpy as np
    >>> opt = rmsprop(0.01, alpha=0.99, eps=0.0)
    >>> u, s = opt.update(np.array([3.0]), opt.init(np.zeros(1)))
    >>> np.round(u, 12)                # -0.01 * 3 / sqrt(0.01 * 9)
    array([-0.1])
    """
    schedule = as_schedule(lr)
    mu = _checks.in_unit_interval("momentum", momentum, "Pass e.g. momentum=0.9.")
    decay = _checks.non_negative("weight_decay", weight_decay, "Pass e.g. weight_decay=0.")
    parts = [T.add_decayed_weights(decay)] if decay else []
    parts.append(T.scale_by_rms(alpha, eps, centered, eps_in_sqrt))
    if mu:
        parts.append(T.trace(mu))
    parts.append(T.scale_by_learning_rate(schedule))
    return _build("rmsprop", parts, lr=schedule, alpha=float(alpha), eps=float(eps),
                  weight_decay=decay, momentum=mu, centered=bool(centered),
                  **_only_if_set(eps_in_sqrt=bool(eps_in_sqrt)))


@with_rule("adam")
def adam(lr: LearningRate, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
         weight_decay: float = 0.0, amsgrad: bool = False) -> NamedOptimizer:
    """Adam as ``torch.optim.Adam``: bias-corrected moments, eps outside the square root.

    {rule}

    With :math:`\\lambda` = ``weight_decay`` (L2: added to the gradient). See
    :func:`~symopt.optim.transforms.scale_by_adam`.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adam(0.1)
    >>> u, s = opt.update(np.array([2.0, -7.0]), opt.init(np.zeros(2)))
    >>> np.round(u, 6)                 # first step: -lr * sign(g), up to eps
    array([-0.1,  0.1])
    """
    schedule = as_schedule(lr)
    b1, b2 = _betas(betas)
    decay = _checks.non_negative("weight_decay", weight_decay, "Pass e.g. weight_decay=0.")
    parts = [T.add_decayed_weights(decay)] if decay else []
    parts += [T.scale_by_adam(b1, b2, eps, amsgrad), T.scale_by_learning_rate(schedule)]
    return _build("adam", parts, lr=schedule, betas=(b1, b2), eps=float(eps),
                  weight_decay=decay, amsgrad=bool(amsgrad))


@with_rule("adamw")
def adamw(lr: LearningRate, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 1e-2, amsgrad: bool = False) -> NamedOptimizer:
    """AdamW as ``torch.optim.AdamW``: Adam with decoupled weight decay.

    {rule}

    With :math:`\\lambda` = ``weight_decay``: the decay :math:`\\eta_t \\lambda \\theta_t` is
    applied to the parameters directly (Loshchilov & Hutter 2019), not through the moments.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adamw(0.1, weight_decay=0.5)
    >>> x = np.array([2.0])
    >>> u, s = opt.update(np.array([1.0]), opt.init(x), x)
    >>> np.round(u, 6)                 # -0.1 * (1 + 0.5 * 2)
    array([-0.2])
    """
    schedule = as_schedule(lr)
    b1, b2 = _betas(betas)
    decay = _checks.non_negative("weight_decay", weight_decay, "Pass e.g. weight_decay=1e-2.")
    parts = [T.scale_by_adam(b1, b2, eps, amsgrad)]
    if decay:
        parts.append(T.add_decayed_weights(decay))
    parts.append(T.scale_by_learning_rate(schedule))
    return _build("adamw", parts, lr=schedule, betas=(b1, b2), eps=float(eps),
                  weight_decay=decay, amsgrad=bool(amsgrad))


BUILDERS.update({name: globals()[name] for name in __all__})
