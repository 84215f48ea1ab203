"""Large Hessians symbolically: derivatives and code generation in symengine, not SymPy.

For a loss of many parameters SymPy's differentiation, common-subexpression elimination and
code printing of the n(n+1)/2 Hessian entries dominate (minutes at 100 parameters).
symengine differentiates the same exact expression in C++, shares subexpressions across all
entries (``cse=True``) and compiles them with LLVM at a low optimisation level, which keeps
the compile time to seconds; the entries are the same exact derivatives.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import sympy as sp

__all__ = ["hessian_kernel", "available"]


def available() -> bool:
    """Is symengine importable?"""
    try:
        import symengine  # noqa: F401
    except ImportError:
        return False
    return True


def hessian_kernel(expr: sp.Expr, params: Sequence[sp.Symbol],
                   data: Sequence[sp.Symbol]) -> tuple[Callable[..., Any], int]:
    """A native kernel of the upper-triangle Hessian entries of ``expr``, and their count.

    The kernel takes a ``(m, n + len(data))`` array (parameters, then data values) and
    ``out=`` of shape ``(m, n (n + 1) / 2)``, row-major upper triangle, as
    ``numpy.triu_indices(n)`` orders it.
    """
    import symengine as se

    exact = se.sympify(expr)
    variables = [se.sympify(p) for p in params]
    gradient = [se.diff(exact, p) for p in variables]
    entries = [se.diff(gradient[i], variables[j])
               for i in range(len(variables)) for j in range(i, len(variables))]
    args = variables + [se.sympify(d) for d in data]
    if getattr(se, "have_llvm", False):
        fn = se.Lambdify(args, entries, real=True, cse=True, backend="llvm", opt_level=0)
    else:
        fn = se.Lambdify(args, entries, real=True, cse=True, backend="lambda")
    return fn, len(entries)
