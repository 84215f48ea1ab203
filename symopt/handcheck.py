"""``so.check``: a student's hand derivation checked entry by entry against the exact one.

The student's gradient, Hessian, critical points with their kinds, and eigenpairs are
read with symopt's safe parser (or taken as functions) and compared exactly.  A wrong
entry is reported with the exact difference and a point where the difference is nonzero,
so the mistake can be seen by hand: for (1 - w1*w2)**2, writing d2L/dw1**2 = 0 gives the
difference -2*w2**2, which shows at (0, 1).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import sympy as sp

from .budget import Budget
from .classify import Kind, exact_sign
from .errors import BudgetExceeded
from .loss import Loss, as_loss
from .summary import short_number

__all__ = ["CheckEntry", "HandCheck", "check", "split_top_level"]

#: Coordinates tried, in this order, when looking for a point where a difference shows.
_WITNESS_VALUES = (0, 1, -1, 2, sp.Rational(1, 2), -2, 3)
_MAX_WITNESS_TRIES = 400
#: Relative tolerance for functions, which can only be compared in floating point.
_FUNCTION_RTOL = 1e-8

_KIND_WORDS = {"minimum": Kind.MINIMUM, "min": Kind.MINIMUM, "local minimum": Kind.MINIMUM,
               "global minimum": Kind.MINIMUM, "maximum": Kind.MAXIMUM, "max": Kind.MAXIMUM,
               "local maximum": Kind.MAXIMUM, "saddle": Kind.SADDLE,
               "saddle point": Kind.SADDLE}


@dataclass(frozen=True, kw_only=True)
class CheckEntry:
    """One checked entry of the derivation.

    Attributes
    ----------
    what : str
        Which entry: "dL/dw1", "d2L/dw1dw2", "kind at (0, 0)", "eigenpair at (0, 0)", ...
    expected, got : str
        The exact value and the student's.
    verdict : str
        "right", "wrong", or "undecided" (the difference could not be decided in time).
    difference : str or None
        ``got - expected``, exactly, for wrong expressions.
    witness : tuple of str or None
        A point where the difference is nonzero, and what each side gives there.
    note : str
        How it was decided (exactly, or numerically at k points for functions).
    """

    what: str
    expected: str
    got: str
    verdict: str
    difference: str | None = None
    witness: tuple[str, ...] | None = None
    witness_values: str | None = None
    note: str = "exact"

    @property
    def ok(self) -> bool:
        """True only when the entry was shown to be right."""
        return self.verdict == "right"

    def __str__(self) -> str:
        mark = {"right": "ok   ", "wrong": "WRONG", "undecided": "?    "}[self.verdict]
        line = f"{mark} {self.what}: got {self.got}"
        if self.verdict != "right":
            line += f", expected {self.expected}"
        if self.difference is not None:
            line += f"; difference {self.difference}"
        if self.witness is not None:
            line += f"; shows at ({', '.join(self.witness)})"
            if self.witness_values:
                line += f": {self.witness_values}"
        if self.note != "exact":
            line += f" [{self.note}]"
        return line


@dataclass(frozen=True, kw_only=True)
class HandCheck:
    """The result of :func:`check`: one entry per checked item, missing and extra points."""

    params: tuple[str, ...]
    entries: tuple[CheckEntry, ...]
    missing_points: tuple[tuple[str, ...], ...] = ()
    missing_families: tuple[str, ...] = ()
    extra_points: tuple[tuple[str, ...], ...] = ()
    points_complete: bool | None = None

    @property
    def ok(self) -> bool:
        """True only if every given entry is right and no critical point is missing or extra."""
        return (all(e.ok for e in self.entries) and not self.missing_points
                and not self.missing_families and not self.extra_points)

    @property
    def wrong(self) -> tuple[CheckEntry, ...]:
        """The entries that are not right."""
        return tuple(e for e in self.entries if not e.ok)

    def to_dict(self) -> dict[str, Any]:
        """The facts as JSON-ready values."""
        return {"ok": self.ok, "params": list(self.params),
                "entries": [{"what": e.what, "expected": e.expected, "got": e.got,
                             "verdict": e.verdict, "difference": e.difference,
                             "witness": None if e.witness is None else list(e.witness),
                             "witness_values": e.witness_values, "note": e.note}
                            for e in self.entries],
                "missing_points": [list(p) for p in self.missing_points],
                "missing_families": list(self.missing_families),
                "extra_points": [list(p) for p in self.extra_points],
                "points_complete": self.points_complete}

    def __str__(self) -> str:
        lines = [str(e) for e in self.entries]
        lines += [f"MISSING critical point ({', '.join(p)})" for p in self.missing_points]
        lines += [f"MISSING family of critical points {f}" for f in self.missing_families]
        lines += [f"EXTRA   ({', '.join(p)}) is not a critical point" for p in self.extra_points]
        wrong = len(self.wrong) + len(self.missing_points) + len(self.missing_families) \
            + len(self.extra_points)
        lines.append("all entries right" if self.ok else
                     f"{wrong} {'entry' if wrong == 1 else 'entries'} to correct")
        return "\n".join(lines)


# -- reading the student's work -------------------------------------------------------------
def split_top_level(text: str) -> list[str]:
    """Split ``text`` at the commas outside brackets (so ``log(x, 2), y`` has two parts).

    >>> split_top_level("log(x, 2), [a, b]")
    ['log(x, 2)', '[a, b]']
    """
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced brackets in {text[:60]!r}; check the closing "
                                 "brackets")
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if depth != 0:
        raise ValueError(f"unbalanced brackets in {text[:60]!r}; check the closing brackets")
    parts.append("".join(current).strip())
    return parts


def _unwrap(text: str) -> str:
    """``text`` without one pair of brackets around all of it."""
    text = text.strip()
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "()") and \
            len(split_top_level(text[1:-1])) >= 1 and _balanced_inside(text):
        return text[1:-1].strip()
    return text


def _balanced_inside(text: str) -> bool:
    depth = 0
    for ch in text[:-1]:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0:
            return False  # the first bracket closes before the end
    return True


class _Reader:
    """Turns the student's entries into expressions in the loss's own symbols."""

    def __init__(self, loss: Loss):
        self.loss = loss
        self.by_name = {p.name: p for p in loss.params}

    def expr(self, value: Any, what: str) -> sp.Expr:
        from .parse import parse_expression

        if isinstance(value, str):
            parsed = parse_expression(value)
        elif isinstance(value, sp.Basic):
            parsed = value
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{what}: give text such as '2*w1' or a number, got "
                            f"{type(value).__name__}")
        elif isinstance(value, float):
            parsed = sp.nsimplify(value, rational=True)
        else:
            parsed = sp.Integer(value)
        unknown = sorted(s.name for s in parsed.free_symbols if s.name not in self.by_name)
        if unknown:
            raise ValueError(f"{what} uses {unknown[0]!r}, which is not a parameter of the loss "
                             f"({', '.join(self.by_name)})")
        return parsed.xreplace({s: self.by_name[s.name] for s in parsed.free_symbols})

    def vector(self, value: Any, n: int, what: str) -> list[Any]:
        items = split_top_level(_unwrap(value)) if isinstance(value, str) else list(value)
        if len(items) != n:
            raise ValueError(f"{what} has {len(items)} entries; the loss has {n} parameters "
                             f"({', '.join(self.by_name)})")
        return items

    def point(self, value: Any, what: str) -> tuple[sp.Expr, ...]:
        from .parse import parse_point

        n = self.loss.n_params
        if isinstance(value, str):
            return parse_point(value, n)
        coords = [self.expr(c, what) for c in self.vector(value, n, what)]
        if any(c.free_symbols for c in coords):
            raise ValueError(f"{what} must be numbers, e.g. (0, 0)")
        return tuple(coords)


# -- comparing ------------------------------------------------------------------------------
def _show(point: Sequence[Any]) -> tuple[str, ...]:
    return tuple(str(c) for c in point)


def _witness(difference: sp.Expr, params: Sequence[sp.Symbol]) -> tuple[Any, ...] | None:
    """A small point (coordinates from 0, 1, -1, 2, ...) where ``difference`` is nonzero."""
    grid = itertools.islice(itertools.product(_WITNESS_VALUES, repeat=len(params)),
                            _MAX_WITNESS_TRIES)
    for point in grid:
        value = difference.xreplace(dict(zip(params, point)))
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            continue
        if exact_sign(value) not in (0, None):
            return point
    return None


def _compare(what: str, expected: sp.Expr, got: sp.Expr, loss: Loss,
             budget: Budget, show: Callable[[Any], str] = str) -> CheckEntry:
    params = loss.params
    try:
        difference = budget.run(lambda: sp.simplify(got - expected), fraction=0.2,
                                what=f"checking {what}")
    except BudgetExceeded:
        return CheckEntry(what=what, expected=show(expected), got=show(got), verdict="undecided",
                          note="the difference could not be simplified in time")
    if difference == 0:
        return CheckEntry(what=what, expected=show(expected), got=show(got), verdict="right")
    try:
        point = budget.run(lambda: _witness(difference, params), fraction=0.2,
                           what=f"a point where {what} differs")
    except BudgetExceeded:
        point = None
    if point is None:
        return CheckEntry(what=what, expected=show(expected), got=show(got), verdict="undecided",
                          difference=show(difference),
                          note="the difference did not simplify to 0 and no small point shows it")
    subs = dict(zip(params, point))
    values = (f"got {show(sp.simplify(got.xreplace(subs)))}, "
              f"expected {show(sp.simplify(expected.xreplace(subs)))}")
    return CheckEntry(what=what, expected=show(expected), got=show(got), verdict="wrong",
                      difference=show(sp.factor(difference)), witness=_show(point),
                      witness_values=values)


def _compare_function(what: str, expected: Sequence[sp.Expr], fn: Callable[[np.ndarray], Any],
                      names: Sequence[str], loss: Loss,
                      show: Callable[[Any], str] = str) -> list[CheckEntry]:
    """A function checked at small points against the exact entries (floating point)."""
    params = loss.params
    exact = [sp.lambdify(params, e, modules="mpmath") for e in expected]
    tried = 0
    first_wrong: dict[int, tuple[tuple, float, float]] = {}
    for point in itertools.islice(itertools.product(_WITNESS_VALUES, repeat=len(params)), 60):
        try:
            want = [float(f(*point)) for f in exact]
        except (ZeroDivisionError, ValueError, TypeError):
            continue
        if not np.all(np.isfinite(want)):
            continue
        got = np.asarray(fn(np.array([float(c) for c in point])), dtype=float).reshape(-1)
        if got.size != len(expected):
            raise ValueError(f"the {what} function returned {got.size} values at one point; "
                             f"expected {len(expected)}")
        tried += 1
        for k, (w, g) in enumerate(zip(want, got)):
            if k not in first_wrong and not np.isclose(g, w, rtol=_FUNCTION_RTOL, atol=1e-12):
                first_wrong[k] = (point, float(g), w)
    entries = []
    for k, (name, e) in enumerate(zip(names, expected)):
        note = f"function, compared numerically at {tried} points"
        if k in first_wrong:
            point, g, w = first_wrong[k]
            entries.append(CheckEntry(what=name, expected=show(e), got="(function)",
                                      verdict="wrong", witness=_show(point),
                                      witness_values=f"got {g:.12g}, expected {w:.12g}",
                                      note=note))
        else:
            entries.append(CheckEntry(what=name, expected=show(e), got="(function)",
                                      verdict="right" if tried else "undecided", note=note))
    return entries


# -- the check ------------------------------------------------------------------------------
def check(loss: Loss | str, *, gradient: Any = None, hessian: Any = None,
          critical_points: Iterable[Any] | None = None, kinds: Iterable[str] | None = None,
          eigenpairs: Iterable[Any] | None = None, timeout: float = 30,
          show: Callable[[Any], str] = str) -> HandCheck:
    """Check a hand derivation of ``loss`` entry by entry.

    Parameters
    ----------
    loss : Loss or str
    gradient : str, sequence, or callable, optional
        Comma-separated text (``"-2*w2*(1 - w1*w2), -2*w1*(1 - w1*w2)"``), a list of
        strings or numbers, or a function of the parameter vector.
    hessian : str, sequence of rows, or callable, optional
        Text such as ``"[[2*w2**2, 4*w1*w2 - 2], [4*w1*w2 - 2, 2*w1**2]]"``, a list of
        rows, or a function returning the n x n matrix.
    critical_points : sequence, optional
        Points such as ``[(0, 0)]`` or ``["(1, 1)"]``; compared with every critical point
        (a point on a family of critical points counts as critical).
    kinds : sequence of str, optional
        The kind of each of ``critical_points``: minimum, maximum or saddle.
    eigenpairs : sequence of (point, eigenvalue, vector), optional
        Hessian eigenpairs claimed at points, checked as H v = lambda v exactly.
    timeout : float
        Seconds for all the symbolic work.
    show : callable, optional
        How expressions are written in the entries (default ``str``; the command line
        passes the lecture's notation).

    Returns
    -------
    HandCheck
        ``.ok`` is True only if every given entry is right; ``.entries`` says what was
        checked, expected, got, the exact difference and a point where it shows.

    Examples
    --------
    >>> result = check("(1 - w1*w2)**2", gradient="w1, w2")
    >>> result.ok
    False
    >>> first = result.entries[0]
    >>> first.what, first.got, first.verdict, first.witness, first.witness_values
    ('dL/dw1', 'w1', 'wrong', ('0', '1'), 'got 0, expected -2')
    """
    loss = as_loss(loss, "check")
    budget = Budget(timeout)
    reader = _Reader(loss)
    params, n = loss.params, loss.n_params
    names = [p.name for p in params]
    entries: list[CheckEntry] = []
    exact_gradient = budget.run(lambda: loss.gradient, fraction=0.3, what="the gradient")
    if gradient is not None:
        labels = [f"dL/d{p}" for p in names]
        if callable(gradient):
            entries += _compare_function("gradient", list(exact_gradient), gradient, labels, loss,
                                         show)
        else:
            items = reader.vector(gradient, n, "the gradient")
            for label, item, want in zip(labels, items, exact_gradient):
                entries.append(_compare(label, want, reader.expr(item, label), loss, budget,
                                        show))
    if hessian is not None:
        exact_hessian = budget.run(lambda: loss.hessian, fraction=0.3, what="the Hessian")
        pairs = [(i, j) for i in range(n) for j in range(n)]
        labels = [f"d2L/d{names[i]}d{names[j]}" if i != j else f"d2L/d{names[i]}^2"
                  for i, j in pairs]
        if callable(hessian):
            entries += _compare_function("Hessian", [exact_hessian[i, j] for i, j in pairs],
                                         lambda x: np.asarray(hessian(x), float).reshape(-1),
                                         labels, loss, show)
        else:
            rows = reader.vector(hessian, n, "the Hessian")
            for i, row in enumerate(rows):
                cells = reader.vector(row, n, f"row {i + 1} of the Hessian")
                for j, cell in enumerate(cells):
                    label = labels[i * n + j]
                    entries.append(_compare(label, exact_hessian[i, j],
                                            reader.expr(cell, label), loss, budget, show))
    result = dict(params=tuple(names))
    if critical_points is not None:
        result.update(_check_points(loss, reader, list(critical_points), kinds, budget, entries))
    if eigenpairs is not None:
        for k, item in enumerate(eigenpairs):
            entries.append(budget.run(lambda: _check_eigenpair(loss, reader, item), fraction=0.5,
                                      what=f"eigenpair {k + 1}"))
    return HandCheck(entries=tuple(entries), **result)


def _check_points(loss: Loss, reader: _Reader, points: list[Any], kinds: Iterable[str] | None,
                  budget: Budget, entries: list[CheckEntry]) -> dict[str, Any]:
    from .critical import classify_point, critical_points as find_points

    kind_list = list(kinds) if kinds is not None else None
    if kind_list is not None and len(kind_list) != len(points):
        raise ValueError(f"{len(kind_list)} kinds for {len(points)} points; give one kind per "
                         "point")
    claimed = [reader.point(p, f"critical point {k + 1}") for k, p in enumerate(points)]
    analysis = find_points(loss, timeout=max(float(budget.remaining), 1e-3))
    params = loss.params
    found = [tuple(p.coords) for p in analysis.points]

    def same(a: Sequence[Any], b: Sequence[Any]) -> bool:
        return all(exact_sign(sp.nsimplify(x) - y) == 0 for x, y in zip(a, b))

    def family_of(point: Sequence[Any]) -> Any:
        subs = dict(zip(params, point))
        for family in analysis.families:
            if all(exact_sign(sp.simplify(e.xreplace(subs))) == 0 for e in family.equations):
                return family
        return None

    gradient = loss.gradient
    extra, touched_families, matched = [], set(), set()
    for k, point in enumerate(claimed):
        subs = dict(zip(params, point))
        residual = budget.run(lambda: [exact_sign(sp.simplify(g.xreplace(subs)))
                                       for g in gradient], fraction=0.5,
                              what=f"the gradient at critical point {k + 1}")
        if any(r != 0 for r in residual):
            extra.append(_show(point))
            continue
        index = next((i for i, c in enumerate(found) if same(point, c)), None)
        family = family_of(point) if index is None else None
        if index is not None:
            matched.add(index)
            wanted = analysis.points[index].kind
        elif family is not None:
            touched_families.add(analysis.families.index(family))
            wanted = family.kind
        else:  # critical, though the search did not list it (an incomplete search)
            wanted = Kind.INCONCLUSIVE
        if kind_list is None:
            continue
        if wanted is Kind.INCONCLUSIVE:
            wanted = classify_point(loss, point, timeout=max(float(budget.remaining), 1e-3)).kind
        said = kind_list[k].strip().lower()
        got = _KIND_WORDS.get(said)
        if got is None:
            raise ValueError(f"kind {kind_list[k]!r} is not known; use minimum, maximum or "
                             "saddle")
        entries.append(CheckEntry(what=f"kind at ({', '.join(_show(point))})",
                                  expected=wanted.value, got=said,
                                  verdict="right" if got is wanted else
                                  "undecided" if wanted is Kind.INCONCLUSIVE else "wrong"))
    missing = tuple(tuple(short_number(c, 24) for c in found[i]) for i in range(len(found))
                    if i not in matched)
    missing_families = tuple(", ".join(f"{e} = 0" for e in f.equations)
                             for i, f in enumerate(analysis.families) if i not in touched_families)
    return dict(missing_points=missing, missing_families=missing_families,
                extra_points=tuple(extra), points_complete=bool(analysis.complete))


def _check_eigenpair(loss: Loss, reader: _Reader, item: Any) -> CheckEntry:
    try:
        point, eigenvalue, vector = item
    except (TypeError, ValueError):
        raise ValueError("an eigenpair is (point, eigenvalue, vector), e.g. "
                         "((0, 0), -2, (1, 1))") from None
    p = reader.point(point, "the eigenpair's point")
    lam = reader.expr(eigenvalue, "the eigenvalue")
    v = sp.Matrix(reader.point(vector, "the eigenvector"))
    where = f"({', '.join(_show(p))})"
    what = f"eigenpair at {where}: lambda = {lam}, v = ({', '.join(_show(v))})"
    if all(c == 0 for c in v):
        return CheckEntry(what=what, expected="a nonzero vector", got="0", verdict="wrong")
    h = loss.hessian.xreplace(dict(zip(loss.params, p))).applyfunc(sp.simplify)
    hv = (h * v).applyfunc(sp.simplify)
    residual = (hv - lam * v).applyfunc(sp.simplify)
    if all(exact_sign(r) == 0 for r in residual):
        return CheckEntry(what=what, expected=f"H v = {lam} v", got=f"H v = {lam} v",
                          verdict="right")
    ratio = None  # is v an eigenvector with another eigenvalue?
    k = next(i for i, c in enumerate(v) if c != 0)
    candidate = sp.simplify(hv[k] / v[k])
    if all(exact_sign(sp.simplify(a - candidate * b)) == 0 for a, b in zip(hv, v)):
        ratio = candidate
    expected = (f"v is an eigenvector with eigenvalue {ratio}" if ratio is not None
                else "v is not an eigenvector of H there")
    return CheckEntry(what=what, expected=expected, got=f"eigenvalue {lam}", verdict="wrong",
                      difference=f"H v - lambda v = ({', '.join(map(str, residual))})",
                      witness=_show(p), witness_values=f"H v = ({', '.join(map(str, hv))})")
