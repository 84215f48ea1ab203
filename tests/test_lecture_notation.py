"""Formulas as a lecturer writes them: term order, signs, plurals, no 1.0 coefficients."""

from __future__ import annotations

import pytest
import sympy as sp

import symopt as so
from symopt.report import derive
from symopt.report.checks import shown
from symopt.report.latex import to_tex
from symopt.report.notation import factored_if_shorter, plain

x, y, w1, w2, lam = sp.symbols("x y w1 w2 lambda")


@pytest.mark.parametrize("text, tex", [
    ("(1 - w1*w2)**2", "\\left(1 - w_{1} w_{2}\\right)^{2}"),
    ("100*(y - x**2)**2", "100 \\left(y - x^{2}\\right)^{2}"),
    ("(1 - x)**2 + 100*(y - x**2)**2",
     "\\left(1 - x\\right)^{2} + 100 \\left(y - x^{2}\\right)^{2}"),
    ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
     "\\left(x + y^{2} - 7\\right)^{2} + \\left(x^{2} + y - 11\\right)^{2}"),
    ("x**4 - 2*x**2 + 2", "x^{4} - 2 x^{2} + 2"),
    ("w1*w2 - 1", "w_{1} w_{2} - 1"),
    ("-x**2 - y**2", "- x^{2} - y^{2}"),
])
def test_sums_lead_with_a_positive_term(text, tex):
    assert to_tex(so.Loss.parse(text).expr) == tex


@pytest.mark.parametrize("expr, text", [
    ((1 - w1 * w2) ** 2, "(1 - w1*w2)**2"),
    (100 * (y - x ** 2) ** 2, "100*(y - x**2)**2"),
    (sp.factor(200 * y - 200 * x ** 2), "200*(y - x**2)"),   # sign taken into the sum
    (sp.factor(2 * y - 2 * x), "2*(y - x)"),
    (-2 * w2 * (1 - w1 * w2), "-2*w2*(1 - w1*w2)"),          # the chain rule's form stays
])
def test_plain_text_in_lecture_order(expr, text):
    assert plain(expr) == text


def test_factored_only_when_shorter():
    expanded = sp.expand(-2 * w2 * (1 - w1 * w2))             # -2 w2 + 2 w1 w2^2
    assert factored_if_shorter(expanded) == 2 * w2 * (w1 * w2 - 1)
    assert factored_if_shorter(x + y) == x + y


def test_approximate_values_drop_a_unit_float_coefficient():
    shown_value = shown(sp.Float(1.0) * lam ** 2 - sp.Float(4.25))
    assert to_tex(shown_value) == "\\lambda^{2} - 4.25"


def test_counts_take_the_right_plural():
    one = derive(so.Loss.parse("x**2 + y**2"))
    assert one.step("critical_points").sentence.startswith("1 isolated critical point and 0 sets")
    assert "(s)" not in one.to_markdown()
    two = derive(so.Loss.parse("x**2 - y**2 + x**3"))
    assert two.step("critical_points").sentence.startswith("2 isolated critical points")


def test_critical_table_puts_each_value_under_its_own_column():
    # (1 - w1*w2)**2: the saddle (0, 0) in the points' table, the curve w1*w2 = 1 of
    # dimension 1 in a table of its own whose second column is the dimension
    cs = so.critical_points(so.Loss.parse("(1 - w1*w2)**2"))
    points, families = [block for block in cs._repr_latex_().split("$$") if "array" in block]
    header, row = families.split("\\end{array}")[0].split("{llll}", 1)[1].split(" \\\\ ")
    assert [c.strip() for c in header.split("&")][:2] == ["\\text{family}", "\\text{dimension}"]
    assert [c.strip() for c in row.split("&")][:2] == ["w_{1} w_{2} - 1 = 0", "1"]
    assert "dimension" not in points


def test_softmax_and_log_sum_exp_in_the_lectures_notation():
    from symopt.functions import LogSumExp

    y1, y2 = sp.symbols("y1 y2")
    softmax = sp.exp(y1 - LogSumExp(y1, y2))        # y'_1 = e^{y_1} / sum_j e^{y_j}
    assert to_tex(softmax) == "\\frac{e^{y_{1}}}{e^{y_{1}} + e^{y_{2}}}"
    assert plain(softmax) == "exp(y1)/(exp(y1) + exp(y2))"
    assert to_tex(LogSumExp(y1, 0)) == "\\ln\\left(e^{y_{1}} + 1\\right)"
    assert "LogSumExp" not in plain(LogSumExp(y1, y2) - y1)


def test_cross_entropy_in_the_lectures_notation():
    # e = -sum_i yhat_i ln y'_i with y' = softmax(y) (LECTURE.md, section 5), written by hand
    from symopt.functions import LogSumExp, cross_entropy

    y1, y2, y3, w, b = sp.symbols("y1 y2 y3 w b", real=True)
    one_hot = cross_entropy([y1, y2, y3], [0, 1, 0])
    assert to_tex(one_hot) == (
        "- \\ln\\frac{e^{y_{2}}}{e^{y_{1}} + e^{y_{2}} + e^{y_{3}}}")
    assert plain(one_hot) == "-log(exp(y2)/(exp(y1) + exp(y2) + exp(y3)))"
    soft = cross_entropy([y1, y2], [sp.Rational(1, 2), sp.Rational(1, 2)])
    assert to_tex(soft) == (
        "- \\frac{1}{2} \\ln\\frac{e^{y_{1}}}{e^{y_{1}} + e^{y_{2}}} "
        "- \\frac{1}{2} \\ln\\frac{e^{y_{2}}}{e^{y_{1}} + e^{y_{2}}}")
    # the mean over two samples plus a penalty: each sample's term keeps its own softmax
    mean = (cross_entropy([w, b], [1, 0]) + cross_entropy([2 * w, b], [0, 1])) / 2 + w ** 2
    assert plain(mean) == ("w**2 - 1/2*log(exp(w)/(exp(w) + exp(b))) "
                           "- 1/2*log(exp(b)/(exp(2*w) + exp(b)))")
    # the printed form has the loss's value
    printed = (w ** 2 - sp.log(sp.exp(w) / (sp.exp(w) + sp.exp(b))) / 2
               - sp.log(sp.exp(b) / (sp.exp(2 * w) + sp.exp(b))) / 2)
    at = {w: sp.Rational(3, 7), b: sp.Rational(-2, 5)}
    assert abs(sp.N((mean.rewrite(sp.log) - printed).subs(at), 30)) < 1e-25
    # a log-sum-exp that pairs with no term stays a logarithm of a sum
    assert to_tex(LogSumExp(y1, y2) + y1) == "y_{1} + \\ln\\left(e^{y_{1}} + e^{y_{2}}\\right)"
