"""The exact update rule of every optimizer, transform and schedule, as LaTeX: one source.

Docstrings, the ``.rule`` attribute of built objects, ``docs/optimizers.md`` and derivation
tools all read the strings of :data:`RULES`; nothing else spells a rule out.

Conventions shared by every rule (plain amsmath, all operations elementwise):

* :math:`t = 0, 1, 2, \\dots` counts the updates already made; :math:`\\theta_t` are the
  parameters before update :math:`t` and :math:`g_t = \\nabla L(\\theta_t)` the gradient there.
* :math:`\\eta_t` is the learning rate of step :math:`t`: the schedule called with ``t``.
* State that a rule reads at :math:`t - 1` before the first step is the stated initial value.

>>> from symopt.optim.rules import RULES
>>> RULES["gd"]
'\\\\theta_{t+1} = \\\\theta_t - \\\\eta_t g_t'
"""

from __future__ import annotations

from textwrap import indent
from typing import Callable, TypeVar

__all__ = ["RULES", "OPTIMIZERS", "SCHEDULES", "TRANSFORMS", "with_rule", "markdown"]

_ADAM_MOMENTS = (
    r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) \tilde{g}_t, \quad "
    r"v_t = \beta_2 v_{t-1} + (1 - \beta_2) \tilde{g}_t^2, \quad m_{-1} = v_{-1} = 0 \\"
    "\n"
    r"\hat{m}_t &= \frac{m_t}{1 - \beta_1^{t+1}}, \quad "
    r"\hat{v}_t = \frac{v_t}{1 - \beta_2^{t+1}} "
    r"\quad \Big(\text{amsgrad: } \hat{v}_t = \frac{\max_{k \le t} v_k}{1 - \beta_2^{t+1}}\Big) \\"
    "\n"
)

#: Named optimizers (the functions of :mod:`symopt.optim.named`).
OPTIMIZERS: dict[str, str] = {
    "gd": r"\theta_{t+1} = \theta_t - \eta_t g_t",
    "momentum": (
        r"m_{t+1} = \lambda m_t - \eta_t g_t, \quad m_0 = 0, \quad "
        r"\theta_{t+1} = \theta_t + m_{t+1}"
    ),
    "sgd": (
        "\\begin{aligned}\n"
        r"\tilde{g}_t &= g_t + \lambda \theta_t \\" "\n"
        r"b_t &= \begin{cases} \tilde{g}_t & t = 0 \\ "
        r"\mu b_{t-1} + (1 - \tau) \tilde{g}_t & t > 0 \end{cases} \\" "\n"
        r"d_t &= \begin{cases} \tilde{g}_t & \mu = 0 \\ \tilde{g}_t + \mu b_t & "
        r"\text{nesterov} \\ b_t & \text{otherwise} \end{cases} \\" "\n"
        r"\theta_{t+1} &= \theta_t - \eta_t d_t" "\n"
        "\\end{aligned}"
    ),
    "adagrad_lecture": (
        r"\sigma_t = \sqrt{\frac{1}{t+1} \sum_{k=0}^{t} g_k^2}, \quad "
        r"\theta_{t+1} = \theta_t - \frac{\eta_t}{\sigma_t} g_t"
    ),
    "adagrad": (
        "\\begin{aligned}\n"
        r"\tilde{g}_t &= g_t + \lambda \theta_t, \quad "
        r"s_t = s_{t-1} + \tilde{g}_t^2, \quad s_{-1} = s_{\mathrm{init}} \\" "\n"
        r"\theta_{t+1} &= \theta_t - \frac{\eta_t}{1 + t \delta} \, "
        r"\frac{\tilde{g}_t}{\sqrt{s_t} + \epsilon}" "\n"
        "\\end{aligned}"
    ),
    "rmsprop_lecture": (
        r"\sigma_0 = |g_0|, \quad "
        r"\sigma_t = \sqrt{\alpha \sigma_{t-1}^2 + (1 - \alpha) g_t^2}, \quad "
        r"\theta_{t+1} = \theta_t - \frac{\eta_t}{\sigma_t} g_t"
    ),
    "rmsprop": (
        "\\begin{aligned}\n"
        r"\tilde{g}_t &= g_t + \lambda \theta_t, \quad "
        r"v_t = \alpha v_{t-1} + (1 - \alpha) \tilde{g}_t^2, \quad v_{-1} = 0 \\" "\n"
        r"\sigma_t &= \begin{cases} \sqrt{v_t - \bar{g}_t^2} + \epsilon & \text{centered: } "
        r"\bar{g}_t = \alpha \bar{g}_{t-1} + (1 - \alpha) \tilde{g}_t, \ \bar{g}_{-1} = 0 \\ "
        r"\sqrt{v_t} + \epsilon & \text{otherwise} \end{cases} \\" "\n"
        r"b_t &= \mu b_{t-1} + \frac{\tilde{g}_t}{\sigma_t}, \quad b_{-1} = 0, \quad "
        r"\theta_{t+1} = \theta_t - \eta_t b_t" "\n"
        "\\end{aligned}"
    ),
    "adam": (
        "\\begin{aligned}\n"
        r"\tilde{g}_t &= g_t + \lambda \theta_t \\" "\n"
        + _ADAM_MOMENTS
        + r"\theta_{t+1} &= \theta_t - \eta_t \frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}" "\n"
        "\\end{aligned}"
    ),
    "adamw": (
        "\\begin{aligned}\n"
        r"\tilde{g}_t &= g_t \\" "\n"
        + _ADAM_MOMENTS
        + r"\theta_{t+1} &= \theta_t - \eta_t \left( \frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}"
        r" + \lambda \theta_t \right)" "\n"
        "\\end{aligned}"
    ),
}

#: Learning-rate schedules (the functions of :mod:`symopt.optim.schedules`).
SCHEDULES: dict[str, str] = {
    "constant": r"\eta_t = \eta",
    "step_decay": r"\eta_t = \eta \, \gamma^{\lfloor t / s \rfloor}",
    "exponential": r"\eta_t = \eta \, \gamma^{t}",
    "cosine": (
        r"\eta_t = \eta_{\min} + \frac{1}{2} (\eta - \eta_{\min}) "
        r"\left(1 + \cos\frac{\pi \min(t, T)}{T}\right)"
    ),
    "linear_warmup": r"\eta_t = \eta_0 + (\eta - \eta_0) \frac{\min(t, W)}{W}",
    "warmup_cosine": (
        r"\eta_t = \begin{cases} \eta \frac{t}{W} & t < W \\ "
        r"\eta_{\min} + \frac{1}{2} (\eta - \eta_{\min}) "
        r"\left(1 + \cos\frac{\pi (\min(t, T) - W)}{T - W}\right) & t \ge W \end{cases}"
    ),
    "transformer": (
        r"\eta_t = c \, d^{-1/2} \min\left((t+1)^{-1/2}, \ (t+1) W^{-3/2}\right)"
    ),
}

#: Building blocks (the functions of :mod:`symopt.optim.transforms`); u_t is the incoming update.
TRANSFORMS: dict[str, str] = {
    "identity": r"u_t \mapsto u_t",
    "scale": r"u_t \mapsto c \, u_t",
    "scale_by_learning_rate": r"u_t \mapsto -\eta_t u_t",
    "add_decayed_weights": r"u_t \mapsto u_t + \lambda \theta_t",
    "trace": (
        r"b_t = \begin{cases} u_t & t = 0 \\ \mu b_{t-1} + (1 - \tau) u_t & t > 0 \end{cases}, "
        r"\quad u_t \mapsto \begin{cases} u_t + \mu b_t & \text{nesterov} \\ "
        r"b_t & \text{otherwise} \end{cases}"
    ),
    "scale_by_adam": (
        r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) u_t, \quad "
        r"v_t = \beta_2 v_{t-1} + (1 - \beta_2) u_t^2, \quad "
        r"u_t \mapsto \frac{m_t / (1 - \beta_1^{t+1})}{\sqrt{v_t / (1 - \beta_2^{t+1})} + \epsilon}"
    ),
    "scale_by_adagrad": (
        r"s_t = s_{t-1} + u_t^2, \quad s_{-1} = s_{\mathrm{init}}, \quad "
        r"u_t \mapsto \frac{u_t}{\sqrt{s_t} + \epsilon}"
    ),
    "scale_by_adagrad_lecture": (
        r"\sigma_t = \sqrt{\frac{1}{t+1} \sum_{k=0}^{t} u_k^2}, \quad "
        r"u_t \mapsto \frac{u_t}{\sigma_t}"
    ),
    "scale_by_rms": (
        r"v_t = \alpha v_{t-1} + (1 - \alpha) u_t^2, \quad "
        r"\bar{u}_t = \alpha \bar{u}_{t-1} + (1 - \alpha) u_t, \quad "
        r"u_t \mapsto \frac{u_t}{\sqrt{v_t - c \, \bar{u}_t^2} + \epsilon}, \quad "
        r"c = 1 \text{ if centered else } 0"
    ),
    "scale_by_rms_lecture": (
        r"\sigma_0 = |u_0|, \quad \sigma_t = \sqrt{\alpha \sigma_{t-1}^2 + (1 - \alpha) u_t^2}, "
        r"\quad u_t \mapsto \frac{u_t}{\sigma_t}"
    ),
}

#: Every rule by name: optimizers, schedules and transforms (the names do not collide).
RULES: dict[str, str] = {**OPTIMIZERS, **SCHEDULES, **TRANSFORMS}

_F = TypeVar("_F", bound=Callable)


def with_rule(name: str) -> Callable[[_F], _F]:
    """Put ``RULES[name]`` into the decorated function's docstring at ``{rule}``.

    The placeholder line ``{rule}`` (alone on its line, indented) becomes a ``.. math::`` block,
    so the docstring and the registry can never disagree.

    Examples
    --------
    >>> @with_rule("gd")
    ... def f():
    ...     '''Doc.
    ...
    ...     {rule}
    ...     '''
    >>> "\\\\theta_{t+1}" in f.__doc__
    True
    """

    def decorate(function: _F) -> _F:
        doc = function.__doc__ or ""
        marker = "{rule}"
        at = doc.find(marker)
        if at < 0:
            raise ValueError(f"{function.__qualname__}'s docstring has no {marker} placeholder")
        line_start = doc.rfind("\n", 0, at) + 1
        pad = doc[line_start:at]
        block = ".. math::\n\n" + indent(RULES[name], "    ")
        function.__doc__ = doc[:at] + indent(block, pad)[len(pad):] + doc[at + len(marker):]
        return function

    return decorate


def markdown() -> str:
    """Every rule as a Markdown section with ``$$ ... $$`` display math.

    ``docs/optimizers.md`` embeds this text; the tests check that it does, verbatim.

    Examples
    --------
    >>> text = markdown()
    >>> text.splitlines()[0]
    '### Optimizers'
    """
    parts: list[str] = []
    for title, table in (("Optimizers", OPTIMIZERS), ("Schedules", SCHEDULES),
                         ("Transforms", TRANSFORMS)):
        parts.append(f"### {title}\n")
        for name, rule in table.items():
            parts.append(f"`{name}`\n\n$$\n{rule}\n$$\n")
    return "\n".join(parts)

