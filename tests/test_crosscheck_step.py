"""Hand-written step functions: a correct one passes, deliberately wrong ones are caught at the
first step where the mistake shows, and the report names the variant they do implement."""

from __future__ import annotations

import numpy as np

import symopt as so

LR, B1, B2, EPS = 1e-2, 0.9, 0.999, 1e-8
HYPER = {"lr": LR, "b1": B1, "b2": B2, "eps": EPS}
LOSSES = {"lecture": "(1 - w1*w2)**2", "scaled": "x**2/200 + 50*y**2"}


def adam_step(eps_inside=False, correction_shift=0, wrong_from=None):
    """Adam written from Kingma & Ba's Algorithm 1, with optional deliberate mistakes."""
    def step(params, grad, state, t):
        m, v = state if state is not None else (np.zeros_like(params), np.zeros_like(params))
        m = B1 * m + (1 - B1) * grad
        v = B2 * v + (1 - B2) * grad * grad
        k = t + correction_shift
        if wrong_from is not None and t >= wrong_from:
            k = t + 1
        m_hat, v_hat = m / (1 - B1 ** k), v / (1 - B2 ** k)
        denom = np.sqrt(v_hat + EPS) if eps_inside else np.sqrt(v_hat) + EPS
        return params - LR * m_hat / denom, (m, v)
    return step


def check(step, steps=20):
    return so.crosscheck(step, "adam:torch", losses=LOSSES, starts=[[0.3, -1.2]], steps=steps,
                         hyperparams=HYPER)


def test_a_correct_adam_matches_adam_torch():
    report = check(adam_step())
    assert report.ok and report.first_divergence is None
    # one exact rule, listed with whichever operation order rounds closest to this one
    assert "adam:torch" in report.matches[0].variants


def test_eps_inside_the_root_is_caught_at_step_1_and_named():
    report = check(adam_step(eps_inside=True))
    assert not report.ok
    assert report.first_divergence.step == 1
    assert report.first_divergence.variant == "adam:torch"
    assert report.matches[0].name == "adam:eps-inside-sqrt"
    assert report.matches[0].max_ulps <= report.tolerance_ulps


def test_bias_correction_off_by_one_step_is_caught_at_step_1():
    report = check(adam_step(correction_shift=1))
    assert not report.ok and report.first_divergence.step == 1
    # 1 - b1^(t+1) instead of 1 - b1^t: the first update is lr / 1.9 * ..., not lr
    d = report.first_divergence
    assert abs(d.got) < abs(d.expected)


def test_a_mistake_that_starts_later_is_caught_where_it_starts():
    report = check(adam_step(wrong_from=7))
    assert report.first_divergence.step == 7


def test_step_function_state_starts_as_none_and_t_counts_from_1():
    seen = []

    def step(params, grad, state, t):
        seen.append((state, t))
        return params - LR * grad, (state or 0) + 1

    so.crosscheck(step, "sgd", losses={"q": "x**2"}, starts=[[1.0]], steps=3,
                  hyperparams={"lr": LR})
    assert seen[0] == (None, 1)
    assert sorted({t for _, t in seen}) == [1, 2, 3]
