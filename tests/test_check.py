"""so.check and `symopt check`: a student's derivation of the lecture's loss, checked.

Reference values by hand (LECTURE.md, worked example): L = (1 - w1*w2)**2,
dL/dw1 = -2*w2*(1 - w1*w2), dL/dw2 = -2*w1*(1 - w1*w2),
H = [[2*w2**2, 4*w1*w2 - 2], [4*w1*w2 - 2, 2*w1**2]]; critical points: the saddle (0, 0)
(H = [[0, -2], [-2, 0]], eigenpairs lambda = -2 with (1, 1) and lambda = 2 with (1, -1))
and the curve w1*w2 = 1 of global minima.  The notes' errata: the gradient written
[w1, w2], d2L/dw1**2 written 0, and u = (1, 1) paired with lambda = 2.
"""

import json

import numpy as np
import pytest

import symopt as so
from symopt.cli import main

LECTURE = "(1 - w1*w2)**2"
GRADIENT = "-2*w2*(1 - w1*w2), -2*w1*(1 - w1*w2)"
HESSIAN = "[[2*w2**2, 4*w1*w2 - 2], [4*w1*w2 - 2, 2*w1**2]]"


def test_a_right_derivation_is_ok_in_every_form():
    as_text = so.check(LECTURE, gradient=GRADIENT, hessian=HESSIAN,
                       critical_points=[(0, 0), "(1, 1)"], kinds=["saddle", "minimum"],
                       eigenpairs=[((0, 0), -2, (1, 1)), ((0, 0), 2, (1, -1))])
    assert as_text.ok, str(as_text)
    assert [e.verdict for e in as_text.entries] == ["right"] * (2 + 4 + 2 + 2)
    as_lists = so.check(LECTURE, gradient=["-2*w2 + 2*w1*w2**2", "2*w1**2*w2 - 2*w1"],
                        hessian=[["2*w2**2", "4*w1*w2 - 2"], ["4*w1*w2 - 2", "2*w1**2"]])
    assert as_lists.ok


def test_functions_are_compared_at_points():
    def gradient(t):
        return np.array([-2 * t[1] * (1 - t[0] * t[1]), -2 * t[0] * (1 - t[0] * t[1])])

    def hessian(t):
        return [[2 * t[1] ** 2, 4 * t[0] * t[1] - 2], [4 * t[0] * t[1] - 2, 2 * t[0] ** 2]]

    assert so.check(LECTURE, gradient=gradient, hessian=hessian).ok


def test_erratum_gradient_written_w1_w2_is_caught_with_a_witness():
    result = so.check(LECTURE, gradient="w1, w2")
    assert not result.ok
    first, second = result.entries
    assert first.verdict == second.verdict == "wrong"
    # got - expected = w1 + 2*w2*(1 - w1*w2); at the witness it must be nonzero
    w1, w2 = (float(c) for c in first.witness)
    assert w1 + 2 * w2 * (1 - w1 * w2) != 0
    assert so.parse_expression(first.difference).equals(
        so.parse_expression("w1 + 2*w2*(1 - w1*w2)"))


def test_erratum_second_derivative_written_zero_is_caught():
    wrong = "[[0, 4*w1*w2 - 2], [4*w1*w2 - 2, 2*w1**2]]"
    result = so.check(LECTURE, hessian=wrong)
    bad = result.wrong
    assert [e.what for e in bad] == ["d2L/dw1^2"]
    assert bad[0].expected == "2*w2**2" and bad[0].difference == "-2*w2**2"
    assert float(bad[0].witness[1]) != 0  # -2*w2**2 shows only where w2 != 0


def test_erratum_eigenvector_paired_with_the_wrong_eigenvalue_is_caught():
    result = so.check(LECTURE, eigenpairs=[((0, 0), 2, (1, 1))])
    (entry,) = result.entries
    assert entry.verdict == "wrong"
    assert "eigenvalue -2" in entry.expected  # H(1, 1) = (-2, -2) = -2*(1, 1)


def test_missing_and_extra_points_and_wrong_kinds():
    result = so.check(LECTURE, critical_points=[(1, 1), (2, 2)], kinds=["saddle", "minimum"])
    assert result.extra_points == (("2", "2"),)  # gradient at (2, 2) is (12, 12)
    assert result.missing_points == (("0", "0"),)
    assert result.missing_families == ()  # (1, 1) lies on w1*w2 = 1
    (kind,) = result.entries
    assert kind.what == "kind at (1, 1)" and kind.expected == "minimum" and not kind.ok
    assert not result.ok


def test_a_family_nobody_named_is_missing():
    result = so.check(LECTURE, critical_points=[(0, 0)], kinds=["saddle"])
    assert result.missing_families == ("w1*w2 - 1 = 0",) and not result.ok


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(gradient="w1"), "has 1 entries; the loss has 2 parameters"),
    (dict(gradient="x, w2"), "'x', which is not a parameter"),
    (dict(gradient="__import__('os'), w2"), "column"),
    (dict(critical_points=[(0, 0)], kinds=["bump"]), "not known"),
    (dict(critical_points=[(0, 0)], kinds=[]), "give one kind per point"),
])
def test_bad_student_input_is_refused_with_a_clear_message(kwargs, fragment):
    with pytest.raises((ValueError, TypeError), match=None) as info:
        so.check(LECTURE, **kwargs)
    assert fragment in str(info.value)


def test_cli_check_prints_each_wrong_entry_and_exits_1(capsys):
    code = main(["check", LECTURE, "--params", "w1,w2", "--gradient", "w1, w2",
                 "--hessian", HESSIAN, "--point", "0,0", "--kind", "saddle",
                 "--eigenpair", "0,0; 2; 1,1", "--json"])
    facts = json.loads(capsys.readouterr().out)
    assert code == 1 and facts["ok"] is False
    verdicts = {e["what"]: e["verdict"] for e in facts["entries"]}
    assert verdicts["dL/dw1"] == verdicts["dL/dw2"] == "wrong"
    assert verdicts["d2L/dw1^2"] == "right" and verdicts["kind at (0, 0)"] == "right"
    assert facts["missing_families"] == ["w1*w2 - 1 = 0"]


def test_cli_check_right_answer_exits_0(capsys):
    code = main(["check", LECTURE, "--gradient", GRADIENT, "--hessian", HESSIAN])
    out = capsys.readouterr().out
    assert code == 0 and out.strip().endswith("all entries right")


def test_cli_check_without_anything_to_check_is_one_line(capsys):
    assert main(["check", LECTURE]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_check_writes_the_lecturers_form(capsys):
    assert main(["check", LECTURE, "--gradient", "w1, w2"]) == 1
    out = capsys.readouterr().out
    assert "expected -2*w2*(1 - w1*w2)" in out and "(-w1*w2 + 1)" not in out
