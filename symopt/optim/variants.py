"""The variant catalogue: every known form of SGD, Adagrad, RMSprop, Adam and AdamW, by name.

The same optimizer name means different rules in different frameworks: eps inside or outside
the square root, Adagrad's initial accumulator, weight decay coupled or decoupled, Nesterov
written in several forms, bias correction on or off. Each form here is a *variant* named
``family:variant`` (``adam:torch``, ``rmsprop:eps-inside-sqrt``, ...), with its exact rule as
LaTeX (``RULES["adam:torch"]``, registered into :data:`symopt.optim.RULES`) and its source.

Every variant is **one definition**, ``build(hyperparams) -> GradientTransformation``, and
that transformation runs in whatever namespace its arrays bring
(:mod:`symopt.optim.namespace`): float64 NumPy arrays as a framework would, JAX arrays, or
object arrays of exact numbers (:mod:`symopt.crosschecking.exact`), where every scalar of the
rule, bias corrections included, is computed in the exact arithmetic. The truth of a step is
thus computed by the same definition that runs in float64.

Most variants *are* symopt's own transforms, chained (:func:`symopt.optim.sgd`,
:func:`~symopt.optim.rmsprop`, :func:`~symopt.optim.adagrad`, :func:`~symopt.optim.trace`,
...). The Adam family is the exception: a float64 implementation is identified by how its
rounding matches, to a few ulps, so its variants evaluate the rule in the operation order of
the framework they name (:func:`_adam`, ``order="torch"`` or ``"optax"``), while
:func:`symopt.optim.adam` uses a faster order of its own that lies 6 to 8 ulps from both.

Hyper-parameters are read from one mapping with the keys ``lr, b1, b2, eps, alpha, momentum,
dampening, weight_decay, lr_decay``; :func:`hyperparams_for` fills in each family's PyTorch
defaults. What a variant *fixes* (eps placement, initial accumulator, bias correction,
Nesterov, centering, operation order) is part of its name and never read from the mapping.

>>> import numpy as np
>>> opt = VARIANTS["adam:torch"].build(hyperparams_for("adam", {"lr": 0.1}))
>>> x = np.array([1.0, -2.0])
>>> u, state = opt.update(np.array([3.0, -4.0]), opt.init(x), x)
>>> np.round(u, 6)                   # Adam's first step: -lr * sign(g), up to eps
array([-0.1,  0.1])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple

from . import named
from . import transforms as T
from .base import GradientTransformation, chain
from .namespace import ops_for, scalar_sqrt
from .schedules import as_schedule

__all__ = ["Variant", "VARIANTS", "VARIANT_RULES", "FAMILIES", "hyperparams_for",
           "variants_of"]

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
        ``build(hyperparams) -> GradientTransformation``; it runs in the namespace of the
        arrays it is given (float64, JAX, exact).
    """

    name: str
    family: str
    rule: str
    sqrt_free: bool
    lecture: tuple[str, str, str]
    build: Callable[[Hyper], GradientTransformation]

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
    ['adamw:torch', 'adamw:optax', 'adamw:coupled', 'adamw:unscaled']
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


def _decay(hp: Hyper) -> list[GradientTransformation]:
    """:math:`g + \\lambda \\theta` (L2 weight decay added to the gradient), if any."""
    return [T.add_decayed_weights(hp["weight_decay"])] if hp["weight_decay"] else []


# -- SGD -------------------------------------------------------------------------------------
_G = r"\tilde{g}_t = g_t + \lambda \theta_t"
_SGD_LECTURE = (r"\eta", "1", r"\tilde{g}_t")
_MOMENTUM_LECTURE = (r"\eta", "1", r"b_t")


def _sgd(hp: Hyper, *, momentum: bool, dampening: bool = False,
         nesterov: bool = False) -> GradientTransformation:
    """PyTorch's SGD: :func:`symopt.optim.trace` between the decay and the learning rate."""
    mu = hp["momentum"] if momentum else 0.0
    tau = hp["dampening"] if dampening else 0.0
    direction = [T.trace(mu, tau, nesterov)] if mu or nesterov else []
    return chain(*_decay(hp), *direction, T.scale_by_learning_rate(hp["lr"]))


@_variant("sgd:plain", _G + r", \quad \theta_{t+1} = \theta_t - \eta \tilde{g}_t",
          _SGD_LECTURE, sqrt_free=True)
def sgd_plain(hp: Hyper) -> GradientTransformation:
    """Plain gradient descent (PyTorch ``SGD`` with ``momentum=0``; ``optax.sgd``; Keras
    ``SGD``), momentum ignored. Sources: PyTorch documentation of ``torch.optim.SGD``."""
    return _sgd(hp, momentum=False)


_TORCH_BUFFER = (r"b_0 = \tilde{g}_0, \quad b_t = \mu b_{t-1} + (1 - \tau) \tilde{g}_t")


@_variant("sgd:momentum", _G + r", \quad b_0 = \tilde{g}_0, \quad b_t = \mu b_{t-1} + "
          r"\tilde{g}_t, \quad \theta_{t+1} = \theta_t - \eta b_t", _MOMENTUM_LECTURE,
          sqrt_free=True)
def sgd_momentum(hp: Hyper) -> GradientTransformation:
    """Heavy-ball momentum as PyTorch's ``SGD(momentum=mu)`` without dampening; ``optax.sgd``
    with ``momentum`` (its ``trace`` starts from 0, the same buffer). Source: PyTorch
    documentation of ``torch.optim.SGD`` (Sutskever et al. 2013 form)."""
    return _sgd(hp, momentum=True)


@_variant("sgd:dampening", _G + r", \quad " + _TORCH_BUFFER
          + r", \quad \theta_{t+1} = \theta_t - \eta b_t", _MOMENTUM_LECTURE, sqrt_free=True)
def sgd_dampening(hp: Hyper) -> GradientTransformation:
    """PyTorch's ``SGD(momentum=mu, dampening=tau)``: the first buffer is the undamped
    gradient, later gradients are scaled by :math:`1 - \\tau`. Source: PyTorch documentation
    of ``torch.optim.SGD``."""
    return _sgd(hp, momentum=True, dampening=True)


@_variant("sgd:nesterov-torch", _G + r", \quad b_0 = \tilde{g}_0, \quad b_t = \mu b_{t-1} + "
          r"\tilde{g}_t, \quad \theta_{t+1} = \theta_t - \eta (\tilde{g}_t + \mu b_t)",
          (r"\eta", "1", r"\tilde{g}_t + \mu b_t"), sqrt_free=True)
def sgd_nesterov_torch(hp: Hyper) -> GradientTransformation:
    """Nesterov momentum as PyTorch's ``SGD(nesterov=True)`` and ``optax.sgd(nesterov=True)``:
    the step is the gradient plus :math:`\\mu` times the new buffer. Source: PyTorch
    documentation of ``torch.optim.SGD``; optax documentation of ``trace``."""
    return _sgd(hp, momentum=True, nesterov=True)


@_variant("sgd:nesterov-keras", _G + r", \quad v_{-1} = 0, \quad v_t = \mu v_{t-1} - \eta "
          r"\tilde{g}_t, \quad \theta_{t+1} = \theta_t + \mu v_t - \eta \tilde{g}_t",
          (r"\eta", "1", r"\tilde{g}_t - \mu v_t / \eta"), sqrt_free=True)
def sgd_nesterov_keras(hp: Hyper) -> GradientTransformation:
    """Nesterov momentum written with a velocity that already holds the learning rate, as
    Keras ``SGD(nesterov=True)`` documents it (Bengio, Boulanger-Lewandowski & Pascanu 2013,
    "Advances in optimizing recurrent networks", eq. 7). With a constant learning rate it
    equals ``sgd:nesterov-torch``; with a schedule it does not."""
    # the learning rate first: trace then keeps v_t = mu v_{t-1} - eta g_t and returns
    # mu v_t - eta g_t (its Nesterov output)
    return chain(*_decay(hp), T.scale_by_learning_rate(hp["lr"]),
                 T.trace(hp["momentum"], 0.0, True))


@_variant("sgd:lecture-momentum", r"m_0 = 0, \quad m_{t+1} = \lambda m_t - \eta g_t, \quad "
          r"\theta_{t+1} = \theta_t + m_{t+1}", (r"\eta", "1", r"-m_{t+1} / \eta"),
          sqrt_free=True)
def sgd_lecture_momentum(hp: Hyper) -> GradientTransformation:
    """The lecture's momentum (week 2, section 3): the movement is the previous movement
    times :math:`\\lambda` (= ``momentum``) minus :math:`\\eta g`. Keras ``SGD(momentum=...)``
    documents the same velocity form. Equals ``sgd:momentum`` for a constant rate. This is
    :func:`symopt.optim.momentum`."""
    return chain(*_decay(hp), T.scale_by_learning_rate(hp["lr"]), T.trace(hp["momentum"]))


# -- Adagrad ---------------------------------------------------------------------------------
def _adagrad(hp: Hyper, *, initial: float, eps_inside: bool) -> GradientTransformation:
    """:func:`symopt.optim.adagrad`'s chain with the form's initial accumulator and eps
    placement, the learning rate applied before the division as PyTorch's ``addcdiv``."""
    rate = named.adagrad_rate(as_schedule(hp["lr"]), hp["lr_decay"])
    return chain(*_decay(hp), T.scale_by_adagrad(initial, hp["eps"], eps_inside, rate_first=True),
                 T.scale_by_learning_rate(rate))


_ADAGRAD = (_G + r", \quad s_t = s_{t-1} + \tilde{g}_t^2, \quad s_{-1} = %s, \quad "
            r"\theta_{t+1} = \theta_t - \frac{\eta}{1 + t \delta} \frac{\tilde{g}_t}{%s}")
_ADAGRAD_LECTURE = (r"\eta / (1 + t \delta)", r"%s", r"\tilde{g}_t")


@_variant("adagrad:initial-0", _ADAGRAD % ("0", r"\sqrt{s_t} + \epsilon"),
          (_ADAGRAD_LECTURE[0], r"\sqrt{s_t} + \epsilon", _ADAGRAD_LECTURE[2]))
def adagrad_initial_0(hp: Hyper) -> GradientTransformation:
    """Adagrad as PyTorch's ``Adagrad`` with its default ``initial_accumulator_value=0``, eps
    outside the square root. Sources: PyTorch documentation of ``torch.optim.Adagrad``;
    Duchi, Hazan & Singer 2011."""
    return _adagrad(hp, initial=0.0, eps_inside=False)


@_variant("adagrad:initial-0.1", _ADAGRAD % ("0.1", r"\sqrt{s_t} + \epsilon"),
          (_ADAGRAD_LECTURE[0], r"\sqrt{s_t} + \epsilon", _ADAGRAD_LECTURE[2]))
def adagrad_initial_01(hp: Hyper) -> GradientTransformation:
    """Adagrad whose accumulator starts at 0.1, eps outside the square root: PyTorch's
    ``Adagrad(initial_accumulator_value=0.1)``. Source: PyTorch documentation of
    ``torch.optim.Adagrad``."""
    return _adagrad(hp, initial=0.1, eps_inside=False)


@_variant("adagrad:eps-inside-sqrt", _ADAGRAD % ("0.1", r"\sqrt{s_t + \epsilon}"),
          (_ADAGRAD_LECTURE[0], r"\sqrt{s_t + \epsilon}", _ADAGRAD_LECTURE[2]))
def adagrad_eps_inside(hp: Hyper) -> GradientTransformation:
    """Adagrad with the accumulator starting at 0.1 and eps inside the square root: optax's
    ``adagrad`` (``scale_by_rss``, default ``initial_accumulator_value=0.1``, ``eps=1e-7``)
    and Keras ``Adagrad``. Sources: optax and Keras API documentation."""
    return _adagrad(hp, initial=0.1, eps_inside=True)


@_variant("adagrad:lecture", r"\sigma_t = \sqrt{\frac{1}{t+1} \sum_{k=0}^{t} g_k^2}, \quad "
          r"\theta_{t+1} = \theta_t - \frac{\eta}{\sigma_t} g_t",
          (r"\eta", r"\sqrt{\frac{1}{t+1} \sum_{k \le t} g_k^2}", "g_t"))
def adagrad_lecture(hp: Hyper) -> GradientTransformation:
    """The lecture's Adagrad (week 2, section 4): divide by the root mean square of all
    gradients so far, no eps (0/0 is taken as 0): :func:`symopt.optim.adagrad_lecture`."""
    return named.adagrad_lecture(hp["lr"])


# -- RMSprop ---------------------------------------------------------------------------------
def _rmsprop(hp: Hyper, *, eps_inside: bool, centered: bool) -> GradientTransformation:
    """:func:`symopt.optim.rmsprop` with the form's eps placement and centering."""
    return named.rmsprop(hp["lr"], hp["alpha"], hp["eps"], hp["weight_decay"], hp["momentum"],
                         centered, eps_inside)


_RMS = (_G + r", \quad v_t = \alpha v_{t-1} + (1 - \alpha) \tilde{g}_t^2, \quad v_{-1} = 0"
        r"%s, \quad b_t = \mu b_{t-1} + \frac{\tilde{g}_t}{%s}, \quad b_{-1} = 0, \quad "
        r"\theta_{t+1} = \theta_t - \eta b_t")
_CENTER = (r", \quad \bar{g}_t = \alpha \bar{g}_{t-1} + (1 - \alpha) \tilde{g}_t, \quad "
           r"\bar{g}_{-1} = 0")


@_variant("rmsprop:torch", _RMS % ("", r"\sqrt{v_t} + \epsilon"),
          (r"\eta", r"\sqrt{v_t} + \epsilon", r"\tilde{g}_t \ (\text{momentum: } b_t \sigma_t)"))
def rmsprop_torch(hp: Hyper) -> GradientTransformation:
    """RMSprop as PyTorch's ``RMSprop``: eps outside the square root, momentum accumulating
    the scaled gradient; optax's ``rmsprop(eps_in_sqrt=False)``. Sources: PyTorch
    documentation of ``torch.optim.RMSprop``; Hinton's lecture 6e (2012)."""
    return _rmsprop(hp, eps_inside=False, centered=False)


@_variant("rmsprop:eps-inside-sqrt", _RMS % ("", r"\sqrt{v_t + \epsilon}"),
          (r"\eta", r"\sqrt{v_t + \epsilon}", r"\tilde{g}_t \ (\text{momentum: } b_t \sigma_t)"))
def rmsprop_eps_inside(hp: Hyper) -> GradientTransformation:
    """RMSprop with eps inside the square root: optax's ``rmsprop`` default
    (``eps_in_sqrt=True``; its operation order is ``rmsprop:optax``), Keras ``RMSprop`` and
    TensorFlow's ``ApplyRMSProp``. Sources:
    optax documentation of ``rmsprop`` (its warning on eps placement); TensorFlow raw-ops
    documentation of ``ApplyRMSProp``."""
    return _rmsprop(hp, eps_inside=True, centered=False)


class _OptaxRmsState(NamedTuple):
    count: int
    nu: Any
    trace: Any


@_variant("rmsprop:optax", _RMS % ("", r"\sqrt{v_t + \epsilon}"),
          (r"\eta", r"\sqrt{v_t + \epsilon}", r"\tilde{g}_t \ (\text{momentum: } b_t \sigma_t)"))
def rmsprop_optax(hp: Hyper) -> GradientTransformation:
    """The rule of ``rmsprop:eps-inside-sqrt`` evaluated as ``optax.rmsprop`` runs under XLA
    on the CPU: ``nu = (1 - decay) g^2 + decay nu`` as a fused multiply-add, the update
    ``g * rsqrt(nu + eps)`` with ``rsqrt`` rounded as ``1 / sqrt``, then optax's ``trace``
    (``g + momentum * trace``, fused) and ``scale_by_learning_rate``. Sources: optax API
    documentation of ``rmsprop`` and ``scale_by_rms`` (``eps_in_sqrt=True``, its default);
    the rounding read off optax 0.2.8 with jaxlib 0.10 on x86-64."""

    def init(params: Any) -> _OptaxRmsState:
        zero = ops_for(params).zeros_like(params)
        return _OptaxRmsState(0, zero, zero)

    def update(grads: Any, state: _OptaxRmsState,
               params: Any = None) -> tuple[Any, _OptaxRmsState]:
        ops = ops_for(grads)
        lr, alpha, eps, mu, wd = (ops.lift(hp[key], grads) for key in
                                  ("lr", "alpha", "eps", "momentum", "weight_decay"))
        g = grads + wd * params if hp["weight_decay"] else grads
        nu = ops.fma(1 - alpha, g * g, alpha * state.nu)
        scaled = g * (1 / ops.sqrt(nu + eps))
        trace = ops.fma(mu, state.trace, scaled) if hp["momentum"] else scaled
        return -lr * trace, _OptaxRmsState(state.count + 1, nu, trace)

    return GradientTransformation(init, update)


@_variant("rmsprop:centered", _RMS % (_CENTER, r"\sqrt{v_t - \bar{g}_t^2} + \epsilon"),
          (r"\eta", r"\sqrt{v_t - \bar{g}_t^2} + \epsilon", r"\tilde{g}_t"))
def rmsprop_centered(hp: Hyper) -> GradientTransformation:
    """Centered RMSprop as PyTorch's ``RMSprop(centered=True)``: divide by the root of the
    variance estimate, eps outside. Sources: PyTorch documentation; Graves 2013,
    "Generating sequences with recurrent neural networks", eq. 38-41."""
    return _rmsprop(hp, eps_inside=False, centered=True)


@_variant("rmsprop:centered-eps-inside-sqrt",
          _RMS % (_CENTER, r"\sqrt{v_t - \bar{g}_t^2 + \epsilon}"),
          (r"\eta", r"\sqrt{v_t - \bar{g}_t^2 + \epsilon}", r"\tilde{g}_t"))
def rmsprop_centered_eps_inside(hp: Hyper) -> GradientTransformation:
    """Centered RMSprop with eps inside the square root: optax's ``rmsprop(centered=True)``
    (``scale_by_stddev``), Keras ``RMSprop(centered=True)``, TensorFlow's
    ``ApplyCenteredRMSProp``. Sources: optax, Keras and TensorFlow documentation."""
    return _rmsprop(hp, eps_inside=True, centered=True)


@_variant("rmsprop:lecture", r"\sigma_0 = |g_0|, \quad \sigma_t = \sqrt{\alpha "
          r"\sigma_{t-1}^2 + (1 - \alpha) g_t^2}, \quad \theta_{t+1} = \theta_t - "
          r"\frac{\eta}{\sigma_t} g_t", (r"\eta", r"\sigma_t", "g_t"))
def rmsprop_lecture(hp: Hyper) -> GradientTransformation:
    """The lecture's RMSProp (week 2, section 4): the scale starts at :math:`|g_0|`, no eps
    (0/0 is taken as 0): :func:`symopt.optim.rmsprop_lecture`."""
    return named.rmsprop_lecture(hp["lr"], hp["alpha"])


# -- Adam and AdamW --------------------------------------------------------------------------
class AdamState(NamedTuple):
    """``count``; the moments ``m``, ``v``; ``v_max`` the running maximum of ``v``."""

    count: int
    m: Any
    v: Any
    v_max: Any


def _adam(hp: Hyper, *, order: str = "torch", bias_correction: bool = True,
          eps: str = "outside", amsgrad: bool = False,
          decay: str = "coupled") -> GradientTransformation:
    """Adam with the choices of every catalogued form, in a framework's operation order.

    ``order``: ``"torch"`` evaluates as PyTorch's single-tensor Adam/AdamW does on the CPU:
    ``exp_avg.lerp_(g, 1 - b1)`` (a fused multiply-add :math:`m + (1 - \\beta_1)(g - m)`),
    ``exp_avg_sq.mul_(b2).addcmul_(g, g, value=1 - b2)`` (fused:
    :math:`((1 - \\beta_2) g) g + \\beta_2 v`), ``denom = sqrt(v) / sqrt(1 - b2^t) + eps``
    and ``param.addcdiv_(m, denom, value=-lr / (1 - b1^t))``, which is
    ``((-lr / (1 - b1^t)) m) / denom``. ``"optax"`` evaluates as ``optax.scale_by_adam``
    compiled by XLA on the CPU: the moments ``(1 - b1) g + b1 m`` and ``(1 - b2) g^2 + b2 v``
    as fused multiply-adds, each divided by its bias correction as a product with
    ``1 / (1 - b^t)``, ``m_hat / (sqrt(v_hat + eps_root) + eps)``; then
    ``add_decayed_weights`` (:math:`+\\lambda\\theta`) and ``scale_by_learning_rate``
    (:math:`\\times (-\\eta)`), as ``optax.adamw`` chains them. These orders were read off
    the frameworks' results bit by bit (PyTorch 2.13, optax 0.2.8 with jaxlib 0.10 on x86-64).
    Both are the same exact rule; they differ only in float64 rounding, which is what tells
    the implementations apart to the last few ulps.

    ``eps``: ``"outside"`` :math:`\\hat m / (\\sqrt{\\hat v} + \\epsilon)`, ``"inside"``
    :math:`\\hat m / \\sqrt{\\hat v + \\epsilon}`, ``"uncorrected"`` (eps added to
    :math:`\\sqrt{v_t}` before the bias correction). ``decay``: ``"coupled"`` (added to the
    gradient), ``"decoupled"`` (:math:`-\\eta\\lambda\\theta`), ``"unscaled"``
    (:math:`-\\lambda\\theta`).

    Every scalar is lifted into the arrays' arithmetic (:func:`~symopt.optim.namespace.lift`),
    so over exact numbers the bias corrections :math:`1 - \\beta^t` are exact.
    """

    def init(params: Any) -> AdamState:
        zero = ops_for(params).zeros_like(params)
        return AdamState(0, zero, zero, zero)

    def update(grads: Any, state: AdamState, params: Any = None) -> tuple[Any, AdamState]:
        ops = ops_for(grads)
        lr, b1, b2, epsilon, wd = (ops.lift(hp[key], grads)
                                   for key in ("lr", "b1", "b2", "eps", "weight_decay"))
        t = state.count + 1
        g = grads + wd * params if hp["weight_decay"] and decay == "coupled" else grads
        if order == "torch":
            weight = 1 - b1                     # torch.lerp: fused, from the nearer end
            m = ops.fma(weight, g - state.m, state.m) if hp["b1"] > 0.5 else \
                ops.fma(state.m - g, 1 - weight, g)
            v = ops.fma((1 - b2) * g, g, b2 * state.v)
        else:
            m = ops.fma(1 - b1, g, b1 * state.m)
            v = ops.fma(1 - b2, g * g, b2 * state.v)
        v_max = ops.maximum(state.v_max, v) if amsgrad else v
        c1, c2 = (1 - b1 ** t, 1 - b2 ** t) if bias_correction else (1, 1)
        if order == "optax":
            inside = epsilon if eps == "inside" else 0
            outside = epsilon if eps == "outside" else 0
            result = (m * (1 / c1)) / (ops.sqrt(v_max * (1 / c2) + inside) + outside)
            if hp["weight_decay"] and decay == "decoupled":
                result = result + wd * params
            result = -lr * result
        elif eps == "outside":                 # = -lr (m / c1) / (sqrt(v / c2) + eps)
            result = (-(lr / c1) * m) / (ops.sqrt(v_max) / scalar_sqrt(c2) + epsilon)
        elif eps == "inside":
            result = -lr * ((m / c1) / ops.sqrt(v_max / c2 + epsilon))
        else:
            result = -(lr * scalar_sqrt(c2) / c1) * (m / (ops.sqrt(v_max) + epsilon))
        if hp["weight_decay"] and order == "torch" and decay == "decoupled":
            result = result - lr * wd * params
        elif hp["weight_decay"] and decay == "unscaled":
            result = result - wd * params
        return result, AdamState(t, m, v, v_max)

    return GradientTransformation(init, update)


_MOMENTS = (r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) \tilde{g}_t, \quad v_t = \beta_2 v_{t-1} "
            r"+ (1 - \beta_2) \tilde{g}_t^2, \quad m_{-1} = v_{-1} = 0, \quad "
            r"\hat{m}_t = \frac{m_t}{1 - \beta_1^{t+1}}, \quad "
            r"\hat{v}_t = \frac{v_t}{1 - \beta_2^{t+1}}, \quad ")
_ADAM_LECTURE = (r"\eta", r"\sqrt{\hat{v}_t} + \epsilon", r"\hat{m}_t")


@_variant("adam:torch", _G + r", \quad " + _MOMENTS + r"\theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}", _ADAM_LECTURE)
def adam_torch(hp: Hyper) -> GradientTransformation:
    """Adam as PyTorch's ``Adam`` (weight decay added to the gradient), in PyTorch's
    operation order; optax's ``adam`` is the same rule (``adam:optax``): bias-corrected
    moments, eps outside the square root. Sources: Kingma & Ba 2015,
    Algorithm 1; PyTorch documentation of ``torch.optim.Adam``; optax ``scale_by_adam``."""
    return _adam(hp)


@_variant("adam:optax", _G + r", \quad " + _MOMENTS + r"\theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}", _ADAM_LECTURE)
def adam_optax(hp: Hyper) -> GradientTransformation:
    """The rule of ``adam:torch`` evaluated in optax's operation order: ``optax.adam`` is
    ``chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(lr))``, whose moments are
    ``(1 - b1) g + b1 m`` and ``(1 - b2) g^2 + b2 v``, each divided by its bias correction
    ``1 - b^t``, then ``m_hat / (sqrt(v_hat) + eps)`` times ``-lr``. Sources: optax API
    documentation of ``adam`` and ``scale_by_adam`` (Kingma & Ba 2015, Algorithm 1)."""
    return _adam(hp, order="optax")


@_variant("adam:no-bias-correction", _G + r", \quad m_t, v_t \text{ as Adam}, \quad "
          r"\theta_{t+1} = \theta_t - \eta \frac{m_t}{\sqrt{v_t} + \epsilon}",
          (r"\eta", r"\sqrt{v_t} + \epsilon", "m_t"))
def adam_no_bias_correction(hp: Hyper) -> GradientTransformation:
    """Adam without bias correction (RMSprop with momentum on the raw moments). Source:
    Kingma & Ba 2015, section 3, which explains why the correction is needed."""
    return _adam(hp, bias_correction=False)


@_variant("adam:eps-inside-sqrt", _G + r", \quad " + _MOMENTS + r"\theta_{t+1} = \theta_t - "
          r"\eta \frac{\hat{m}_t}{\sqrt{\hat{v}_t + \epsilon}}",
          (r"\eta", r"\sqrt{\hat{v}_t + \epsilon}", r"\hat{m}_t"))
def adam_eps_inside(hp: Hyper) -> GradientTransformation:
    """Adam with eps inside the square root; optax's ``adam(eps=0, eps_root=eps)``, in optax's
    operation order. Source: optax documentation of ``scale_by_adam`` (``eps_root``)."""
    return _adam(hp, order="optax", eps="inside")


@_variant("adam:keras", _G + r", \quad m_t, v_t \text{ as Adam}, \quad \theta_{t+1} = "
          r"\theta_t - \eta \frac{\sqrt{1 - \beta_2^{t+1}}}{1 - \beta_1^{t+1}} "
          r"\frac{m_t}{\sqrt{v_t} + \hat{\epsilon}}",
          (r"\eta \sqrt{1 - \beta_2^{t+1}} / (1 - \beta_1^{t+1})",
           r"\sqrt{v_t} + \hat{\epsilon}", "m_t"))
def adam_keras(hp: Hyper) -> GradientTransformation:
    """Adam with eps added to the uncorrected :math:`\\sqrt{v_t}` (":math:`\\hat\\epsilon`"),
    the efficient form at the end of Kingma & Ba 2015, section 2, used by Keras ``Adam`` and
    TensorFlow's ``ApplyAdam``. Sources: Kingma & Ba 2015; TensorFlow raw-ops
    documentation of ``ApplyAdam``."""
    return _adam(hp, eps="uncorrected")


@_variant("adam:amsgrad", _G + r", \quad " + _MOMENTS + r"\hat{v}^{\max}_t = \frac{\max_{k "
          r"\le t} v_k}{1 - \beta_2^{t+1}}, \quad \theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}^{\max}_t} + \epsilon}",
          (r"\eta", r"\sqrt{\hat{v}^{\max}_t} + \epsilon", r"\hat{m}_t"))
def adam_amsgrad(hp: Hyper) -> GradientTransformation:
    """AMSGrad as PyTorch's ``Adam(amsgrad=True)``: the running maximum of the raw
    :math:`v_t`, then bias-corrected. Sources: Reddi, Kale & Kumar 2018; PyTorch
    documentation of ``torch.optim.Adam``."""
    return _adam(hp, amsgrad=True)


_ADAMW_MOMENTS = _MOMENTS.replace(r"\tilde{g}_t", "g_t")


@_variant("adamw:torch", _ADAMW_MOMENTS + r"\theta_{t+1} = \theta_t - \eta \left("
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon} + \lambda \theta_t \right)",
          (r"\eta", r"\sqrt{\hat{v}_t} + \epsilon", r"\hat{m}_t + \lambda \theta_t \sigma_t"))
def adamw_torch(hp: Hyper) -> GradientTransformation:
    """AdamW with decoupled weight decay scaled by the learning rate: PyTorch's ``AdamW`` (in
    its operation order), the rule of optax's ``adamw`` (``adamw:optax``) and Keras ``AdamW``. Sources: Loshchilov & Hutter 2019, Algorithm 2
    (with the schedule multiplier equal to the learning rate); PyTorch and optax docs."""
    return _adam(hp, decay="decoupled")


@_variant("adamw:optax", _ADAMW_MOMENTS + r"\theta_{t+1} = \theta_t - \eta \left("
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon} + \lambda \theta_t \right)",
          (r"\eta", r"\sqrt{\hat{v}_t} + \epsilon", r"\hat{m}_t + \lambda \theta_t \sigma_t"))
def adamw_optax(hp: Hyper) -> GradientTransformation:
    """The rule of ``adamw:torch`` evaluated in optax's operation order: ``optax.adamw`` is
    ``chain(scale_by_adam(b1, b2, eps), add_decayed_weights(weight_decay),
    scale_by_learning_rate(lr))``: the decay :math:`\\lambda\\theta` is added to Adam's
    direction and the sum is multiplied by :math:`-\\eta`, where PyTorch's ``AdamW`` first
    multiplies the parameters by :math:`1 - \\eta\\lambda`. Sources: optax API documentation
    of ``adamw``, ``add_decayed_weights`` and ``scale_by_learning_rate``; Loshchilov & Hutter
    2019, Algorithm 2."""
    return _adam(hp, order="optax", decay="decoupled")


@_variant("adamw:coupled", _G + r", \quad " + _MOMENTS + r"\theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}", _ADAM_LECTURE)
def adamw_coupled(hp: Hyper) -> GradientTransformation:
    """"AdamW" that adds the decay to the gradient (L2 regularisation, PyTorch's
    ``Adam(weight_decay=...)``), the form Loshchilov & Hutter 2019 show to differ from
    decoupled decay."""
    return _adam(hp, decay="coupled")


@_variant("adamw:unscaled", _ADAMW_MOMENTS + r"\theta_{t+1} = \theta_t - \eta "
          r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon} - \lambda \theta_t",
          (r"\eta", r"\sqrt{\hat{v}_t} + \epsilon", r"\hat{m}_t + \lambda \theta_t "
           r"\sigma_t / \eta"))
def adamw_unscaled(hp: Hyper) -> GradientTransformation:
    """Decoupled weight decay not multiplied by the learning rate: Loshchilov & Hutter 2019,
    Algorithm 2, with the schedule multiplier :math:`\\eta_t = 1` (the decay is
    :math:`\\lambda\\theta`, independent of :math:`\\alpha`)."""
    return _adam(hp, decay="unscaled")
