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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
