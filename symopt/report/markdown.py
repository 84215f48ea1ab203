"""Markdown output: ``$$`` display blocks and ``$`` inline math, with no way to carry HTML.

Text outside math has ``&``, ``<`` and ``>`` written as entities and Markdown's special
characters backslash-escaped, so it can form neither a tag, a link nor emphasis.  Math comes
from the same safe printer as the LaTeX output, with ``<`` and ``>`` written ``\\lt`` and
``\\gt``: no ``<`` reaches the page at all.  GitHub and Jupyter (MathJax) render the math.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable

import sympy as sp

from .latex import _family_kind_text, _kind_text, _mathjax, _short, line_tex, to_tex
from .layout import Layout, lay_out, segments_text

if TYPE_CHECKING:  # pragma: no cover
    from ..critical import CriticalSet
    from ..loss import Loss
    from .records import Derivation

__all__ = ["escape_markdown", "math_markdown", "render_markdown", "loss_markdown",
           "critical_set_markdown"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]$|~#])")
_SCHEME = re.compile(r"(?i)\b(java|vb)script(\s*):")


def escape_markdown(text: str) -> str:
    """Plain text for a Markdown paragraph: no HTML, no links, no emphasis, no math.

    Examples
    --------
    >>> escape_markdown("<script>alert('x')</script> & [a](javascript:b) *c* $d$")
    "&lt;script&gt;alert('x')&lt;/script&gt; &amp; \\\\[a\\\\](javascript&#58;b) \\\\*c\\\\* \\\\$d\\\\$"
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _SCHEME.sub(lambda m: f"{m.group(1)}script{m.group(2)}&#58;", text)
    return text.replace("\r", " ").replace("\n", " ")


def math_markdown(tex: str, table_cell: bool = False) -> str:
    r"""LaTeX from the safe printer made ready for Markdown math.

    ``<``/``>`` become ``\lt``/``\gt``; an ``&`` is never followed by a letter (so it cannot
    start an HTML entity); in a table cell, ``|`` becomes ``\vert``.

    Examples
    --------
    >>> math_markdown("x < 1")
    'x \\lt  1'
    """
    tex = _mathjax(tex)
    tex = re.sub(r"&(?=[A-Za-z#0-9])", "&{}", tex)
    if table_cell:
        tex = tex.replace("\\|", "\\Vert ").replace("|", "\\vert ")
    return tex


def _inline(obj: Any, hatted: Iterable[sp.Symbol] = (), table_cell: bool = False) -> str:
    return "$" + math_markdown(to_tex(obj, "markdown", hatted), table_cell) + "$"


def _segments(segments: Iterable[Any], hatted: Iterable[sp.Symbol] = ()) -> str:
    return segments_text(segments, escape_markdown, lambda seg: _inline(seg, hatted))


_MARKDOWN = Layout(
    title=lambda title: "# " + _segments(title) + "\n",
    section=lambda title: "## " + _segments(title) + "\n",
    text=lambda text, hatted: _segments(text, hatted) + "\n",
    step=lambda number, heading, hatted: "### %d. %s\n" % (number, _segments(heading, hatted)),
    line=lambda line, hatted: "$$\n" + math_markdown(line_tex(line, "markdown", hatted)) + "\n$$\n",
)


def render_markdown(derivation: "Derivation") -> str:
    """The Markdown of a derivation: headings, sentences and ``$$`` display blocks."""
    return "\n".join(lay_out(derivation, _MARKDOWN))


def loss_markdown(loss: "Loss") -> str:
    """``L(params) = expression`` as Markdown inline math, for ``Loss._repr_markdown_``.

    Examples
    --------
    >>> from symopt.loss import Loss
    >>> print(loss_markdown(Loss.parse("x**2 - y**2")))
    $L(x, y) = x^{2} - y^{2}$
    """
    params = ", ".join(to_tex(p, "markdown") for p in loss.params)
    formula = loss.written or loss.expr
    return "$L(" + params + ") = " + math_markdown(to_tex(formula, "markdown")) + "$"


def critical_set_markdown(cs: "CriticalSet") -> str:
    """A Markdown table of the critical points and families, for ``CriticalSet._repr_markdown_``.

    Examples
    --------
    >>> from symopt.loss import Loss
    >>> from symopt.critical import critical_points
    >>> print(critical_set_markdown(critical_points(Loss.parse("x**2 - y**2"))))
    | # | point $(x, y)$ | $L$ | eigenvalues | kind | escape direction |
    |---|---|---|---|---|---|
    | 1 | $\\left( 0, \\  0\\right)$ | $0$ | $-2$, $2$ | saddle | $\\left( 0, \\  1\\right)$ |
    <BLANKLINE>
    complete (proven); method: Groebner basis + exact real-root isolation
    """
    loss = cs.loss
    names = ", ".join(to_tex(p, "markdown") for p in loss.params)
    rows = [f"| # | point $({math_markdown(names, True)})$ | $L$ | eigenvalues | kind | "
            "escape direction |", "|---|---|---|---|---|---|"]
    for i, p in enumerate(cs.points, 1):
        escape = "; ".join(_inline(sp.Tuple(*map(_short, d)), table_cell=True)
                           for d in p.escape_directions) or "-"
        kind = _kind_text(p)
        rows.append(" | ".join([
            f"| {i}", _inline(sp.Tuple(*map(_short, p.coords)), table_cell=True),
            _inline(_short(p.value), table_cell=True),
            ", ".join(_inline(_short(v), table_cell=True) for v in p.eigenvalues),
            escape_markdown(kind), escape]) + " |")
    text = "\n".join(rows) + "\n"
    if cs.families:
        text += "\n| family | dimension | $L$ on it | kind |\n|---|---|---|---|\n"
        for f in cs.families:
            eqs = ", ".join(_inline(sp.Eq(e, 0), table_cell=True) for e in f.equations)
            value = _inline(_short(f.value), table_cell=True) if f.value is not None else "-"
            kind = _family_kind_text(f)
            text += (f"| {eqs or 'everywhere'} | {f.dimension} | {value} | "
                     f"{escape_markdown(kind)} |\n")
    verdict = "complete (proven)" if cs.complete else f"not proven complete ({cs.status})"
    text += "\n" + escape_markdown(f"{verdict}; method: {cs.method}")
    for note in cs.notes:
        text += "\n\n" + escape_markdown("note: " + note)
    return text
