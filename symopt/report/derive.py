"""Build a checked derivation of a loss: model and data, derivatives, critical points, their kinds.

The pipeline is a straight line (see :func:`derive`): loss, first and second derivatives,
gradient and Hessian, solving the gradient by the factors of its components, the critical
points and families, then at each point the Hessian, its characteristic polynomial,
eigenvalues and eigenvectors, the classification and, at a saddle, the way down.

Every result is recomputed by SymPy directly (``sympy.diff``, ``sympy.hessian``,
``Matrix.charpoly`` against a determinant, the characteristic polynomial's roots, ``H v``
against ``lambda v``, ``u^T H u``, ``L(p + a u) - L(p)``) and compared; a disagreement raises
:class:`~symopt.report.DerivationError`.
"""

from __future__ import annotations

import itertools
import math
import string
from typing import Any, Iterable, Sequence

import sympy as sp

from ..budget import Budget
from ..classify import exact_sign
from ..critical import CriticalSet, critical_points
from ..loss import Loss
from . import LANGUAGES, Derivation, DerivationError, Line, Section, Step, Tex
from . import text_en, text_zh

__all__ = ["derive", "derive_optimizer_rules"]

EQ, APPROX, LT = Tex("="), Tex("\\approx"), Tex("<")
IFF, IMPLIES = Tex("\\iff"), Tex("\\Rightarrow")
COMMA = Tex(",\\quad")
LOSS = sp.Symbol("L")
#: Cases from the factors of the gradient are listed only up to this many.
MAX_CASES = 24


# -- words -----------------------------------------------------------------------------------
class Writer:
    """Sentences of one language: ``say(key, **fields)`` gives text and inline-math segments."""

    def __init__(self, language: str):
        if language not in LANGUAGES:
            raise ValueError(f"language={language!r} is not known; "
                             f"use one of {', '.join(LANGUAGES)}")
        self.language = language
        self.table: dict[str, str] = {"en": text_en.TEXT, "zh": text_zh.TEXT}[language]

    def __call__(self, key: str, **fields: Any) -> tuple[Any, ...]:
        out: list[Any] = []
        for literal, name, _, _ in string.Formatter().parse(self.table[key]):
            if literal:
                out.append(literal)
            if name:
                out.append(fields[name])
        return tuple(out)

    def word(self, key: str) -> str:
        return self.table[key]

    def math_word(self, key: str) -> Tex:
        """A fixed word of this language as text inside math (``\\text{or}``)."""
        return Tex("\\quad\\text{" + self.table[key] + "}\\quad")


# -- checks ----------------------------------------------------------------------------------
def fail(key: str, message: str) -> None:
    raise DerivationError(f"step {key!r}: {message}")


def same_expr(a: Any, b: Any) -> bool:
    """True when ``a - b`` is identically zero (expanded, then simplified)."""
    difference = sp.sympify(a) - sp.sympify(b)
    if difference == 0 or sp.expand(difference) == 0:
        return True
    return sp.simplify(difference) == 0


def number_sign(value: Any) -> int:
    """The sign of a real number: exact for rationals and radicals; for roots without radicals
    (CRootOf) and floats, from 50 digits, where a value below 1e-30 counts as zero."""
    value = sp.sympify(value)
    if value.is_Rational:
        return int(sp.sign(value))
    if not (value.has(sp.CRootOf) or value.has(sp.Float)):
        simplified = sp.radsimp(sp.expand(value))
        sign = exact_sign(simplified)
        if sign is not None:
            return sign
    approx = sp.N(value, 50)
    scale = max([1.0] + [abs(float(sp.N(a, 20))) for a in sp.Add.make_args(value) if a.is_number])
    if abs(approx) <= sp.Float(10) ** -30 * scale:
        return 0
    return 1 if approx > 0 else -1


def same_number(a: Any, b: Any) -> bool:
    """True when two real numbers agree: exactly for rationals and radicals, else to 30 digits
    (roots given as CRootOf) or to 15 digits (floats of numerically located points)."""
    a, b = sp.sympify(a), sp.sympify(b)
    if a.has(sp.Float) or b.has(sp.Float):
        x, y = sp.N(a, 40), sp.N(b, 40)
        return bool(abs(x - y) <= sp.Float(10) ** -15 * max(1, abs(y)))
    return number_sign(a - b) == 0


def is_approximate(values: Iterable[Any]) -> bool:
    """Values shown rounded: floats, or roots without radicals (CRootOf)."""
    return any(sp.sympify(v).has(sp.Float) or sp.sympify(v).has(sp.CRootOf) for v in values)


def shown(value: Any, digits: int = 8) -> Any:
    """What to display: the exact value, or 8 significant digits of an approximate one."""
    value = sp.sympify(value)
    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(lambda e: shown(e, digits))
    if value.has(sp.Float) or value.has(sp.CRootOf):
        return sp.N(value, digits)
    return value


sign_of = number_sign


# -- the pipeline ----------------------------------------------------------------------------
def derive(loss: Loss | str, *, language: str = "en", analysis: CriticalSet | None = None,
           timeout: float = 30) -> Derivation:
    """A checked, step-by-step derivation of a loss's critical points and their kinds.

    Parameters
    ----------
    loss : Loss or str
        The loss (text is parsed by symopt's safe parser).
    language : {"en", "zh"}
        Language of the step text.  LaTeX output is English only; Chinese renders as Markdown.
    analysis : CriticalSet, optional
        A ``critical_points(loss)`` result to reuse instead of computing it again.
    timeout : float
        Seconds for the whole derivation, analysis included.  A symbolic step that runs out
        of time raises :class:`~symopt.errors.BudgetExceeded`.

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
    # 1. inputs
    if isinstance(loss, str):
        loss = Loss.parse(loss)
    if not isinstance(loss, Loss):
        raise TypeError(f"derive takes a Loss or text, got {type(loss).__name__}")
    say = Writer(language)
    budget = Budget(timeout)
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
                     (Line(sp.Function("L")(*params), EQ, expr),), {"loss": expr})]
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
        factored = (budget.run(lambda: sp.factor(gradient[i]), 0.2, "factoring")
                    if factorable(gradient[i], params) else gradient[i])
        if factored != gradient[i] and str(factored) != str(gradient[i]):
            parts += [EQ, factored]
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
             (Line(Tex("\\nabla L"), EQ, gradient),), {"gradient": gradient}),
        Step("hessian", say("h_hessian"), say("hessian_text"), (Line(Tex("H"), EQ, hessian),),
             {"hessian": hessian}),
    ]


# -- solving grad L = 0 -----------------------------------------------------------------------
def _never_zero(factor: sp.Expr) -> bool:
    return bool(factor.is_number and factor != 0) or factor.is_positive is True \
        or factor.is_negative is True


def _vanishes_at(factor: sp.Expr, params: Sequence[sp.Symbol], coords: Sequence[Any]) -> bool:
    value = factor.xreplace(dict(zip(params, coords)))
    if value.has(sp.Float):
        return abs(sp.N(value, 30)) < 1e-12
    return number_sign(value) == 0


def vanishes_on(expr: sp.Expr, equations: Sequence[sp.Expr], params: Sequence[sp.Symbol],
                samples: Sequence[Sequence[Any]]) -> bool:
    """True when ``expr`` is zero on the common zeros of ``equations``.

    Exact for polynomials whose remainder modulo the Groebner basis is zero; otherwise judged
    at the given sample points of the set (and False without any).
    """
    try:
        basis = sp.groebner(list(equations), *params, order="grevlex")
        numerator = sp.fraction(sp.together(expr))[0]
        if basis.reduce(sp.expand(numerator))[1] == 0:
            return True
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, ValueError):
        pass
    return bool(samples) and all(_vanishes_at(expr, params, s) for s in samples)


def factorable(expr: sp.Expr, params: Sequence[sp.Symbol]) -> bool:
    """Worth factoring: a polynomial in the parameters, or a short expression."""
    try:
        sp.Poly(expr, *params)
        return True
    except sp.PolynomialError:
        return sp.count_ops(expr) <= 60


def solve_step(loss: Loss, cs: CriticalSet, say: Writer, budget: Budget) -> Step:
    """Solve grad L = 0 by factoring each component: one vanishing factor per component."""
    params, gradient = loss.params, loss.gradient
    if not all(factorable(g, params) for g in gradient):
        lines = tuple(Line(sp.Derivative(LOSS, p), EQ, sp.Integer(0)) for p in params)
        return Step("solve", say("h_solve"), say("solve_numeric", method=cs.method), lines,
                    {"factored": (), "cases": ()})
    lines, choices, factored = [], [], []
    for p, g in zip(params, gradient):
        derivative = sp.Derivative(LOSS, p)
        if g == 0:
            lines.append(Line(derivative, EQ, sp.Integer(0), Tex("\\quad"), Tex(
                "\\text{" + say.word("everywhere") + "}")))
            factored.append(sp.Integer(0))
            continue
        form = budget.run(lambda: sp.factor(g), 0.2, "factoring the gradient")
        _, pairs = budget.run(lambda: sp.factor_list(g), 0.2, "factoring the gradient")
        factors = [f for f, _ in pairs if not _never_zero(f)]
        if not same_expr(form, g):
            fail("solve", f"the factored form {form} differs from the component {g}")
        factored.append(form)
        parts: list[Any] = [derivative, EQ, form, EQ, sp.Integer(0)]
        if factors:
            parts.append(IFF)
            for k, f in enumerate(factors):
                parts += ([say.math_word("or")] if k else []) + [sp.Eq(f, 0)]
        else:
            parts = [derivative, EQ, form, Tex("\\ne"), sp.Integer(0)]
        lines.append(Line(*parts))
        choices.append(factors)
    count = 1
    for factors in choices:
        count *= len(factors)
    values: dict[str, Any] = {"factored": tuple(factored), "cases": ()}
    if count == 0:
        if cs.points or cs.families:
            fail("solve", "a gradient component never vanishes, yet critical points were found")
        return Step("solve", say("h_solve"), say("solve_none"), tuple(lines), values)
    if count > MAX_CASES:
        return Step("solve", say("h_solve"), say("solve_many", count=str(count)), tuple(lines),
                    values)
    cases = _minimal_cases(choices)
    values["cases"] = tuple(tuple(case) for case in cases)
    for case in cases:
        lines.append(Line(*_case_parts(case, loss, cs, say, budget)))
    for i, point in enumerate(cs.points, 1):
        if not any(all(_vanishes_at(f, params, point.coords) for f in case) for case in cases):
            fail("solve", f"critical point {i} {point.coords} satisfies none of the cases")
    return Step("solve", say("h_solve"), say("solve_text", count=str(len(cases))), tuple(lines),
                values)


def _minimal_cases(choices: list[list[sp.Expr]]) -> list[list[sp.Expr]]:
    """One factor per component; cases implied by a smaller one are dropped."""
    sets: list[frozenset] = []
    for combo in itertools.product(*choices):
        case = frozenset(sp.factor_terms(f) for f in combo)
        if case not in sets:
            sets.append(case)
    minimal = [c for c in sets if not any(o < c for o in sets)]
    return [sorted(c, key=sp.default_sort_key) for c in minimal]


def _case_parts(case: list[sp.Expr], loss: Loss, cs: CriticalSet, say: Writer,
                budget: Budget) -> list[Any]:
    params = loss.params
    parts: list[Any] = []
    for k, f in enumerate(case):
        parts += ([Tex(",\\ ")] if k else []) + [sp.Eq(f, 0)]
    parts.append(IMPLIES)
    found: list[Any] = []
    inside = [i for i, point in enumerate(cs.points, 1)
              if all(_vanishes_at(f, params, point.coords) for f in case)]
    if len(inside) == 1:
        point = cs.points[inside[0] - 1]
        found.append([Tex("p_{%d} =" % inside[0]), sp.Tuple(*map(shown, point.coords))])
    elif inside:
        found.append([Tex(", ".join("p_{%d}" % i for i in inside))])
    for k, family in enumerate(cs.families, 1):
        if all(vanishes_on(f, family.equations, params, family.sample_points) for f in case):
            found.append([Tex("F_{%d}\\ (\\text{%s})" % (k, say.word("family")))])
    if found:
        for k, pieces in enumerate(found):
            parts += ([say.math_word("or")] if k else []) + pieces
        return parts
    try:
        basis = budget.run(lambda: sp.groebner(case, *params, order="grevlex"), 0.1,
                           "the Groebner basis of a case")
        inconsistent = list(basis.exprs) == [1]
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, ValueError):
        inconsistent = False
    if inconsistent:
        return parts + [Tex("\\text{" + say.word("no_solution") + "}")]
    _check_case_solutions(case, loss, cs, budget)
    return parts + [Tex("\\text{" + say.word("no_new_solution") + "}")]


def _check_case_solutions(case: list[sp.Expr], loss: Loss, cs: CriticalSet, budget: Budget) -> None:
    """Real solutions of a case must be critical points already found (or lie on a family)."""
    params = loss.params
    try:
        solutions = budget.run(lambda: sp.solve(case, list(params), dict=True), 0.1,
                               "solving a case")
    except (NotImplementedError, ValueError, TypeError):
        return
    except Exception as exc:  # noqa: BLE001 - a time-out here only skips an extra check
        if type(exc).__name__ != "BudgetExceeded":
            raise
        return
    for solution in solutions:
        if set(solution) != set(params) or not all(v.is_real for v in solution.values()):
            continue
        coords = tuple(solution[p] for p in params)
        on_family = any(all(_vanishes_at(e, params, coords) for e in f.equations)
                        for f in cs.families)
        known = any(all(same_number(a, b) for a, b in zip(coords, p.coords)) for p in cs.points)
        if cs.complete and not (on_family or known):
            fail("solve", f"the case {case} has the real solution {coords}, which is not among "
                          "the critical points found")


# -- the critical set --------------------------------------------------------------------------
def critical_set_step(loss: Loss, cs: CriticalSet, say: Writer) -> Step:
    """The critical points and families, each checked to make the gradient vanish."""
    params, gradient = loss.params, loss.gradient
    lines = []
    for i, point in enumerate(cs.points, 1):
        for g in gradient:
            if not _vanishes_at(g, params, point.coords):
                fail("critical_points", f"the gradient does not vanish at point {i} {point.coords}")
        value = loss.expr.xreplace(dict(zip(params, point.coords)))
        if not same_number(value, point.value):
            fail("critical_points", f"L at point {i} is {value}, not {point.value}")
        approximate = is_approximate(point.coords)
        lines.append(Line(Tex("p_{%d}:" % i), sp.Tuple(*params), APPROX if approximate else EQ,
                          sp.Tuple(*map(shown, point.coords)), Tex(",\\quad L"),
                          APPROX if is_approximate([point.value]) else EQ, shown(point.value)))
    for k, family in enumerate(cs.families, 1):
        for g in gradient:
            if not vanishes_on(g, family.equations, params, family.sample_points):
                fail("critical_points", f"the gradient does not vanish on family {k}")
        parts: list[Any] = [Tex("F_{%d}:" % k)]
        for j, e in enumerate(family.equations):
            parts += ([Tex(",\\ ")] if j else []) + [sp.Eq(e, 0)]
        if family.value is not None:
            parts += [Tex(",\\quad L"), EQ, family.value]
        lines.append(Line(*parts))
    complete = say.word("complete") if cs.complete else say.word("incomplete")
    text = say("critical_text", points=str(len(cs.points)), families=str(len(cs.families)),
               complete=complete)
    values = {"points": tuple(p.coords for p in cs.points),
              "families": tuple(f.equations for f in cs.families), "complete": cs.complete}
    return Step("critical_points", say("h_critical"), text, tuple(lines), values)


# -- optimizer rules ----------------------------------------------------------------------------
def derive_optimizer_rules(names: Iterable[str] | None = None, *,
                           language: str = "en") -> Derivation:
    """The update rules of optimizers and schedules, as symopt's optimizers document them.

    The LaTeX is read from :data:`symopt.optim.RULES` (the one place each rule is written).

    Parameters
    ----------
    names : iterable of str, optional
        Rule names (``"momentum"``, ``"adam"``, ``"cosine"``, ...); default: every optimizer
        and schedule.
    language : {"en", "zh"}

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
        steps.append(Step(f"rule.{name}", (name,), say(f"rule_{kind}", name=name),
                          (Line(Tex(RULES[name])),), {"rule": RULES[name]}))
    section = Section(say("h_rules"), tuple(steps), say(
        "rules_text", t=Tex("t"), g=Tex("g_t = \\nabla L(\\theta_t)"), eta=Tex("\\eta_t")))
    return Derivation((), (section,), language)


# -- one critical point ------------------------------------------------------------------------
def point_steps(index: int, point: Any, loss: Loss, say: Writer, budget: Budget,
                direct_hessian: sp.Matrix) -> list[Step]:
    """Hessian, characteristic polynomial, eigen-pairs, kind and (at a saddle) the way down."""
    key = f"point{index}"
    params = loss.params
    exact = not is_approximate(point.coords)
    rel = EQ if exact else APPROX
    where = sp.Tuple(*map(shown, point.coords))
    # Hessian at the point, against sympy.hessian of the loss
    subs = dict(zip(params, point.coords))
    hessian = loss.hessian.xreplace(subs)
    if exact:
        hessian = hessian.applyfunc(lambda e: sp.radsimp(sp.simplify(e)))
    for a, b in zip(hessian, direct_hessian.xreplace(subs)):
        if not same_number(a, b):
            fail(f"{key}.hessian", f"H at {point.coords} has entry {a}, sympy.hessian gives {b}")
    steps = [Step(f"{key}.hessian", say("h_point_hessian", i=str(index), point=where),
                  say("point_hessian_text" if exact else "point_hessian_approx", point=where),
                  (Line(Tex("H"), rel, shown(hessian)),),
                  {"point": point.coords, "hessian": hessian})]
    # characteristic polynomial and eigen-pairs
    lam = sp.Dummy("lambda")
    char, eigenvalues, pairs = _spectrum(f"{key}.eigen", point, hessian, exact, lam, budget)
    char_line = [Tex("\\det(\\lambda I - H)"), rel, shown(char)]
    if exact:
        factored = sp.factor(char)
        if factored != char:
            char_line += [EQ, factored]
    steps.append(Step(f"{key}.charpoly", say("h_charpoly"), say("charpoly_text"),
                      (Line(*char_line),), {"charpoly": char, "symbol": lam}))
    lines = []
    for k, (value, vectors) in enumerate(pairs, 1):
        approx = is_approximate([value]) or any(is_approximate(v) for v in vectors)
        parts: list[Any] = [Tex("\\lambda_{%d}" % k), APPROX if is_approximate([value]) else EQ,
                            shown(value), COMMA, Tex("v"), APPROX if approx else EQ]
        for j, v in enumerate(vectors):
            parts += ([Tex(",\\ ")] if j else []) + [shown(v)]
        lines.append(Line(*parts))
    steps.append(Step(f"{key}.eigen", say("h_eigen"),
                      say("eigen_text", v=Tex("v"), system=Tex("(H - \\lambda I) v = 0")),
                      tuple(lines),
                      {"eigenvalues": eigenvalues, "eigenvectors": tuple(pairs)}))
    steps.append(_kind_step(key, point, eigenvalues, say))
    if point.kind.value == "saddle":
        steps.append(_escape_step(key, point, loss, hessian, exact, pairs, say, budget))
    return steps


def _primitive(vector: sp.Matrix) -> sp.Matrix:
    """A rational vector as the shortest integer multiple, first nonzero entry positive."""
    entries = list(vector)
    if all(e.is_Rational for e in entries):
        scale = math.lcm(*[int(sp.Rational(e).q) for e in entries])
        ints = [int(e * scale) for e in entries]
        divisor = math.gcd(*ints) or 1
        vector = sp.Matrix([sp.Integer(i // divisor) for i in ints])
    for e in vector:
        if e != 0:
            return vector if sign_of(e) > 0 else -vector
    return vector


def _agree(a: Any, b: Any) -> bool:
    a, b = sp.N(a, 40), sp.N(b, 40)
    return bool(abs(sp.re(a) - sp.re(b)) <= 1e-15 * max(1, abs(sp.re(b)))
                and abs(sp.im(a)) < 1e-15 and abs(sp.im(b)) < 1e-15)


def _spectrum(key: str, point: Any, hessian: sp.Matrix, exact: bool, lam: sp.Dummy,
              budget: Budget):
    """(characteristic polynomial, eigenvalues ascending, [(eigenvalue, [vectors])]), checked."""
    import mpmath

    n = hessian.rows
    rational = exact and all(e.is_Rational for e in hessian)
    if exact:
        poly = sp.Poly(budget.run(lambda: hessian.charpoly(lam), 0.2, "charpoly").all_coeffs(), lam)
        det = budget.run(lambda: (lam * sp.eye(n) - hessian).det(method="bareiss"), 0.2, "det")
        if not same_expr(poly.as_expr(), det):
            fail(key, f"charpoly {poly.as_expr()} differs from det(lambda I - H) = {det}")
        roots = sp.roots(poly)
        if sum(roots.values()) == n and not any(r.has(sp.I) for r in roots):
            eigenvalues = tuple(r for r in sorted(roots, key=lambda r: float(sp.N(r, 30)))
                                for _ in range(roots[r]))
        elif rational:
            eigenvalues = tuple(poly.all_roots())
        else:
            eigenvalues = tuple(point.eigenvalues)
        direct = budget.run(lambda: hessian.eigenvals(multiple=True), 0.2, "Matrix.eigenvals")
        char = poly.as_expr()
    else:
        numeric = hessian.evalf(40)
        char = sp.Poly(numeric.charpoly(lam).all_coeffs(), lam).as_expr()
        eigenvalues = tuple(point.eigenvalues)
        direct = None
    with mpmath.workdps(45):
        matrix = mpmath.matrix([[mpmath.mpf(str(sp.N(e, 45))) for e in row]
                                for row in hessian.tolist()])
        values, vectors = mpmath.eigsy(matrix)
        numeric_pairs = [(sp.Float(str(values[i]), 40),
                          sp.Matrix([sp.Float(str(vectors[r, i]), 40) for r in range(n)]))
                         for i in range(n)]
    numeric_pairs.sort(key=lambda p: p[0])
    if direct is None:
        direct = [v for v, _ in numeric_pairs]
    ordered = sorted(direct, key=lambda v: float(sp.re(sp.N(v, 30))))
    reference = sorted(point.eigenvalues, key=lambda v: float(sp.N(v, 30)))
    for mine, theirs, recomputed in zip(eigenvalues, reference, ordered):
        if not (_agree(mine, recomputed) and _agree(mine, theirs)):
            fail(key, f"eigenvalue {mine}: Matrix.eigenvals gives {recomputed}, "
                      f"the analysis {theirs}")
    if len(eigenvalues) != n or len(reference) != n:
        fail(key, f"{len(eigenvalues)} eigenvalue(s) for a {n} x {n} Hessian")
    pairs: list[tuple[Any, list[sp.Matrix]]] = []
    for value in dict.fromkeys(eigenvalues):
        multiplicity = eigenvalues.count(value)
        if exact and not value.has(sp.CRootOf):
            basis = budget.run(lambda: (hessian - value * sp.eye(n)).nullspace(simplify=True),
                               0.2, "eigenvectors")
            basis = [_primitive(v.applyfunc(sp.radsimp)) for v in basis]
            for v in basis:
                if any(not same_number(r, 0) for r in hessian * v - value * v):
                    fail(key, f"H v != lambda v for lambda = {value}, v = {list(v)}")
        else:
            matching = [(val, vec) for val, vec in numeric_pairs if _agree(val, value)]
            basis = [vec for _, vec in matching]
            for val, v in matching:  # residual with the 40-digit eigenvalue
                residual = (hessian.evalf(40) * v - val * v).norm()
                if residual > 1e-25 * max(1, abs(val)):
                    fail(key, f"H v != lambda v for lambda ~ {sp.N(value, 8)}")
        if len(basis) != multiplicity:
            fail(key, f"eigenvalue {value} has multiplicity {multiplicity} but "
                      f"{len(basis)} eigenvector(s)")
        pairs.append((value, basis))
    return char, eigenvalues, pairs


def _form_signs(form: sp.Expr) -> set[int]:
    symbols = sorted(form.free_symbols, key=lambda s: s.name)
    signs = set()
    for candidate in itertools.product((-2, -1, 0, 1, 2), repeat=len(symbols)):
        value = form.xreplace(dict(zip(symbols, candidate)))
        if value != 0:
            signs.add(1 if value > 0 else -1)
    return signs


def _kind_step(key: str, point: Any, eigenvalues: Sequence[Any], say: Writer) -> Step:
    """The classification, with the reason; checked against the eigenvalue signs."""
    signs = [sign_of(v) for v in eigenvalues]
    inertia = (signs.count(1), signs.count(-1), signs.count(0))
    if point.inertia is not None and tuple(point.inertia) != inertia:
        fail(f"{key}.kind", f"eigenvalue signs give (+, -, 0) = {inertia}, the analysis "
                            f"{tuple(point.inertia)}")
    positive, negative, zero = inertia
    kind = point.kind.value
    expected = ("saddle" if positive and negative else None if zero else
                "minimum" if positive else "maximum")
    if expected is not None and kind != expected:
        fail(f"{key}.kind", f"eigenvalue signs {inertia} make the point a {expected}, "
                            f"the analysis says {kind}")
    lines = [Line(Tex("(n_{+}, n_{-}, n_{0})"), EQ, sp.Tuple(*inertia))]
    values: dict[str, Any] = {"kind": point.kind, "inertia": inertia, "reason": point.reason}
    if positive and negative:
        text = say("kind_saddle", pos=str(positive), neg=str(negative))
    elif not zero:
        text = say("kind_min" if positive else "kind_max")
    else:
        text = say("kind_singular", zero=str(zero))
        form = point.higher_order
        if form is None or kind == "inconclusive":
            text += (" ",) + say("ho_none", reason=point.reason)
        else:
            order = sp.Poly(form, *sorted(form.free_symbols, key=lambda s: s.name)).total_degree()
            found = _form_signs(form)
            wanted = {"minimum": found == {1}, "maximum": found == {-1},
                      "saddle": (-1 in found) if positive else (1 in found) if negative
                      else found == {1, -1}}[kind]
            if not wanted:
                fail(f"{key}.kind", f"the higher-order form {form} does not make the point "
                                    f"a {kind}")
            ho_key = ("ho_saddle_odd" if order % 2 else "ho_saddle") if kind == "saddle" else \
                f"ho_{kind[:3]}"
            text += (" ",) + say(ho_key, order=str(order))
            lines.append(Line(Tex("L - L(p) ="), form, Tex("+ \\dots")))
            values["higher_order"] = form
    if not point.exact:
        text += (" ",) + say("numeric_note")
    return Step(f"{key}.kind", say("h_kind", kind=say.word(f"word_{kind}")), text, tuple(lines),
                values)


def _first_negative(delta: sp.Expr, variable: sp.Symbol, key: str) -> sp.Rational:
    for k in range(40):
        step = sp.Rational(1, 2 ** k)
        if sign_of(delta.xreplace({variable: step})) < 0:
            return step
    fail(key, f"the loss does not decrease along the direction: L(p + s u) - L(p) = {delta}")
    raise AssertionError  # unreachable


def _escape_step(key: str, point: Any, loss: Loss, hessian: sp.Matrix, exact: bool,
                 pairs: list, say: Writer, budget: Budget) -> Step:
    """At a saddle: u^T H u = lambda |u|^2 < 0 and an exact step a with L(p + a u) < L(p)."""
    params, value, key = loss.params, point.value, f"{key}.escape"
    taken = {p.name for p in params}
    a = sp.Symbol(next(n for n in ("a", "s", "h", "tau", "alpha") if n not in taken), real=True)
    if not point.escape_directions:
        return _descent_curve_step(key, point, loss, say, budget)
    lam_value, vectors = pairs[0]
    if exact and not is_approximate(vectors[0]):
        u = vectors[0]
        unit = u / sp.sqrt(u.dot(u))
        if not any(all(same_number(x, sign * y) for x, y in zip(unit, d))
                   for d in point.escape_directions for sign in (1, -1)):
            fail(key, f"u = {list(u)} is not along the analysis's escape directions")
        curvature = sp.simplify((u.T * hessian * u)[0])
        norm2 = sp.simplify(u.dot(u))
        if not same_number(curvature, lam_value * norm2) or sign_of(curvature) >= 0:
            fail(key, f"u^T H u = {curvature}, lambda |u|^2 = {lam_value * norm2}: "
                      "not equal and negative")
        moved = {p: c + a * ui for p, c, ui in zip(params, point.coords, u)}
        delta = budget.run(lambda: sp.expand(loss.expr.xreplace(moved) - value), 0.2,
                           "L(p + a u) - L(p)")
        if delta.is_polynomial(a):
            coeffs = sp.Poly(delta, a).all_coeffs()[::-1] + [0, 0, 0]
            if not (same_number(coeffs[0], 0) and same_number(coeffs[1], 0)
                    and same_number(coeffs[2], curvature / 2)):
                fail(key, f"L(p + a u) - L(p) = {delta} does not start with a**2 u^T H u / 2")
        step = _first_negative(delta, a, key)
        new_point = tuple(sp.radsimp(c + step * ui) for c, ui in zip(point.coords, u))
        new_value = sp.radsimp(sp.simplify(loss.expr.xreplace(dict(zip(params, new_point)))))
        if sign_of(new_value - value) >= 0 or not same_number(new_value - value,
                                                                delta.xreplace({a: step})):
            fail(key, f"L{new_point} = {new_value} is not below L(p) = {value}")
        rel = EQ
    else:
        u = sp.Matrix(point.escape_directions[0])
        lam_value = point.negative_eigenvalues[0] if point.negative_eigenvalues else lam_value
        numeric = hessian.evalf(40)
        curvature = (u.T * numeric * u)[0]
        norm2 = u.dot(u)
        if not _agree(curvature, lam_value * norm2) or curvature >= 0:
            fail(key, f"u^T H u ~ {sp.N(curvature, 8)} does not match lambda |u|^2 < 0")
        base = [sp.N(c, 45) for c in point.coords]
        delta = sp.N(loss.expr.xreplace({p: c + a * ui for p, c, ui in zip(params, base, u)})
                     - sp.N(value, 45), 40)
        step = _first_negative(delta, a, key)
        new_point = tuple(c + step * ui for c, ui in zip(base, u))
        new_value = sp.N(loss.expr.xreplace(dict(zip(params, new_point))), 40)
        rel = APPROX
    p_text, new_text = sp.Tuple(*map(shown, point.coords)), sp.Tuple(*map(shown, new_point))
    lines = [
        Line(Tex("u"), rel, shown(u)),
        Line(Tex("u^{T} H u"), EQ, Tex("\\lambda \\lVert u \\rVert^{2}"), rel, shown(lam_value),
             Tex("\\cdot"), shown(norm2), rel, shown(curvature), LT, sp.Integer(0)),
    ]
    if rel is EQ:
        lines.append(Line(Tex("L(p +"), a, Tex("u) - L(p) ="), delta))
    lines.append(Line(a, EQ, step, Tex(":\\quad L"), new_text, rel, shown(new_value), LT,
                      shown(value), rel, Tex("L"), p_text))
    values = {"direction": u, "eigenvalue": lam_value, "curvature": curvature,
              "norm_squared": norm2, "step": step, "new_point": new_point,
              "new_value": new_value, "decrease": delta if rel is EQ else None}
    text = say("escape_text", step=sp.Eq(a, step), u=Tex("u"), lam=Tex("\\lambda < 0"),
               curvature=Tex("u^{T} H u = \\lambda \\lVert u \\rVert^{2} < 0"), p=Tex("p"))
    return Step(key, say("h_escape"), text, tuple(lines), values)


def _descent_curve_step(key: str, point: Any, loss: Loss, say: Writer, budget: Budget) -> Step:
    """A saddle with no negative eigenvalue: the loss falls along a curve, checked exactly."""
    params, value = loss.params, point.value
    curve = point.descent_curve
    if curve is None:
        return Step(key, say("h_escape"), say("escape_none"), (), {"direction": None})
    (t,) = set().union(*(sp.sympify(c).free_symbols for c in curve)) or {sp.Symbol("t")}
    delta = budget.run(lambda: sp.expand(loss.expr.xreplace(dict(zip(params, curve))) - value),
                       0.2, "L along the curve")
    step = _first_negative(delta, t, key)
    new_point = tuple(sp.sympify(c).xreplace({t: step}) for c in curve)
    new_value = loss.expr.xreplace(dict(zip(params, new_point)))
    if sign_of(new_value - value) >= 0:
        fail(key, f"L{new_point} = {new_value} is not below L(p) = {value}")
    lines = (Line(Tex("\\theta(t) ="), sp.Tuple(*curve)),
             Line(Tex("L(\\theta(t)) - L(p) ="), delta),
             Line(t, EQ, step, Tex(":\\quad L"), sp.Tuple(*new_point), EQ, new_value, LT,
                  value))
    values = {"direction": None, "curve": curve, "decrease": delta, "step": step,
              "new_point": new_point, "new_value": new_value}
    return Step(key, say("h_escape"), say("escape_curve"), lines, values)


# -- a family of critical points --------------------------------------------------------------
def family_step(index: int, family: Any, loss: Loss, say: Writer, budget: Budget,
                direct_hessian: sp.Matrix) -> Step:
    """A set of critical points: its equations, the loss on it, sample Hessians, its kind."""
    key = f"family{index}"
    params = loss.params
    lines: list[Line] = []
    for e in family.equations:
        lines.append(Line(sp.Eq(e, 0)))
    for sample, eigen in zip(family.sample_points, family.sample_eigenvalues):
        subs = dict(zip(params, sample))
        for e in family.equations:
            if not same_number(e.xreplace(subs), 0):
                fail(key, f"the sample point {sample} is not on the family")
        recomputed = sorted(direct_hessian.xreplace(subs).eigenvals(multiple=True),
                            key=lambda v: float(sp.re(sp.N(v, 30))))
        reference = sorted(eigen, key=lambda v: float(sp.N(v)))
        if not all(_agree(a, b) for a, b in zip(recomputed, reference)):
            fail(key, f"at {sample} the Hessian's eigenvalues are {recomputed}, not {eigen}")
        if family.value is not None and not same_number(loss.expr.xreplace(subs), family.value):
            fail(key, f"L{sample} = {loss.expr.xreplace(subs)}, not {family.value}")
        lines.append(Line(sp.Tuple(*params), EQ, sp.Tuple(*sample), Tex(":\\quad \\lambda"), EQ,
                          sp.Tuple(*eigen)))
    if family.value is not None:
        lines.insert(len(family.equations), Line(LOSS, EQ, family.value))
    if family.global_minimum:
        for k in range(12):  # L >= its value at probe points
            probe = {p: sp.Rational((-1) ** (k + j) * (k + 2 * j + 1), 3 + k % 4)
                     for j, p in enumerate(params)}
            if sign_of(loss.expr.xreplace(probe) - family.value) < 0:
                fail(key, f"L{tuple(probe.values())} is below {family.value}: not a global minimum")
        text = say("family_global", value=family.value)
    elif family.kind.value != "inconclusive":
        text = say("family_kind", dim=str(family.dimension),
                   kind=say.word(f"word_{family.kind.value}"))
    else:
        text = say("family_unknown", reason=family.reason)
    heading = say("h_family", i=str(index), dim=str(family.dimension))
    values = {"equations": family.equations, "dimension": family.dimension,
              "kind": family.kind, "value": family.value,
              "global_minimum": family.global_minimum}
    return Step(key, heading, text, tuple(lines), values)
