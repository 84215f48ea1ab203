"""How a lecturer writes an expression: a sum leads with a positive term, factored where shorter.

SymPy orders the terms of a sum by degree, so ``(1 - w1*w2)**2`` prints as
``(-w1*w2 + 1)**2`` and ``100*(y - x**2)**2`` as ``100*(-x**2 + y)**2``.  A lecturer leads
with a positive term: :class:`LectureOrder` keeps SymPy's order but moves the first positive
term of a sum to the front when the sum would start with a minus sign.  The rule is applied by
every printer of :mod:`symopt.report` (LaTeX, Markdown, plain text), so the handout, the
notebook and the plot titles write the same formula the same way.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from ..parse.display import Written

__all__ = ["LectureOrder", "LectureSoftmax", "lecture_terms", "sign_into_sum", "plain",
           "factored_if_shorter"]


def lecture_terms(terms: list[Any]) -> list[Any]:
    """SymPy's order, except that a sum leads with a positive term when it has one.

    When the first term is negative, the first positive term moves to the front; the others
    keep their order (``-x**2 + y`` becomes ``y - x**2``, ``x**4 - 2*x**2 + 2`` stays).

    Examples
    --------
    >>> w1, w2, x = sp.symbols("w1 w2 x")
    >>> lecture_terms((1 - w1*w2).as_ordered_terms())
    [1, -w1*w2]
    >>> lecture_terms((x**4 - 2*x**2 + 2).as_ordered_terms())
    [x**4, -2*x**2, 2]
    """
    terms = list(terms)
    negative = [sp.sympify(t).could_extract_minus_sign() for t in terms]
    if not terms or not negative[0] or all(negative):
        return terms
    first = negative.index(False)
    return [terms[first]] + terms[:first] + terms[first + 1:]


def sign_into_sum(expr: Any) -> Any:
    """``-c*(a - b)`` as the unevaluated ``c*(b - a)``: a product with a negative coefficient
    and exactly one sum among its factors takes the sign into the sum, unless the sum has a
    constant term (``-2*w2*(1 - w1*w2)`` stays as the chain rule writes it).

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> plain(sign_into_sum(sp.factor(200*y - 200*x**2)))
    '200*(y - x**2)'
    >>> w1, w2 = sp.symbols("w1 w2")
    >>> plain(sign_into_sum(-2*w2*(1 - w1*w2)))
    '-2*w2*(1 - w1*w2)'
    """
    if not isinstance(expr, sp.Mul):
        return expr
    coefficient, rest = expr.as_coeff_Mul()
    if not (coefficient.is_negative and coefficient.is_Number):
        return expr
    factors = sp.Mul.make_args(rest)
    sums = [f for f in factors if f.is_Add]
    if len(sums) != 1 or any(t.is_number for t in sums[0].args):
        return expr
    flipped = [-f if f is sums[0] else f for f in factors]
    positive = [] if coefficient == -1 else [-coefficient]
    return sp.Mul(*positive, *flipped, evaluate=False)


class LectureOrder:
    """A printer mixin: sums lead with a positive term (see :func:`lecture_terms`), and a
    negative coefficient in front of one sum goes into it (see :func:`sign_into_sum`).

    With the setting ``order="none"`` (a formula as its writer wrote it, see
    :class:`~symopt.parse.display.Written`) both rules stand aside: the terms and factors are
    printed in the order they were written."""

    def _as_written(self) -> bool:
        return self._settings.get("order") == "none"  # type: ignore[attr-defined]

    def _as_ordered_terms(self, expr: Any, order: Any = None) -> list[Any]:
        terms = super()._as_ordered_terms(expr, order=order)  # type: ignore[misc]
        if self._as_written() or not getattr(expr, "is_Add", False):
            return terms
        return lecture_terms(list(terms))

    def _print_Mul(self, expr: Any, *args: Any, **kwargs: Any) -> str:
        if self._as_written():
            return super()._print_Mul(expr, *args, **kwargs)  # type: ignore[misc]
        flipped = sign_into_sum(expr)
        if flipped is not expr and len(flipped.args) == 1:
            return self._print(flipped.args[0])  # type: ignore[attr-defined]
        return super()._print_Mul(flipped, *args, **kwargs)  # type: ignore[misc]


def _softmax_parts(expr: Any) -> tuple[Any, Any] | None:
    """``exp(a - LogSumExp(ys))`` as ``(a, LogSumExp(ys))`` (a softmax output), else None."""
    from ..functions import LogSumExp

    if not isinstance(expr, sp.exp):
        return None
    exponent = expr.args[0]
    normalisers = [t for t in sp.Add.make_args(exponent)
                   if isinstance(-t, LogSumExp)]
    if len(normalisers) != 1:
        return None
    normaliser = -normalisers[0]
    return exponent + normaliser, normaliser


class LectureSoftmax:
    """A printer mixin: the lecture's notation for softmax and log-sum-exp.

    ``exp(y1 - LogSumExp(y1, y2))`` prints as ``exp(y1)/(exp(y1) + exp(y2))`` (LaTeX
    :math:`e^{y_1} / (e^{y_1} + e^{y_2})`), and ``LogSumExp(y1, y2)`` as
    ``log(exp(y1) + exp(y2))`` (LaTeX :math:`\\ln(e^{y_1} + e^{y_2})`).
    """

    def _print(self, expr: Any, **kwargs: Any) -> str:
        from ..functions import LogSumExp

        latex = getattr(self, "printmethod", "") == "_latex"
        if isinstance(expr, LogSumExp):
            terms = [self._exp_of(a, latex) for a in expr.args]
            return ("\\ln\\left(" + " + ".join(terms) + "\\right)" if latex
                    else "log(" + " + ".join(terms) + ")")
        if isinstance(expr, sp.Add) and expr.has(LogSumExp):
            text = self._cross_entropy(expr, latex)
            if text is not None:
                return text
        parts = _softmax_parts(expr)
        if parts is not None:
            top, normaliser = parts
            bottom = " + ".join(self._exp_of(a, latex) for a in normaliser.args)
            if latex:
                return "\\frac{" + self._exp_of(top, latex) + "}{" + bottom + "}"
            return self._exp_of(top, latex) + "/(" + bottom + ")"
        return super()._print(expr, **kwargs)  # type: ignore[misc]

    def _cross_entropy(self, expr: Any, latex: bool) -> str | None:
        """``c*LogSumExp(y) - sum_k c_k*y_k`` with ``sum_k c_k = c`` (the cross-entropy of
        logits ``y`` with target weights ``c_k``, one-hot or not) as the lecture writes it,
        ``-sum_k c_k ln y'_k`` with ``y'`` the softmax: :math:`-\\ln(e^{y_k} / \\sum_j e^{y_j})`
        for each ``k``; the sum's other terms come first, unchanged.  None when no log-sum-exp
        pairs up so."""
        from ..functions import LogSumExp

        terms = list(sp.Add.make_args(expr))
        pieces = []
        for term in list(terms):
            weight, lse = term.as_coeff_Mul()
            if not (isinstance(lse, LogSumExp) and weight.is_positive) or term not in terms:
                continue
            found: list[tuple[Any, Any, Any]] = []
            total = sp.S.Zero
            for argument in lse.args:
                for other in terms:
                    if other is term or any(other is f[2] for f in found):
                        continue
                    ratio = sp.cancel(-other / argument)
                    if ratio.is_Number and ratio.is_positive and total + ratio <= weight:
                        found.append((ratio, argument, other))
                        total += ratio
                        break
                if total == weight:
                    break
            if not found or total != weight:
                continue
            terms.remove(term)
            bottom = " + ".join(self._exp_of(a, latex) for a in lse.args)
            for ratio, argument, other in found:
                terms.remove(other)
                top = self._exp_of(argument, latex)
                log = ("\\ln\\frac{" + top + "}{" + bottom + "}" if latex
                       else "log(" + top + "/(" + bottom + "))")
                if ratio != 1:
                    log = self._print(ratio) + (" " if latex else "*") + log
                pieces.append(log)
        if not pieces:
            return None
        text = self._print(sp.Add(*terms)) if terms else ""
        for piece in pieces:
            text = (text + " - " + piece) if text else ("- " if latex else "-") + piece
        return text

    def _exp_of(self, argument: Any, latex: bool) -> str:
        if argument == 0:
            return "1"
        inner = super()._print(argument)  # type: ignore[misc]
        return "e^{" + inner + "}" if latex else "exp(" + inner + ")"


class _PlainPrinter(LectureSoftmax, LectureOrder, StrPrinter):
    """SymPy's str printer in lecture order, softmax in the lecture's notation."""

def plain(expr: Any) -> str:
    """Python-style text of ``expr`` in lecture order; a :class:`~symopt.parse.display.Written`
    formula in its writer's order.

    Examples
    --------
    >>> x, y, w1, w2 = sp.symbols("x y w1 w2")
    >>> plain((1 - w1*w2)**2), plain(100*(y - x**2)**2)
    ('(1 - w1*w2)**2', '100*(y - x**2)**2')
    >>> from symopt.functions import LogSumExp
    >>> plain(sp.exp(x - LogSumExp(x, y)))
    'exp(x)/(exp(x) + exp(y))'
    >>> from symopt.parse.display import as_written
    >>> plain(as_written("-x + 2*y")), plain(sp.sympify("-x + 2*y"))
    ('-x + 2*y', '2*y - x')
    """
    if isinstance(expr, Written):
        return str(expr)
    return _PlainPrinter().doprint(sp.sympify(expr))


def factored_if_shorter(expr: Any) -> Any:
    """``sympy.factor(expr)`` when it has fewer operations than ``expr``, else ``expr``.

    Examples
    --------
    >>> w1, w2 = sp.symbols("w1 w2")
    >>> factored_if_shorter(sp.expand(-2*w2*(1 - w1*w2)))
    2*w2*(w1*w2 - 1)
    >>> factored_if_shorter(w1 + w2)
    w1 + w2
    """
    from ..summary import form_size

    expr = sp.sympify(expr)
    if not isinstance(expr, sp.Expr) or expr.is_number:
        return expr
    factored = sp.factor(expr)
    return factored if form_size(factored) < form_size(expr) else expr
