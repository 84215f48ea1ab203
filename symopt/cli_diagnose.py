"""Deprecated: moved to :mod:`symopt.cli.diagnose`; this module stays for one release."""

from __future__ import annotations

import warnings

from .cli.diagnose import *  # noqa: F401,F403
from .cli.diagnose import __all__  # noqa: F401

warnings.warn("symopt.cli_diagnose is deprecated; use symopt.cli.diagnose", DeprecationWarning,
              stacklevel=2)
