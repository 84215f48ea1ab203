"""Critical points and saddles of the lecture's loss, and five optimizers leaving the saddle.

The model y = w1*w2*x on the one sample (x, y) = (1, 1) has the loss (1 - w1*w2)**2.
This script finds every critical point exactly (the saddle at the origin and the curve
w1*w2 = 1 of global minima), draws the landscape with the saddle's escape direction, runs
GD, momentum, Adagrad, RMSProp and Adam from a start near the saddle, and measures how
fast gradient descent and momentum leave the saddle against the linearised prediction.

Usage: python examples/critical_points_and_saddles.py [OUTPUT_FOLDER]   (default: out/)
Writes landscape.png, paths.png, paths_panels.png, loss_curves.png and
critical_points_and_saddles.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import symopt as so
from symopt import optim, plot
from symopt.escaping import escape
from symopt.report.notation import plain
from symopt.summary import shortest_form

STEPS = 150


def _vector(values) -> str:
    return "(" + ", ".join(f"{float(v):.6g}" for v in values) + ")"


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)

    # 1. the loss from the model and the data, and its exact analysis
    loss = so.Loss.from_model("w1*w2*x", data={"x": [1], "y": [1]})
    analysis = so.critical_points(loss)
    saddle = analysis.saddles[0]
    family = analysis.families[0]
    origin = {p: 0 for p in loss.params}

    # 2. the landscape: saddle, escape arrows, the family of minima
    plot.landscape(loss, analysis=analysis).savefig(out / "landscape.png", dpi=120)

    # 3. five optimizers from the same start near the saddle: mostly along its stable
    #    direction (1, -1), a little along the escape direction (1, 1), so that each path
    #    first slides toward the saddle and then leaves it
    start = np.array([0.3, -0.25])
    optimizers = {
        "gd": optim.gd(0.1),
        "momentum": optim.momentum(0.05, decay=0.9),
        "adagrad": optim.adagrad(0.2),
        "rmsprop": optim.rmsprop(0.01),
        "adam": optim.adam(0.05),
    }
    runs = {name: so.run(loss, opt, start, steps=STEPS) for name, opt in optimizers.items()}
    # near the start the paths pile up: an inset magnifies that box
    plot.trajectories(loss, runs, analysis=analysis, zoom=(-0.05, 0.45, -0.3, 0.2)).savefig(
        out / "paths.png", dpi=120)
    # the paths overlap near the saddle: one panel each shows every one of them
    plot.path_panels(loss, runs, analysis=analysis, columns=3).savefig(
        out / "paths_panels.png", dpi=120)
    plot.loss_curves(runs, loss=loss).savefig(out / "loss_curves.png", dpi=120)

    # 4. escape from 1e-6 away, measured against the linearisation
    escapes = {name: escape(loss, saddle, optimizers[name] if name != "momentum"
                            else optim.momentum(0.1, decay=0.9), delta=1e-6, radius=0.1,
                            direction="random", seed=0)
               for name in ("gd", "momentum")}

    # 5. the summary
    lines = [
        "# Critical points and saddles of (1 - w1*w2)**2",
        "",
        f"- loss: `{plain(loss.expr)}` (model w1*w2*x on the sample (1, 1))",
        f"- gradient: `[{', '.join(plain(shortest_form(g)) for g in loss.gradient)}]`",
        f"- Hessian: `{loss.hessian.tolist()}`; at the origin `{loss.hessian.subs(origin).tolist()}`",
        f"- saddle at {_vector(saddle.numeric)}: eigenvalues "
        f"{', '.join(str(v) for v in saddle.eigenvalues)}; kind {saddle.kind.value}",
        f"- escape direction {_vector(saddle.escape_directions_numeric[0])} "
        f"(exactly {tuple(saddle.escape_directions[0])}), the eigenvector of eigenvalue "
        f"{saddle.negative_eigenvalues[0]}",
        f"- family: {', '.join(f'{e} = 0' for e in family.equations)}, dimension "
        f"{family.dimension}, {family.kind.value}"
        + (" (global minima, loss 0)" if family.global_minimum else ""),
        f"- complete: {analysis.complete}",
        "",
        f"## {STEPS} steps from {_vector(start)}",
        "",
        "| optimizer | end | loss | on w1*w2 = 1 |",
        "| --- | --- | --- | --- |",
    ]
    for name, trajectory in runs.items():
        w1, w2 = trajectory.x
        lines.append(f"| {name} | {_vector(trajectory.x)} | {trajectory.fun:.3g} | "
                     f"{'yes' if abs(w1 * w2 - 1) < 1e-3 else 'no'} |")
    lines += ["", "## Escape from the saddle (start 1e-6 away, radius 0.1)", "",
              "| optimizer | steps | predicted | exit direction | cosine |",
              "| --- | --- | --- | --- | --- |"]
    for name, report in escapes.items():
        lines.append(f"| {name} | {report.steps} | {report.predicted_steps} | "
                     f"{_vector(report.exit_direction)} | {report.cosine:.6f} |")
    lines += ["", "Figures: landscape.png, paths.png, paths_panels.png, loss_curves.png", ""]
    (out / "critical_points_and_saddles.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
