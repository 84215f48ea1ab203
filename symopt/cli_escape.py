"""Deprecated: moved to :mod:`symopt.cli.escape`; this module stays for one release."""

from __future__ import annotations

import warnings

from .cli.escape import *  # noqa: F401,F403
from .cli.escape import __all__  # noqa: F401

warnings.warn("symopt.cli_escape is deprecated; use symopt.cli.escape", DeprecationWarning,
              stacklevel=2)
