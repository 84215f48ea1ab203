"""Exact symmetries of polynomial losses (signed permutations) and the orbits of their
critical points.  Groups are derived by hand; points come from msolve's reference file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp

import symopt as so
from symopt.msolve import find_msolve
from symopt.symmetry import SignedPermutation as G, point_orbits, symmetries

SCALE = {e["name"]: e for e in json.loads(
    (Path(__file__).parent / "data" / "scale_msolve.json").read_text())["entries"]}
needs_msolve = pytest.mark.skipif(find_msolve() is None, reason="msolve is not installed")


def group_of(text: str) -> set:
    loss = so.Loss.parse(text)
    return set(symmetries(sp.Poly(loss.expr, *loss.params)))


def test_scalar_chain_has_swap_and_joint_sign_flip():
    # (1 - w1 w2)^2: swapping w1, w2 and flipping both signs keep w1*w2; flipping one does not
    assert group_of("(1 - w1*w2)**2") == {G((0, 1), (1, 1)), G((0, 1), (-1, -1)),
                                          G((1, 0), (1, 1)), G((1, 0), (-1, -1))}


def test_triple_product_has_all_permutations_and_even_sign_flips():
    # x*y*z: 3! permutations times the 4 sign vectors with product +1
    found = group_of("x*y*z")
    assert len(found) == 24
    assert all(s[0] * s[1] * s[2] == 1 for s in (g.signs for g in found))


def test_no_symmetry_but_the_identity():
    assert group_of("x**3 + y + x*y**2 + 2*y**2") == {G((0, 1), (1, 1))}


def test_the_critical_set_reports_orbits_of_the_weight_decayed_chain():
    # (1 - ab)^2 + (a^2 + b^2)/10: origin, and +-(a, a) with a^2 = 1 - 1/10 (by hand:
    # b = a, a(a^2 - 1) + a/10 = 0); the sign flip maps one onto the other
    cs = so.critical_points("(1 - a*b)**2 + (a**2 + b**2)/10")
    assert cs.complete and len(cs.symmetries) == 4
    root = sp.sqrt(sp.Rational(9, 10))
    assert [p.coords for p in cs.points] == [(-root, -root), (0, 0), (root, root)]
    assert sorted(cs.orbits) == [(0, 2), (1,)]
    assert cs.points[0].kind is cs.points[2].kind is so.Kind.MINIMUM


def test_family_of_the_chain_maps_onto_itself():
    cs = so.critical_points("(1 - w1*w2)**2")
    assert cs.complete and cs.orbits == ((0,),) and len(cs.symmetries) == 4
    assert not any("not shown" in n for n in cs.notes)


#: the 2-2-2 network's hidden unit h: row h of W1 (w1_h1, w1_h2) and column h of W2
#: (w2_1h, w2_2h); its weight decays differ, so units do not swap, but each unit's sign
#: flips (W2 D D W1 with D = diag(+-1)) leave loss and decay unchanged
NAMES = ["w1_11", "w1_12", "w1_21", "w1_22", "w2_11", "w2_12", "w2_21", "w2_22"]
UNIT = {1: ("w1_11", "w1_12", "w2_11", "w2_21"), 2: ("w1_21", "w1_22", "w2_12", "w2_22")}


def _flip(*units) -> G:
    flipped = {n for u in units for n in UNIT[u]}
    return G(tuple(range(8)), tuple(-1 if n in flipped else 1 for n in NAMES))


def test_network_symmetries_are_the_hidden_unit_sign_flips():
    entry = SCALE["deeplin_l2_2-2-2_m2_seed1"]
    assert entry["vars"] == NAMES
    assert group_of(entry["expr"]) == {_flip(), _flip(1), _flip(2), _flip(1, 2)}


def test_msolve_reference_points_are_closed_under_the_flips():
    entry = SCALE["deeplin_l2_2-2-2_m2_seed1"]
    points = [[sp.Float(c, 30) for c in p] for p in entry["reference_real_critical_points"]]
    orbits, missing = point_orbits(points, [_flip(), _flip(1), _flip(2), _flip(1, 2)])
    assert missing == [] and sum(map(len, orbits)) == 17
    assert sorted(map(len, orbits)) == [1, 2, 2, 2, 2, 4, 4]
    # a list missing one image is caught
    _, missing = point_orbits(points[1:], [_flip(), _flip(1)])
    assert missing


@needs_msolve
def test_network_orbits_share_kind_value_and_eigenvalues():
    cs = so.critical_points(SCALE["deeplin_l2_2-2-2_m2_seed1"]["expr"], timeout=120)
    assert cs.complete and len(cs.points) == 17 and not cs.failures
    assert set(cs.symmetries) == {_flip(), _flip(1), _flip(2), _flip(1, 2)}
    assert sorted(map(len, cs.orbits)) == [1, 2, 2, 2, 2, 4, 4]
    for orbit in cs.orbits:
        first = cs.points[orbit[0]]
        for i in orbit[1:]:
            p = cs.points[i]
            assert p.kind is first.kind
            assert abs(p.numeric_value - first.numeric_value) < 1e-12
            assert all(abs(a - b) < 1e-12 for a, b in zip(p.eigenvalues_numeric,
                                                        first.eigenvalues_numeric))


@needs_msolve
def test_copied_classifications_match_the_hessian_at_each_point():
    # every point, copied through a symmetry or not: eigenvalues of the Hessian at its
    # 30-digit coordinates (mpmath, 50 digits) and the escape directions as eigenvectors
    import mpmath

    cs = so.critical_points(SCALE["deeplin_l2_2-2-2_m2_seed1"]["expr"], timeout=120)
    assert any("symmetric image" in n for n in cs.notes)
    hessian = cs.loss.hessian
    for p in cs.points:
        with mpmath.workdps(50):
            subs = dict(zip(cs.loss.params, p.coords))
            h = mpmath.matrix([[mpmath.mpf(str(sp.N(hessian[i, j].xreplace(subs), 50)))
                                for j in range(8)] for i in range(8)])
            values = sorted(mpmath.eigsy(h)[0])
            assert all(abs(a - b) < 1e-12 for a, b in zip(values, p.eigenvalues_numeric))
            negative = sum(1 for v in values if v < -1e-12)
            assert len(p.escape_directions) == negative
            for lam, v in zip(values, p.escape_directions_numeric):
                hv = h * mpmath.matrix(list(v))
                assert max(abs(hv[i] - lam * v[i]) for i in range(8)) < 1e-9
