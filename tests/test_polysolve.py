"""symopt's own exact solver: grevlex basis, multiplication matrices, a rational univariate
representation found modulo primes and checked exactly, certified real points."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symopt as so
from symopt.budget import Budget
from symopt.modular import rational_reconstruction
from symopt.polysolve import zero_dimensional_points
from symopt.zerodim import grevlex_basis, quotient, variable_blocks

SCALE = json.loads((Path(__file__).parent / "data" / "scale_msolve.json").read_text())["entries"]
x, y, z = sp.symbols("x y z")


def test_rational_reconstruction_recovers_a_fraction_from_its_residue():
    p = (1 << 61) - 1
    residue = -3 * pow(7, -1, p) % p
    assert rational_reconstruction(residue, p) == (-3, 7)


def test_quotient_dimension_is_the_number_of_complex_solutions():
    ring, basis = grevlex_basis([x**2 + y**2 - 4, x * y - 1], (x, y), Budget(30))
    assert quotient(ring, basis, Budget(30)).dimension == 4  # Bezout: 2 * 2, all finite


def test_positive_dimensional_ideal_has_no_finite_quotient():
    ring, basis = grevlex_basis([x * y], (x, y), Budget(30))
    assert quotient(ring, basis, Budget(30)) is None


def test_variable_blocks_split_separable_systems():
    polys = [sp.Poly(p, x, y, z) for p in (x**3 - x, y * z - 1, z**2 - 2)]
    assert sorted(variable_blocks(polys, 3)) == [(0,), (1, 2)]


def test_circle_and_hyperbola_meet_in_four_real_points():
    points = zero_dimensional_points([x**2 + y**2 - 4, x * y - 1], (x, y), Budget(60))
    got = sorted(tuple(float(c) for c in p.evalf(20)) for p in points)
    roots = [float(r) for r in (sp.sqrt(2 + sp.sqrt(3)), sp.sqrt(2 - sp.sqrt(3)))]
    expected = sorted((s * a, s / a) for a in roots for s in (1, -1))
    assert np.allclose(got, expected, atol=1e-15)


def test_non_radical_system_gives_its_point_once():
    points = zero_dimensional_points([x**3, (y - 1)**2 + x], (x, y), Budget(60))
    assert [tuple(float(c) for c in p.evalf(20)) for p in points] == [(0.0, 1.0)]


def test_no_real_points_when_all_solutions_are_complex():
    assert zero_dimensional_points([x**2 + 1, y - x], (x, y), Budget(30)) == []


def test_styblinski_tang_3d_has_the_product_of_the_cubic_roots():
    text = " + ".join(f"({v}**4 - 16*{v}**2 + 5*{v})/2" for v in "xyz")
    cs = so.critical_points(so.Loss.parse(text), timeout=300, solver="exact")
    roots = sorted(np.roots([2, 0, -16, 2.5]).real)  # d/dv of the 1-d term, times 1
    expected = sorted((a, b, c) for a in roots for b in roots for c in roots)
    assert cs.complete and len(cs.points) == 27
    assert np.allclose(sorted(p.numeric for p in cs.points), expected, atol=1e-12)
    # kinds: each coordinate at the outer roots is a 1-d minimum, at the middle a maximum
    minima = [p for p in cs.points if p.kind.value == "minimum"]
    maxima = [p for p in cs.points if p.kind.value == "maximum"]
    assert len(minima) == 8 and len(maxima) == 1


PURE = [e for e in SCALE if e["name"] in ("dense_n2_d5_s2", "dense_n3_d3_s3", "goldstein_price",
                                           "dense_n4_d3_s3", "weight_decay_chain2",
                                           "deeplin_l2_1-1-1-1_m1_seed1")]


@pytest.mark.parametrize("entry", PURE, ids=[e["name"] for e in PURE])
def test_exact_path_finds_msolves_reference_points(entry):
    cs = so.critical_points(so.Loss.parse(entry["expr"], params=entry["vars"]), timeout=300,
                            solver="exact")
    reference = sorted(tuple(float(c) for c in p) for p in entry["reference_real_critical_points"])
    assert cs.complete
    assert len(cs.points) == len(reference)
    assert np.allclose(sorted(p.numeric for p in cs.points), reference, atol=1e-14, rtol=0)


def test_unknown_solver_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="'auto', 'exact', 'msolve'"):
        so.critical_points("x**2", solver="fast")


def test_separable_system_with_several_irrational_groups_is_solved_by_groups():
    # x**3/3 - 2x, y**3/3 - 3y, z**4 apart: x = +-sqrt(2), y = +-sqrt(3), z = 0; the
    # second derivatives 2x, 2y, 0 make the two points with x*y < 0 saddles
    loss = so.Loss.parse("x**3/3 - 2*x + y**3/3 - 3*y + z**4")
    cs = so.critical_points(loss, timeout=120, solver="exact")
    assert len(cs.points) == 4
    got = {tuple(sp.nsimplify(c) for c in p.coords): p.kind.value for p in cs.points}
    r2, r3 = sp.sqrt(2), sp.sqrt(3)
    assert set(got) == {(a * r2, b * r3, 0) for a in (1, -1) for b in (1, -1)}
    assert got[(-r2, r3, 0)] == got[(r2, -r3, 0)] == "saddle"
    # semidefinite singular Hessians: z**4 rises, so (sqrt 2, sqrt 3, 0) is a minimum and
    # (-sqrt 2, -sqrt 3, 0) a saddle; the Hessian alone cannot tell, and no wrong kind
    # may be claimed
    assert got[(r2, r3, 0)] in ("minimum", "inconclusive")
    assert got[(-r2, -r3, 0)] in ("saddle", "inconclusive")


@pytest.mark.parametrize("name", ["goldstein_price", "dense_n2_d5_s2", "dense_n3_d3_s3"])
def test_reduced_basis_is_sympys_reduced_basis(name):
    from sympy.polys.rings import PolyRing
    from symopt.zerodim import reduced_basis

    entry = next(e for e in SCALE if e["name"] == name)
    loss = so.Loss.parse(entry["expr"], params=entry["vars"])
    reference = sp.groebner([sp.expand(g) for g in loss.gradient], *loss.params,
                            order="grevlex")
    ring = PolyRing(loss.params, sp.QQ, "grevlex")
    ours = reduced_basis([ring.from_expr(sp.expand(g)) for g in loss.gradient], ring)
    # a reduced basis is unique: the same monic polynomials, term by term
    assert sorted(ours, key=str) == sorted((ring.from_expr(e).monic() for e in reference.exprs),
                                           key=str)


def test_kronecker_product_is_the_convolution():
    from symopt.zerodim import kronecker_mul

    rng = np.random.default_rng(3)
    for _ in range(50):
        a = [int(v) * 10 ** 40 + 7 for v in rng.integers(-9, 9, rng.integers(1, 40))]
        b = [int(v) for v in rng.integers(-5, 5, rng.integers(1, 40))]
        expected = [0] * (len(a) + len(b) - 1)
        for i, u in enumerate(a):
            for j, v in enumerate(b):
                expected[i + j] += u * v
        assert kronecker_mul(a, b) == expected


def test_reduced_basis_leaves_sympy_groebner_alone_in_other_threads():
    """reduced_basis skips F5B's own interreduction only in its own thread: SymPy's groebner,
    called meanwhile from another thread, still returns the reduced basis (the same one as
    Buchberger's algorithm)."""
    import threading

    from symopt import zerodim

    x, y, z = sp.symbols("x y z")
    system = [x**2 + y*z - 2, x*y + z**2 - 1, x*z + y**2 - x]
    buchberger = sp.groebner(system, x, y, z, order="grevlex", method="buchberger")
    zerodim._install_dispatch()
    inside = threading.Event()
    release = threading.Event()

    def pretend_inside_reduced_basis():
        zerodim._MINIMAL_ONLY.active = True
        inside.set()
        release.wait(30)
        zerodim._MINIMAL_ONLY.active = False

    worker = threading.Thread(target=pretend_inside_reduced_basis)
    worker.start()
    try:
        inside.wait(30)
        f5b = sp.groebner(system, x, y, z, order="grevlex", method="f5b")
    finally:
        release.set()
        worker.join()
    assert list(f5b.exprs) == list(buchberger.exprs)


def test_separable_points_carry_eigenvalues_to_thirty_digits():
    """Styblinski-Tang in 2-D on the exact path: the Hessian is diag(6x^2 - 16, 6y^2 - 16),
    x and y roots of 2t^3 - 16t + 5/2; every eigenvalue agrees with that to 25 digits."""
    t = sp.Symbol("t")
    roots = [r for r in sp.Poly(4 * t**3 - 32 * t + 5, t).nroots(n=40) if r.is_real]
    cs = so.critical_points(
        so.Loss.parse("(x**4 - 16*x**2 + 5*x + y**4 - 16*y**2 + 5*y)/2", params=["x", "y"]),
        solver="exact", timeout=60)
    assert cs.complete and len(cs.points) == 9
    for point in cs.points:
        expected = sorted(6 * min(roots, key=lambda r: abs(r - c))**2 - 16
                          for c in point.numeric)
        for got, want in zip(point.eigenvalues, expected):
            assert abs(sp.Float(got, 40) - want) < sp.Float("1e-25")
