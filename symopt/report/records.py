"""The records of a derivation: Derivation, Section, Step, Line, Tex, and its error.

A :class:`Derivation` is a list of :class:`Section` s of :class:`Step` s.  Each step has a
heading, one or two sentences, and display lines whose parts are SymPy objects (kept as
objects, so programs and tests can inspect them) or symopt's own fixed notation (:class:`Tex`).
The renderers live in :mod:`~symopt.report.latex` and :mod:`~symopt.report.markdown`; the
builders in :mod:`~symopt.report.derive` and :mod:`~symopt.report.lecture`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from types import ModuleType
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

    def to_latex(self, standalone: bool = True, engine: str = "pdflatex") -> str:
        """LaTeX: a complete document (``article``, ``amsmath``, ``amssymb``) or its body.

        ``engine="xelatex"`` writes Chinese too (``language="zh"``, with xeCJK and the Noto
        CJK fonts); pdflatex documents are English only (ValueError otherwise).
        """
        return _renderer("latex").render_latex(self, standalone, engine)

    def to_markdown(self) -> str:
        """Markdown with ``$$`` display blocks and ``$`` inline math (GitHub, Jupyter)."""
        return _renderer("markdown").render_markdown(self)

    def _repr_latex_(self) -> str | None:
        if self.language != "en":
            return None  # the notebook shows the Markdown instead
        return _renderer("latex").render_latex_display(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def extended(self, *sections: Section) -> "Derivation":
        """A new derivation with ``sections`` appended."""
        return replace(self, sections=self.sections + tuple(sections))

    def add_optimizer_rules(self, names: Iterable[str] | None = None) -> "Derivation":
        """A new derivation with a section of optimizer and schedule update rules appended."""
        rules = _renderer("derive").derive_optimizer_rules(names, language=self.language)
        return self.extended(*rules.sections)

    def __repr__(self) -> str:
        return (f"Derivation({_plain(self.title)!r}, {_count(len(self.sections), 'section')}, "
                f"{_count(len(self.steps), 'step')}, language={self.language!r})")


def _plain(segments: Iterable[Segment]) -> str:
    return "".join(s if isinstance(s, str) else str(s) for s in segments)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _renderer(name: str) -> ModuleType:
    """The module ``symopt.report.<name>``, which sits above the records.

    The records' convenience methods (``to_latex``, ``to_markdown``, the notebook displays)
    reach it at call time by name, so the records never import their renderers and the
    layers keep one direction.
    """
    return importlib.import_module(f"symopt.report.{name}")
