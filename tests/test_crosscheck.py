"""Real torch.optim optimizers are identified by the variant catalogue, with a clear margin."""

from __future__ import annotations

import numpy as np
import pytest

import symopt as so
from symopt.crosschecking.report import REJECTION_FACTOR

torch = pytest.importorskip("torch")

# two of the default losses keep the suite quick; the full set runs in the 100-step test
LOSSES = {"lecture": "(1 - w1*w2)**2", "scaled": "x**2/200 + 50*y**2"}
STARTS = [[0.3, -1.2]]


#: The target: a real implementation deviates from the form it implements by at most this many
#: ulps at every step (the report's default tolerance, 8, also admits hand-written code whose
#: operation order no catalogued form models).
TARGET_ULPS = 4


def check(candidate, family, steps=100, **kwargs):
    return so.crosscheck(candidate, family, losses=LOSSES, starts=STARTS, steps=steps, **kwargs)


def assert_identified(report, expected):
    best, runner_up = report.matches[0], report.matches[1]
    assert expected in best.variants, report.table()
    assert best.max_ulps <= TARGET_ULPS, report.table()
    assert runner_up.rejected and runner_up.ratio >= REJECTION_FACTOR, report.table()
    assert report.ok and report.first_divergence is None


@pytest.mark.parametrize("optimizer, kwargs, family, expected", [
    ("Adam", {"lr": 1e-2}, "adam", "adam:torch"),
    ("AdamW", {"lr": 1e-2}, "adamw", "adamw:torch"),
    ("RMSprop", {"lr": 1e-2}, "rmsprop", "rmsprop:torch"),
    ("RMSprop", {"lr": 1e-2, "centered": True}, "rmsprop", "rmsprop:centered"),
    ("Adagrad", {"lr": 0.1}, "adagrad", "adagrad:initial-0"),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-6}, "adagrad",
     "adagrad:initial-0.1"),
    ("SGD", {"lr": 1e-2}, None, "sgd:plain"),   # momentum 0: every SGD form is one rule
    ("SGD", {"lr": 1e-2, "momentum": 0.9}, "sgd", "sgd:momentum"),
    ("SGD", {"lr": 1e-2, "momentum": 0.9, "nesterov": True}, "sgd", "sgd:nesterov-torch"),
])
def test_torch_optimizer_is_identified(optimizer, kwargs, family, expected):
    report = check((getattr(torch.optim, optimizer), kwargs), family)
    assert_identified(report, expected)


def test_eps_placement_too_small_to_see_is_reported_as_undecided():
    # on the lecture's loss the accumulator grows past 0.25, where eps inside and outside the
    # root differ by less than 1e-10 relative: the report must say it cannot decide, not guess
    report = check((torch.optim.Adagrad, {"lr": 0.1, "initial_accumulator_value": 0.1}),
                   "adagrad")
    assert report.matches[0].name == "adagrad:initial-0.1"
    assert report.identified is None and "cannot rule out adagrad:eps-inside-sqrt" in report.verdict
    initial_0 = next(m for m in report.matches if "adagrad:initial-0" in m.variants)
    assert initial_0.rejected


def test_adagrad_initial_01_with_default_eps_is_identified_on_an_informative_loss():
    """sqrt(s + eps) - (sqrt(s) + eps) = eps (1 / (2 sqrt(s)) - 1) + O(eps^2): relative to the
    scale that is eps (1 / (2 s) - 1 / sqrt(s)), largest at the smallest accumulator, s = 0.1:
    1.84e-10, about 1.6e6 ulps when the update's mantissa is near 2. A linear loss keeps the
    gradient at 1.88e-4 (s stays 0.1 + t g^2) and makes the update 0.1 g / sqrt(0.1) =
    5.9e-5 = 1.95 * 2^-15: the two placements differ by 1.6e6 ulps there, while the float64
    rounding of PyTorch's own order is 0 to 1 ulp."""
    report = so.crosscheck((torch.optim.Adagrad, {"lr": 0.1, "initial_accumulator_value": 0.1}),
                           "adagrad", losses={"linear": "0.000188*x + 0.000185*y"},
                           starts=[[0.3, -1.2]], steps=100)
    assert report.hyperparams["eps"] == 1e-10               # torch's default, read from it
    assert_identified(report, "adagrad:initial-0.1")
    assert report.matches[0].max_ulps <= 4
    inside = report.matches[1]
    assert inside.variants == ("adagrad:eps-inside-sqrt",) and inside.max_ulps > 1e6


@pytest.mark.slow
def test_torch_adam_over_100_steps_on_every_default_loss_against_every_variant():
    report = so.crosscheck((torch.optim.Adam, {"lr": 1e-2}), steps=100)
    assert_identified(report, "adam:torch")
    # AdamW with zero decay is the same rule: one class
    assert {"adam:torch", "adamw:torch"} <= set(report.matches[0].variants)
    # against the exact rule the float64 error stays small, and the first steps too
    assert report.exact_deviation.max_ulps < 100
    assert max(e.ulps for e in report.exact_steps) < 16
    assert len(report.max_deviation.per_step_ulps) == 100


def test_torch_hyperparameters_are_read_from_defaults():
    report = check((torch.optim.RMSprop, {"lr": 0.05, "alpha": 0.9}), "rmsprop", steps=3)
    assert report.hyperparams["lr"] == 0.05 and report.hyperparams["alpha"] == 0.9


def test_free_running_trajectory_of_the_match_stays_close():
    report = check((torch.optim.SGD, {"lr": 1e-2, "momentum": 0.9}), "sgd")
    assert np.nanmax(report.free_running["sgd:momentum"]) < 1e-12
    assert np.nanmax(report.free_running["sgd:plain"]) > 1e-4


def test_a_bad_candidate_gets_one_clear_error():
    with pytest.raises(TypeError, match="torch.optim.Optimizer"):
        so.crosscheck((dict, {}), "adam")
    with pytest.raises(ValueError, match="unknown variant"):
        so.crosscheck((torch.optim.Adam, {"lr": 1e-3}), "adam:nope", steps=1)
