"""The msolve backend: finding the binary, its input, a safe reader of its output, and
the same points and kinds as symopt's exact path (run only when msolve is installed)."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp

import symopt as so
from symopt.budget import Budget
from symopt.errors import AlgorithmFailure
import symopt.msolve as msolve_module
from symopt.msolve import find_msolve, interpret, msolve_input, parse_output, run_msolve

DATA = Path(__file__).parent / "data" / "scale_msolve.json"
SCALE = json.loads(DATA.read_text())["entries"]
needs_msolve = pytest.mark.skipif(find_msolve() is None, reason="msolve is not installed")


def test_parser_reads_lists_integers_fractions_and_names():
    text = "[0, [1,\n[[[-3 / 2^1, 5 / 4], [1, 1]]]\n]]:"
    assert parse_output(text) == [0, [1, [[[Fraction(-3, 2), Fraction(5, 4)], [1, 1]]]]]
    assert parse_output("[-1]:") == [-1]
    assert parse_output("[1, 2, -1, []]:") == [1, 2, -1, []]
    assert parse_output("['x', 'y']") == [["x", "y"]] or parse_output("['x', 'y']") == ["x", "y"]


@pytest.mark.parametrize("text", ["[__import__('os').system('true')]", "[1, 2", "[1] [2]x",
                                  "[1e5]"])
def test_parser_refuses_anything_else(text):
    with pytest.raises(AlgorithmFailure):
        parse_output(text)


def test_input_file_has_variables_characteristic_and_integer_polynomials():
    x, y = sp.symbols("x y")
    polys = [sp.Poly(x**2 / 2 - 3 * y, x, y), sp.Poly(x * y - 1, x, y)]
    assert msolve_input(polys, ["x0", "x1"]) == "x0,x1\n0\n1*x0^2-6*x1,\n1*x0*x1-1\n"


def test_parametrization_is_read_into_coordinates():
    # msolve -P 1 on x^2 + y^2 - 4, x*y - 1 (its output, abridged): T = y, x = 1/T
    parsed = parse_output("[0, [0, 2, 4, ['x', 'y'], [0, 1], [1, [[4, [1, 0, -4, 0, 1]], "
                          "[3, [0, -8, 0, 4]], [[[3, [8, 0, -4, 0]], 1]]]]], [1, []]]:")
    T = sp.Symbol("T")
    found = interpret(parsed, ["x", "y"], T)
    x_of_t = sp.cancel(found.numerators[0].as_expr() / found.denominator.as_expr())
    y_of_t = sp.cancel(found.numerators[1].as_expr() / found.denominator.as_expr())
    assert sp.simplify(x_of_t - 1 / T) == 0 and sp.simplify(y_of_t - T) == 0


def test_environment_variable_names_the_binary(monkeypatch, tmp_path):
    monkeypatch.setenv("SYMOPT_MSOLVE", str(tmp_path / "missing"))
    assert find_msolve() is None


@needs_msolve
def test_real_roots_of_a_small_system_match_the_hand_solution():
    x, y = sp.symbols("x y")
    found = run_msolve([sp.Poly(x**2 + y**2 - 4, x, y), sp.Poly(x * y - 1, x, y)], Budget(30))
    # x**2 = 2 +- sqrt(3), y = 1/x: four real points
    expected = sorted(float(v) for v in (sp.sqrt(2 + sp.sqrt(3)), sp.sqrt(2 - sp.sqrt(3)),
                                         -sp.sqrt(2 + sp.sqrt(3)), -sp.sqrt(2 - sp.sqrt(3))))
    lows = sorted(float(box[0][0]) for box in found.boxes)
    assert found.status == "points" and lows == pytest.approx(expected, abs=1e-12)


def _dense(n: int, d: int, seed: int) -> str:
    rng = random.Random(seed)
    names = [f"x{i + 1}" for i in range(n)]
    terms = []
    for total in range(d + 1):
        for combo in sp.utilities.iterables.multiset_combinations(names * total, total) \
                if total else [()]:
            c = rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])
            terms.append(f"({c})*" + ("*".join(combo) if combo else "1"))
    return " + ".join(terms)


CASES = [e for e in SCALE if e["name"] in ("dense_n2_d5_s3", "dense_n3_d3_s2",
                                            "weight_decay_chain2",
                                            "deeplin_l2_1-1-1-1_m1_seed1")]


def _by_solver(text: str, params, solver: str):
    return so.critical_points(so.Loss.parse(text, params=params), timeout=120, solver=solver)


@needs_msolve
@pytest.mark.parametrize("boxes", [False, True], ids=["exact-points", "certified-boxes"])
@pytest.mark.parametrize("entry", CASES, ids=[e["name"] for e in CASES])
def test_both_paths_find_the_same_points_and_kinds(entry, boxes, monkeypatch):
    if boxes:  # msolve's points as Krawczyk boxes even on small systems
        monkeypatch.setattr(msolve_module, "EXACT_DEGREE", 0)
    exact = _by_solver(entry["expr"], entry["vars"], "exact")
    fast = _by_solver(entry["expr"], entry["vars"], "msolve")
    assert exact.complete and fast.complete
    a = sorted((p.numeric, p.kind) for p in exact.points)
    b = sorted((p.numeric, p.kind) for p in fast.points)
    assert len(a) == len(b) == len(entry["reference_real_critical_points"])
    for (pa, ka), (pb, kb) in zip(a, b):
        assert pa == pytest.approx(pb, abs=1e-14) and ka is kb


def _dense_loss_and_msolve_boxes(n, d, seed):
    """The generated dense loss in n variables of degree d, and msolve's boxes around the
    real solutions of its gradient system."""
    loss = so.Loss.parse(_dense(n, d, seed), params=[f"x{i + 1}" for i in range(n)])
    grad = [sp.Poly(g, *loss.params, domain="QQ") for g in loss.gradient]
    return loss, run_msolve(grad, Budget(60)).boxes


@needs_msolve
@pytest.mark.parametrize("n, d, seed", [(2, 4, 7), (3, 3, 11)])
def test_generated_dense_systems_agree_with_msolve_boxes(n, d, seed):
    loss, boxes = _dense_loss_and_msolve_boxes(n, d, seed)
    cs = so.critical_points(loss, timeout=120, solver="exact")
    assert cs.complete and len(cs.points) == len(boxes)
    for box in boxes:  # every msolve box holds exactly one of symopt's points
        inside = [p for p in cs.points
                  if all(lo - Fraction(1, 10**12) <= Fraction(c) <= hi + Fraction(1, 10**12)
                         for c, (lo, hi) in zip(p.numeric, box))]
        assert len(inside) == 1


def _kinds_at_50_digits(entry) -> list[str]:
    params = sp.symbols(entry["vars"])
    f = sp.sympify(entry["expr"])  # fixed reference data, not user input
    hessian = sp.hessian(f, params)
    kinds = []
    with mpmath.workdps(50):
        for point in entry["reference_real_critical_points"]:
            subs = {p: mpmath.mpf(v) for p, v in zip(params, point)}
            h = mpmath.matrix([[mpmath.mpf(str(sp.N(e.subs(subs), 50))) for e in row]
                               for row in hessian.tolist()])
            values = mpmath.eigsy(h)[0]
            kinds.append("minimum" if min(values) > 0 else "maximum" if max(values) < 0
                         else "saddle")
    return sorted(kinds)


KIND_CASES = [e for e in SCALE if e["name"] in ("dense_n2_d6_s2", "dense_n4_d3_s2",
                                                 "deeplin_l2_1-1-1-1-1_m1_seed1",
                                                 "dense_n3_d6_s2", "dense_n4_d4_s2",
                                                 "deeplin_l2_2-2-2_m2_seed1")]


@needs_msolve
@pytest.mark.parametrize("entry", KIND_CASES, ids=[e["name"] for e in KIND_CASES])
def test_kinds_match_hessian_eigenvalues_at_msolve_points(entry):
    cs = _by_solver(entry["expr"], entry["vars"], "msolve")
    assert cs.complete
    assert sorted(p.kind.value for p in cs.points) == _kinds_at_50_digits(entry)
    # coordinates agree with msolve's 30-digit midpoints to 25 digits: each reference
    # point has exactly one computed point that close (matched, not sorted, since
    # coordinates that are 0 up to 1e-90 would order the tuples arbitrarily)
    got = [tuple(sp.Rational(str(sp.N(c, 40))) for c in p.coords) for p in cs.points]
    reference = [tuple(sp.Rational(c) for c in p)
                 for p in entry["reference_real_critical_points"]]
    assert len(got) == len(reference)
    for b in reference:
        close = [a for a in got if all(abs(u - v) < sp.Rational(1, 10**25)
                                       for u, v in zip(a, b))]
        assert len(close) == 1


@needs_msolve
@pytest.mark.parametrize("text, expected", [
    # by hand: the origin is a degenerate minimum (x**4 + y**2 >= 0 = its value there)
    ("x**4 + y**2", [((0.0, 0.0), "minimum")]),
    # gradient (6x(x**2 - 2)**2, 2y): the origin (Hessian diag(24, 2)) a minimum, and
    # x = +-sqrt(2), where the Hessian is singular: as symopt's exact path decides them
    ("(x**2 - 2)**3 + y**2", None),
])
def test_degenerate_points_leave_the_box_route_for_the_exact_one(text, expected, monkeypatch):
    monkeypatch.setattr(msolve_module, "EXACT_DEGREE", 0)  # boxes even on a small system
    fast = so.critical_points(text, timeout=120, solver="msolve")
    exact = so.critical_points(text, timeout=120, solver="exact")
    got = [(tuple(round(c, 12) for c in p.numeric), p.kind.value) for p in fast.points]
    reference = [(tuple(round(c, 12) for c in p.numeric), p.kind.value) for p in exact.points]
    assert fast.complete and got == reference
    if expected is not None:
        assert got == expected
    else:
        assert [(round(p.numeric[0] ** 2, 12), p.numeric[1]) for p in fast.points] == [
            (2.0, 0.0), (0.0, 0.0), (2.0, 0.0)]
        assert fast.points[1].kind.value == "minimum"


@needs_msolve
@pytest.mark.parametrize("n, d, seed", [(3, 5, 5), (4, 4, 9)])
def test_generated_systems_on_the_box_route_match_msolve_boxes_and_hessians(n, d, seed):
    # more than 16 complex solutions: msolve's points come back as certified boxes
    loss, boxes = _dense_loss_and_msolve_boxes(n, d, seed)
    gens = loss.params
    cs = so.critical_points(loss, timeout=120, solver="msolve")
    assert cs.complete and len(cs.points) == len(boxes)
    hessian = sp.hessian(loss.expr, gens)
    slack = Fraction(1, 10**28)  # coordinates are given to 30 significant digits
    for box in boxes:  # every msolve box holds exactly one of symopt's points ...
        inside = [p for p in cs.points
                  if all(lo - slack <= Fraction(str(c)) <= hi + slack
                         for c, (lo, hi) in zip(p.coords, box))]
        assert len(inside) == 1
        # ... of the kind the 50-digit Hessian eigenvalues at msolve's midpoint give
        with mpmath.workdps(50):
            subs = {g: sp.Rational((lo + hi) / 2) for g, (lo, hi) in zip(gens, box)}
            h = mpmath.matrix([[mpmath.mpf(str(sp.N(e.xreplace(subs), 50))) for e in row]
                               for row in hessian.tolist()])
            values = mpmath.eigsy(h)[0]
        kind = ("minimum" if min(values) > 0 else "maximum" if max(values) < 0
                else "saddle")
        assert inside[0].kind.value == kind


@needs_msolve
def test_eigenvalues_of_box_points_match_50_digit_hessians():
    # dense n=3, d=6: 125 complex solutions, so msolve's points are certified boxes
    entry = next(e for e in SCALE if e["name"] == "dense_n3_d6_s2")
    cs = _by_solver(entry["expr"], entry["vars"], "msolve")
    params = sp.symbols(entry["vars"])
    hessian = sp.hessian(sp.sympify(entry["expr"]), params)  # fixed reference data
    assert cs.complete and len(cs.points) == len(entry["reference_real_critical_points"])
    for point in entry["reference_real_critical_points"]:
        (found,) = [p for p in cs.points
                    if all(abs(float(c) - float(v)) < 1e-12 for c, v in zip(p.coords, point))]
        with mpmath.workdps(50):
            subs = {p: sp.Rational(v) for p, v in zip(params, point)}
            h = mpmath.matrix([[mpmath.mpf(str(sp.N(e.xreplace(subs), 50))) for e in row]
                               for row in hessian.tolist()])
            reference = sorted(mpmath.eigsy(h)[0])
            for got, want in zip(found.eigenvalues, reference):
                # msolve's midpoints carry 30 digits, so the reference does too
                assert abs(mpmath.mpf(str(got)) - want) < mpmath.mpf(10) ** -24 * (1 + abs(want))
        negative = sum(1 for v in reference if v < 0)
        assert len(found.escape_directions) == negative
        for direction in found.escape_directions:  # unit vectors with H d = lambda d, lambda < 0
            d = np.array([float(c) for c in direction])
            hf = np.array([[float(x) for x in row] for row in h.tolist()])
            assert np.linalg.norm(d) == pytest.approx(1, abs=1e-12)
            assert d @ hf @ d < 0


@needs_msolve
def test_rational_points_on_the_box_route_stay_exact():
    # msolve's parametrization has degree 17: beyond 16, so the box route.  By hand: at
    # the origin the Hessian of (1 - a*b*c)**2 is 0 and that of the decay term is I/5
    cs = so.critical_points("(1 - a*b*c)**2 + (a**2 + b**2 + c**2)/10", timeout=120,
                            solver="msolve")
    assert cs.complete and len(cs.points) == 9
    (origin,) = [p for p in cs.points if p.coords == (0, 0, 0)]
    assert origin.exact and origin.eigenvalues == (sp.Rational(1, 5),) * 3
    assert origin.kind.value == "minimum"


# -- exact coordinates of certified-box points, on demand --------------------------------
#: Separable: d/dx = x**3 - 3x - 1, d/dy = y**3 - 3y + 1, d/dz = z**3 - 3z - 1, so the
#: 27 critical points are all triples of real roots of these cubics (each has three real
#: roots, 2cos(2 pi k / 9)-type numbers).  27 > EXACT_DEGREE, so msolve's points are boxes.
_CUBICS = "(x**4/4 - 3*x**2/2 - x) + (y**4/4 - 3*y**2/2 + y) + (z**4/4 - 3*z**2/2 - z)"


def _cubic_roots(sign: int) -> list:
    t = sp.Symbol("t")
    return sp.Poly(t ** 3 - 3 * t + sign, t).real_roots()  # ascending, exact CRootOf


def _expected_exact(point) -> tuple:
    """Independent exact coordinates: the root of each cubic nearest the 30-digit value."""
    out = []
    for c, sign in zip(point.numeric, (-1, 1, -1)):
        out.append(min(_cubic_roots(sign), key=lambda r: abs(float(r) - c)))
    return tuple(out)


@needs_msolve
def test_box_points_give_exact_coordinates_lazily_and_after_pickling():
    import pickle

    cs = so.critical_points(_CUBICS, solver="msolve")
    assert cs.complete and len(cs.points) == 27
    assert not any(p.exact for p in cs.points)  # certified boxes, 30 digits
    seen = set()
    for point in cs.points[:4]:
        exact = point.exact_coords(timeout=60)
        assert exact == _expected_exact(point)
        assert point.exact_coords() is exact  # computed once, kept
        seen.add(exact)
    assert len(seen) == 4
    # a pickled record still gets them (by solving again and taking the point in its box)
    for point in (cs.points[13], cs.points[26]):
        copy = pickle.loads(pickle.dumps(point))
        assert copy == point
        assert copy.exact_coords(timeout=60) == _expected_exact(point)


def test_exact_points_return_their_coordinates_and_numeric_points_say_why_not():
    cs = so.critical_points(_CUBICS, solver="exact")
    assert all(p.exact for p in cs.points)
    assert cs.points[0].exact_coords() == cs.points[0].coords == _expected_exact(cs.points[0])
    numeric = so.critical_points("sin(x) + x**2/10", timeout=20)
    with pytest.raises(AlgorithmFailure, match="located numerically"):
        numeric.points[0].exact_coords()
