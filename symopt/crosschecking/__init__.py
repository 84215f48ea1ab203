"""Cross-check anyone's optimizer against the exact math and name the variant it implements.

>>> import numpy as np
>>> import symopt as so
>>> def my_sgd(params, grad, state, t):          # a hand-written momentum SGD
...     buffer = grad if state is None else 0.9 * state + grad
...     return params - 0.01 * buffer, buffer
>>> report = so.crosscheck(my_sgd, "sgd", hyperparams={"lr": 0.01, "momentum": 0.9}, steps=5)
>>> report.ok, report.matches[0].name
(True, 'sgd:momentum')
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..optim.variants import VARIANTS, hyperparams_for, variants_of
from .candidates import Candidate, as_candidate
from .engine import (equivalence_classes, exact_first_steps, free_running, replay,
                     run_candidate)
from .problems import Problem, make_problems
from .report import (CrossCheckReport, Deviation, Divergence, MatchClass, deviation_of,
                     first_divergence, rank, split_by_deviation)

__all__ = ["crosscheck", "CrossCheckReport", "Deviation", "Divergence", "MatchClass",
           "Candidate", "as_candidate", "Problem"]

#: Steps per problem over which every variant also runs exactly, to find identical rules.
CLASS_STEPS = 10


def crosscheck(candidate: Any, reference: str | None = None, *, losses: Any = None,
               starts: Any = None, steps: int = 100, hyperparams: Mapping[str, Any] | None = None,
               tolerance_ulps: float = 8.0, exact_steps: int = 3) -> CrossCheckReport:
    """Run ``candidate`` on exact losses beside the catalogued variants and compare in ulps.

    Parameters
    ----------
    candidate
        ``(torch.optim.X, {"lr": ...})``; an optax ``GradientTransformation``; a symopt
        optimizer; or a step function ``step(params, grad, state, t) -> (params, state)``
        on float64 NumPy arrays (``t`` counts from 1, ``state`` is None at the first call).
    reference : str, optional
        A variant (``"adam:torch"``) or a family (``"adam"``): compare with that family only
        and report the first divergence from that variant. None: every known variant.
    losses, starts
        The problems (see :func:`symopt.crosschecking.problems.make_problems`); default: the
        lecture's loss, Rosenbrock, a badly scaled quadratic and a tanh network.
    steps : int
        Steps per problem.
    hyperparams : mapping, optional
        The settings (``lr``, ``b1``/``betas``, ``eps``, ``alpha``/``decay``, ``momentum``,
        ``dampening``, ``weight_decay``, ``lr_decay``); read from ``defaults`` for torch,
        required (at least ``lr``) for optax transforms and step functions.
    tolerance_ulps : float
        Largest per-step deviation that counts as a match.
    exact_steps : int
        How many first steps to also compute exactly from the start.

    Returns
    -------
    CrossCheckReport
        ``.ok``, ``.matches``, ``.max_deviation``, ``.first_divergence``, ``.table()``.
    """
    # 1. the candidate and what to compare it with
    wrapped = as_candidate(candidate, hyperparams)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}")
    family = reference.split(":")[0] if reference else None
    variants = variants_of(family)
    if reference is not None and ":" in reference and reference not in VARIANTS:
        raise ValueError(f"unknown variant {reference!r}; known {family} variants: "
                         + ", ".join(v.name for v in variants))
    settings = {v.name: hyperparams_for(v.family, wrapped.hyperparams) for v in variants}
    problems = make_problems(losses, starts)
    # 2. the candidate's runs, then every variant fed the same inputs in float64
    recordings = [run_candidate(wrapped, problem, steps) for problem in problems]
    worst = {v.name: [replay(r, v, settings[v.name], exact=False).worst for r in recordings]
             for v in variants}
    deviations = {name: deviation_of(name, records, steps) for name, records in worst.items()}
    # 3. classes of identical rules (exact updates over the first steps), ranking
    exact: dict[str, list] = {}
    for v in variants:
        exact[v.name] = [value for r in recordings
                         for value in replay(r, v, settings[v.name], True, CLASS_STEPS).exact]
    classes = split_by_deviation(equivalence_classes(exact), deviations)
    matches = rank(classes, deviations)
    compared = reference if reference in VARIANTS else matches[0].name
    truth = [replay(r, VARIANTS[compared], settings[compared], exact=True).worst
             for r in recordings]
    exact_deviation = deviation_of(compared, truth, steps)
    trajectories = {r.problem.name: r.thetas for r in recordings}
    # 4. free-running trajectories and exact first steps
    free = {}
    for variant in variants:
        gaps = [free_running(p, variant, settings[variant.name], trajectories[p.name])
                for p in problems]
        free[variant.name] = _per_step_max(gaps, steps)
    firsts = []
    for problem in problems:
        firsts += exact_first_steps(problem, VARIANTS[compared], settings[compared],
                                    trajectories[problem.name], exact_steps)
    return CrossCheckReport(
        candidate=wrapped.name, hyperparams=dict(wrapped.hyperparams), reference=reference,
        compared_with=compared, steps=steps, problems=tuple(p.name for p in problems),
        tolerance_ulps=float(tolerance_ulps), deviations=deviations, matches=matches,
        first_divergence=first_divergence(worst[compared], tolerance_ulps),
        free_running=free, exact_steps=tuple(firsts), exact_deviation=exact_deviation)


def _per_step_max(gaps: list[np.ndarray], steps: int) -> np.ndarray:
    result = np.full(steps, np.nan)
    for gap in gaps:
        length = min(len(gap), steps)
        with np.errstate(invalid="ignore"):
            result[:length] = np.fmax(result[:length], gap[:length])
    return result
