"""The cross-check's result: deviations per variant, ranked equivalence classes, the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .engine import ExactStep, StepWorst

__all__ = ["Deviation", "Divergence", "MatchClass", "CrossCheckReport", "REJECTION_FACTOR"]

#: A class is rejected when its deviation is at least this many times the matching class's.
REJECTION_FACTOR = 1e6


class Deviation(NamedTuple):
    """A variant against the candidate: the worst deviation of each step (over problems and
    coordinates) in ulps and absolute, and the worst overall."""

    variant: str
    per_step_ulps: np.ndarray
    per_step_abs: np.ndarray
    max_ulps: float
    max_abs: float


#: The first step where the candidate leaves a variant by more than the tolerance: that
#: step's :class:`~symopt.crosschecking.engine.StepWorst` record (``variant``, ``step``,
#: ``problem``, ``coordinate``, ``expected``, ``got``, ``ulps``, ``abs``, ``quantity``).
Divergence = StepWorst


class MatchClass(NamedTuple):
    """Variants that are one rule on this run, their deviation and verdict.

    ``ratio`` is the deviation over the best class's (both floored at 1 ulp); ``rejected`` is
    ``ratio >= REJECTION_FACTOR``.
    """

    variants: tuple[str, ...]
    max_ulps: float
    max_abs: float
    ratio: float
    rejected: bool

    @property
    def name(self) -> str:
        return self.variants[0]


def deviation_of(variant: str, worst: list[list[StepWorst]], steps: int) -> Deviation:
    """Collect one variant's per-problem step records into per-step maxima."""
    per_ulps = np.full(steps, np.nan)
    per_abs = np.full(steps, np.nan)
    for problem_steps in worst:
        for record in problem_steps:
            i = record.step - 1
            per_ulps[i] = np.nanmax([per_ulps[i], record.ulps])
            per_abs[i] = np.nanmax([per_abs[i], record.abs])
    finite = ~np.isnan(per_ulps)
    return Deviation(variant, per_ulps, per_abs,
                     float(per_ulps[finite].max()) if finite.any() else np.inf,
                     float(per_abs[finite].max()) if finite.any() else np.inf)


def first_divergence(worst: list[list[StepWorst]], tolerance: float) -> Divergence | None:
    """The earliest step (over all problems) whose deviation exceeds ``tolerance`` ulps, from
    one variant's records."""
    found = [r for problem_steps in worst for r in problem_steps if not r.ulps <= tolerance]
    if not found:
        return None
    return min(found, key=lambda r: (r.step, -r.ulps))


def split_by_deviation(classes: list[list[str]], deviations: dict[str, Deviation],
                       factor: float = 1e3) -> list[list[str]]:
    """Split a class whose members' float64 deviations differ by ``factor`` or more: rules
    that agree exactly over the first steps but part later (AMSGrad's maximum, say)."""
    result: list[list[str]] = []
    for group in classes:
        parts: list[list[str]] = []
        for name in group:
            level = max(deviations[name].max_ulps, 1.0)
            for part in parts:
                other = max(deviations[part[0]].max_ulps, 1.0)
                if max(level, other) < factor * min(level, other):
                    part.append(name)
                    break
            else:
                parts.append([name])
        result.extend(parts)
    return result


def rank(classes: list[list[str]], deviations: dict[str, Deviation]) -> tuple[MatchClass, ...]:
    """Classes ordered by deviation; each with its ratio to the best and rejection.

    A class is one exact rule; its members may evaluate it in different operation orders
    (``adam:torch``, ``adam:optax``). The class counts with its closest member, listed first.
    """
    def closeness(name: str) -> tuple[float, float]:
        return deviations[name].max_ulps, deviations[name].max_abs

    scored = []
    for members in classes:
        ordered = tuple(sorted(members, key=lambda name: (closeness(name), members.index(name))))
        scored.append((*closeness(ordered[0]), ordered))
    scored.sort(key=lambda item: (item[0], item[1]))
    best = max(scored[0][0], 1.0)
    return tuple(MatchClass(members, ulps, absolute, max(ulps, 1.0) / best,
                            max(ulps, 1.0) / best >= REJECTION_FACTOR)
                 for ulps, absolute, members in scored)


@dataclass(frozen=True)
class CrossCheckReport:
    """What :func:`symopt.crosscheck` found.

    Attributes
    ----------
    candidate : str
        The optimizer checked.
    hyperparams : dict
        The settings compared with (read from torch, or given).
    reference : str or None
        The variant or family asked for.
    steps : int
        Steps per problem.
    problems : tuple of str
        The losses (and starts) run.
    tolerance_ulps : float
        Largest deviation that still counts as a match.
    deviations : dict
        :class:`Deviation` per variant.
    matches : tuple of MatchClass
        Equivalence classes, best first.
    first_divergence : Divergence or None
        Against the reference variant (or the best match): the first step beyond tolerance.
    free_running : dict
        Per variant, the largest ``|variant - candidate|`` of each step when both run freely.
    exact_steps : tuple of ExactStep
        The candidate's first steps against the compared variant computed exactly.
    exact_deviation : Deviation
        The synchronised steps against the compared variant computed exactly (mpmath, 60
        digits): the float64 error of the candidate itself, in ulps of the truth.
    """

    candidate: str
    hyperparams: dict[str, float]
    reference: str | None
    compared_with: str
    steps: int
    problems: tuple[str, ...]
    tolerance_ulps: float
    deviations: dict[str, Deviation]
    matches: tuple[MatchClass, ...]
    first_divergence: Divergence | None
    free_running: dict[str, np.ndarray]
    exact_steps: tuple[ExactStep, ...]
    exact_deviation: Deviation

    @property
    def max_deviation(self) -> Deviation:
        """The deviation from the reference variant, or from the best match."""
        return self.deviations[self.compared_with]

    @property
    def identified(self) -> str | None:
        """The best class's first variant, if it is within tolerance and every other class
        is rejected; None when the run cannot tell (or nothing matches)."""
        best = self.matches[0]
        if best.max_ulps > self.tolerance_ulps:
            return None
        if all(m.rejected for m in self.matches[1:]):
            return best.name
        return None

    @property
    def ok(self) -> bool:
        """The candidate stays within tolerance of the reference (or, without one, of its
        best match) at every step."""
        return self.max_deviation.max_ulps <= self.tolerance_ulps

    def _class_of(self, variant: str) -> MatchClass | None:
        return next((m for m in self.matches if variant in m.variants), None)

    @property
    def verdict(self) -> str:
        """One or two sentences: what the candidate is, and where it first differs."""
        best = self.matches[0]
        lines = []
        if best.max_ulps <= self.tolerance_ulps:
            members = " = ".join(best.variants)
            if self.identified:
                runner = self.matches[1] if len(self.matches) > 1 else None
                margin = f"; next closest {runner.name} is {runner.ratio:.1e}x further" \
                    if runner else ""
                lines.append(f"implements {members} (max {best.max_ulps:.2g} ulp over "
                             f"{self.steps} steps{margin})")
            else:
                close = [m.name for m in self.matches[1:] if not m.rejected]
                lines.append(f"closest to {members} ({best.max_ulps:.2g} ulp) but this run "
                             f"cannot rule out {', '.join(close)}")
        else:
            lines.append(f"matches no catalogued variant: the closest, {best.name}, is off by "
                         f"{best.max_ulps:.3g} ulp")
        if self.first_divergence is not None:
            d = self.first_divergence
            lines.append(f"differs from {d.variant} first at step {d.step} ({d.problem}, "
                         f"coordinate {d.coordinate}, {d.quantity}): expected {d.expected!r}, "
                         f"got {d.got!r} ({d.ulps:.3g} ulp)")
        status = "OK" if self.ok else "MISMATCH"
        return f"{status}: " + "; ".join(lines)

    def table(self, rows: int | None = None) -> str:
        """The ranked classes as a text table (``rows`` best ones; all by default)."""
        header = f"{'rank':>4}  {'variant (equivalent forms)':<52} {'max ulp':>10} " \
                 f"{'max abs':>10} {'x best':>9}  verdict"
        lines = [f"{self.candidate}  [{', '.join(f'{k}={v:g}' for k, v in self.hyperparams.items())}]",
                 f"{self.steps} steps on {', '.join(self.problems)}", header]
        for position, match in enumerate(self.matches[:rows], start=1):
            names = " = ".join(match.variants)
            if len(names) > 52:
                names = names[:49] + "..."
            verdict = "match" if position == 1 and match.max_ulps <= self.tolerance_ulps \
                else ("rejected" if match.rejected else "close")
            lines.append(f"{position:>4}  {names:<52} {match.max_ulps:>10.3g} "
                         f"{match.max_abs:>10.3g} {match.ratio:>9.2g}  {verdict}")
        lines.append(f"against the exact {self.compared_with} (mpmath, 60 digits): max "
                     f"{self.exact_deviation.max_ulps:.3g} ulp per step")
        free = self.free_running.get(self.compared_with)
        if free is not None and np.isfinite(free).any():
            lines.append(f"running freely, {self.compared_with} stays within "
                         f"{np.nanmax(free):.3g} of the candidate's parameters")
        if self.exact_steps:
            worst = max(self.exact_steps, key=lambda e: e.ulps)
            lines.append(f"exact first steps of {worst.variant}: worst {worst.ulps:.3g} ulp "
                         f"({worst.problem}, step {worst.step}, {worst.arithmetic})")
        lines.append(self.verdict)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()
