"""A parsed loss is displayed as its writer wrote it: own form, own term order, in the plain
text, the LaTeX, the Markdown, the derivation and the plot title; the computing form stays
SymPy's."""

import pytest
import sympy as sp

import symopt as so
from symopt.parse import parse_expression
from symopt.parse.display import as_written, evaluated
from symopt.report.latex import loss_latex, to_tex
from symopt.report.markdown import loss_markdown
from symopt.report.notation import plain


# text -> (plain text as written, LaTeX as written); both written out by hand
CASES = [
    ("(1 - w1*w2)**2", "(1 - w1*w2)**2", r"\left(1 - w_{1} w_{2}\right)^{2}"),
    ("(1 - w1*w2)^2", "(1 - w1*w2)**2", r"\left(1 - w_{1} w_{2}\right)^{2}"),
    ("100*(y - x**2)**2 + (1 - x)**2", "100*(y - x**2)**2 + (1 - x)**2",
     r"100 \left(y - x^{2}\right)^{2} + \left(1 - x\right)^{2}"),
    ("-x + 2*y", "-x + 2*y", "- x + 2 y"),
    ("w2*w1 - 3*x", "w2*w1 - 3*x", "w_{2} w_{1} - 3 x"),
    ("-(w1 - 1)**2/2 + w2", "-(w1 - 1)**2/2 + w2",
     r"- \frac{\left(w_{1} - 1\right)^{2}}{2} + w_{2}"),
    ("-(x + y)", "-(x + y)", None),
    ("a - (b - c)", "a - (b - c)", r"a - \left(b - c\right)"),
    ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
     r"\left(x^{2} + y - 11\right)^{2} + \left(x + y^{2} - 7\right)^{2}"),
]


@pytest.mark.parametrize("text, written, tex", CASES)
def test_the_written_form_keeps_the_writers_order(text, written, tex):
    form = as_written(text)
    assert plain(form) == str(form) == written
    if tex is not None:
        assert to_tex(form) == tex


@pytest.mark.parametrize("text", [c[0] for c in CASES] + [
    "sigmoid(w1*x) + relu(w2) - log(1 + exp(w1))", "1e-3*w**2 - 0.5*w", "log(x, 2)*abs(y)",
    "sqrt(w**2 + 1) - pi*w + E", "a/b/c", "w1*-w2", "x - (-3)*y", "2^-1*w"])
def test_the_written_form_has_the_value_of_the_parsed_loss(text):
    assert sp.simplify(evaluated(as_written(text)) - parse_expression(text)) == 0


def test_a_parsed_loss_is_shown_as_written_and_computed_as_sympy_builds_it():
    loss = so.Loss.parse("(1 - w1*w2)**2")
    assert str(loss.written) == "(1 - w1*w2)**2"
    assert str(loss.expr) == "(-w1*w2 + 1)**2"          # SymPy's own order, for computing
    assert loss_latex(loss) == r"$\displaystyle L(w_{1}, w_{2}) = \left(1 - w_{1} w_{2}\right)^{2}$"
    assert loss_markdown(loss) == r"$L(w_{1}, w_{2}) = \left(1 - w_{1} w_{2}\right)^{2}$"
    # a sum that leads with a minus, as written (the lecture-order rule would move y first)
    loss = so.Loss.parse("-x**2 + y**2")
    assert loss_markdown(loss) == "$L(x, y) = - x^{2} + y^{2}$"
    assert so.Loss(sp.sympify("-x**2 + y**2")).written is None


def test_the_summary_the_derivation_and_the_plot_title_show_the_written_form():
    from symopt.plotting.notation import loss_title
    from symopt.report.markdown import render_markdown

    loss = so.Loss.parse("-(w1 - 1)**2/2 + w2*w1")
    summary = str(so.critical_points(loss))
    assert summary.splitlines()[0] == "loss      L(w1, w2) = -(w1 - 1)**2/2 + w2*w1"
    text = render_markdown(so.derive(loss))
    assert r"= - \frac{\left(w_{1} - 1\right)^{2}}{2} + w_{2} w_{1}" in text
    assert loss_title(loss, ["w1", "w2"]) == (
        r"$L(w_{1}, w_{2}) = - \frac{\left(w_{1} - 1\right)^{2}}{2} + w_{2} w_{1}$")


def test_the_written_form_survives_pickling_for_child_processes():
    import pickle

    loss = pickle.loads(pickle.dumps(so.Loss.parse("(1 - w1*w2)**2 - 3*w1")))
    assert str(loss.written) == "(1 - w1*w2)**2 - 3*w1"


def test_json_facts_carry_the_written_form_beside_the_computing_form():
    facts = so.critical_points("(1 - w1*w2)**2").to_dict()
    assert facts["written"] == "(1 - w1*w2)**2"
    assert so.parse_expression(facts["expr"]) == so.parse_expression(facts["written"])


# text -> (plain text, LaTeX), written out by hand from the text as typed
WRITTEN_SIGNS_AND_NUMBERS = [
    # after a minus sign a product keeps its factors in the written order
    ("x - w2*w1", "x - w2*w1", "x - w_{2} w_{1}"),
    ("-w2*w1*3", "-w2*w1*3", r"- w_{2} w_{1} \cdot 3"),
    # two signs stay two signs
    ("x - (-3)*y", "x - (-3)*y", r"x - \left(-3\right) y"),
    # a number after another factor is kept apart by a centred dot
    ("2**x*3", "2**x*3", r"2^{x} \cdot 3"),
    ("x*2", "x*2", r"x \cdot 2"),
    ("2**x*3**y", "2**x*3**y", r"2^{x} \cdot 3^{y}"),
    # a logarithm to a base shows the base as a subscript
    ("log(x, 2)", "log(x, 2)", r"\log_{2}\left(x\right)"),
    # the lecture's notation: sigma for the sigmoid, max(0, x) for ReLU, ln(1 + e^x) softplus
    ("sigmoid(w1*x) + relu(w2) - softplus(w1)", "sigmoid(w1*x) + relu(w2) - softplus(w1)",
     r"\sigma\left(w_{1} x\right) + \max\left(0, w_{2}\right) - \ln\left(1 + e^{w_{1}}\right)"),
]


@pytest.mark.parametrize("text, written, tex", WRITTEN_SIGNS_AND_NUMBERS)
def test_signs_factor_order_numbers_and_functions_are_shown_as_written(text, written, tex):
    form = as_written(text)
    assert str(form) == written
    assert to_tex(form) == tex
    assert sp.simplify(evaluated(form) - parse_expression(text)) == 0


def test_the_plot_title_draws_the_lecture_notation():
    from symopt.plotting.notation import loss_title

    loss = so.Loss.parse("sigmoid(w1) + log(w2**2 + 1, 2)")
    assert loss_title(loss, ["w1", "w2"]) == (
        r"$L(w_{1}, w_{2}) = \sigma\left(w_{1}\right) + \log_{2}\left(w_{2}^{2} + 1\right)$")
