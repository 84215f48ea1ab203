"""Adapters that run anyone's optimizer one step at a time: torch.optim, optax, step functions.

Each adapter turns a candidate into a :class:`Candidate`: a name, the hyper-parameters symopt
compares with, and ``open(params) -> Session``. A session holds one run of the candidate on
one start, in float64, in the candidate's own framework:

* ``step(params, grad) -> new params`` makes one step from ``params`` with gradient ``grad``;
* ``probe(grad) -> update`` is the update the candidate *would* make from its current state at
  parameters 0 (the state is left untouched). At 0 the update is returned without the
  rounding of ``params + update``, so it can be compared with the exact update to the last
  bit; weight decay, which needs the parameters, shows in ``step``.

torch, JAX and optax are imported only when such a candidate is given.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

import numpy as np

__all__ = ["Candidate", "Session", "as_candidate", "normalise_hyperparams"]

#: Other spellings of the hyper-parameters, as frameworks name them.
_ALIASES = {"learning_rate": "lr", "beta1": "b1", "beta2": "b2", "beta_1": "b1",
            "beta_2": "b2", "epsilon": "eps", "decay": "alpha", "rho": "alpha"}
_KNOWN = {"lr", "b1", "b2", "eps", "alpha", "momentum", "dampening", "weight_decay",
          "lr_decay"}


def normalise_hyperparams(given: Mapping[str, Any] | None) -> dict[str, float]:
    """Hyper-parameters under the catalogue's names (``lr, b1, b2, eps, alpha, ...``).

    ``betas`` is split into ``b1, b2``; flags (``nesterov``, ``centered``, ``amsgrad``,
    ...) and other settings are left out: they are what the crosscheck finds out.

    Examples
    --------
    >>> normalise_hyperparams({"learning_rate": 0.1, "betas": (0.8, 0.9), "amsgrad": False})
    {'lr': 0.1, 'b1': 0.8, 'b2': 0.9}
    """
    result: dict[str, float] = {}
    for key, value in (given or {}).items():
        if key == "betas":
            result["b1"], result["b2"] = (float(v) for v in value)
            continue
        name = _ALIASES.get(key, key)
        if name in _KNOWN and value is not None and not isinstance(value, bool):
            try:
                result[name] = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"hyper-parameter {key}={value!r} is not a number; symopt "
                                 "cross-checks constant hyper-parameters only") from None
    return result


class Session(Protocol):
    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray: ...

    def probe(self, grad: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Candidate:
    """An optimizer under test: ``name``, ``hyperparams``, ``open(params) -> Session``."""

    name: str
    hyperparams: dict[str, float]
    open: Callable[[np.ndarray], Session] = field(repr=False)


# -- torch -----------------------------------------------------------------------------------
class _TorchSession:
    def __init__(self, optimizer_class: type, kwargs: Mapping[str, Any], params: np.ndarray):
        import torch
        self._torch = torch
        self.param = torch.tensor(np.asarray(params, dtype=np.float64), requires_grad=True)
        self.optimizer = optimizer_class([self.param], **kwargs)

    def _run(self, optimizer: Any, param: Any, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.no_grad():
            param.copy_(torch.from_numpy(np.asarray(params, dtype=np.float64)))
        param.grad = torch.from_numpy(np.array(grad, dtype=np.float64))
        optimizer.step()
        return param.detach().numpy().copy()

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return self._run(self.optimizer, self.param, params, grad)

    def probe(self, grad: np.ndarray) -> np.ndarray:
        optimizer = copy.deepcopy(self.optimizer)
        param = optimizer.param_groups[0]["params"][0]
        return self._run(optimizer, param, np.zeros_like(grad), grad)


def _torch_candidate(optimizer_class: type, kwargs: Mapping[str, Any],
                     hyperparams: Mapping[str, Any] | None) -> Candidate:
    import torch
    if not (isinstance(optimizer_class, type)
            and issubclass(optimizer_class, torch.optim.Optimizer)):
        raise TypeError(f"{optimizer_class!r} is not a torch.optim.Optimizer class; pass e.g. "
                        "(torch.optim.Adam, {'lr': 1e-3})")
    probe = optimizer_class([torch.zeros(1, dtype=torch.float64, requires_grad=True)],
                            **kwargs)
    settings = normalise_hyperparams({**probe.defaults, **(hyperparams or {})})
    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return Candidate(f"{optimizer_class.__module__}.{optimizer_class.__name__}({shown})",
                     settings, lambda params: _TorchSession(optimizer_class, kwargs, params))


# -- optax and symopt's own transformations -------------------------------------------------
class _TransformSession:
    """An ``(init, update)`` pair: optax (run under JAX in float64) or symopt's own."""

    def __init__(self, transform: Any, params: np.ndarray, to_framework: Callable):
        self.transform = transform
        self.to_framework = to_framework
        self.state = transform.init(to_framework(params))

    def _update(self, grad: np.ndarray, params: np.ndarray) -> tuple[np.ndarray, Any]:
        updates, state = self.transform.update(self.to_framework(grad), self.state,
                                               self.to_framework(params))
        return np.asarray(updates, dtype=np.float64), state

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        updates, self.state = self._update(grad, params)
        return np.asarray(params, dtype=np.float64) + updates

    def probe(self, grad: np.ndarray) -> np.ndarray:
        return self._update(grad, np.zeros_like(grad))[0]


def _optax_candidate(transform: Any, hyperparams: Mapping[str, Any] | None) -> Candidate:
    import jax
    import jax.numpy as jnp

    from ..backends.jax_loss import float64

    jitted_init, jitted_update = jax.jit(transform.init), jax.jit(transform.update)

    def in_float64(function: Callable) -> Callable:
        # The candidate runs in float64 inside a local context; JAX's global flag is left alone.
        def call(*args: Any) -> Any:
            with float64():
                return function(*(jnp.asarray(a, dtype=jnp.float64) if isinstance(a, np.ndarray)
                                  else a for a in args))
        return call

    jitted = type(transform)(in_float64(jitted_init), in_float64(jitted_update))
    return Candidate(_named(transform, "optax transformation"),
                     _required(hyperparams, "an optax transformation"),
                     lambda params: _TransformSession(jitted, params, np.asarray))


def _symopt_candidate(transform: Any, hyperparams: Mapping[str, Any] | None) -> Candidate:
    settings = dict(getattr(transform, "hyperparams", {}) or {})
    rate = settings.get("lr")
    if rate is not None and getattr(rate, "constant_value", None) is not None:
        settings["lr"] = rate.constant_value
    settings.update(hyperparams or {})
    return Candidate(_named(transform, "symopt transformation"),
                     _required(settings, "a symopt transformation"),
                     lambda params: _TransformSession(transform, params, np.array))


# -- step functions --------------------------------------------------------------------------
class _StepSession:
    def __init__(self, function: Callable, params: np.ndarray):
        self.function = function
        self.state: Any = None
        self.count = 0

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.count += 1
        new_params, self.state = self.function(np.array(params, dtype=np.float64),
                                               np.array(grad, dtype=np.float64),
                                               self.state, self.count)
        return np.asarray(new_params, dtype=np.float64)

    def probe(self, grad: np.ndarray) -> np.ndarray:
        new_params, _ = self.function(np.zeros_like(grad, dtype=np.float64),
                                      np.array(grad, dtype=np.float64),
                                      copy.deepcopy(self.state), self.count + 1)
        return np.asarray(new_params, dtype=np.float64)


def _step_candidate(function: Callable, hyperparams: Mapping[str, Any] | None) -> Candidate:
    try:
        inspect.signature(function).bind(None, None, None, 1)
    except (TypeError, ValueError):
        raise TypeError(f"{function!r} does not take (params, grad, state, t); a step function "
                        "is step(params, grad, state, t) -> (new_params, new_state)") from None
    return Candidate(_named(function, "step function"),
                     _required(hyperparams, "a step function"),
                     lambda params: _StepSession(function, params))


# -- dispatch --------------------------------------------------------------------------------
def _named(obj: Any, fallback: str) -> str:
    name = getattr(obj, "name", None) or getattr(obj, "__qualname__", None)
    return str(name) if name else fallback


def _required(hyperparams: Mapping[str, Any] | None, what: str) -> dict[str, float]:
    settings = normalise_hyperparams(hyperparams)
    if "lr" not in settings:
        raise ValueError(f"symopt cannot read the settings of {what}; pass them as "
                         "hyperparams={'lr': 1e-3, ...} (at least the learning rate)")
    return settings


def _is_optax(candidate: Any) -> bool:
    module = type(candidate).__module__ or ""
    return module.startswith("optax") and hasattr(candidate, "update")


def as_candidate(candidate: Any, hyperparams: Mapping[str, Any] | None = None) -> Candidate:
    """Wrap a ``(torch optimizer class, kwargs)`` pair, an optax transformation, a symopt
    transformation or a step function ``step(params, grad, state, t) -> (params, state)``.

    Examples
    --------
    >>> def sgd(params, grad, state, t):
    ...     return params - 0.1 * grad, state
    >>> c = as_candidate(sgd, {"lr": 0.1})
    >>> c.open(np.array([1.0])).step(np.array([1.0]), np.array([2.0]))
    array([0.8])
    """
    if isinstance(candidate, Candidate):
        return candidate
    if isinstance(candidate, tuple) and len(candidate) == 2 and isinstance(candidate[0], type):
        return _torch_candidate(candidate[0], dict(candidate[1] or {}), hyperparams)
    if _is_optax(candidate):
        return _optax_candidate(candidate, hyperparams)
    from ..optim.base import GradientTransformation, NamedOptimizer
    if isinstance(candidate, (GradientTransformation, NamedOptimizer)):
        return _symopt_candidate(candidate, hyperparams)
    if callable(candidate) and not isinstance(candidate, type):
        return _step_candidate(candidate, hyperparams)
    raise TypeError(f"cannot cross-check {candidate!r}; pass (torch.optim.Adam, {{'lr': 1e-3}}), "
                    "an optax GradientTransformation, or a step function "
                    "step(params, grad, state, t) -> (params, state)")
