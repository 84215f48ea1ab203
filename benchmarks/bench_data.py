"""Benchmark: a data loss that does not grow with N, against torch.func on the same data.

The 13-parameter network ``sum_k c_k tanh(w_k x + b_k) + b0`` (4 hidden units), MSE over N
seeded samples. Printed, all measured in this run:

* preparation (``Loss.from_model`` + ``symopt.compile`` + building the gradient and Hessian
  kernels) at N = 1e4 and N = 1e6, and their ratio (target <= 5);
* at the large N, the gradient and Hessian of symopt (NumPy backend) and of ``torch.func``
  (``grad`` and ``hessian``, float64, one thread), their time ratio (target <= 1) and their
  largest relative difference (target <= 1e-9); skipped with a message without torch.

Usage::

    python benchmarks/bench_data.py            # N = 1e4 and 1e6
    python benchmarks/bench_data.py --large 100000
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from a source checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))

import symopt  # noqa: E402
from timing import best_of, interleaved  # noqa: E402

HIDDEN = 4
MODEL = " + ".join(f"c{k}*tanh(w{k}*x + b{k})" for k in range(1, HIDDEN + 1)) + " + b0"


def make_data(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=n)
    return {"x": x, "y": np.sin(2 * x) + 0.1 * rng.normal(size=n)}


def prepare(data: dict[str, np.ndarray]) -> Any:
    loss = symopt.Loss.from_model(MODEL, data=data, target="y")
    f = symopt.compile(loss)
    f._kernel("grad")
    f._kernel("hess")
    return f


def torch_functions(data: dict[str, np.ndarray], names: tuple[str, ...]) -> Any:
    import torch
    from torch.func import grad, hessian

    torch.set_num_threads(1)
    x = torch.tensor(data["x"], dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.float64)
    index = {name: i for i, name in enumerate(names)}
    w = [index[f"w{k}"] for k in range(1, HIDDEN + 1)]
    b = [index[f"b{k}"] for k in range(1, HIDDEN + 1)]
    c = [index[f"c{k}"] for k in range(1, HIDDEN + 1)]

    def loss(t: "torch.Tensor") -> "torch.Tensor":
        hidden = torch.tanh(x[:, None] * t[w] + t[b])
        return ((y - hidden @ t[c] - t[index["b0"]]) ** 2).mean()

    return torch, grad(loss), hessian(loss)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    small, large = make_data(args.small), make_data(args.large)
    print(f"{3 * HIDDEN + 1}-parameter tanh network, MSE; N = {args.small} and {args.large}")
    t_small, _ = best_of(lambda: prepare(small), args.repeats)
    t_large, f = best_of(lambda: prepare(large), args.repeats)
    ratio = t_large / t_small
    print(f"  preparation  N={args.small:>9}: {t_small:8.3f} s")
    print(f"  preparation  N={args.large:>9}: {t_large:8.3f} s")
    print(f"prep ratio large / small = {ratio:.2f}  (target <= 5: "
          f"{'met' if ratio <= 5 else 'NOT met'})")
    theta = np.random.default_rng(1).normal(size=f.n_params)
    if importlib.util.find_spec("torch") is None:
        t_grad, _ = best_of(lambda: f.grad(theta), args.repeats)
        t_hess, _ = best_of(lambda: f.hess(theta), args.repeats)
        print(f"  symopt grad {t_grad:8.4f} s   hess {t_hess:8.4f} s   (N = {args.large})")
        print("  torch.func skipped: torch is not installed")
        return 0
    torch, torch_grad, torch_hess = torch_functions(large, f.params)
    point = torch.tensor(theta, dtype=torch.float64)
    # each symopt call alternates with its torch counterpart, so both see the same load
    (t_grad, g), (t_tgrad, tg) = interleaved(lambda: f.grad(theta), lambda: torch_grad(point),
                                             args.repeats)
    (t_hess, h), (t_thess, th) = interleaved(lambda: f.hess(theta), lambda: torch_hess(point),
                                             args.repeats)
    print(f"  symopt grad {t_grad:8.4f} s   hess {t_hess:8.4f} s   (N = {args.large})")
    print(f"  torch  grad {t_tgrad:8.4f} s   hess {t_thess:8.4f} s   (torch.func, 1 thread)")
    g_diff = np.abs(g - tg.numpy()).max() / np.abs(tg.numpy()).max()
    h_diff = np.abs(h - th.numpy()).max() / np.abs(th.numpy()).max()
    print(f"symopt / torch: grad {t_grad / t_tgrad:.2f}, hess {t_hess / t_thess:.2f}  (target "
          f"<= 1: {'met' if max(t_grad / t_tgrad, t_hess / t_thess) <= 1 else 'NOT met'})")
    print(f"largest relative difference: grad {g_diff:.1e}, hess {h_diff:.1e}  (target <= 1e-9: "
          f"{'met' if max(g_diff, h_diff) <= 1e-9 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
