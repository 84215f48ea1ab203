"""Safe LaTeX: symbol names that cannot inject TeX, and documents that compile with pdflatex.

Every SymPy object goes through :class:`SafeLatexPrinter`, a SymPy ``LatexPrinter`` whose every
name (symbols, matrix symbols, undefined functions, class names) is rendered by
:func:`symbol_latex`: ordinary names (``w1``, ``x_2``, ``alpha``, ``theta'``) print as SymPy
prints them; any other name is spelled out character by character with fixed, harmless macros,
so a name such as ``\\input{x}`` or ``^^5c`` can never reach TeX as a command.
:func:`check_tex` then refuses any output that still holds a command able to read or write files,
define macros or change category codes.

Documents use only the ``article`` class and the ``amsmath`` and ``amssymb`` packages.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter, accepted_latex_functions

from ..errors import SymoptError
from ..parse.display import Written
from .layout import Layout, lay_out, segments_text
from .notation import LectureOrder, LectureSoftmax

if TYPE_CHECKING:  # pragma: no cover
    from ..critical import CriticalSet
    from ..loss import Loss
    from .records import Derivation

__all__ = ["UnsafeTeXError", "symbol_latex", "safe_symbol_names", "SafeLatexPrinter", "to_tex",
           "check_tex", "escape_text", "render_latex", "loss_latex", "critical_set_latex",
           "PREAMBLE", "CJK_PREAMBLE", "FIT_MACROS", "latex_layout"]

#: The whole preamble of a standalone document: texlive-latex-base has all of it.
#: Formulas wider than the line are scaled down to its width (never run into the margin):
#: ``\symoptdisplay`` for display lines, ``\symoptinline`` for math inside text.
FIT_MACROS = (
    "\\usepackage{graphicx}\n\\newsavebox{\\symoptbox}\n"
    "\\newcommand{\\symoptfit}[1]{\\sbox{\\symoptbox}{#1}\\ifdim\\wd\\symoptbox>\\linewidth"
    "\\ifhmode\\unskip\\hfil\\break\\fi\\resizebox{0.97\\linewidth}{!}{\\usebox{\\symoptbox}}"
    "\\else\\usebox{\\symoptbox}\\fi}\n"
    "\\newcommand{\\symoptdisplay}[1]{\\symoptfit{$\\displaystyle #1$}}\n"
    "\\newcommand{\\symoptinline}[1]{\\symoptfit{$#1$}}\n"
    "\\setlength{\\emergencystretch}{3em}\n")

PREAMBLE = ("\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
            + FIT_MACROS)

#: Added for XeLaTeX: Chinese text with Debian's Noto CJK fonts (fonts-noto-cjk).
CJK_PREAMBLE = ("\\usepackage{xeCJK}\n\\setCJKmainfont{Noto Serif CJK SC}\n"
                "\\setCJKsansfont{Noto Sans CJK SC}\n")

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta "
    "Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
_GREEK_ALIASES = {"lamda": "lambda", "Lamda": "Lambda"}

_ORDINARY = re.compile(r"([A-Za-z]+)(?:_?([0-9]+)|_([A-Za-z][A-Za-z0-9]*))?('*)")

# ASCII punctuation in a name, rendered in math mode with fixed macros (no catcode tricks survive)
_PUNCTUATION = {
    "\\": r"\backslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "#": r"\#",
    "&": r"\&{}", "_": r"\_", "^": r"\hat{\ }", "~": r"\sim{}", "|": r"\vert{}", '"': "{''}",
    "'": "{}'", "`": r"\grave{\ }", "*": r"\ast{}", ":": "{:}", ";": "{;}", "!": "{!}",
    "?": "{?}", "(": "(", ")": ")", "[": "[", "]": "]", "+": "+", "-": "-", "=": "=", ",": "{,}",
    ".": ".", "/": "/", "@": "{@}",
}
_ANGLE = {"latex": {"<": "<", ">": ">"}, "markdown": {"<": r"\lt{}", ">": r"\gt{}"}}

# Commands that read or write files, run programs, define macros or change how TeX reads input.
_FORBIDDEN = frozenset(
    "input include includeonly InputIfFileExists endinput write immediate openout openin "
    "closeout closein read readline newwrite newread def edef gdef xdef let futurelet global "
    "long outer catcode uccode lccode mathcode delcode sfcode csname endcsname expandafter "
    "noexpand newcommand renewcommand providecommand DeclareRobustCommand usepackage "
    "RequirePackage documentclass special shipout output everypar everymath everydisplay "
    "everyhbox everyvbox everyjob everycr afterassignment aftergroup makeatletter makeatother "
    "scantokens detokenize jobname directlua pdfprimitive pdfshellescape ShellEscape "
    "verbatiminput verb url href openany tracingonline batchmode nonstopmode scrollmode "
    "errorstopmode".split())
_CONTROL_SEQUENCE = re.compile(r"\\([A-Za-z@]+|.)", re.DOTALL)


class UnsafeTeXError(SymoptError):
    """Rendered LaTeX holds something that could act on TeX itself (a symopt bug, never input)."""


# -- names ---------------------------------------------------------------------------------
def _letters(word: str) -> str:
    word = _GREEK_ALIASES.get(word, word)
    if word in GREEK:
        return "\\" + word
    if len(word) == 1:
        return word
    return "\\mathrm{" + word + "}"


def _unicode_greek(char: str) -> str | None:
    name = unicodedata.name(char, "")
    match = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z]+)", name)
    if not match:
        return None
    word = match.group(2).lower()
    word = {"lamda": "lambda", "final": "varsigma"}.get(word, word)
    if match.group(1) == "CAPITAL":
        word = word.capitalize()
    return "\\" + word if word in GREEK else None


def symbol_latex(name: str, target: str = "latex") -> str:
    r"""The LaTeX of a symbol name, safe whatever the name holds.

    Ordinary names keep SymPy's rendering: letters with a subscript from trailing digits or
    from ``_sub``, Greek names as Greek letters, trailing primes, a ``hat`` or ``bar`` suffix
    as an accent (``yhat``).  Other multi-letter names print upright.  Any other name is
    spelled out: runs of letters and digits in ``\text{}``, each other character as a fixed
    symbol (``\backslash``, ``\{``, ``\$``, ...), so nothing in the name can be read by TeX as
    a command, a group, a comment or a ``^^`` escape.

    Parameters
    ----------
    name : str
        The symbol's name.
    target : {"latex", "markdown"}
        ``"markdown"`` writes ``<`` and ``>`` as ``\lt``/``\gt`` (so no HTML tag can form) and
        keeps printable non-ASCII letters (pdflatex cannot typeset them without extra packages,
        so ``"latex"`` writes their code point).

    Examples
    --------
    >>> symbol_latex("w1"), symbol_latex("alpha"), symbol_latex("x_2"), symbol_latex("theta'")
    ('w_{1}', '\\alpha', 'x_{2}', "\\theta'")
    >>> symbol_latex("lr"), symbol_latex("yhat2")
    ('\\mathrm{lr}', '\\hat{y}_{2}')
    >>> print(symbol_latex("\\input{x}"))
    {\backslash{}\text{input}\{\text{x}\}}
    """
    if target not in _ANGLE:
        raise ValueError(f"target={target!r} is not known; use 'latex' or 'markdown'")
    accent = re.fullmatch(r"([A-Za-z]+[0-9]*)(hat|bar)", name)
    if accent and _ORDINARY.fullmatch(accent.group(1)):
        return "\\" + accent.group(2) + "{" + symbol_latex(accent.group(1), target) + "}"
    accent = re.fullmatch(r"([A-Za-z])(hat|bar)_?([0-9]+)", name)   # yhat2: the hat on y, then _2
    if accent:
        return "\\" + accent.group(2) + "{" + accent.group(1) + "}_{" + accent.group(3) + "}"
    match = _ORDINARY.fullmatch(name)
    if match:
        base, digits, word, primes = match.groups()
        out = _letters(base)
        if digits:
            out += "_{" + digits + "}"
        elif word:
            out += "_{" + (("\\" + word) if word in GREEK else word) + "}"
        return out + primes
    if len(name) == 1 and _unicode_greek(name):
        return _unicode_greek(name)  # type: ignore[return-value]
    return "{" + _spell(name, target) + "}"


def _spell(name: str, target: str) -> str:
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            parts.append("\\text{" + "".join(run) + "}")
            run.clear()

    for char in name:
        if char.isascii() and char.isalnum():
            run.append(char)
        elif char == " ":
            run.append(" ")
        elif char in _ANGLE[target]:
            flush()
            parts.append(_ANGLE[target][char])
        elif char in _PUNCTUATION:
            flush()
            parts.append(_PUNCTUATION[char])
        elif (target == "markdown" and char.isprintable() and not char.isascii()
              and unicodedata.category(char)[0] in "LNS"):
            run.append(char)
        elif _unicode_greek(char):
            flush()
            parts.append(_unicode_greek(char))  # type: ignore[arg-type]
        else:
            flush()
            parts.append("\\langle\\text{U+%04X}\\rangle" % ord(char))
    flush()
    return "".join(parts) or "\\text{?}"


def safe_symbol_names(obj: Any, target: str = "latex",
                      hatted: Iterable[sp.Symbol] = ()) -> dict[sp.Basic, str]:
    """The ``symbol_names`` mapping for ``sympy.latex``: every symbol of ``obj``, rendered safely.

    Symbols in ``hatted`` print with a hat (the lecture writes the target as y-hat).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> sp.latex(x**2, symbol_names=safe_symbol_names(x**2, hatted=[x]))
    '\\\\hat{x}^{2}'
    """
    hats = set(hatted)
    symbols = obj.atoms(sp.Symbol) if isinstance(obj, sp.Basic) else set()
    if isinstance(obj, sp.MatrixBase):
        for entry in obj:
            symbols |= sp.sympify(entry).atoms(sp.Symbol)
    names: dict[sp.Basic, str] = {}
    for s in symbols | hats:
        rendered = symbol_latex(s.name, target)
        names[s] = "\\hat{" + rendered + "}" if s in hats else rendered
    return names


class SafeLatexPrinter(LectureSoftmax, LectureOrder, LatexPrinter):
    """SymPy's LaTeX printer with every name rendered by :func:`symbol_latex`.

    Settings are those of ``sympy.latex`` plus ``target`` ("latex" or "markdown").
    """

    def __init__(self, settings: Mapping[str, Any] | None = None):
        settings = dict(settings or {})
        self._target = settings.pop("target", "latex")
        super().__init__(settings)

    def _deal_with_super_sub(self, string: str, style: str = "plain") -> str:  # every name
        rendered = symbol_latex(str(string), self._target)
        return "\\mathbf{" + rendered + "}" if style == "bold" else rendered

    def _hprint_Function(self, func: str) -> str:  # names of functions SymPy knows
        if func in accepted_latex_functions:
            return "\\" + func
        rendered = symbol_latex(func, self._target)
        if rendered.startswith("\\mathrm{"):
            return "\\operatorname{" + rendered[len("\\mathrm{"):]
        return rendered

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        name = self._settings["symbol_names"].get(expr)
        if name is not None:
            return name
        return self._deal_with_super_sub(expr.name, style=style)

    def _print_Str(self, s: Any) -> str:
        return self._deal_with_super_sub(str(s.name))

    def _print_UndefinedFunction(self, expr: Any) -> str:
        return self._hprint_Function(expr.__name__)

    def _print_FunctionClass(self, expr: Any) -> str:
        if issubclass(expr, AppliedUndef):
            return self._hprint_Function(expr.__name__)
        return super()._print_FunctionClass(expr)

    def _print_Mul(self, expr: Any, *args: Any, **kwargs: Any) -> str:
        if self._settings.get("order") == "none":  # as written: see _written_product
            return self._written_product(expr)
        return super()._print_Mul(expr, *args, **kwargs)

    def _print_Add(self, expr: Any, order: Any = None) -> str:
        if self._settings.get("order") != "none":
            return super()._print_Add(expr, order=order)
        out = ""
        for i, term in enumerate(expr.args):  # as written: each term carries its own sign
            tex = self._print(term)
            if self._needs_add_brackets(term):
                tex = "\\left(" + tex + "\\right)"
            if i == 0:
                out = tex
            elif tex.startswith("-"):
                out += " - " + tex[1:].lstrip()
            else:
                out += " + " + tex
        return out

    def _written_product(self, expr: Any, after_minus: bool = False) -> str:
        """A product in the order its factors were written.

        A leading ``-1`` (or negative number) is the product's sign; after another minus sign
        (``x - (-3)*y``) a negative number keeps its brackets, so the text's two signs stay.
        Factors with a negative power form the denominator of one fraction.  Where a number
        would follow another factor (``2**x*3``, ``x*2``) a ``\\cdot`` keeps them apart.
        """
        factors = list(expr.args)
        sign = ""
        first = factors[0]
        if first.is_Number and first.is_negative and len(factors) > 1 and not after_minus:
            sign = "- "
            factors = factors[1:] if first == -1 else [-first] + factors[1:]
        top = [f for f in factors if not _negative_power(f)]
        bottom = [f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False)
                  for f in factors if _negative_power(f)]
        if not bottom:
            return sign + self._written_factors(top, alone=not sign and len(top) == 1)
        numerator = self._written_factors(top, alone=len(top) == 1) if top else "1"
        return sign + "\\frac{" + numerator + "}{" + self._written_factors(
            bottom, alone=len(bottom) == 1) + "}"

    def _written_factors(self, factors: list[Any], alone: bool) -> str:
        out = ""
        for i, factor in enumerate(factors):
            if isinstance(factor, sp.Mul):
                tex = self._written_product(factor, after_minus=i == 0 and not alone)
            else:
                tex = self._print(factor)
            if i == 0 and factor.is_Number and factor.is_negative and len(factors) > 1:
                tex = "\\left(" + tex + "\\right)"
            elif (factor.is_Add and not alone) or (i > 0 and tex.startswith("-")):
                tex = "\\left(" + tex + "\\right)"
            if i > 0:
                out += " \\cdot " if tex[:1].isdigit() else " "
            out += tex
        return out

    def _print_Function(self, expr: Any, exp: str | None = None) -> str:
        if not isinstance(expr, AppliedUndef):
            return super()._print_Function(expr, exp)
        lecture = _LECTURE_FUNCTIONS.get(expr.func.__name__)
        if lecture is not None and len(expr.args) == lecture[0]:
            tex = lecture[1].format(*(self._print(a) for a in expr.args))
            return tex if exp is None else "\\left(" + tex + "\\right)^{" + exp + "}"
        name = self._hprint_Function(expr.func.__name__)
        if exp is not None:
            name = "{" + name + "}^{" + exp + "}"
        args = ", ".join(self._print(a) for a in expr.args)
        return name + "{\\left(" + args + " \\right)}"

    def _print_Derivative(self, expr: Any) -> str:
        if not isinstance(expr.expr, sp.Symbol):
            return super()._print_Derivative(expr)
        order = sum(int(n) for _, n in expr.variable_count)
        top = "\\partial" if order == 1 else "\\partial^{%d}" % order
        bottom = " ".join("\\partial " + self._print(v) + ("" if n == 1 else "^{%d}" % n)
                          for v, n in expr.variable_count)
        return "\\frac{%s %s}{%s}" % (top, self._print(expr.expr), bottom)


def _negative_power(factor: Any) -> bool:
    return (isinstance(factor, sp.Pow) and factor.exp.is_Number and factor.exp.is_negative)


#: The functions a loss may call that SymPy has no notation for, as the lecture writes them
#: (number of arguments, LaTeX): sigma for the sigmoid, the log of 1 + e^x for softplus, the
#: larger of 0 and x for ReLU, and a base-b logarithm with its base as a subscript.
_LECTURE_FUNCTIONS: dict[str, tuple[int, str]] = {
    "sigmoid": (1, "\\sigma\\left({0}\\right)"),
    "softplus": (1, "\\ln\\left(1 + e^{{{0}}}\\right)"),
    "relu": (1, "\\max\\left(0, {0}\\right)"),
    "log_base": (2, "\\log_{{{1}}}\\left({0}\\right)"),
}


def to_tex(obj: Any, target: str = "latex", hatted: Iterable[sp.Symbol] = ()) -> str:
    r"""Safe LaTeX of a SymPy object (or of symopt's own fixed notation, a ``Tex``).

    Examples
    --------
    >>> w1, w2 = sp.symbols("w1 w2")
    >>> to_tex(sp.Matrix([[0, -2], [-2, 0]]))
    '\\left[\\begin{matrix}0 & -2\\\\-2 & 0\\end{matrix}\\right]'
    >>> to_tex(sp.Symbol("$x%"))
    '{\\$\\text{x}\\%}'
    """
    source = getattr(obj, "tex_source", None)
    if source is not None:
        text = source
    elif isinstance(obj, Written):  # the writer's own form and order
        names = safe_symbol_names(obj.expr, target, hatted)
        text = SafeLatexPrinter({"symbol_names": names, "target": target, "ln_notation": True,
                                 "order": "none"}).doprint(obj.expr)
    else:
        names = safe_symbol_names(obj, target, hatted)
        text = SafeLatexPrinter({"symbol_names": names, "target": target,
                                 "ln_notation": True}).doprint(obj)
    check_tex(text)
    return text


def check_tex(text: str) -> str:
    """Refuse LaTeX that could act on TeX itself; return it unchanged when it is safe.

    Refused: commands that read or write files, define macros or change category codes,
    ``^^`` escapes, unescaped ``$``, ``%`` or ``#``, and unbalanced braces.

    Examples
    --------
    >>> check_tex("x^{2}")
    'x^{2}'
    >>> check_tex("\\\\input{secret}")
    Traceback (most recent call last):
    ...
    symopt.report.latex.UnsafeTeXError: refusing to write LaTeX containing \\input
    """
    for word in _CONTROL_SEQUENCE.findall(text):
        if word in _FORBIDDEN or word.startswith("write"):
            raise UnsafeTeXError(f"refusing to write LaTeX containing \\{word}")
    if "^^" in text:
        raise UnsafeTeXError("refusing to write LaTeX containing a ^^ escape")
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char in "$%#":
            raise UnsafeTeXError(f"refusing to write LaTeX containing an unescaped {char!r}")
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise UnsafeTeXError("refusing to write LaTeX with unbalanced braces")
        i += 1
    if depth:
        raise UnsafeTeXError("refusing to write LaTeX with unbalanced braces")
    return text


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "#": r"\#",
    "&": r"\&", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "\n": " ", "\r": " ",
    "\t": " ",
}


def escape_text(text: str, unicode: bool = False) -> str:
    r"""Plain text for a LaTeX paragraph: special characters escaped, non-ASCII spelled out.

    With ``unicode=True`` (XeLaTeX documents) printable letters, digits and punctuation of
    any script are kept as they are; other non-ASCII characters are still spelled out.

    Examples
    --------
    >>> escape_text("50% of $x_1 & {y}")
    '50\\% of \\$x\\_1 \\& \\{y\\}'
    >>> escape_text("梯度: 50%", unicode=True)
    '梯度: 50\\%'
    """
    out = []
    for char in text:
        if char in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[char])
        elif char.isascii() and char.isprintable():
            out.append(char)
        elif unicode and char.isprintable() and unicodedata.category(char)[0] in "LNPZ":
            out.append(char)
        else:
            out.append("[U+%04X]" % ord(char))
    return "".join(out)


_PLAIN = frozenset(" .,;:!?()'-/+=[]*@\"")


def display_text(text: str, bold: bool = False, target: str = "latex") -> str:
    r"""Plain text inside math, for MathJax as well as TeX: ``\text{}`` runs and fixed symbols.

    MathJax prints ``\text{...}`` literally, so special characters cannot be escaped inside
    it; they are written as math symbols between the runs instead.

    Examples
    --------
    >>> print(display_text("cost: 50% & up"))
    \text{cost: 50}\%\text{ }\&{}\text{ up}
    """
    command = "\\textbf{" if bold else "\\text{"
    parts: list[str] = []
    run: list[str] = []
    for char in text:
        if (char.isascii() and char.isalnum()) or char in _PLAIN:
            run.append(char)
            continue
        if run:
            parts.append(command + "".join(run) + "}")
            run.clear()
        parts.append(_spell(char, target))
    if run:
        parts.append(command + "".join(run) + "}")
    return "".join(parts)


# -- derivation to LaTeX ---------------------------------------------------------------------
def _segments(segments: Iterable[Any], hatted: Iterable[sp.Symbol] = (),
              unicode: bool = False, fit: bool = False) -> str:
    if fit:
        return segments_text(segments, lambda text: escape_text(text, unicode),
                             lambda seg: "\\symoptinline{" + to_tex(seg, "latex", hatted) + "}")
    return segments_text(segments, lambda text: escape_text(text, unicode),
                         lambda seg: "$" + to_tex(seg, "latex", hatted) + "$")


def line_tex(line: Any, target: str = "latex", hatted: Iterable[sp.Symbol] = ()) -> str:
    """One display line: its parts rendered safely and joined by spaces."""
    return " ".join(to_tex(part, target, hatted) for part in line.parts)


def latex_layout(unicode: bool = False, level: int = 0, fit: bool = False) -> Layout:
    """The LaTeX layout: titles as sections (``level=1``: one level deeper), steps below them.

    ``unicode=True`` keeps non-ASCII text (for XeLaTeX documents such as the Chinese handout).
    ``fit=True`` wraps formulas in the macros of :data:`FIT_MACROS` (scaled to the line when
    wider), for documents whose preamble defines them.
    """
    heads = ("section", "subsection", "subsubsection", "paragraph")

    def head(depth: int, body: str) -> str:
        return "\\" + heads[min(depth + level, 3)] + "*{" + body + "}\n"

    def line(line: Any, hatted: Any) -> str:
        tex = line_tex(line, "latex", hatted)
        return "\\[\n" + ("\\symoptdisplay{" + tex + "}" if fit else tex) + "\n\\]\n"

    return Layout(
        title=lambda title: head(0, _segments(title, (), unicode, fit)),
        section=lambda title: head(0, _segments(title, (), unicode, fit)),
        text=lambda text, hatted: _segments(text, hatted, unicode, fit) + "\n",
        step=lambda number, heading, hatted: head(
            1, "%d. %s" % (number, _segments(heading, hatted, unicode, fit))),
        line=line,
    )


_LATEX = latex_layout()
_LATEX_FIT = latex_layout(fit=True)


def render_latex(derivation: "Derivation", standalone: bool = True,
                 engine: str = "pdflatex") -> str:
    """The LaTeX of a derivation: a whole document, or the body to paste into one.

    ``engine="xelatex"`` allows Chinese (``language="zh"``): the text keeps its characters
    and the standalone preamble loads xeCJK with the Noto CJK fonts.
    """
    if engine not in ("pdflatex", "xelatex"):
        raise ValueError(f"engine={engine!r} is not known; use 'pdflatex' or 'xelatex'")
    if derivation.language != "en" and engine != "xelatex":
        raise ValueError(
            f"pdflatex output is English only: it cannot typeset {derivation.language!r} "
            "text; use engine='xelatex' (Debian: texlive-xetex, texlive-lang-chinese, "
            "fonts-noto-cjk), or to_markdown()")
    unicode = engine == "xelatex"
    # a standalone document defines the macros that keep wide formulas inside the margins;
    # a body to paste elsewhere uses plain $...$ and \[...\]
    layout = (latex_layout(unicode, fit=standalone) if unicode
              else _LATEX_FIT if standalone else _LATEX)
    text = "\n".join(lay_out(derivation, layout))
    if standalone:
        preamble = PREAMBLE + (CJK_PREAMBLE if unicode else "")
        text = preamble + "\\begin{document}\n\n" + text + "\n\\end{document}\n"
    return text


def _display_block(segments: Iterable[Any], hatted: Iterable[sp.Symbol] = (),
                   bold: bool = False) -> str:
    return "$$" + segments_text(segments, lambda seg: display_text(seg, bold, "markdown"),
                                lambda seg: to_tex(seg, "markdown", hatted)) + "$$"


# Text becomes \text{} runs inside $$ blocks; MathJax typesets math, not sections.
_DISPLAY = Layout(
    title=lambda title: _display_block(title, bold=True),
    section=lambda title: _display_block(title, bold=True),
    text=lambda text, hatted: _display_block(text, hatted),
    step=lambda number, heading, hatted: _display_block((f"{number}. ", *heading), hatted,
                                                        bold=True),
    line=lambda line, hatted: "$$" + _mathjax(line_tex(line, "markdown", hatted)) + "$$",
)


def render_latex_display(derivation: "Derivation") -> str:
    """The derivation as ``$$`` blocks only, for notebooks (MathJax typesets math, not sections).

    Text becomes ``\\text{}`` runs inside the blocks; ``<`` and ``>`` are written ``\\lt``
    and ``\\gt`` as MathJax expects.
    """
    return "\n".join(lay_out(derivation, _DISPLAY))


def _mathjax(tex: str) -> str:
    return tex.replace("<", "\\lt ").replace(">", "\\gt ")


# -- reprs of Loss and CriticalSet ------------------------------------------------------------
def loss_latex(loss: "Loss") -> str:
    r"""``L(params) = expression`` as display math, for ``Loss._repr_latex_`` (notebooks).

    Written for MathJax, which typesets notebook LaTeX: ``<`` and ``>`` in names become
    ``\lt``/``\gt`` and printable non-ASCII letters stay as they are.

    Examples
    --------
    >>> from symopt.loss import Loss
    >>> print(loss_latex(Loss.parse("(1 - w1*w2)**2")))
    $\displaystyle L(w_{1}, w_{2}) = \left(1 - w_{1} w_{2}\right)^{2}$
    """
    params = ", ".join(to_tex(p, "markdown") for p in loss.params)
    formula = loss.written or loss.expr
    return "$\\displaystyle L(" + params + ") = " + _mathjax(to_tex(formula, "markdown")) + "$"


def _kind_text(point: Any) -> str:
    return point.kind.value + (" (degenerate)" if point.degenerate else "")


def _family_kind_text(family: Any) -> str:
    return family.kind.value + (" (global minima)" if family.global_minimum else "")


def _short(value: Any, digits: int = 8) -> Any:
    """Exact numbers stay exact unless they are long; then 8 significant digits."""
    value = sp.sympify(value)
    if value.has(sp.Float) or value.has(sp.CRootOf) or sp.count_ops(value) > 12:
        return sp.N(value, digits)
    return value


def critical_set_latex(cs: "CriticalSet") -> str:
    r"""A table of the critical points and families, for ``CriticalSet._repr_latex_`` (MathJax).

    Examples
    --------
    >>> from symopt.loss import Loss
    >>> from symopt.critical import critical_points
    >>> text = critical_set_latex(critical_points(Loss.parse("x**2 - y**2")))
    >>> "\\text{saddle}" in text
    True
    """
    def tex(obj: Any) -> str:
        return to_tex(obj, "markdown")

    names = tex(sp.Tuple(*cs.loss.params))
    rows = ["\\text{point } " + names + " & L & \\text{eigenvalues} & \\text{kind} & "
            "\\text{escape direction}"]
    for p in cs.points:
        escape = ", ".join(tex(sp.Tuple(*map(_short, d))) for d in p.escape_directions)
        rows.append(" & ".join([
            tex(sp.Tuple(*map(_short, p.coords))), tex(_short(p.value)),
            ", ".join(tex(_short(v)) for v in p.eigenvalues),
            display_text(_kind_text(p)), escape or "-"]))
    # families get a table of their own, whose columns fit them (no eigenvalues or escape
    # direction to show; a dimension instead)
    family_rows = ["\\text{family} & \\text{dimension} & L \\text{ on it} & \\text{kind}"]
    for f in cs.families:
        equations = ", \\ ".join(tex(sp.Eq(e, 0)) for e in f.equations) or "\\text{everywhere}"
        value = tex(_short(f.value)) if f.value is not None else "-"
        family_rows.append(" & ".join([equations, str(int(f.dimension)), value,
                                       display_text(_family_kind_text(f))]))
    verdict = "complete" if cs.complete else f"not proven complete ({cs.status})"
    body = "\\begin{array}{lllll}" + " \\\\ ".join(rows) + "\\end{array}"
    tables = "$$" + _mathjax(check_tex(body)) + "$$\n"
    if cs.families:
        families = "\\begin{array}{llll}" + " \\\\ ".join(family_rows) + "\\end{array}"
        tables += "$$" + _mathjax(check_tex(families)) + "$$\n"
    return (tables + "$$"
            + display_text(verdict, False, "markdown") + "$$")
