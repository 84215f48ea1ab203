"""The handout's figures: the worked example's landscape, optimizer paths, schedules.

Drawn here (plotting sits above report) and passed by path to
:func:`symopt.report.handout.write_handout`.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..critical import critical_points
from ..runner import run
from .charts import schedule
from .landscape import landscape, path_panels

__all__ = ["handout_figures", "FIGURE_WORDS", "CJK_FONT"]

#: The words of the handout's figures in each language other than English (the words the
#: figures are drawn with): legends, axis and colour-bar labels, titles.  A key ending in
#: ": " (``"family: "``) is a prefix: the rest of the label, a formula, is kept.
FIGURE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "minimum": "极小值点", "maximum": "极大值点", "saddle": "鞍点", "inconclusive": "无法判定",
        "mixed": "类型不一",
        "escape direction": "逃离方向", "start": "起点", "loss": "损失",
        "loss (log-spaced levels)": "损失 (等高线按对数间隔)", "family: ": "临界点族: ",
        "gd": "梯度下降", "momentum": "动量", "adam": "Adam",
        "step t": "步数 t", "learning rate": "学习率", "learning-rate schedules": "学习率调度",
        "exponential decay": "指数衰减", "linear warm-up": "线性预热",
        "warm-up, then cosine": "预热后余弦衰减", "Transformer (scaled)": "Transformer (缩放)",
    },
}

#: The font family for Chinese labels (Debian: fonts-noto-cjk), found by matplotlib's font
#: manager; DejaVu Sans (matplotlib's own) draws what it lacks.
CJK_FONT = "Noto Sans CJK SC"

# text that needs no words: numbers (tick labels) and formulas in mathtext
_NO_WORDS = re.compile(r"^(\$[^$]*\$|[-+−0-9.,e ]*)$")


def _translated(text: str, words: dict[str, str]) -> str:
    """``text`` in the table's language; a label with words the table lacks is an error (a
    figure half in English is never shipped)."""
    if _NO_WORDS.match(text):
        return text
    if text in words:
        return words[text]
    for key, value in words.items():
        if key.endswith(": ") and text.startswith(key) and _NO_WORDS.match(text[len(key):]):
            return value + text[len(key):]
    raise ValueError(f"the figure label {text!r} has no translation; add it to FIGURE_WORDS")


def _translate_figure(fig: Any, language: str) -> None:
    """Every label of ``fig`` (titles, axis labels, legends, colour bars) in ``language``."""
    from matplotlib.text import Text

    if language == "en":
        return
    words = FIGURE_WORDS[language]
    for artist in fig.findobj(Text):
        text = artist.get_text()
        if text:
            artist.set_text(_translated(text, words))


@contextmanager
def _figure_fonts(language: str) -> Iterator[None]:
    """Matplotlib's settings for ``language``: the CJK font for Chinese, found by the font
    manager (a clear error when it is not installed)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    if language == "en":
        yield
        return
    try:
        font_manager.findfont(font_manager.FontProperties(family=CJK_FONT),
                              fallback_to_default=False)
    except ValueError:
        raise ValueError(f"the font {CJK_FONT!r} for Chinese figure labels is not installed; "
                         "install it (Debian: apt-get install fonts-noto-cjk)") from None
    with mpl.rc_context({"font.family": [CJK_FONT, "DejaVu Sans"],
                         "axes.unicode_minus": False}):
        yield


def handout_figures(out_dir: str | Path = "out", dpi: int = 150,
                    language: str = "en") -> dict[str, Path]:
    """Draw the handout's figures into ``out_dir``; return their paths by name.

    The names are those of :data:`symopt.report.handout.HANDOUT_FIGURES`: ``landscape``
    (saddle, family of minima, escape direction of the worked example), ``paths`` (gradient
    descent, momentum and Adam from one start near the saddle, one panel each) and
    ``schedules`` (decay and warm-up).  With ``language="zh"`` every label is Chinese
    (:data:`FIGURE_WORDS`, font :data:`CJK_FONT`) and the files end in ``.zh.png``.
    """
    if language != "en" and language not in FIGURE_WORDS:
        raise ValueError(f"language={language!r} is not known; use 'en' or "
                         + " or ".join(repr(k) for k in FIGURE_WORDS))
    with _figure_fonts(language):
        return _draw(Path(out_dir), dpi, language)


def _draw(folder: Path, dpi: int, language: str) -> dict[str, Path]:
    from .. import optim
    from ..report.lecture import lecture_loss

    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".png" if language == "en" else f".{language}.png"
    loss = lecture_loss()
    analysis = critical_points(loss, timeout=30)
    written: dict[str, Path] = {}

    fig = landscape(loss, analysis=analysis)
    _translate_figure(fig, language)
    written["landscape"] = folder / ("handout_landscape" + suffix)
    fig.savefig(written["landscape"], dpi=dpi)

    start = np.array([0.05, -0.03])
    runs = {"gd": run(loss, optim.gd(0.1), start, steps=120),
            "momentum": run(loss, optim.momentum(0.05, 0.9), start, steps=120),
            "adam": run(loss, optim.adam(0.05), start, steps=120)}
    fig = path_panels(loss, runs, region=(-1.6, 1.6, -1.6, 1.6), analysis=analysis)
    _translate_figure(fig, language)
    written["paths"] = folder / ("handout_paths" + suffix)
    fig.savefig(written["paths"], dpi=dpi)

    steps = 400
    fig = schedule({"exponential decay": optim.exponential(0.1, 0.99),
                    "linear warm-up": optim.linear_warmup(0.1, 50),
                    "warm-up, then cosine": optim.warmup_cosine(0.1, 50, steps),
                    "Transformer (scaled)": _scaled(optim.transformer(64, 50), 0.1)}, steps)
    _translate_figure(fig, language)
    written["schedules"] = folder / ("handout_schedules" + suffix)
    fig.savefig(written["schedules"], dpi=dpi)
    return written


def _scaled(fn, peak: float):
    """``fn`` rescaled so its largest value over 0..999 is ``peak`` (for one common axis)."""
    top = max(float(fn(t)) for t in range(1000))
    return lambda t: peak * float(fn(t)) / top
