"""Every entry of the validation set (tests/data/critical_points.json): all isolated
points found and none extra, kinds right, families right, completeness proven.

The expected values come from the validation file (published sources and 40-digit
Newton-polished roots), not from symopt.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symopt as so

DATA = json.loads((Path(__file__).parent / "data" / "critical_points.json").read_text())
ENTRIES = DATA["entries"]
KINDS = {"min": ("minimum", False), "max": ("maximum", False), "saddle": ("saddle", False),
         "degenerate-min": ("minimum", True), "degenerate-max": ("maximum", True),
         "degenerate-saddle": ("saddle", True)}
T_SYMBOL = sp.Symbol("t", real=True)
CROOTOF = re.compile(r"^CRootOf\((?P<poly>.+),\s*(?P<index>\d+)\)$")


def expected_number(text: str) -> sp.Expr:
    """A coordinate of the validation file: a number, a fraction or CRootOf(poly in t, k)."""
    match = CROOTOF.match(text.strip())
    if match:
        poly = sp.Poly(so.parse_expression(match["poly"]).subs(sp.Symbol("t", real=True), T_SYMBOL),
                       T_SYMBOL)
        return sp.CRootOf(poly, int(match["index"]))
    return so.parse_expression(text)


def expected_point(point: dict) -> tuple[np.ndarray, float]:
    """Coordinates as floats and the tolerance they were published with."""
    if "refined_point" in point:
        return np.array([float(expected_number(c)) for c in point["refined_point"]]), 1e-12
    coords = point["point"]
    rounded = any("." in c for c in coords)
    return np.array([float(sp.N(expected_number(c), 30)) for c in coords]), (1e-6 if rounded else 1e-12)


@pytest.fixture(scope="module")
def analyses():
    return {e["name"]: so.critical_points(so.Loss.parse(e["expr"], params=e["vars"]), timeout=60)
            for e in ENTRIES}


def ids(entries):
    return [e["name"] for e in entries]


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_all_isolated_points_found_and_none_extra(entry, analyses):
    cs = analyses[entry["name"]]
    assert cs.complete is entry["complete"] is True
    assert len(cs.points) == entry["n_critical_points_isolated"] == len(entry["critical_points"])
    found = np.array([p.numeric for p in cs.points])
    used = set()
    for point in entry["critical_points"]:
        coords, tol = expected_point(point)
        distances = np.abs(found - coords).max(axis=1)
        best = int(np.argmin(distances))
        assert distances[best] <= tol, f"{point['point']} not found (closest {found[best]})"
        assert best not in used
        used.add(best)


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_kinds_eigenvalues_and_escape_directions(entry, analyses):
    cs = analyses[entry["name"]]
    found = np.array([p.numeric for p in cs.points])
    for point in entry["critical_points"]:
        coords, tol = expected_point(point)
        cp = cs.points[int(np.argmin(np.abs(found - coords).max(axis=1)))]
        kind, degenerate = KINDS[point["kind"]]
        assert (cp.kind.value, cp.degenerate) == (kind, degenerate), point["point"]
        expected_eigen = sorted(float(v) for v in point["hessian_eigenvalues"])
        assert np.allclose(sorted(cp.eigenvalues_numeric), expected_eigen, rtol=1e-6, atol=1e-6)
        assert float(sp.N(cp.value)) == pytest.approx(float(point["f_value"]), rel=1e-8, abs=1e-8)
        expected_dirs = [np.array([float(c) for c in d]) for d in point.get("escape_directions", [])]
        ours = np.array(cp.escape_directions_numeric, dtype=float).reshape(
            len(cp.escape_directions), len(cs.loss.params))
        assert len(ours) == len(expected_dirs)
        for d in expected_dirs:  # each expected direction lies in the span of ours (unit norm)
            projection = ours.T @ (ours @ d) if len(ours) else np.zeros_like(d)
            assert np.linalg.norm(projection) == pytest.approx(1.0, abs=1e-6)
        for u in ours:
            assert np.linalg.norm(u) == pytest.approx(1.0, abs=1e-12)
        if "escape_note" in point:  # a saddle without a negative eigenvalue: a descent curve
            assert cp.escape_directions == ()
            assert cp.descent_curve is not None
            curve_value = cs.loss.expr.xreplace(dict(zip(cs.loss.params, cp.descent_curve)))
            for tt in (sp.Rational(1, 10), sp.Rational(1, 100), sp.Rational(1, 1000)):
                assert curve_value.subs(T_SYMBOL, tt) < cp.value


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_rational_coordinates_are_exact(entry, analyses):
    cs = analyses[entry["name"]]
    for point in entry["critical_points"]:
        texts = point["point"]
        if any("." in c or "CRootOf" in c for c in texts):
            continue
        exact = tuple(so.parse_expression(c) for c in texts)
        assert exact in [p.coords for p in cs.points]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "CRootOf" in json.dumps(e["critical_points"])],
                         ids=lambda e: e["name"])
def test_crootof_coordinates_are_exact_roots(entry, analyses):
    cs = analyses[entry["name"]]
    expected = {tuple(expected_number(c) for c in p["point"]) for p in entry["critical_points"]}
    got = {tuple(p.coords) for p in cs.points}
    assert got == expected


FAMILY_ENTRIES = [e for e in ENTRIES if e.get("families")]


@pytest.mark.parametrize("entry", FAMILY_ENTRIES, ids=ids(FAMILY_ENTRIES))
def test_families(entry, analyses):
    cs = analyses[entry["name"]]
    params = cs.loss.params
    assert len(cs.families) == len(entry["families"])
    for fam_expected in entry["families"]:
        equations = [so.parse_expression(e) for e in fam_expected["equations"]]
        match = [f for f in cs.families
                 if sp.groebner(list(f.equations), *params) == sp.groebner(equations, *params)]
        assert len(match) == 1, f"family {fam_expected['equations']} not found"
        fam = match[0]
        kind, degenerate = KINDS[fam_expected["kind"]]
        assert (fam.kind.value, fam.degenerate) == (kind, degenerate)
        for checked in fam_expected["checked"]:
            point = [so.parse_expression(c) for c in checked["point"]]
            assert all(e.xreplace(dict(zip(params, point))) == 0 for e in fam.equations)
            eig = cs.loss.hessian.xreplace(dict(zip(params, point))).eigenvals(multiple=True)
            assert sorted(eig) == sorted(so.parse_expression(v) for v in checked["hessian_eigenvalues"])
