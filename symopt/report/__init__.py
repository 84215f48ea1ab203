"""Derivations a reader can follow and check: the records, and the functions that build them.

A :class:`Derivation` is a list of :class:`Section` s of :class:`Step` s.  Each step has a
heading, one or two sentences, and display lines whose parts are SymPy objects (kept as
objects, so programs and tests can inspect them) or symopt's own fixed notation (:class:`Tex`).
Every result a step shows was checked against SymPy when the step was built; a disagreement
raises :class:`DerivationError` instead of printing.

>>> from symopt.loss import Loss
>>> d = derive(Loss.parse("x**2 - y**2"))
>>> d.step("gradient").values["gradient"].T
Matrix([[2*x, -2*y]])
>>> d.to_latex().startswith("\\\\documentclass")
True
"""

from __future__ import annotations

from .records import (LANGUAGES, Derivation, DerivationError, Line, Section, Segment, Step,
                      Tex)
from .derive import derive, derive_optimizer_rules
from .latex import critical_set_latex, loss_latex, symbol_latex, UnsafeTeXError
from .markdown import critical_set_markdown, loss_markdown
from .lecture import lecture_week2

__all__ = ["Derivation", "Section", "Step", "Line", "Tex", "DerivationError", "UnsafeTeXError",
           "LANGUAGES", "derive", "derive_optimizer_rules", "lecture_week2", "loss_latex",
           "loss_markdown", "critical_set_latex", "critical_set_markdown", "symbol_latex"]
