"""The command line: readable table, JSON facts, one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest

from symopt.cli import main


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_prints_the_lecture_saddle_and_family(capsys):
    code, out, err = run(["analyze", "(1 - w1*w2)**2"], capsys)
    assert code == 0 and err == "symopt: parameters: w1, w2\n"
    assert "(0, 0)" in out and "saddle" in out
    assert "(sqrt(2)/2, sqrt(2)/2)" in out
    assert "w1*w2 - 1 = 0" in out and "global minima" in out
    assert "complete (proven)" in out


def test_analyze_json_has_the_contract_facts(capsys):
    code, out, _ = run(["analyze", "x**2 - y**2", "--json"], capsys)
    facts = json.loads(out)
    assert code == 0
    assert facts["complete"] is True
    (point,) = facts["points"]
    assert point["coords"] == ["0", "0"] and point["numeric"] == [0.0, 0.0]
    assert point["kind"] == "saddle" and point["degenerate"] is False
    assert point["eigenvalues"] == ["-2", "2"]
    assert point["escape_directions"] == [["0", "1"]]


def test_params_option_orders_the_parameters(capsys):
    code, out, _ = run(["analyze", "x**2 + 2*y**2", "--params", "y,x", "--json"], capsys)
    assert json.loads(out)["params"] == ["y", "x"]


@pytest.mark.parametrize("argv, fragment", [
    (["analyze", "__import__('os').system('echo hi')"], "column"),
    (["analyze", "(1 - w1*w2"], "column"),
    (["analyze", "x**2 + y", "--params", "x"], "not a parameter"),
    (["analyze", "x**2", "--timeout", "-1"], "positive"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(argv, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        code = main(argv)
        raise SystemExit(code)
    assert info.value.code == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run([sys.executable, "-m", "symopt", "analyze", "x**2", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert json.loads(result.stdout)["points"][0]["kind"] == "minimum"


def test_every_listed_subcommand_is_one_module_that_registers_itself():
    import importlib

    from symopt.cli import COMMANDS, build_parser

    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    assert set(COMMANDS) <= set(choices)
    for name in COMMANDS:
        assert callable(importlib.import_module(f"symopt.cli.{name}").register)


def test_optimizer_choices_come_from_the_optimizer_table():
    from symopt import optim
    from symopt.cli.common import build_optimizer, optimizer_names

    assert optimizer_names() == tuple(optim.OPTIMIZERS)
    for name in optimizer_names():  # each builds from a learning rate alone
        assert build_optimizer(name, 0.1).name == name


@pytest.mark.parametrize("old, new", [("cli_common", "common"), ("cli_escape", "escape"),
                                      ("cli_derive", "derive"), ("cli_plot", "plot"),
                                      ("cli_diagnose", "diagnose")])
def test_old_command_line_modules_warn_and_still_work(old, new):
    import importlib

    sys.modules.pop(f"symopt.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"symopt.cli.{new}"):
        module = importlib.import_module(f"symopt.{old}")
    current = importlib.import_module(f"symopt.cli.{new}")
    assert all(getattr(module, name) is getattr(current, name) for name in current.__all__)


def test_old_optimizer_names_table_reads_the_optimizer_table():
    import warnings

    from symopt import optim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from symopt import cli_common
    assert cli_common.OPTIMIZER_NAMES == tuple(optim.OPTIMIZERS)


def test_analyze_text_is_the_critical_sets_own_text(capsys):
    import re

    import symopt as so

    from symopt.report.notation import plain
    from symopt.summary import critical_set_text

    assert main(["analyze", "(1 - w1*w2)**2"]) == 0
    printed = capsys.readouterr().out
    own = critical_set_text(so.critical_points("(1 - w1*w2)**2"), plain) + "\n"

    def timeless(text):  # the elapsed seconds differ between the two runs
        return re.sub(r"\d+\.\d\d s", "T s", text)

    assert timeless(printed) == timeless(own)
    assert "L(w1, w2) = (1 - w1*w2)**2" in printed  # the writer's own term order
    # str() shows the loss as its text was written too; a loss built from a SymPy
    # expression has no written form and shows SymPy's order
    assert "L(w1, w2) = (1 - w1*w2)**2" in str(so.critical_points("(1 - w1*w2)**2"))
    built = so.Loss(so.parse_expression("(1 - w1*w2)**2"))
    assert "L(w1, w2) = (-w1*w2 + 1)**2" in str(so.critical_points(built))
