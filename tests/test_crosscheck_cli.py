"""``symopt crosscheck``: a named optimizer against the catalogue; names are imported, never run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symopt.cli import main

torch = pytest.importorskip("torch")

STEP_MODULE = '''
import numpy as np

def adam_eps_inside(params, grad, state, t):
    m, v = state if state is not None else (np.zeros_like(params), np.zeros_like(params))
    m = 0.9 * m + 0.1 * grad
    v = 0.999 * v + 0.001 * grad * grad
    m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
    return params - 0.01 * m_hat / np.sqrt(v_hat + 1e-8), (m, v)
'''


def test_torch_rmsprop_against_its_family_prints_table_and_verdict(capsys):
    code = main(["crosscheck", "torch.optim.RMSprop", "--lr", "0.01", "--against", "rmsprop",
                 "--steps", "20"])
    out = capsys.readouterr().out
    assert code == 0
    assert "rmsprop:torch" in out.splitlines()[3] and "match" in out.splitlines()[3]
    assert out.strip().splitlines()[-1].startswith("OK: implements rmsprop:torch")


def test_a_wrong_step_function_exits_1_and_names_what_it_is(tmp_path, monkeypatch, capsys):
    (tmp_path / "mysteps.py").write_text(STEP_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    code = main(["crosscheck", "mysteps:adam_eps_inside", "--lr", "0.01", "--against",
                 "adam:torch", "--steps", "5"])
    out = capsys.readouterr().out
    assert code == 1
    assert "adam:eps-inside-sqrt" in out.splitlines()[3]
    assert "differs from adam:torch first at step 1" in out


@pytest.mark.parametrize("name, message", [
    ("__import__('os').system('true')", "not a module.Class or module:function"),
    ("no_such_package_xyz.Thing", "is not installed"),
    ("torch.optim._private", "no public attribute"),
])
def test_names_that_are_not_plain_imports_get_one_line(name, message):
    result = subprocess.run([sys.executable, "-m", "symopt", "crosscheck", name, "--lr", "0.1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
