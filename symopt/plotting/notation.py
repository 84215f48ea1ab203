"""Formulas in figures: the loss as mathtext, in the same notation as the handout.

Titles use :func:`symopt.report.latex.to_tex` (safe names, lecture order: ``(1 - w1*w2)**2``
reads (1 - w₁w₂)²), checked by matplotlib's mathtext parser; a formula mathtext cannot draw,
or one too long for a title, falls back to plain text in lecture order, shortened.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import sympy as sp

from ..report.latex import to_tex
from ..report.notation import plain

__all__ = ["math_text", "loss_title", "name_text", "equations_text"]


@lru_cache(maxsize=256)
def _drawable(text: str) -> bool:
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("agg").parse(text)
    except (ValueError, RuntimeError):
        return False
    return True


def math_text(expr: Any) -> str | None:
    """``$...$`` mathtext of a SymPy expression, or None when mathtext cannot draw it.

    Examples
    --------
    >>> w1, w2 = sp.symbols("w1 w2")
    >>> math_text((1 - w1*w2)**2)
    '$\\\\left(1 - w_{1} w_{2}\\\\right)^{2}$'
    """
    text = "$" + to_tex(expr, "markdown") + "$"
    return text if _drawable(text) else None


def name_text(name: str) -> str:
    """A parameter name as an axis label: ``w1`` as mathtext :math:`w_1`, else the name.

    Examples
    --------
    >>> name_text("w1"), name_text("a (along d1)")
    ('$w_{1}$', 'a (along d1)')
    """
    if not name.isidentifier():
        return name
    return math_text(sp.Symbol(name)) or name


def equations_text(equations: Sequence[Any]) -> str:
    """Equations ``e = 0`` as mathtext (plain text in lecture order when mathtext cannot).

    Examples
    --------
    >>> w1, w2 = sp.symbols("w1 w2")
    >>> equations_text([w1*w2 - 1])
    '$w_{1} w_{2} - 1 = 0$'
    """
    drawn = [math_text(sp.Eq(e, 0, evaluate=False)) for e in equations]
    if all(drawn):
        return ", ".join(drawn)  # type: ignore[arg-type]
    return ", ".join(f"{plain(e)} = 0" for e in equations)


def loss_title(loss: Any, names: Sequence[str], width: int = 70) -> str:
    """The title naming the loss: ``L(w_1, w_2) = ...`` in mathtext when it fits.

    Parameters
    ----------
    loss : Loss
    names : sequence of str
        The parameter names shown (those of the drawn plane or slice).
    width : int
        Longest plain-text formula, in characters, drawn as mathtext; longer ones are shown
        as shortened plain text.
    """
    head = "L(" + ", ".join(to_tex(sp.Symbol(n), "markdown") for n in names) + ")"
    if loss.is_data_loss:
        n = loss.n_samples
        reduction = "\\frac{1}{%d}\\sum_{n=1}^{%d}" % (n, n) if loss.reduction == "mean" \
            else "\\sum_{n=1}^{%d}" % n
        body, plain_body = loss.sample_expr, plain(loss.sample_expr)
        text = f"${head} = {reduction}\\ " + to_tex(body, "markdown") + "$"
        fallback = f"L({', '.join(names)}) = {loss.reduction} over {n} samples of {plain_body}"
    else:
        body = loss.written or loss.expr
        text = f"${head} = " + to_tex(body, "markdown") + "$"
        fallback = f"L({', '.join(names)}) = {plain(body)}"
    if len(plain(body)) <= width and _drawable(text):
        return text
    return fallback if len(fallback) <= width else fallback[: width - 3] + "..."
