"""Learning rates on a narrow valley: one constant rate cannot suit both directions.

The loss x**2/100 + 2*y**2 has Hessian diag(1/50, 4): steep across the valley (y), flat
along it (x), condition number 200.  Gradient descent multiplies the error along an
eigenvector of eigenvalue lambda by (1 - lr*lambda) per step, so

* lr = 0.5 = 2/lambda_max is too large: y flips sign every step without shrinking, and
  the loss stalls while the gradient stays large (the lecture's oscillation);
* lr = 0.01 is too small: x crawls;
* the best constant rate, 2/(lambda_min + lambda_max), still shrinks the error by only
  (kappa - 1)/(kappa + 1) = 0.99 per step.

Adagrad, RMSProp and Adam give each parameter its own scale sigma_i and reach the
minimum; schedules change eta_t over the steps.

Usage: python examples/learning_rates.py [OUTPUT_FOLDER]   (default: out/)
Writes learning_rates_constant.png (gradient descent at three constant rates),
learning_rates_adaptive.png, learning_rates_losses.png, schedules.png and learning_rates.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import symopt as so
from symopt import optim, plot

STEPS = 300
START = (-8.0, 1.5)
TARGET = 1e-3  # "reached": loss below this


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)

    # 1. the valley and its exact curvature
    loss = so.Loss.parse("x**2/100 + 2*y**2")
    analysis = so.critical_points(loss)
    eigenvalues = sorted(float(v) for v in analysis.points[0].eigenvalues)
    low, high = eigenvalues
    best = 2 / (low + high)
    kappa = high / low

    # 2. constant rates and adaptive methods from the same start
    optimizers = {
        "gd, lr 0.5 (too large)": optim.gd(0.5),
        "gd, lr 0.01 (too small)": optim.gd(0.01),
        f"gd, lr {best:.4g} (best constant)": optim.gd(best),
        "adagrad, lr 1": optim.adagrad(1.0),
        "rmsprop, lr 0.1": optim.rmsprop(0.1),
        "adam, lr 0.3": optim.adam(0.3),
        "adam, warmup + cosine": optim.adam(optim.warmup_cosine(0.5, warmup_steps=20,
                                                                total_steps=STEPS)),
    }
    f = so.compile(loss)
    runs = {name: so.run(f, opt, START, steps=STEPS) for name, opt in optimizers.items()}
    constant = {name: run for name, run in runs.items() if name.startswith("gd")}
    adaptive = {name: run for name, run in runs.items() if not name.startswith("gd")}
    # one panel per rate: the oscillating lr = 0.5 path would hide the others in one plot
    plot.path_panels(loss, constant, analysis=analysis, columns=1, panel_size=6.0).savefig(
        out / "learning_rates_constant.png", dpi=120)
    plot.trajectories(loss, adaptive, analysis=analysis).savefig(
        out / "learning_rates_adaptive.png", dpi=120)
    plot.loss_curves(runs, loss=loss).savefig(out / "learning_rates_losses.png", dpi=120)

    # 3. schedules: decay, and warm-up then decay
    schedules = {
        "constant 0.1": optim.constant(0.1),
        "step decay (x0.5 every 75)": optim.step_decay(0.1, step_size=75, gamma=0.5),
        "exponential (0.99)": optim.exponential(0.1, gamma=0.99),
        "cosine": optim.cosine(0.1, total_steps=STEPS),
        "warm-up 30 + cosine": optim.warmup_cosine(0.1, warmup_steps=30, total_steps=STEPS),
        "transformer (d=64, warm-up 30)": optim.transformer(64, warmup_steps=30),
    }
    plot.schedule(schedules, STEPS).savefig(out / "schedules.png", dpi=120)

    # 4. the summary
    lines = [
        "# Learning rates on the narrow valley x**2/100 + 2*y**2",
        "",
        f"- Hessian eigenvalues {low:g} and {high:g}: condition number {kappa:g}",
        f"- best constant rate 2/(lambda_min + lambda_max) = {best:.6g}, contraction "
        f"(kappa - 1)/(kappa + 1) = {(kappa - 1) / (kappa + 1):.6g} per step",
        f"- every run: {STEPS} steps from {START}",
        "",
        "| optimizer | final loss | gradient norm | steps to loss < 1e-3 | sign changes of y |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, trajectory in runs.items():
        reached = trajectory.first_below(TARGET)
        flips = int((np.diff(np.sign(trajectory.path[:, 1])) != 0).sum())
        lines.append(f"| {name} | {trajectory.fun:.3g} | {trajectory.grad_norm:.3g} | "
                     f"{reached if reached is not None else 'not reached'} | {flips} |")
    lines += ["", "## Schedules (learning rate at steps 0, 30, 150, 299)", "",
              "| schedule | eta_0 | eta_30 | eta_150 | eta_299 |", "| --- | --- | --- | --- | --- |"]
    for name, s in schedules.items():
        lines.append(f"| {name} | " + " | ".join(f"{s(t):.4g}" for t in (0, 30, 150, 299)) + " |")
    lines += ["", "Figures: learning_rates_constant.png, learning_rates_adaptive.png, "
              "learning_rates_losses.png, schedules.png", ""]
    (out / "learning_rates.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
