"""Fuzzing kept in the suite: random losses through the parser and the whole analysis.

Any exception other than symopt's documented ones fails.  Example counts are small so the
suite stays quick; a longer local run sets an environment variable, e.g.

    SYMOPT_FUZZ_EXAMPLES=2000 python -m pytest -q tests/test_fuzz.py

Budget checks are statuses and survivors (alarms, threads, child processes), never wall
times (benchmarks/bench_budget.py measures those).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symopt as so
from symopt.errors import BudgetExceeded, ParseError

EXAMPLES = int(os.environ.get("SYMOPT_FUZZ_EXAMPLES", "0"))
STATUSES = {"complete", "incomplete", "timeout", "algorithm_failure", "unsupported"}


def examples(default: int) -> int:
    return EXAMPLES or default


# -- random losses from the vocabulary, written as text ---------------------------------
NAMES = st.sampled_from(["x", "y", "w1", "w2"])
NUMBERS = st.sampled_from(["0", "1", "2", "3", "1/2", "0.1", "10", "100", "1e-3", "pi", "E"])
UNARY = ["sin", "cos", "exp", "log", "sqrt", "abs", "tanh", "relu", "sigmoid", "softplus"]


def _combine(children):
    unary = st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})")
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})")
    power = st.tuples(children, st.sampled_from(["2", "3", "-1", "1/2", "4", "x"])).map(
        lambda t: f"({t[0]})**{t[1]}")
    # max(a, b) = relu(a - b) + b: the vocabulary spells max with relu
    maximum = st.tuples(children, children).map(lambda t: f"(relu({t[0]} - ({t[1]})) + {t[1]})")
    return unary | binary | power | maximum


LOSS_TEXT = st.recursive(NAMES | NUMBERS, _combine, max_leaves=6)


def _parse_or_skip(text: str) -> so.Loss | None:
    """The loss, or None for text refused with one of the documented errors."""
    try:
        return so.Loss.parse(text)
    except ParseError as err:
        assert str(err).startswith("column ") and "\n" not in str(err)
    except ValueError as err:
        # Loss's own refusals (no parameters, not real and finite, undefined functions)
        assert str(err).startswith("the loss"), err
    return None


def _nothing_left_running() -> None:
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert [t for t in threading.enumerate() if t is not threading.main_thread()] == []
    children = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children += (task / "children").read_text().split()
    assert children == []


@settings(max_examples=examples(300), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(LOSS_TEXT)
def test_parsing_random_losses_raises_only_documented_errors(text):
    loss = _parse_or_skip(text)
    if loss is not None:
        # whatever is accepted can be printed
        assert repr(loss.expr) and sympy.latex(loss.expr)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@settings(max_examples=examples(12), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(LOSS_TEXT)
def test_analysing_random_losses_ends_with_a_status_within_its_budget(text):
    loss = _parse_or_skip(text)
    if loss is None:
        return
    result = so.critical_points(loss, timeout=2)
    assert str(getattr(result.status, "value", result.status)) in STATUSES
    assert result.complete == (str(getattr(result.status, "value", result.status)) == "complete")
    for point in result.points:
        assert len(point.coords) == len(loss.params)
    _nothing_left_running()


# -- the reproducers, one regression test each --------------------------------------------
# (others live next to the code they exercise: tests/test_budget.py, tests/test_parse.py,
# tests/test_ml_diagnose.py)

def test_a_loss_with_an_undefined_function_is_refused_in_one_line():
    w = sympy.Symbol("w", real=True)
    with pytest.raises(ValueError, match="undefined function f\\(w\\); write its formula"):
        so.Loss(sympy.Function("f")(w) ** 2 + w**2, params=[w])


@pytest.mark.parametrize("seconds", [1e10, 1e308, float("inf")])
def test_derive_accepts_budgets_of_any_size(seconds):
    derivation = so.derive("(1 - w1*w2)**2", timeout=seconds)
    assert derivation.step("point1.eigen").values["eigenvalues"] == (-2, 2)


def test_the_bombs_are_refused_by_the_parser_naming_their_limit():
    bombs = {
        "(w+x+y+z)**100": "max_terms",
        "(((x**100)**100)**100)**100": "max_degree",
        "*".join(["2**10000"] * 500) + "*x": "max_number_bits",
        "10**5000*x**2 + y**2": "max_number_bits",
    }
    for text, limit in bombs.items():
        with pytest.raises(ParseError, match=limit):
            so.Loss.parse(text)


def test_a_bomb_built_directly_stops_at_the_budget_in_a_child_process():
    x = sympy.Symbol("x", real=True)
    loss = so.Loss(((x**100) ** 100) ** 100 + x**2, params=[x])
    result = so.critical_points(loss, timeout=2, isolate=True, memory_mb=1024)
    assert not result.complete
    assert str(getattr(result.status, "value", result.status)) in {"timeout", "incomplete"}
    _nothing_left_running()


def test_target_names_with_tex_specials_reach_latex_escaped():
    for target in ["y^^2", "y`q`", "t^^5c^^5c"]:
        loss = so.Loss.from_model("w1*w2*x", data={"x": [1], target: [1]}, target=target,
                                  loss="mse", params=["w1", "w2"])
        latex = so.derive(loss, timeout=60).to_latex()
        assert "^^" not in latex and "`" not in latex


def test_budget_exceeded_is_a_symopt_error_with_a_memory_subclass():
    assert issubclass(BudgetExceeded, so.SymoptError)
    assert issubclass(so.MemoryBudgetExceeded, BudgetExceeded)


def test_a_kink_on_a_quotient_ends_with_a_status_not_a_printing_error():
    # found by the fuzz run: the Hessian of abs(8*x/y) holds d/dy sign(x/y)
    result = so.critical_points("abs(((x / y) * (2)**3))", timeout=2)
    assert not result.complete
    assert any("unevaluated derivatives" in note for note in result.notes)
