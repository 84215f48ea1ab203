"""Deprecated: moved to :mod:`symopt.cli.derive`; this module stays for one release."""

from __future__ import annotations

import warnings

from .cli.derive import *  # noqa: F401,F403
from .cli.derive import __all__  # noqa: F401

warnings.warn("symopt.cli_derive is deprecated; use symopt.cli.derive", DeprecationWarning,
              stacklevel=2)
