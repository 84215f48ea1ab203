"""The lecture's badly scaled regression: condition numbers and GD steps, raw vs standardised.

    python examples/feature_scaling.py [OUTPUT_FOLDER]      (default: out/)

Data: x1 in 1..10, x2 in 1,000..10,000, y = x1 + x2 + noise (100 samples, seed 0); model
y = w1*x1 + w2*x2 + b with MSE.  Gradient descent at the best fixed rate
2/(lambda_min + lambda_max), capped at 20,000 steps.  Writes feature_scaling.json,
feature_scaling.txt and feature_scaling.png (the error surface in (w1, w2), raw and
standardised).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from symopt import ml

from _figures import save_figure


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "out")
    folder.mkdir(parents=True, exist_ok=True)
    report = ml.feature_scaling_experiment(ml.lecture_data(100, seed=0), tol=1e-3,
                                           max_steps=20_000)
    (folder / "feature_scaling.json").write_text(report.to_json(), encoding="utf-8")
    text = f"{report}\n\nexact Hessian, raw features:\n{report.hessian_raw}\n" \
           f"exact Hessian, standardised features:\n{report.hessian_scaled}\n"
    (folder / "feature_scaling.txt").write_text(text, encoding="utf-8")
    print(report)
    print(f"wrote {folder / 'feature_scaling.json'} and {folder / 'feature_scaling.txt'}")
    save_figure(folder / "feature_scaling.png", lambda fig: draw_surfaces(fig, report),
                size=(9.0, 4.0))
    return 0


def draw_surfaces(figure, report) -> None:
    """L - L* = v^T H v / 2 in the (w1, w2) plane through the minimum (b at its optimum),
    from the exact Hessians: steep along one direction and flat along the other for raw
    features, round after standardising."""
    figure.suptitle(r"$L - L^* = \frac{1}{2} v^T H v$ in the plane of $(w_1, w_2)$, $b$ at its "
                    "optimum", fontsize="medium")
    grid = np.linspace(-1.0, 1.0, 201)
    a, b = np.meshgrid(grid, grid)
    for ax, hessian, name, kappa in zip(
            figure.subplots(1, 2), (report.hessian_raw, report.hessian_scaled),
            ("raw features", "standardised features"), (report.kappa_raw, report.kappa_scaled)):
        h = np.array(hessian, dtype=float)
        # minimise over b for each (w1, w2): the Schur complement of the b entry
        block = h[:2, :2] - np.outer(h[:2, 2], h[2, :2]) / h[2, 2]
        gap = 0.5 * (block[0, 0] * a * a + 2 * block[0, 1] * a * b + block[1, 1] * b * b)
        levels = np.logspace(np.log10(gap[gap > 0].min()) + 1, np.log10(gap.max()), 15)
        ax.contour(a, b, gap, levels=levels, cmap="viridis")
        ax.set_aspect("equal")                      # the ellipse's true shape
        ax.set_title(f"{name}: condition number {kappa:.3g}", fontsize="medium")
        ax.set_xlabel("$w_1 - w_1^*$")
        ax.set_ylabel("$w_2 - w_2^*$")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
