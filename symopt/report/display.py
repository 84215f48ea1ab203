"""Notebook displays of the core records: a Loss or a CriticalSet as LaTeX or Markdown.

``Loss._repr_latex_`` and ``CriticalSet._repr_markdown_`` (in the core, below ``report``)
reach this module by name at display time, through :func:`render`, so the core never imports
``report`` and there is no import circle.
"""

from __future__ import annotations

from typing import Any

from .latex import critical_set_latex, loss_latex
from .markdown import critical_set_markdown, loss_markdown

__all__ = ["render"]

_RENDERERS = {("Loss", "latex"): loss_latex, ("Loss", "markdown"): loss_markdown,
              ("CriticalSet", "latex"): critical_set_latex,
              ("CriticalSet", "markdown"): critical_set_markdown}


def render(record: Any, fmt: str) -> str:
    """``record`` (a Loss or a CriticalSet) as ``fmt`` ("latex" or "markdown").

    Examples
    --------
    >>> from symopt.loss import Loss
    >>> render(Loss.parse("x**2"), "markdown").startswith("$")
    True
    """
    key = (type(record).__name__, fmt)
    if key not in _RENDERERS:
        raise ValueError(f"no {fmt} display for {type(record).__name__}; "
                         "displays exist for Loss and CriticalSet as latex or markdown")
    return _RENDERERS[key](record)
