"""Symbolic building blocks of classification losses: log-sum-exp, softmax, cross-entropy.

``LogSumExp(y_1, ..., y_K) = log(sum_j exp(y_j))`` is its own SymPy function so that
its derivatives are the softmax, ``exp(y_i - LogSumExp(y))``, and so that compiled code
evaluates it stably (shifting by the largest logit): logits of +-1000 give finite,
correct values, where ``log(exp(1000) + exp(-1000))`` overflows.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy as sp

__all__ = ["LogSumExp", "softmax", "log_softmax", "cross_entropy", "NUMPY_FUNCTIONS",
           "logsumexp_numpy"]


class LogSumExp(sp.Function):
    r"""``log(sum_j exp(y_j))``, with derivatives ``d/dy_i = exp(y_i - LogSumExp(y))``.

    >>> y1, y2 = sp.symbols("y1 y2", real=True)
    >>> LogSumExp(y1, y2).diff(y1)
    exp(y1 - LogSumExp(y1, y2))
    >>> LogSumExp(0, 0)
    log(2)
    """

    is_real = True

    @classmethod
    def eval(cls, *args):
        if len(args) == 0:
            raise TypeError("LogSumExp needs at least one argument")
        if len(args) == 1:
            return args[0]
        if all(a.is_number and (a.is_Rational or a.is_zero) for a in args):
            return sp.log(sp.Add(*[sp.exp(a) for a in args]))
        return None

    def fdiff(self, argindex: int = 1):
        return sp.exp(self.args[argindex - 1] - self)

    def _eval_rewrite_as_log(self, *args, **kwargs):
        return sp.log(sp.Add(*[sp.exp(a) for a in args]))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.log)._eval_evalf(prec)

    def _latex(self, printer):
        return r"\log\left(%s\right)" % " + ".join(r"e^{%s}" % printer._print(a) for a in self.args)


def logsumexp_numpy(*args):
    """Stable ``log(sum_j exp(a_j))`` on broadcast NumPy arrays (shift by the maximum)."""
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args])
    stacked = np.stack(arrays, axis=0)
    top = np.max(stacked, axis=0)
    top = np.where(np.isfinite(top), top, 0.0)
    return top + np.log(np.sum(np.exp(stacked - top), axis=0))


#: Extra names for ``sympy.lambdify(..., modules=[NUMPY_FUNCTIONS, "numpy"])``.
NUMPY_FUNCTIONS = {"LogSumExp": logsumexp_numpy}


def softmax(logits: Sequence[sp.Expr]) -> list[sp.Expr]:
    """``softmax(y)_i = exp(y_i) / sum_j exp(y_j)``, written ``exp(y_i - LogSumExp(y))``."""
    logits = list(logits)
    lse = LogSumExp(*logits)
    return [sp.exp(y - lse) for y in logits]


def log_softmax(logits: Sequence[sp.Expr]) -> list[sp.Expr]:
    """``log softmax(y)_i = y_i - LogSumExp(y)``."""
    logits = list(logits)
    lse = LogSumExp(*logits)
    return [y - lse for y in logits]


def cross_entropy(logits: Sequence[sp.Expr], targets: Sequence[sp.Expr]) -> sp.Expr:
    """Cross-entropy ``e = -sum_i yhat_i log softmax(y)_i`` of logits ``y`` against a
    probability vector (one-hot labels) ``yhat``."""
    logits, targets = list(logits), list(targets)
    if len(logits) != len(targets):
        raise ValueError(f"{len(logits)} logits but {len(targets)} target entries; "
                         "give one target entry per class")
    return -sp.Add(*[t * ls for t, ls in zip(targets, log_softmax(logits))])
