"""Run each example of symopt.ml as a script and check the facts in the files it writes;
run the examples of docs/ml.md as doctests."""

from __future__ import annotations

import doctest
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _run(script: str, folder: Path, *extra: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    done = subprocess.run([sys.executable, str(EXAMPLES / script), str(folder), *extra],
                          check=False, capture_output=True, text=True,
                          timeout=900, env=env, cwd=ROOT)  # a hang guard, not a speed target
    assert done.returncode == 0, done.stderr
    assert f"wrote {folder}" in done.stdout
    return done.stdout


def _json(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def test_classification_example(tmp_path: Path) -> None:
    out = _run("classification.py", tmp_path)
    facts = _json(tmp_path, "classification.json")
    assert facts["gradient_is_softmax_minus_target"] == {str(k): True for k in range(2, 6)}
    assert facts["two_class_softmax_is_sigmoid"] is True
    assert facts["mean_cross_entropy_is_negative_log_likelihood"] is True
    assert facts["stability"]["value"] == pytest.approx([0.0, 2000.0], abs=1e-9)
    wrong = facts["saturation"]["rows"][0]                     # w = -20: confidently wrong
    assert wrong["w"] == -20 and wrong["mse_grad_norm"] < 1e-6
    assert wrong["cross_entropy_grad_norm"] > 0.1
    assert "|grad CE|" in (tmp_path / "classification.txt").read_text(encoding="utf-8")
    assert "K = 2..5: True" in out


def test_feature_scaling_example(tmp_path: Path) -> None:
    _run("feature_scaling.py", tmp_path)
    report = _json(tmp_path, "feature_scaling.json")
    assert report["kappa_raw"] > 1e8 and report["kappa_scaled"] < 1.1
    assert report["steps_raw"] is None and report["steps_raw_text"] == ">= 20000"
    assert report["steps_scaled"] <= report["predicted_scaled"]
    assert report["ratio_is_lower_bound"] and report["step_ratio"] >= 1000
    text = (tmp_path / "feature_scaling.txt").read_text(encoding="utf-8")
    assert "exact Hessian, raw features" in text and "sqrt" in text


def test_batch_norm_example(tmp_path: Path) -> None:
    _run("batch_norm.py", tmp_path)
    result = _json(tmp_path, "batch_norm.json")
    assert result["gradient"]["max_abs_exact_vs_finite_differences"] < 1e-6
    assert result["gradient"]["max_abs_closed_form_vs_exact"] < 1e-12
    assert result["gradient"]["sum_of_input_gradients"] < 1e-12
    rows = result["inference"]["rows"]
    assert [r["batch_size"] for r in rows] == [4, 16, 64, 256]
    assert rows[-1]["max_diff_full"] < rows[0]["max_diff_full"]
    assert rows[-1]["max_diff_running"] < rows[0]["max_diff_running"]


def test_batch_size_example(tmp_path: Path) -> None:
    _run("batch_size.py", tmp_path)
    result = _json(tmp_path, "batch_size.json")
    rows = {r["batch_size"]: r for r in result["table"]["rows"]}
    assert sorted(rows) == [1, 16, 256]
    assert [rows[b]["updates_per_epoch"] for b in (1, 16, 256)] == [256, 16, 1]
    assert rows[1]["noise"] > rows[16]["noise"] > rows[256]["noise"] == 0.0
    regimes = result["regimes"]
    assert [r["regime"] for r in regimes] == ["serial", "vectorised"]
    assert regimes[0]["ratio"] == pytest.approx(rows[1]["serial_epoch"] / rows[256]["serial_epoch"])
    assert regimes[1]["ratio"] == pytest.approx(rows[1]["vectorised_epoch"]
                                                / rows[256]["vectorised_epoch"])
    printed = (tmp_path / "batch_size.txt").read_text(encoding="utf-8")
    assert "without parallelism" in printed and "with vectorised" in printed
    simulation = result["simulation"]
    assert max(abs(e) for e in simulation["mean_error_in_standard_errors"]) < 5
    assert simulation["simulated_noise"] == pytest.approx(simulation["exact_noise"], rel=0.1)
    assert "updates/epoch" in (tmp_path / "batch_size.txt").read_text(encoding="utf-8")


def test_diagnosis_example(tmp_path: Path) -> None:
    out = _run("diagnosis.py", tmp_path)
    result = _json(tmp_path, "diagnosis.json")
    assert result["csv"]["verdict"] == "optimization issue"
    assert result["csv"]["evidence"][0]["runs"] == ["20-layer net", "56-layer net"]
    assert {name: d["verdict"] for name, d in result["scenarios"].items()} == {
        name: name for name in ("model bias", "overfitting", "mismatch", "no problem found")}
    assert "diagnosis: optimization issue" in out


def test_diagnosis_example_reads_another_csv(tmp_path: Path) -> None:
    runs = tmp_path / "mine.csv"
    runs.write_text("model,size,train_loss,val_loss\nnet,5,0.01,0.4\n", encoding="utf-8")
    _run("diagnosis.py", tmp_path / "out", str(runs))
    assert _json(tmp_path / "out", "diagnosis.json")["csv"]["verdict"] == "overfitting"


def test_docs_examples_run() -> None:
    result = doctest.testfile(str(ROOT / "docs" / "ml.md"), module_relative=False)
    assert result.attempted > 20 and result.failed == 0


@pytest.mark.parametrize("name", ["classification", "scaling", "batchnorm", "batchsize",
                                  "diagnose"])
def test_module_doctests_run(name: str) -> None:
    import importlib

    module = importlib.import_module(f"symopt.ml.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("script, figure", [
    ("classification.py", "classification.png"), ("feature_scaling.py", "feature_scaling.png"),
    ("batch_norm.py", "batch_norm.png"), ("batch_size.py", "batch_size.png"),
    ("diagnosis.py", "diagnosis.png")])
def test_examples_write_their_figures(script: str, figure: str, tmp_path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        if os.environ.get("CI"):
            pytest.fail("matplotlib is missing in CI: install the test extra")
        pytest.skip('matplotlib is not installed (pip install -e ".[plot]")')
    _run(script, tmp_path)
    data = (tmp_path / figure).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
