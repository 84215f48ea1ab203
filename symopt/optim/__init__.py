"""Gradient-descent optimizers as composable (init, update) pairs, in NumPy only.

The lecture's unified rule :math:`\\theta_{t+1} = \\theta_t - \\frac{\\eta_t}{\\sigma_t} m_t` is
split into parts: a direction :math:`m_t` (the gradient, or momentum: :func:`trace`), a
per-parameter scale :math:`\\sigma_t` (Adagrad, RMSProp; Adam's own :func:`scale_by_adam`),
and a learning-rate schedule :math:`\\eta_t` (:mod:`symopt.optim.schedules`). Named optimizers
chain them; every one carries its exact rule as LaTeX in ``.rule`` and in :data:`RULES`.

This package imports NumPy only (never SymPy), so it runs on any gradient function.

>>> import numpy as np
>>> from symopt import optim
>>> opt = optim.adam(optim.cosine(0.1, total_steps=200))
>>> x = np.array([[1.0, 2.0], [-3.0, 0.5]])        # two starts, run together
>>> state = opt.init(x)
>>> for _ in range(200):
...     updates, state = opt.update(2 * x, state, x)
...     x = optim.apply_updates(x, updates)
>>> bool(np.abs(x).max() < 1e-2)
True
"""

from __future__ import annotations

from . import scales, schedules, transforms
from .base import GradientTransformation, NamedOptimizer, apply_updates, chain
from .named import (adagrad, adagrad_lecture, adam, adamw, gd, momentum, rmsprop,
                    rmsprop_lecture, sgd)
from .rules import OPTIMIZERS, RULES, SCHEDULES, TRANSFORMS
from .schedules import (Schedule, as_schedule, constant, cosine, exponential, linear_warmup,
                        step_decay, transformer, warmup_cosine)
from .variants import VARIANT_RULES, VARIANTS
from .transforms import (add_decayed_weights, identity, scale, scale_by_adagrad,
                         scale_by_adagrad_lecture, scale_by_adam, scale_by_learning_rate,
                         scale_by_rms, scale_by_rms_lecture, trace)

RULES.update(VARIANT_RULES)        # the variant catalogue's rules, by "family:variant"

__all__ = [
    # protocol
    "GradientTransformation", "NamedOptimizer", "chain", "apply_updates",
    # named optimizers
    "gd", "momentum", "sgd", "adagrad_lecture", "adagrad", "rmsprop_lecture", "rmsprop",
    "adam", "adamw",
    # schedules
    "Schedule", "as_schedule", "constant", "step_decay", "exponential", "cosine",
    "linear_warmup", "warmup_cosine", "transformer",
    # transforms
    "identity", "scale", "scale_by_learning_rate", "add_decayed_weights", "trace",
    "scale_by_adam", "scale_by_adagrad", "scale_by_adagrad_lecture", "scale_by_rms",
    "scale_by_rms_lecture",
    # rules
    "RULES", "OPTIMIZERS", "SCHEDULES", "TRANSFORMS", "VARIANTS", "VARIANT_RULES",
    # submodules
    "scales", "schedules", "transforms",
]
