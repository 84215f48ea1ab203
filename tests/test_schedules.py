"""Tests of symopt.optim.schedules: values by hand, PyTorch's schedulers, validation."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest

from symopt import optim
from symopt.optim import schedules as S

# ----------------------------------------------------------------------------- values by hand


@pytest.mark.parametrize("schedule, step, expected", [
    (S.constant(0.3), 0, 0.3),
    (S.constant(0.3), 10_000, 0.3),
    (S.step_decay(1.0, step_size=3, gamma=0.5), 0, 1.0),
    (S.step_decay(1.0, step_size=3, gamma=0.5), 2, 1.0),
    (S.step_decay(1.0, step_size=3, gamma=0.5), 3, 0.5),
    (S.step_decay(1.0, step_size=3, gamma=0.5), 8, 0.25),
    (S.exponential(2.0, gamma=0.5), 0, 2.0),
    (S.exponential(2.0, gamma=0.5), 3, 0.25),
    (S.cosine(1.0, total_steps=10), 0, 1.0),
    (S.cosine(1.0, total_steps=10), 5, 0.5),                       # half way: cos(pi/2) = 0
    (S.cosine(1.0, total_steps=10, min_lr=0.2), 5, 0.6),
    (S.cosine(1.0, total_steps=6), 2, 0.75),                       # (1 + cos(pi/3)) / 2
    (S.cosine(1.0, total_steps=10, min_lr=0.2), 10, 0.2),
    (S.linear_warmup(1.0, warmup_steps=4), 0, 0.0),
    (S.linear_warmup(1.0, warmup_steps=4), 1, 0.25),
    (S.linear_warmup(1.0, warmup_steps=4, start=0.2), 2, 0.6),
    (S.linear_warmup(1.0, warmup_steps=4), 4, 1.0),
    (S.linear_warmup(1.0, warmup_steps=4), 100, 1.0),
    (S.warmup_cosine(1.0, warmup_steps=4, total_steps=8), 0, 0.0),
    (S.warmup_cosine(1.0, warmup_steps=4, total_steps=8), 2, 0.5),
    (S.warmup_cosine(1.0, warmup_steps=4, total_steps=8), 4, 1.0),
    (S.warmup_cosine(1.0, warmup_steps=4, total_steps=8), 6, 0.5),
    (S.warmup_cosine(1.0, warmup_steps=4, total_steps=8, min_lr=0.1), 8, 0.1),
    (S.warmup_cosine(1.0, warmup_steps=0, total_steps=4), 0, 1.0),
    (S.transformer(d_model=16, warmup_steps=4), 0, 0.25 * 1 * 4 ** -1.5),     # (t+1) W^-1.5
    (S.transformer(d_model=16, warmup_steps=4), 3, 0.25 * 0.5),              # peak at t+1 = W
    (S.transformer(d_model=16, warmup_steps=4), 15, 0.25 * 0.25),            # (t+1)^-1/2
    (S.transformer(d_model=16, warmup_steps=4, scale=2.0), 15, 2 * 0.25 * 0.25),
])
def test_values_by_hand(schedule: S.Schedule, step: int, expected: float) -> None:
    assert schedule(step) == pytest.approx(expected, rel=1e-15, abs=1e-16)


@pytest.mark.parametrize("schedule, end, final", [
    (S.cosine(0.5, total_steps=20, min_lr=0.05), 20, 0.05),
    (S.cosine(0.5, total_steps=20), 20, 0.0),
    (S.warmup_cosine(0.5, warmup_steps=5, total_steps=20, min_lr=0.01), 20, 0.01),
    (S.linear_warmup(0.5, warmup_steps=5), 5, 0.5),
])
def test_past_the_end_the_rate_stays_put(schedule: S.Schedule, end: int, final: float) -> None:
    assert [schedule(step) for step in (end, end + 1, 2 * end, 100 * end)] == [final] * 4


def test_cosine_is_monotone_and_transformer_peaks_at_warmup() -> None:
    cosine = [S.cosine(1.0, 50, 0.1)(t) for t in range(60)]
    assert all(a >= b for a, b in zip(cosine, cosine[1:]))
    rates = [S.transformer(512, 40)(t) for t in range(200)]
    assert int(np.argmax(rates)) == 39
    assert rates[39] == pytest.approx(512 ** -0.5 * 40 ** -0.5, rel=1e-15)


def test_each_schedule_carries_its_rule_and_parameters() -> None:
    made = {
        "constant": S.constant(0.1), "step_decay": S.step_decay(0.1, 5, 0.5),
        "exponential": S.exponential(0.1, 0.9), "cosine": S.cosine(0.1, 10),
        "linear_warmup": S.linear_warmup(0.1, 5), "warmup_cosine": S.warmup_cosine(0.1, 2, 10),
        "transformer": S.transformer(64, 10),
    }
    assert set(made) == set(optim.SCHEDULES)
    for name, schedule in made.items():
        assert schedule.name == name and schedule.rule == optim.RULES[name]
        assert optim.RULES[name].splitlines()[0] in getattr(S, name).__doc__
    assert repr(made["cosine"]) == "cosine(lr=0.1, total_steps=10, min_lr=0.0)"
    assert made["constant"].constant_value == 0.1 and made["cosine"].constant_value is None


@pytest.mark.parametrize("name, latex", [
    ("constant", r"\eta_t = \eta"),
    ("step_decay", r"\eta_t = \eta \, \gamma^{\lfloor t / s \rfloor}"),
    ("exponential", r"\eta_t = \eta \, \gamma^{t}"),
    ("linear_warmup", r"\eta_t = \eta_0 + (\eta - \eta_0) \frac{\min(t, W)}{W}"),
    ("transformer", r"\eta_t = c \, d^{-1/2} \min\left((t+1)^{-1/2}, \ (t+1) W^{-3/2}\right)"),
])
def test_schedule_rule_strings_are_exact(name: str, latex: str) -> None:
    assert optim.RULES[name] == latex


# ----------------------------------------------------------------------------- user callables


def test_as_schedule_accepts_numbers_schedules_and_callables() -> None:
    assert S.as_schedule(0.5)(7) == 0.5
    assert S.as_schedule(np.float64(0.5))(0) == 0.5
    assert S.as_schedule(np.array(0.25))(0) == 0.25
    cosine = S.cosine(1.0, 10)
    assert S.as_schedule(cosine) is cosine
    user = S.as_schedule(lambda t: 1 / (t + 1))
    assert user.name == "callable" and user(3) == 0.25
    assert S.as_schedule(lambda t: 2)(5) == 2.0                     # ints are numbers
    assert S.as_schedule(lambda t: np.float32(0.5))(1) == 0.5
    assert S.as_schedule(lambda t: 0.0 if t == 0 else 0.1)(0) == 0.0   # warm-up from zero


@pytest.mark.parametrize("function, error, pattern", [
    (lambda t: float("nan"), ValueError, r"returned nan at step 0; it must return a finite "
                                         r"number >= 0"),
    (lambda t: math.inf, ValueError, r"returned inf at step 0"),
    (lambda t: -1e-3, ValueError, r"returned -0\.001 at step 0"),
    (lambda t: None, TypeError, r"returned None \(type NoneType\) at step 0; it must return "
                                r"a number"),
    (lambda t: "0.1", TypeError, r"returned '0\.1' \(type str\)"),
    (lambda t: True, TypeError, r"returned True \(type bool\)"),
    (lambda t: np.array([0.1, 0.2]), TypeError, r"type ndarray"),
])
def test_bad_user_callables_fail_at_construction(function: Callable, error: type,
                                                 pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        S.as_schedule(function)


def test_bad_user_callable_value_later_names_its_step() -> None:
    schedule = S.as_schedule(lambda t: 1.0 - 0.25 * t)
    assert schedule(4) == 0.0
    with pytest.raises(ValueError, match=r"returned -0\.25 at step 5"):
        schedule(5)


def test_errors_inside_a_user_callable_propagate() -> None:
    def broken(step: int) -> float:
        raise ZeroDivisionError("from the user's formula")

    with pytest.raises(ZeroDivisionError, match="user's formula"):
        S.as_schedule(broken)


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: S.as_schedule(0), ValueError, r"lr must be positive; got 0"),
    (lambda: S.as_schedule(None), TypeError, r"lr must be a positive number or a schedule"),
    (lambda: S.as_schedule([0.1]), TypeError, r"got \[0\.1\] of type list"),
    (lambda: S.constant(-1.0), ValueError, r"lr must be positive; got -1\.0"),
    (lambda: S.step_decay(0.1, 0, 0.5), ValueError, r"step_size must be a positive integer; "
                                                     r"got 0\. Pass e\.g\. step_size=30"),
    (lambda: S.step_decay(0.1, 2.5, 0.5), TypeError, r"step_size must be an integer; got 2\.5"),
    (lambda: S.step_decay(0.1, 10, 0.0), ValueError, r"gamma must be positive; got 0\.0"),
    (lambda: S.exponential(0.1, float("nan")), ValueError, r"gamma must be finite"),
    (lambda: S.cosine(0.1, 0), ValueError, r"total_steps must be a positive integer"),
    (lambda: S.cosine(0.1, 10, min_lr=0.2), ValueError,
     r"min_lr must not exceed lr; got min_lr=0\.2 > lr=0\.1"),
    (lambda: S.cosine(0.1, 10, min_lr=-0.01), ValueError, r"min_lr must be >= 0"),
    (lambda: S.linear_warmup(0.1, 0), ValueError, r"warmup_steps must be a positive integer"),
    (lambda: S.linear_warmup(0.1, 5, start=-1), ValueError, r"start must be >= 0"),
    (lambda: S.warmup_cosine(0.1, 10, 10), ValueError,
     r"total_steps must exceed warmup_steps; got total_steps=10 <= warmup_steps=10"),
    (lambda: S.warmup_cosine(0.1, -1, 10), ValueError, r"warmup_steps must be >= 0"),
    (lambda: S.transformer(0, 10), ValueError, r"d_model must be positive; got 0"),
    (lambda: S.transformer(64, 0), ValueError, r"warmup_steps must be a positive integer"),
    (lambda: S.transformer(64, 10, scale=-1), ValueError, r"scale must be positive"),
    (lambda: S.cosine(0.1, 10)(-1), ValueError, r"schedule step must be >= 0 \(steps count "
                                                r"from 0\); got -1"),
])
def test_bad_schedule_arguments_raise_clear_errors(make: Callable, error: type,
                                                   pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        make()


# ----------------------------------------------------------------------------- PyTorch


def _torch_rates(make_scheduler: Callable[[Any], Any], base_lr: float, steps: int) -> list[float]:
    """The learning rate PyTorch uses at optimizer steps 0 .. steps - 1."""
    torch = pytest.importorskip("torch")
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def _warmup_cosine_lambda(step: int) -> float:
    return S.warmup_cosine(0.1, 10, 80, 0.01)(step)


@pytest.mark.parametrize("name, ours, make_scheduler, base_lr", [
    ("StepLR", S.step_decay(0.1, 7, 0.5),
     lambda o: __import__("torch").optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), 0.1),
    ("ExponentialLR", S.exponential(0.1, 0.97),
     lambda o: __import__("torch").optim.lr_scheduler.ExponentialLR(o, gamma=0.97), 0.1),
    ("CosineAnnealingLR", S.cosine(0.1, 100, 0.01),
     lambda o: __import__("torch").optim.lr_scheduler.CosineAnnealingLR(o, T_max=100,
                                                                         eta_min=0.01), 0.1),
    ("LinearLR", S.linear_warmup(0.1, 25, start=0.02),
     lambda o: __import__("torch").optim.lr_scheduler.LinearLR(o, start_factor=0.2,
                                                                total_iters=25), 0.1),
    ("LambdaLR-warmup-cosine", S.warmup_cosine(0.1, 10, 80, 0.01),
     lambda o: __import__("torch").optim.lr_scheduler.LambdaLR(o, lambda s: _warmup_cosine_lambda(
         s) / 0.1), 0.1),
    ("LambdaLR-transformer", S.transformer(64, 20, 2.0),
     lambda o: __import__("torch").optim.lr_scheduler.LambdaLR(
         o, lambda s: 2.0 * 64 ** -0.5 * min((s + 1) ** -0.5, (s + 1) * 20 ** -1.5)), 1.0),
])
def test_matches_pytorch_scheduler(name: str, ours: S.Schedule, make_scheduler: Callable,
                                   base_lr: float) -> None:
    steps = 101 if name == "CosineAnnealingLR" else 150
    expected = _torch_rates(make_scheduler, base_lr, steps)
    np.testing.assert_allclose([ours(t) for t in range(steps)], expected, rtol=1e-12, atol=1e-15)


def test_cosine_past_the_end_differs_from_pytorch_as_documented() -> None:
    torch = pytest.importorskip("torch")
    rates = _torch_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10), 1.0,
                         16)
    ours = S.cosine(1.0, 10)
    assert rates[10] == pytest.approx(0.0, abs=1e-15) and ours(10) == 0.0
    assert rates[15] == pytest.approx(0.5, rel=1e-12)              # PyTorch rises again
    assert ours(15) == 0.0                                         # symopt stays at min_lr
    assert "stays at" in S.cosine.__doc__ and "periodically" in S.cosine.__doc__


def test_closed_forms_of_pytorch_recursions() -> None:
    # PyTorch's chainable forms without torch: StepLR multiplies by gamma at each boundary,
    # LinearLR by 1 + (end - start) / (T * start + (t - 1) (end - start)).
    rate, expected = 0.1, []
    for step in range(40):
        if step > 0 and step % 7 == 0:
            rate *= 0.5
        expected.append(rate)
    np.testing.assert_allclose([S.step_decay(0.1, 7, 0.5)(t) for t in range(40)], expected,
                               rtol=1e-14)
    rate, expected, start, total = 0.02, [0.02], 0.2, 25
    for step in range(1, 40):
        if step <= total:
            rate *= 1 + 0.8 / (total * start + (step - 1) * 0.8)
        expected.append(rate)
    np.testing.assert_allclose([S.linear_warmup(0.1, 25, 0.02)(t) for t in range(40)],
                               expected, rtol=1e-13)


# ----------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

rates = st.floats(1e-6, 10.0)
fractions = st.floats(0.0, 1.0)
counts = st.integers(1, 500)
steps = st.integers(0, 10_000)


@settings(max_examples=60, deadline=None)
@given(lr=rates, low=fractions, total=counts, warmup=st.integers(0, 499), step=steps)
def test_cosine_schedules_stay_between_min_lr_and_lr(lr: float, low: float, total: int,
                                                     warmup: int, step: int) -> None:
    min_lr = low * lr
    value = S.cosine(lr, total, min_lr)(step)
    assert min_lr - 1e-15 <= value <= lr + 1e-15
    if warmup < total:
        value = S.warmup_cosine(lr, warmup, total, min_lr)(step)
        assert 0.0 <= value <= lr + 1e-15
        if step >= total:
            assert value == min_lr


@settings(max_examples=60, deadline=None)
@given(lr=rates, gamma=st.floats(0.01, 1.0), size=counts, step=steps)
def test_decays_never_increase(lr: float, gamma: float, size: int, step: int) -> None:
    for schedule in (S.step_decay(lr, size, gamma), S.exponential(lr, gamma)):
        assert 0.0 <= schedule(step + 1) <= schedule(step) <= lr
