"""Batch normalization: the exact gradient, checked, and training vs inference statistics.

    python examples/batch_norm.py [OUTPUT_FOLDER]      (default: out/)

Writes batch_norm.json: the largest difference between the exact gradient of
sum_ij c_ij * out_ij (batch of 4 samples, 2 features) and central finite differences, the
same for the closed form of Ioffe and Szegedy, and the inference table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from symopt import ml

from _figures import save_figure


def gradient_check(seed: int = 0, h: float = 1e-6) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, 2)) * [1.0, 3.0]
    gamma, beta, c = rng.normal(size=2) + 1, rng.normal(size=2), rng.normal(size=(4, 2))
    layer = ml.batch_norm(4, 2)
    grad = ml.batch_norm_gradient(layer)
    exact = grad.evaluate(x, gamma, beta, weights=c)

    def loss(xs: np.ndarray) -> float:
        return float(np.sum(c * layer.evaluate(xs, gamma, beta)))

    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (loss(up) - loss(down)) / (2 * h)
    closed = ml.batch_norm_input_gradient(layer, grad.weights)
    point = dict(zip(list(layer.symbols) + list(grad.weights),
                     [*x.ravel(), *gamma, *beta, *c.ravel()]))
    closed_values = np.array(closed.subs(point).evalf(), dtype=float)
    return {"max_abs_exact_vs_finite_differences": float(np.abs(exact["inputs"] - numeric).max()),
            "max_abs_closed_form_vs_exact": float(np.abs(closed_values - exact["inputs"]).max()),
            "sum_of_input_gradients": float(np.abs(exact["inputs"].sum(axis=0)).max())}


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "out")
    folder.mkdir(parents=True, exist_ok=True)
    check = gradient_check()
    inference = ml.batch_norm_inference((4, 16, 64, 256))
    result = {"gradient": check, "inference": inference.to_dict()}
    (folder / "batch_norm.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"exact gradient vs central differences: max |diff| = "
          f"{check['max_abs_exact_vs_finite_differences']:.2e}")
    print(f"closed form vs exact gradient: max |diff| = {check['max_abs_closed_form_vs_exact']:.2e}")
    print(inference)
    print(f"wrote {folder / 'batch_norm.json'}")
    save_figure(folder / "batch_norm.png", lambda fig: draw_inference(fig, inference))
    return 0


def draw_inference(figure, inference) -> None:
    """Training-mode (batch statistics) against inference-mode outputs, by batch size."""
    ax = figure.subplots()
    sizes = [row.batch_size for row in inference.rows]
    ax.loglog(sizes, [row.max_diff_running for row in inference.rows], "o-",
              label="running averages vs batch statistics")
    ax.loglog(sizes, [row.max_diff_full for row in inference.rows], "s--",
              label="full training set vs batch statistics")
    ax.loglog(sizes, [row.running_mean_error for row in inference.rows], "^:",
              label="|running mean - full-data mean|")
    ax.set_xlabel("batch size")
    ax.set_ylabel("max absolute difference")
    ax.set_title("Batch normalization: training mode against inference mode")
    ax.legend()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
