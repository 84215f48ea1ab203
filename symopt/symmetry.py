"""Exact symmetries of a polynomial loss, and the orbits of its critical points.

A *signed permutation* ``g = (perm, signs)`` acts on a point by
``g(x)_i = signs[i] * x[perm[i]]``.  It is a symmetry of ``L`` when ``L(g(x)) = L(x)``
identically, checked exactly on the expanded polynomial: for every monomial ``m`` with
coefficient ``c_m``, the monomial ``m'`` with ``m'[perm[i]] = m[i]`` has coefficient
``c_m * prod_i signs[i]**m[i]``.  Hidden-unit permutations and the sign flips of a hidden
unit (its incoming and outgoing weights together) of a network are such symmetries.

Since ``grad L(x) = g^T grad L(g(x))`` and ``H(x) = g^T H(g(x)) g`` with ``g`` orthogonal,
the image of a critical point is a critical point with the same value and the same
Hessian eigenvalues; an eigenvector ``v`` at ``x`` becomes ``g(v)`` at ``g(x)``.

The search is for small groups only: candidates are pruned by exact invariants of each
variable and each pair of variables (the coefficients' absolute values with the exponents
and degree of their monomials), the signs of each candidate permutation come from a linear
system over GF(2), and it stops past ``max_group`` elements or ``max_nodes`` steps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import sympy as sp

__all__ = ["SignedPermutation", "PointIndex", "symmetries", "point_orbits"]


@dataclass(frozen=True)
class SignedPermutation:
    """``x -> (signs[i] * x[perm[i]])_i``."""

    perm: tuple[int, ...]
    signs: tuple[int, ...]

    @property
    def is_identity(self) -> bool:
        return self.perm == tuple(range(len(self.perm))) and all(s == 1 for s in self.signs)

    def inverse(self) -> "SignedPermutation":
        perm = [0] * len(self.perm)
        signs = [1] * len(self.perm)
        for i, (s, j) in enumerate(zip(self.signs, self.perm)):
            perm[j], signs[j] = i, s
        return SignedPermutation(tuple(perm), tuple(signs))

    def __call__(self, x: Sequence) -> tuple:
        return tuple(s * x[j] for s, j in zip(self.signs, self.perm))

    def describe(self, names: Sequence[str]) -> str:
        return "(" + ", ".join(f"{'-' if s < 0 else ''}{names[j]}"
                               for s, j in zip(self.signs, self.perm)) + ")"


class TooLarge(Exception):
    """The group, or the search for it, is larger than allowed."""


def symmetries(poly: sp.Poly, max_group: int = 64,
               max_nodes: int = 20000) -> tuple[SignedPermutation, ...]:
    """Every signed permutation that leaves ``poly`` invariant (the identity included),
    exactly.  Raises :class:`TooLarge` past ``max_group`` elements or ``max_nodes``
    search steps."""
    n = len(poly.gens)
    terms = {m: c for m, c in poly.terms()}
    single = [Counter((abs(c), m[i], sum(m)) for m, c in terms.items() if m[i])
              for i in range(n)]
    pairs: dict[tuple[int, int], Counter] = {}

    def pair(i: int, k: int) -> Counter:
        key = (i, k)
        if key not in pairs:
            pairs[key] = Counter((abs(c), m[i], m[k], sum(m)) for m, c in terms.items()
                                 if m[i] or m[k])
        return pairs[key]

    found: list[SignedPermutation] = []
    perm: list[int] = []
    used = [False] * n
    nodes = 0

    def extend(i: int) -> None:
        nonlocal nodes
        if i == n:
            for signs in _signs_for(tuple(perm), terms, n):
                found.append(SignedPermutation(tuple(perm), signs))
                if len(found) > max_group:
                    raise TooLarge(f"more than {max_group} symmetries")
            return
        for j in range(n):
            nodes += 1
            if nodes > max_nodes:
                raise TooLarge(f"the search passed {max_nodes} steps")
            if used[j] or single[j] != single[i]:
                continue
            # the substitution x_i -> s_i x_j puts x_j where x_i was: same invariants
            if any(pair(k, i) != pair(perm[k], j) for k in range(i)):
                continue
            used[j] = True
            perm.append(j)
            extend(i + 1)
            perm.pop()
            used[j] = False

    extend(0)
    return tuple(found)


def _signs_for(perm: tuple[int, ...], terms: dict, n: int) -> list[tuple[int, ...]]:
    """All sign vectors s making x_i -> s_i x_perm(i) a symmetry of the polynomial
    ``terms`` (a dict monomial -> coefficient); [] when none does."""
    rows = []  # (bitmask of the odd exponents, rhs bit): prod s_i^m_i = c'/c
    for m, c in terms.items():
        image = [0] * n
        for i, e in enumerate(m):
            image[perm[i]] = e
        other = terms.get(tuple(image))
        if other is None or abs(other) != abs(c):
            return []
        mask = sum(1 << i for i, e in enumerate(m) if e % 2)
        rhs = 1 if other != c else 0
        if mask == 0:
            if rhs:
                return []
            continue
        rows.append((mask, rhs))
    # Gaussian elimination over GF(2)
    pivots: list[tuple[int, int, int]] = []  # (pivot bit, mask, rhs)
    for mask, rhs in rows:
        for bit, pmask, prhs in pivots:
            if mask >> bit & 1:
                mask ^= pmask
                rhs ^= prhs
        if mask == 0:
            if rhs:
                return []
            continue
        bit = mask.bit_length() - 1
        reduced = []
        for b, pm, pr in pivots:  # keep the basis fully reduced
            if pm >> bit & 1:
                pm ^= mask
                pr ^= rhs
            reduced.append((b, pm, pr))
        pivots = reduced + [(bit, mask, rhs)]
    pivot_bits = {b for b, _, _ in pivots}
    free = [i for i in range(n) if i not in pivot_bits]
    out = []
    for choice in range(1 << len(free)):
        e = [0] * n
        for k, i in enumerate(free):
            e[i] = choice >> k & 1
        for bit, pmask, prhs in pivots:  # e[bit] = rhs + sum of the other bits of the row
            value = prhs
            for i in range(n):
                if i != bit and pmask >> i & 1:
                    value ^= e[i]
            e[bit] = value
        out.append(tuple(-1 if b else 1 for b in e))
    return out


class PointIndex:
    """Points (tuples of mpmath numbers) found again to ``digits`` significant digits
    (relative to 1 + |x|): candidates by a float window on the first coordinate, then
    every coordinate compared at full precision."""

    def __init__(self, digits: int = 25):
        import mpmath

        self._mp = mpmath
        self._digits = digits
        self._keys: list[float] = []
        self._entries: list[tuple[tuple, object]] = []

    def add(self, values: Sequence, item: object) -> None:
        import bisect

        key = float(values[0]) if values else 0.0
        at = bisect.bisect_left(self._keys, key)
        self._keys.insert(at, key)
        self._entries.insert(at, (tuple(values), item))

    def find(self, values: Sequence):
        import bisect

        if not values:
            return self._entries[0][1] if self._entries else None
        key = float(values[0])
        window = 1e-9 * (1 + abs(key))
        lo = bisect.bisect_left(self._keys, key - window)
        hi = bisect.bisect_right(self._keys, key + window)
        with self._mp.workdps(self._digits + 15):
            tolerance = self._mp.mpf(10) ** -self._digits
            for stored, item in self._entries[lo:hi]:
                if all(abs(u - v) <= tolerance * (1 + abs(v)) for u, v in zip(values, stored)):
                    return item
        return None


def point_orbits(points: Sequence[Sequence], group: Sequence[SignedPermutation],
                 digits: int = 25) -> tuple[list[list[int]], list[tuple[int, SignedPermutation]]]:
    """The orbits of ``points`` (coordinates as SymPy numbers, mpmath numbers or floats,
    good to more than ``digits`` digits) under ``group``: lists of indices, and the
    (point, element) pairs whose image is not among the points.  Two points are the same
    when every coordinate agrees to ``digits`` significant digits (relative to 1 + |x|)."""
    import mpmath

    with mpmath.workdps(digits + 10):
        values = [[c if isinstance(c, mpmath.mpf) else mpmath.mpf(str(sp.N(c, digits + 10)))
                   for c in p] for p in points]
        index = PointIndex(digits)
        for i, p in enumerate(values):
            index.add(p, i)
        parent = list(range(len(points)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        missing = []
        for a, p in enumerate(values):
            for g in group:
                if g.is_identity:
                    continue
                match = index.find(g(p))
                if match is None:
                    missing.append((a, g))
                else:
                    parent[root(match)] = root(a)
        orbits: dict[int, list[int]] = {}
        for i in range(len(points)):
            orbits.setdefault(root(i), []).append(i)
    return sorted(orbits.values()), missing
