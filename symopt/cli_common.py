"""Deprecated: moved to :mod:`symopt.cli.common`; this module stays for one release."""

from __future__ import annotations

import warnings

from .cli.common import *  # noqa: F401,F403
from .cli.common import __all__  # noqa: F401

warnings.warn("symopt.cli_common is deprecated; use symopt.cli.common", DeprecationWarning,
              stacklevel=2)


def __getattr__(name: str):
    if name == "OPTIMIZER_NAMES":  # the old table, now read from symopt.optim
        from .cli.common import optimizer_names

        return optimizer_names()
    raise AttributeError(f"module 'symopt.cli_common' has no attribute {name!r}")
