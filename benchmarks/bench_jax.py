"""Benchmark: symopt's fused JAX runs and large Hessians against hand-written baselines.

All measured in one run, best of ``--repeats`` after one warm-up call (JAX compiles on the
first call; that time is printed separately). Printed ratios and their targets:

1. Adam, ``--starts`` x ``--steps`` on 2-D Rosenbrock, float64:
   symopt JAX backend / hand-written ``jit`` + ``lax.scan`` (target <= 1.5);
   ``torch.optim.Adam`` (1 thread) / symopt JAX backend (target >= 5);
   symopt NumPy backend on a ``symopt.compile``d loss / the hand-written in-place NumPy loop
   of ``bench_optim.py`` (target <= 1.2).
2. The 25-parameter tanh network, 300 full-batch Adam steps on 1,000 samples:
   symopt JAX backend / hand-written JAX (``jax.grad`` + the same Adam in ``lax.scan``)
   (target <= 1.5).
3. The 100-parameter tanh network on 1,000 samples: time until the Hessian is ready
   (derivation + compilation + first call; target < 15 s), and one evaluation against
   ``jax.hessian`` under ``jit`` (target: faster).

Usage::

    python benchmarks/bench_jax.py                       # full sizes
    python benchmarks/bench_jax.py --starts 1000 --steps 200 --skip-hessian
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from a source checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_optim  # noqa: E402
from timing import best_of, interleaved, timed  # noqa: E402
import symopt  # noqa: E402
from symopt import optim  # noqa: E402

LR, B1, B2, EPS = 1e-2, 0.9, 0.999, 1e-8
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"


def hand_jax_adam(grad: Callable[[Any], Any], steps: int, lr: float) -> Callable[[Any], Any]:
    """Adam as PyTorch documents it, in one jitted lax.scan (float64)."""
    import jax
    import jax.numpy as jnp

    def program(x0: Any) -> Any:
        def body(carry: Any, t: Any) -> Any:
            x, m, v = carry
            g = grad(x)
            m = B1 * m + (1 - B1) * g
            v = B2 * v + (1 - B2) * g * g
            mhat = m / (1 - B1 ** t)
            vhat = v / (1 - B2 ** t)
            return (x - lr * mhat / (jnp.sqrt(vhat) + EPS), m, v), None
        zeros = jnp.zeros_like(x0)
        return jax.lax.scan(body, (x0, zeros, zeros), jnp.arange(1, steps + 1))[0][0]

    return jax.jit(program)


def rosenbrock_section(starts: int, steps: int, repeats: int) -> None:
    import jax
    import jax.numpy as jnp

    print(f"1. Adam, {starts} starts x {steps} steps, 2-D Rosenbrock, float64")
    x0 = np.random.default_rng(0).uniform(-2.0, 2.0, size=(starts, 2))
    loss = symopt.Loss.parse(ROSENBROCK)
    f_jax = symopt.compile(loss, backend="jax")
    f_numpy = symopt.compile(loss)
    opt = optim.adam(LR, betas=(B1, B2), eps=EPS)

    def symopt_jax() -> np.ndarray:
        return symopt.run(f_jax, opt, x0, steps=steps, record_every=steps).x

    def rosenbrock_grad(x: Any) -> Any:
        a, b = x[:, 0], x[:, 1]
        r = b - a * a
        return jnp.stack([2 * (a - 1) - 400 * a * r, 200 * r], axis=-1)

    with jax.enable_x64(True):
        hand = hand_jax_adam(rosenbrock_grad, steps, LR)
        t_compile_hand, _ = timed(lambda: np.asarray(hand(jnp.asarray(x0))))
    t_compile_symopt, _ = timed(symopt_jax)

    def hand_jax() -> np.ndarray:
        with jax.enable_x64(True):
            return np.asarray(hand(jnp.asarray(x0)))

    (t_symopt, x_symopt), (t_hand, x_hand) = interleaved(symopt_jax, hand_jax, repeats)
    print(f"   first call (compile + run): symopt {t_compile_symopt:.2f} s, hand-written "
          f"{t_compile_hand:.2f} s")
    print(f"   symopt.run, backend='jax'          {t_symopt:8.3f} s")
    print(f"   hand-written jit + lax.scan        {t_hand:8.3f} s")
    print(f"   median |x_symopt - x_hand| = {np.median(np.abs(x_symopt - x_hand)):.1e}")
    ratio = t_symopt / t_hand
    print(f"   symopt JAX / hand-written JAX = {ratio:.2f}  (target <= 1.5: "
          f"{'met' if ratio <= 1.5 else 'NOT met'})")
    if importlib.util.find_spec("torch") is not None:
        import torch
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        bench_optim.STEPS = steps
        t_torch, _ = best_of(lambda: bench_optim.torch_adam(x0), 1)
        torch.set_num_threads(threads)
        print(f"   torch.optim.Adam, 1 thread         {t_torch:8.3f} s")
        ratio = t_torch / t_symopt
        print(f"   torch / symopt JAX = {ratio:.1f}  (target >= 5: "
              f"{'met' if ratio >= 5 else 'NOT met'})")
    bench_optim.STEPS = steps
    hand_grad = bench_optim.Rosenbrock()
    (t_np_symopt, _), (t_np_hand, _) = interleaved(
        lambda: symopt.run(f_numpy, opt, x0, steps=steps, record_every=steps).x,
        lambda: bench_optim.hand_written(hand_grad, x0), repeats)
    print(f"   symopt.run, NumPy, compiled loss   {t_np_symopt:8.3f} s")
    print(f"   hand-written in-place NumPy loop   {t_np_hand:8.3f} s")
    ratio = t_np_symopt / t_np_hand
    print(f"   symopt NumPy / hand-written NumPy = {ratio:.2f}  (target <= 1.2: "
          f"{'met' if ratio <= 1.2 else 'NOT met'})")


def tanh_network(hidden: int, samples: int) -> tuple[symopt.Loss, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=samples)
    data = {"x": x, "y": np.sin(2 * x) + 0.1 * rng.normal(size=samples)}
    model = " + ".join(f"c{k}*tanh(w{k}*x + b{k})" for k in range(1, hidden + 1)) + " + b0"
    return symopt.Loss.from_model(model, data=data, target="y"), data


def jax_network_loss(names: tuple[str, ...], data: dict[str, np.ndarray]) -> Callable:
    import jax.numpy as jnp
    index = {name: i for i, name in enumerate(names)}
    hidden = (len(names) - 1) // 3
    w = np.array([index[f"w{k}"] for k in range(1, hidden + 1)])
    b = np.array([index[f"b{k}"] for k in range(1, hidden + 1)])
    c = np.array([index[f"c{k}"] for k in range(1, hidden + 1)])
    b0 = index["b0"]
    x, y = jnp.asarray(data["x"]), jnp.asarray(data["y"])

    def loss(t: Any) -> Any:
        return ((y - jnp.tanh(x[:, None] * t[w] + t[b]) @ t[c] - t[b0]) ** 2).mean()

    return loss


def network_section(repeats: int, steps: int = 300) -> None:
    import jax
    import jax.numpy as jnp

    print(f"2. 25-parameter tanh network, {steps} full-batch Adam steps, 1,000 samples")
    loss, data = tanh_network(8, 1000)
    f_jax = symopt.compile(loss, backend="jax")
    theta0 = np.random.default_rng(1).normal(size=(1, f_jax.n_params))
    opt = optim.adam(LR, betas=(B1, B2), eps=EPS)

    def symopt_jax() -> np.ndarray:
        return symopt.run(f_jax, opt, theta0, steps=steps, record_every=steps, tol=0.0).x

    with jax.enable_x64(True):
        value = jax_network_loss(f_jax.params, data)
        hand = hand_jax_adam(jax.vmap(jax.grad(value)), steps, LR)
        t_compile_hand, _ = timed(lambda: np.asarray(hand(jnp.asarray(theta0))))
    t_compile_symopt, _ = timed(symopt_jax)

    def hand_jax() -> np.ndarray:
        with jax.enable_x64(True):
            return np.asarray(hand(jnp.asarray(theta0)))

    (t_symopt, x_symopt), (t_hand, x_hand) = interleaved(symopt_jax, hand_jax, repeats)
    print(f"   first call (compile + run): symopt {t_compile_symopt:.2f} s, hand-written "
          f"{t_compile_hand:.2f} s")
    print(f"   symopt.run, backend='jax'          {t_symopt:8.4f} s")
    print(f"   hand-written JAX (jax.grad)        {t_hand:8.4f} s")
    print(f"   max |x_symopt - x_hand| = {np.abs(x_symopt - x_hand).max():.1e}")
    ratio = t_symopt / t_hand
    print(f"   symopt JAX / hand-written JAX = {ratio:.2f}  (target <= 1.5: "
          f"{'met' if ratio <= 1.5 else 'NOT met'})")


def hessian_section(repeats: int) -> None:
    import jax
    import jax.numpy as jnp

    print("3. 100-parameter tanh network (1-33-1), MSE on 1,000 samples: Hessian")
    begin = time.perf_counter()
    loss, data = tanh_network(33, 1000)
    f = symopt.compile(loss)
    theta = np.random.default_rng(2).normal(size=f.n_params)
    h = f.hess(theta)
    ready = time.perf_counter() - begin
    print(f"   ready (derive + compile + first call): {ready:.2f} s via {f.hessian_method}  "
          f"(target < 15 s: {'met' if ready < 15 else 'NOT met'})")
    with jax.enable_x64(True):
        hessian = jax.jit(jax.hessian(jax_network_loss(f.params, data)))
        point = jnp.asarray(theta)
        t_compile, reference = timed(lambda: np.asarray(hessian(point)))

    def jax_hess() -> np.ndarray:
        with jax.enable_x64(True):
            return np.asarray(hessian(point))

    (t_symopt, _), (t_jax, _) = interleaved(lambda: f.hess(theta), jax_hess, repeats)
    print(f"   one evaluation: symopt {t_symopt:.4f} s, jax.hessian under jit {t_jax:.4f} s "
          f"(its first call {t_compile:.2f} s)")
    difference = np.abs(h - reference).max() / np.abs(reference).max()
    print(f"   largest relative difference {difference:.1e}")
    print(f"   symopt / jax.hessian = {t_symopt / t_jax:.2f}  (target < 1: "
          f"{'met' if t_symopt < t_jax else 'NOT met'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-hessian", action="store_true")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("jax") is None:
        print('jax is not installed: pip install "symopt[jax]"')
        return 0
    rosenbrock_section(args.starts, args.steps, args.repeats)
    network_section(args.repeats)
    if not args.skip_hessian:
        hessian_section(args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
