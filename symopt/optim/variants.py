"""The variant catalogue: every known form of SGD, Adagrad, RMSprop, Adam and AdamW, by name.

The same optimizer name means different rules in different frameworks: eps inside or outside
the square root, Adagrad's initial accumulator, weight decay coupled or decoupled, Nesterov
written in several forms, bias correction on or off. Each form here is a *variant* named
``family:variant`` (``adam:torch``, ``rmsprop:eps-inside-sqrt``, ...), with its exact rule as
LaTeX (``RULES["adam:torch"]``, registered into :data:`symopt.optim.RULES`) and its source.

Every rule is written once, over an *array namespace* ``xp`` that supplies the few functions
a rule needs beyond ``+ - * /`` and ``**`` (``sqrt``, ``maximum``, ``zeros_like``,
``full_like``, ``divide_or_zero``, ``asarray``, ``scalar``). :data:`NUMPY` runs a rule in
float64; :mod:`symopt.crosscheck` passes exact namespaces (rationals, or mpmath at 60 digits)
so that the truth of a step is computed by the very same definition.

Hyper-parameters are read from one mapping with the keys ``lr, b1, b2, eps, alpha, momentum,
dampening, weight_decay, lr_decay``; :func:`hyperparams_for` fills in each family's PyTorch
defaults. What a variant *fixes* (eps placement, initial accumulator, bias correction,
Nesterov, centering) is part of its name and never read from the mapping.

>>> import numpy as np
>>> opt = VARIANTS["adam:torch"].build(NUMPY, hyperparams_for("adam", {"lr": 0.1}))
>>> x = np.array([1.0, -2.0])
>>> u, state = opt.update(np.array([3.0, -4.0]), opt.init(x), x)
>>> np.round(u, 6)                   # Adam's first step: -lr * sign(g), up to eps
array([-0.1,  0.1])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np

from .base import GradientTransformation

__all__ = ["Variant", "VARIANTS", "VARIANT_RULES", "FAMILIES", "NUMPY", "NumpyNamespace",
           "hyperparams_for", "variants_of"]

Hyper = Mapping[str, float]

#: PyTorch's defaults for each family (``lr`` aside, which the caller must give).
FAMILY_DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0},
    "adagrad": {"eps": 1e-10, "weight_decay": 0.0, "lr_decay": 0.0},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "weight_decay": 0.0},
    "adam": {"b1": 0.9, "b2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"b1": 0.9, "b2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
}
FAMILIES: tuple[str, ...] = tuple(FAMILY_DEFAULTS)


def hyperparams_for(family: str, given: Hyper) -> dict[str, float]:
    """The family's PyTorch defaults, overridden by ``given`` (which must hold ``lr``).

    Examples
    --------
    >>> hyperparams_for("rmsprop", {"lr": 0.01})["alpha"]
    0.99
    """
    if family not in FAMILY_DEFAULTS:
        raise ValueError(f"unknown optimizer family {family!r}; choose one of "
                         f"{', '.join(FAMILIES)}")
    if "lr" not in given:
        raise ValueError("the hyper-parameters need a learning rate; pass e.g. {'lr': 1e-3}")
    merged = dict(FAMILY_DEFAULTS[family])
    merged.update({key: float(value) for key, value in given.items()})
    return merged


# -- namespaces ------------------------------------------------------------------------------
class NumpyNamespace:
    """The float64 namespace: rules run on NumPy arrays, as a framework would."""

    name = "float64"

    @staticmethod
    def asarray(values: Any) -> np.ndarray:
        return np.array(values, dtype=np.float64)

    @staticmethod
    def scalar(value: float) -> float:
        return float(value)

    zeros_like = staticmethod(lambda x: np.zeros(np.shape(x), dtype=np.float64))
    full_like = staticmethod(lambda x, v: np.full(np.shape(x), v, dtype=np.float64))
    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)
    abs = staticmethod(np.abs)

    @staticmethod
    def divide_or_zero(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        result = np.zeros(np.shape(numerator), dtype=np.float64)
        np.divide(numerator, denominator, out=result, where=denominator != 0)
        return result


NUMPY = NumpyNamespace()


# -- the records -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One known form of an optimizer.

    Attributes
    ----------
    name : str
        ``family:variant``.
    family : str
        ``sgd``, ``adagrad``, ``rmsprop``, ``adam`` or ``adamw``.
    rule : str
        The exact update rule as LaTeX (also ``symopt.optim.RULES[name]``).
    sqrt_free : bool
        True when the rule uses only ``+ - * /`` (exact rational arithmetic is possible).
    lecture : tuple of str
        ``(eta, sigma, m)``: the learning rate, the scale and the direction of the lecture's
        unified rule :math:`\\theta_i \\leftarrow \\theta_i - (\\eta^t / \\sigma_i^t) m_i^t`.
    build : callable
        ``build(xp, hyperparams) -> GradientTransformation`` in the namespace ``xp``.
    """

    name: str
    family: str
    rule: str
    sqrt_free: bool
    lecture: tuple[str, str, str]
    build: Callable[[Any, Hyper], GradientTransformation]

    @property
    def doc(self) -> str:
        """The first paragraph of the defining function's docstring (its source)."""
        text = (self.build.__doc__ or "").strip()
        return " ".join(text.split("\n\n")[0].split())


VARIANTS: dict[str, Variant] = {}
VARIANT_RULES: dict[str, str] = {}


def _variant(name: str, rule: str, lecture: tuple[str, str, str],
             sqrt_free: bool = False) -> Callable:
    def register(build: Callable) -> Callable:
        family = name.split(":")[0]
        VARIANTS[name] = Variant(name, family, rule, sqrt_free, lecture, build)
        VARIANT_RULES[name] = rule
        return build
    return register


def variants_of(selector: str | None) -> list[Variant]:
    """All variants (None), a family's (``"adam"``) or the one named (``"adam:torch"``).

    Examples
    --------
    >>> [v.name for v in variants_of("adamw")]
    ['adamw:torch', 'adamw:coupled', 'adamw:unscaled']
    """
    if selector is None:
        return list(VARIANTS.values())
    if selector in VARIANTS:
        return [VARIANTS[selector]]
    chosen = [v for v in VARIANTS.values() if v.family == selector]
    if not chosen:
        raise ValueError(f"unknown variant or family {selector!r}; choose a family "
                         f"({', '.join(FAMILIES)}) or a variant such as 'adam:torch' "
                         "(symopt.optim.variants.VARIANTS lists them)")
    return chosen


def _h(xp: Any, hp: Hyper, *keys: str) -> list[Any]:
    return [xp.scalar(hp[key]) for key in keys]


def _transform(init: Callable, update: Callable) -> GradientTransformation:
    return GradientTransformation(init, update)


def _decayed(xp: Any, grads: Any, params: Any, decay: Any) -> Any:
    """:math:`g + \\lambda \\theta` (L2 weight decay added to the gradient)."""
    return grads + decay * params if decay else grads


# -- SGD -------------------------------------------------------------------------------------
class MomentumState(NamedTuple):
    """``count``: steps made; ``buffer``: the momentum (or velocity) kept between steps."""

    count: int
    buffer: Any


_G = r"\tilde{g}_t = g_t + \lambda \theta_t"
_SGD_LECTURE = (r"\eta", "1", r"\tilde{g}_t")
_MOMENTUM_LECTURE = (r"\eta", "1", r"b_t")


def _torch_sgd(xp: Any, hp: Hyper, *, momentum: bool, dampening: bool,
               nesterov: bool) -> GradientTransformation:
    lr, mu, tau, decay = _h(xp, hp, "lr", "momentum", "dampening", "weight_decay")
    mu = mu if momentum else xp.scalar(0.0)
    tau = tau if dampening else xp.scalar(0.0)

    def init(params: Any) -> MomentumState:
        return MomentumState(0, xp.zeros_like(params))

    def update(grads: Any, state: MomentumState, params: Any = None) -> tuple[Any, MomentumState]:
        g = _decayed(xp, grads, params, decay)
        buffer = g if state.count == 0 else mu * state.buffer + (1 - tau) * g
        direction = g + mu * buffer if nesterov else buffer
        return -lr * direction, MomentumState(state.count + 1, buffer)

    return _transform(init, update)


@_variant("sgd:plain", _G + r", \quad \theta_{t+1} = \theta_t - \eta \tilde{g}_t",
          _SGD_LECTURE, sqrt_free=True)
def sgd_plain(xp: Any, hp: Hyper) -> GradientTransformation:
    """Plain gradient descent (PyTorch ``SGD`` with ``momentum=0``; ``optax.sgd``; Keras
    ``SGD``), momentum ignored. Sources: PyTorch documentation of ``torch.optim.SGD``."""
    return _torch_sgd(xp, hp, momentum=False, dampening=False, nesterov=False)


_TORCH_BUFFER = (r"b_0 = \tilde{g}_0, \quad b_t = \mu b_{t-1} + (1 - \tau) \tilde{g}_t")


@_variant("sgd:momentum", _G + r", \quad b_0 = \tilde{g}_0, \quad b_t = \mu b_{t-1} + "
          r"\tilde{g}_t, \quad \theta_{t+1} = \theta_t - \eta b_t", _MOMENTUM_LECTURE,
          sqrt_free=True)
def sgd_momentum(xp: Any, hp: Hyper) -> GradientTransformation:
    """Heavy-ball momentum as PyTorch's ``SGD(momentum=mu)`` without dampening; ``optax.sgd``
    with ``momentum`` (its ``trace`` starts from 0, the same buffer). Source: PyTorch
    documentation of ``torch.optim.SGD`` (Sutskever et al. 2013 form)."""
    return _torch_sgd(xp, hp, momentum=True, dampening=False, nesterov=False)


@_variant("sgd:dampening", _G + r", \quad " + _TORCH_BUFFER
          + r", \quad \theta_{t+1} = \theta_t - \eta b_t", _MOMENTUM_LECTURE, sqrt_free=True)
def sgd_dampening(xp: Any, hp: Hyper) -> GradientTransformation:
    """PyTorch's ``SGD(momentum=mu, dampening=tau)``: the first buffer is the undamped
    gradient, later gradients are scaled by :math:`1 - \\tau`. Source: PyTorch documentation
    of ``torch.optim.SGD``."""
    return _torch_sgd(xp, hp, momentum=True, dampening=True, nesterov=False)


@_variant("sgd:nesterov-torch", _G + r", \quad b_0 = \tilde{g}_0, \quad b_t = \mu b_{t-1} + "
          r"\tilde{g}_t, \quad \theta_{t+1} = \theta_t - \eta (\tilde{g}_t + \mu b_t)",
          (r"\eta", "1", r"\tilde{g}_t + \mu b_t"), sqrt_free=True)
def sgd_nesterov_torch(xp: Any, hp: Hyper) -> GradientTransformation:
    """Nesterov momentum as PyTorch's ``SGD(nesterov=True)`` and ``optax.sgd(nesterov=True)``:
    the step is the gradient plus :math:`\\mu` times the new buffer. Source: PyTorch
    documentation of ``torch.optim.SGD``; optax documentation of ``trace``."""
    return _torch_sgd(xp, hp, momentum=True, dampening=False, nesterov=True)


@_variant("sgd:nesterov-keras", _G + r", \quad v_{-1} = 0, \quad v_t = \mu v_{t-1} - \eta "
          r"\tilde{g}_t, \quad \theta_{t+1} = \theta_t + \mu v_t - \eta \tilde{g}_t",
          (r"\eta", "1", r"\tilde{g}_t - \mu v_t / \eta"), sqrt_free=True)
def sgd_nesterov_keras(xp: Any, hp: Hyper) -> GradientTransformation:
    """Nesterov momentum written with a velocity that already holds the learning rate, as
    Keras ``SGD(nesterov=True)`` documents it (Bengio, Boulanger-Lewandowski & Pascanu 2013,
    "Advances in optimizing recurrent networks", eq. 7). With a constant learning rate it
    equals ``sgd:nesterov-torch``; with a schedule it does not."""
    lr, mu, decay = _h(xp, hp, "lr", "momentum", "weight_decay")

    def init(params: Any) -> MomentumState:
        return MomentumState(0, xp.zeros_like(params))

    def update(grads: Any, state: MomentumState, params: Any = None) -> tuple[Any, MomentumState]:
        g = _decayed(xp, grads, params, decay)
        velocity = mu * state.buffer - lr * g
        return mu * velocity - lr * g, MomentumState(state.count + 1, velocity)

    return _transform(init, update)


@_variant("sgd:lecture-momentum", r"m_0 = 0, \quad m_{t+1} = \lambda m_t - \eta g_t, \quad "
          r"\theta_{t+1} = \theta_t + m_{t+1}", (r"\eta", "1", r"-m_{t+1} / \eta"),
          sqrt_free=True)
def sgd_lecture_momentum(xp: Any, hp: Hyper) -> GradientTransformation:
    """The lecture's momentum (week 2, section 3): the movement is the previous movement
    times :math:`\\lambda` (= ``momentum``) minus :math:`\\eta g`. Keras ``SGD(momentum=...)``
    documents the same velocity form. Equals ``sgd:momentum`` for a constant rate."""
    lr, mu, decay = _h(xp, hp, "lr", "momentum", "weight_decay")

    def init(params: Any) -> MomentumState:
        return MomentumState(0, xp.zeros_like(params))

    def update(grads: Any, state: MomentumState, params: Any = None) -> tuple[Any, MomentumState]:
        movement = mu * state.buffer - lr * _decayed(xp, grads, params, decay)
        return movement, MomentumState(state.count + 1, movement)

    return _transform(init, update)


# -- Adagrad ---------------------------------------------------------------------------------
class SumState(NamedTuple):
    """``count``: steps made; ``total``: the running sum of squared gradients."""

    count: int
    total: Any


def _adagrad(xp: Any, hp: Hyper, *, initial: float, eps_inside: bool) -> GradientTransformation:
    lr, eps, decay, lr_decay = _h(xp, hp, "lr", "eps", "weight_decay", "lr_decay")
    start = xp.scalar(initial)

    def init(params: Any) -> SumState:
        return SumState(0, xp.full_like(params, start))

    def update(grads: Any, state: SumState, params: Any = None) -> tuple[Any, SumState]:
        g = _decayed(xp, grads, params, decay)
        total = state.total + g * g
        rate = lr / (1 + state.count * lr_decay)
        scale = xp.sqrt(total + eps) if eps_inside else xp.sqrt(total) + eps
        return -rate * (g / scale), SumState(state.count + 1, total)

    return _transform(init, update)


_ADAGRAD = (_G + r", \quad s_t = s_{t-1} + \tilde{g}_t^2, \quad s_{-1} = %s, \quad "
            r"\theta_{t+1} = \theta_t - \frac{\eta}{1 + t \delta} \frac{\tilde{g}_t}{%s}")
_ADAGRAD_LECTURE = (r"\eta / (1 + t \delta)", r"%s", r"\tilde{g}_t")


@_variant("adagrad:initial-0", _ADAGRAD % ("0", r"\sqrt{s_t} + \epsilon"),
          (_ADAGRAD_LECTURE[0], r"\sqrt{s_t} + \epsilon", _ADAGRAD_LECTURE[2]))
def adagrad_initial_0(xp: Any, hp: Hyper) -> GradientTransformation:
    """Adagrad as PyTorch's ``Adagrad`` with its default ``initial_accumulator_value=0``, eps
    outside the square root. Sources: PyTorch documentation of ``torch.optim.Adagrad``;
    Duchi, Hazan & Singer 2011."""
    return _adagrad(xp, hp, initial=0.0, eps_inside=False)


@_variant("adagrad:initial-0.1", _ADAGRAD % ("0.1", r"\sqrt{s_t} + \epsilon"),
          (_ADAGRAD_LECTURE[0], r"\sqrt{s_t} + \epsilon", _ADAGRAD_LECTURE[2]))
def adagrad_initial_01(xp: Any, hp: Hyper) -> GradientTransformation:
    """Adagrad whose accumulator starts at 0.1, eps outside the square root: PyTorch's
    ``Adagrad(initial_accumulator_value=0.1)``. Source: PyTorch documentation of
    ``torch.optim.Adagrad``."""
    return _adagrad(xp, hp, initial=0.1, eps_inside=False)


@_variant("adagrad:eps-inside-sqrt", _ADAGRAD % ("0.1", r"\sqrt{s_t + \epsilon}"),
          (_ADAGRAD_LECTURE[0], r"\sqrt{s_t + \epsilon}", _ADAGRAD_LECTURE[2]))
def adagrad_eps_inside(xp: Any, hp: Hyper) -> GradientTransformation:
    """Adagrad with the accumulator starting at 0.1 and eps inside the square root: optax's
    ``adagrad`` (``scale_by_rss``, default ``initial_accumulator_value=0.1``, ``eps=1e-7``)
    and Keras ``Adagrad``. Sources: optax and Keras API documentation."""
    return _adagrad(xp, hp, initial=0.1, eps_inside=True)


@_variant("adagrad:lecture", r"\sigma_t = \sqrt{\frac{1}{t+1} \sum_{k=0}^{t} g_k^2}, \quad "
          r"\theta_{t+1} = \theta_t - \frac{\eta}{\sigma_t} g_t",
          (r"\eta", r"\sqrt{\frac{1}{t+1} \sum_{k \le t} g_k^2}", "g_t"))
def adagrad_lecture(xp: Any, hp: Hyper) -> GradientTransformation:
    """The lecture's Adagrad (week 2, section 4): divide by the root mean square of all
    gradients so far, no eps (0/0 is taken as 0)."""
    lr = xp.scalar(hp["lr"])

    def init(params: Any) -> SumState:
        return SumState(0, xp.zeros_like(params))

    def update(grads: Any, state: SumState, params: Any = None) -> tuple[Any, SumState]:
        total = state.total + grads * grads
        sigma = xp.sqrt(total / (state.count + 1))
        return -lr * xp.divide_or_zero(grads, sigma), SumState(state.count + 1, total)

    return _transform(init, update)


# -- RMSprop ---------------------------------------------------------------------------------
class RmsState(NamedTuple):
    """``count``; ``square_avg`` :math:`v`; ``grad_avg`` :math:`\\bar{g}`; ``buffer`` (momentum)."""

    count: int
    square_avg: Any
    grad_avg: Any
    buffer: Any


def _rmsprop(xp: Any, hp: Hyper, *, eps_inside: bool, centered: bool) -> GradientTransformation:
    lr, alpha, eps, mu, decay = _h(xp, hp, "lr", "alpha", "eps", "momentum", "weight_decay")

    def init(params: Any) -> RmsState:
        zero = xp.zeros_like(params)
        return RmsState(0, zero, zero, zero)

    def update(grads: Any, state: RmsState, params: Any = None) -> tuple[Any, RmsState]:
        g = _decayed(xp, grads, params, decay)
        square_avg = alpha * state.square_avg + (1 - alpha) * (g * g)
        grad_avg = alpha * state.grad_avg + (1 - alpha) * g if centered else state.grad_avg
        variance = square_avg - grad_avg * grad_avg if centered else square_avg
        sigma = xp.sqrt(variance + eps) if eps_inside else xp.sqrt(variance) + eps
        buffer = mu * state.buffer + g / sigma if mu else g / sigma
        return -lr * buffer, RmsState(state.count + 1, square_avg, grad_avg, buffer)

    return _transform(init, update)


_RMS = (_G + r", \quad v_t = \alpha v_{t-1} + (1 - \alpha) \tilde{g}_t^2, \quad v_{-1} = 0"
        r"%s, \quad b_t = \mu b_{t-1} + \frac{\tilde{g}_t}{%s}, \quad b_{-1} = 0, \quad "
        r"\theta_{t+1} = \theta_t - \eta b_t")
_CENTER = (r", \quad \bar{g}_t = \alpha \bar{g}_{t-1} + (1 - \alpha) \tilde{g}_t, \quad "
           r"\bar{g}_{-1} = 0")


@_variant("rmsprop:torch", _RMS % ("", r"\sqrt{v_t} + \epsilon"),
          (r"\eta", r"\sqrt{v_t} + \epsilon", r"\tilde{g}_t \ (\text{momentum: } b_t \sigma_t)"))
def rmsprop_torch(xp: Any, hp: Hyper) -> GradientTransformation:
    """RMSprop as PyTorch's ``RMSprop``: eps outside the square root, momentum accumulating
    the scaled gradient; optax's ``rmsprop(eps_in_sqrt=False)``. Sources: PyTorch
    documentation of ``torch.optim.RMSprop``; Hinton's lecture 6e (2012)."""
    return _rmsprop(xp, hp, eps_inside=False, centered=False)


@_variant("rmsprop:eps-inside-sqrt", _RMS % ("", r"\sqrt{v_t + \epsilon}"),
          (r"\eta", r"\sqrt{v_t + \epsilon}", r"\tilde{g}_t \ (\text{momentum: } b_t \sigma_t)"))
def rmsprop_eps_inside(xp: Any, hp: Hyper) -> GradientTransformation:
    """RMSprop with eps inside the square root: optax's ``rmsprop`` default
    (``eps_in_sqrt=True``), Keras ``RMSprop`` and TensorFlow's ``ApplyRMSProp``. Sources:
    optax documentation of ``rmsprop`` (its warning on eps placement); TensorFlow raw-ops
    documentation of ``ApplyRMSProp``."""
    return _rmsprop(xp, hp, eps_inside=True, centered=False)


@_variant("rmsprop:centered", _RMS % (_CENTER, r"\sqrt{v_t - \bar{g}_t^2} + \epsilon"),
          (r"\eta", r"\sqrt{v_t - \bar{g}_t^2} + \epsilon", r"\tilde{g}_t"))
def rmsprop_centered(xp: Any, hp: Hyper) -> GradientTransformation:
    """Centered RMSprop as PyTorch's ``RMSprop(centered=True)``: divide by the root of the
    variance estimate, eps outside. Sources: PyTorch documentation; Graves 2013,
    "Generating sequences with recurrent neural networks", eq. 38-41."""
    return _rmsprop(xp, hp, eps_inside=False, centered=True)


@_variant("rmsprop:centered-eps-inside-sqrt",
          _RMS % (_CENTER, r"\sqrt{v_t - \bar{g}_t^2 + \epsilon}"),
          (r"\eta", r"\sqrt{v_t - \bar{g}_t^2 + \epsilon}", r"\tilde{g}_t"))
def rmsprop_centered_eps_inside(xp: Any, hp: Hyper) -> GradientTransformation:
    """Centered RMSprop with eps inside the square root: optax's ``rmsprop(centered=True)``
    (``scale_by_stddev``), Keras ``RMSprop(centered=True)``, TensorFlow's
    ``ApplyCenteredRMSProp``. Sources: optax, Keras and TensorFlow documentation."""
    return _rmsprop(xp, hp, eps_inside=True, centered=True)


@_variant("rmsprop:lecture", r"\sigma_0 = |g_0|, \quad \sigma_t = \sqrt{\alpha "
          r"\sigma_{t-1}^2 + (1 - \alpha) g_t^2}, \quad \theta_{t+1} = \theta_t - "
          r"\frac{\eta}{\sigma_t} g_t", (r"\eta", r"\sigma_t", "g_t"))
def rmsprop_lecture(xp: Any, hp: Hyper) -> GradientTransformation:
    """The lecture's RMSProp (week 2, section 4): the scale starts at :math:`|g_0|`, no eps
    (0/0 is taken as 0)."""
    lr, alpha = _h(xp, hp, "lr", "alpha")

    def init(params: Any) -> RmsState:
        zero = xp.zeros_like(params)
        return RmsState(0, zero, zero, zero)

    def update(grads: Any, state: RmsState, params: Any = None) -> tuple[Any, RmsState]:
        square = grads * grads
        square_avg = square if state.count == 0 else alpha * state.square_avg + (1 - alpha) * square
        step = xp.divide_or_zero(grads, xp.sqrt(square_avg))
        return -lr * step, RmsState(state.count + 1, square_avg, state.grad_avg, state.buffer)

    return _transform(init, update)


# -- Adam and AdamW --------------------------------------------------------------------------
class AdamState(NamedTuple):
    """``count``; the moments ``m``, ``v``; ``v_max`` the running maximum of ``v``."""

    count: int
    m: Any
    v: Any
    v_max: Any


def _adam(xp: Any, hp: Hyper, *, bias_correction: bool = True, eps: str = "outside",
          amsgrad: bool = False, decay: str = "coupled") -> GradientTransformation:
    """Adam with the choices of every catalogued form.

    ``eps``: ``"outside"`` :math:`\\hat m / (\\sqrt{\\hat v} + \\epsilon)`, ``"inside"``
    :math:`\\hat m / \\sqrt{\\hat v + \\epsilon}`, ``"uncorrected"`` (eps added to
    :math:`\\sqrt{v_t}` before the bias correction). ``decay``: ``"coupled"`` (added to the
    gradient), ``"decoupled"`` (:math:`-\\eta\\lambda\\theta`), ``"unscaled"``
    (:math:`-\\lambda\\theta`).
    """
    lr, b1, b2, epsilon, weight_decay = _h(xp, hp, "lr", "b1", "b2", "eps", "weight_decay")

    def init(params: Any) -> AdamState:
        zero = xp.zeros_like(params)
        return AdamState(0, zero, zero, zero)

    def update(grads: Any, state: AdamState, params: Any = None) -> tuple[Any, AdamState]:
        t = state.count + 1
        g = _decayed(xp, grads, params, weight_decay) if decay == "coupled" else grads
        m = state.m + (1 - b1) * (g - state.m)          # = b1 m + (1 - b1) g
        v = b2 * state.v + ((1 - b2) * g) * g
        v_max = xp.maximum(state.v_max, v) if amsgrad else v
        c1, c2 = (1 - b1 ** t, 1 - b2 ** t) if bias_correction else (1, 1)
        if eps == "outside":                  # = -lr (m / c1) / (sqrt(v / c2) + eps)
            result = -(lr / c1) * (m / (xp.sqrt(v_max) / xp.sqrt(xp.scalar(c2)) + epsilon))
        elif eps == "inside":
            result = -lr * ((m / c1) / xp.sqrt(v_max / c2 + epsilon))
        else:
            result = -(lr * xp.sqrt(xp.scalar(c2)) / c1) * (m / (xp.sqrt(v_max) + epsilon))
        if weight_decay and decay == "decoupled":
            result = result - lr * weight_decay * params
        elif weight_decay and decay == "unscaled":
            result = result - weight_decay * params
        return result, AdamState(t, m, v, v_max)

    return _transform(init, update)


_MOMENTS = (r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) \tilde{g}_t, \quad v_t = \beta_2 v_{t-1} "
            r"+ (1 - \beta_2) \tilde{g}_t^2, \quad m_{-1} = v_{-1} = 0, \quad "
            r"\hat{m}_t = \frac{m_t}{1 - \beta_1^{t+1}}, \quad "
            r"\hat{v}_t = \frac{v_t}{1 - \beta_2^{t+1}}, \quad ")
_ADAM_LECTURE = (r"\eta", r"\sqrt{\hat{v}_t} + \epsilon", r"\hat{m}_t")


@_variant("adam:torch", _G + r", \quad " + _MOMENTS + r"\theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}", _ADAM_LECTURE)
def adam_torch(xp: Any, hp: Hyper) -> GradientTransformation:
    """Adam as PyTorch's ``Adam`` (weight decay added to the gradient) and optax's ``adam``:
    bias-corrected moments, eps outside the square root. Sources: Kingma & Ba 2015,
    Algorithm 1; PyTorch documentation of ``torch.optim.Adam``; optax ``scale_by_adam``."""
    return _adam(xp, hp)


@_variant("adam:no-bias-correction", _G + r", \quad m_t, v_t \text{ as Adam}, \quad "
          r"\theta_{t+1} = \theta_t - \eta \frac{m_t}{\sqrt{v_t} + \epsilon}",
          (r"\eta", r"\sqrt{v_t} + \epsilon", "m_t"))
def adam_no_bias_correction(xp: Any, hp: Hyper) -> GradientTransformation:
    """Adam without bias correction (RMSprop with momentum on the raw moments). Source:
    Kingma & Ba 2015, section 3, which explains why the correction is needed."""
    return _adam(xp, hp, bias_correction=False)


@_variant("adam:eps-inside-sqrt", _G + r", \quad " + _MOMENTS + r"\theta_{t+1} = \theta_t - "
          r"\eta \frac{\hat{m}_t}{\sqrt{\hat{v}_t + \epsilon}}",
          (r"\eta", r"\sqrt{\hat{v}_t + \epsilon}", r"\hat{m}_t"))
def adam_eps_inside(xp: Any, hp: Hyper) -> GradientTransformation:
    """Adam with eps inside the square root; optax's ``adam(eps=0, eps_root=eps)``. Source:
    optax documentation of ``scale_by_adam`` (``eps_root``)."""
    return _adam(xp, hp, eps="inside")


@_variant("adam:keras", _G + r", \quad m_t, v_t \text{ as Adam}, \quad \theta_{t+1} = "
          r"\theta_t - \eta \frac{\sqrt{1 - \beta_2^{t+1}}}{1 - \beta_1^{t+1}} "
          r"\frac{m_t}{\sqrt{v_t} + \hat{\epsilon}}",
          (r"\eta \sqrt{1 - \beta_2^{t+1}} / (1 - \beta_1^{t+1})",
           r"\sqrt{v_t} + \hat{\epsilon}", "m_t"))
def adam_keras(xp: Any, hp: Hyper) -> GradientTransformation:
    """Adam with eps added to the uncorrected :math:`\\sqrt{v_t}` (":math:`\\hat\\epsilon`"),
    the efficient form at the end of Kingma & Ba 2015, section 2, used by Keras ``Adam`` and
    TensorFlow's ``ApplyAdam``. Sources: Kingma & Ba 2015; TensorFlow raw-ops
    documentation of ``ApplyAdam``."""
    return _adam(xp, hp, eps="uncorrected")


@_variant("adam:amsgrad", _G + r", \quad " + _MOMENTS + r"\hat{v}^{\max}_t = \frac{\max_{k "
          r"\le t} v_k}{1 - \beta_2^{t+1}}, \quad \theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}^{\max}_t} + \epsilon}",
          (r"\eta", r"\sqrt{\hat{v}^{\max}_t} + \epsilon", r"\hat{m}_t"))
def adam_amsgrad(xp: Any, hp: Hyper) -> GradientTransformation:
    """AMSGrad as PyTorch's ``Adam(amsgrad=True)``: the running maximum of the raw
    :math:`v_t`, then bias-corrected. Sources: Reddi, Kale & Kumar 2018; PyTorch
    documentation of ``torch.optim.Adam``."""
    return _adam(xp, hp, amsgrad=True)


_ADAMW_MOMENTS = _MOMENTS.replace(r"\tilde{g}_t", "g_t")


@_variant("adamw:torch", _ADAMW_MOMENTS + r"\theta_{t+1} = \theta_t - \eta \left("
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon} + \lambda \theta_t \right)",
          (r"\eta", r"\sqrt{\hat{v}_t} + \epsilon", r"\hat{m}_t + \lambda \theta_t \sigma_t"))
def adamw_torch(xp: Any, hp: Hyper) -> GradientTransformation:
    """AdamW with decoupled weight decay scaled by the learning rate: PyTorch's ``AdamW``,
    optax's ``adamw`` and Keras ``AdamW``. Sources: Loshchilov & Hutter 2019, Algorithm 2
    (with the schedule multiplier equal to the learning rate); PyTorch and optax docs."""
    return _adam(xp, hp, decay="decoupled")


@_variant("adamw:coupled", _G + r", \quad " + _MOMENTS + r"\theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}", _ADAM_LECTURE)
def adamw_coupled(xp: Any, hp: Hyper) -> GradientTransformation:
    """"AdamW" that adds the decay to the gradient (L2 regularisation, PyTorch's
    ``Adam(weight_decay=...)``), the form Loshchilov & Hutter 2019 show to differ from
    decoupled decay."""
    return _adam(xp, hp, decay="coupled")


@_variant("adamw:unscaled", _ADAMW_MOMENTS + r"\theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon} - \lambda \theta_t",
          (r"\eta", r"\sqrt{\hat{v}_t} + \epsilon", r"\hat{m}_t + \lambda \theta_t "
           r"\sigma_t / \eta"))
def adamw_unscaled(xp: Any, hp: Hyper) -> GradientTransformation:
    """Decoupled weight decay not multiplied by the learning rate: Loshchilov & Hutter 2019,
    Algorithm 2, with the schedule multiplier :math:`\\eta_t = 1` (the decay is
    :math:`\\lambda\\theta`, independent of :math:`\\alpha`)."""
    return _adam(xp, hp, decay="unscaled")
