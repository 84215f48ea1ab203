"""The style registry: one colour, marker and line style per optimizer, in every figure.

A figure never picks an optimizer's colour by its position in a legend: it asks
:func:`style_for` with the optimizer's name, so gradient descent has the same colour in the
landscape, the loss curves, a sweep and a cross-check.  Names with hyper-parameters
(``"adam(lr=0.01)"``, ``"gd, lr=0.5"``) take the style of their optimizer; unknown names get
a colour from a fixed extra palette chosen by a stable hash of the name, so they too keep
their colour from figure to figure.  Colours are from Okabe and Ito's colour-blind-safe
palette (Okabe & Ito, *Color Universal Design*, 2008) where it has enough, and read on white
and on the landscapes' light background.
"""

from __future__ import annotations

import re
import zlib
from typing import Iterable, NamedTuple

__all__ = ["Style", "OPTIMIZER_STYLES", "style_for", "styles_for", "register", "base_name",
           "LANDSCAPE_CMAP", "SERIES_COLORS"]


class Style(NamedTuple):
    """How one optimizer is drawn: matplotlib colour, marker and line style."""

    color: str
    marker: str
    linestyle: str = "-"

    def line_kwargs(self) -> dict[str, str]:
        """Keyword arguments for ``Axes.plot``."""
        return {"color": self.color, "marker": self.marker, "linestyle": self.linestyle}


#: The registry: optimizer name (as in :mod:`symopt.optim`) -> style.
OPTIMIZER_STYLES: dict[str, Style] = {
    "gd": Style("#0072B2", "o", "-"),
    "sgd": Style("#56B4E9", "o", "--"),
    "momentum": Style("#882255", "s", "-"),
    "nesterov": Style("#8C510A", "P", "--"),
    "adagrad": Style("#CC79A7", "^", "-"),
    "adagrad_lecture": Style("#CC79A7", "^", "-."),
    "rmsprop": Style("#009E73", "v", "-"),
    "rmsprop_lecture": Style("#009E73", "v", "-."),
    "adam": Style("#000000", "D", "-"),
    "adamw": Style("#666666", "d", "--"),
    "negative_curvature": Style("#E69F00", "*", "-"),
    "perturbed_gd": Style("#7570B3", "h", "--"),
    "saddle_free_newton": Style("#A6761D", "p", "-."),
    "newton": Style("#A6761D", "p", "-"),
}

#: Colours for names outside the registry, picked by a stable hash of the name.
_EXTRA = (Style("#7570B3", "h", "--"), Style("#E7298A", "<", "-"), Style("#66A61E", ">", "--"),
          Style("#A6761D", "8", "-."), Style("#1B9E77", "H", ":"), Style("#E6AB02", "p", "-"))

#: Colours of plain series that are not optimizers (schedules, basins), in order.
SERIES_COLORS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                                  "#56B4E9", "#000000", "#8C510A")

#: The landscapes' filled contours: a light grey-blue ramp, so every path colour stands out.
LANDSCAPE_CMAP = "Blues"

_ALIASES = {"gradient_descent": "gd", "gradient descent": "gd", "heavy_ball": "momentum",
            "rms_prop": "rmsprop", "torch.optim.sgd": "sgd", "torch.optim.adam": "adam",
            "torch.optim.adamw": "adamw", "torch.optim.rmsprop": "rmsprop",
            "torch.optim.adagrad": "adagrad", "optax.sgd": "sgd", "optax.adam": "adam",
            "optax.adamw": "adamw", "optax.rmsprop": "rmsprop", "optax.adagrad": "adagrad"}


def base_name(name: str) -> str:
    """The optimizer a label names: ``"Adam(lr=0.01)"`` -> ``"adam"``, ``"gd, lr=0.5"`` -> ``"gd"``.

    Examples
    --------
    >>> base_name("Adam(lr=0.01)"), base_name("gd, lr=0.5"), base_name("torch.optim.SGD")
    ('adam', 'gd', 'sgd')
    """
    key = str(name).strip().lower()
    if key in OPTIMIZER_STYLES:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    head = re.split(r"[\s,(\[:=]", key, maxsplit=1)[0]
    return _ALIASES.get(head, head)


def style_for(name: str) -> Style:
    """The style of the optimizer called ``name`` (the same in every figure).

    Examples
    --------
    >>> style_for("gd") == style_for("gd, lr=0.1") == OPTIMIZER_STYLES["gd"]
    True
    >>> style_for("my_optimizer") == style_for("my_optimizer")
    True
    """
    key = base_name(name)
    if key in OPTIMIZER_STYLES:
        return OPTIMIZER_STYLES[key]
    return _EXTRA[zlib.crc32(key.encode("utf-8")) % len(_EXTRA)]


_VARIANT_LINES = ("-", "--", ":", "-.")


def styles_for(names: Iterable[str]) -> dict[str, Style]:
    """Styles of the series of one figure: each keeps its optimizer's colour and marker;
    variants of one optimizer (``"gd, lr 0.5"``, ``"gd, lr 0.01"``) differ by line style,
    in the order given.

    Examples
    --------
    >>> styles = styles_for(["gd, lr 0.5", "gd, lr 0.01", "adam"])
    >>> [s.linestyle for s in styles.values()], len({s.color for s in styles.values()})
    (['-', '--', '-'], 2)
    """
    names = [str(n) for n in names]
    seen: dict[str, int] = {}
    out: dict[str, Style] = {}
    for name in names:
        key = base_name(name)
        shared = sum(1 for other in names if base_name(other) == key)
        style = style_for(name)
        if shared > 1:
            index = seen.get(key, 0)
            seen[key] = index + 1
            style = style._replace(linestyle=_VARIANT_LINES[index % len(_VARIANT_LINES)])
        out[name] = style
    return out


def register(name: str, style: Style) -> None:
    """Give a new optimizer its style (for every figure drawn after this call)."""
    if not isinstance(style, Style):
        raise TypeError(f"style must be a symopt.plotting.style.Style, got {type(style).__name__}")
    OPTIMIZER_STYLES[str(name).strip().lower()] = style
