"""The lecture handout: six sections, errata against LECTURE.md, one symbol per meaning, PDFs.

The handout's "correct" column is compared with values worked out by hand from the lecture
(gradient, Hessian entry, eigenpair); the PDFs are compiled with pdflatex (English) and
XeLaTeX with xeCJK and Noto CJK (Chinese), and their logs must have no overfull line.
Locally the compile tests skip when an engine is missing; with CI set they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symopt.report.handout import RULE_NAMES, handout_latex, write_handout
from symopt.report.handout_text import ERRATA, TEXT

SECTIONS_EN = ("When the training loss is large: a diagnosis",
               "Critical points: local minima and saddle points", "Batch size and momentum",
               "Learning rates", "Classification", "Batch normalization")


def _engine(name: str, packages: str) -> None:
    if shutil.which(name):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{name} is missing but CI is set: install {packages}")
    pytest.skip(f"{name} is not installed ({packages})")


@pytest.fixture(scope="module")
def english() -> str:
    return handout_latex("en")


def test_all_six_lecture_sections_and_the_errata_in_order(english):
    found = re.findall(r"\\section\{([^}]*)\}", english)
    assert found == list(SECTIONS_EN) + ["Errata: what the notes say and what is correct"]
    assert len(re.findall(r"\\section\{", handout_latex("zh"))) == 7


def test_errata_cover_every_erratum_of_the_lecture():
    rows = ERRATA["en"]
    said = " ".join(row[1] for row in rows)
    correct = " ".join(row[2] for row in rows)
    # LECTURE.md's errata: Taylor term without H; gradient [w1, w2]; 2(-w2)(-w2) = 0;
    # u = (1, 1) paired with lambda_1 = 2; softmax denominator and sum constraint
    assert "(\\theta - \\theta')^T(\\theta - \\theta')" in said
    assert "H (\\theta - \\theta')" in correct
    assert "[w_1, w_2]^T" in said and "-2w_2(1 - w_1w_2)" in correct
    assert "2(-w_2)(-w_2) = 0" in said and "2w_2^2" in correct
    assert "\\lambda_1 = 2" in said and "\\lambda = -2" in correct
    assert "\\sum_j e^{y_i}" in said and "\\sum_j e^{y_j}" in correct
    assert "\\sum_i y_i = 1" in said and "\\sum_i y'_i = 1" in correct
    batch = next(row for row in rows if row[0].startswith("3, batch"))
    assert "without parallelism" in batch[2] and "slower" in batch[2]
    assert all(row[3] for row in rows)                       # every row gives its reason
    assert len(ERRATA["zh"]) == len(rows)


def test_worked_eigenvector_step_solves_h_minus_lambda_i(english):
    # by hand: H = [[0, -2], [-2, 0]]; H + 2I = [[2, -2], [-2, 2]] gives v = (1, 1);
    # H - 2I = [[-2, -2], [-2, -2]] gives v = (1, -1)
    assert ("\\lambda = -2:\\quad \\left[\\begin{matrix}2 & -2\\\\-2 & 2\\end{matrix}\\right] "
            "v = 0 \\;\\Rightarrow\\; v = \\left[\\begin{matrix}1 & 1\\end{matrix}\\right]^T"
            in english)
    assert ("\\lambda = 2:\\quad \\left[\\begin{matrix}-2 & -2\\\\-2 & -2\\end{matrix}\\right] "
            "v = 0 \\;\\Rightarrow\\; v = \\left[\\begin{matrix}1 & -1\\end{matrix}\\right]^T"
            in english)


def test_lambda_means_only_an_eigenvalue(english):
    rules = english[english.index("\\section{Learning rates}"):english.index("\\section{Classification}")]
    assert "\\lambda" not in rules
    momentum = english[english.index("\\paragraph{Momentum}"):]
    assert momentum.split("\\]")[0].count("\\mu m_t") == 1
    # the weight decay has a symbol of its own (the rules' lambda), written in the notation
    adam = english[english.index("\\paragraph{Adam"):].split("\\]")[0]
    assert "g_t + \\delta \\theta_t" in adam
    assert "\\(\\delta\\) the weight decay" in english
    assert "\\mathrm{wd}" not in english


def test_headings_are_human(english):
    assert "\\_lecture" not in english and "_lecture" not in english.replace("\\_", "_").split(
        "\\begin{document}")[1].split("examples/")[0]
    for name in ("Adagrad (root mean square of the past gradients)", "RMSProp",
                 "The Transformer schedule"):
        assert "\\paragraph{" + name + "}" in english
    assert set(RULE_NAMES["en"]) == set(RULE_NAMES["zh"])


def test_both_languages_have_the_same_keys():
    assert set(TEXT["en"]) == set(TEXT["zh"])


def test_figures_are_included_with_captions(tmp_path):
    picture = tmp_path / "landscape.png"
    picture.write_bytes(b"not read")
    tex = handout_latex("en", figures={"landscape": picture})
    block = tex[tex.index("\\begin{figure}"):tex.index("\\end{figure}")]
    assert "\\includegraphics[width=0.8\\linewidth]{landscape.png}" in block
    assert "\\caption{The worked example" in block


@pytest.mark.parametrize("language, name", [("en", "Figure"), ("zh", "图")])
def test_captions_are_labelled_in_the_documents_language(language, name):
    assert "\\captionsetup[figure]{name=" + name + "}" in handout_latex(language)


@pytest.mark.parametrize("language, engine, packages", [
    ("en", "pdflatex", "texlive-latex-base texlive-latex-recommended"),
    ("zh", "xelatex", "texlive-xetex texlive-lang-chinese fonts-noto-cjk"),
])
def test_handout_compiles_without_overfull_lines(tmp_path, language, engine, packages):
    _engine(engine, packages)
    files = write_handout(tmp_path, language, pdf=True)
    assert files.pdf is not None and files.pdf.stat().st_size > 10_000
    assert files.overfull == ()
    log = files.log.read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log                    # every CJK glyph was found
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert ("批次标准化" if language == "zh" else "Batch normalization") in text


def test_the_chinese_figures_have_chinese_labels_in_a_cjk_font(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    try:
        font_manager.findfont(font_manager.FontProperties(family="Noto Sans CJK SC"),
                              fallback_to_default=False)
    except ValueError:
        if os.environ.get("CI"):
            pytest.fail("Noto Sans CJK is missing but CI is set: install fonts-noto-cjk")
        pytest.skip("Noto Sans CJK is not installed (fonts-noto-cjk)")
    from symopt.plot import handout_figures

    seen: dict[str, tuple[set[str], set[str]]] = {}
    save = Figure.savefig

    def spy(fig, path, *args, **kwargs):
        texts = [t for t in fig.findobj(Text) if t.get_text()]
        seen[Path(path).name] = ({t.get_text() for t in texts},
                                 {t.get_fontfamily()[0] for t in texts})
        return save(fig, path, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    paths = handout_figures(tmp_path, dpi=40, language="zh")
    assert sorted(p.name for p in paths.values()) == [
        "handout_landscape.zh.png", "handout_paths.zh.png", "handout_schedules.zh.png"]
    landscape, fonts = seen["handout_landscape.zh.png"]
    assert {"鞍点", "逃离方向", "临界点族: $w_{1} w_{2} - 1 = 0$", "损失 (等高线按对数间隔)"} <= landscape
    assert fonts == {"Noto Sans CJK SC"}
    panels, _ = seen["handout_paths.zh.png"]
    assert {"梯度下降", "动量", "Adam", "起点"} <= panels
    schedules, _ = seen["handout_schedules.zh.png"]
    assert {"学习率调度", "学习率", "步数 t", "指数衰减", "线性预热", "预热后余弦衰减"} <= schedules
    # no English word is left in any of them (numbers and formulas need none)
    for texts, _ in seen.values():
        assert not [t for t in texts if re.search(r"[a-z]{3,}", re.sub(r"\$[^$]*\$", "", t))
                    and t not in ("Adam", "Transformer (缩放)")]


def test_a_label_without_a_translation_is_refused():
    from symopt.plotting.handout import _translated

    assert _translated("saddle", {"saddle": "鞍点"}) == "鞍点"
    assert _translated("$w_{1}$", {}) == "$w_{1}$"
    with pytest.raises(ValueError, match="no translation"):
        _translated("learning rate", {"saddle": "鞍点"})
