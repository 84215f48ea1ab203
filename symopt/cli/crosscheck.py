"""``symopt crosscheck``: an installed optimizer run against the variant catalogue, with a verdict."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
from typing import Any

from .common import EXIT_OK

__all__ = ["register", "load_optimizer", "EXIT_MISMATCH"]

#: Exit code when the optimizer matches no variant (or not the one asked for).
EXIT_MISMATCH = 1

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
                   r"(:[A-Za-z_][A-Za-z0-9_]*)?$")


def register(subparsers: Any) -> None:
    """Add ``symopt crosscheck``."""
    cmd = subparsers.add_parser(
        "crosscheck", help="check an optimizer against the exact update rules",
        description="Run an installed optimizer (torch.optim.RMSprop, a module:function step "
                    "function, or optax:adam) on exact losses beside every known variant of "
                    "its family and print the ranked table and the verdict. Exit 0 when it "
                    "matches, 1 when it does not.")
    cmd.add_argument("optimizer", help="module.Class or module:function of an installed "
                                       "package, e.g. torch.optim.RMSprop")
    cmd.add_argument("--lr", type=float, required=True, help="learning rate")
    cmd.add_argument("--against", default=None,
                     help="a family (adam) or variant (adam:torch); default: every variant")
    for flag, help_text in (("--momentum", "momentum"), ("--alpha", "RMSprop's decay"),
                            ("--eps", "eps"), ("--weight-decay", "weight decay"),
                            ("--b1", "Adam's beta1"), ("--b2", "Adam's beta2")):
        cmd.add_argument(flag, type=float, default=None, help=help_text)
    cmd.add_argument("--steps", type=int, default=100, help="steps per loss (default 100)")
    cmd.set_defaults(handler=run)


def load_optimizer(name: str) -> Any:
    """Import ``module.Class`` or ``module:function`` from an installed package.

    Only dotted identifiers are accepted; nothing is evaluated.
    """
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a module.Class or module:function name; write e.g. "
                         "torch.optim.RMSprop or mypackage.steps:my_adam")
    module_name, _, attribute = name.rpartition(":") if ":" in name else name.rpartition(".")
    if not module_name or attribute.startswith("_"):
        raise ValueError(f"{name!r} names no public attribute of a module; write e.g. "
                         "torch.optim.RMSprop")
    top = module_name.split(".")[0]
    if importlib.util.find_spec(top) is None:
        raise ValueError(f"package {top!r} is not installed; install it, or check the spelling "
                         f"of {name!r}")
    module = importlib.import_module(module_name)
    if not hasattr(module, attribute):
        raise ValueError(f"{module_name} has no attribute {attribute!r}")
    return getattr(module, attribute)


def run(args: argparse.Namespace) -> int:
    """Cross-check the named optimizer and print the table and verdict."""
    from ..crosschecking import crosscheck

    target = load_optimizer(args.optimizer)
    settings = {"lr": args.lr, "momentum": args.momentum, "alpha": args.alpha, "eps": args.eps,
                "weight_decay": args.weight_decay, "b1": args.b1, "b2": args.b2}
    settings = {k: v for k, v in settings.items() if v is not None}
    top = args.optimizer.split(".")[0].split(":")[0]
    if isinstance(target, type):                                   # torch.optim.X
        kwargs = {k: v for k, v in settings.items() if k not in ("b1", "b2")}
        if "alpha" in kwargs and not args.optimizer.endswith("RMSprop"):
            kwargs.pop("alpha")
        if args.b1 is not None or args.b2 is not None:
            kwargs["betas"] = (args.b1 or 0.9, args.b2 or 0.999)
        candidate: Any = (target, kwargs)
        report = crosscheck(candidate, args.against, steps=args.steps)
    else:
        candidate = target(args.lr) if top == "optax" else target
        report = crosscheck(candidate, args.against, steps=args.steps, hyperparams=settings)
    print(report.table())
    return EXIT_OK if report.ok else EXIT_MISMATCH
