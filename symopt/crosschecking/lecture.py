"""An optimizer written as the lecture writes every one: θᵢ ← θᵢ − (ηᵗ/σᵢᵗ) mᵢᵗ, with η, σ, m.

The lecture (week 2, section 4) sums up Adagrad, RMSProp, Adam, decay and warm-up in one rule:
the learning rate :math:`\\eta^t`, a per-parameter scale :math:`\\sigma_i^t`, a direction
:math:`m_i^t`. :func:`lecture_form` finds the catalogued variant an optimizer object is and
reads its three parts from the catalogue (``Variant.lecture``); ``symopt.derive`` calls it
when given an optimizer instead of a loss.

>>> from symopt import optim
>>> form = lecture_form(optim.rmsprop(0.01, centered=True))
>>> form.variant
'rmsprop:centered'
>>> print(form.to_text().splitlines()[0])
rmsprop:centered: θᵢ ← θᵢ − (ηᵗ/σᵢᵗ) mᵢᵗ
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..optim.variants import VARIANTS, Variant

__all__ = ["LectureForm", "lecture_form", "is_optimizer"]

LECTURE_RULE = r"\theta_i \leftarrow \theta_i - \frac{\eta^t}{\sigma_i^t} m_i^t"


class LectureForm(NamedTuple):
    """The three parts of an optimizer's update in the lecture's notation (LaTeX each)."""

    variant: str
    eta: str
    sigma: str
    m: str
    rule: str

    def to_latex(self) -> str:
        """An ``align*`` block: the unified rule, then what :math:`\\eta`, :math:`\\sigma`,
        :math:`m` are, then the variant's exact rule."""
        return ("\\begin{align*}\n"
                f"{LECTURE_RULE} \\\\\n"
                f"\\eta^t &= {self.eta}, \\quad \\sigma_i^t = {self.sigma}, \\quad "
                f"m_i^t = {self.m} \\\\\n"
                f"&\\text{{where }} {self.rule}\n"
                "\\end{align*}")

    def to_text(self) -> str:
        """Plain text: the rule, then the three parts as LaTeX fragments."""
        return (f"{self.variant}: θᵢ ← θᵢ − (ηᵗ/σᵢᵗ) mᵢᵗ\n"
                f"  η = {self.eta}\n  σ = {self.sigma}\n  m = {self.m}\n"
                f"  exact rule: {self.rule}")

    def to_markdown(self) -> str:
        return f"**{self.variant}**\n\n$$\n{self.to_latex()}\n$$\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return self.to_text()


def _symopt_variant(optimizer: Any) -> str | None:
    name = getattr(optimizer, "name", None)
    hyper = dict(getattr(optimizer, "hyperparams", {}) or {})
    if name == "sgd":
        if not hyper.get("momentum"):
            return "sgd:plain"
        if hyper.get("nesterov"):
            return "sgd:nesterov-torch"
        return "sgd:dampening" if hyper.get("dampening") else "sgd:momentum"
    if name == "adagrad":
        return "adagrad:initial-0.1" if hyper.get("initial_accumulator_value") == 0.1 \
            else "adagrad:initial-0"
    if name == "rmsprop":
        return "rmsprop:centered" if hyper.get("centered") else "rmsprop:torch"
    if name == "adam":
        return "adam:amsgrad" if hyper.get("amsgrad") else "adam:torch"
    return {"gd": "sgd:plain", "momentum": "sgd:lecture-momentum", "adamw": "adamw:torch",
            "adagrad_lecture": "adagrad:lecture", "rmsprop_lecture": "rmsprop:lecture"}.get(name)


def _torch_variant(cls: type, settings: dict[str, Any]) -> str | None:
    name = cls.__name__
    if name == "SGD":
        return _symopt_variant(type("_", (), {"name": "sgd", "hyperparams": settings})())
    if name == "Adagrad":
        return _symopt_variant(type("_", (), {"name": "adagrad", "hyperparams": settings})())
    if name == "RMSprop":
        return "rmsprop:centered" if settings.get("centered") else "rmsprop:torch"
    if name == "Adam":
        return "adam:amsgrad" if settings.get("amsgrad") else "adam:torch"
    if name == "AdamW":
        return "adamw:torch"
    return None


def _variant_of(optimizer: Any) -> str | None:
    from ..optim.base import GradientTransformation, NamedOptimizer
    from .report import CrossCheckReport
    if isinstance(optimizer, Variant):
        return optimizer.name
    if isinstance(optimizer, CrossCheckReport):
        return optimizer.matches[0].name
    if isinstance(optimizer, (GradientTransformation, NamedOptimizer)):
        return _symopt_variant(optimizer)
    if isinstance(optimizer, tuple) and len(optimizer) == 2 and isinstance(optimizer[0], type):
        return _torch_variant(optimizer[0], dict(optimizer[1] or {}))
    defaults = getattr(optimizer, "defaults", None)
    if isinstance(defaults, dict):                      # a torch optimizer instance
        return _torch_variant(type(optimizer), defaults)
    return None


def is_optimizer(obj: Any) -> bool:
    """True for the objects :func:`lecture_form` understands."""
    return _variant_of(obj) is not None


def lecture_form(optimizer: Any) -> LectureForm:
    """The lecture's form of ``optimizer``'s update.

    Parameters
    ----------
    optimizer
        A symopt optimizer (``optim.adam(...)``), a torch optimizer instance or
        ``(torch.optim.X, kwargs)``, a catalogue :class:`~symopt.optim.variants.Variant`, or a
        cross-check report (its best match).

    Examples
    --------
    >>> lecture_form(VARIANTS["adam:torch"]).sigma
    '\\\\sqrt{\\\\hat{v}_t} + \\\\epsilon'
    """
    name = _variant_of(optimizer)
    if name is None:
        raise TypeError(f"no catalogued variant for {optimizer!r}; pass a symopt optimizer "
                        "(symopt.optim.adam(1e-3)), (torch.optim.Adam, {'lr': 1e-3}) or a "
                        "variant from symopt.optim.VARIANTS")
    variant = VARIANTS[name]
    eta, sigma, m = variant.lecture
    return LectureForm(name, eta, sigma, m, variant.rule)
