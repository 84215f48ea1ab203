"""Rational answers of linear algebra over Q computed modulo primes and reconstructed.

Exact elimination over Q swells: the numbers in the middle grow far beyond those of the
answer.  Here the same computation runs modulo many word-sized primes (NumPy int64, primes
below 2**25 so that a dot product of up to 8192 terms cannot overflow), the residues are
combined by the Chinese remainder theorem, and each rational number is recovered by
rational reconstruction (Wang's method).  A result is accepted when one more prime agrees
with it; callers then verify it exactly, so a wrong reconstruction can cost time but never
correctness.
"""

from __future__ import annotations

from math import gcd, isqrt
from typing import Callable, Iterator, Sequence

import numpy as np
from sympy import prevprime

__all__ = ["inverse_mod_poly", "mulmod_poly", "polymulmod", "remainder_mod", "primes", "rational_reconstruction", "rref_mod", "solve_modular", "reduce_matrix",
           "UnluckyPrime"]

PRIME_BOUND = 1 << 25


class UnluckyPrime(Exception):
    """This prime divides a denominator or makes a pivot vanish; take the next one."""


def primes(start: int = PRIME_BOUND) -> Iterator[int]:
    """Primes below ``start``, descending."""
    p = start
    while p > 1 << 20:
        p = prevprime(p)
        yield p


def reduce_matrix(entries: Sequence[tuple[int, int, int, int]], shape: tuple[int, int],
                  p: int) -> np.ndarray:
    """A sparse rational matrix ``(row, col, numerator, denominator)`` modulo ``p``."""
    out = np.zeros(shape, dtype=np.int64)
    for i, j, num, den in entries:
        if den % p == 0:
            raise UnluckyPrime(p)
        out[i, j] = (num % p) * pow(den % p, -1, p) % p
    return out


def rref_mod(matrix: np.ndarray, p: int) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form modulo ``p`` and the pivot columns."""
    m = (matrix % p).astype(np.int64)
    rows, cols = m.shape
    pivots: list[int] = []
    row = 0
    for col in range(cols):
        if row == rows:
            break
        nonzero = np.nonzero(m[row:, col])[0]
        if len(nonzero) == 0:
            continue
        r = row + int(nonzero[0])
        if r != row:
            m[[row, r]] = m[[r, row]]
        m[row] = (m[row] * pow(int(m[row, col]), -1, p)) % p
        factors = m[:, col].copy()
        factors[row] = 0
        m = (m - np.outer(factors, m[row]) % p) % p
        pivots.append(col)
        row += 1
    return m, pivots


def polymulmod(a: np.ndarray, b: np.ndarray, monic: np.ndarray, p: int) -> np.ndarray:
    """``a * b`` modulo the monic ``monic`` and ``p`` (coefficients lowest degree first;
    ``monic`` without its leading 1)."""
    prod = np.zeros(len(a) + len(b) - 1, dtype=np.int64)
    for i, c in enumerate(a):
        if c:
            prod[i:i + len(b)] = (prod[i:i + len(b)] + int(c) * b) % p
    return remainder_mod(prod, monic, p)


def remainder_mod(poly: np.ndarray, monic: np.ndarray, p: int) -> np.ndarray:
    """``poly`` modulo the monic polynomial ``T**D + monic`` and ``p`` (lowest first)."""
    degree = len(monic)
    poly = poly.copy() % p
    for k in range(len(poly) - 1, degree - 1, -1):
        c = int(poly[k])
        if c:
            poly[k - degree:k] = (poly[k - degree:k] - c * monic) % p
            poly[k] = 0
    out = np.zeros(degree, dtype=np.int64)
    out[:min(degree, len(poly))] = poly[:degree]
    return out


def _trim(a: list[int]) -> list[int]:
    while a and a[-1] == 0:
        a.pop()
    return a


def _divmod_poly(a: list[int], b: list[int], p: int) -> tuple[list[int], list[int]]:
    a = a[:]
    inv = pow(b[-1], -1, p)
    quotient = [0] * max(len(a) - len(b) + 1, 1)
    for k in range(len(a) - len(b), -1, -1):
        c = a[k + len(b) - 1] * inv % p
        quotient[k] = c
        if c:
            for j, bj in enumerate(b):
                a[k + j] = (a[k + j] - c * bj) % p
    return _trim(quotient), _trim(a[:len(b) - 1])


def _mul_poly(a: list[int], b: list[int], p: int) -> list[int]:
    if not a or not b:
        return []
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] = (out[i + j] + x * y) % p
    return _trim(out)


def inverse_mod_poly(a: list[int], f: list[int], p: int) -> list[int] | None:
    """``a**-1`` modulo ``f`` and ``p`` (coefficients lowest first), None if not coprime."""
    r0, r1 = _trim([c % p for c in f]), _trim([c % p for c in a])
    s0, s1 = [], [1]
    while r1:
        q, r = _divmod_poly(r0, r1, p)
        qs = _mul_poly(q, s1, p)
        width = max(len(s0), len(qs))
        s_new = _trim([((s0[k] if k < len(s0) else 0) - (qs[k] if k < len(qs) else 0)) % p
                       for k in range(width)])
        r0, r1, s0, s1 = r1, r, s1, s_new
    if len(r0) != 1:
        return None
    inv = pow(r0[0], -1, p)
    return _divmod_poly(_mul_poly(s0, [inv], p), _trim([c % p for c in f]), p)[1] \
        if len(s0) >= len(f) else [c * inv % p for c in s0]


def mulmod_poly(a: list[int], b: list[int], f: list[int], p: int) -> list[int]:
    """``a * b`` modulo ``f`` and ``p`` (lowest first)."""
    return _divmod_poly(_mul_poly(a, b, p), _trim([c % p for c in f]), p)[1] \
        if len(a) + len(b) - 1 >= len(f) else _mul_poly(a, b, p)


def rational_reconstruction(a: int, modulus: int) -> tuple[int, int] | None:
    """``(r, s)`` with ``r/s = a`` modulo ``modulus``, ``|r|, s <= sqrt(modulus/2)``."""
    a %= modulus
    bound = isqrt(modulus // 2)
    r0, r1 = modulus, a
    s0, s1 = 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1 = r1, r0 - q * r1
        s0, s1 = s1, s0 - q * s1
    if s1 == 0 or abs(s1) > bound or gcd(r1, abs(s1)) != 1:
        return None
    if s1 < 0:
        r1, s1 = -r1, -s1
    return r1, s1


def _reconstruct_all(residues: list[int], modulus: int) -> list[tuple[int, int]] | None:
    out = []
    for a in residues:
        rs = rational_reconstruction(a, modulus)
        if rs is None:
            return None
        out.append(rs)
    return out


def solve_modular(compute: Callable[[int], list[int] | None], max_primes: int = 4000,
                  should_stop: Callable[[], bool] = lambda: False
                  ) -> list[tuple[int, int]] | None:
    """Rationals ``(numerator, denominator)`` whose residues modulo every prime ``p``
    are ``compute(p)`` (a flat list of ints, the same length for every prime).

    ``compute`` returns None (or raises :class:`UnluckyPrime`) for a prime to skip.
    Returns None when more than half of the first primes tried are skipped: the answer
    then most likely does not exist over Q (for example a singular matrix).
    """
    modulus, residues = 1, None
    tried = skipped = 0
    next_attempt = 1
    candidate = None
    for p in primes():
        if should_stop() or tried >= max_primes:
            return None
        tried += 1
        try:
            values = compute(p)
        except UnluckyPrime:
            values = None
        if values is None:
            skipped += 1
            if skipped > 3 and skipped * 2 > tried:
                return None
            continue
        if candidate is not None:
            if all((num - v * den) % p == 0 for (num, den), v in zip(candidate, values)):
                return candidate
            candidate = None
        if residues is None:
            residues = [v % p for v in values]
        else:
            # CRT: x = r (mod modulus), x = v (mod p)
            inv = pow(modulus % p, -1, p)
            residues = [r + modulus * (((v - r) * inv) % p) for r, v in zip(residues, values)]
        modulus *= p
        if tried - skipped >= next_attempt:
            next_attempt = max(next_attempt + 1, int(next_attempt * 1.5))
            candidate = _reconstruct_all(residues, modulus)
    return None
