"""symopt.report.derive: the steps, their checked values, the checks that refuse wrong results,
the renderings, the optimizer rules and the `symopt derive` command."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

import symopt as so
from symopt.cli import main
from symopt.optim import RULES
from symopt.report import (Derivation, DerivationError, Tex, critical_set_latex,
                           critical_set_markdown, derive, derive_optimizer_rules, loss_latex,
                           loss_markdown)
from symopt.report import text_en, text_zh

x, y, z, w1, w2 = sp.symbols("x y z w1 w2", real=True)


@pytest.fixture(scope="module")
def saddle():
    loss = so.Loss.parse("x**2 - y**2")
    return loss, so.critical_points(loss)


@pytest.fixture(scope="module")
def lecture_loss():
    return so.Loss.from_model("w1*w2*x", data={"x": [1], "y": [1]})


# -- steps and values ----------------------------------------------------------------------
def test_steps_come_in_the_order_of_a_hand_derivation(saddle):
    d = derive(saddle[0], analysis=saddle[1])
    assert d.keys == ("loss", "first_derivatives", "second_derivatives", "gradient", "hessian",
                      "solve", "critical_points", "point1.hessian", "point1.charpoly",
                      "point1.eigen", "point1.kind", "point1.escape")


def test_every_step_has_a_heading_a_sentence_and_math(lecture_loss):
    d = derive(lecture_loss)
    for step in d.steps:
        assert step.heading_text and step.sentence, step.key
        assert step.lines, step.key


def test_values_are_sympy_objects_checked_against_direct_computation(saddle):
    loss, cs = saddle
    d = derive(loss, analysis=cs)
    assert d.step("first_derivatives").values["derivatives"] == {x: 2 * x, y: -2 * y}
    assert d.step("second_derivatives").values["derivatives"] == {(x, x): 2, (x, y): 0, (y, y): -2}
    assert d.step("hessian").values["hessian"] == sp.hessian(loss.expr, (x, y))
    assert d.step("point1.charpoly").values["charpoly"].subs(
        d.step("point1.charpoly").values["symbol"], 3) == 5
    assert d.step("point1.eigen").values["eigenvalues"] == (-2, 2)
    escape = d.step("point1.escape").values
    assert escape["direction"] == sp.Matrix([0, 1])
    assert escape["curvature"] == -2 and escape["eigenvalue"] == -2
    assert escape["new_value"] < 0


def test_model_step_shows_the_sample_loss_and_the_data_substituted(lecture_loss):
    step = derive(lecture_loss).step("model")
    assert step.values["sample_loss"] == (y - w1 * w2 * x) ** 2
    assert step.values["loss"] == (1 - w1 * w2) ** 2
    assert step.values["data"] == ((1, 1),)
    assert step.hatted == (y,)


def test_mean_over_several_samples_is_substituted_and_summed():
    loss = so.Loss.from_model("w*x", data={"x": [1, 2], "y": [2, 3]})
    step = derive(loss).step("model")
    w = sp.Symbol("w", real=True)
    assert sp.expand(step.values["loss"] - ((2 - w) ** 2 + (3 - 2 * w) ** 2) / 2) == 0


def test_large_dataset_is_checked_by_sampling_the_mean():
    data = {"x": list(range(20)), "y": [2 * i + 1 for i in range(20)]}
    loss = so.Loss.from_model("a*x + b", data=data)
    d = derive(loss)
    assert d.step("critical_points").values["points"] == ((2, 1),)


def test_solving_lists_the_cases_from_the_factors(lecture_loss):
    step = derive(lecture_loss).step("solve")
    assert step.values["factored"] == (2 * w2 * (w1 * w2 - 1), 2 * w1 * (w1 * w2 - 1))
    cases = {frozenset(c) for c in step.values["cases"]}
    assert cases == {frozenset({w1, w2}), frozenset({w1 * w2 - 1})}


def test_inconsistent_case_is_said_to_have_no_solution():
    d = derive(so.Loss.parse("(x**2 - 1)**2*(y**2 + 1) + y**2"))
    cases = d.step("solve").values["cases"]
    assert (x, x ** 4 - 2 * x ** 2 + 2) in cases  # x = 0 leaves 2 = 0
    assert "x = 0 ,\\  x^{4} - 2 x^{2} + 2 = 0 \\Rightarrow \\text{no solution" in d.to_latex()
    assert [p.coords for p in d.analysis.points] == [(-1, 0), (0, 0), (1, 0)]


def test_degenerate_minimum_is_decided_by_higher_order_terms():
    d = derive(so.Loss.parse("x**4 + y**4"))
    step = d.step("point1.kind")
    assert step.values["kind"].value == "minimum"
    s1, s2 = sorted(step.values["higher_order"].free_symbols, key=lambda s: s.name)
    assert step.values["higher_order"] == s1 ** 4 + s2 ** 4
    assert "positive definite" in step.sentence


def test_saddle_without_negative_eigenvalue_descends_along_a_curve():
    d = derive(so.Loss.parse("x**2 - y**4"))
    escape = d.step("point1.escape").values
    assert escape["direction"] is None
    assert escape["new_value"] < 0


def test_family_of_minima_is_recognised(lecture_loss):
    step = derive(lecture_loss).step("family1")
    assert step.values["equations"] == (w1 * w2 - 1,)
    assert step.values["global_minimum"] and step.values["value"] == 0


def test_points_at_roots_of_cubics_are_shown_approximately_and_checked():
    d = derive(so.Loss.parse("(x**4 - 16*x**2 + 5*x + y**4 - 16*y**2 + 5*y)/2"))
    assert len(d.analysis.points) == 9
    assert "\\approx" in d.to_latex()
    saddles = [k for k in d.keys if k.endswith(".escape")]
    assert len(saddles) == 4


def test_nonpolynomial_loss_is_derived_from_the_numeric_analysis():
    d = derive(so.Loss.parse("x**2 + exp(y) - y"))
    assert d.step("point1.kind").values["kind"].value == "minimum"
    assert not d.step("critical_points").values["complete"]


def test_analysis_is_reused_and_must_belong_to_the_loss(saddle):
    loss, cs = saddle
    assert derive(loss, analysis=cs).analysis is cs
    with pytest.raises(ValueError, match="another loss"):
        derive(so.Loss.parse("x**2 + y**2"), analysis=cs)
    with pytest.raises(TypeError):
        derive(loss, analysis="not an analysis")


def test_time_budget_is_respected():
    with pytest.raises(so.BudgetExceeded):
        derive(so.Loss.parse("(x**2 + y - 11)**2 + (x + y**2 - 7)**2"), timeout=1e-3)


def test_long_nonpolynomial_gradient_is_not_factored():
    from symopt.report.derive import factorable
    long = sum((sp.tanh(k * x) - sp.Rational(1, 2)) ** 2 for k in range(1, 9))
    assert not factorable(sp.diff(long, x), (x,))
    assert factorable(sp.diff((1 - x * y) ** 2, x), (x, y))


def test_unknown_step_names_the_known_ones(saddle):
    with pytest.raises(KeyError, match="point1.escape"):
        derive(saddle[0], analysis=saddle[1]).step("point9.hessian")


def test_bad_language_and_input_are_rejected(saddle):
    with pytest.raises(ValueError, match="language"):
        derive(saddle[0], language="fr")
    with pytest.raises(TypeError):
        derive(42)


# -- a step that disagrees raises ------------------------------------------------------------
def _replace_point(cs, **changes):
    point = cs.points[0]  # kind, eigenvalues, ... live in the point's Classification
    held = {f.name for f in dataclasses.fields(point.classification)} & set(changes)
    if held:
        changes["classification"] = dataclasses.replace(
            point.classification, **{k: changes.pop(k) for k in held})
    return dataclasses.replace(cs, points=(dataclasses.replace(point, **changes),))


@pytest.mark.parametrize("changes, step", [
    ({"coords": (sp.Integer(1), sp.Integer(0))}, "solve"),  # (0, 0) is missing, (1, 0) is no root
    ({"value": sp.Integer(5)}, "critical_points"),
    ({"eigenvalues": (sp.Integer(-3), sp.Integer(2))}, "point1.eigen"),
    ({"kind": so.Kind.MINIMUM}, "point1.kind"),
    ({"inertia": (2, 0, 0)}, "point1.kind"),
    ({"escape_directions": ((sp.Integer(1), sp.Integer(0)),)}, "point1.escape"),
])
def test_wrong_analysis_raises_derivation_error(saddle, changes, step):
    loss, cs = saddle
    with pytest.raises(DerivationError, match=step.replace(".", r"\.")):
        derive(loss, analysis=_replace_point(cs, **changes))


def test_wrong_family_value_raises(lecture_loss):
    cs = so.critical_points(lecture_loss)
    family = dataclasses.replace(cs.families[0], value=sp.Integer(1))
    with pytest.raises(DerivationError, match="family1"):
        derive(lecture_loss, analysis=dataclasses.replace(cs, families=(family,)))


def test_wrong_gradient_raises(saddle):
    class WrongGradient(so.Loss):
        @property
        def gradient(self):
            return sp.Matrix([2 * x, 2 * y])

    loss = WrongGradient(x ** 2 - y ** 2)
    with pytest.raises(DerivationError, match="first_derivatives"):
        derive(loss, analysis=dataclasses.replace(saddle[1], loss=loss))


def test_derivation_error_is_a_library_error():
    assert issubclass(DerivationError, so.SymoptError)
    assert not issubclass(DerivationError, ValueError)


# -- renderings ----------------------------------------------------------------------------------
def test_latex_document_uses_only_packages_of_texlive_latex_base(saddle):
    text = derive(saddle[0], analysis=saddle[1]).to_latex()
    assert text.startswith("\\documentclass[11pt]{article}\n")
    packages = [line for line in text.splitlines() if line.startswith("\\usepackage")]
    assert packages == ["\\usepackage{amsmath}", "\\usepackage{amssymb}",
                        "\\usepackage{graphicx}"]          # graphicx scales wide formulas
    assert text.rstrip().endswith("\\end{document}")


def test_latex_body_has_no_preamble(saddle):
    body = derive(saddle[0], analysis=saddle[1]).to_latex(standalone=False)
    assert "\\documentclass" not in body and "\\begin{document}" not in body
    assert "\\symopt" not in body                  # pastes into any document: no own macros
    assert "\\subsection*{" in body


def test_markdown_has_display_blocks_and_inline_math(saddle):
    text = derive(saddle[0], analysis=saddle[1]).to_markdown()
    assert "$$\nH = \\left[\\begin{matrix}2 & 0\\\\0 & -2\\end{matrix}\\right]\n$$" in text
    assert "### 1. The loss" in text
    assert "$\\left( x, \\  y\\right)$" in text


def test_notebook_reprs(saddle):
    d = derive(saddle[0], analysis=saddle[1])
    assert d._repr_markdown_() == d.to_markdown()
    latex = d._repr_latex_()
    assert latex.startswith("$$") and "\\section" not in latex
    assert derive(saddle[0], analysis=saddle[1], language="zh")._repr_latex_() is None


def test_chinese_is_markdown_or_xelatex(saddle):
    d = derive(saddle[0], analysis=saddle[1], language="zh")
    assert "驻点" in d.to_markdown() and "鞍点" in d.to_markdown()
    with pytest.raises(ValueError, match="English only"):
        d.to_latex()
    tex = d.to_latex(engine="xelatex")
    assert "\\usepackage{xeCJK}" in tex and "鞍点" in tex and "[U+" not in tex


def test_both_languages_have_the_same_sentences():
    assert text_en.TEXT.keys() == text_zh.TEXT.keys()
    import string
    for key in text_en.TEXT:
        fields_en = {f for _, f, _, _ in string.Formatter().parse(text_en.TEXT[key]) if f}
        fields_zh = {f for _, f, _, _ in string.Formatter().parse(text_zh.TEXT[key]) if f}
        assert fields_en == fields_zh, key


def test_repr_helpers_for_loss_and_critical_set(saddle):
    loss, cs = saddle
    assert loss_latex(loss) == "$\\displaystyle L(x, y) = x^{2} - y^{2}$"
    assert loss_markdown(loss) == "$L(x, y) = x^{2} - y^{2}$"
    table = critical_set_markdown(cs)
    assert table.splitlines()[2] == ("| 1 | $\\left( 0, \\  0\\right)$ | $0$ | $-2$, $2$ | saddle | "
                                     "$\\left( 0, \\  1\\right)$ |")
    assert "\\text{saddle}" in critical_set_latex(cs)


# -- optimizer rules -----------------------------------------------------------------------------
def test_rules_are_the_strings_the_optimizers_document():
    d = derive_optimizer_rules()
    from symopt.optim.rules import OPTIMIZERS, SCHEDULES
    assert [s.key for s in d.steps] == [f"rule.{n}" for n in list(OPTIMIZERS) + list(SCHEDULES)]
    for step in d.steps:
        name = step.key.split(".", 1)[1]
        (part,) = step.lines[0].parts
        assert isinstance(part, Tex) and part.tex_source == RULES[name]
        assert step.values["rule"] is RULES[name]
        assert RULES[name] in d.to_latex()


def test_rules_section_is_appended_to_a_derivation(saddle):
    d = derive(saddle[0], analysis=saddle[1]).add_optimizer_rules(["adam", "cosine"])
    assert isinstance(d, Derivation)
    assert d.keys[-2:] == ("rule.adam", "rule.cosine")
    assert RULES["adam"] in d.to_latex() and RULES["cosine"] in d.to_markdown()


def test_unknown_rule_is_rejected():
    with pytest.raises(ValueError, match="no update rule called 'nadam'"):
        derive_optimizer_rules(["nadam"])


# -- command line --------------------------------------------------------------------------------
def test_cli_derive_writes_markdown(capsys):
    assert main(["derive", "x**2 - y**2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Derivation") and "saddle point" in out


def test_cli_derive_latex_body_to_a_file(tmp_path):
    target = tmp_path / "d.tex"
    assert main(["derive", "(1 - w1*w2)**2", "--params", "w1,w2", "--format", "tex", "--body",
                 "-o", str(target)]) == 0
    text = target.read_text()
    assert "\\documentclass" not in text and "\\nabla L" in text


def test_cli_derive_standalone_with_rules(capsys):
    assert main(["derive", "x**2", "--format", "tex", "--standalone", "--rules"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\documentclass") and RULES["momentum"] in out


def test_cli_derive_in_chinese(capsys):
    assert main(["derive", "x**2 - y**2", "--language", "zh"]) == 0
    assert "鞍点" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["derive", "x**2", "--format", "tex", "--language", "zh"], "English only"),
    (["derive", "__import__('os')"], "symopt: "),
    (["derive", "x**2 + y", "--params", "x"], "not a parameter"),
])
def test_cli_derive_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


# -- each derivative in its shortest form ---------------------------------------------------
def test_a_gradient_is_shown_factored_when_that_is_shorter():
    # L = 1 - 2 w1 w2 + w1^2 w2^2 = (1 - w1 w2)^2: by hand dL/dw1 = 2 w1 w2^2 - 2 w2,
    # factored 2 w2 (w1 w2 - 1), which is shorter
    d = derive("1 - 2*w1*w2 + w1**2*w2**2")
    (line,) = d.step("gradient").lines
    assert line.parts[-1] == sp.Matrix([2 * w2 * (w1 * w2 - 1), 2 * w1 * (w1 * w2 - 1)])
    first = d.step("first_derivatives").lines[0].parts
    assert first[2] == 2 * w1 * w2**2 - 2 * w2 and first[-1] == 2 * w2 * (w1 * w2 - 1)
    # the values stay as computed: the display picks the form, not the value
    assert d.step("gradient").values["gradient"] == so.Loss.parse(
        "1 - 2*w1*w2 + w1**2*w2**2").gradient


def test_a_gradient_is_shown_expanded_when_that_is_shorter():
    # L = (x + 1)^3/3 - x^3/3: dL/dx = (x + 1)^2 - x^2 = 2x + 1 by hand
    d = derive("(x + 1)**3/3 - x**3/3")
    (line,) = d.step("gradient").lines
    assert line.parts[-1] == sp.Matrix([2 * x + 1])
    assert d.step("first_derivatives").lines[0].parts[-1] == 2 * x + 1


def test_a_gradient_shorter_as_given_is_left_as_given():
    # Rosenbrock: dL/dx = -400 x (y - x^2) + 2 x - 2 has 7 operations (signs not counted)
    # as SymPy gives it;
    # factored, 2 (200 x^3 - 200 x y + x - 1), and expanded, 400 x^3 - 400 x y + 2 x - 2,
    # have 8 each
    d = derive("(1 - x)**2 + 100*(y - x**2)**2")
    given = sp.diff((1 - x)**2 + 100 * (y - x**2)**2, x)
    assert d.step("gradient").lines[0].parts[-1][0] == given
    assert len(d.step("first_derivatives").lines[0].parts) == 3  # no second form
