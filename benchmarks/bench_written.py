"""What keeping the written form costs: Loss.parse against parse_expression plus Loss(expr).

Run:  python benchmarks/bench_written.py            (under a minute)

For each text, the median over interleaved repetitions of

- ``baseline``: ``Loss(parse_expression(text))`` (the parse and the Loss, no written form),
- ``parse``: ``Loss.parse(text)`` (the same plus the misreading notes and the written form),

and their ratio (the written form's overhead; it is bounded by ``loss.WRITTEN_SECONDS``).
Each repetition adds a new constant ``+ k/97`` to the text, so SymPy's cache of built
expressions does not hide the cost of a first parse (``--warm`` repeats the same text).
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings

TEXTS = {
    "lecture": "(1 - w1*w2)**2",
    "rosenbrock": "(1 - x)**2 + 100*(y - x**2)**2",
    "himmelblau": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "sum of 200 terms": " + ".join(f"{k}*(w{k % 7} - {k})**2" for k in range(1, 201)),
    "nested relu": "relu(relu(relu(w1 - 1) - w2) + w3)**2 + sigmoid(w1*w2)",
}
REPEATS = 15


def main() -> None:
    from symopt.errors import ParseNote
    from symopt.loss import Loss
    from symopt.parse import parse_expression

    warnings.simplefilter("ignore", ParseNote)
    print(f"{'text':18s} {'baseline ms':>12s} {'parse ms':>10s} {'ratio':>7s}  written")
    for name, text in TEXTS.items():
        baseline, parse = [], []
        for k in range(REPEATS):                  # interleaved, so load hits both alike
            cold = [f"{text} + {2 * k + 1}/97", f"{text} + {2 * k + 2}/97"]
            first, second = (text, text) if "--warm" in sys.argv else cold
            start = time.perf_counter()
            Loss(parse_expression(first))
            baseline.append(time.perf_counter() - start)
            start = time.perf_counter()
            loss = Loss.parse(second)
            parse.append(time.perf_counter() - start)
        b, p = statistics.median(baseline), statistics.median(parse)
        kept = "yes" if loss.written is not None else "no (fell back to expr)"
        print(f"{name:18s} {1e3 * b:12.2f} {1e3 * p:10.2f} {p / b:7.2f}  {kept}")


if __name__ == "__main__":
    main()
