"""Sweeps: grids of losses x optimizers x hyper-parameters x starts, on any executor.

``symopt.sweep(...)`` (also reachable as ``so.sweep``) is :func:`symopt.sweep.api.sweep`.
The package is split by job:

* :mod:`.grid` reads losses, optimizer grids and starts into plain records;
* :mod:`.tasks` holds the task records, their keys and the work each task does (exact
  analyses in a child process killed at its budget, :func:`symopt.isolate.run_bounded`);
* :mod:`.landmarks` turns exact critical points into the nearest-point columns;
* :mod:`.executors` runs tasks in-process, on a concurrent.futures Executor or on Dask;
* :mod:`.store` keeps results in a Parquet dataset directory, one file per task;
* :mod:`.config` reads a sweep from a TOML file (for ``symopt sweep``).

Importing it needs neither pandas nor Dask; :func:`sweep` asks for them when called.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .api import DEFAULT_CHUNK_SIZE, sweep

__all__ = ["sweep", "DEFAULT_CHUNK_SIZE"]


class _CallableModule(types.ModuleType):
    """``import symopt.sweep`` binds this module where ``so.sweep`` should be the function."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
