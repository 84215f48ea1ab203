"""The lecture handout: all six sections, the errata table and figures, as LaTeX and PDF.

A straight line: check the errata against SymPy, build each section (prose from
:mod:`~symopt.report.handout_text`, checked derivations from :mod:`~symopt.report.lecture`,
update rules from :data:`symopt.optim.RULES`), put them in one document, compile it.
English compiles with pdflatex, Chinese with XeLaTeX (xeCJK and Debian's Noto CJK fonts).
Figures are drawn by :func:`symopt.plot.handout_figures` (plotting sits above report) and
passed in by path.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
import subprocess
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Sequence

import sympy as sp

from .checks import same_expr
from .latex import CJK_PREAMBLE, FIT_MACROS, check_tex, latex_layout
from .layout import lay_out
from .lecture import lecture_loss, lecture_rule_tex, lecture_week2
from .records import Derivation, DerivationError, Section
from .handout_text import ERRATA, TEXT

__all__ = ["HandoutFiles", "handout_latex", "write_handout", "compile_latex", "HANDOUT_FIGURES",
           "RULE_NAMES"]

#: The figures the handout shows, by name, with their caption keys.
HANDOUT_FIGURES = ("landscape", "paths", "schedules")

#: Human headings of the update rules (never code names such as ``adagrad_lecture``).
RULE_NAMES: dict[str, dict[str, str]] = {
    "en": {"gd": "Gradient descent", "momentum": "Momentum",
           "adagrad_lecture": "Adagrad (root mean square of the past gradients)",
           "rmsprop_lecture": "RMSProp", "adam": "Adam (RMSProp with momentum)",
           "exponential": "Learning-rate decay (exponential)",
           "linear_warmup": "Warm-up (linear)", "warmup_cosine": "Warm-up, then cosine decay",
           "transformer": "The Transformer schedule"},
    "zh": {"gd": "梯度下降", "momentum": "动量", "adagrad_lecture": "Adagrad (过去梯度的均方根)",
           "rmsprop_lecture": "RMSProp", "adam": "Adam (RMSProp 加动量)",
           "exponential": "学习率衰减 (指数)", "linear_warmup": "预热 (线性)",
           "warmup_cosine": "预热后余弦衰减", "transformer": "Transformer 的学习率调度"},
}

_ENGINES = {"en": "pdflatex", "zh": "xelatex"}

_PREAMBLE = ("\\documentclass[11pt]{article}\n\\usepackage[margin=2.3cm]{geometry}\n"
             "\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\usepackage{bm}\n"
             "\\usepackage{graphicx}\n\\usepackage{booktabs}\n\\usepackage{tabularx}\n"
             "\\usepackage{caption}\n\\renewcommand{\\boldsymbol}{\\bm}\n"
             "\\newcolumntype{Y}{>{\\raggedright\\arraybackslash}X}\n" + FIT_MACROS)


class HandoutFiles(NamedTuple):
    """What :func:`write_handout` wrote: the LaTeX source, the PDF (or None) and the log."""

    tex: Path
    pdf: Path | None
    log: Path | None
    overfull: tuple[str, ...]


# -- checks ----------------------------------------------------------------------------------
def _check_errata() -> None:
    """The "correct" column, recomputed: gradient, Hessian entry, eigenpair, softmax."""
    loss = lecture_loss()
    w1, w2 = loss.params
    gradient = [-2 * w2 * (1 - w1 * w2), -2 * w1 * (1 - w1 * w2)]
    if not all(same_expr(a, b) for a, b in zip(loss.gradient, gradient)):
        raise DerivationError("errata: the gradient of (1 - w1*w2)**2 is not as the table says")
    if not same_expr(loss.hessian[0, 0], 2 * w2 ** 2):
        raise DerivationError("errata: d2L/dw1^2 is not 2*w2**2")
    hessian = loss.hessian.xreplace({w1: 0, w2: 0})
    if hessian * sp.Matrix([1, 1]) != -2 * sp.Matrix([1, 1]):
        raise DerivationError("errata: (1, 1) is not an eigenvector of -2 at the origin")
    ys = sp.symbols("y1:4", real=True)
    right = [sp.exp(y) / sum(sp.exp(z) for z in ys) for y in ys]
    if sp.simplify(sum(right) - 1) != 0:
        raise DerivationError("errata: softmax outputs do not sum to one")


def _eigen_systems(hessian: sp.Matrix) -> list[tuple[sp.Expr, sp.Matrix, sp.Matrix]]:
    """For each eigenvalue: H - lambda I and a basis vector of its null space, checked."""
    out = []
    for value in sorted(hessian.eigenvals(), key=lambda v: float(v)):
        shifted = hessian - value * sp.eye(hessian.rows)
        basis = shifted.nullspace()
        if len(basis) != 1:
            raise DerivationError(f"(H - lambda I)v = 0 at lambda = {value}: expected one vector")
        vector = basis[0] / basis[0][next(i for i, e in enumerate(basis[0]) if e != 0)]
        if shifted * vector != sp.zeros(hessian.rows, 1):
            raise DerivationError(f"(H - lambda I)v is not zero at lambda = {value}")
        out.append((value, shifted, vector))
    return out


# -- pieces ----------------------------------------------------------------------------------
def _section(title: str) -> str:
    return "\\section{" + title + "}\n"


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], spec: str) -> str:
    head = " & ".join("\\textbf{" + c + "}" for c in columns) + " \\\\\n\\midrule\n"
    body = "".join(" & ".join(row) + " \\\\\n" for row in rows)
    return ("\\begin{center}\\small\n\\begin{tabularx}{\\linewidth}{" + spec + "}\n\\toprule\n"
            + head + body + "\\bottomrule\n\\end{tabularx}\n\\end{center}\n")


def _derivation_body(section: Section, language: str) -> str:
    """A section of a checked derivation, one heading level down (subsections).

    Every formula in it went through the safe printer (``to_tex`` checks each one).
    """
    return "\n".join(lay_out(Derivation((), (section,), language),
                             latex_layout(unicode=language != "en", level=1, fit=True)))


def _figure(figures: Mapping[str, Any] | None, name: str, caption: str,
            width: str = "0.8") -> str:
    if not figures or name not in figures:
        return ""
    path = Path(figures[name]).name
    return ("\\begin{figure}[htbp]\n\\centering\n\\includegraphics[width=" + width
            + "\\linewidth]{"
            + path + "}\n\\caption{" + caption + "}\n\\end{figure}\n")


def _rule(name: str, language: str) -> str:
    try:
        tex = lecture_rule_tex(name)
    except ValueError as error:
        raise DerivationError(str(error)) from None
    return ("\\paragraph{" + RULE_NAMES[language][name] + "}\n\\[\n" + check_tex(tex)
            + "\n\\]\n")


def _measured(table: Any, say: Mapping[str, Any]) -> str:
    if table is None:
        return ""
    items = []
    for regime in table.regimes():
        where = say["s3_serial"] if regime.regime == "serial" else say["s3_parallel"]
        items.append(f"\\item {where}: $B = {regime.small}$: {regime.small_epoch * 1e3:.3g} ms, "
                     f"$B = {regime.large}$: {regime.large_epoch * 1e3:.3g} ms "
                     f"({say['s3_ratio']} {regime.ratio:.2g})")
    return (say["s3_measured"].format(n=table.n_samples) + "\n\\begin{itemize}\n"
            + "\n".join(items) + "\n\\end{itemize}\n")


# -- the document ----------------------------------------------------------------------------
def handout_latex(language: str = "en", figures: Mapping[str, Any] | None = None,
                  batch_table: Any = None) -> str:
    """The handout as a LaTeX document (pdflatex for ``"en"``, XeLaTeX for ``"zh"``).

    Parameters
    ----------
    language : {"en", "zh"}
    figures : mapping of str to path, optional
        Figures by name (see :data:`HANDOUT_FIGURES`); each is included with its caption.
    batch_table : BatchSizeTable, optional
        Measured batch-size timings (:func:`symopt.ml.batch_size_table`) to print beside the
        two regimes.

    Examples
    --------
    >>> tex = handout_latex("en")
    >>> all(f"\\\\section{{{t}}}" in tex for t in ("Batch size and momentum", "Classification"))
    True
    """
    if language not in TEXT:
        raise ValueError(f"language={language!r} is not known; use 'en' or 'zh'")
    say = TEXT[language]
    # stage 1: the checks behind the errata table and the worked eigenvector step
    _check_errata()
    lecture = lecture_week2(language)
    by_key = {step.key: section for section in lecture.sections for step in section.steps}
    # the handout's own section headings replace the derivation's first and last titles
    theory, example = replace(by_key["taylor"], title=()), by_key["point1.hessian"]
    softmax = replace(by_key["softmax"], title=())
    hessian = lecture.step("point1.hessian").values["hessian"]
    # stage 2: the sections
    parts = ["\\begin{document}\n\\title{" + say["title"] + "}\n\\date{}\n\\maketitle\n",
             "\\noindent " + say["subtitle"] + "\n\n\\paragraph{" + say["notation_h"] + "}\n"
             + say["notation"] + "\n"]
    parts += [_section(say["s1"]), say["s1_intro"] + "\n",
              _table(say["s1_cols"], say["s1_table"], "lYY"), say["s1_deeper"] + "\n"]
    parts += [_section(say["s2"]), _derivation_body(theory, language),
              _derivation_body(example, language)]
    systems = []
    for value, shifted, vector in _eigen_systems(hessian):
        systems.append("\\lambda = " + sp.latex(value) + ":\\quad " + sp.latex(shifted)
                       + " v = 0 \\;\\Rightarrow\\; v = " + sp.latex(vector.T) + "^T")
    parts += ["\\subsection*{" + say["s2_eigen_h"] + "}\n", say["s2_eigen"] + "\n",
              "\\begin{gather*}\n" + check_tex(" \\\\\n".join(systems)) + "\n\\end{gather*}\n",
              say["s2_eigen_after"] + "\n",
              _figure(figures, "landscape", say["fig_landscape"])]
    parts += [_section(say["s3"]), say["s3_intro"] + "\n",
              _table(say["s3_cols"], say["s3_table"], "lYY"), say["s3_regimes"] + "\n\n",
              _measured(batch_table, say), say["s3_momentum"] + "\n", _rule("momentum", language),
              _figure(figures, "paths", say["fig_paths"], width="")]
    parts += [_section(say["s4"]), say["s4_intro"] + "\n"]
    parts += [_rule(name, language) for name in ("adagrad_lecture", "rmsprop_lecture", "adam",
                                                 "exponential", "linear_warmup", "warmup_cosine",
                                                 "transformer")]
    parts += [say["s4_summary"] + "\n", _figure(figures, "schedules", say["fig_schedules"])]
    parts += [_section(say["s5"]), say["s5_intro"] + "\n", _derivation_body(softmax, language)]
    parts += [_section(say["s6"]), say["s6_intro"] + "\n\\[\n" + say["s6_scaling"] + "\n\\]\n",
              say["s6_bn"] + "\n\\[\n" + say["s6_bn_formula"] + "\n\\]\n",
              say["s6_test"] + "\n\\[\n" + say["s6_moving"] + "\n\\]\n"]
    parts += [_section(say["s7"]),
              _table(say["errata_cols"], ERRATA[language],
                     ">{\\raggedright\\arraybackslash}p{0.12\\linewidth}YYY")]
    if figures is None:
        parts.append("\n" + say["missing_figures"] + "\n")
    parts.append("\\end{document}\n")
    # stage 3: one document
    preamble = (_PREAMBLE + (CJK_PREAMBLE if language != "en" else "")
                + "\\captionsetup[figure]{name=" + say["figure_name"] + "}\n")
    return preamble + "\n".join(p for p in parts if p)


def compile_latex(tex_path: str | Path, engine: str = "pdflatex",
                  timeout: float = 120.0) -> HandoutFiles:
    """Compile ``tex_path`` in its folder (no shell escape); the PDF, the log, overfull lines.

    Raises RuntimeError with the log's first error when the engine fails, and FileNotFoundError
    naming the Debian packages when the engine is missing.
    """
    tex_path = Path(tex_path)
    found = shutil.which(engine)
    if found is None:
        packages = ("texlive-xetex texlive-lang-chinese fonts-noto-cjk" if engine == "xelatex"
                    else "texlive-latex-base texlive-latex-recommended")
        raise FileNotFoundError(f"{engine} is not installed; install it (Debian: {packages}) "
                                "or write the LaTeX only (pdf=False)")
    command = [found, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
               tex_path.name]
    for _ in range(2):  # twice, so the figure numbers are settled
        run = subprocess.run(command, cwd=tex_path.parent, capture_output=True, timeout=timeout,
                             stdin=subprocess.DEVNULL, check=False)
        if run.returncode != 0:
            break
    log = tex_path.with_suffix(".log")
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if run.returncode != 0:
        first = next((line for line in text.splitlines() if line.startswith("!")), "no log")
        raise RuntimeError(f"{engine} failed on {tex_path.name}: {first}")
    overfull = tuple(line for line in text.splitlines() if line.startswith("Overfull \\hbox"))
    return HandoutFiles(tex_path, tex_path.with_suffix(".pdf"), log, overfull)


def write_handout(out_dir: str | Path = "out", language: str = "en", pdf: bool = True, *,
                  figures: Mapping[str, Any] | None = None,
                  batch_table: Any = None) -> HandoutFiles:
    """Write ``handout_week2[.zh].tex`` into ``out_dir`` and, with ``pdf=True``, compile it.

    Parameters
    ----------
    out_dir : path
    language : {"en", "zh"}
        English compiles with pdflatex; Chinese with XeLaTeX (Debian: texlive-xetex,
        texlive-lang-chinese, fonts-noto-cjk).
    pdf : bool
    figures : mapping of str to path, optional
        From :func:`symopt.plot.handout_figures` (copied next to the source when elsewhere).
    batch_table : BatchSizeTable, optional
        Measured timings to print in the batch-size section.

    Returns
    -------
    HandoutFiles
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    placed = {}
    for name, path in (figures or {}).items():
        path = Path(path)
        target = folder / path.name
        if path.resolve() != target.resolve():
            shutil.copyfile(path, target)
        placed[name] = target
    source = handout_latex(language, placed if figures is not None else None, batch_table)
    tex = folder / ("handout_week2" + ("" if language == "en" else f".{language}") + ".tex")
    tex.write_text(source, encoding="utf-8")
    if not pdf:
        return HandoutFiles(tex, None, None, ())
    return compile_latex(tex, _ENGINES[language])
