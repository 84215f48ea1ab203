"""Speed of compiled derivatives: a 25-parameter tanh network with MSE on 1,000 samples.

Run:  python benchmarks/bench_numeric.py [--cap SECONDS] [--repeats N]
      (with symopt installed, ``pip install -e .``, or from the repository root with
      ``PYTHONPATH=.``)

The network has 8 hidden units and one input (params w1..w8, b1..b8, c1..c8, b0):
``sum_k c_k tanh(w_k x + b_k) + b0``, seeded data.  Printed, all measured in this run:

(a) preparation: ``Loss.from_model`` + ``compile`` + the first ``hess`` call (target
    under 5 s), against SymPy differentiating the explicit sum over only the first 50
    samples (run in a child process, stopped after ``--cap`` seconds);
(b) the full Hessian at one point: symopt ``hess(theta)`` against
    ``torch.autograd.functional.hessian`` and ``torch.func.hessian`` of the same function
    in float64, best of ``--repeats`` (target: symopt faster than both).  The torch part is
    skipped with a message when PyTorch is not installed (it is not a dependency).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from typing import Any, Callable

import numpy as np

import symopt as so

HIDDEN = 8
N_SAMPLES = 1000
SUM_SAMPLES = 50
MODEL = " + ".join(f"c{k}*tanh(w{k}*x + b{k})" for k in range(1, HIDDEN + 1)) + " + b0"


def make_data(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, size=N_SAMPLES)
    return {"x": x, "y": np.sin(x) + 0.1 * rng.normal(size=N_SAMPLES)}


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: first-call costs are measured separately
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def sympy_explicit_sum_hessian(data: dict[str, np.ndarray], done: Any) -> None:
    """Child process: the Hessian of the explicit 50-sample sum, differentiated by SymPy."""
    import sympy as sp

    started = time.perf_counter()
    x, y = sp.symbols("x y", real=True)
    model = sp.sympify(MODEL, locals={"x": x})
    params = sorted(model.free_symbols - {x}, key=lambda s: (s.name[0], int(s.name[1:])))
    terms = [(sp.Float(data["y"][i]) - model.xreplace({x: sp.Float(data["x"][i])})) ** 2
             for i in range(SUM_SAMPLES)]
    loss = sp.Add(*terms) / SUM_SAMPLES
    grad = [sp.diff(loss, p) for p in params]
    hessian = [sp.diff(grad[i], params[j]) for i in range(len(params))
               for j in range(i, len(params))]
    done.put((time.perf_counter() - started, len(hessian)))


def time_sympy_sum(data: dict[str, np.ndarray], cap: float) -> float | None:
    """Seconds SymPy takes, or None when it did not finish within ``cap``."""
    context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    done = context.Queue()
    child = context.Process(target=sympy_explicit_sum_hessian, args=(data, done), daemon=True)
    child.start()
    child.join(cap)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return done.get()[0] if not done.empty() else None


def torch_hessians(data: dict[str, np.ndarray], names: tuple[str, ...], theta: np.ndarray,
                   repeats: int) -> dict[str, tuple[float, np.ndarray]] | None:
    try:
        import torch
    except ImportError:
        return None
    from torch.autograd.functional import hessian as autograd_hessian

    x = torch.tensor(data["x"], dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.float64)
    index = {name: i for i, name in enumerate(names)}
    w = torch.tensor([index[f"w{k}"] for k in range(1, HIDDEN + 1)])
    b = torch.tensor([index[f"b{k}"] for k in range(1, HIDDEN + 1)])
    c = torch.tensor([index[f"c{k}"] for k in range(1, HIDDEN + 1)])
    b0 = index["b0"]

    def loss(t: "torch.Tensor") -> "torch.Tensor":
        hidden = torch.tanh(x[:, None] * t[w] + t[b])
        return ((y - hidden @ t[c] - t[b0]) ** 2).mean()

    point = torch.tensor(theta, dtype=torch.float64)
    func_hessian = torch.func.hessian(loss)
    results = {}
    for label, fn in (("torch.autograd.functional.hessian", lambda: autograd_hessian(loss, point)),
                      ("torch.func.hessian", lambda: func_hessian(point))):
        results[label] = (best_of(fn, repeats), fn().numpy())
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=60.0,
                        help="seconds SymPy may spend on the explicit sum (default 60)")
    parser.add_argument("--repeats", type=int, default=30, help="timing repeats (best of)")
    args = parser.parse_args(argv)
    data = make_data()
    print(f"symopt numeric benchmark: {3 * HIDDEN + 1}-parameter tanh network "
          f"({HIDDEN} hidden units), MSE on {N_SAMPLES} samples")
    missed = []

    # (a) preparation, cold: the first symbolic work of this process (imports excluded)
    so.Loss, so.compile  # noqa: B018 - load the lazily imported modules before timing
    started = time.perf_counter()
    loss = so.Loss.from_model(MODEL, data=data)
    f = so.compile(loss)
    rng = np.random.default_rng(1)
    theta = 0.5 * rng.normal(size=f.n_params)
    hess = f.hess(theta)
    prep = time.perf_counter() - started
    print("\n(a) derivative preparation and compilation")
    print(f"  symopt: Loss.from_model + compile + first hess      {prep:8.2f} s   (target < 5 s)")
    if prep >= 5.0:
        missed.append("preparation under 5 s")
    sympy_time = time_sympy_sum(data, args.cap)
    shown = f"> {args.cap:g} s" if sympy_time is None else f"{sympy_time:.2f} s"
    print(f"  SymPy: Hessian of the explicit sum of {SUM_SAMPLES} samples  {shown:>10s}")
    lower = args.cap if sympy_time is None else sympy_time
    print(f"  ratio SymPy ({SUM_SAMPLES} samples) / symopt ({N_SAMPLES} samples): "
          f"{'> ' if sympy_time is None else ''}{lower / prep:.0f}x")

    # (b) the full Hessian at one point
    print(f"\n(b) full {f.n_params}x{f.n_params} Hessian at one point, best of {args.repeats}")
    ours = best_of(lambda: f.hess(theta), args.repeats)
    print(f"  symopt hess (numpy backend)            {ours * 1e3:8.3f} ms")
    try:
        fast = so.compile(loss, backend="symengine")
        fast_time = best_of(lambda: fast.hess(theta), args.repeats)
        print(f"  symopt hess (symengine backend)        {fast_time * 1e3:8.3f} ms"
              f"   max |diff| vs numpy {np.max(np.abs(fast.hess(theta) - hess)):.1e}")
    except ImportError:
        print('  symopt hess (symengine backend)        skipped: pip install "symopt[fast]"')
    hvp = best_of(lambda: f.hvp(theta, theta), args.repeats)
    print(f"  symopt hvp (numpy backend)             {hvp * 1e3:8.3f} ms")
    torch_results = torch_hessians(data, f.params, theta, args.repeats)
    if torch_results is None:
        print("  torch: skipped, PyTorch is not installed (pip install torch to compare)")
    else:
        for label, (seconds, reference) in torch_results.items():
            ratio = seconds / ours
            print(f"  {label:38s} {seconds * 1e3:8.3f} ms   {ratio:5.1f}x symopt's time"
                  f"   max |diff| {np.max(np.abs(reference - hess)):.1e}")
            if ratio <= 1.0:
                missed.append(f"symopt faster than {label}")
    print()
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
