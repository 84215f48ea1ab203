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

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

import sympy as sp

from ..errors import SymoptError

#: Languages of the step text. LaTeX output is English only (see ``Derivation.to_latex``).
LANGUAGES = ("en", "zh")


class DerivationError(SymoptError):
    """A derivation step disagrees with what SymPy computes directly (a bug, never bad input)."""


@dataclass(frozen=True)
class Tex:
    r"""Fixed notation written by symopt itself (``\nabla L``, ``=``), never text from input."""

    tex_source: str

    def __str__(self) -> str:
        return self.tex_source


@dataclass(frozen=True)
class Line:
    """One display line: SymPy objects and :class:`Tex` pieces, typeset side by side."""

    parts: tuple[Any, ...]

    def __init__(self, *parts: Any):
        object.__setattr__(self, "parts", tuple(parts))

    def objects(self) -> tuple[Any, ...]:
        """The SymPy objects of the line (its fixed notation left out)."""
        return tuple(p for p in self.parts if not isinstance(p, Tex))


Segment = Any  # str (plain text) or a SymPy object / Tex (inline math)


@dataclass(frozen=True, eq=False)
class Step:
    """One step: a heading, one or two sentences, display lines and the checked results.

    ``values`` holds the step's results as SymPy objects (e.g. ``values["gradient"]``);
    ``hatted`` lists symbols printed with a hat (the target of a dataset, the lecture's y-hat).
    """

    key: str
    heading: tuple[Segment, ...]
    text: tuple[Segment, ...] = ()
    lines: tuple[Line, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    hatted: tuple[sp.Symbol, ...] = ()

    @property
    def heading_text(self) -> str:
        return _plain(self.heading)

    @property
    def sentence(self) -> str:
        return _plain(self.text)

    def objects(self) -> tuple[Any, ...]:
        """Every SymPy object shown by the step: in its text and in its display lines."""
        inline = tuple(s for s in self.heading + self.text if not isinstance(s, (str, Tex)))
        return inline + tuple(o for line in self.lines for o in line.objects())


@dataclass(frozen=True, eq=False)
class Section:
    """A titled group of steps."""

    title: tuple[Segment, ...]
    steps: tuple[Step, ...]
    text: tuple[Segment, ...] = ()


@dataclass(frozen=True, eq=False)
class Derivation:
    """An ordered, checked derivation, rendered as LaTeX or Markdown.

    Attributes
    ----------
    title : tuple
        Title segments (text and inline math).
    sections : tuple of Section
    language : {"en", "zh"}
    loss, analysis : the Loss and CriticalSet derived from, when there is one.
    """

    title: tuple[Segment, ...]
    sections: tuple[Section, ...]
    language: str = "en"
    loss: Any = None
    analysis: Any = None

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for section in self.sections for step in section.steps)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(step.key for step in self.steps)

    def step(self, key: str) -> Step:
        """The step called ``key`` (e.g. ``"gradient"``, ``"point1.escape"``)."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"no step {key!r}; the steps are: {', '.join(self.keys)}")

    def to_latex(self, standalone: bool = True) -> str:
        """LaTeX: a complete document (``article``, ``amsmath``, ``amssymb``) or its body.

        Raises ValueError for ``language="zh"``: pdflatex cannot typeset Chinese with the
        packages of texlive-latex-base; use :meth:`to_markdown` for Chinese.
        """
        from .latex import render_latex

        return render_latex(self, standalone)

    def to_markdown(self) -> str:
        """Markdown with ``$$`` display blocks and ``$`` inline math (GitHub, Jupyter)."""
        from .markdown import render_markdown

        return render_markdown(self)

    def _repr_latex_(self) -> str | None:
        if self.language != "en":
            return None  # the notebook shows the Markdown instead
        from .latex import render_latex_display

        return render_latex_display(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def extended(self, *sections: Section) -> "Derivation":
        """A new derivation with ``sections`` appended."""
        return replace(self, sections=self.sections + tuple(sections))

    def add_optimizer_rules(self, names: Iterable[str] | None = None) -> "Derivation":
        """A new derivation with a section of optimizer and schedule update rules appended."""
        from .derive import derive_optimizer_rules

        rules = derive_optimizer_rules(names, language=self.language)
        return self.extended(*rules.sections)

    def __repr__(self) -> str:
        return (f"Derivation({_plain(self.title)!r}, {len(self.sections)} section(s), "
                f"{len(self.steps)} step(s), language={self.language!r})")


def _plain(segments: Iterable[Segment]) -> str:
    return "".join(s if isinstance(s, str) else str(s) for s in segments)


from .derive import derive, derive_optimizer_rules  # noqa: E402  (records above first)
from .latex import critical_set_latex, loss_latex, symbol_latex, UnsafeTeXError  # noqa: E402
from .markdown import critical_set_markdown, loss_markdown  # noqa: E402
from .lecture import lecture_week2  # noqa: E402

__all__ = ["Derivation", "Section", "Step", "Line", "Tex", "DerivationError", "UnsafeTeXError",
           "LANGUAGES", "derive", "derive_optimizer_rules", "lecture_week2", "loss_latex",
           "loss_markdown", "critical_set_latex", "critical_set_markdown", "symbol_latex"]
