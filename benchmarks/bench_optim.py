"""Benchmark: 10,000 starts x 1,000 Adam steps on the 2-D Rosenbrock function, float64.

Times (best of 3) for

* ``symopt.run`` with ``symopt.optim.adam`` (the generic chain machinery) on a hand-coded,
  vectorised Rosenbrock object;
* the same through ``symopt.compile(symopt.Loss.parse(...))``, when ``symopt.numeric`` exists;
* a hand-written NumPy Adam loop on the same gradient function;
* ``torch.optim.Adam`` on the same (10000, 2) batch, gradients by autograd, with PyTorch's
  default number of threads and with one thread; the faster counts (skipped with a message
  when torch is not installed).

``run`` is called with ``record_every=1000`` so that it records only the start and the end:
recording keeps one array per record and evaluates the loss there, which would otherwise
dominate the time. Targets: torch / symopt >= 3 and symopt / hand-written <= 1.5.

Usage::

    python benchmarks/bench_optim.py
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from a source checkout

import symopt  # noqa: E402
from symopt import optim  # noqa: E402

STARTS = 10_000
STEPS = 1_000
LR = 1e-2
BETAS = (0.9, 0.999)
EPS = 1e-8
REPEATS = 3


class Rosenbrock:
    """L(x, y) = (1 - x)^2 + 100 (y - x^2)^2, vectorised over leading axes."""

    n_params = 2
    params = ("x", "y")
    n_samples = None

    def value(self, theta: np.ndarray) -> np.ndarray:
        a = theta[..., 0]
        b = theta[..., 1]
        return (1.0 - a) ** 2 + 100.0 * (b - a * a) ** 2

    def grad(self, theta: np.ndarray) -> np.ndarray:
        # dL/dx = 2 (x - 1) - 400 x (y - x^2) = x (2 - 400 r) - 2,  dL/dy = 200 r
        a = theta[..., 0]
        out = np.empty_like(theta)
        r = np.multiply(a, a)
        np.subtract(theta[..., 1], r, out=r)
        np.multiply(r, 200.0, out=out[..., 1])
        r *= -400.0
        r += 2.0
        r *= a
        np.subtract(r, 2.0, out=out[..., 0])
        return out


def best_of(function: Callable[[], np.ndarray], repeats: int = REPEATS) -> tuple[float, np.ndarray]:
    """Best wall time over ``repeats`` calls, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        begin = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - begin)
    return best, result


def symopt_run(loss, x0: np.ndarray) -> np.ndarray:
    return symopt.run(loss, optim.adam(LR, betas=BETAS, eps=EPS), x0, steps=STEPS,
                      record_every=STEPS).x


def hand_written(loss: Rosenbrock, x0: np.ndarray) -> np.ndarray:
    """Adam as PyTorch documents it, written out in place with NumPy."""
    b1, b2 = BETAS
    x = x0.copy()
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    for t in range(1, STEPS + 1):
        g = loss.grad(x)
        m *= b1
        m += (1 - b1) * g
        v *= b2
        g *= g
        g *= 1 - b2
        v += g
        denom = np.sqrt(v)
        denom /= (1 - b2 ** t) ** 0.5
        denom += EPS
        np.divide(m, denom, out=denom)
        denom *= LR / (1 - b1 ** t)
        x -= denom
    return x


def torch_adam(x0: np.ndarray) -> np.ndarray:
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=LR, betas=BETAS, eps=EPS)
    for _ in range(STEPS):
        opt.zero_grad()
        a, b = x[:, 0], x[:, 1]
        ((1 - a) ** 2 + 100 * (b - a * a) ** 2).sum().backward()
        opt.step()
    return x.detach().numpy()


def main() -> None:
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-2.0, 2.0, size=(STARTS, 2))
    loss = Rosenbrock()
    print(f"Adam, {STARTS} starts x {STEPS} steps on 2-D Rosenbrock, float64, best of {REPEATS}")
    if hasattr(os, "getloadavg"):
        print(f"  (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores: other "
              "processes slow the timings down)")

    t_symopt, x_symopt = best_of(lambda: symopt_run(loss, x0))
    t_hand, x_hand = best_of(lambda: hand_written(loss, x0))
    print(f"  symopt.run (hand-coded gradient) {t_symopt:8.3f} s")
    print(f"  hand-written NumPy loop          {t_hand:8.3f} s")

    if importlib.util.find_spec("symopt.numeric") is not None:
        try:
            compiled = symopt.compile(symopt.Loss.parse("(1 - x)**2 + 100*(y - x**2)**2"))
        except Exception as error:  # the compiler is optional here; report and go on
            print(f"  symopt.compile path skipped: {type(error).__name__}: {error}")
        else:
            t_compiled, _ = best_of(lambda: symopt_run(compiled, x0))
            print(f"  symopt.run (symopt.compile)      {t_compiled:8.3f} s")
    else:
        print("  symopt.compile path skipped: symopt.numeric is not available")

    t_torch = None
    if importlib.util.find_spec("torch") is not None:
        import torch

        # PyTorch's default thread count and one thread: the faster one counts (on a busy
        # machine its worker threads compete for cores and can be far slower)
        default_threads = torch.get_num_threads()
        t_torch, x_torch = best_of(lambda: torch_adam(x0))
        torch.set_num_threads(1)
        t_single, _ = best_of(lambda: torch_adam(x0))
        torch.set_num_threads(default_threads)
        print(f"  torch.optim.Adam (autograd)      {t_torch:8.3f} s  ({default_threads} threads), "
              f"{t_single:.3f} s (1 thread)")
        t_torch = min(t_torch, t_single)
        print(f"  max |x_symopt - x_torch| = {np.abs(x_symopt - x_torch).max():.2e} "
              "(Adam on Rosenbrock amplifies rounding over 1000 steps)")
    else:
        print("  torch.optim.Adam skipped: torch is not installed")

    print(f"  max |x_symopt - x_hand|  = {np.abs(x_symopt - x_hand).max():.2e}")
    ratio_hand = t_symopt / t_hand
    verdict = "met" if ratio_hand <= 1.5 else "NOT met"
    print(f"symopt / hand-written = {ratio_hand:.2f}  (target <= 1.5: {verdict})")
    if t_torch is not None:
        ratio_torch = t_torch / t_symopt
        verdict = "met" if ratio_torch >= 3 else "NOT met"
        print(f"torch / symopt        = {ratio_torch:.2f}  (target >= 3: {verdict})")


if __name__ == "__main__":
    main()
