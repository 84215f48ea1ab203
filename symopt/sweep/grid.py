"""A sweep's inputs made explicit: losses, optimizer grids, hyper-parameter labels, starts.

Everything here is plain data that pickles by value (no closures), so the same description
reaches a thread, a process or a Dask worker, and hashes to the same task keys everywhere.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np
import sympy as sp

from ..loss import Loss

__all__ = ["LossEntry", "OptimizerConfig", "PortableSchedule", "losses_of", "configs_of",
           "make_starts", "digest"]


def digest(*parts: Any) -> str:
    """A SHA-256 hex digest of the parts' text (bytes are hashed as they are)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


# ----------------------------------------------------------------------------- losses

@dataclass(frozen=True)
class LossEntry:
    """One loss of a sweep: its label (the text given, or the expression), the Loss, its key."""

    label: str
    loss: Loss
    key: str


def _loss_key(loss: Loss) -> str:
    data = loss.data
    arrays = [] if not data else [name.encode() + np.ascontiguousarray(values, "<f8").tobytes()
                                  for name, values in sorted(data.items())]
    return digest("loss", sp.srepr(loss.expr), ",".join(p.name for p in loss.params), *arrays)


def losses_of(losses: Any) -> list[LossEntry]:
    """Read ``losses`` (one text or Loss, or a sequence of them) into LossEntry records."""
    items = [losses] if isinstance(losses, (str, Loss)) else losses
    try:
        items = list(items)
    except TypeError:
        raise TypeError(f"losses must be a text, a symopt Loss or a list of them; got "
                        f"{type(losses).__name__}. Pass e.g. ['(1 - w1*w2)**2'].") from None
    if not items:
        raise ValueError("losses is empty; give at least one loss, e.g. ['(1 - w1*w2)**2']")
    entries = []
    for position, item in enumerate(items):
        if isinstance(item, str):
            loss, label = Loss.parse(item), item.strip()
        elif isinstance(item, Loss):
            loss, label = item, str(item.expr)
        else:
            raise TypeError(f"losses[{position}] is a {type(item).__name__}; each loss must "
                            "be a text such as '(1 - w1*w2)**2' or a symopt Loss")
        entries.append(LossEntry(label, loss, _loss_key(loss)))
    labels = [entry.label for entry in entries]
    for label in labels:
        if labels.count(label) > 1:
            raise ValueError(f"the loss {label!r} is given twice; give each loss once")
    return entries


# ----------------------------------------------------------------------------- hyper-parameters

class PortableSchedule(NamedTuple):
    """A schedule of :mod:`symopt.optim.schedules` as its name and arguments (pickles by value)."""

    name: str
    params: tuple[tuple[str, Any], ...]

    def build(self) -> Any:
        from ..optim import schedules
        return getattr(schedules, self.name)(**dict(self.params))


def _module_level(function: Callable, what: str) -> str:
    name = f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', '?')}"
    if "<" in name:
        raise ValueError(f"{what} {name} is a lambda or a nested function, which has no stable "
                         "name for task keys and cannot reach worker processes; define it at "
                         "the top level of a module")
    return name


def _portable(name: str, value: Any) -> tuple[Any, str, Any]:
    """(value to send to workers, canonical text for keys, column label) of one value."""
    from ..optim.schedules import Schedule
    if isinstance(value, Schedule):
        if value.name == "callable":
            function = value.params["function"]
            text = f"callable({_module_level(function, f'the {name} function')})"
            return value, text, text
        if value.constant_value is not None and value.name == "constant":
            number = float(value.constant_value)
            return number, repr(number), number
        portable = PortableSchedule(value.name, tuple(value.params.items()))
        return portable, repr(value), repr(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value), repr(bool(value)), repr(bool(value))
    if isinstance(value, Real):
        number = float(value) if not isinstance(value, Integral) else int(value)
        return number, repr(number), float(number)
    if isinstance(value, tuple) and all(isinstance(v, Real) for v in value):
        return value, repr(tuple(float(v) for v in value)), repr(value)
    if isinstance(value, str):
        return value, repr(value), value
    if callable(value):
        text = f"callable({_module_level(value, f'the {name} function')})"
        return value, text, text
    raise TypeError(f"hyper-parameter {name}={value!r} ({type(value).__name__}) cannot be "
                    "swept; use numbers, tuples of numbers, strings, booleans or schedules "
                    "from symopt.optim")


@dataclass(frozen=True)
class OptimizerConfig:
    """One optimizer at one point of its grid, described by value.

    ``factory`` is the name of a :mod:`symopt.optim` optimizer or a module-level callable;
    ``kwargs`` its arguments (schedules as :class:`PortableSchedule`); ``labels`` the values
    shown in the table's hyper-parameter columns; ``identity`` the canonical text hashed into
    task keys.
    """

    name: str
    factory: str | Callable[..., Any]
    kwargs: tuple[tuple[str, Any], ...]
    labels: tuple[tuple[str, Any], ...]
    identity: str

    def build(self) -> Any:
        """The optimizer itself (built where it runs)."""
        from .. import optim
        factory = getattr(optim, self.factory) if isinstance(self.factory, str) else self.factory
        kwargs = {key: value.build() if isinstance(value, PortableSchedule) else value
                  for key, value in self.kwargs}
        return factory(**kwargs)


def _factory_of(name: str, factory: Any) -> tuple[str | Callable, str]:
    from .. import optim
    from ..optim.rules import OPTIMIZERS
    own = getattr(factory, "__name__", None)
    if own in OPTIMIZERS and getattr(optim, own, None) is factory:
        return own, f"symopt.optim.{own}"
    if not callable(factory):
        raise TypeError(f"optimizer {name!r}: {factory!r} is not a factory; give (factory, "
                        "grid) such as (optim.adam, {'lr': [1e-3, 1e-2]})")
    return factory, _module_level(factory, f"optimizer {name!r}: the factory")


def _config(name: str, factory: Any, values: dict[str, Any], shown: Sequence[str]) -> OptimizerConfig:
    factory_ref, factory_id = _factory_of(name, factory)
    kwargs, texts, labels = [], [], []
    for key, value in values.items():
        portable, text, label = _portable(key, value)
        kwargs.append((key, portable))
        texts.append(f"{key}={text}")
        if key in shown:
            labels.append((key, label))
    config = OptimizerConfig(name, factory_ref, tuple(kwargs), tuple(labels),
                             f"{factory_id}({', '.join(texts)})")
    try:
        config.build()
    except (TypeError, ValueError) as error:
        raise ValueError(f"optimizer {name!r} with {', '.join(texts)}: {error}") from None
    return config


def _from_built(name: str, optimizer: Any) -> OptimizerConfig:
    """The config of an optimizer that is already built (a NamedOptimizer)."""
    from .. import optim
    own = getattr(optimizer, "name", None)
    hyperparams = getattr(optimizer, "hyperparams", None)
    factory = getattr(optim, own, None) if isinstance(own, str) else None
    if factory is None or not isinstance(hyperparams, dict):
        raise TypeError(f"optimizer {name!r} is a {type(optimizer).__name__} without a name "
                        "and hyper-parameters; give a named optimizer such as optim.adam(1e-2) "
                        "or (factory, grid) such as (optim.adam, {'lr': [1e-3, 1e-2]})")
    defaults = {key: p.default for key, p in inspect.signature(factory).parameters.items()}
    shown = [key for key, value in hyperparams.items()
             if defaults.get(key, inspect.Parameter.empty) is inspect.Parameter.empty
             or _portable(key, defaults[key])[1] != _portable(key, value)[1]]
    return _config(name, factory, dict(hyperparams), shown)


def configs_of(optimizers: Any) -> list[OptimizerConfig]:
    """Expand ``{name: optimizer or (factory, grid)}`` into one config per grid point.

    In a grid, a list holds the values to try; any other value (a number, a tuple such as
    ``betas=(0.9, 0.99)``, a schedule) is used as it is. Points come in the grid's key order,
    the last key varying fastest.
    """
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise TypeError("optimizers must be a non-empty dict {name: optimizer or (factory, "
                        "grid)}, e.g. {'adam': (optim.adam, {'lr': [1e-3, 1e-2]})}")
    configs: list[OptimizerConfig] = []
    for name, spec in optimizers.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"optimizer names must be non-empty texts; got {name!r}")
        if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], Mapping):
            factory, grid = spec
            for key in grid:
                if not isinstance(key, str):
                    raise TypeError(f"optimizer {name!r}: grid keys must be argument names; "
                                    f"got {key!r}")
            axes = [value if isinstance(value, list) else [value] for value in grid.values()]
            for key, axis in zip(grid, axes):
                if not axis:
                    raise ValueError(f"optimizer {name!r}: the grid of {key!r} is empty; give "
                                     "at least one value")
            for point in itertools.product(*axes):
                configs.append(_config(name, factory, dict(zip(grid, point)), list(grid)))
        else:
            configs.append(_from_built(name, spec))
    return configs


# ----------------------------------------------------------------------------- starts

def _bounds(box: Any, n: int) -> np.ndarray:
    hint = "Pass box=(-2, 2), a half-width such as box=2, or one (low, high) pair per parameter."
    if isinstance(box, Real) and not isinstance(box, bool):
        if not (np.isfinite(box) and box > 0):
            raise ValueError(f"box={box!r}: a half-width must be a positive number. {hint}")
        return np.tile([-float(box), float(box)], (n, 1))
    try:
        bounds = np.array(box, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"box={box!r} is not a box. {hint}") from None
    if bounds.shape == (2,):
        bounds = np.tile(bounds, (n, 1))
    if bounds.shape != (n, 2):
        raise ValueError(f"box={box!r} has shape {bounds.shape}; the loss has {n} "
                         f"parameters. {hint}")
    if not (np.isfinite(bounds).all() and (bounds[:, 0] < bounds[:, 1]).all()):
        raise ValueError(f"box={box!r}: every pair must be finite with low < high. {hint}")
    return bounds


def make_starts(starts: Any, box: Any, seed: Any, n: int) -> np.ndarray:
    """The ``(k, n)`` starts: ``starts`` itself, or that many uniform draws in ``box``.

    Draws come from ``numpy.random.default_rng(seed)``, so they depend only on the seed, the
    count, the box and ``n`` (losses with the same number of parameters share their starts).
    """
    if isinstance(starts, Integral) and not isinstance(starts, bool):
        if starts < 1:
            raise ValueError(f"starts={starts!r}: give a positive number of starts or an "
                             "array of shape (n_starts, n_params)")
        bounds = _bounds(box, n)
        unit = np.random.default_rng(seed).random((int(starts), n))
        return bounds[:, 0] + (bounds[:, 1] - bounds[:, 0]) * unit
    try:
        array = np.array(starts, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"starts must be a number or an array of shape (n_starts, n_params); "
                        f"got {type(starts).__name__}") from None
    if array.ndim != 2 or array.shape[1] != n or array.shape[0] == 0:
        raise ValueError(f"starts has shape {array.shape}; a loss of {n} parameters needs "
                         f"shape (n_starts, {n})")
    if not np.isfinite(array).all():
        raise ValueError("starts holds NaN or infinite values; every start must be finite")
    return array
