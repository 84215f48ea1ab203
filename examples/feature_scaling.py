"""The lecture's badly scaled regression: condition numbers and GD steps, raw vs standardised.

    python examples/feature_scaling.py [OUTPUT_FOLDER]      (default: out/)

Data: x1 in 1..10, x2 in 1,000..10,000, y = x1 + x2 + noise (100 samples, seed 0); model
y = w1*x1 + w2*x2 + b with MSE.  Gradient descent at the best fixed rate
2/(lambda_min + lambda_max), capped at 20,000 steps.  Writes feature_scaling.json and
feature_scaling.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from symopt import ml


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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
