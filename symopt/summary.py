"""The plain-text summary of a CriticalSet: its one text rendering (its ``str``, the CLI's)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import sympy as sp

__all__ = ["plural", "critical_set_text", "short_number", "short_vector", "form_size", "shortest_form"]


#: How an expression is written: ``str`` here; the command line passes the lecture's notation.
Show = Callable[[Any], str]


def short_number(expr: sp.Expr, width: int = 28, show: Show = str) -> str:
    """``expr`` exactly when it fits in ``width`` characters, else about 6 digits with a ~."""
    text = show(expr)
    if len(text) <= width:
        return text
    try:
        return f"~{float(sp.N(expr, 20)):.6g}"
    except (TypeError, ValueError):
        return text[: width - 3] + "..."


def short_vector(values: Sequence[sp.Expr], width: int = 28, show: Show = str) -> str:
    """A tuple of numbers, exact when it fits in ``width`` characters, else approximate."""
    exact = "(" + ", ".join(show(v) for v in values) + ")"
    if len(exact) <= width:
        return exact
    return "~(" + ", ".join(f"{float(sp.N(v, 20)):.6g}" for v in values) + ")"


def form_size(expr: Any) -> int:
    """How long a formula reads: its operations, signs free (``-2*w2*(1 - w1*w2)`` and
    ``2*w2*(w1*w2 - 1)`` read as equally long).

    Examples
    --------
    >>> w1, w2 = sp.symbols("w1 w2")
    >>> form_size(-2*w2*(1 - w1*w2)), form_size(2*w2*(w1*w2 - 1)), form_size(2*w1*w2**2 - 2*w2)
    (4, 4, 5)
    """
    visual = sp.count_ops(expr, visual=True)
    if not isinstance(visual, sp.Expr) or visual.is_number:
        return int(visual)
    return int(visual.xreplace({s: 0 if s.name == "NEG" else 1 for s in visual.free_symbols}))


def shortest_form(expr: Any, others: Sequence[Any] = (), polynomial: bool = True) -> Any:
    """The shortest (by :func:`form_size`) of ``expr`` as given, ``others``, and, when
    ``polynomial``, ``expr`` factored and expanded; the first of them on a tie (so the form
    as given, the chain rule's, stays unless another is shorter).

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> shortest_form(sp.expand(-2*y*(1 - x*y)))          # factored is shorter
    2*y*(x*y - 1)
    >>> shortest_form(-400*x*(y - x**2) - 2*(1 - x))      # as given is shortest
    -400*x*(-x**2 + y) + 2*x - 2
    >>> shortest_form((x + 1)**2 - x**2)                  # expanded is shortest
    2*x + 1
    """
    candidates = [expr, *others]
    if polynomial:
        candidates += [sp.factor(expr), sp.expand(expr)]
    return min(candidates, key=form_size)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def plural(count: int, one: str, many: str | None = None) -> str:
    """``count`` and the noun in the number it takes: "1 point", "2 points", "0 points".

    Examples
    --------
    >>> plural(1, "eigenvalue"), plural(2, "family", "families")
    ('1 eigenvalue', '2 families')
    """
    return f"{count} {one if count == 1 else (one + 's' if many is None else many)}"


_plural = plural


#: Seconds for factoring the gradient and printing the Hessian of a summary.
PRINT_SECONDS = 10.0


def derivatives_text(loss: Any, show: Show = str) -> tuple[str, str]:
    """The gradient and the Hessian as text, each entry in its shortest form (as given,
    factored or expanded), or a note when they take too long."""
    from .budget import bounded_call
    from .errors import BudgetExceeded

    try:
        gradient = bounded_call(lambda: "[" + ", ".join(
            show(shortest_form(g)) for g in loss.gradient) + "]", PRINT_SECONDS,
            "printing the gradient")
        hessian = bounded_call(lambda: "[" + ", ".join(
            "[" + ", ".join(show(shortest_form(e)) for e in row) + "]"
            for row in loss.hessian.tolist()) + "]", PRINT_SECONDS, "printing the Hessian")
    except BudgetExceeded:
        return "(too large to print in time)", "(too large to print in time)"
    return gradient, hessian


def critical_set_text(cs: Any, show: Show = str) -> str:
    """The loss, its gradient and Hessian, a table of the critical points, the families and
    whether the list is proven complete; every expression written by ``show``."""
    loss = cs.loss
    names = ", ".join(p.name for p in loss.params)
    written = getattr(loss, "written", None)
    out = [f"loss      L({names}) = {show(written or loss.expr)}"]
    gradient, hessian = derivatives_text(loss, show)
    out.append(f"gradient  {gradient}")
    out.append(f"Hessian   {hessian}")
    out.append("")
    if cs.points:
        rows = []
        for i, p in enumerate(cs.points, 1):
            escape = "; ".join(short_vector(d, 30, show) for d in p.escape_directions) or "-"
            if not p.escape_directions and p.kind.value == "saddle":
                escape = "none (no negative eigenvalue)"
                if p.descent_curve is not None:
                    escape += f"; descent curve {short_vector(p.descent_curve, 40, show)}"
            kind = p.kind.value + (" (degenerate)" if p.degenerate else "")
            rows.append([str(i), short_vector(p.coords, show=show),
                         short_number(p.value, 14, show),
                         ", ".join(short_number(v, 14, show) for v in p.eigenvalues), kind,
                         escape])
        out.append(_plural(len(cs.points), "critical point:", "critical points:"))
        out.append(_table(rows, ["#", f"point ({names})", "loss", "eigenvalues", "kind",
                                 "escape direction"]))
    else:
        out.append("no isolated critical points")
    if cs.families:
        out.append("")
        out.append(_plural(len(cs.families), "family of critical points:",
                           "families of critical points:"))
        for fam in cs.families:
            eqs = ", ".join(f"{show(e)} = 0" for e in fam.equations) or "everywhere"
            tag = " (global minima)" if fam.global_minimum else ""
            region = str(getattr(fam, "region", True))
            if region != "True":  # piecewise losses: the region the family lies in
                eqs = f"{eqs} where {region}" if fam.equations else region
            out.append(f"  {eqs}: dimension {fam.dimension}, {fam.kind.value}{tag}")
            out.append(f"      {fam.reason}")
            pieces = getattr(fam, "pieces", ())
            if len(pieces) > 1:  # the kind changes along the family
                for piece in pieces:
                    out.append(f"      {piece.condition}: {piece.kind.value}")
    out.append("")
    if cs.complete:
        verdict = "complete (proven)"
    elif str(getattr(cs.status, "value", cs.status)) == "timeout":
        verdict = "INCOMPLETE: the time budget ran out; the list above is what was found"
    else:
        verdict = f"not proven complete ({cs.status})"
    out.append(f"{verdict}; method: {cs.method}; {cs.elapsed:.2f} s")
    for note in cs.notes:
        out.append(f"note: {note}")
    return "\n".join(out)
