"""The order in which a derivation is written out, shared by all its renderings.

A rendering (LaTeX, Markdown, notebook display) is a :class:`Layout`: how it writes a title,
a paragraph, a step's heading and a display line.  :func:`lay_out` walks the derivation once,
in reading order, and asks the layout for each block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import sympy as sp

    from .records import Derivation, Line

__all__ = ["Layout", "lay_out", "segments_text"]


@dataclass(frozen=True)
class Layout:
    """How one output format writes each part of a derivation; each part is one block.

    ``hatted`` arguments are the symbols printed with a hat (see ``Step.hatted``).
    """

    #: The derivation's title segments -> block.
    title: Callable[[Sequence[Any]], str]
    #: A section's title segments -> block.
    section: Callable[[Sequence[Any]], str]
    #: A paragraph's segments, hatted -> block.
    text: Callable[[Sequence[Any], Sequence["sp.Symbol"]], str]
    #: A step's number (from 1 in each section), heading segments, hatted -> block.
    step: Callable[[int, Sequence[Any], Sequence["sp.Symbol"]], str]
    #: A display line, hatted -> block.
    line: Callable[["Line", Sequence["sp.Symbol"]], str]


def lay_out(derivation: "Derivation", layout: Layout) -> list[str]:
    """The blocks of ``derivation`` in reading order; empty titles and paragraphs are left out."""
    blocks: list[str] = []
    if derivation.title:
        blocks.append(layout.title(derivation.title))
    for section in derivation.sections:
        if section.title:
            blocks.append(layout.section(section.title))
        if section.text:
            blocks.append(layout.text(section.text, ()))
        for number, step in enumerate(section.steps, 1):
            blocks.append(layout.step(number, step.heading, step.hatted))
            if step.text:
                blocks.append(layout.text(step.text, step.hatted))
            for line in step.lines:
                blocks.append(layout.line(line, step.hatted))
    return blocks


def segments_text(segments: Iterable[Any], text: Callable[[str], str],
                  math: Callable[[Any], str]) -> str:
    """Segments joined: plain text (str) through ``text``, math (anything else) through ``math``."""
    return "".join(text(seg) if isinstance(seg, str) else math(seg) for seg in segments)
