"""The plotting examples run as scripts, write their figures, and state the right facts."""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PNG = b"\x89PNG\r\n\x1a\n"

if importlib.util.find_spec("matplotlib") is None:  # pragma: no cover - depends on the machine
    if os.environ.get("CI"):
        pytest.fail('matplotlib is not installed but CI is set: install "symopt[plot]"',
                    pytrace=False)
    pytest.skip('matplotlib is not installed (pip install "symopt[plot]")',
                allow_module_level=True)


def _run(script: str, out: Path) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env.pop("MPLBACKEND", None)
    result = subprocess.run([sys.executable, str(EXAMPLES / script), str(out)],
                            capture_output=True, text=True, env=env, timeout=900, cwd=out.parent)  # a hang guard
    assert result.returncode == 0, result.stderr
    return result.stdout


def _tables(markdown: str) -> list[dict[str, list[str]]]:
    """The Markdown tables, each as its body rows by first cell (header and rule dropped)."""
    tables: list[dict[str, list[str]]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("| ---"):
            tables.append({})
        elif line.startswith("| ") and tables and previous.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            tables[-1][cells[0]] = cells[1:]
        previous = line
    return tables


def _figures_exist(out: Path, names: list[str]) -> None:
    for name in names:
        data = (out / name).read_bytes()
        assert data[:8] == PNG and len(data) > 10_000, name


def test_critical_points_and_saddles_example(tmp_path):
    out = tmp_path / "saddles"
    printed = _run("critical_points_and_saddles.py", out)
    _figures_exist(out, ["landscape.png", "paths.png", "loss_curves.png"])
    summary = (out / "critical_points_and_saddles.md").read_text(encoding="utf-8")
    assert summary.strip() == printed.strip()
    assert "saddle at (0, 0): eigenvalues -2, 2; kind saddle" in summary
    assert ("escape direction (0.707107, 0.707107) (exactly (sqrt(2)/2, sqrt(2)/2)), the "
            "eigenvector of eigenvalue -2") in summary
    assert "family: w1*w2 - 1 = 0, dimension 1, minimum (global minima, loss 0)" in summary
    assert "at the origin `[[0, -2], [-2, 0]]`" in summary
    runs, escapes = _tables(summary)
    for name in ("gd", "momentum", "adagrad", "rmsprop", "adam"):
        assert runs[name][2] == "yes", (name, runs[name])        # ended on w1*w2 = 1
        assert float(runs[name][1]) < 1e-5
    # escape: measured steps equal the linearised prediction, along the eigenvector
    assert escapes["gd"] == ["84", "84", "(-0.707107, -0.707107)", "1.000000"]
    assert escapes["momentum"][:2] == ["39", "39"] and escapes["momentum"][3] == "1.000000"


def test_learning_rates_example(tmp_path):
    out = tmp_path / "rates"
    _run("learning_rates.py", out)
    _figures_exist(out, ["learning_rates_constant.png", "learning_rates_adaptive.png",
                         "learning_rates_losses.png", "schedules.png"])
    summary = (out / "learning_rates.md").read_text(encoding="utf-8")
    assert "Hessian eigenvalues 0.02 and 4: condition number 200" in summary
    assert "best constant rate 2/(lambda_min + lambda_max) = 0.497512" in summary
    rows, schedules = _tables(summary)
    too_large = rows["gd, lr 0.5 (too large)"]
    too_small = rows["gd, lr 0.01 (too small)"]
    best = rows["gd, lr 0.4975 (best constant)"]
    # too large: stalls with a large gradient, bouncing across the valley every step
    assert float(too_large[0]) == pytest.approx(4.5) and float(too_large[1]) == pytest.approx(6)
    assert too_large[3] == "300"
    # too small: crawls without oscillating; no constant rate reaches 1e-3
    assert too_small[3] == "0" and float(too_small[0]) > 0.1
    for row in (too_large, too_small, best):
        assert row[2] == "not reached"
    # the adaptive methods all reach it
    for name in ("adagrad, lr 1", "rmsprop, lr 0.1", "adam, lr 0.3", "adam, warmup + cosine"):
        assert int(rows[name][2]) < 100 and float(rows[name][0]) < 1e-10
    assert schedules["warm-up 30 + cosine"][:2] == ["0", "0.1"]
    assert schedules["step decay (x0.5 every 75)"] == ["0.1", "0.1", "0.025", "0.0125"]


def test_momentum_example(tmp_path):
    out = tmp_path / "momentum"
    _run("momentum.py", out)
    _figures_exist(out, ["momentum_paths.png", "momentum_losses.png",
                         "momentum_saddle_losses.png"])
    summary = (out / "momentum.md").read_text(encoding="utf-8")
    valley, saddle = _tables(summary)
    assert valley["gd"][1] == "not reached"
    assert int(valley["momentum"][1]) < 150
    assert float(valley["momentum"][0]) < 1e-10 < float(valley["gd"][0])
    # growth factor per step, measured steps and predicted steps
    assert saddle == {"gd": ["1.2", "84", "84"], "momentum": ["1.5", "39", "39"]}
