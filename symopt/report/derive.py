"""Build a checked derivation of a loss: model and data, derivatives, critical points, their kinds.

The pipeline is a straight line (see :func:`derive`): loss, first and second derivatives,
gradient and Hessian, solving the gradient by the factors of its components, the critical
points and families, then at each point the Hessian, its characteristic polynomial,
eigenvalues and eigenvectors, the classification and, at a saddle, the way down.

Every result is recomputed by SymPy directly (``sympy.diff``, ``sympy.hessian``,
``Matrix.charpoly`` against a determinant, the characteristic polynomial's roots, ``H v``
against ``lambda v``, ``u^T H u``, ``L(p + a u) - L(p)``) and compared; a disagreement raises
:class:`~symopt.report.DerivationError`.

The steps live by job: :mod:`~symopt.report.solving` (grad L = 0 and the critical set),
:mod:`~symopt.report.points` (each point and family), :mod:`~symopt.report.descent` (the way
down from a saddle); :mod:`~symopt.report.checks` holds the comparisons with SymPy and
:mod:`~symopt.report.words` the sentences and notation.  Also here:
:func:`derive_optimizer_rules`, the update rules of the optimizers as a derivation.
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterable, Sequence

import sympy as sp

from ..budget import DEFAULT_MEMORY_MB, Budget, bounded_call, can_interrupt, run_bounded
from ..critical import CriticalSet, critical_points
from ..loss import Loss, as_loss
from ..summary import shortest_form
from .records import Derivation, Line, Section, Step, Tex
from .checks import fail, same_expr, same_number
from .points import family_step, point_steps
from .solving import critical_set_step, factorable, solve_step
from .words import EQ, LOSS, Writer

__all__ = ["derive", "derive_optimizer_rules"]


# -- the pipeline ----------------------------------------------------------------------------
def derive(loss: Loss | str, *, language: str = "en", analysis: CriticalSet | None = None,
           timeout: float | None = 30, isolate: bool | None = None,
           memory_mb: float | None = DEFAULT_MEMORY_MB) -> Derivation:
    """A checked, step-by-step derivation of a loss's critical points and their kinds.

    Parameters
    ----------
    loss : Loss or str
        The loss (text is parsed by symopt's safe parser).  Given an optimizer object
        instead (``symopt.optim.adam(1e-3)``, ``(torch.optim.Adam, kwargs)``), the result is
        its update in the lecture's form, a
        :class:`~symopt.crosschecking.lecture.LectureForm`.
    language : {"en", "zh"}
        Language of the step text.  LaTeX output is English only; Chinese renders as Markdown.
    analysis : CriticalSet, optional
        A ``critical_points(loss)`` result to reuse instead of computing it again.
    timeout : float
        Seconds for the whole derivation, analysis included.  A symbolic step that runs out
        of time raises :class:`~symopt.errors.BudgetExceeded`.
    isolate : bool, optional
        Run the whole derivation in a child process killed at the deadline
        (:func:`symopt.budget.run_bounded`); default: where steps cannot be interrupted in
        place (threads other than the main one, Windows).
    memory_mb : float or None
        Memory cap of that child process in MiB (None: no cap).

    Returns
    -------
    Derivation
        Ordered steps; ``.to_latex()``, ``.to_markdown()``, ``.step(key).values``.

    Raises
    ------
    DerivationError
        When a step's result disagrees with what SymPy computes directly.

    Examples
    --------
    >>> from symopt.loss import Loss
    >>> d = derive(Loss.from_model("w1*w2*x", data={"x": [1], "y": [1]}))
    >>> d.step("model").values["loss"]
    (-w1*w2 + 1)**2
    >>> d.step("point1.eigen").values["eigenvalues"]
    (-2, 2)
    >>> d.step("point1.escape").values["direction"].T
    Matrix([[1, 1]])
    """
    # 1. inputs (an optimizer, not a loss: its update in the lecture's form)
    if not isinstance(loss, (Loss, str)):
        from ..crosschecking.lecture import is_optimizer, lecture_form
        if is_optimizer(loss):
            return lecture_form(loss)  # type: ignore[return-value]
    loss = as_loss(loss, "derive")
    budget = Budget(timeout)
    if isolate or (isolate is None and not can_interrupt()):
        return run_bounded(derive, loss, language=language, analysis=analysis, timeout=timeout,
                           isolate=False, memory_mb=None, what="the derivation")
    # an outer alarm for any step that escaped its share of the budget
    return bounded_call(lambda: _derive(loss, language, analysis, budget),
                        budget.seconds + 0.3, "the derivation")


def _derive(loss: Loss, language: str, analysis: CriticalSet | None, budget: Budget
            ) -> Derivation:
    say = Writer(language)
    # 2. the critical points (reused when given)
    if analysis is None:
        analysis = critical_points(loss, timeout=max(budget.remaining * 0.5, 0.5))
    elif not isinstance(analysis, CriticalSet):
        raise TypeError(f"analysis must be a CriticalSet, got {type(analysis).__name__}")
    elif analysis.loss is not loss and (analysis.loss.params != loss.params
                                        or not same_expr(analysis.loss.expr, loss.expr)):
        raise ValueError("analysis is the CriticalSet of another loss; pass critical_points(loss) "
                         "of this loss, or leave analysis out")
    # 3. calculus, solving, then each point and family
    steps: list[Step] = loss_steps(loss, say, budget)
    steps += derivative_steps(loss, say, budget)
    steps.append(solve_step(loss, analysis, say, budget))
    steps.append(critical_set_step(loss, analysis, say))
    direct_hessian = budget.run(lambda: sp.hessian(loss.expr, loss.params), 0.3, "sympy.hessian")
    for index, point in enumerate(analysis.points, 1):
        steps += point_steps(index, point, loss, say, budget, direct_hessian)
    for index, family in enumerate(analysis.families, 1):
        steps.append(family_step(index, family, loss, say, budget, direct_hessian))
    title = say("title", loss=sp.Function("L")(*loss.params))
    return Derivation(title, (Section((), tuple(steps)),), language, loss, analysis)


# -- loss --------------------------------------------------------------------------------------
def _exact_data(value: float) -> sp.Rational:
    return sp.Rational(repr(float(value)))


def loss_steps(loss: Loss, say: Writer, budget: Budget) -> list[Step]:
    """The loss itself; for a model with data, the squared error and the data substituted."""
    params = loss.params
    expr = budget.run(lambda: loss.expr, 0.3, "the loss expression")
    if loss.model is None:
        return [Step("loss", say("h_loss"), say("loss_text", params=sp.Tuple(*params)),
                     (Line(sp.Function("L")(*params), EQ, loss.written or expr),),
                     {"loss": expr})]
    model, sample = loss.model, loss.sample_expr
    target = next(s for s in loss.data_symbols if s not in model.free_symbols)
    columns = [s for s in loss.data_symbols if s != target] + [target]
    arrays = loss.data
    n = loss.n_samples
    rows = [tuple(_exact_data(arrays[s.name][i]) for s in columns) for i in range(n)]
    output = Tex("y") if target.name == "y" else Tex("f")
    lines = [Line(output, EQ, model)]
    if n <= 12:
        data = [Tex("D = \\{"), sp.Tuple(*columns), Tex("\\} = \\{")]
        for i, row in enumerate(rows):
            data += ([Tex(",")] if i else []) + [sp.Tuple(*row)]
        lines.append(Line(*data, Tex("\\}")))
    scale = sp.Rational(1, n) if loss.reduction == "mean" else sp.Integer(1)
    if loss.is_data_loss:
        total = Tex(("\\frac{1}{%d}" % n if scale != 1 else "") + "\\sum_{n=1}^{%d}" % n)
        lines.append(Line(LOSS, EQ, total, sample, EQ, expr))
        for probe in range(2):  # the summed loss against the samples at two rational points
            point = {p: sp.Rational(3 + 2 * k + probe, 7 + k) for k, p in enumerate(params)}
            direct = scale * sum(sample.xreplace(point).xreplace(dict(zip(columns, row)))
                                 for row in rows)
            if not same_number(expr.xreplace(point), direct):
                fail("model", f"the loss at {point} is {expr.xreplace(point)}, but the mean over "
                              f"the samples is {direct}")
        text = say("model_text_many", n=str(n), sample=sample)
    else:
        terms = [sample.xreplace(dict(zip(columns, row))) for row in rows]
        substituted = terms[0] if n == 1 else sp.Mul(scale, sp.Add(*terms, evaluate=False),
                                                      evaluate=False)
        if not same_expr(sp.Add(*terms) * scale, expr):
            fail("model", f"substituting the data gives {substituted}, not the loss {expr}")
        lines.append(Line(LOSS, EQ, sample, EQ, substituted)
                     if n == 1 else Line(LOSS, EQ, substituted))
        if n > 1:
            lines.append(Line(LOSS, EQ, expr))
        text = say("model_text", n=str(n), target=target)
    values = {"model": model, "sample_loss": sample, "target": target, "data": tuple(rows),
              "loss": expr}
    return [Step("model", say("h_model"), text, tuple(lines), values, (target,))]


# -- derivatives ---------------------------------------------------------------------------------
def derivative_steps(loss: Loss, say: Writer, budget: Budget) -> list[Step]:
    """First and second partial derivatives, the gradient and the Hessian, each recomputed."""
    params, expr = loss.params, loss.expr
    gradient = budget.run(lambda: loss.gradient, 0.3, "the gradient")
    hessian = budget.run(lambda: loss.hessian, 0.3, "the Hessian")
    first, lines = {}, []
    for i, p in enumerate(params):
        direct = budget.run(lambda: sp.diff(expr, p), 0.2, "a derivative")
        if not same_expr(gradient[i], direct):
            fail("first_derivatives", f"dL/d{p} is {gradient[i]}, but sympy.diff gives {direct}")
        first[p] = gradient[i]
        parts = [sp.Derivative(LOSS, p), EQ, gradient[i]]
        short = _shortest(gradient[i], params, budget)
        if short != gradient[i] and str(short) != str(gradient[i]):
            parts += [EQ, short]
        lines.append(Line(*parts))
    second, second_lines = {}, []
    for i, j in itertools.combinations_with_replacement(range(len(params)), 2):
        pi, pj = params[i], params[j]
        direct = budget.run(lambda: sp.diff(sp.diff(expr, pi), pj), 0.2, "a second derivative")
        if not same_expr(hessian[i, j], direct) or not same_expr(hessian[i, j], hessian[j, i]):
            fail("second_derivatives", f"d2L/d{pi}d{pj} is {hessian[i, j]}, but sympy.diff "
                                       f"gives {direct}")
        second[(pi, pj)] = hessian[i, j]
        second_lines.append(Line(sp.Derivative(LOSS, pi, pj), EQ, hessian[i, j]))
    direct_hessian = budget.run(lambda: sp.hessian(expr, params), 0.3, "sympy.hessian")
    if not all(same_expr(a, b) for a, b in zip(hessian, direct_hessian)):
        fail("hessian", "the Hessian differs from sympy.hessian of the loss")
    return [
        Step("first_derivatives", say("h_first"), say("first_text"), tuple(lines),
             {"derivatives": first}),
        Step("second_derivatives", say("h_second"), say("second_text"), tuple(second_lines),
             {"derivatives": second}),
        Step("gradient", say("h_gradient"), say("gradient_text"),
             (Line(Tex("\\nabla L"), EQ, _shortest_entries(gradient, params, budget)),),
             {"gradient": gradient}),
        Step("hessian", say("h_hessian"), say("hessian_text"),
             (Line(Tex("H"), EQ, _shortest_entries(hessian, params, budget)),),
             {"hessian": hessian}),
    ]


def _shortest(entry: sp.Expr, params: Sequence[sp.Symbol], budget: Budget) -> sp.Expr:
    """``entry`` as given, factored or expanded, whichever is shortest (factored and expanded
    only for entries worth factoring, see :func:`factorable`)."""
    if not factorable(entry, params):
        return entry
    return budget.run(lambda: shortest_form(entry), 0.2, "factoring")


def _shortest_entries(matrix: sp.Matrix, params: Sequence[sp.Symbol],
                      budget: Budget) -> sp.Matrix:
    """Each entry of ``matrix`` in its shortest form (display only; the values stay exact)."""
    return matrix.applyfunc(lambda entry: _shortest(entry, params, budget))


# -- optimizer rules ----------------------------------------------------------------------------
def derive_optimizer_rules(names: Iterable[str] | None = None, *,
                           language: str = "en",
                           rule_tex: Callable[[str], str] | None = None) -> Derivation:
    """The update rules of optimizers and schedules, as symopt's optimizers document them.

    The LaTeX is read from :data:`symopt.optim.RULES` (the one place each rule is written).

    Parameters
    ----------
    names : iterable of str, optional
        Rule names (``"momentum"``, ``"adam"``, ``"cosine"``, ...); default: every optimizer
        and schedule.
    language : {"en", "zh"}
    rule_tex : callable, optional
        The LaTeX of a rule by name (for a document's own symbols); default: the rule as
        :data:`symopt.optim.RULES` writes it.

    Examples
    --------
    >>> d = derive_optimizer_rules(["momentum"])
    >>> from symopt.optim import RULES
    >>> d.step("rule.momentum").lines[0].parts[0].tex_source == RULES["momentum"]
    True
    """
    from ..optim.rules import OPTIMIZERS, RULES, SCHEDULES

    say = Writer(language)
    chosen = list(OPTIMIZERS) + list(SCHEDULES) if names is None else list(names)
    unknown = [n for n in chosen if n not in RULES]
    if unknown:
        raise ValueError(f"no update rule called {unknown[0]!r}; known rules: {', '.join(RULES)}")
    steps = []
    for name in chosen:
        kind = ("schedule" if name in SCHEDULES else "optimizer" if name in OPTIMIZERS
                else "transform")
        tex = RULES[name] if rule_tex is None else rule_tex(name)
        steps.append(Step(f"rule.{name}", (name,), say(f"rule_{kind}", name=name),
                          (Line(Tex(tex)),), {"rule": tex}))
    section = Section(say("h_rules"), tuple(steps), say(
        "rules_text", t=Tex("t"), g=Tex("g_t = \\nabla L(\\theta_t)"), eta=Tex("\\eta_t")))
    return Derivation((), (section,), language)
