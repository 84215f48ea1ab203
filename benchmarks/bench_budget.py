"""Budgets under attack: time past the budget, CPU burned after return, peak memory, fuzzing.

Run:  python benchmarks/bench_budget.py            (about three minutes)
      python benchmarks/bench_budget.py --fuzz 2000 --analyses 100   (longer)

Prints

1. for each reproducer, the wall time of ``critical_points(loss, timeout=T)`` from the main
   thread and from a ThreadPoolExecutor, the time past T (target: at most 0.5 s), and the
   CPU seconds the process and its children burn in the second after the call returned,
   next to the same measure taken idle in the same run (target: the same);
2. the peak resident memory of a fresh process analysing each bomb, next to one analysing
   the lecture's (1 - w1*w2)**2 (the baseline);
3. ``diagnose`` on 2,000 and 100,000 runs, wall and CPU time, the CPU as a ratio to reading
   the same CSV with the csv module alone (the ratio stays flat when the work is linear);
4. a fuzz count: hostile texts through the parser and random losses through
   critical_points(timeout=2), with crashes (an undocumented exception), hangs (more than
   0.5 s past the budget) and leaks (a thread, child process or alarm left behind).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import io
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

import symopt as so  # noqa: E402
from symopt.errors import ParseError  # noqa: E402
from symopt.ml.diagnose import diagnose, read_runs  # noqa: E402

w, x, y, z = sp.symbols("w x y z", real=True)


def reproducers() -> dict[str, tuple[so.Loss, float]]:
    """name -> (loss, timeout); the bombs are built directly (the parser refuses them)."""
    return {
        "sin(x*y)+cos(x**2*y), T=1": (so.Loss.parse("sin(x*y) + cos(x**2*y)"), 1.0),
        "(w+x+y+z)**100, T=2": (so.Loss((w + x + y + z) ** 100), 2.0),
        "(((x**100)**100)**100)**100, T=2": (so.Loss((((x**100) ** 100) ** 100) ** 100 + y**2), 2.0),
        "Himmelblau, T=2": (so.Loss.parse("(x**2 + y - 11)**2 + (x + y**2 - 7)**2"), 2.0),
    }


def cpu_seconds() -> float:
    own, children = os.times(), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.user + own.system + children.ru_utime + children.ru_stime


def cpu_in_next_second() -> float:
    before = cpu_seconds()
    time.sleep(1.0)
    return cpu_seconds() - before


def leftovers() -> list[str]:
    found = [t.name for t in threading.enumerate() if t is not threading.current_thread()
             and t.name != "MainThread"]
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found += [f"child {p}" for p in (task / "children").read_text().split()]
    if threading.current_thread() is threading.main_thread():
        if signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0):
            found.append("alarm")
    return found


def section_overshoot() -> None:
    print("1. time past the budget and CPU burned after return")
    idle = cpu_in_next_second()
    print(f"   idle baseline: {idle:.3f} CPU s in one second")
    print(f"   {'reproducer':36s} {'from':8s} {'wall s':>7s} {'past T':>7s} {'CPU 1 s after':>14s}"
          "  status")
    worst = {"main": 0.0, "thread": 0.0}
    for name, (loss, seconds) in reproducers().items():
        for where in ("main", "thread"):
            started = time.monotonic()
            if where == "main":
                result = so.critical_points(loss, timeout=seconds)
            else:
                with concurrent.futures.ThreadPoolExecutor(1) as pool:
                    result = pool.submit(so.critical_points, loss, timeout=seconds).result()
            wall = time.monotonic() - started
            after = cpu_in_next_second()
            worst[where] = max(worst[where], wall - seconds)
            left = leftovers()
            print(f"   {name:36s} {where:8s} {wall:7.2f} {wall - seconds:+7.2f} {after:14.3f}"
                  f"  {getattr(result.status, 'value', result.status)}"
                  f"{'  LEFT: ' + ', '.join(left) if left else ''}")
    print(f"   worst time past the budget: main thread {worst['main']:+.2f} s, "
          f"thread pool {worst['thread']:+.2f} s (target <= +0.50)")
    program = ("import time\nfrom symopt.critical import critical_points\n"
               "t = time.monotonic()\n"
               "critical_points('sin(x*y) + cos(x**2*y)', timeout=1)\n"
               "print(time.monotonic() - t)")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         env=env, timeout=120)
    print(f"   first non-polynomial analysis of a fresh process (its imports are not "
          f"interrupted), main thread, T=1: {float(out.stdout.split()[-1]) - 1:+.2f} s past T")


BOMBS = {
    "baseline (1-w1*w2)**2": "so.critical_points('(1 - w1*w2)**2', timeout=2)",
    "(w+x+y+z)**100": "so.critical_points(so.Loss((w+x+y+z)**100), timeout=2)",
    "(((x**100)**100)**100)**100": (
        "so.critical_points(so.Loss((((x**100)**100)**100)**100 + y**2), timeout=2)"),
    "parse 2**10000*...*x (500 factors)": (
        "try: so.Loss.parse('*'.join(['2**10000'] * 500) + '*x')\nexcept so.ParseError: pass"),
}


def section_memory() -> None:
    print("2. peak resident memory of a fresh process (critical_points, timeout=2)")
    for name, code in BOMBS.items():
        program = ("import resource, sympy as sp, symopt as so\n"
                   "w, x, y, z = sp.symbols('w x y z', real=True)\n"
                   f"{code}\n"
                   "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        started = time.monotonic()
        out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                             env=env, timeout=120)
        wall = time.monotonic() - started
        peak = int(out.stdout.split()[-1]) / 1024 if out.returncode == 0 else float("nan")
        print(f"   {name:36s} peak {peak:7.0f} MiB   (process wall {wall:.1f} s)")


def _write_runs(path: Path, count: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("model,size,train_loss,val_loss,test_loss,distribution_shift\n")
        for i in range(count):
            handle.write(f"m{i},{i + 1},{0.1 + i * 1e-6},0.3,0.4,no\n")


def section_diagnose(folder: Path) -> None:
    print("3. diagnose: every bigger model trains worse (one evidence line per run)")
    for count in (2_000, 100_000):
        path = folder / f"runs{count}.csv"
        _write_runs(path, count)
        started, cpu = time.perf_counter(), time.process_time()
        with open(path, newline="", encoding="utf-8") as handle:
            rows = sum(1 for _ in csv.reader(handle))
        baseline, baseline_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        text = str(diagnose(read_runs(path)))
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"   {count:>7,} runs ({path.stat().st_size / 1e6:.1f} MB): {took:6.2f} s wall, "
              f"{took_cpu:5.2f} s CPU = {took_cpu / max(baseline_cpu, 1e-9):4.0f}x the CPU of "
              f"csv.reader alone ({rows:,} rows: {baseline:.3f} s wall, {baseline_cpu:.3f} s "
              f"CPU); {text.count(chr(10)) + 1} lines printed")
    started = time.perf_counter()
    try:
        read_runs("/dev/zero")
    except ValueError as err:
        print(f"   /dev/zero refused after {time.perf_counter() - started:.2f} s: {err}")


PIECES = ("x y w1 w2 exp log sqrt relu sigmoid abs tanh sin cos pi E __import__ os system "
          "lambda 0 1 2 9 10 1e5 1e999 0.5 1j 0x1f ** // ( ) , . [ ] ' \" + - * / ^ % @ "
          "9**9**9 2**10000 (x**100)**100 \u212f \uff58 \U0001d465 \x00 \u200b").split(" ")
UNARY = ["sin", "cos", "exp", "log", "sqrt", "abs", "tanh", "relu"]


def random_loss(rng: random.Random, depth: int = 3) -> str:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(["x", "y", "w1", "2", "1/2", "3", "pi"])
    kind = rng.randrange(4)
    a, b = random_loss(rng, depth - 1), random_loss(rng, depth - 1)
    if kind == 0:
        return f"{rng.choice(UNARY)}({a})"
    if kind == 1:
        return f"({a} {rng.choice('+-*/')} {b})"
    if kind == 2:
        return f"({a})**{rng.choice(['2', '3', '-1', '1/2'])}"
    return f"(relu({a} - ({b})) + {b})"  # max(a, b)


def section_fuzz(texts: int, analyses: int) -> None:
    print(f"4. fuzz: {texts:,} hostile texts through the parser, {analyses} random losses "
          "through critical_points(timeout=2)")
    rng = random.Random(20261202)
    crashes = accepted = 0
    for _ in range(texts):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 30)))
        try:
            so.Loss.parse(text)
            accepted += 1
        except (ParseError, ValueError):
            pass
        except Exception as err:  # noqa: BLE001 - counted
            crashes += 1
            print(f"   parser crash on {text!r}: {type(err).__name__}: {err}")
    print(f"   parser: {texts:,} texts, {accepted:,} accepted, {crashes} crashes")
    crashes = hangs = leaks = 0
    worst = 0.0
    for _ in range(analyses):
        text = random_loss(rng)
        try:
            loss = so.Loss.parse(text)
        except (ParseError, ValueError):
            continue
        started = time.monotonic()
        try:
            so.critical_points(loss, timeout=2)
        except Exception as err:  # noqa: BLE001 - counted
            crashes += 1
            print(f"   analysis crash on {text!r}: {type(err).__name__}: {err}")
        past = time.monotonic() - started - 2
        worst = max(worst, past)
        hangs += past > 0.5
        leaks += bool(leftovers())
    print(f"   analyses: {analyses} losses, {crashes} crashes, {hangs} hangs, {leaks} leaks; "
          f"worst {worst:+.2f} s past the budget")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=500, help="hostile texts for the parser")
    parser.add_argument("--analyses", type=int, default=20, help="random losses to analyse")
    args = parser.parse_args()
    import tempfile

    so.critical_points("(1 - w1*w2)**2")  # import and first-use costs: polynomial and not
    so.critical_points("sin(x) + y**2", timeout=30)
    section_overshoot()
    section_memory()
    with tempfile.TemporaryDirectory() as folder:
        section_diagnose(Path(folder))
    section_fuzz(args.fuzz, args.analyses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
