"""``symopt analyze``: gradient, Hessian, every critical point and its kind, as text or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import EXIT_BUDGET, EXIT_OK, add_loss_options, seconds
from .loss_input import loss_from_args

__all__ = ["register", "analysis_facts"]


def register(subparsers: Any) -> None:
    """Add ``symopt analyze``."""
    cmd = subparsers.add_parser(
        "analyze", help="gradient, Hessian, every critical point and its kind",
        description="Exact gradient, Hessian, every critical point and what kind it is, with "
                    "escape directions at saddles. A loss over data: --model with --data.")
    add_loss_options(cmd, data=True)
    cmd.add_argument("--timeout", type=seconds, default=30.0,
                     help="seconds for the whole analysis (default 30)")
    cmd.add_argument("--json", action="store_true", help="print the facts as JSON")
    cmd.set_defaults(handler=run)


def timed_out(record: Any) -> bool:
    """Whether the analysis ``record`` stopped because its time budget ran out."""
    status = getattr(record, "status", None)
    return str(getattr(status, "value", status)) == "timeout"


def analysis_facts(cs: Any) -> dict[str, Any]:
    """The JSON facts of a CriticalSet: its own record plus the gradient and Hessian."""
    import sympy as sp

    from ..budget import bounded_call
    from ..summary import PRINT_SECONDS

    facts = cs.to_dict()
    facts["status"] = str(getattr(cs.status, "value", cs.status))
    loss = cs.loss
    facts["gradient"] = bounded_call(lambda: [str(sp.factor(g)) for g in loss.gradient],
                                     PRINT_SECONDS,
                                    "printing the gradient")
    facts["hessian"] = bounded_call(lambda: [[str(e) for e in row] for row in
                                            loss.hessian.tolist()], PRINT_SECONDS,
                                   "printing the Hessian")
    return facts


def run(args: argparse.Namespace) -> int:
    """Analyse the loss; exit 3 (after printing what was found) when the budget ran out."""
    from ..critical import critical_points
    from ..summary import critical_set_text

    loss = loss_from_args(args)
    cs = critical_points(loss, timeout=args.timeout)
    if args.json:
        print(json.dumps(analysis_facts(cs), indent=2))
    else:
        from ..report.notation import plain  # formulas as a lecturer writes them

        print(critical_set_text(cs, plain))
    return EXIT_BUDGET if timed_out(cs) else EXIT_OK
