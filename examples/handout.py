"""The week-2 handout as PDF, in English and Chinese, with its figures.

    python examples/handout.py [OUTPUT_FOLDER] [--measure]      (default: out/)

Writes handout_week2.pdf (pdflatex) and handout_week2.zh.pdf (XeLaTeX with xeCJK and the
Noto CJK fonts), their LaTeX sources and the figures they include.  With --measure the
batch-size section also prints epoch times measured on this machine (a few seconds).
"""

from __future__ import annotations

import sys

import numpy as np

import symopt as so
from symopt import ml
from symopt.report.handout import write_handout


def main(argv: list[str]) -> int:
    measure = "--measure" in argv
    args = [a for a in argv if a != "--measure"]
    folder = args[0] if args else "out"
    try:
        from symopt import plot
        figures = plot.handout_figures(folder)
    except ImportError as error:
        print(f"{error}: the handout is written without its figures")
        figures = None
    table = None
    if measure:
        rng = np.random.default_rng(0)
        x = rng.uniform(-3, 3, 256)
        loss = so.Loss.from_model("w1*tanh(w2*x)", data={"x": x, "y": 2 * np.tanh(1.5 * x)},
                                  params=["w1", "w2"])
        table = ml.batch_size_table(loss, [0.5, 0.5], 0.05, (1, 256), epochs=1)
    for language in ("en", "zh"):
        files = write_handout(folder, language, pdf=True, figures=figures, batch_table=table)
        print(f"wrote {files.pdf} ({len(files.overfull)} overfull lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
