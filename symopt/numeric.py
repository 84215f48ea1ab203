"""Compiled numeric losses: exact derivatives as fast NumPy functions with fixed shapes.

:func:`compile` turns a :class:`~symopt.loss.Loss` into a :class:`NumericLoss` whose
``value``, ``grad``, ``hess`` and ``hvp`` take one point ``theta`` of shape ``(n,)`` or
a batch of shape ``(..., n)`` and always return shapes ``(...)``, ``(..., n)`` and
``(..., n, n)``.  Each quantity is one generated function (``sympy.lambdify`` with
common-subexpression elimination) returning all its entries, compiled on first use.

A data loss is never expanded into its N-term sum: the per-sample expressions are
evaluated vectorised over the samples and then averaged (or summed), optionally over
a mini-batch of sample indices. The gradient of a squared-error loss is formed in matrix
form, ``J^T f``: the residual factor ``f`` and the model's Jacobian ``J`` per sample, reduced
by one dot product per parameter.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Callable

import numpy as np
import sympy as sp

from .backends.symengine_hessian import available as symengine_available
from .backends.symengine_hessian import hessian_kernel as symengine_hessian_kernel
from .backends.jax_loss import float64, jax_kernel, require_jax
from .backends.numpy_kernels import (Kernel, compile_kernel, jax_installed, stack_into,
                                     symengine_module)
from .loss import Loss

__all__ = ["NumericLoss", "compile", "BACKENDS", "MEMORY_BUDGET"]


def _real(value: Any) -> Any:
    """A generated entry as a real array: an entry that came out complex keeps its real part
    where its imaginary part is exactly 0, and is NaN elsewhere (as :func:`stack_into`)."""
    if getattr(value, "dtype", None) is not None:
        if value.dtype.kind != "c":
            return value
    elif not isinstance(value, complex):
        return value
    return np.where(np.imag(value) == 0, np.real(value), np.nan)

#: The backends :func:`compile` accepts.
BACKENDS = ("numpy", "symengine", "jax")

#: Bytes a data-loss evaluation may hold in per-sample intermediates before it is
#: split into chunks of samples.
MEMORY_BUDGET = 256 * 2**20

#: Up to this many parameters, ``hvp`` multiplies the Hessian by ``v``; above it, a
#: compiled directional derivative of the gradient computes n entries instead of n*n.
HVP_VIA_HESSIAN_MAX = 10

#: From this many parameters on, the symbolic Hessian is derived and compiled by symengine
#: (when installed) instead of SymPy: same exact entries, seconds instead of minutes.
SYMENGINE_HESSIAN_MIN = 20

#: Above this many parameters the n(n+1)/2 symbolic Hessian entries stop paying: ``hess``
#: and ``hvp`` use automatic differentiation of the exact loss with JAX when it is installed
#: (``NumericLoss.hessian_method`` says which was used).
SYMBOLIC_HESSIAN_MAX = 150

# Working set a chunk of samples aims for (about a share of the last-level cache),
# and the fewest array elements per chunk that keep Python overhead small.
_CACHE_BYTES = 8 * 2**20
_MIN_ELEMENTS = 1024
# Samples per chunk of a gradient in matrix form (see NumericLoss._chain_rule_gradient).
_DOT_MAX = 8192
# Per-sample entries are written into a scratch buffer kept between calls up to this
# size: allocating megabytes afresh on every call costs more than the arithmetic.
_SCRATCH_MAX_BYTES = 64 * 2**20


def compile(loss: Loss, backend: str = "numpy", *,
            memory_budget: int = MEMORY_BUDGET) -> "NumericLoss":
    """Compile a loss into fast numeric functions with fixed output shapes.

    Parameters
    ----------
    loss : Loss
        The symbolic loss (a plain expression or a data loss).
    backend : {"numpy", "symengine", "jax"}
        ``"numpy"`` lambdifies with SymPy (always available).  ``"symengine"`` uses
        symengine's ``Lambdify`` (LLVM when available), faster for large expressions;
        it needs the optional extra: ``pip install "symopt[fast]"``.  ``"jax"`` prints
        the same exact derivatives to ``jax.numpy``, evaluated in float64 under ``jit``;
        :func:`symopt.run` then runs a whole trajectory as one compiled program. It
        needs ``pip install "symopt[jax]"``. Every backend returns NumPy arrays.
    memory_budget : int
        Bytes that per-sample intermediates of a data loss may take before the
        evaluation is split into chunks of samples.

    Returns
    -------
    NumericLoss

    Examples
    --------
    >>> from symopt import Loss
    >>> f = compile(Loss.parse("(1 - w1*w2)**2"))
    >>> f.value([2.0, 1.0])
    array(1.)
    >>> f.grad([2.0, 1.0])
    array([2., 4.])
    >>> f.hess([[0.0, 0.0], [2.0, 1.0]]).shape
    (2, 2, 2)
    """
    return NumericLoss(loss, backend=backend, memory_budget=memory_budget)


class NumericLoss:
    """Value, gradient, Hessian and Hessian-vector products of a loss, compiled.

    Build one with :func:`compile`.  ``theta`` of shape ``(n,)`` or ``(..., n)``
    gives ``value -> (...)``, ``grad -> (..., n)``, ``hess -> (..., n, n)``, constant
    entries included.  For data losses, ``samples`` (an integer index array) selects
    a mini-batch; the reduction (mean or sum) runs over just those samples.

    Attributes
    ----------
    loss : Loss
        The symbolic loss.
    params : tuple of str
        Parameter names, in the order of theta's last axis.
    n_params : int
    n_samples : int or None
        Number of data samples of a data loss; None for a plain expression.
    backend : str

    Examples
    --------
    >>> from symopt import Loss
    >>> f = compile(Loss.parse("x**2 + y**2"))
    >>> f.hess(np.zeros((3, 2))).shape
    (3, 2, 2)
    >>> f.hess([1.0, 5.0])
    array([[2., 0.],
           [0., 2.]])
    """

    def __init__(self, loss: Loss, backend: str = "numpy", *,
                 memory_budget: int = MEMORY_BUDGET):
        if not isinstance(loss, Loss):
            raise TypeError(f"compile takes a symopt Loss, got {type(loss).__name__}; "
                            "build one with Loss.parse('...') or Loss.from_model(...)")
        if backend not in BACKENDS:
            raise ValueError(f"backend={backend!r} is not known; use one of "
                             f"{', '.join(map(repr, BACKENDS))}")
        if backend == "symengine":
            symengine_module()  # fail now, with the install hint, rather than on first use
        if backend == "jax":
            require_jax()
        if not (isinstance(memory_budget, (int, np.integer)) and memory_budget > 0):
            raise ValueError(f"memory_budget must be a positive number of bytes, "
                             f"got {memory_budget!r}")
        self.loss = loss
        self.backend = backend
        self.memory_budget = int(memory_budget)
        self.params: tuple[str, ...] = tuple(p.name for p in loss.params)
        self.n_params: int = loss.n_params
        self._is_data = bool(loss.is_data_loss)
        self.n_samples: int | None = loss.n_samples if self._is_data else None
        if self._is_data:
            data = loss.data
            self._data_symbols = tuple(loss.data_symbols)
            self._columns = tuple(np.asarray(data[s.name], dtype=float)
                                  for s in self._data_symbols)
            self._mean = loss.reduction == "mean"
        else:
            self._data_symbols = ()
            self._columns = ()
            self._mean = False
        self._residual = self._squared_residual()
        n = self.n_params
        self._upper = np.triu_indices(n)
        self._kernels: dict[str, Kernel] = {}
        self._jax_kernels: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {}
        self._scratch = threading.local()
        self._v_symbols = tuple(sp.Symbol(f"_hvp_v{i}", real=True) for i in range(n))

    # -- public evaluation ------------------------------------------------------------
    def value(self, theta: Any, samples: Any = None) -> np.ndarray:
        """The loss at ``theta``: shape ``(...)`` for theta of shape ``(..., n)``."""
        points = self._points(theta)
        return self._evaluate("value", points, samples)[..., 0]

    def grad(self, theta: Any, samples: Any = None) -> np.ndarray:
        """The gradient at ``theta``: shape ``(..., n)``."""
        points = self._points(theta)
        return self._evaluate("grad", points, samples)

    def hess(self, theta: Any, samples: Any = None) -> np.ndarray:
        """The Hessian at ``theta``: shape ``(..., n, n)``, symmetric.

        See :attr:`hessian_method` for how it is computed."""
        points = self._points(theta)
        if self.hessian_method == "autodiff (jax)":
            return self._autodiff_hess(points, self._sample_index(samples))
        upper = self._evaluate("hess", points, samples)
        n = self.n_params
        out = np.empty(points.shape[:-1] + (n, n))
        rows, cols = self._upper
        out[..., rows, cols] = upper
        out[..., cols, rows] = upper
        return out

    def hvp(self, theta: Any, v: Any, samples: Any = None) -> np.ndarray:
        """The Hessian-vector product ``hess(theta) @ v``: shape ``(..., n)``.

        ``theta`` and ``v`` broadcast against each other over their leading axes.
        """
        points = self._points(theta)
        vectors = self._points(v, what="v")
        try:
            batch = np.broadcast_shapes(points.shape[:-1], vectors.shape[:-1])
        except ValueError:
            raise ValueError(f"theta of shape {points.shape} and v of shape {vectors.shape} "
                             "do not broadcast against each other; give v the shape of "
                             "theta, or (n,) for one direction") from None
        if (self.n_params <= HVP_VIA_HESSIAN_MAX
                or self.hessian_method in ("autodiff (jax)", "symbolic (symengine)")):
            return np.matmul(self.hess(points, samples), vectors[..., None])[..., 0]
        n = self.n_params
        stacked = np.concatenate([np.broadcast_to(points, batch + (n,)),
                                  np.broadcast_to(vectors, batch + (n,))], axis=-1)
        return np.ascontiguousarray(self._evaluate("hvp", stacked, samples))

    def __call__(self, theta: Any, samples: Any = None) -> np.ndarray:
        """Same as :meth:`value`."""
        return self.value(theta, samples)

    def __repr__(self) -> str:
        data = f", {self.n_samples} samples ({self.loss.reduction})" if self._is_data else ""
        return (f"NumericLoss(params=({', '.join(self.params)}){data}, "
                f"backend={self.backend!r})")

    # -- validation ---------------------------------------------------------------------
    def _points(self, theta: Any, what: str = "theta") -> np.ndarray:
        n = self.n_params
        names = ", ".join(self.params)
        try:
            arr = np.asarray(theta)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{what} must be an array of real numbers; "
                            f"could not read it as an array: {exc}") from None
        if arr.dtype.kind in "biuf":
            arr = arr.astype(float, copy=False)
        elif arr.dtype.kind == "O":
            try:
                if any(item is None for item in arr.flat):
                    raise TypeError("None is not a number")
                arr = arr.astype(float)
            except (TypeError, ValueError):
                raise TypeError(f"{what} must contain real numbers only, got {theta!r}") from None
        else:
            kind = "complex numbers" if arr.dtype.kind == "c" else f"dtype {arr.dtype}"
            raise TypeError(f"{what} must be an array of real numbers, got {kind}: {theta!r}")
        if arr.ndim == 0:
            raise ValueError(f"{what} is a single number but the loss has {n} parameter(s) "
                             f"({names}); pass an array of shape ({n},) or (..., {n})")
        if arr.shape[-1] != n:
            raise ValueError(f"{what} has last dimension {arr.shape[-1]} (shape {arr.shape}) "
                             f"but the loss has {n} parameter(s) ({names}); pass an array "
                             f"of shape ({n},) or (..., {n})")
        return arr

    def _sample_index(self, samples: Any) -> np.ndarray | None:
        if samples is None:
            return None
        if not self._is_data:
            how = ("its samples are substituted into one expression"
                   if self.loss.n_samples is not None else "it has no dataset")
            raise ValueError(f"samples= selects data samples, but this loss is a plain "
                             f"expression ({how}); call without samples=")
        idx = np.asarray(samples)
        if idx.dtype.kind == "b":
            raise TypeError("samples must be integer indices, got booleans; "
                            "for a mask use np.flatnonzero(mask)")
        if idx.dtype.kind not in "iu":
            raise TypeError(f"samples must be integer indices in 0..{self.n_samples - 1}, "
                            f"got dtype {idx.dtype}")
        idx = np.atleast_1d(idx)
        if idx.ndim != 1:
            raise ValueError(f"samples must be a 1-D array of indices, got shape {idx.shape}")
        if idx.size == 0:
            raise ValueError("samples is empty; select at least one sample")
        bad = idx[(idx < 0) | (idx >= self.n_samples)]
        if bad.size:
            raise IndexError(f"samples index {int(bad[0])} is out of range: the loss has "
                             f"{self.n_samples} samples, valid indices 0..{self.n_samples - 1}")
        return idx.astype(np.intp, copy=False)

    # -- JAX ----------------------------------------------------------------------------
    def traceable(self, name: str) -> Callable[..., Any]:
        """The pure JAX function of ``"value"``, ``"grad"``, ``"hess"`` (upper-triangle
        entries) or ``"hvp"``: ``f(points) -> (..., K)``, to trace inside the caller's own
        float64 JAX program (see :func:`symopt.backends.jax_loss.float64`).

        Only for ``backend="jax"``.
        """
        if self.backend != "jax":
            raise ValueError(f"traceable() needs a loss compiled with backend='jax'; this one "
                             f"uses {self.backend!r}. Call symopt.compile(loss, backend='jax')")
        return self._jax_kernel(name)[0]

    def _jax_kernel(self, name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """(traceable function, its jitted form) of one quantity, built on first use."""
        kernels = self._jax_kernels.get(name)
        if kernels is None:
            import jax
            weighted = name == "grad" and self._residual is not None
            args, exprs = self._expressions("residual_jacobian" if weighted else name)
            n, data = self.n_params, len(self._data_symbols)
            extra = args[n:len(args) - data]
            with float64():
                function = jax_kernel(args[:n], extra, args[len(args) - data:], exprs,
                                      self._columns, self._mean, weighted=weighted)
            kernels = self._jax_kernels[name] = (function, jax.jit(function))
        return kernels

    def _evaluate_jax(self, name: str, points: np.ndarray, index: np.ndarray | None
                      ) -> np.ndarray:
        program = self._jax_kernel(name)[1]
        with float64():
            columns = None if index is None else tuple(c[index] for c in self._columns)
            return np.asarray(program(points, columns))

    # -- evaluation ---------------------------------------------------------------------
    def _squared_residual(self) -> tuple[sp.Expr, sp.Symbol] | None:
        """``(model, target)`` when each sample's loss is ``(target - model)**2`` (MSE), so
        the gradient is ``sum_i 2 (model_i - target_i) d model_i / d theta``; else None."""
        dataset = getattr(self.loss, "dataset", None)
        if not self._is_data or dataset is None or dataset.kind != "mse":
            return None
        model, target = dataset.model, dataset.target
        if not isinstance(model, sp.Expr) or self.loss.sample_expr != (target - model) ** 2:
            return None
        return model, target

    def _evaluate(self, name: str, points: np.ndarray, samples: Any) -> np.ndarray:
        """Entries of one quantity at ``points`` (..., a): shape (..., n_outputs)."""
        index = self._sample_index(samples)
        if self.backend == "jax":
            return self._evaluate_jax(name, points, index)
        if name == "grad" and self._residual is not None and self.backend == "numpy":
            return self._chain_rule_gradient(points, index)
        kernel = self._kernel(name)
        batch = points.shape[:-1]
        if not self._is_data:
            if kernel.native:
                flat = np.ascontiguousarray(points.reshape(-1, points.shape[-1]))
                return kernel.fn(flat).reshape(batch + (kernel.n_outputs,))
            values = kernel.fn(*(points[..., i] for i in range(points.shape[-1])))
            out = np.empty(batch + (kernel.n_outputs,))
            stack_into(values, out, axis=-1)
            return out
        columns = self._columns if index is None else tuple(c[index] for c in self._columns)
        count = len(columns[0])
        chunk = self._chunk_size(kernel, batch, points.shape[-1], count)
        total = np.zeros(batch + (kernel.n_outputs,))
        for start in range(0, count, chunk):
            part = tuple(c[start:start + chunk] for c in columns)
            total += self._sum_over_samples(kernel, points, part)
        if self._mean:
            total /= count
        return total

    def _chain_rule_gradient(self, points: np.ndarray, index: np.ndarray | None) -> np.ndarray:
        """The gradient of an MSE data loss in matrix form: ``J^T f`` with ``f_i = 2 (model_i -
        target_i)`` and ``J_ik = d model_i / d theta_k``, one dot product per parameter over
        the samples (BLAS), instead of N per-sample gradient entries stacked and summed."""
        kernel = self._kernel("residual_jacobian")
        columns = self._columns if index is None else tuple(c[index] for c in self._columns)
        count = len(columns[0])
        batch = points.shape[:-1]
        n = self.n_params
        # chunks of at most _DOT_MAX samples: OpenBLAS runs a longer dot product on all its
        # threads, whose wake-ups cost more than the dot itself on a busy machine
        chunk = min(self._chunk_size(kernel, batch, n, count), _DOT_MAX)
        total = np.zeros(batch + (n,))
        scalars = [points[..., i, None] for i in range(n)]
        for start in range(0, count, chunk):
            part = tuple(c[start:start + chunk] for c in columns)
            m = len(part[0])
            values = [_real(v) for v in kernel.fn(*scalars, *part)]
            factor = np.broadcast_to(values[0], batch + (m,))
            factor_sum = None
            for k, column in enumerate(values[1:]):
                if np.ndim(column) == 0 or np.shape(column)[-1] == 1:
                    # d model / d theta_k the same for every sample (e.g. a bias)
                    if factor_sum is None:
                        factor_sum = factor.sum(axis=-1)
                    same = np.asarray(column)
                    total[..., k] += factor_sum * (same[..., 0] if same.ndim else same)
                elif not batch:
                    total[k] += np.dot(factor, column)
                else:
                    total[..., k] += np.einsum("...m,...m->...", factor,
                                               np.broadcast_to(column, batch + (m,)))
            self._scratch.held = values      # see _sum_over_samples
        if self._mean:
            total /= count
        return total

    def _sum_over_samples(self, kernel: Kernel, points: np.ndarray,
                          columns: tuple[np.ndarray, ...]) -> np.ndarray:
        """Sum of the per-sample entries over the given samples: shape (..., K)."""
        batch = points.shape[:-1]
        m = len(columns[0])
        a = points.shape[-1]
        if kernel.native:
            stacked = self._scratch_array("input", batch + (m, a + len(columns)))
            stacked[..., :a] = points[..., None, :]
            for j, column in enumerate(columns):
                stacked[..., a + j] = column
            flat = self._scratch_array("output", (stacked[..., 0].size, kernel.n_outputs))
            kernel.fn(stacked.reshape(-1, stacked.shape[-1]), out=flat)
            return flat.reshape(batch + (m, kernel.n_outputs)).sum(axis=-2)
        values = kernel.fn(*(points[..., i, None] for i in range(a)), *columns)
        per_sample = self._scratch_array("entries", batch + (kernel.n_outputs, m))
        stack_into(values, per_sample, axis=-2)
        # Hold these entries until the next evaluation replaces them.  When every
        # temporary of a call is freed, glibc hands the top of the heap back to the
        # system, and the next call page-faults it in again (about 3x slower here).
        self._scratch.held = values
        return per_sample.sum(axis=-1)

    def _scratch_array(self, slot: str, shape: tuple[int, ...]) -> np.ndarray:
        """An uninitialised array of ``shape``, reusing this thread's scratch memory."""
        size = math.prod(shape)
        buffers = getattr(self._scratch, "buffers", None)
        if buffers is None:
            buffers = self._scratch.buffers = {}
        buffer = buffers.get(slot)
        if buffer is None or buffer.size < size:
            buffer = np.empty(size)
            if 8 * size <= _SCRATCH_MAX_BYTES:
                buffers[slot] = buffer
        return buffer[:size].reshape(shape)

    def _chunk_size(self, kernel: Kernel, batch: tuple[int, ...], n_args: int,
                    count: int) -> int:
        """Samples per chunk: within the memory budget, and small enough that the
        per-sample intermediates stay in cache (large temporaries are memory-bound)."""
        per_point = 8 * (kernel.n_outputs + kernel.n_intermediates + n_args
                         + len(self._columns))
        points = math.prod(batch)
        fast = max(_MIN_ELEMENTS, _CACHE_BYTES // per_point) // points
        within_budget = self.memory_budget // (per_point * points)
        chunk = max(1, min(fast, within_budget, count))
        pieces = -(-count // chunk)
        return -(-count // pieces)  # equal pieces rather than a small remainder

    # -- compilation --------------------------------------------------------------------
    @property
    def hessian_method(self) -> str:
        """How ``hess`` (and ``hvp``) are computed: ``"symbolic (sympy)"``, ``"symbolic
        (symengine)"``, ``"symbolic (jax)"`` (exact entries printed to JAX) or ``"autodiff
        (jax)"`` (above :data:`SYMBOLIC_HESSIAN_MAX` parameters, with JAX installed)."""
        if self.backend == "jax":
            return "autodiff (jax)" if self.n_params > SYMBOLIC_HESSIAN_MAX else "symbolic (jax)"
        if self.n_params > SYMBOLIC_HESSIAN_MAX and jax_installed():
            return "autodiff (jax)"
        if self.n_params >= SYMENGINE_HESSIAN_MIN and self._symengine_hessian_ok():
            return "symbolic (symengine)"
        return "symbolic (sympy)"

    def _symengine_hessian_ok(self) -> bool:
        if not symengine_available():
            return False
        expr = self.loss.sample_expr if self._is_data else self.loss.expr
        allowed = (sp.tanh, sp.exp, sp.log, sp.sin, sp.cos, sp.cosh, sp.sinh, sp.tan)
        return all(isinstance(f, allowed) for f in expr.atoms(sp.Function))

    def _autodiff_hess(self, points: np.ndarray, index: np.ndarray | None) -> np.ndarray:
        """Full Hessians ``(..., n, n)`` by JAX autodiff of the exact (value) kernel."""
        import jax
        program = self._jax_kernels.get("autodiff_hess")
        if program is None:
            value = self._jax_value_function()

            def one(point: Any, columns: Any) -> Any:
                return jax.hessian(lambda p: value(p, columns)[0])(point)

            program = jax.jit(jax.vmap(one, in_axes=(0, None)))
            self._jax_kernels["autodiff_hess"] = (program, program)
        else:
            program = program[1]
        with float64():
            columns = None if index is None else tuple(c[index] for c in self._columns)
            flat = points.reshape(-1, points.shape[-1])
            result = np.asarray(program(flat, columns))
        return result.reshape(points.shape[:-1] + result.shape[-2:])

    def _jax_value_function(self) -> Callable[..., Any]:
        if self.backend == "jax":
            return self.traceable("value")
        args, exprs = self._expressions("value")
        n, data = self.n_params, len(self._data_symbols)
        with float64():
            return jax_kernel(args[:n], [], args[n:], exprs, self._columns, self._mean)

    def _kernel(self, name: str) -> Kernel:
        kernel = self._kernels.get(name)
        if kernel is None and name == "hess" and self.hessian_method == "symbolic (symengine)":
            expr = self.loss.sample_expr if self._is_data else self.loss.expr
            fn, count = symengine_hessian_kernel(expr, self.loss.params,
                                                         self._data_symbols)
            kernel = self._kernels[name] = Kernel(fn=fn, n_outputs=count, n_intermediates=0,
                                                   native=True)
        if kernel is None:
            args, exprs = self._expressions(name)
            kernel = compile_kernel(args, exprs, self.backend, name)
            self._kernels[name] = kernel
        return kernel

    def _expressions(self, name: str) -> tuple[list[sp.Symbol], list[sp.Expr]]:
        loss = self.loss
        params = list(loss.params)
        data = list(self._data_symbols)
        n = self.n_params
        rows, cols = self._upper
        if name == "value":
            return params + data, [loss.sample_expr if self._is_data else loss.expr]
        if name == "grad":
            grad = loss.sample_gradient if self._is_data else loss.gradient
            return params + data, [grad[i] for i in range(n)]
        if name == "hess":
            hessian = loss.sample_hessian if self._is_data else loss.hessian
            return params + data, [hessian[i, j] for i, j in zip(rows, cols)]
        if name == "residual_jacobian":
            assert self._residual is not None
            model, target = self._residual
            return params + data, [2 * (model - target)] + [sp.diff(model, p) for p in params]
        if name == "hvp":
            # the directional derivative d/dt grad(theta + t v) at t = 0: n entries of
            # size O(n) that share the gradient's subexpressions, instead of n*n entries
            grad = loss.sample_gradient if self._is_data else loss.gradient
            v, t = self._v_symbols, sp.Symbol("_hvp_t", real=True)
            shifted = {p: p + t * vj for p, vj in zip(params, v)}
            exprs = [sp.diff(grad[i].xreplace(shifted), t).xreplace({t: 0}) for i in range(n)]
            return params + list(v) + data, exprs
        raise KeyError(name)  # pragma: no cover - internal names only
