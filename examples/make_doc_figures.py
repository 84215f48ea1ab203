"""Redraw the figures of the README and the docs into docs/_static/.

    python examples/make_doc_figures.py

lecture_landscape.png (the README picture: the lecture's loss, its saddle, escape direction,
curve of minima, and five optimizers, one panel each so no path hides another),
valley_loss_curves.png (loss against step on the narrow valley, loss named in the title) and
feature_scaling.png (the error surface for raw and standardised features, equal axes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import symopt as so
from symopt import ml, optim, plot

sys.path.insert(0, str(Path(__file__).parent))
from _figures import save_figure  # noqa: E402
from feature_scaling import draw_surfaces  # noqa: E402

STATIC = Path(__file__).resolve().parent.parent / "docs" / "_static"


def main() -> int:
    lecture = so.Loss.parse("(1 - w1*w2)**2")
    analysis = so.critical_points(lecture)
    start = np.array([0.3, -0.25])
    optimizers = {"gd": optim.gd(0.1), "momentum": optim.momentum(0.05, decay=0.9),
                  "adagrad": optim.adagrad(0.2), "rmsprop": optim.rmsprop(0.01),
                  "adam": optim.adam(0.05)}
    runs = {name: so.run(lecture, opt, start, steps=150) for name, opt in optimizers.items()}
    plot.path_panels(lecture, runs, analysis=analysis, columns=3, panel_size=3.2).savefig(
        STATIC / "lecture_landscape.png", dpi=110)

    valley = so.Loss.parse("x**2/100 + 2*y**2")
    rates = {"gd, lr 0.5": optim.gd(0.5), "gd, lr 0.01": optim.gd(0.01),
             "adagrad, lr 1": optim.adagrad(1.0), "rmsprop, lr 0.1": optim.rmsprop(0.1),
             "adam, lr 0.3": optim.adam(0.3)}
    rate_runs = {name: so.run(valley, opt, [-8.0, 1.5], steps=300) for name, opt in rates.items()}
    plot.loss_curves(rate_runs, loss=valley).savefig(STATIC / "valley_loss_curves.png", dpi=100)

    report = ml.feature_scaling_experiment(ml.lecture_data(100, seed=0), tol=1e-3,
                                           max_steps=20_000)
    save_figure(STATIC / "feature_scaling.png", lambda fig: draw_surfaces(fig, report),
                size=(9.0, 4.0))
    print(f"wrote the figures into {STATIC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
