"""The `symopt` command line: a thin front end over the public API."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from typing import Callable, Sequence

import sympy as sp

from . import __version__
from .cli_common import number

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but bad usage prints one line (and exits 2) instead of the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"symopt: {message} (see `{self.prog} --help`)\n")


def _short(expr: sp.Expr, width: int = 28) -> str:
    text = str(expr)
    if len(text) <= width:
        return text
    try:
        return f"{float(sp.N(expr, 20)):.6g}"
    except (TypeError, ValueError):
        return text[: width - 3] + "..."


def _vector(values: Sequence[sp.Expr], width: int = 28) -> str:
    exact = "(" + ", ".join(str(v) for v in values) + ")"
    if len(exact) <= width:
        return exact
    return "(" + ", ".join(f"{float(sp.N(v, 20)):.6g}" for v in values) + ")"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def format_analysis(cs) -> str:
    """The human-readable report of ``symopt analyze``."""
    loss = cs.loss
    names = ", ".join(p.name for p in loss.params)
    out = [f"loss      L({names}) = {loss.expr}"]
    out.append("gradient  [" + ", ".join(str(sp.factor(g)) for g in loss.gradient) + "]")
    out.append("Hessian   " + str(loss.hessian.tolist()))
    out.append("")
    if cs.points:
        rows = []
        for i, p in enumerate(cs.points, 1):
            escape = "; ".join(_vector(d, 30) for d in p.escape_directions) or "-"
            if not p.escape_directions and p.kind.value == "saddle":
                escape = "none (no negative eigenvalue)"
                if p.descent_curve is not None:
                    escape += f"; descent curve {_vector(p.descent_curve, 40)}"
            kind = p.kind.value + (" (degenerate)" if p.degenerate else "")
            rows.append([str(i), _vector(p.coords), _short(p.value, 14),
                         ", ".join(_short(v, 14) for v in p.eigenvalues), kind, escape])
        out.append(f"critical points ({len(cs.points)}):")
        out.append(_table(rows, ["#", f"point ({names})", "loss", "eigenvalues", "kind",
                                 "escape direction"]))
    else:
        out.append("no isolated critical points")
    if cs.families:
        out.append("")
        out.append(f"families of critical points ({len(cs.families)}):")
        for fam in cs.families:
            eqs = ", ".join(f"{e} = 0" for e in fam.equations) or "everywhere"
            tag = " (global minima)" if fam.global_minimum else ""
            out.append(f"  {eqs}: dimension {fam.dimension}, {fam.kind.value}{tag}")
            out.append(f"      {fam.reason}")
    out.append("")
    verdict = "complete (proven)" if cs.complete else f"not proven complete ({cs.status})"
    out.append(f"{verdict}; method: {cs.method}; {cs.elapsed:.2f} s")
    for note in cs.notes:
        out.append(f"note: {note}")
    return "\n".join(out)


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .critical import critical_points
    from .loss import Loss
    from .parse import parse_names

    params = parse_names(args.params) if args.params else None
    loss = Loss.parse(args.expr, params=params)
    cs = critical_points(loss, timeout=args.timeout)
    if args.json:
        print(json.dumps(cs.to_dict(), indent=2))
    else:
        print(format_analysis(cs))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symopt", description="Exact analysis of optimization landscapes.")
    parser.add_argument("--version", action="version", version=f"symopt {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    analyze = sub.add_parser("analyze", help="gradient, Hessian, every critical point and its kind",
                             description="Exact gradient, Hessian, every critical point and what "
                                         "kind it is, with escape directions at saddles.")
    analyze.add_argument("expr", help='the loss, e.g. "(1 - w1*w2)**2"')
    analyze.add_argument("--params", help="parameters in order, e.g. w1,w2 (default: all names)")
    analyze.add_argument("--timeout", type=number(float, "number of seconds", positive=True), default=30.0,
                         help="seconds for the whole analysis (default 30)")
    analyze.add_argument("--json", action="store_true", help="print the facts as JSON")
    analyze.set_defaults(handler=_cmd_analyze)
    for module_name in _COMMAND_MODULES:
        module = importlib.import_module(module_name)
        module.add_commands(sub, _Parser)
    return parser


#: Modules that add further subcommands: each defines ``add_commands(subparsers, parser_class)``
#: and sets ``handler`` (a function of the parsed arguments returning an exit code).
_COMMAND_MODULES: tuple[str, ...] = tuple(
    name for name in ("symopt.cli_escape", "symopt.cli_derive", "symopt.cli_plot",
                      "symopt.cli_diagnose")
    if importlib.util.find_spec(name) is not None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return handler(args)
    except (ValueError, TypeError) as exc:  # bad input: one line, no traceback
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"symopt: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("symopt: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
