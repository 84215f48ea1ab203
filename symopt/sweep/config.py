"""A sweep described in TOML (for ``symopt sweep``), checked into :func:`symopt.sweep` arguments.

Example::

    losses = ["(1 - w1*w2)**2", "(1 - x)**2 + 100*(y - x**2)**2"]
    starts = 1000            # or a list of starting points, [[0.5, 1.0], ...]
    box = [-2, 2]
    seed = 0
    steps = 500

    [optimizers.gd]          # the table name is the optimizer (or say optimizer = "gd")
    lr = [1e-3, 1e-2]        # a list holds the values to try

    [optimizers.adam]
    lr = [1e-3, {schedule = "cosine", lr = 0.1, total_steps = 500}]
    betas = [[0.9, 0.99]]    # inside a list, a list is one value (a pair)

Every mistake is a :class:`ConfigError` of one line naming the key and the fix.
"""

from __future__ import annotations

import sys
from numbers import Real
from typing import Any

__all__ = ["ConfigError", "parse_config", "KEYS"]

#: Top-level keys, and what each must be.
KEYS = {
    "losses": "a list of losses as text",
    "optimizers": "tables [optimizers.NAME] with hyper-parameter values",
    "starts": "a number of starts or a list of starting points",
    "box": "[low, high], a half-width, or one [low, high] per parameter",
    "seed": "a whole number >= 0",
    "steps": "a whole number >= 1",
    "tol": "a positive number",
    "chunk_size": "a whole number >= 1",
    "trajectories": "a whole number >= 1 (keep every n-th iterate)",
    "analysis_budget": "seconds for the exact analysis of each loss",
    "basin_tolerance": "a positive number",
}


class ConfigError(ValueError):
    """A sweep configuration that cannot be used; the message is one line."""


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    try:
        import tomli
    except ImportError:
        raise ConfigError("reading TOML on Python 3.10 needs tomli: pip install tomli "
                          "(or use Python 3.11 or newer)") from None
    return tomli


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _schedule(where: str, table: dict[str, Any]) -> Any:
    from ..optim import schedules
    from ..optim.rules import SCHEDULES
    names = sorted(name for name in SCHEDULES if hasattr(schedules, name))
    arguments = dict(table)
    name = arguments.pop("schedule", None)
    if name not in names:
        raise ConfigError(f"{where}: a table value must name a schedule, e.g. {{schedule = "
                          f"\"cosine\", lr = 0.1, total_steps = 1000}}; schedule is {name!r}, "
                          f"expected one of {', '.join(names)}")
    for key, value in arguments.items():
        if not _is_number(value):
            raise ConfigError(f"{where}: schedule argument {key} = {value!r} must be a number")
    try:
        return getattr(schedules, name)(**arguments)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}: {name}: {error}") from None


def _value(where: str, value: Any) -> Any:
    """One hyper-parameter value: a number, a boolean, a text, a pair, or a schedule."""
    if isinstance(value, dict):
        return _schedule(where, value)
    if isinstance(value, list):
        if not all(_is_number(v) for v in value):
            raise ConfigError(f"{where}: {value!r} must hold numbers only (a value such as "
                              "betas = [[0.9, 0.999]])")
        return tuple(value)
    if isinstance(value, (bool, str)) or _is_number(value):
        return value
    raise ConfigError(f"{where}: {value!r} is not a hyper-parameter value")


def _optimizers(tables: Any) -> dict[str, Any]:
    from .. import optim
    from ..optim.rules import OPTIMIZERS
    known = ", ".join(name for name in OPTIMIZERS if hasattr(optim, name))
    if not isinstance(tables, dict) or not tables:
        raise ConfigError("optimizers: give at least one table such as [optimizers.adam] with "
                          "lr = [1e-3, 1e-2]")
    result = {}
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"optimizers.{name} must be a table ([optimizers.{name}] with "
                              "lr = ...)")
        grid = dict(table)
        kind = grid.pop("optimizer", name)
        if kind not in OPTIMIZERS or not hasattr(optim, kind):
            raise ConfigError(f"optimizers.{name}: unknown optimizer {kind!r}; expected one of "
                              f"{known} (or set optimizer = \"...\" in the table)")
        values = {}
        for key, value in grid.items():
            where = f"optimizers.{name}.{key}"
            if isinstance(value, list) and value and not all(_is_number(v) for v in value):
                values[key] = [_value(where, v) for v in value]
            elif isinstance(value, list):
                if not value:
                    raise ConfigError(f"{where} is an empty list; give at least one value")
                values[key] = list(value)
            else:
                values[key] = _value(where, value)
        result[name] = (getattr(optim, kind), values)
    return result


def _whole(key: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"{key} = {value!r} must be {KEYS[key]}")
    return value


def _positive(key: str, value: Any) -> float:
    if not _is_number(value) or not value > 0:
        raise ConfigError(f"{key} = {value!r} must be {KEYS[key]}")
    return float(value)


def parse_config(text: str, source: str = "config") -> dict[str, Any]:
    """Keyword arguments of :func:`symopt.sweep` from the TOML ``text``.

    Examples
    --------
    >>> options = parse_config('losses = ["x**2"]\\n[optimizers.gd]\\nlr = [0.1, 0.01]')
    >>> options["losses"], options["optimizers"]["gd"][1]
    (['x**2'], {'lr': [0.1, 0.01]})
    >>> parse_config('losses = ["x**2"]\\nstep = 10')
    Traceback (most recent call last):
    ...
    symopt.sweep.config.ConfigError: config: unknown key 'step'; the keys are losses, optimizers, starts, box, seed, steps, tol, chunk_size, trajectories, analysis_budget, basin_tolerance
    """
    toml = _toml()
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML ({error})") from None
    try:
        return _options(data)
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None


def _options(data: dict[str, Any]) -> dict[str, Any]:
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"unknown key {key!r}; the keys are {', '.join(KEYS)}")
    for key in ("losses", "optimizers"):
        if key not in data:
            raise ConfigError(f"missing {key}: {KEYS[key]}")
    losses = data["losses"]
    if not isinstance(losses, list) or not losses or not all(isinstance(t, str) for t in losses):
        raise ConfigError(f"losses must be {KEYS['losses']}, e.g. losses = [\"(1 - w1*w2)**2\"]")
    options: dict[str, Any] = {"losses": losses, "optimizers": _optimizers(data["optimizers"])}
    if "starts" in data:
        starts = data["starts"]
        if isinstance(starts, list):
            if not starts or not all(isinstance(row, list) and row and all(
                    _is_number(v) for v in row) for row in starts):
                raise ConfigError("starts as a list must hold starting points such as "
                                  "[[0.5, 1.0], [-1.0, 2.0]]")
            options["starts"] = starts
        else:
            options["starts"] = _whole("starts", starts, 1)
    if "box" in data:
        box = data["box"]
        if not (_is_number(box) or isinstance(box, list)):
            raise ConfigError(f"box = {box!r} must be {KEYS['box']}")
        options["box"] = box
    for key, least in (("seed", 0), ("steps", 1), ("chunk_size", 1), ("trajectories", 1)):
        if key in data:
            options[key] = _whole(key, data[key], least)
    for key in ("tol", "analysis_budget", "basin_tolerance"):
        if key in data:
            options[key] = _positive(key, data[key])
    return options
