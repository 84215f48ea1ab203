"""Classification facts of the lecture, derived exactly, and cross-entropy vs squared error.

    python examples/classification.py [OUTPUT_FOLDER]      (default: out/)

Writes classification.json (every fact with its check), classification.txt (the
saturation table) and classification.png (gradient norms of MSE and cross-entropy as the
softmax saturates) and prints a summary.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import sympy as sp

import symopt as so
from symopt import ml

from _figures import save_figure


def gradient_facts() -> dict[str, bool]:
    """de/dy_i = softmax(y)_i - yhat_i for K = 2..5 (with sum yhat = 1)."""
    facts = {}
    for k in range(2, 6):
        y, yhat = ml.logit_symbols(k), ml.target_symbols(k)
        last = {yhat[-1]: 1 - sp.Add(*yhat[:-1])}
        differences = [(g - (p - t).xreplace(last)).rewrite(sp.log)
                       for g, p, t in zip(ml.cross_entropy_gradient(k), ml.softmax(y), yhat)]
        facts[str(k)] = all(sp.simplify(d) == 0 for d in differences)
    return facts


def likelihood_fact() -> bool:
    """The mean cross-entropy of a small dataset is -(1/N) log of its likelihood."""
    x, labels = [1, 2, -1, 3], [0, 1, 1, 0]
    w, b = sp.symbols("w b", real=True)
    loss = so.Loss.from_model(["w*x + b", "0"], data={"x": x, "y": labels},
                              loss="cross_entropy")
    likelihood = ml.likelihood([[w * xn + b, 0] for xn in x], labels)
    difference = sp.expand_log(-sp.log(likelihood) / len(x) - loss.expr, force=True)
    return sp.simplify(difference.rewrite(sp.log)) == 0


def stability() -> dict[str, list[float]]:
    """Cross-entropy of logits (a, b) with label 0, compiled, at logits of +-1000."""
    f = so.compile(so.Loss.from_model(["a", "b"], data={"y": [0]}, loss="cross_entropy"))
    points = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    return {"points": points.tolist(), "value": f.value(points).tolist(),
            "grad": f.grad(points).tolist()}


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "out")
    folder.mkdir(parents=True, exist_ok=True)
    y1, y2 = ml.logit_symbols(2)
    sigmoid = sp.simplify((ml.softmax([y1, y2])[0] - ml.sigmoid(y1 - y2)).rewrite(sp.log)) == 0
    table = ml.compare_mse_cross_entropy()
    wrong = table.rows[0]
    result = {
        "gradient_is_softmax_minus_target": gradient_facts(),
        "two_class_softmax_is_sigmoid": sigmoid,
        "mean_cross_entropy_is_negative_log_likelihood": likelihood_fact(),
        "stability": stability(),
        "saturation": table.to_dict(),
    }
    (folder / "classification.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    (folder / "classification.txt").write_text(str(table) + "\n", encoding="utf-8")
    print("de/dy_i = softmax_i - yhat_i for K = 2..5:",
          all(result["gradient_is_softmax_minus_target"].values()))
    print("two classes: softmax_1 = sigmoid(y1 - y2):", sigmoid)
    print("mean cross-entropy = -(1/N) log likelihood:",
          result["mean_cross_entropy_is_negative_log_likelihood"])
    print("cross-entropy at logits (+-1000): values", result["stability"]["value"])
    print(f"confidently wrong (w = {wrong.w:g}): |grad MSE| = {wrong.mse_grad_norm:.2e}, "
          f"|grad CE| = {wrong.cross_entropy_grad_norm:.2f}")
    print(f"wrote {folder / 'classification.json'} and {folder / 'classification.txt'}")
    save_figure(folder / "classification.png", lambda fig: draw_saturation(fig, table))
    return 0


def draw_saturation(figure, table) -> None:
    """Gradient norm of each loss against w: MSE goes flat where the softmax saturates."""
    ax = figure.subplots()
    w = [row.w for row in table.rows]
    ax.semilogy(w, [max(row.mse_grad_norm, 1e-300) for row in table.rows], "o-",
                label=r"MSE on softmax: $\sum_i (y'_i - \hat{y}_i)^2$")
    ax.semilogy(w, [row.cross_entropy_grad_norm for row in table.rows], "s-",
                label=r"cross-entropy: $-\sum_i \hat{y}_i \ln y'_i$")
    ax.set_xlabel("$w$ (logit $w x + b$)")
    ax.set_ylabel("|gradient|")
    ax.set_title("Where the softmax saturates,\nMSE is flat and cross-entropy is not",
                 fontsize="medium")
    ax.legend()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
