"""The lecture's loss diagnosis on runs from a CSV file and on four typical situations.

    python examples/diagnosis.py [OUTPUT_FOLDER] [RUNS_CSV]
        (default: out/ and examples/runs.csv, whose 56-layer net trains worse than its
        20-layer sibling)

Writes diagnosis.json: the verdict for the CSV file and for one set of runs per verdict.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from symopt import ml

from _figures import save_figure

SCENARIOS = {
    "model bias": [{"model": "linear", "size": 2, "train_loss": 2.4},
                   {"model": "quadratic", "size": 3, "train_loss": 1.9}],
    "overfitting": [{"model": "small", "size": 10, "train_loss": 0.4, "val_loss": 0.5},
                    {"model": "huge", "size": 100000, "train_loss": 0.02, "val_loss": 0.8}],
    "mismatch": [{"model": "net", "size": 1000, "train_loss": 0.1, "val_loss": 0.12,
                  "test_loss": 0.9, "distribution_shift": True}],
    "no problem found": [{"model": "net", "size": 1000, "train_loss": 0.1, "val_loss": 0.13,
                          "test_loss": 0.14}],
}


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "out")
    csv_path = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("runs.csv")
    folder.mkdir(parents=True, exist_ok=True)
    from_file = ml.diagnose(ml.read_runs(csv_path), large_loss=0.5)
    result = {"csv": {"path": str(csv_path), "large_loss": 0.5, **from_file.to_dict()},
              "scenarios": {name: ml.diagnose(runs).to_dict()
                            for name, runs in SCENARIOS.items()}}
    (folder / "diagnosis.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"{csv_path.name}:")
    print(from_file)
    for name, diagnosis in result["scenarios"].items():
        print(f"scenario {name!r}: diagnosed as {diagnosis['verdict']!r}")
    print(f"wrote {folder / 'diagnosis.json'}")
    runs = ml.read_runs(csv_path)
    save_figure(folder / "diagnosis.png", lambda fig: draw_runs(fig, runs, from_file.verdict))
    return 0


def draw_runs(figure, runs, verdict: str) -> None:
    """Training (and validation, test) loss of each run, as the diagnosis compares them."""
    ax = figure.subplots()
    names = [f"{run.model}\n(size {run.size:g})" for run in runs]
    positions = range(len(runs))
    for offset, field, label in ((-0.25, "train_loss", "training"), (0.0, "val_loss", "validation"),
                                 (0.25, "test_loss", "test")):
        values = [getattr(run, field) for run in runs]
        if any(v is not None for v in values):
            ax.bar([p + offset for p in positions], [v or 0.0 for v in values], width=0.25,
                   label=label)
    ax.set_xticks(list(positions), names)
    ax.set_ylabel("loss")
    ax.set_title(f"diagnosis: {verdict}")
    ax.legend()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
