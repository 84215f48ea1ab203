"""Batch normalization: an exact symbolic layer with its gradient, and its inference modes.

Over a batch of ``m`` samples, per feature (Ioffe and Szegedy, "Batch Normalization:
Accelerating Deep Network Training by Reducing Internal Covariate Shift", ICML 2015,
Algorithm 1)::

    mu      = (1/m) sum_i x_i
    sigma^2 = (1/m) sum_i (x_i - mu)^2
    xhat_i  = (x_i - mu) / sqrt(sigma^2 + eps)
    out_i   = gamma * xhat_i + beta

:func:`batch_norm` builds these as SymPy expressions and :func:`batch_norm_gradient`
differentiates a scalar loss of the outputs exactly.  Every input ``x_i`` enters ``mu``
and ``sigma^2``, so the gradient couples the whole batch; for upstream gradients
``g_i = dloss/dout_i`` it is (the same paper, section 3)::

    dloss/dx_i = gamma / (m sqrt(sigma^2 + eps)) * (m g_i - sum_j g_j - xhat_i sum_j g_j xhat_j)

At inference there is no batch.  :func:`batch_norm_inference` measures how far the two
usual substitutes, running averages kept during training and statistics of the whole
training set, move a small network's outputs away from its training-mode outputs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np
import sympy as sp

__all__ = ["BatchNormLayer", "BatchNormGradient", "batch_norm", "batch_norm_gradient",
           "batch_norm_input_gradient", "BatchNormNetwork", "InferenceRow",
           "BatchNormInference", "batch_norm_inference"]

#: The default ``eps`` (PyTorch's default, 1e-5), as an exact rational.
EPS = sp.Rational(1, 100_000)


def _flat(matrix: sp.Matrix) -> list[sp.Expr]:
    return list(matrix)


@dataclass(frozen=True)
class BatchNormLayer:
    """A batch-norm layer over ``m`` samples of ``d`` features, as exact expressions.

    Attributes
    ----------
    inputs : sympy.Matrix
        ``m x d`` real symbols ``x{i}_{j}`` (``x{i}`` when ``d = 1``), samples in rows.
    gamma, beta : tuple of Symbol
        The learnable scale and shift of each feature.
    eps : sympy.Expr
        The constant added to the variance.
    mean, variance : tuple of sympy.Expr
        Per feature: the batch mean and the mean squared deviation (1/m).
    normalized : sympy.Matrix
        ``xhat``, ``m x d``.
    outputs : sympy.Matrix
        ``gamma * xhat + beta``, ``m x d``.
    """

    inputs: sp.Matrix
    gamma: tuple[sp.Symbol, ...]
    beta: tuple[sp.Symbol, ...]
    eps: sp.Expr
    mean: tuple[sp.Expr, ...]
    variance: tuple[sp.Expr, ...]
    normalized: sp.Matrix
    outputs: sp.Matrix

    @property
    def batch_size(self) -> int:
        return self.inputs.rows

    @property
    def n_features(self) -> int:
        return self.inputs.cols

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        """Inputs (row by row), then ``gamma``, then ``beta``: the argument order of
        :meth:`evaluate` and of numeric functions built from the layer."""
        return tuple(_flat(self.inputs)) + self.gamma + self.beta

    def evaluate(self, x: Any, gamma: Any, beta: Any) -> np.ndarray:
        """The outputs at numbers: ``x`` of shape ``(m, d)`` (or ``(m,)``), ``gamma`` and
        ``beta`` of shape ``(d,)`` (or scalars)."""
        fn = sp.lambdify(self.symbols, _flat(self.outputs), modules="numpy")
        values = fn(*_arguments(self, x, gamma, beta))
        return np.array(values, dtype=float).reshape(self.inputs.shape)


def _arguments(layer: BatchNormLayer, x: Any, gamma: Any, beta: Any) -> list[float]:
    m, d = layer.inputs.shape
    xs = np.asarray(x, dtype=float).reshape(m, d)
    gs = np.broadcast_to(np.asarray(gamma, dtype=float), (d,))
    bs = np.broadcast_to(np.asarray(beta, dtype=float), (d,))
    return [*xs.ravel().tolist(), *gs.tolist(), *bs.tolist()]


def batch_norm(batch_size: int, n_features: int = 1, eps: Any = EPS) -> BatchNormLayer:
    """The batch-norm layer over ``batch_size`` samples of ``n_features`` features.

    Parameters
    ----------
    batch_size : int
        ``m``, at least 2 (one sample has no spread).
    n_features : int
        ``d``; features are normalised independently.
    eps : number or Symbol
        Added to the variance; default ``1/100000``.  Give a positive Symbol to keep it
        symbolic.

    Examples
    --------
    >>> layer = batch_norm(2, eps=0)
    >>> layer.mean
    (x1/2 + x2/2,)
    >>> layer.outputs.subs(dict(zip(layer.symbols, [1, 3, 1, 0])))
    Matrix([
    [-1],
    [ 1]])
    """
    for name, value, low in (("batch_size", batch_size, 2), ("n_features", n_features, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    eps = sp.sympify(eps)
    if eps.is_negative:
        raise ValueError(f"eps must not be negative, got {eps}")
    m, d = int(batch_size), int(n_features)
    name = (lambda i, j: f"x{i + 1}") if d == 1 else (lambda i, j: f"x{i + 1}_{j + 1}")
    inputs = sp.Matrix(m, d, lambda i, j: sp.Symbol(name(i, j), real=True))
    gamma = tuple(sp.Symbol(f"gamma{j + 1}", real=True) for j in range(d))
    beta = tuple(sp.Symbol(f"beta{j + 1}", real=True) for j in range(d))
    means, variances = [], []
    normalized = sp.zeros(m, d)
    for j in range(d):
        column = [inputs[i, j] for i in range(m)]
        mu = sp.Add(*column) / m
        var = sp.Add(*[(v - mu) ** 2 for v in column]) / m
        means.append(mu)
        variances.append(var)
        for i in range(m):
            normalized[i, j] = (column[i] - mu) / sp.sqrt(var + eps)
    outputs = sp.Matrix(m, d, lambda i, j: gamma[j] * normalized[i, j] + beta[j])
    return BatchNormLayer(inputs, gamma, beta, eps, tuple(means), tuple(variances),
                          normalized, outputs)


@dataclass(frozen=True)
class BatchNormGradient:
    """The exact gradient of ``loss = sum_ij c_ij * out_ij`` through a batch-norm layer.

    Attributes
    ----------
    layer : BatchNormLayer
    weights : sympy.Matrix
        The ``c_ij`` (``m x d``; symbols ``c{i}_{j}`` or numbers).
    loss : sympy.Expr
    d_inputs : sympy.Matrix
        ``dloss/dx_ij``, ``m x d``.
    d_gamma, d_beta : tuple of sympy.Expr
        ``dloss/dgamma_j`` and ``dloss/dbeta_j``.
    """

    layer: BatchNormLayer
    weights: sp.Matrix
    loss: sp.Expr
    d_inputs: sp.Matrix
    d_gamma: tuple[sp.Expr, ...]
    d_beta: tuple[sp.Expr, ...]

    def evaluate(self, x: Any, gamma: Any, beta: Any,
                 weights: Any = None) -> dict[str, np.ndarray]:
        """``{"loss", "inputs", "gamma", "beta"}`` at numbers (``weights`` for symbolic c)."""
        free = [s for s in _flat(self.weights) if isinstance(s, sp.Symbol)]
        args = list(self.layer.symbols) + free
        values = _arguments(self.layer, x, gamma, beta)
        if free:
            if weights is None:
                raise ValueError("the weights c are symbols; pass weights= of shape (m, d)")
            values += np.asarray(weights, dtype=float).ravel().tolist()
        exprs = [self.loss, *_flat(self.d_inputs), *self.d_gamma, *self.d_beta]
        out = np.array(sp.lambdify(args, exprs, modules="numpy")(*values), dtype=float)
        m, d = self.layer.inputs.shape
        return {"loss": out[0], "inputs": out[1:1 + m * d].reshape(m, d),
                "gamma": out[1 + m * d:1 + m * d + d], "beta": out[1 + m * d + d:]}


def batch_norm_gradient(layer: BatchNormLayer, weights: Any = None) -> BatchNormGradient:
    """Differentiate ``sum_ij c_ij * out_ij`` exactly with respect to inputs, gamma, beta.

    Parameters
    ----------
    layer : BatchNormLayer
    weights : array_like of shape (m, d), optional
        The ``c_ij``; default real symbols ``c{i}_{j}`` (any upstream gradient).

    Examples
    --------
    >>> grad = batch_norm_gradient(batch_norm(3), weights=[[1], [0], [0]])
    >>> grad.d_beta
    (1,)
    >>> values = grad.evaluate([0.0, 1.0, 5.0], gamma=2.0, beta=0.0)
    >>> bool(abs(values["inputs"].sum()) < 1e-12)          # shifting x leaves out unchanged
    True
    """
    m, d = layer.inputs.shape
    if weights is None:
        weights = sp.Matrix(m, d, lambda i, j: sp.Symbol(f"c{i + 1}_{j + 1}", real=True))
    else:
        array = np.asarray(weights, dtype=object)
        if array.size != m * d:
            raise ValueError(f"weights need {m * d} entries (shape ({m}, {d})), got {array.size}")
        weights = sp.Matrix(m, d, [sp.nsimplify(v) for v in array.ravel()])
    loss = sp.Add(*[weights[i, j] * layer.outputs[i, j] for i in range(m) for j in range(d)])
    d_inputs = sp.Matrix(m, d, lambda i, j: sp.diff(loss, layer.inputs[i, j]))
    return BatchNormGradient(layer, weights, loss, d_inputs,
                             tuple(sp.diff(loss, g) for g in layer.gamma),
                             tuple(sp.diff(loss, b) for b in layer.beta))


def batch_norm_input_gradient(layer: BatchNormLayer, upstream: Sequence[Any] | sp.Matrix) -> sp.Matrix:
    """The closed form of ``dloss/dx`` from the upstream gradients ``g = dloss/dout``.

    ``gamma / (m sqrt(sigma^2 + eps)) * (m g_i - sum_j g_j - xhat_i sum_j g_j xhat_j)``
    per feature (Ioffe and Szegedy 2015, section 3, combined into one line).

    Examples
    --------
    >>> layer = batch_norm(3)
    >>> grad = batch_norm_gradient(layer)
    >>> closed = batch_norm_input_gradient(layer, grad.weights)
    >>> point = dict(zip(layer.symbols, [sp.Rational(1, 2), -1, 2, 3, 0]))
    >>> point.update(zip(grad.weights, [1, 2, -1]))
    >>> sp.simplify((grad.d_inputs - closed).subs(point))
    Matrix([
    [0],
    [0],
    [0]])
    """
    m, d = layer.inputs.shape
    g = sp.Matrix(upstream).reshape(m, d)
    result = sp.zeros(m, d)
    for j in range(d):
        scale = layer.gamma[j] / (m * sp.sqrt(layer.variance[j] + layer.eps))
        total = sp.Add(*[g[i, j] for i in range(m)])
        weighted = sp.Add(*[g[i, j] * layer.normalized[i, j] for i in range(m)])
        for i in range(m):
            result[i, j] = scale * (m * g[i, j] - total - layer.normalized[i, j] * weighted)
    return result


# ----------------------------------------------------------------------------- inference

@dataclass(frozen=True)
class BatchNormNetwork:
    """A NumPy network ``x -> W1 -> batch norm -> ReLU -> W2``, one hidden layer, fixed weights.

    ``forward(x, mean, var)`` normalises the hidden pre-activations with the given
    statistics; :meth:`batch_stats` gives the training-mode ones (the batch's own mean
    and mean squared deviation).

    Examples
    --------
    >>> net = BatchNormNetwork.random(n_inputs=3, n_hidden=5, seed=0)
    >>> x = np.random.default_rng(0).normal(size=(8, 3))
    >>> mean, var = net.batch_stats(net.hidden(x))
    >>> bool(np.allclose(net.forward(x), net.forward(x, mean, var)))
    True
    """

    w1: np.ndarray
    b1: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    w2: np.ndarray
    b2: float
    eps: float = 1e-5

    @classmethod
    def random(cls, n_inputs: int, n_hidden: int, seed: int = 0) -> BatchNormNetwork:
        """Weights drawn from a seeded generator (``gamma`` near 1, ``beta`` near 0)."""
        rng = np.random.default_rng(seed)
        return cls(w1=rng.normal(size=(n_inputs, n_hidden)) / np.sqrt(n_inputs),
                   b1=rng.normal(size=n_hidden), gamma=1 + 0.2 * rng.normal(size=n_hidden),
                   beta=0.2 * rng.normal(size=n_hidden),
                   w2=rng.normal(size=n_hidden) / np.sqrt(n_hidden), b2=float(rng.normal()))

    def hidden(self, x: np.ndarray) -> np.ndarray:
        """The pre-activations that batch norm normalises, shape ``(samples, n_hidden)``."""
        return np.asarray(x, dtype=float) @ self.w1 + self.b1

    @staticmethod
    def batch_stats(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return h.mean(axis=0), h.var(axis=0)

    def forward(self, x: np.ndarray, mean: np.ndarray | None = None,
                var: np.ndarray | None = None) -> np.ndarray:
        """Outputs, shape ``(samples,)``; without ``mean``/``var``, training mode."""
        h = self.hidden(x)
        if mean is None or var is None:
            mean, var = self.batch_stats(h)
        a = np.maximum(self.gamma * (h - mean) / np.sqrt(var + self.eps) + self.beta, 0.0)
        return a @ self.w2 + self.b2


@dataclass(frozen=True)
class InferenceRow:
    """Training-mode vs inference-mode outputs for one batch size.

    ``max_diff_running``: max ``|out(batch statistics) - out(running averages)|`` over the
    evaluation batches; ``max_diff_full``: the same with full-training-set statistics;
    ``running_mean_error``: max over features of ``|running mean - full-data mean|`` at the end.
    """

    batch_size: int
    max_diff_running: float
    max_diff_full: float
    running_mean_error: float


@dataclass(frozen=True)
class BatchNormInference:
    """Result of :func:`batch_norm_inference`.

    ``trace[b][t]`` is the running-mean error (max over features) after ``t + 1``
    training steps with batch size ``batch_sizes[b]``.
    """

    n_samples: int
    steps: int
    momentum: float
    rows: tuple[InferenceRow, ...]
    trace: tuple[tuple[float, ...], ...] = field(repr=False)

    @property
    def batch_sizes(self) -> tuple[int, ...]:
        return tuple(r.batch_size for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"n_samples": self.n_samples, "steps": self.steps, "momentum": self.momentum,
                "rows": [asdict(r) for r in self.rows],
                "trace": {str(r.batch_size): list(t) for r, t in zip(self.rows, self.trace)}}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        lines = [(f"batch norm at inference: {self.n_samples} training samples, {self.steps} "
                  f"training-mode steps, running averages with p = {self.momentum}"),
                 (f"{'batch':>6} {'max|batch - running|':>21} {'max|batch - full|':>18} "
                  f"{'|mu_bar - mu|':>14}")]
        for r in self.rows:
            lines.append(f"{r.batch_size:>6} {r.max_diff_running:>21.4g} {r.max_diff_full:>18.4g} "
                         f"{r.running_mean_error:>14.3g}")
        return "\n".join(lines)


def batch_norm_inference(batch_sizes: Sequence[int] = (4, 16, 64, 256), *,
                         n_samples: int = 1024, steps: int = 300, momentum: float = 0.9,
                         eval_batches: int = 20, seed: int = 0) -> BatchNormInference:
    """Measure training-mode vs inference-mode outputs of a small batch-norm network.

    For each batch size ``B``: run ``steps`` training-mode forward passes over shuffled
    mini-batches (the weights stay fixed, so only the statistics move), keeping running
    averages ``mu_bar <- p*mu_bar + (1 - p)*mu_t`` (and the same for the variance, fed with
    the unbiased batch variance ``B/(B-1) * sigma_t^2`` as PyTorch does; ``mu_bar`` starts
    at 0 and the variance average at 1).  Then, on ``eval_batches`` batches of size ``B``,
    compare the outputs computed with the batch's own statistics (training mode) with
    those computed with (a) the running averages and (b) the full training set's mean and
    mean squared deviation.

    Parameters
    ----------
    batch_sizes : sequence of int
        Each at least 2.
    n_samples : int
        Size of the seeded training set (4 features of different means and scales).
    steps : int
        Training-mode steps per batch size.
    momentum : float
        ``p`` in the lecture's update (PyTorch's ``momentum`` is ``1 - p``).
    eval_batches : int
        Batches over which the maximum differences are taken.
    seed : int

    Returns
    -------
    BatchNormInference

    Examples
    --------
    >>> result = batch_norm_inference((4, 256), steps=100)
    >>> small, large = result.rows
    >>> bool(large.max_diff_full < small.max_diff_full)
    True
    """
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum p must be in [0, 1), got {momentum!r}")
    for b in batch_sizes:
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not 2 <= b <= n_samples:
            raise ValueError(f"batch size {b!r} must be an int in 2..{n_samples}")
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=[1.0, -2.0, 0.5, 3.0], scale=[1.0, 5.0, 0.2, 2.0], size=(n_samples, 4))
    net = BatchNormNetwork.random(4, 8, seed=seed + 1)
    full_mean, full_var = net.batch_stats(net.hidden(x))
    rows, traces = [], []
    for batch_size in batch_sizes:
        order_rng = np.random.default_rng([seed, int(batch_size)])
        batches = _batches(n_samples, int(batch_size), order_rng)
        mean_bar, var_bar = np.zeros_like(full_mean), np.ones_like(full_var)
        trace = []
        for _ in range(steps):
            mu, var = net.batch_stats(net.hidden(x[next(batches)]))
            mean_bar = momentum * mean_bar + (1 - momentum) * mu
            var_bar = momentum * var_bar + (1 - momentum) * var * batch_size / (batch_size - 1)
            trace.append(float(np.max(np.abs(mean_bar - full_mean))))
        diff_running = diff_full = 0.0
        for _ in range(eval_batches):
            batch = x[next(batches)]
            train_mode = net.forward(batch)
            diff_running = max(diff_running, float(np.max(np.abs(
                train_mode - net.forward(batch, mean_bar, var_bar)))))
            diff_full = max(diff_full, float(np.max(np.abs(
                train_mode - net.forward(batch, full_mean, full_var)))))
        rows.append(InferenceRow(int(batch_size), diff_running, diff_full, trace[-1]))
        traces.append(tuple(trace))
    return BatchNormInference(n_samples, steps, float(momentum), tuple(rows), tuple(traces))


def _batches(n_samples: int, batch_size: int,
             rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of full mini-batches, reshuffled every epoch."""
    while True:
        order = rng.permutation(n_samples)
        for begin in range(0, n_samples - batch_size + 1, batch_size):
            yield order[begin:begin + batch_size]
