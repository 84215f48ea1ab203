"""symopt: exact, symbolic-numeric analysis of optimization landscapes.

Exact gradients, Hessians and every critical point of a loss, each classified
(minimum, maximum, saddle; degenerate cases decided by higher-order terms), and
gradient-descent variants that run on the compiled derivatives.

>>> import symopt as so
>>> loss = so.Loss.parse("(1 - w1*w2)**2")
>>> loss.gradient.T
Matrix([[-2*w2*(-w1*w2 + 1), -2*w1*(-w1*w2 + 1)]])
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names and the module that defines each; imported on first use so that
# `import symopt` stays fast and optional parts load only when asked for.
_EXPORTS: dict[str, str] = {
    "ParseError": "errors",
    "ParseNote": "errors",
    "SymoptError": "errors",
    "BudgetExceeded": "errors",
    "AlgorithmFailure": "errors",
    "Status": "status",
    "Classification": "records",
    "FamilyPiece": "records",
    "MemoryBudgetExceeded": "errors",
    "run_bounded": "budget",
    "parse_expression": "parse",
    "Loss": "loss",
    "Kind": "critical",
    "CriticalPoint": "critical",
    "CriticalFamily": "critical",
    "CriticalSet": "critical",
    "critical_points": "critical",
    "classify_point": "critical",
    "NumericLoss": "numeric",
    "compile": "numeric",
    "check_gradient": "gradcheck",
    "check_finite_differences": "gradcheck",
    "Trajectory": "runner",
    "run": "runner",
    "optim": "optim",
    "EscapeReport": "escaping",
    "escape": "escaping",
    "basins": "attraction",
    "BasinReport": "attraction",
    "check": "handcheck",
    "HandCheck": "handcheck",
    "crosscheck": "crosschecking",
    "ml": "ml",
    "diagnose": "ml",
    "report": "report",
    "derive": "report",
    "plot": "plot",
    "sweep": "sweep",
}

#: Names in _EXPORTS that are modules themselves.
_SUBPACKAGES = frozenset({"optim", "ml", "report", "plot"})

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'symopt' has no attribute {name!r}")
    module = importlib.import_module(f".{module_name}", __name__)
    value = module if name in _SUBPACKAGES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
