"""Gradient descent against momentum from the same start, at the same learning rate.

Momentum (the lecture's m_t = lambda m_(t-1) - eta g_(t-1), theta_t = theta_(t-1) + m_t)
adds the previous movement to the negative gradient.  Two places where that matters:

* along the flat floor of the valley x**2/100 + 2*y**2 the gradient is small but points
  the same way every step, so the movement builds up (up to 1/(1 - lambda) = 10 times one
  gradient step with lambda = 0.9);
* near the lecture's saddle of (1 - w1*w2)**2 the escaping component grows by a factor
  1.5 per step instead of 1.2 (learning rate 0.1, eigenvalue -2), so momentum leaves in
  about half the steps.

Usage: python examples/momentum.py [OUTPUT_FOLDER]   (default: out/)
Writes momentum_paths.png, momentum_losses.png, momentum_saddle_losses.png and momentum.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import symopt as so
from symopt import optim, plot
from symopt.escaping import escape, growth_factor

LEARNING_RATE = 0.25
DECAY = 0.9
STEPS = 300
START = (-8.0, 1.5)


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)

    # 1. the valley: same start, same learning rate
    valley = so.Loss.parse("x**2/100 + 2*y**2")
    analysis = so.critical_points(valley)
    runs = {
        "gd": so.run(valley, optim.gd(LEARNING_RATE), START, steps=STEPS),
        "momentum": so.run(valley, optim.momentum(LEARNING_RATE, decay=DECAY), START,
                           steps=STEPS),
    }
    plot.trajectories(valley, runs, analysis=analysis).savefig(out / "momentum_paths.png",
                                                              dpi=120)
    plot.loss_curves(runs, loss=valley).savefig(out / "momentum_losses.png", dpi=120)

    # 2. the lecture's saddle: escape with and without momentum
    lecture = so.Loss.parse("(1 - w1*w2)**2")
    saddle = so.critical_points(lecture).saddles[0]
    escapes = {
        "gd": escape(lecture, saddle, optim.gd(0.1), delta=1e-6, radius=0.1, seed=0),
        "momentum": escape(lecture, saddle, optim.momentum(0.1, decay=DECAY), delta=1e-6,
                           radius=0.1, seed=0),
    }
    near = np.array([1e-3, -2e-3])
    saddle_runs = {"gd": so.run(lecture, optim.gd(0.1), near, steps=120),
                   "momentum": so.run(lecture, optim.momentum(0.1, decay=DECAY), near,
                                      steps=120)}
    plot.loss_curves(saddle_runs, title="loss from 0.002 away from the saddle",
                     loss=lecture).savefig(
        out / "momentum_saddle_losses.png", dpi=120)

    # 3. the summary
    lines = [
        "# Gradient descent and momentum",
        "",
        f"## The valley x**2/100 + 2*y**2, {STEPS} steps from {START}, learning rate "
        f"{LEARNING_RATE}, momentum {DECAY}",
        "",
        "| optimizer | final loss | steps to loss < 1e-6 | end |",
        "| --- | --- | --- | --- |",
    ]
    for name, trajectory in runs.items():
        reached = trajectory.first_below(1e-6)
        lines.append(f"| {name} | {trajectory.fun:.3g} | "
                     f"{reached if reached is not None else 'not reached'} | "
                     f"({trajectory.x[0]:.4g}, {trajectory.x[1]:.4g}) |")
    lines += ["", "## Escaping the saddle of (1 - w1*w2)**2 (start 1e-6 away, radius 0.1, "
              "learning rate 0.1)", "",
              "| optimizer | growth per step | steps | predicted |", "| --- | --- | --- | --- |"]
    for name, report in escapes.items():
        factor = growth_factor(0.1, -2.0, DECAY if name == "momentum" else 0.0)
        lines.append(f"| {name} | {factor:.4g} | {report.steps} | {report.predicted_steps} |")
    lines += ["", "Figures: momentum_paths.png, momentum_losses.png, momentum_saddle_losses.png",
              ""]
    (out / "momentum.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
