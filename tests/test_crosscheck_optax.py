"""Real optax transformations (JAX, float64) are identified by the variant catalogue."""

from __future__ import annotations

import pytest

import symopt as so
from symopt.crosschecking.report import REJECTION_FACTOR

optax = pytest.importorskip("optax")

LOSSES = {"lecture": "(1 - w1*w2)**2", "scaled": "x**2/200 + 50*y**2"}


@pytest.mark.parametrize("make, hyper, family, expected", [
    # optax's adam is Kingma & Ba's rule, the one PyTorch's Adam implements; evaluated in
    # optax's own order it matches to the last bit
    (lambda: optax.adam(1e-2), {"lr": 1e-2}, "adam", "adam:optax"),
    (lambda: optax.adamw(1e-2, weight_decay=1e-2), {"lr": 1e-2, "weight_decay": 1e-2},
     "adamw", "adamw:optax"),
    # eps inside the root (optax's default), evaluated in optax's order
    (lambda: optax.rmsprop(1e-2), {"lr": 1e-2, "decay": 0.9, "eps": 1e-8}, "rmsprop",
     "rmsprop:optax"),
    (lambda: optax.sgd(1e-2, momentum=0.9), {"lr": 1e-2, "momentum": 0.9}, "sgd",
     "sgd:momentum"),
    (lambda: optax.sgd(1e-2), {"lr": 1e-2}, None, "sgd:plain"),
])
def test_optax_transformation_is_identified(make, hyper, family, expected):
    report = so.crosscheck(make(), family, losses=LOSSES, starts=[[0.3, -1.2]], steps=100,
                           hyperparams=hyper)
    best, runner_up = report.matches[0], report.matches[1]
    assert expected in best.variants, report.table()
    assert best.max_ulps <= 4, report.table()             # every step of the 100
    assert runner_up.rejected and runner_up.ratio >= REJECTION_FACTOR, report.table()
    assert report.identified == best.name


def test_optax_needs_its_settings():
    with pytest.raises(ValueError, match="hyperparams="):
        so.crosscheck(optax.adam(1e-3), "adam", steps=1)


@pytest.mark.parametrize("make, hyper, family, rule", [
    (lambda: optax.adam(1e-2), {"lr": 1e-2}, "adam", "adam:torch"),
    (lambda: optax.adamw(1e-2, weight_decay=1e-2), {"lr": 1e-2, "weight_decay": 1e-2},
     "adamw", "adamw:torch"),
])
def test_optax_and_torch_adam_are_one_class(make, hyper, family, rule):
    """optax's adam and PyTorch's Adam are the same exact rule (Kingma & Ba, Algorithm 1)."""
    # the same exact rule: PyTorch's form sits in optax's class, optax's order listed first
    report = so.crosscheck(make(), family, losses={"lecture": LOSSES["lecture"]},
                           starts=[[0.3, -1.2]], steps=10, hyperparams=hyper)
    assert rule in report.matches[0].variants and report.matches[0].name.endswith(":optax")
    assert report.matches[0].max_ulps == 0


def test_the_same_variant_definition_runs_on_jax_arrays_and_equals_optax_bit_for_bit():
    # one definition, three namespaces: float64 NumPy (the cross-check), exact numbers (the
    # truth) and JAX, where under jit XLA rounds it exactly as it rounds optax.adamw
    import jax
    import jax.numpy as jnp
    import numpy as np

    from symopt.backends.jax_loss import float64
    from symopt.optim.variants import VARIANTS, hyperparams_for

    rule = VARIANTS["adamw:optax"].build(hyperparams_for("adamw", {"lr": 1e-2,
                                                                    "weight_decay": 1e-2}))
    reference = optax.adamw(1e-2, weight_decay=1e-2)
    rng = np.random.default_rng(0)
    with float64():
        x = jnp.asarray(rng.normal(size=100))
        mine, theirs = rule.init(x), reference.init(x)
        for _ in range(5):
            g = jnp.asarray(rng.normal(size=100))
            u_mine, mine = jax.jit(rule.update)(g, mine, x)
            u_theirs, theirs = jax.jit(reference.update)(g, theirs, x)
            assert isinstance(u_mine, jax.Array)
            assert np.array_equal(np.asarray(u_mine), np.asarray(u_theirs))
