"""Deprecated: moved to :mod:`symopt.cli.plot`; this module stays for one release."""

from __future__ import annotations

import warnings

from .cli.plot import *  # noqa: F401,F403
from .cli.plot import __all__  # noqa: F401

warnings.warn("symopt.cli_plot is deprecated; use symopt.cli.plot", DeprecationWarning,
              stacklevel=2)
