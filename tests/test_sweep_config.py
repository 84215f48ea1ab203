"""Sweep configurations in TOML, and the ``symopt sweep`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from symopt import optim
from symopt.sweep.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
losses = ["(1 - w1*w2)**2"]
starts = 5
box = [-1, 1]
seed = 4
steps = 30
analysis_budget = 20

[optimizers.gd]
lr = [0.01, 0.1]

[optimizers.fast]
optimizer = "adam"
lr = [{schedule = "cosine", lr = 0.1, total_steps = 30}]
betas = [[0.9, 0.99]]
"""


def test_a_good_config_becomes_sweep_arguments():
    options = parse_config(GOOD)
    assert options["losses"] == ["(1 - w1*w2)**2"]
    assert (options["starts"], options["box"], options["seed"], options["steps"]) == \
        (5, [-1, 1], 4, 30)
    factory, grid = options["optimizers"]["gd"]
    assert factory is optim.gd and grid == {"lr": [0.01, 0.1]}
    factory, grid = options["optimizers"]["fast"]
    assert factory is optim.adam and grid["betas"] == [(0.9, 0.99)]
    schedule = grid["lr"][0]
    assert repr(schedule) == "cosine(lr=0.1, total_steps=30, min_lr=0.0)"
    # the schedule's rule: 0.1 * (1 + cos(pi t / 30)) / 2, at t = 15 half the peak
    assert schedule(15) == pytest.approx(0.05, rel=1e-12)


@pytest.mark.parametrize("text, message", [
    ('losses = ["x**2"]\nsteps = 10\nstep = 3\n[optimizers.gd]\nlr = 0.1',
     "config: unknown key 'step'; the keys are losses, optimizers"),
    ('[optimizers.gd]\nlr = 0.1', "config: missing losses: a list of losses as text"),
    ('losses = "x**2"\n[optimizers.gd]\nlr = 0.1',
     "config: losses must be a list of losses as text"),
    ('losses = ["x**2"]', "config: missing optimizers"),
    ('losses = ["x**2"]\n[optimizers.nadam]\nlr = 0.1',
     "config: optimizers.nadam: unknown optimizer 'nadam'; expected one of gd, momentum"),
    ('losses = ["x**2"]\nsteps = 0\n[optimizers.gd]\nlr = 0.1',
     "config: steps = 0 must be a whole number >= 1"),
    ('losses = ["x**2"]\nsteps = 2.5\n[optimizers.gd]\nlr = 0.1',
     "config: steps = 2.5 must be a whole number >= 1"),
    ('losses = ["x**2"]\ntol = -1\n[optimizers.gd]\nlr = 0.1',
     "config: tol = -1 must be a positive number"),
    ('losses = ["x**2"]\n[optimizers.gd]\nlr = [{schedule = "wavy", lr = 0.1}]',
     "config: optimizers.gd.lr: a table value must name a schedule"),
    ('losses = ["x**2"]\n[optimizers.gd]\nlr = [{schedule = "cosine", lr = 0.1}]',
     "config: optimizers.gd.lr: cosine: "),
    ('losses = ["x**2"]\n[optimizers.gd]\nlr = []', "config: optimizers.gd.lr is an empty list"),
    ('losses = ["x**2"]\nstarts = [[1, "a"]]\n[optimizers.gd]\nlr = 0.1',
     "config: starts as a list must hold starting points"),
    ('losses = ["x**2"\n', "config: not valid TOML"),
])
def test_config_mistakes_are_one_line_naming_the_key(text, message):
    with pytest.raises(ConfigError) as error:
        parse_config(text)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def symopt_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "symopt", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)


def test_the_command_writes_the_dataset_resumes_and_refuses(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    (tmp_path / "sweep.toml").write_text(GOOD)
    first = symopt_cli("sweep", "sweep.toml", "-o", "results.parquet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("15 runs in results.parquet")
    table = pd.read_parquet(tmp_path / "results.parquet")
    assert len(table) == 15 and table.start.tolist() == list(range(5)) * 3
    expected = -1 + 2 * np.random.default_rng(4).random((5, 2))
    np.testing.assert_array_equal(np.array(table.x0.tolist()[:5]), expected)
    again = symopt_cli("sweep", "sweep.toml", "-o", "results.parquet", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == first.stdout

    (tmp_path / "sweep.toml").write_text(GOOD.replace("seed = 4", "seed = 5"))
    refused = symopt_cli("sweep", "sweep.toml", "-o", "results.parquet", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    forced = symopt_cli("sweep", "sweep.toml", "-o", "results.parquet", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


def test_a_bad_config_file_is_one_line_on_the_command_line(tmp_path):
    (tmp_path / "bad.toml").write_text('losses = ["x**2"]\nsteps = -3\n[optimizers.gd]\nlr=1')
    result = symopt_cli("sweep", "bad.toml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "symopt: bad.toml: steps = -3 must be a whole number >= 1\n"
    assert not (tmp_path / "out").exists()
