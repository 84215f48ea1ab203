"""Classification: softmax, cross-entropy, the likelihood, and why cross-entropy beats MSE.

The symbolic building blocks come from :mod:`symopt.functions` (``LogSumExp``, softmax,
log-softmax, cross-entropy); this module adds shorthands that build ``K`` logit and target
symbols, the two-class sigmoid, the likelihood of a labelled dataset, and a measured
comparison of the squared error and the cross-entropy on a saturated classifier.

The facts the lecture states (section 5), all derivable here exactly:

* ``softmax(y)_i = exp(y_i) / sum_j exp(y_j)``: each in (0, 1), together summing to 1;
* with two classes, ``softmax(y)_1 = sigmoid(y_1 - y_2)``;
* for ``e = -sum_i yhat_i log softmax(y)_i`` with ``sum_i yhat_i = 1``,
  ``de/dy_i = softmax(y)_i - yhat_i``;
* the mean cross-entropy over a dataset is ``-(1/N) log prod_n p(class_n | x_n)``, so
  minimising it maximises the likelihood.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np
import sympy as sp

from ..functions import LogSumExp
from ..functions import cross_entropy as _cross_entropy
from ..functions import log_softmax as _log_softmax
from ..functions import softmax as _softmax
from ..loss import Loss

__all__ = ["LogSumExp", "logit_symbols", "target_symbols", "softmax", "log_softmax",
           "cross_entropy", "sigmoid", "cross_entropy_gradient", "likelihood",
           "SaturationRow", "SaturationComparison", "compare_mse_cross_entropy"]

Logits = Sequence[Any] | int


def logit_symbols(k: int, name: str = "y") -> tuple[sp.Symbol, ...]:
    """``k`` real symbols ``y1, ..., yk`` for the logits of ``k`` classes.

    Examples
    --------
    >>> logit_symbols(3)
    (y1, y2, y3)
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"the number of classes must be a positive int, got {k!r}")
    return tuple(sp.Symbol(f"{name}{i + 1}", real=True) for i in range(int(k)))


def target_symbols(k: int, name: str = "yhat") -> tuple[sp.Symbol, ...]:
    """``k`` real symbols ``yhat1, ..., yhatk`` for a target probability vector.

    >>> target_symbols(2)
    (yhat1, yhat2)
    """
    return logit_symbols(k, name)


def _logits(logits: Logits) -> list[sp.Expr]:
    if isinstance(logits, (int, np.integer)) and not isinstance(logits, bool):
        return list(logit_symbols(int(logits)))
    items = [sp.sympify(v) for v in logits]
    if not items:
        raise ValueError("no logits given; give one expression per class or a class count")
    return items


def softmax(logits: Logits) -> list[sp.Expr]:
    """``softmax(y)_i = exp(y_i - LogSumExp(y))``, i.e. ``exp(y_i) / sum_j exp(y_j)``.

    Parameters
    ----------
    logits : sequence of expressions, or int
        The logits; an int ``K`` stands for the symbols ``y1, ..., yK``.

    Examples
    --------
    >>> softmax(2)
    [exp(y1 - LogSumExp(y1, y2)), exp(y2 - LogSumExp(y1, y2))]
    >>> sp.simplify(sum(softmax(3)).rewrite(sp.log))
    1
    """
    return _softmax(_logits(logits))


def log_softmax(logits: Logits) -> list[sp.Expr]:
    """``log softmax(y)_i = y_i - LogSumExp(y)`` (an int ``K`` means ``y1, ..., yK``).

    >>> log_softmax(2)
    [y1 - LogSumExp(y1, y2), y2 - LogSumExp(y1, y2)]
    """
    return _log_softmax(_logits(logits))


def cross_entropy(logits: Logits, targets: Sequence[Any] | None = None) -> sp.Expr:
    """Cross-entropy ``e = -sum_i yhat_i log softmax(y)_i``.

    Parameters
    ----------
    logits : sequence of expressions, or int
        The logits; an int ``K`` stands for the symbols ``y1, ..., yK``.
    targets : sequence, optional
        The target probabilities (one-hot labels); default the symbols ``yhat1..yhatK``.

    Examples
    --------
    >>> cross_entropy(2)
    -yhat1*(y1 - LogSumExp(y1, y2)) - yhat2*(y2 - LogSumExp(y1, y2))
    >>> cross_entropy(2, [1, 0])
    -y1 + LogSumExp(y1, y2)
    """
    items = _logits(logits)
    if targets is None:
        targets = target_symbols(len(items))
    return _cross_entropy(items, [sp.sympify(t) for t in targets])


def sigmoid(z: Any) -> sp.Expr:
    """The logistic function ``1 / (1 + exp(-z))``.

    >>> y1, y2 = logit_symbols(2)
    >>> sp.simplify((softmax([y1, y2])[0] - sigmoid(y1 - y2)).rewrite(sp.log))
    0
    """
    return 1 / (1 + sp.exp(-sp.sympify(z)))


def cross_entropy_gradient(k: int) -> list[sp.Expr]:
    """``de/dy_i`` of the ``k``-class cross-entropy, differentiated by SymPy and reduced
    with ``sum_i yhat_i = 1`` (substituting ``yhat_k = 1 - yhat_1 - ... - yhat_(k-1)``).

    The result is ``softmax(y)_i - yhat_i`` for every ``i``; the last target appears as
    ``1 - yhat_1 - ...`` because it was eliminated.

    Examples
    --------
    >>> cross_entropy_gradient(2)
    [-yhat1 + exp(y1 - LogSumExp(y1, y2)), yhat1 + exp(y2 - LogSumExp(y1, y2)) - 1]
    """
    y, yhat = logit_symbols(k), target_symbols(k)
    e = cross_entropy(y, yhat)
    last = {yhat[-1]: 1 - sp.Add(*yhat[:-1])}
    return [sp.expand(sp.diff(e, yi).xreplace(last), power_exp=False) for yi in y]


def likelihood(logits: Sequence[Sequence[Any]], labels: Sequence[int]) -> sp.Expr:
    """``prod_n p(class_n | x_n)``, with ``p(c | x_n) = softmax(y(x_n))_c``.

    Parameters
    ----------
    logits : sequence of per-sample logit sequences
        ``logits[n]`` holds the ``K`` logits of sample ``n`` (expressions of the parameters).
    labels : sequence of int
        The class of each sample, ``0..K-1``.

    Examples
    --------
    >>> w = sp.Symbol("w", real=True)
    >>> likelihood([[w, 0], [-w, 0]], [0, 1])
    exp(w - LogSumExp(w, 0))*exp(-LogSumExp(-w, 0))
    """
    if len(logits) != len(labels):
        raise ValueError(f"{len(logits)} samples of logits but {len(labels)} labels")
    factors = []
    for n, (row, label) in enumerate(zip(logits, labels)):
        probabilities = softmax(list(row))
        if not 0 <= int(label) < len(probabilities) or int(label) != label:
            raise ValueError(f"label {label!r} of sample {n} is not a class 0..{len(row) - 1}")
        factors.append(probabilities[int(label)])
    return sp.Mul(*factors)


# ----------------------------------------------------------------------------- MSE vs CE

@dataclass(frozen=True)
class SaturationRow:
    """The two losses and their gradient norms at one point ``(w, b)``."""

    w: float
    b: float
    p_correct: float       #: mean probability given to the correct class
    mse: float
    mse_grad_norm: float
    cross_entropy: float
    cross_entropy_grad_norm: float


@dataclass(frozen=True)
class SaturationComparison:
    """Squared error on softmax probabilities vs cross-entropy, on one small classifier.

    The model has logits ``(w*x + b, 0)``, so ``p(class 0 | x) = sigmoid(w*x + b)``.
    ``mse`` is the mean over samples of ``sum_i (softmax(y)_i - yhat_i)**2``;
    ``cross_entropy`` the mean of ``-sum_i yhat_i log softmax(y)_i``.
    """

    x: tuple[float, ...]
    labels: tuple[int, ...]
    rows: tuple[SaturationRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"x": list(self.x), "labels": list(self.labels),
                "rows": [asdict(row) for row in self.rows]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        header = (f"{'w':>7} {'b':>5} {'p(correct)':>11} {'MSE':>10} {'|grad MSE|':>11} "
                  f"{'CE':>10} {'|grad CE|':>10}")
        lines = [header, "-" * len(header)]
        for r in self.rows:
            lines.append(f"{r.w:>7g} {r.b:>5g} {r.p_correct:>11.3g} {r.mse:>10.4g} "
                         f"{r.mse_grad_norm:>11.3g} {r.cross_entropy:>10.4g} "
                         f"{r.cross_entropy_grad_norm:>10.3g}")
        return "\n".join(lines)


def _saturation_losses(x: Sequence[Any], labels: Sequence[int]) -> tuple[Loss, Loss]:
    """The exact MSE-on-probabilities and cross-entropy losses of the logits (w*x + b, 0)."""
    w, b = sp.symbols("w b", real=True)
    mse_terms, ce_terms = [], []
    for xn, label in zip(x, labels):
        logits = [w * sp.nsimplify(xn) + b, sp.Integer(0)]
        onehot = [1 if c == label else 0 for c in range(2)]
        mse_terms.append(sp.Add(*[(p - t) ** 2 for p, t in zip(softmax(logits), onehot)]))
        ce_terms.append(cross_entropy(logits, onehot))
    n = len(mse_terms)
    return (Loss(sp.Add(*mse_terms) / n, params=[w, b]),
            Loss(sp.Add(*ce_terms) / n, params=[w, b]))


def compare_mse_cross_entropy(
        weights: Sequence[float] = (-20.0, -10.0, -5.0, -1.0, 0.0, 1.0, 5.0, 10.0, 20.0),
        bias: float = 0.0, x: Sequence[float] = (-2.0, -1.0, 1.0, 2.0),
        labels: Sequence[int] = (1, 1, 0, 0)) -> SaturationComparison:
    """Gradient norms of MSE and cross-entropy along a line of a 2-class logistic model.

    With the default data, positive ``x`` belongs to class 0, so large positive ``w`` is
    confidently right and large negative ``w`` confidently wrong.  There the softmax
    saturates: the squared error's gradient carries a factor ``p (1 - p)`` and vanishes
    (the surface is flat although the loss is at its worst), while the cross-entropy's
    gradient ``(softmax - yhat) x`` stays of the size of ``x``.

    Both losses are exact SymPy expressions compiled with :func:`symopt.compile`
    (log-sum-exp evaluated stably).

    Parameters
    ----------
    weights : sequence of float
        The values of ``w`` to evaluate at.
    bias : float
        The bias ``b`` (held fixed; the gradient is with respect to both ``w`` and ``b``).
    x, labels : sequences
        The samples and their classes (0 or 1).

    Returns
    -------
    SaturationComparison

    Examples
    --------
    >>> table = compare_mse_cross_entropy(weights=[-20.0, 20.0])
    >>> wrong, right = table.rows
    >>> wrong.mse_grad_norm < 1e-6 < 0.1 < wrong.cross_entropy_grad_norm
    True
    >>> right.cross_entropy_grad_norm < 1e-6
    True
    """
    from ..numeric import compile as compile_loss

    if len(x) != len(labels) or not x:
        raise ValueError(f"give one label per sample: {len(x)} samples, {len(labels)} labels")
    bad = [c for c in labels if c not in (0, 1)]
    if bad:
        raise ValueError(f"label {bad[0]!r} is not a class of a 2-class model (use 0 or 1)")
    mse_loss, ce_loss = _saturation_losses(x, labels)
    mse, ce = compile_loss(mse_loss), compile_loss(ce_loss)
    points = np.array([[float(w), float(bias)] for w in weights])
    xs, ys = np.asarray(x, dtype=float), np.asarray(labels)
    z = points[:, :1] * xs + points[:, 1:]
    p0 = 0.5 * (1.0 + np.tanh(0.5 * z))          # sigmoid(z), without overflow
    p_correct = np.where(ys == 0, p0, 1 - p0).mean(axis=1)
    mse_values, ce_values = mse.value(points), ce.value(points)
    mse_norms = np.linalg.norm(mse.grad(points), axis=-1)
    ce_norms = np.linalg.norm(ce.grad(points), axis=-1)
    rows = tuple(SaturationRow(float(w), float(bias), float(p_correct[i]), float(mse_values[i]),
                               float(mse_norms[i]), float(ce_values[i]), float(ce_norms[i]))
                 for i, w in enumerate(weights))
    return SaturationComparison(tuple(float(v) for v in x), tuple(int(c) for c in labels), rows)
