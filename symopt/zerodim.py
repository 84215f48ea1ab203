"""Zero-dimensional systems solved exactly from one grevlex basis and its multiplication matrices.

The quotient ring A = Q[x]/I of a zero-dimensional ideal has the normal set of a grevlex
basis as a vector basis.  Multiplication by a linear form l = sum c_i x_i is a linear map
M_l of A.  The Krylov sequence 1, l, l**2, ... (normal forms, as vectors) gives, by one
exact elimination:

* the minimal polynomial mu(T) of l modulo I, the eliminant of l;
* when its degree is dim A and it is squarefree, I is radical and l separates the points
  (Stickelberger: the eigenvalues of M_l are the values of l at the points), and every
  coordinate is a polynomial in l: x_i = g_i(l), found by solving the same system.

That is a rational univariate representation of the points.  The elimination runs modulo
primes (:mod:`symopt.modular`); the result is then checked exactly, which proves it.  When the first forms tried do
not separate, the ideal is replaced by its radical (the squarefree part of each
coordinate's eliminant is added, Seidenberg's lemma) and more forms are tried.  Real points
are the real roots of the irreducible factors of mu, isolated exactly.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from math import gcd
from dataclasses import dataclass
from typing import Sequence

import sympy as sp
from sympy.polys import groebnertools as _groebnertools
from sympy.polys.groebnertools import groebner as _ring_groebner
from sympy.polys.monomials import monomial_divides
import numpy as np
from sympy.polys.rings import PolyElement, PolyRing

from .budget import Budget
from .errors import AlgorithmFailure
from .modular import (UnluckyPrime, inverse_mod_poly, mulmod_poly, polymulmod, primes,
                      reduce_matrix, rref_mod, solve_modular)

QQ = sp.QQ

__all__ = ["Quotient", "coordinates_on_factor", "divides", "grevlex_basis", "kronecker_mul",
           "quotient", "rational_univariate", "reduced_basis", "variable_blocks"]


def variable_blocks(polys: Sequence[sp.Poly], n: int) -> list[tuple[int, ...]]:
    """Groups of variable indices that no polynomial links: the connected components of
    the graph joining the variables of each polynomial (variables in no polynomial are
    left out)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    used: set[int] = set()
    for p in polys:
        present = [i for i, d in enumerate(p.degree_list()) if d > 0]
        used.update(present)
        for a, b in zip(present, present[1:]):
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in sorted(used):
        groups.setdefault(find(i), []).append(i)
    return [tuple(g) for g in groups.values()]


def grevlex_basis(polys: Sequence[sp.Expr], gens: tuple[sp.Symbol, ...],
                  budget: Budget) -> tuple[PolyRing, list[PolyElement]]:
    """The reduced grevlex Groebner basis (Faugere's F5B), computed block by block when
    the variables split into groups no equation links (the union of the blocks' bases is
    then a basis of the whole ideal: leading monomials of different blocks are coprime)."""
    ring = PolyRing(gens, QQ, "grevlex")
    elements = [ring.from_expr(sp.expand(p)) if not isinstance(p, PolyElement) else p
                for p in polys]
    elements = [e for e in elements if e]
    if any(e.is_ground for e in elements):
        return ring, [ring.one]
    sp_polys = [sp.Poly(e.as_expr(), *gens) for e in elements]
    blocks = variable_blocks(sp_polys, len(gens)) if elements else []
    basis: list[PolyElement] = []
    for block in blocks:
        members = [e for e, p in zip(elements, sp_polys)
                   if any(p.degree(gens[i]) > 0 for i in block)]
        part = budget.run(lambda: reduced_basis(members, ring),
                          what="grevlex Groebner basis")
        if part == [ring.one]:
            return ring, [ring.one]
        basis.extend(part)
    return ring, basis


_SYMPY_REDUCTION = _groebnertools.red_groebner  # SymPy's own interreduction
_MINIMAL_ONLY = threading.local()  # set only in a thread inside reduced_basis
_INSTALL_LOCK = threading.Lock()


def _reduction_by_thread(basis, ring):
    """SymPy's final interreduction in F5B, except in a thread that is inside
    :func:`reduced_basis`, which does its own.  The choice is per thread, so SymPy's
    ``groebner`` keeps its behaviour for every other caller, in any thread."""
    if getattr(_MINIMAL_ONLY, "active", False):
        return _minimal_only(basis, ring)
    return _SYMPY_REDUCTION(basis, ring)


def _install_dispatch() -> None:
    with _INSTALL_LOCK:
        if _groebnertools.red_groebner is not _reduction_by_thread:
            _groebnertools.red_groebner = _reduction_by_thread


def _minimal_only(basis, ring):
    """The minimal basis inside a Groebner basis (elements whose leading monomial no other
    leading monomial divides), not interreduced."""
    pending, kept = list(basis), []
    while pending:
        g = pending.pop()
        if not any(monomial_divides(f.LM, g.LM) for f in pending + kept):
            kept.append(g)
    return kept


def reduced_basis(polys: Sequence[PolyElement], ring: PolyRing) -> list[PolyElement]:
    """The reduced Groebner basis of ``polys`` (in ``ring``'s order) by Faugere's F5B.

    SymPy's F5B spends most of its time (three quarters on dense n=3 d=5) in the final
    interreduction, whose polynomial division finds each leading term by a scan of all
    terms.  Here F5B stops at a minimal basis (its reduction step is swapped out while the
    call runs, for this thread only) and the interreduction is done by
    :func:`_reduce_tails`, which keeps the terms still to be reduced in a heap."""
    _install_dispatch()
    _MINIMAL_ONLY.active = True
    try:
        minimal = _ring_groebner(list(polys), ring, method="f5b")
    finally:
        _MINIMAL_ONLY.active = False
    if any(g.is_ground for g in minimal):
        return [ring.one]
    return _reduce_tails([g.monic() for g in minimal], ring)


def _reduce_tails(basis: list[PolyElement], ring: PolyRing) -> list[PolyElement]:
    """Interreduce a minimal monic Groebner basis: every tail term reduced to normal form."""
    key = ring.order
    heads = [(g.LM, [(m, c) for m, c in g.terms() if m != g.LM]) for g in basis]
    out = []
    for g in basis:
        lead = g.LM
        todo = {m: c for m, c in g.items() if m != lead}
        heap = [tuple(-k for k in _flat(key(m))) + (m,) for m in todo]
        heapq.heapify(heap)
        result = {lead: ring.domain.one}
        while heap:
            m = heapq.heappop(heap)[-1]
            c = todo.pop(m, None)
            if not c:
                continue
            divisor = next((tail for lm, tail in heads if monomial_divides(lm, m)), None)
            if divisor is None:
                result[m] = c
                continue
            for lm, tail in heads:
                if tail is divisor:
                    u = tuple(a - b for a, b in zip(m, lm))
                    break
            for mono, cc in divisor:
                t = tuple(a + b for a, b in zip(u, mono))
                if t not in todo:
                    heapq.heappush(heap, tuple(-k for k in _flat(key(t))) + (t,))
                    todo[t] = -c * cc
                else:
                    todo[t] -= c * cc
        out.append(ring.from_dict(result))
    return sorted(out, key=lambda f: key(f.LM), reverse=True)


def _flat(k) -> tuple:
    """A monomial order's key (nested tuples of ints) as one flat tuple of ints."""
    out: list = []
    for part in k:
        if isinstance(part, tuple):
            out.extend(part)
        else:
            out.append(part)
    return tuple(out)


Entries = tuple[tuple[int, int, int, int], ...]  # sparse (row, col, numerator, denominator)


@dataclass(frozen=True)
class Quotient:
    """The quotient ring of a zero-dimensional ideal: its normal set and the matrices of
    multiplication by each variable (column j: the normal form of x_i * b_j), sparse."""

    ring: PolyRing
    basis: tuple[PolyElement, ...]
    normal_set: tuple[tuple[int, ...], ...]
    multiplication: tuple[Entries, ...]

    @property
    def dimension(self) -> int:
        return len(self.normal_set)


def _divides(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x <= y for x, y in zip(a, b))


def normal_set(leading: Sequence[tuple[int, ...]], n: int,
               limit: int = 8192) -> list[tuple[int, ...]] | None:
    """Monomials divisible by no leading monomial, by degree (1 first); None when there
    are infinitely many (the ideal is not zero-dimensional) or more than ``limit``."""
    if not all(any(m[i] > 0 and sum(m) == m[i] for m in leading) for i in range(n)):
        return None
    found = {(0,) * n}
    frontier = [(0,) * n]
    while frontier:
        nxt = []
        for m in frontier:
            for i in range(n):
                c = m[:i] + (m[i] + 1,) + m[i + 1:]
                if c not in found and not any(_divides(lm, c) for lm in leading):
                    found.add(c)
                    nxt.append(c)
        if len(found) > limit:
            return None
        frontier = nxt
    return sorted(found, key=lambda m: (sum(m), tuple(-e for e in reversed(m))))


def quotient(ring: PolyRing, basis: Sequence[PolyElement], budget: Budget,
             limit: int = 8192) -> Quotient | None:
    """Normal set and multiplication matrices, or None if the ideal is not
    zero-dimensional (or its quotient is larger than ``limit``)."""
    n = ring.ngens
    monomials = normal_set([g.LM for g in basis], n, limit)
    if monomials is None:
        return None
    index = {m: k for k, m in enumerate(monomials)}
    monic = [(g.LM, [(m, -c / g.LC) for m, c in g.terms()[1:]]) for g in basis]
    memo: dict[tuple[int, ...], dict[int, object]] = {}

    def normal_form(m: tuple[int, ...]) -> dict[int, object]:
        """NF(m) = NF(u * (LM(g) - g)) for a basis element g with LM(g) | m."""
        if m in index:
            return {index[m]: QQ.one}
        if m not in memo:
            lead, tail = next((lm, t) for lm, t in monic if _divides(lm, m))
            u = tuple(a - b for a, b in zip(m, lead))
            out: dict[int, object] = {}
            for mono, c in tail:
                for k, v in normal_form(tuple(a + b for a, b in zip(u, mono))).items():
                    out[k] = out.get(k, QQ.zero) + c * v
            memo[m] = {k: v for k, v in out.items() if v}
        return memo[m]

    def build() -> tuple[Entries, ...]:
        matrices = []
        for i in range(n):
            entries = []
            for j, b in enumerate(monomials):
                shifted = b[:i] + (b[i] + 1,) + b[i + 1:]
                for k, c in normal_form(shifted).items():
                    entries.append((k, j, int(c.numerator), int(c.denominator)))
            matrices.append(tuple(entries))
        return tuple(matrices)

    matrices = budget.run(build, what="multiplication matrices")
    return Quotient(ring, tuple(basis), tuple(monomials), matrices)


# -- Krylov sequences modulo primes ------------------------------------------------------------
def _krylov_rref(q: Quotient, weights: Sequence[int], p: int,
                 with_coordinates: bool) -> tuple[np.ndarray, list[int]]:
    """rref modulo p of [1, l, ..., l**D | x_1, ..., x_n] (normal forms as columns)."""
    size = q.dimension
    ml = np.zeros((size, size), dtype=np.int64)
    singles = []
    for w, entries in zip(weights, q.multiplication):
        m = reduce_matrix(entries, (size, size), p)
        singles.append(m[:, 0])
        if w:
            ml = (ml + (w % p) * m) % p
    columns = np.zeros((size, size + 1 + (len(singles) if with_coordinates else 0)),
                       dtype=np.int64)
    vector = np.zeros(size, dtype=np.int64)
    vector[0] = 1
    for k in range(size + 1):
        columns[:, k] = vector
        vector = (ml @ vector) % p
    if with_coordinates:
        for i, col in enumerate(singles):
            columns[:, size + 1 + i] = col
    return rref_mod(columns, p)


def _try_form(q: Quotient, weights, symbol, polys, budget: Budget):
    """``(mu, numerators)`` when ``l = weights . x`` separates the points of a radical
    ideal (checked exactly), else None; the points are ``x_i = h_i(t) / mu'(t)``."""
    size, n = q.dimension, q.ring.ngens

    def compute(p: int) -> list[int] | None:
        reduced, pivots = _krylov_rref(q, weights, p, True)
        if pivots[:size] != list(range(size)):
            return None
        solution = reduced[:size, size:]
        monic = (-solution[:, 0]) % p  # mu = T**size + sum monic[j] T**j
        derivative = np.array([(j + 1) * int(monic[j + 1]) % p for j in range(size - 1)]
                              + [size % p], dtype=np.int64)
        out = [int(v) for v in monic]
        for i in range(n):
            out.extend(int(v) for v in polymulmod(solution[:, 1 + i], derivative, monic, p))
        return out

    found = budget.run(lambda: solve_modular(compute, should_stop=lambda: budget.expired),
                       what="rational univariate representation")
    if found is None:
        return None
    values = [QQ(a, b) for a, b in found]
    mu = _univariate(values[:size] + [QQ.one], symbol)
    numerators = tuple(_univariate(values[size * (i + 1): size * (i + 2)], symbol)
                       for i in range(n))
    if not budget.run(lambda: _verified(mu, numerators, weights, polys, symbol),
                      what="exact check of the representation"):
        return None
    return mu, numerators


def _verified(mu: sp.Poly, numerators, weights, polys, symbol,
              derivative: sp.Poly | None = None) -> bool:
    """Exactly: ``mu`` is squarefree, ``sum w_i h_i = T d`` (when ``weights`` are given)
    and every polynomial vanishes at ``(h_1(T), ..., h_n(T)) / d(T)`` modulo ``mu``,
    where ``d`` is ``derivative`` (default ``mu'``)."""
    if mu.gcd(mu.diff()).degree() > 0:
        return False
    derivative = mu.diff() if derivative is None else derivative
    if weights is not None:
        form = sum((w * h for w, h in zip(weights, numerators)), sp.Poly(0, symbol, domain=QQ))
        if not (form - derivative * sp.Poly(symbol, symbol, domain=QQ)).rem(mu).is_zero:
            return False
    # x_i = h_i / mu' is unchanged when h_i and mu' are scaled alike: make them integers
    scale = 1
    for poly in (derivative, *numerators):
        for c in poly.all_coeffs():
            scale = scale * int(c.denominator) // gcd(scale, int(c.denominator))
    integer = [(h * scale).set_domain(sp.ZZ) for h in (derivative, *numerators)]
    modulus = mu.clear_denoms(convert=True)[1].primitive()[1]
    return all(divides(modulus, homogenised(f, integer[1:], integer[0])) for f in polys)


def divides(m: sp.Poly, f: sp.Poly) -> bool:
    """Whether the primitive integer polynomial ``m`` divides ``f`` (over Z, so over Q).

    The quotient is guessed from one big-integer division of the two polynomials' values
    at a large power of two, unpacked into coefficients, and accepted only when
    ``quotient * m == f`` exactly; otherwise the pseudo-remainder decides (slower)."""
    if f.is_zero:
        return True
    a, b = _low_first(f), _low_first(m)
    if len(a) >= len(b):
        bits = max(abs(c) for c in a).bit_length() + len(a) + 64
        q, r = divmod(_pack(a, bits), _pack(b, bits))
        if r == 0:
            quotient: list[int] = []
            _unpack(q, bits, len(a) - len(b) + 1, quotient)
            if kronecker_mul(quotient, b) == a:
                return True
    return f.prem(m).is_zero


def homogenised(f: PolyElement, numerators: Sequence[sp.Poly],
                denominator: sp.Poly) -> sp.Poly:
    """``denominator**deg f * f(h_1/denominator, ..., h_n/denominator)``, over Z.

    Horner's scheme in the last variable; the products of the other numerators and the
    denominator are built once each, every one from a smaller one by one product.  The
    products of these large integer polynomials are taken by Kronecker substitution
    (each polynomial packed into one integer, one big-integer product)."""
    symbol = denominator.gens[0]
    top = max(sum(m) for m in f.monoms())
    bases = [_low_first(denominator)] + [_low_first(h) for h in numerators[:-1]]
    last = _low_first(numerators[-1])
    table: dict[tuple[int, ...], list[int]] = {(0,) * len(bases): [1]}

    def product(key: tuple[int, ...]) -> list[int]:  # prod bases[j] ** key[j]
        if key not in table:
            j = max(i for i, e in enumerate(key) if e)
            smaller = key[:j] + (key[j] - 1,) + key[j + 1:]
            table[key] = kronecker_mul(product(smaller), bases[j])
        return table[key]

    common = 1
    for _, c in f.terms():
        common = common * int(c.denominator) // gcd(common, int(c.denominator))
    groups: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for monom, c in f.terms():
        key = (top - sum(monom),) + tuple(monom[:-1])
        groups.setdefault(monom[-1], []).append((key, int(c * common)))
    total: list[int] = []
    for b in range(max(groups), -1, -1):
        total = kronecker_mul(total, last) if total else []
        for key, c in groups.get(b, ()):
            term = product(key)
            if len(term) > len(total):
                total.extend([0] * (len(term) - len(total)))
            for k, v in enumerate(term):
                total[k] += c * v
    while total and total[-1] == 0:
        total.pop()
    return sp.Poly.from_list(list(reversed(total)) or [0], symbol, domain=sp.ZZ)


def _low_first(poly: sp.Poly) -> list[int]:
    return [int(c) for c in reversed(poly.all_coeffs())]


def kronecker_mul(a: list[int], b: list[int]) -> list[int]:
    """Product of integer polynomials (coefficients lowest degree first), by packing
    each into one integer with slots wide enough for any coefficient of the product."""
    if not a or not b:
        return []
    bound = max(map(abs, a)) * max(map(abs, b)) * min(len(a), len(b))
    if bound == 0:
        return [0] * (len(a) + len(b) - 1)
    bits = bound.bit_length() + 2
    product = _pack(a, bits) * _pack(b, bits)
    out: list[int] = []
    _unpack(product, bits, len(a) + len(b) - 1, out)
    return out


def _pack(coeffs: list[int], bits: int) -> int:
    """sum c_i 2**(i bits), halves first (linear in the size, not quadratic)."""
    if len(coeffs) <= 8:
        acc = 0
        for c in reversed(coeffs):
            acc = (acc << bits) + c
        return acc
    half = len(coeffs) // 2
    return _pack(coeffs[:half], bits) + (_pack(coeffs[half:], bits) << (half * bits))


def _unpack(value: int, bits: int, count: int, out: list[int]) -> None:
    """The inverse of _pack for ``count`` signed slots, each below 2**(bits - 2) in size
    (so every partial sum is a signed residue modulo its width)."""
    if count <= 8:
        mask, half = (1 << bits) - 1, 1 << (bits - 1)
        for _ in range(count):
            r = value & mask
            if r >= half:
                r -= 1 << bits
            out.append(r)
            value = (value - r) >> bits
        return
    low_count = count // 2
    width = low_count * bits
    low = value & ((1 << width) - 1)
    if low >= 1 << (width - 1):
        low -= 1 << width
    _unpack(low, bits, low_count, out)
    _unpack((value - low) >> width, bits, count - low_count, out)


def _eliminant(q: Quotient, i: int, symbol, budget: Budget) -> sp.Poly | None:
    """The minimal polynomial of x_i modulo the ideal, checked exactly; None if not found."""
    n, size = q.ring.ngens, q.dimension
    weights = [0] * n
    weights[i] = 1
    degrees = []
    for p in itertools.islice(primes(), 2):
        degrees.append(_krylov_rref(q, weights, p, False)[1].__len__())
    degree = max(degrees)

    def compute(p: int) -> list[int] | None:
        reduced, pivots = _krylov_rref(q, weights, p, False)
        if len(pivots) != degree:
            return None
        return [int(v) for v in reduced[:degree, degree]]

    found = budget.run(lambda: solve_modular(compute, should_stop=lambda: budget.expired),
                       what="eliminant")
    if found is None:
        return None
    mu = _univariate([-QQ(a, b) for a, b in found] + [QQ.one], symbol)
    element = q.ring.from_dict({tuple(e if k == i else 0 for k in range(n)): c
                                for (e,), c in mu.terms()})
    if budget.run(lambda: element.rem(list(q.basis)), what="exact check of an eliminant"):
        return None
    return mu


def _univariate(coeffs_low_first: Sequence, symbol: sp.Symbol) -> sp.Poly:
    return sp.Poly.from_list(list(reversed(list(coeffs_low_first))), symbol, domain=QQ)


def _forms(n: int):
    yield (0,) * (n - 1) + (1,)
    yield tuple(range(1, n + 1))
    for c in range(2, 12):
        yield tuple(c ** k for k in range(n - 1, -1, -1))
        yield tuple((-c) ** k for k in range(n - 1, -1, -1))


def rational_univariate(ring: PolyRing, basis: Sequence[PolyElement], symbol: sp.Symbol,
                        budget: Budget, generators: Sequence[PolyElement] | None = None
                        ) -> tuple[sp.Poly, tuple[sp.Poly, ...]] | None:
    """``(mu, (h_1, ..., h_n))``: the points of the zero-dimensional ideal are
    ``x_i = h_i(t) / mu'(t)`` for the roots t of the squarefree ``mu``, each once; None
    when the ideal is not zero-dimensional.  Raises AlgorithmFailure when no separating
    form is found.

    The representation is checked exactly: ``mu`` is squarefree of degree ``dim A``, the
    number of points counted with multiplicity (after passing to the radical: the number
    of distinct points), so none is missed; and every generator vanishes at the
    parametrised point.  ``generators`` (default: the basis) generate the ideal.
    """
    generators = list(basis if generators is None else generators)
    q = quotient(ring, basis, budget)
    if q is None:
        return None
    n = ring.ngens
    forms = list(itertools.islice(_forms(n), 24))
    for weights in forms[:2]:
        found = _try_form(q, weights, symbol, generators, budget)
        if found is not None:
            return found
    # make the ideal radical: add the squarefree part of each coordinate's eliminant
    extra = []
    for i in range(n):
        e = _eliminant(q, i, symbol, budget)
        if e is None:
            raise AlgorithmFailure(f"no eliminant found for {ring.symbols[i]}")
        e = e.sqf_part()
        extra.append(ring.from_dict({tuple(d if k == i else 0 for k in range(n)): c
                                     for (d,), c in e.terms()}))
    radical = budget.run(lambda: reduced_basis(list(basis) + extra, ring),
                         what="grevlex basis of the radical")
    q = quotient(ring, radical, budget)
    if q is None:
        raise AlgorithmFailure("the radical of a zero-dimensional ideal came out "
                               "positive-dimensional")
    for weights in forms:
        found = _try_form(q, weights, symbol, generators, budget)
        if found is not None:
            return found
    raise AlgorithmFailure(f"no separating linear form among the {len(forms)} tried for a "
                           f"system with {q.dimension} complex points")


def _residues(poly: sp.Poly, p: int) -> list[int]:
    """Coefficients of a rational polynomial modulo ``p``, lowest first."""
    out = []
    for c in reversed(poly.all_coeffs()):
        c = QQ.convert(c)
        den = int(c.denominator)
        if den % p == 0:
            raise UnluckyPrime(p)
        out.append(int(c.numerator) * pow(den, -1, p) % p)
    return out


def _integer(poly: sp.Poly) -> tuple[sp.Poly, int]:
    """``(P, c)`` with ``poly = P / c``, P over Z."""
    c = 1
    for a in poly.all_coeffs():
        d = int(QQ.convert(a).denominator)
        c = c * d // gcd(c, d)
    return (poly * c).set_domain(sp.ZZ), c


def coordinates_on_factor(factor: sp.Poly, numerators: Sequence[sp.Poly],
                          denominator: sp.Poly, budget: Budget) -> tuple[sp.Poly, ...]:
    """``h_i / d`` modulo the irreducible ``factor`` as polynomials of degree below its
    degree: computed modulo primes, then checked exactly (``g_i d = h_i`` modulo it)."""
    symbol = factor.gens[0]
    size = factor.degree()
    if size == 1:
        root = -QQ.convert(factor.all_coeffs()[1]) / QQ.convert(factor.all_coeffs()[0])
        d = QQ.convert(denominator.eval(root))
        return tuple(sp.Poly(QQ.convert(h.eval(root)) / d, symbol, domain=QQ)
                     for h in numerators)

    def compute(p: int) -> list[int] | None:
        f = _residues(factor, p)
        inverse = inverse_mod_poly(_residues(denominator, p), f, p)
        if inverse is None:
            return None
        out: list[int] = []
        for h in numerators:
            g = mulmod_poly(_residues(h, p), inverse, f, p)
            out.extend(g + [0] * (size - len(g)))
        return out

    found = budget.run(lambda: solve_modular(compute, should_stop=lambda: budget.expired),
                       what="coordinates on a factor")
    if found is None:
        raise AlgorithmFailure("the coordinates' denominator is not invertible on a factor")
    values = [QQ(a, b) for a, b in found]
    coords = tuple(_univariate(values[size * i: size * (i + 1)], symbol)
                   for i in range(len(numerators)))
    modulus = factor.clear_denoms(convert=True)[1]
    d_int, d_den = _integer(denominator)

    def check() -> bool:
        for g, h in zip(coords, numerators):
            g_int, g_den = _integer(g)
            h_int, h_den = _integer(h)
            if not (g_int * d_int * h_den - h_int * (g_den * d_den)).prem(modulus).is_zero:
                return False
        return True

    if not budget.run(check, what="exact check of the coordinates"):
        raise AlgorithmFailure("the coordinates on a factor failed their exact check")
    return coords
