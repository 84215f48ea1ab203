"""The regenerated week-2 lecture gets every erratum of LECTURE.md right, in its SymPy objects
and in the exact LaTeX and Markdown it prints; `symopt lecture` and the example script write it."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
import sympy as sp

from symopt.cli import main
from symopt.report import lecture_week2
from symopt.report.markdown import math_markdown

w1, w2, x, y = sp.symbols("w1 w2 x y", real=True)
LECTURE_GRADIENT = sp.Matrix([-2 * w2 * (1 - w1 * w2), -2 * w1 * (1 - w1 * w2)])


@pytest.fixture(scope="module")
def lecture():
    return lecture_week2()


@pytest.fixture(scope="module")
def outputs(lecture):
    return {"tex": lecture.to_latex(), "md": lecture.to_markdown(),
            "zh": lecture_week2("zh").to_markdown()}


# -- the SymPy objects of the steps -----------------------------------------------------------
def test_loss_from_model_and_data(lecture):
    step = lecture.step("model")
    assert step.values["sample_loss"] == (y - w1 * w2 * x) ** 2
    assert step.values["loss"] == (1 - w1 * w2) ** 2


def test_erratum_gradient_is_not_w1_w2(lecture):
    gradient = lecture.step("gradient").values["gradient"]
    assert (gradient - LECTURE_GRADIENT).applyfunc(sp.expand) == sp.zeros(2, 1)
    assert gradient != sp.Matrix([w1, w2])
    assert gradient.subs({w1: 0, w2: 0}) == sp.zeros(2, 1)


def test_erratum_second_derivatives_are_not_zero_everywhere(lecture):
    second = lecture.step("second_derivatives").values["derivatives"]
    assert second[(w1, w1)] == 2 * w2 ** 2
    assert second[(w2, w2)] == 2 * w1 ** 2
    assert sp.expand(second[(w1, w2)] - (-2 + 4 * w1 * w2)) == 0
    assert second[(w1, w1)] != 0


def test_critical_points_origin_and_the_curve(lecture):
    values = lecture.step("critical_points").values
    assert values["points"] == ((0, 0),)
    assert values["families"] == ((w1 * w2 - 1,),)
    assert lecture.step("family1").values["global_minimum"]


def test_hessian_at_origin_and_its_eigenvalues(lecture):
    assert lecture.step("point1.hessian").values["hessian"] == sp.Matrix([[0, -2], [-2, 0]])
    assert lecture.step("point1.eigen").values["eigenvalues"] == (-2, 2)
    assert lecture.step("point1.kind").values["kind"].value == "saddle"


def test_erratum_escape_direction_1_1_belongs_to_minus_2(lecture):
    pairs = dict(lecture.step("point1.eigen").values["eigenvectors"])
    assert pairs[-2] == [sp.Matrix([1, 1])]
    assert pairs[2] == [sp.Matrix([1, -1])]
    escape = lecture.step("point1.escape").values
    assert escape["direction"] == sp.Matrix([1, 1]) and escape["eigenvalue"] == -2
    assert escape["curvature"] == -4 == escape["eigenvalue"] * escape["norm_squared"]
    assert escape["new_value"] < 1


def test_erratum_quadratic_approximation_keeps_the_hessian(lecture):
    H = lecture.step("taylor").values["hessian"]
    assert isinstance(H, sp.MatrixSymbol) and H.name == "H"
    _, _, quadratic = lecture.step("taylor").values["approximation"]
    assert quadratic.has(H)
    _, at_critical = lecture.step("critical_taylor").values["approximation"]
    assert at_critical.has(H)
    assert lecture.step("example_quadratic").values["approximation"] == 1 - 2 * w1 * w2


def test_erratum_softmax_denominator_sums_over_j(lecture):
    softmax = lecture.step("softmax").values["softmax"]
    numerator, denominator = softmax.as_numer_denom()
    assert isinstance(denominator, sp.Sum)
    ((index, low, high),) = denominator.limits
    assert (low, high) == (1, sp.Symbol("K", integer=True, positive=True))
    assert denominator.function == sp.exp(sp.IndexedBase("y")[index])
    i = sp.Symbol("i", integer=True, positive=True)
    assert index.name == "j" and numerator == sp.exp(sp.IndexedBase("y")[i])
    outputs = lecture.step("softmax").values["outputs"]
    assert sp.simplify(sum(outputs)) == 1


# -- exact fragments of the printed LaTeX and Markdown ------------------------------------------
def _fragments():
    latex = sp.latex
    return [
        # the lecture's own form and term order: (y_hat - w1 w2 x)^2 = (1 - w1 w2)^2
        "L = \\left(\\hat{y} - w_{1} w_{2} x\\right)^{2} = \\left(1 - w_{1} w_{2}\\right)^{2}",
        "\\nabla L = \\left[\\begin{matrix}- 2 w_{2} \\left(1 - w_{1} w_{2}\\right)\\\\"
        "- 2 w_{1} \\left(1 - w_{1} w_{2}\\right)\\end{matrix}\\right]",
        "\\frac{\\partial^{2} L}{\\partial w_{1}^{2}} = " + latex(2 * w2 ** 2),
        "\\frac{\\partial^{2} L}{\\partial w_{2}^{2}} = " + latex(2 * w1 ** 2),
        "\\frac{\\partial^{2} L}{\\partial w_{1} \\partial w_{2}} = " + latex(4 * w1 * w2 - 2),
        "w_{1} = 0 ,\\  w_{2} = 0 \\Rightarrow p_{1} = \\left( 0, \\  0\\right)",
        "H = " + latex(sp.Matrix([[0, -2], [-2, 0]])),
        "\\det(\\lambda I - H) = \\lambda^{2} - 4",
        "\\lambda_{1} = -2 ,\\quad v = " + latex(sp.Matrix([1, 1])),
        "\\lambda_{2} = 2 ,\\quad v = " + latex(sp.Matrix([1, -1])),
        "u = " + latex(sp.Matrix([1, 1])),
        "u^{T} H u = \\lambda \\lVert u \\rVert^{2} = -2 \\cdot 2 = -4 < 0",
        "a = 1 :\\quad L \\left( 1, \\  1\\right) = 0 < 1 = L \\left( 0, \\  0\\right)",
        "\\frac{1}{2} \\left(\\theta - \\theta'\\right)^{T} H \\left(\\theta - \\theta'\\right)",
        "L{\\left(\\theta \\right)} \\approx L{\\left(\\theta' \\right)} + \\frac{1}{2} v^{T} H v",
        "{y'}_{i} = \\frac{e^{{y}_{i}}}{\\sum_{j=1}^{K} e^{{y}_{j}}}",
        "0 < {y'}_{i} < 1,\\quad \\sum_{i=1}^{K} {y'}_{i} = 1",
        "\\frac{\\partial e}{\\partial {y}_{i}} = {y'}_{i} - {\\hat{y}}_{i}",
    ]


@pytest.mark.parametrize("fragment", _fragments())
@pytest.mark.parametrize("form", ["tex", "md", "zh"])
def test_printed_fragment(outputs, form, fragment):
    expected = fragment if form == "tex" else math_markdown(fragment)
    assert expected in outputs[form]


@pytest.mark.parametrize("wrong", [
    "\\nabla L = \\left[\\begin{matrix}w_{1}\\\\w_{2}\\end{matrix}\\right]",
    "\\frac{\\partial^{2} L}{\\partial w_{1}^{2}} = 0",
    "\\lambda_{1} = 2 ,\\quad v = \\left[\\begin{matrix}1\\\\1\\end{matrix}\\right]",
    "\\frac{1}{2} \\left(\\theta - \\theta'\\right)^{T} \\left(\\theta - \\theta'\\right)",
    "\\sum_{j=1}^{K} e^{{y}_{i}}",
    "\\sum_{i=1}^{K} {y}_{i} = 1",
])
def test_errata_do_not_appear(outputs, wrong):
    for text in outputs.values():
        assert wrong not in text and math_markdown(wrong) not in text


def test_chinese_lecture_speaks_the_lecture_language(outputs):
    for word in ("驻点", "鞍点", "海瑟矩阵", "特征值", "梯度向量"):
        assert word in outputs["zh"]


def test_lecture_lists_the_optimizer_rules_it_teaches(lecture, outputs):
    from symopt.optim import RULES
    # one symbol per meaning: lambda is the Hessian's eigenvalue in the lecture, so the rules'
    # lambda is the momentum coefficient mu and the weight decay delta there
    renamed = {"momentum": "\\mu", "adam": "\\delta"}
    for name in ("momentum", "adagrad_lecture", "rmsprop_lecture", "adam", "warmup_cosine"):
        expected = RULES[name].replace("\\lambda", renamed.get(name, "\\lambda"))
        assert "\\lambda" not in expected
        assert lecture.step(f"rule.{name}").values["rule"] == expected
        assert expected in outputs["tex"]


# -- command and example ------------------------------------------------------------------------
def test_cli_lecture_writes_both_formats(tmp_path, outputs, capsys):
    assert main(["lecture", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "lecture_week2.tex").read_text() == outputs["tex"]
    assert (tmp_path / "lecture_week2.md").read_text() == outputs["md"]
    assert "wrote" in capsys.readouterr().out


def test_cli_lecture_in_chinese_writes_markdown(tmp_path):
    assert main(["lecture", "--language", "zh", "-o", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["lecture_week2.zh.md"]
    assert main(["lecture", "--language", "zh", "--format", "tex", "-o", str(tmp_path)]) == 2


def test_example_script_writes_into_the_given_folder(tmp_path, monkeypatch, outputs):
    monkeypatch.setattr(sys, "argv", ["lecture_week2.py", str(tmp_path / "out")])
    script = Path(__file__).resolve().parents[1] / "examples" / "lecture_week2.py"
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(script), run_name="__main__")
    assert stop.value.code == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["lecture_week2.md", "lecture_week2.tex", "lecture_week2.zh.md"]
    assert (tmp_path / "out" / "lecture_week2.tex").read_text() == outputs["tex"]
