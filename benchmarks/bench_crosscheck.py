"""The cross-check's accuracy table: real torch.optim and optax optimizers against the catalogue.

For each candidate, 100 synchronised steps on the four default losses (the lecture's loss,
Rosenbrock, the badly scaled quadratic, the tanh network), every variant of its family beside
it. Printed per candidate:

* the class identified (variants that are one exact rule; the closest operation order first)
  and its worst deviation over all steps, in ulps (the target is <= 4);
* the runner-up class, its worst deviation and its ratio to the best (rejected at >= 1e6);
* the candidate's float64 error against the exact rule (mpmath, 60 digits), per step, and
  over its first three free-running steps from the start with exact gradients.

Usage::

    python benchmarks/bench_crosscheck.py            # every candidate (a few minutes)
    python benchmarks/bench_crosscheck.py Adam optax  # those whose label contains a word
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from a source checkout

import symopt as so  # noqa: E402


def candidates() -> list[tuple[str, object, str | None, dict | None]]:
    import optax
    import torch

    return [
        ("torch Adam", (torch.optim.Adam, {"lr": 1e-2}), "adam", None),
        ("torch AdamW", (torch.optim.AdamW, {"lr": 1e-2}), "adamw", None),
        ("torch RMSprop", (torch.optim.RMSprop, {"lr": 1e-2}), "rmsprop", None),
        ("torch RMSprop centered", (torch.optim.RMSprop, {"lr": 1e-2, "centered": True}),
         "rmsprop", None),
        ("torch Adagrad", (torch.optim.Adagrad, {"lr": 0.1}), "adagrad", None),
        ("torch Adagrad acc 0.1", (torch.optim.Adagrad,
                                   {"lr": 0.1, "initial_accumulator_value": 0.1}), "adagrad",
         None),
        ("torch SGD", (torch.optim.SGD, {"lr": 1e-2}), None, None),
        ("torch SGD momentum", (torch.optim.SGD, {"lr": 1e-2, "momentum": 0.9}), "sgd", None),
        ("torch SGD nesterov", (torch.optim.SGD, {"lr": 1e-2, "momentum": 0.9,
                                                  "nesterov": True}), "sgd", None),
        ("optax adam", optax.adam(1e-2), "adam", {"lr": 1e-2}),
        ("optax adamw", optax.adamw(1e-2, weight_decay=1e-2), "adamw",
         {"lr": 1e-2, "weight_decay": 1e-2}),
        ("optax rmsprop", optax.rmsprop(1e-2), "rmsprop", {"lr": 1e-2, "decay": 0.9,
                                                           "eps": 1e-8}),
        ("optax sgd", optax.sgd(1e-2), None, {"lr": 1e-2}),
        ("optax sgd momentum", optax.sgd(1e-2, momentum=0.9), "sgd",
         {"lr": 1e-2, "momentum": 0.9}),
    ]


def main(words: list[str]) -> None:
    warnings.simplefilter("ignore")
    print(f"{'candidate':24} {'identified class':38} {'ulp':>4}  {'runner-up':30} "
          f"{'ulp':>9} {'x best':>8}  {'exact/step':>10} {'exact 1st':>9}")
    for label, candidate, family, hyper in candidates():
        if words and not any(word in label for word in words):
            continue
        start = time.perf_counter()
        report = so.crosscheck(candidate, family, steps=100, hyperparams=hyper)
        best, runner = report.matches[0], report.matches[1]
        first = max(e.ulps for e in report.exact_steps)
        print(f"{label:24} {' = '.join(best.variants)[:38]:38} {best.max_ulps:4.3g}  "
              f"{' = '.join(runner.variants)[:30]:30} {runner.max_ulps:9.3g} "
              f"{runner.ratio:8.2g}  {report.exact_deviation.max_ulps:10.3g} {first:9.3g}"
              f"   ({report.identified or 'undecided'}, {time.perf_counter() - start:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
