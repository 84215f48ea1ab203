"""NumPy code for compiled losses: generated kernels (SymPy lambdify or symengine) and their output.

Used by :mod:`symopt.numeric`: :func:`compile_kernel` turns the exact entries of one
quantity into one generated function, :func:`stack_into` writes what it returns into a
preallocated array.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from ..functions import NUMPY_FUNCTIONS

__all__ = ["Kernel", "compile_kernel", "stack_into", "symengine_module", "jax_installed"]

FAST_HINT = 'pip install "symopt[fast]"'

# What lambdify may call: symopt's stable functions, then SciPy's special functions
# (SciPy is a dependency), then NumPy.
_NUMPY_MODULES = [NUMPY_FUNCTIONS, "scipy", "numpy"]


@dataclass(frozen=True)
class Kernel:
    """One compiled quantity: ``fn`` returns ``n_outputs`` entries."""

    fn: Callable[..., Any]
    n_outputs: int
    n_intermediates: int
    native: bool  # True: symengine Lambdify taking one stacked input array


def stack_into(values: Sequence[Any], out: np.ndarray, axis: int) -> None:
    """Write the generated entries into ``out`` along ``axis``, no transposes.

    One strided assignment per entry (several times faster here than ``np.stack(out=)``);
    constant entries are broadcast. An entry that came out complex (a constant such as
    ``log(-2)`` in a derivative of ``(-2)**x``) keeps its real part only where its imaginary
    part is exactly 0; elsewhere the real loss has no such derivative, and the entry is NaN.
    """
    for k, value in enumerate(values):
        if np.iscomplexobj(value):
            value = np.where(np.imag(value) == 0, np.real(value), np.nan)
        if axis == -1:
            out[..., k] = value
        else:
            out[..., k, :] = value


def compile_kernel(args: Sequence[sp.Symbol], exprs: list[sp.Expr], backend: str,
                    name: str) -> Kernel:
    """One generated function returning every entry of ``exprs``.

    ``DiracDelta`` terms (from differentiating ``Abs``, ``Max``, ``Heaviside``) are
    zero wherever the derivative exists, so they compile to 0: exactly at a kink the
    result follows SymPy's convention for ``sign`` and ``Heaviside``, never infinity.
    """
    exprs = [e.replace(sp.DiracDelta, lambda *args: sp.S.Zero) if e.has(sp.DiracDelta) else e
             for e in exprs]
    # symopt's own functions (LogSumExp) have stable NumPy versions symengine lacks
    own = any(type(f).__name__ in NUMPY_FUNCTIONS for e in exprs for f in e.atoms(sp.Function))
    if backend == "symengine" and not own:
        try:
            return _compile_symengine(args, exprs)
        except (NotImplementedError, RuntimeError, TypeError, ValueError) as exc:
            warnings.warn(f"symengine could not compile the {name} ({exc}); "
                          "using the numpy backend for it", RuntimeWarning, stacklevel=5)
    counted: list[int] = []

    def counting_cse(expressions: Any) -> tuple[list, Any]:
        replacements, reduced = sp.cse(expressions, list=False)
        counted.append(len(replacements))
        return replacements, reduced

    fn = sp.lambdify(list(args), exprs, modules=_NUMPY_MODULES, cse=counting_cse,
                     dummify=True)
    return Kernel(fn=fn, n_outputs=len(exprs), n_intermediates=sum(counted), native=False)


def _compile_symengine(args: Sequence[sp.Symbol], exprs: list[sp.Expr]) -> Kernel:
    se = symengine_module()
    backend = "llvm" if getattr(se, "have_llvm", False) else "lambda"
    fn = se.Lambdify([se.sympify(a) for a in args], [se.sympify(e) for e in exprs],
                     real=True, cse=True, backend=backend)
    return Kernel(fn=fn, n_outputs=len(exprs), n_intermediates=0, native=True)


def jax_installed() -> bool:
    """Is JAX importable (without importing it)?"""
    return importlib.util.find_spec("jax") is not None


def symengine_module() -> Any:
    """The symengine module, or an ImportError naming the extra."""
    try:
        import symengine
    except ImportError:
        raise ImportError("backend='symengine' needs the optional package symengine; "
                          f'install it with: {FAST_HINT}') from None
    return symengine
