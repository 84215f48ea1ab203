"""The variant catalogue: names, rules registered, first steps checked by hand, exact namespaces."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from symopt import optim
from symopt.crosschecking.exact import MPMATH, RATIONAL, as_mpf, to_float, ulps
from symopt.optim.namespace import _numpy_fma, lift
from symopt.optim.variants import VARIANTS, hyperparams_for, variants_of


def first_update(name: str, grad: list[float], params: list[float] | None = None,
                 **hyper: float) -> np.ndarray:
    variant = VARIANTS[name]
    rule = variant.build(hyperparams_for(variant.family, hyper))
    x = np.array(params if params is not None else [0.0] * len(grad))
    return rule.update(np.array(grad), rule.init(x), x)[0]


def test_every_variant_is_named_family_colon_variant_and_registered_in_rules():
    assert len(VARIANTS) >= 20
    for name, variant in VARIANTS.items():
        family, _, form = name.partition(":")
        assert family == variant.family and form
        assert optim.RULES[name] == variant.rule
        assert variant.doc, f"{name} has no docstring naming its source"


@pytest.mark.parametrize("name", ["adam:torch", "adagrad:initial-0.1", "rmsprop:eps-inside-sqrt",
                                  "sgd:nesterov-torch", "adam:no-bias-correction"])
def test_issue_names_exist(name):
    assert name in VARIANTS


def test_adagrad_initial_accumulator_and_eps_placement_by_hand():
    # g = 3, lr = 1, eps = 0.01: s = 9 (initial 0) or 9.1 (initial 0.1)
    assert first_update("adagrad:initial-0", [3.0], lr=1.0, eps=0.01)[0] == pytest.approx(
        -3 / (3 + 0.01), rel=1e-15)
    assert first_update("adagrad:initial-0.1", [3.0], lr=1.0, eps=0.01)[0] == pytest.approx(
        -3 / (math.sqrt(9.1) + 0.01), rel=1e-15)
    assert first_update("adagrad:eps-inside-sqrt", [3.0], lr=1.0, eps=0.01)[0] == pytest.approx(
        -3 / math.sqrt(9.11), rel=1e-15)


def test_rmsprop_eps_inside_and_outside_by_hand():
    # alpha = 0.9, g = 2: v = 0.1 * 4 = 0.4
    outside = first_update("rmsprop:torch", [2.0], lr=1.0, alpha=0.9, eps=0.1)[0]
    inside = first_update("rmsprop:eps-inside-sqrt", [2.0], lr=1.0, alpha=0.9, eps=0.1)[0]
    assert outside == pytest.approx(-2 / (math.sqrt(0.4) + 0.1), rel=1e-15)
    assert inside == pytest.approx(-2 / math.sqrt(0.5), rel=1e-15)
    # centered: gbar = 0.2, variance 0.4 - 0.04 = 0.36
    centered = first_update("rmsprop:centered", [2.0], lr=1.0, alpha=0.9, eps=0.0)[0]
    assert centered == pytest.approx(-2 / 0.6, rel=1e-15)
    # the lecture's RMSProp starts at sigma_0 = |g_0|: a step of exactly lr
    assert first_update("rmsprop:lecture", [-5.0], lr=0.1, alpha=0.9)[0] == 0.1


def test_adam_forms_first_step_by_hand():
    # first step: m_hat = g, v_hat = g^2 exactly, so Adam moves lr * g / (|g| + eps)
    g, lr, eps = 0.5, 0.1, 0.25
    assert first_update("adam:torch", [g], lr=lr, eps=eps)[0] == pytest.approx(
        -lr * g / (g + eps), rel=1e-14)
    assert first_update("adam:eps-inside-sqrt", [g], lr=lr, eps=eps)[0] == pytest.approx(
        -lr * g / math.sqrt(g * g + eps), rel=1e-14)
    # no bias correction: m = 0.1 g, v = 0.001 g^2
    assert first_update("adam:no-bias-correction", [g], lr=lr, eps=eps)[0] == pytest.approx(
        -lr * 0.1 * g / (math.sqrt(0.001) * g + eps), rel=1e-12)
    # eps-hat form: eps added to sqrt(v) = sqrt(0.001) |g| before correcting
    keras = first_update("adam:keras", [g], lr=lr, eps=eps)[0]
    assert keras == pytest.approx(-lr * math.sqrt(0.001) / 0.1 * (0.1 * g)
                                  / (math.sqrt(0.001) * g + eps), rel=1e-12)


def test_weight_decay_coupled_decoupled_unscaled_by_hand():
    # theta = 2, g = 1, lr = 0.1, wd = 0.5, eps = 0: Adam direction 1 (sign), decay 1
    common = dict(lr=0.1, eps=0.0, weight_decay=0.5)
    assert first_update("adamw:torch", [1.0], [2.0], **common)[0] == pytest.approx(-0.1 - 0.1)
    assert first_update("adamw:unscaled", [1.0], [2.0], **common)[0] == pytest.approx(-0.1 - 1.0)
    # coupled: g + wd theta = 2 enters the moments: still a sign step of lr
    assert first_update("adamw:coupled", [1.0], [2.0], **common)[0] == pytest.approx(-0.1)


def test_sgd_momentum_forms_two_steps_by_hand():
    hyper = dict(lr=0.1, momentum=0.5)
    for name, expected in [("sgd:momentum", -0.1 * (0.5 * 1 + 2)),
                           ("sgd:lecture-momentum", 0.5 * -0.1 - 0.2),
                           ("sgd:nesterov-torch", -0.1 * (2 + 0.5 * (0.5 * 1 + 2))),
                           ("sgd:nesterov-keras", 0.5 * (0.5 * -0.1 - 0.2) - 0.2),
                           ("sgd:plain", -0.2)]:
        variant = VARIANTS[name]
        rule = variant.build(hyperparams_for("sgd", hyper))
        x = np.zeros(1)
        state = rule.init(x)
        _, state = rule.update(np.array([1.0]), state, x)
        update, _ = rule.update(np.array([2.0]), state, x)
        assert update[0] == pytest.approx(expected, rel=1e-15), name


def test_sgd_dampening_keeps_the_first_buffer_undamped():
    rule = VARIANTS["sgd:dampening"].build(hyperparams_for(
        "sgd", dict(lr=1.0, momentum=0.5, dampening=0.5)))
    x = np.zeros(1)
    u1, state = rule.update(np.array([4.0]), rule.init(x), x)
    u2, _ = rule.update(np.array([4.0]), state, x)
    assert (u1[0], u2[0]) == (-4.0, -(0.5 * 4 + 0.5 * 4))


def test_the_same_rule_runs_exactly_over_rationals_and_mpmath():
    hyper = hyperparams_for("sgd", dict(lr=0.1, momentum=0.9))
    rule = VARIANTS["sgd:momentum"].build(hyper)
    x = RATIONAL.asarray([1.0])
    update, state = rule.update(RATIONAL.asarray([0.5]), rule.init(x), x)
    update, _ = rule.update(RATIONAL.asarray([0.25]), state, x)
    lr, mu = Fraction(0.1), Fraction(0.9)
    assert update[0].value == -lr * (mu * Fraction(1, 2) + Fraction(1, 4))
    with MPMATH.precision():
        adam = VARIANTS["adam:torch"].build(hyperparams_for("adam", dict(lr=0.1)))
        x = MPMATH.asarray([0.0])
        exact = adam.update(MPMATH.asarray([3.0]), adam.init(x), x)[0]
        # -0.1 * 3 / (3 + 1e-8) to 60 digits, against float64's own rounding: < 1 ulp
        assert ulps(first_update("adam:torch", [3.0], lr=0.1), exact)[0] <= 1.0
        assert abs(as_mpf(exact[0]) + as_mpf(0.1) * 3 / (3 + as_mpf(1e-8))) < as_mpf(10) ** -50


def test_variants_of_family_and_unknown_name():
    assert {v.family for v in variants_of("rmsprop")} == {"rmsprop"}
    with pytest.raises(ValueError, match="unknown variant or family"):
        variants_of("adamx")


@pytest.mark.parametrize("name, build, family, extra", [
    ("adam:torch", lambda: optim.adam(0.01), "adam", {}),
    ("adam:amsgrad", lambda: optim.adam(0.01, amsgrad=True), "adam", {}),
    ("adamw:torch", lambda: optim.adamw(0.01, weight_decay=0.1), "adamw", {"weight_decay": 0.1}),
    ("rmsprop:centered", lambda: optim.rmsprop(0.01, centered=True, momentum=0.5), "rmsprop",
     {"momentum": 0.5}),
    ("adagrad:initial-0.1", lambda: optim.adagrad(0.01, initial_accumulator_value=0.1),
     "adagrad", {}),
    ("sgd:nesterov-torch", lambda: optim.sgd(0.01, momentum=0.9, nesterov=True), "sgd",
     {"momentum": 0.9}),
    ("sgd:lecture-momentum", lambda: optim.momentum(0.01, 0.9), "sgd", {"momentum": 0.9}),
    ("rmsprop:lecture", lambda: optim.rmsprop_lecture(0.01, 0.9), "rmsprop", {"alpha": 0.9}),
    ("rmsprop:optax", lambda: optim.rmsprop(0.01, eps_in_sqrt=True, momentum=0.5), "rmsprop",
     {"momentum": 0.5}),
    ("adagrad:eps-inside-sqrt", lambda: optim.adagrad(0.01, initial_accumulator_value=0.1,
                                                      eps_in_sqrt=True), "adagrad", {}),
])
def test_catalogue_and_named_optimizers_are_the_same_rule(name, build, family, extra):
    """Run both over 60-digit numbers: they agree to 50 digits, bias corrections included
    (symopt.optim computes its scalars in the arrays' own arithmetic), so they are one rule
    even where they evaluate it in different orders (Adam)."""
    rng = np.random.default_rng(1)
    theirs = build()
    with MPMATH.precision():
        mine = VARIANTS[name].build(hyperparams_for(family, {"lr": 0.01, **extra}))
        x = MPMATH.asarray([0.5, -1.0])
        mine_state, their_state = mine.init(x), theirs.init(x)
        for _ in range(8):
            g = MPMATH.asarray(rng.normal(size=2) * [1.0, 0.01])
            u_mine, mine_state = mine.update(g, mine_state, x)
            u_theirs, their_state = theirs.update(g, their_state, x)
            for a, b in zip(u_mine, u_theirs):
                assert abs(as_mpf(a) - as_mpf(b)) <= as_mpf(10) ** -50 * abs(as_mpf(a))


def test_torch_and_optax_orders_of_adam_are_one_exact_rule_but_round_differently():
    hyper = hyperparams_for("adamw", {"lr": 0.01, "weight_decay": 0.1})
    rng = np.random.default_rng(4)
    grads = [rng.normal(size=50) for _ in range(6)]
    x = rng.normal(size=50)

    def run(name, convert):
        rule = VARIANTS[name].build(hyper)
        state = rule.init(convert(x))
        for g in grads:
            update, state = rule.update(convert(g), state, convert(x))
        return update

    with MPMATH.precision():
        torch_exact, optax_exact = (run(n, MPMATH.asarray) for n in ("adamw:torch", "adamw:optax"))
        assert all(abs(as_mpf(a) - as_mpf(b)) <= as_mpf(10) ** -50 * abs(as_mpf(a))
                   for a, b in zip(torch_exact, optax_exact))
    torch_float, optax_float = (run(n, np.asarray) for n in ("adamw:torch", "adamw:optax"))
    assert np.any(torch_float != optax_float)          # different roundings ...
    truth = to_float(torch_exact)                     # ... of the same exact update: a few
    unit = np.spacing(np.max(np.abs(truth)))          # ulps of the update's scale
    assert np.max(np.abs(torch_float - truth)) < 64 * unit
    assert np.max(np.abs(optax_float - truth)) < 64 * unit


def test_numpy_fused_multiply_add_rounds_once():
    # against exact rational arithmetic, rounded once to float64
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=500), rng.normal(size=500) * 1e3
    for c in (rng.normal(size=500), -a * b * (1 + 1e-12 * rng.normal(size=500))):
        exact = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
        assert list(_numpy_fma(a, b, c)) == exact
    # the case a plain multiply-then-add gets wrong: 0.1 * 10 - 1 is 2**-54, not 0
    assert _numpy_fma(0.1, 10.0, -1.0) == 2.0 ** -54 and 0.1 * 10.0 - 1.0 == 0.0


def test_bias_correction_is_exact_over_exact_numbers():
    # optim.adam over rationals-then-mpmath: after one step the bias-corrected ratio is
    # exactly g / (|g| + eps); with float64 scalars it was off by ~1e-16 relative
    with MPMATH.precision():
        opt = optim.adam(0.5, eps=0.25)
        x = MPMATH.asarray([0.0])
        state = opt.init(x)
        _, state = opt.update(MPMATH.asarray([2.0]), state, x)
        update, _ = opt.update(MPMATH.asarray([2.0]), state, x)
        # second step with the same g: m_hat = g, v_hat = g^2 exactly, so -lr g / (|g| + eps)
        assert abs(as_mpf(update[0]) + as_mpf(0.5) * 2 / (2 + as_mpf(0.25))) < as_mpf(10) ** -55
    assert lift(0.999, MPMATH.asarray([1.0])).value == as_mpf(0.999)
    assert lift(0.999, np.zeros(1)) == 0.999
