"""Tests of symopt.ml.diagnose and `symopt diagnose`: the lecture's rules, CSV input, errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symopt import ml
from symopt.cli import main
from symopt.ml.diagnose import MAX_EVIDENCE_LINES, REMEDIES, VERDICTS

HEADER = "model,size,train_loss,val_loss,test_loss,distribution_shift\n"


def test_bigger_model_with_higher_training_loss_is_an_optimization_issue() -> None:
    result = ml.diagnose([{"model": "20-layer", "size": 20, "train_loss": 0.25},
                          {"model": "56-layer", "size": 56, "train_loss": 0.35}])
    assert result.verdict == "optimization issue"
    (evidence,) = result.evidence
    assert evidence.runs == ("20-layer", "56-layer")
    assert dict(evidence.numbers) == {"size small": 20, "size big": 56, "train small": 0.25,
                                      "train big": 0.35}
    assert any("Adam" in r for r in result.remedies)


def test_large_training_loss_without_that_sign_is_model_bias() -> None:
    runs = [ml.Run("linear", 3, train_loss=2.5), ml.Run("quadratic", 6, train_loss=1.8)]
    result = ml.diagnose(runs, large_loss=1.0)
    assert result.verdict == "model bias"
    assert dict(result.evidence[0].numbers)["lowest train"] == 1.8
    assert result.remedies == REMEDIES["model bias"]
    assert any("feature" in r for r in result.remedies)
    # the same runs are fine once the threshold says 1.8 is small
    assert ml.diagnose(runs, large_loss=2.0).verdict == "no problem found"


def test_small_training_loss_with_much_larger_validation_loss_is_overfitting() -> None:
    runs = [{"model": "small", "size": 10, "train_loss": 0.5, "val_loss": 0.6},
            {"model": "huge", "size": 1e6, "train_loss": 0.01, "val_loss": 0.9}]
    result = ml.diagnose(runs)
    assert result.verdict == "overfitting"
    assert result.evidence[0].runs == ("huge",)
    assert dict(result.evidence[0].numbers)["ratio"] == pytest.approx(90.0)
    assert any("more training data" in r for r in result.remedies)
    assert any("augmentation" in r for r in result.remedies)
    # a validation loss within the ratio is not overfitting
    assert ml.diagnose(runs, overfit_ratio=100.0).verdict == "no problem found"


def test_much_worse_test_loss_under_a_distribution_change_is_mismatch() -> None:
    run = {"model": "net", "size": 100, "train_loss": 0.1, "val_loss": 0.12, "test_loss": 0.8,
           "distribution_shift": True}
    result = ml.diagnose([run])
    assert result.verdict == "mismatch"
    assert dict(result.evidence[0].numbers)["ratio"] == pytest.approx(0.8 / 0.12)
    assert any("does not help" in r for r in result.remedies)
    unshifted = ml.diagnose([{**run, "distribution_shift": False}])
    assert unshifted.verdict == "no problem found"
    assert "distribution change" in unshifted.evidence[0].comparison
    assert ml.diagnose([run], mismatch_ratio=10.0).verdict == "no problem found"


def test_good_runs_show_no_problem() -> None:
    result = ml.diagnose([ml.Run("net", 10, 0.1, 0.15, 0.16)])
    assert result.verdict == "no problem found" and result.remedies == () and not result.evidence
    assert "no problem found" in str(result)
    assert json.loads(result.to_json())["thresholds"]["large_loss"] == 1.0


def test_optimization_issue_is_checked_before_overfitting() -> None:
    runs = [{"model": "a", "size": 1, "train_loss": 0.01, "val_loss": 0.5},
            {"model": "b", "size": 2, "train_loss": 0.02, "val_loss": 0.5}]
    assert ml.diagnose(runs).verdict == "optimization issue"


@pytest.mark.parametrize("runs, error, match", [
    ([], ValueError, "no runs"),
    ([{"model": "a", "size": 1}], ValueError, "train_loss"),
    ([{"model": "a", "size": 1, "train_loss": -1.0}], ValueError, "negative"),
    ([{"model": "a", "size": 1, "train_loss": "0.5"}], TypeError, "finite number"),
    ([{"model": "a", "size": 1, "train_loss": 1, "epochs": 3}], ValueError, "unknown field"),
    ([("a", 1, 0.5)], TypeError, "Run or a dict"),
    ({"model": "a"}, TypeError, "list of Run"),
])
def test_bad_runs_are_rejected(runs, error, match) -> None:
    with pytest.raises(error, match=match):
        ml.diagnose(runs)


def test_bad_thresholds_are_rejected() -> None:
    with pytest.raises(ValueError, match="overfit_ratio"):
        ml.diagnose([ml.Run("a", 1, 0.1)], overfit_ratio=0.5)


losses = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)
run_strategy = st.builds(ml.Run, model=st.sampled_from(["a", "b", "c", "d"]),
                         size=st.integers(1, 100), train_loss=losses,
                         val_loss=st.none() | losses, test_loss=st.none() | losses,
                         distribution_shift=st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(run_strategy, min_size=1, max_size=5))
def test_every_verdict_follows_the_rules(runs: list[ml.Run]) -> None:
    result = ml.diagnose(runs)
    assert result.verdict in VERDICTS and result.remedies == REMEDIES[result.verdict]
    inverted = any(b.size > s.size and b.train_loss > s.train_loss for s in runs for b in runs)
    assert (result.verdict == "optimization issue") == inverted
    if not inverted:
        assert (result.verdict == "model bias") == (min(r.train_loss for r in runs) > 1.0)
    for evidence in result.evidence:
        assert set(evidence.runs) <= {r.model for r in runs}


# ----------------------------------------------------------------------------- CSV

def _write(tmp_path: Path, text: str, name: str = "runs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_is_read_with_optional_columns_and_empty_cells(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "small,10,0.5,,,\nbig,100,0.2,0.3,0.9,yes\n")
    small, big = ml.read_runs(path)
    assert small == ml.Run("small", 10.0, 0.5)
    assert big == ml.Run("big", 100.0, 0.2, 0.3, 0.9, True)
    minimal = ml.read_runs(_write(tmp_path, "train_loss,model,size\n0.5,a,1\n", "b.csv"))
    assert minimal == [ml.Run("a", 1.0, 0.5)]


@pytest.mark.parametrize("text, match", [
    ("model,size,val_loss\na,1,0.5\n", "line 1: missing column 'train_loss'"),
    (HEADER + "a,1,0.5,,,\nb,2,abc,,,\n", "line 3: train_loss 'abc' is not a number"),
    (HEADER + "a,1,0.5,-0.2,,\n", "line 2: val_loss -0.2 is negative"),
    (HEADER + "a,1,0.5,,\n", "line 2: 5 fields"),
    (HEADER + "a,1,0.5,,,maybe\n", "line 2: distribution_shift 'maybe'"),
    (HEADER + ",1,0.5,,,\n", "line 2: model is empty"),
    ("model,size,train_loss,epochs\n", "line 1: unknown column 'epochs'"),
    (HEADER, "no runs"),
    ("", "is empty"),
    ("  \n\n", "is empty"),
])
def test_bad_csv_files_name_the_problem(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ml.read_runs(_write(tmp_path, text))


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read .*missing.csv"):
        ml.read_runs(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="cannot read"):
        ml.read_runs(tmp_path)                          # a directory
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00model")
    with pytest.raises(ValueError, match="not UTF-8"):
        ml.read_runs(binary)


# ----------------------------------------------------------------------------- CLI

def test_cli_prints_the_diagnosis(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, HEADER + "small,10,0.5,0.6,,\nbig,100,0.7,0.8,,\n")
    assert main(["diagnose", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("diagnosis: optimization issue") and "small, big" in out


def test_cli_json_and_thresholds(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, HEADER + "net,10,0.3,0.5,,\n")
    assert main(["diagnose", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "no problem found"
    assert main(["diagnose", str(path), "--json", "--overfit-ratio", "1.5"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "overfitting"
    assert main(["diagnose", str(path), "--json", "--large-loss", "0.1"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "model bias"


def test_cli_bad_file_gives_one_line_and_exit_code_2(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, HEADER + "a,1,x,,,\n")
    assert main(["diagnose", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 2: train_loss 'x' is not a number" in err
    assert main(["diagnose", str(tmp_path / "none.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


# ------------------------------------------------------- many runs, hostile files

def _inverted_runs(count: int) -> list[ml.Run]:
    """Runs where every bigger model trains worse: each is evidence of the first rule."""
    return [ml.Run(f"m{i}", i + 1, 0.1 + i / 10_000) for i in range(count)]


@settings(max_examples=100, deadline=None)
@given(st.lists(run_strategy, min_size=1, max_size=6))
def test_each_bigger_model_is_compared_with_the_best_smaller_one(runs: list[ml.Run]) -> None:
    result = ml.diagnose(runs)
    if result.verdict != "optimization issue":
        return
    # brute force over all pairs: for each bigger model that trains worse than some smaller
    # one, the evidence names a smaller model with the lowest training loss
    expected = {}
    for big in runs:
        smaller = [s.train_loss for s in runs if s.size < big.size]
        if smaller and min(smaller) < big.train_loss:
            expected.setdefault((big.size, big.train_loss), 0)
            expected[(big.size, big.train_loss)] += 1
    seen: dict = {}
    for evidence in result.evidence:
        numbers = dict(evidence.numbers)
        key = (numbers["size big"], numbers["train big"])
        seen[key] = seen.get(key, 0) + 1
        smaller = [s.train_loss for s in runs if s.size < numbers["size big"]]
        assert numbers["train small"] == min(smaller) < numbers["train big"]
        assert numbers["size small"] < numbers["size big"]
    assert seen == expected


def test_thousands_of_runs_give_one_line_of_evidence_per_bigger_model(tmp_path: Path) -> None:
    rows = "".join(f"m{r.model[1:]},{r.size:g},{r.train_loss!r},,,\n" for r in _inverted_runs(2000))
    runs = ml.read_runs(_write(tmp_path, HEADER + rows))
    result = ml.diagnose(runs)
    assert result.verdict == "optimization issue" and len(result.evidence) == 1999
    assert all(e.runs[0] == "m0" for e in result.evidence)  # m0 trains best of all
    text = str(result)
    assert text.count("evidence:") == MAX_EVIDENCE_LINES
    assert "and 1,989 more comparisons" in text and "--verbose" in text
    assert result.format(verbose=True).count("evidence:") == 1999
    assert result.format(max_evidence=3).count("evidence:") == 3


def test_model_names_are_escaped_for_the_terminal() -> None:
    result = ml.diagnose([ml.Run("\x1b[2J\x1b]0;owned\x07net", 1, 0.01, val_loss=0.5)])
    text = str(result)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[2J\\x1b]0;owned\\x07net" in text


@pytest.mark.parametrize("content, match", [
    (b"\xef\xbb\xbf", "is empty"),
    (b"\xef\xbb\xbf\n\n", "is empty"),
    (("model,size,train_loss\n" + "a" * 140_000 + ",1,0.5\n").encode(),
     "line 2: field larger than field limit"),
    (b"model,size,train_loss\na,1,0.5\x00\n", "line 2: a NUL character"),
    (b'model,size,train_loss\n"a,1,0.5\n', "no runs|line|fields"),
])
def test_hostile_files_give_one_line(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "runs.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match) as info:
        ml.read_runs(path)
    assert "\n" not in str(info.value)


def test_a_bom_before_the_header_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "runs.csv"
    path.write_bytes(b"\xef\xbb\xbfmodel,size,train_loss\nnet,3,0.5\n")
    assert ml.read_runs(path) == [ml.Run("net", 3.0, 0.5)]


def test_input_is_read_up_to_a_size_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "net,1,0.5,,,\n" * 100)
    assert len(ml.read_runs(path)) == 100
    with pytest.raises(ValueError, match="larger than 1,000 bytes; .* raise max_bytes"):
        ml.read_runs(path, max_bytes=1000)
    with pytest.raises(ValueError, match="larger than 1,000 bytes"):
        ml.read_runs(io.StringIO(path.read_text()), max_bytes=1000)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_input_is_refused_after_the_size_limit() -> None:
    with pytest.raises(ValueError, match="/dev/zero is larger than 67,108,864 bytes"):
        ml.read_runs("/dev/zero")


def test_cli_hostile_files_give_one_line_and_exit_code_2(tmp_path: Path, capsys) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf")
    wide = _write(tmp_path, "model,size,train_loss\n" + "a" * 140_000 + ",1,0.5\n", "wide.csv")
    for path, match in ((bom, "is empty"), (wide, "field larger")):
        assert main(["diagnose", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and match in err


def test_command_line_verbose_prints_every_comparison(tmp_path):
    # 40 models, each bigger than the last and with a higher training loss: each of the 39
    # bigger ones is worse than the smallest (m0), so there are 39 comparisons.  By default
    # 10 are printed and the other 29 counted; --verbose prints all 39.
    import subprocess
    import sys

    rows = ["model,size,train_loss,val_loss"]
    rows += [f"m{i},{i + 1},{1 + i / 100},{1 + i / 100}" for i in range(40)]
    path = tmp_path / "runs.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    def evidence(*flags):
        out = subprocess.run([sys.executable, "-m", "symopt", "diagnose", str(path), *flags],
                             capture_output=True, text=True, check=True).stdout
        return out, [line for line in out.splitlines() if line.strip().startswith("evidence:")]

    short, lines = evidence()
    assert len(lines) == 10 and "and 29 more" in short
    full, lines = evidence("--verbose")
    assert len(lines) == 39 and "more comparisons" not in full
