"""Families at any scale: the same family probes moved away from the origin, timed in
one run, with the result checked (kind right, status complete).

Run:  python benchmarks/bench_families.py

For each probe and each shift s in (1, 10**3, 10**6) the loss is analysed once; the
table prints the time and its ratio to the unshifted probe in the same run, and whether
the family was found with the right kind and a complete status.  Target: every row
right and complete, and the ratio to the unshifted probe at most about 2 (no fixed
sampling box, so scale does not matter).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

import symopt as so

# (loss with S for the shift, expected kind of every family, expected family count)
PROBES = [
    ("((x - S)**2 + y**2 - 100)**2", {"minimum"}, 1),
    ("((x - S)**2 + (y - 2*S - 7)**2 - 1)**2", {"minimum"}, 1),
    ("(50*S**2 - w1*w2)**2", {"minimum"}, 1),
    ("((x - S)*y - 50)**2", {"minimum"}, 1),
    ("(x + 10*S)**2*y**2", {"minimum"}, 2),
    ("y**2*(x - 5*S)", {"mixed"}, 1),
    ("(x - S)**3*y**3", {"saddle"}, 2),
]
SHIFTS = (1, 10 ** 3, 10 ** 6)


def main() -> None:
    print(f"{'probe':32} {'shift':>8} {'seconds':>8} {'ratio':>6}  right")
    worst = 0.0
    for text, kinds, count in PROBES:
        base = None
        for shift in SHIFTS:
            loss = so.Loss.parse(text.replace("S", f"({shift})"))
            start = time.perf_counter()
            cs = so.critical_points(loss, timeout=60)
            seconds = time.perf_counter() - start
            base = base or seconds
            right = (cs.status is so.Status.COMPLETE and len(cs.families) == count
                     and {f.kind.value for f in cs.families} == kinds)
            ratio = seconds / base
            worst = max(worst, ratio)
            print(f"{text:32} {shift:>8g} {seconds:8.3f} {ratio:6.2f}  {right}")
    print(f"largest ratio to the unshifted probe: {worst:.2f}")


if __name__ == "__main__":
    main()
