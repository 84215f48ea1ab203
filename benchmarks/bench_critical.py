"""Speed of the exact analysis: every function of the validation set, and Himmelblau
against sympy.solve on the same gradient, measured in one run.

Run:  python benchmarks/bench_critical.py

Prints, per function, the time of the first analysis in this process (cold SymPy caches
for that expression) and the best of three; then the median and the maximum, and the
ratio sympy.solve / symopt on Himmelblau's gradient with how many points each returns.
Targets: every function under 2 s, median under 0.3 s; Himmelblau at least 10x faster
than sympy.solve while finding all 9 points (sympy.solve finds 4).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

import symopt as so

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "critical_points.json"


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main() -> int:
    entries = json.loads(DATA.read_text())["entries"]
    so.critical_points(so.Loss.parse("x**2 - y**2"))  # import and first-use costs
    print(f"{'function':30s} {'first (s)':>10s} {'best of 3':>10s}  points  complete")
    firsts, bests = [], []
    for e in entries:
        first, cs = timed(lambda: so.critical_points(so.Loss.parse(e["expr"], params=e["vars"])))
        best = min(timed(lambda: so.critical_points(so.Loss.parse(e["expr"], params=e["vars"])))[0]
                   for _ in range(3))
        firsts.append(first)
        bests.append(best)
        print(f"{e['name']:30s} {first:10.3f} {best:10.3f}  {len(cs.points):6d}  {cs.complete}")
    print(f"\nmedian first-run time {statistics.median(firsts):.3f} s (target < 0.3 s), "
          f"max {max(firsts):.3f} s (target < 2 s)")

    # Himmelblau: the same gradient given to sympy.solve and to symopt, in this run.
    text = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
    loss = so.Loss.parse(text)
    gradient = list(loss.gradient)
    sympy_time, solutions = timed(lambda: sp.solve(gradient, list(loss.params), dict=True))
    real = [s for s in solutions if all(v.is_real is not False for v in s.values())]
    sp.core.cache.clear_cache()
    ours_time, cs = timed(lambda: so.critical_points(so.Loss.parse(text)))
    print(f"\nHimmelblau: sympy.solve {sympy_time:.3f} s -> {len(real)} point(s); "
          f"symopt {ours_time:.3f} s -> {len(cs.points)} point(s), complete={cs.complete}")
    ratio = sympy_time / ours_time
    print(f"ratio sympy.solve / symopt = {ratio:.1f}x (target >= 10x)")
    ok = max(firsts) < 2 and statistics.median(firsts) < 0.3 and ratio >= 10 and len(cs.points) == 9
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
