"""Exact derivatives printed to ``jax.numpy``, run in float64 without touching JAX's global flag.

:func:`jax_kernel` turns a list of SymPy entries into a pure function of stacked points
``(..., a) -> (..., K)`` that JAX can trace, ``jit`` and put inside ``lax.scan``; over a
dataset it sums (or averages) the per-sample entries on the fly. :func:`float64` is the
context every symopt JAX program is traced and run in: ``jax.enable_x64(True)``, local to
the call, so ``import symopt`` (and other code in the process) keeps JAX's own default.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

__all__ = ["jax_modules", "float64", "jax_kernel", "require_jax", "JAX_HINT"]

JAX_HINT = 'pip install "symopt[jax]"'


def require_jax() -> Any:
    """The ``jax`` module, or an ImportError of one line naming the extra."""
    try:
        import jax
    except ImportError:
        raise ImportError(f"backend='jax' needs the optional package jax; install it with: "
                          f"{JAX_HINT}") from None
    return jax


def float64() -> AbstractContextManager:
    """Context in which JAX computes in float64 (local; the global flag is left alone).

    ``jax.enable_x64(True)`` in current JAX; ``jax.experimental.enable_x64()`` in the
    releases before it moved.
    """
    jax = require_jax()
    if callable(getattr(jax, "enable_x64", None)):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # older JAX
    return enable_x64()


def _logsumexp(*args: Any) -> Any:
    import jax.numpy as jnp
    from jax.scipy.special import logsumexp
    return logsumexp(jnp.stack(jnp.broadcast_arrays(*args)), axis=0)


def jax_modules() -> list[Any]:
    """What ``sympy.lambdify`` may call: symopt's own functions, then ``jax.numpy``."""
    return [{"LogSumExp": _logsumexp}, "jax"]


def jax_kernel(params: Sequence[sp.Symbol], extra: Sequence[sp.Symbol],
               data: Sequence[sp.Symbol], exprs: list[sp.Expr],
               columns: tuple[np.ndarray, ...], mean: bool, weighted: bool = False
               ) -> Callable[..., Any]:
    """A traceable ``f(points, columns) -> (..., K)`` for the entries ``exprs``.

    ``points`` stacks the parameters then the ``extra`` symbols (an hvp's direction) on its
    last axis. With data, ``columns`` are the data arrays (shape ``(N,)``) the per-sample
    entries are evaluated over, summed, and divided by N when ``mean``; the function's default
    ``columns`` are the whole dataset. With ``weighted``, the first entry is a per-sample
    weight ``f`` and the result is ``sum_i f_i e_ik`` over the other entries (``J^T f``).
    """
    import jax.numpy as jnp

    exprs = [e.replace(sp.DiracDelta, lambda *a: sp.S.Zero) if e.has(sp.DiracDelta) else e
             for e in exprs]
    args = list(params) + list(extra) + list(data)
    generated = sp.lambdify(args, exprs, modules=jax_modules(), cse=True, dummify=True)
    a = len(params) + len(extra)
    stored = tuple(jnp.asarray(c, dtype=jnp.float64) for c in columns) if data else ()

    def evaluate(points: Any, samples: tuple[Any, ...] | None = None, index: Any = None,
                 mask: Any = None) -> Any:
        """``samples``: data columns to use instead of the stored ones; or ``index``: an
        integer array of sample positions gathered from the stored columns inside the
        program. ``mask`` (0/1 floats, the shape of ``index``) drops padded positions: the
        sum runs over the kept samples and a mean divides by their number."""
        batch = points.shape[:-1]
        scalars = [points[..., i] for i in range(a)]
        if not data:
            entries = generated(*scalars)
            return jnp.stack([jnp.broadcast_to(e, batch) for e in entries], axis=-1)
        if index is not None:
            values = tuple(c[index] for c in stored)
        else:
            values = stored if samples is None else samples
        size = values[0].shape[0]
        entries = generated(*(s[..., None] for s in scalars), *values)
        shape = batch + (size,)
        # one (..., N, K) array summed over the samples as a dot product with ones: XLA
        # runs that as one matrix product, several times faster than K reductions
        if weighted:
            weight, entries = jnp.broadcast_to(entries[0], shape), entries[1:]
            if mask is not None:
                weight = weight * mask
        else:
            weight = jnp.ones(size, dtype=jnp.float64) if mask is None else mask
        # entries stacked as rows (..., K, N): each is written contiguously, no transpose
        stacked = jnp.stack([jnp.broadcast_to(e, shape) for e in entries], axis=-2)
        summed = jnp.einsum("...n,...kn->...k", weight, stacked)
        if not mean:
            return summed
        return summed / (size if mask is None else jnp.sum(mask))

    return evaluate
