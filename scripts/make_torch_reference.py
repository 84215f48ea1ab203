"""Write tests/data/torch_reference.npz: 100-step torch.optim trajectories for cross-checks.

For every case (a PyTorch optimizer with some hyper-parameters, optionally with a learning-rate
scheduler) and every test function (2-D Rosenbrock, a 3-D ill-conditioned quadratic), run
``torch.optim`` in float64 for 100 steps from 2 fixed starts held as one (2, n) tensor, with
the gradient computed by the NumPy formulas below (so only the optimizer arithmetic is
compared), and store the iterates, shape (101, 2, n).

``tests/test_optim.py`` compares ``symopt.optim`` against the stored arrays (max abs difference
<= 1e-12) and, when torch is importable, regenerates them live through :func:`generate`.  It
loads this file for :data:`FUNCTIONS` too, so both sides use the very same gradients; keep the
module importable without torch.
PyTorch is not a dependency of symopt; only this script and that optional test use it.

Usage::

    pip install torch          # CPU build is enough
    python scripts/make_torch_reference.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

STEPS = 100
OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "torch_reference.npz"

# ----------------------------------------------------------------------------- test functions
# Written elementwise (no BLAS), so NumPy gives bit-identical results for one point or many.

QUADRATIC_A = ((100.0, 9.0, 0.0), (9.0, 10.0, 1.0), (0.0, 1.0, 1.0))   # eigenvalues ~0.9..101
QUADRATIC_B = (1.0, -2.0, 0.5)


def rosenbrock_grad(theta: np.ndarray) -> np.ndarray:
    """Gradient of (1 - x)^2 + 100 (y - x^2)^2."""
    x, y = theta[..., 0], theta[..., 1]
    r = y - x * x
    return np.stack([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r], axis=-1)


def quadratic_grad(theta: np.ndarray) -> np.ndarray:
    """Gradient A theta - b of theta^T A theta / 2 - b^T theta."""
    rows = []
    for (a0, a1, a2), b in zip(QUADRATIC_A, QUADRATIC_B):
        rows.append(a0 * theta[..., 0] + a1 * theta[..., 1] + a2 * theta[..., 2] - b)
    return np.stack(rows, axis=-1)


FUNCTIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], list[list[float]]]] = {
    "rosenbrock": (rosenbrock_grad, [[-1.2, 1.0], [0.8, -0.5]]),
    "quadratic": (quadratic_grad, [[1.0, -1.0, 2.0], [-0.5, 0.3, -2.5]]),
}

# ----------------------------------------------------------------------------- schedules
# The rates written out here independently of symopt.optim.schedules.


def warmup_cosine_rate(step: int, lr: float = 2e-2, warmup: int = 10, total: int = 100,
                       low: float = 1e-3) -> float:
    if step < warmup:
        return lr * step / warmup
    if step >= total:
        return low
    return low + (lr - low) * (1 + math.cos(math.pi * (step - warmup) / (total - warmup))) / 2


def transformer_rate(step: int, d_model: int = 64, warmup: int = 10, scale: float = 0.5) -> float:
    s = step + 1
    return scale * d_model ** -0.5 * min(s ** -0.5, s * warmup ** -1.5)


# ----------------------------------------------------------------------------- cases
# Each case: the torch optimizer and scheduler, and the symopt optimizer meant to equal it.
# Rates are chosen so that no trajectory is near the edge of stability: there the 1-ulp
# differences of fused multiply-adds (PyTorch) versus separate ones (NumPy) grow past 1e-12
# within 100 steps (e.g. Nesterov with lr=1e-3, momentum=0.9 on Rosenbrock: 2e-12).
# Cosine schedules stay within PyTorch's first period (T_max >= 100 steps).


def _case(torch_name: str, torch_kwargs: dict[str, Any], symopt_name: str,
          symopt_kwargs: dict[str, Any] | None = None, scheduler: dict[str, Any] | None = None,
          schedule: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"torch": {"optimizer": torch_name, "kwargs": torch_kwargs, "scheduler": scheduler},
            "symopt": {"optimizer": symopt_name, "lr": torch_kwargs["lr"],
                       "kwargs": symopt_kwargs or {}, "schedule": schedule}}


CASES: dict[str, dict[str, Any]] = {
    "sgd_plain": _case("SGD", {"lr": 1e-3}, "sgd"),
    "sgd_momentum": _case("SGD", {"lr": 1e-3, "momentum": 0.9}, "sgd", {"momentum": 0.9}),
    "sgd_nesterov": _case("SGD", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}, "sgd",
                          {"momentum": 0.9, "nesterov": True}),
    "sgd_dampening": _case("SGD", {"lr": 1e-3, "momentum": 0.8, "dampening": 0.3}, "sgd",
                           {"momentum": 0.8, "dampening": 0.3}),
    "sgd_weight_decay": _case("SGD", {"lr": 1e-3, "momentum": 0.5, "weight_decay": 0.1}, "sgd",
                              {"momentum": 0.5, "weight_decay": 0.1}),
    "adagrad_plain": _case("Adagrad", {"lr": 0.1}, "adagrad"),
    "adagrad_lr_decay": _case("Adagrad", {"lr": 0.5, "lr_decay": 0.05}, "adagrad",
                              {"lr_decay": 0.05}),
    "adagrad_accumulator_weight_decay": _case(
        "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.05,
                    "eps": 1e-6},
        "adagrad", {"initial_accumulator_value": 0.5, "weight_decay": 0.05, "eps": 1e-6}),
    "rmsprop_plain": _case("RMSprop", {"lr": 1e-3}, "rmsprop"),
    "rmsprop_centered": _case("RMSprop", {"lr": 1e-3, "alpha": 0.9, "centered": True},
                              "rmsprop", {"alpha": 0.9, "centered": True}),
    "rmsprop_momentum": _case("RMSprop", {"lr": 1e-4, "momentum": 0.9, "weight_decay": 0.01},
                              "rmsprop", {"momentum": 0.9, "weight_decay": 0.01}),
    "adam_plain": _case("Adam", {"lr": 1e-2}, "adam"),
    "adam_amsgrad": _case("Adam", {"lr": 1e-2, "betas": (0.8, 0.99), "amsgrad": True}, "adam",
                          {"betas": (0.8, 0.99), "amsgrad": True}),
    "adam_weight_decay": _case("Adam", {"lr": 1e-2, "weight_decay": 0.1, "eps": 1e-6}, "adam",
                               {"weight_decay": 0.1, "eps": 1e-6}),
    "adamw_default": _case("AdamW", {"lr": 1e-2}, "adamw"),
    "adamw_amsgrad": _case("AdamW", {"lr": 5e-3, "weight_decay": 0.1, "amsgrad": True},
                           "adamw", {"weight_decay": 0.1, "amsgrad": True}),
    "steplr_sgd": _case("SGD", {"lr": 1e-3, "momentum": 0.9}, "sgd", {"momentum": 0.9},
                        {"name": "StepLR", "kwargs": {"step_size": 10, "gamma": 0.5}},
                        {"name": "step_decay", "kwargs": {"lr": 1e-3, "step_size": 10,
                                                          "gamma": 0.5}}),
    "exponential_adam": _case("Adam", {"lr": 2e-2}, "adam", None,
                              {"name": "ExponentialLR", "kwargs": {"gamma": 0.97}},
                              {"name": "exponential", "kwargs": {"lr": 2e-2, "gamma": 0.97}}),
    "cosine_adam": _case("Adam", {"lr": 2e-2}, "adam", None,
                         {"name": "CosineAnnealingLR", "kwargs": {"T_max": 100,
                                                                  "eta_min": 1e-3}},
                         {"name": "cosine", "kwargs": {"lr": 2e-2, "total_steps": 100,
                                                       "min_lr": 1e-3}}),
    "cosine_sgd": _case("SGD", {"lr": 1e-3, "momentum": 0.5}, "sgd", {"momentum": 0.5},
                        {"name": "CosineAnnealingLR", "kwargs": {"T_max": 150}},
                        {"name": "cosine", "kwargs": {"lr": 1e-3, "total_steps": 150}}),
    "linear_warmup_sgd": _case("SGD", {"lr": 1e-3, "momentum": 0.9}, "sgd", {"momentum": 0.9},
                               {"name": "LinearLR", "kwargs": {"start_factor": 0.1,
                                                               "total_iters": 20}},
                               {"name": "linear_warmup", "kwargs": {"lr": 1e-3,
                                                                    "warmup_steps": 20,
                                                                    "start": 1e-4}}),
    "warmup_cosine_adam": _case("Adam", {"lr": 1.0}, "adam", None,
                                {"name": "LambdaLR", "lambda": "warmup_cosine_rate"},
                                {"name": "warmup_cosine", "kwargs": {"lr": 2e-2,
                                                                     "warmup_steps": 10,
                                                                     "total_steps": 100,
                                                                     "min_lr": 1e-3}}),
    "transformer_adam": _case("Adam", {"lr": 1.0}, "adam", None,
                              {"name": "LambdaLR", "lambda": "transformer_rate"},
                              {"name": "transformer", "kwargs": {"d_model": 64,
                                                                 "warmup_steps": 10,
                                                                 "scale": 0.5}}),
}


# ----------------------------------------------------------------------------- torch runs

def torch_trajectory(case: dict[str, Any], function: str, steps: int = STEPS) -> np.ndarray:
    """Iterates of torch.optim on ``function`` from its starts, shape (steps + 1, 2, n)."""
    import torch

    grad, starts = FUNCTIONS[function]
    spec = case["torch"]
    theta = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
    optimizer_class = getattr(torch.optim, spec["optimizer"])
    optimizer = optimizer_class([theta], foreach=False, **spec["kwargs"])
    scheduler = None
    if spec["scheduler"] is not None:
        sched = spec["scheduler"]
        if sched["name"] == "LambdaLR":
            rate = globals()[sched["lambda"]]
            scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
        else:
            scheduler_class = getattr(torch.optim.lr_scheduler, sched["name"])
            scheduler = scheduler_class(optimizer, **sched["kwargs"])
    path = [theta.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        theta.grad = torch.from_numpy(grad(theta.detach().numpy()))
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        path.append(theta.detach().numpy().copy())
    return np.stack(path)


def generate(steps: int = STEPS) -> dict[str, np.ndarray]:
    """Every trajectory, keyed ``"<case>__<function>"``, plus the case table and starts."""
    import torch

    arrays: dict[str, np.ndarray] = {
        "cases": np.array(json.dumps(CASES)),
        "torch_version": np.array(torch.__version__),
    }
    for function, (_, starts) in FUNCTIONS.items():
        arrays[f"starts__{function}"] = np.array(starts)
    for name, case in CASES.items():
        for function in FUNCTIONS:
            path = torch_trajectory(case, function, steps)
            if not np.isfinite(path).all():
                raise RuntimeError(f"case {name} on {function} is not finite; pick a smaller lr")
            arrays[f"{name}__{function}"] = path
    return arrays


def main() -> None:
    arrays = generate()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUTPUT, **arrays)
    n_paths = sum(1 for key in arrays if "__" in key and not key.startswith("starts"))
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KB, {n_paths} trajectories of "
          f"{STEPS} steps, torch {arrays['torch_version']})")


if __name__ == "__main__":
    main()
