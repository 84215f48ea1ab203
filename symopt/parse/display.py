"""The loss as its writer wrote it: the text's own form and term order, for display only.

SymPy sorts the terms of a sum when it builds one, so ``(1 - w1*w2)**2`` would print as
``(-w1*w2 + 1)**2``.  :func:`as_written` walks the same syntax tree as the parser (text the
parser accepts only) and builds an *unevaluated* SymPy expression: each run of terms
(``a - b + c``) becomes one sum and each run of factors (``a*b/c``) one product, in the order
they were written, and nothing is multiplied out or collected.  Printed with ``order="none"``
it reads as the text did, in any of SymPy's printers (LaTeX, plain text).  It is never used
for computing; :attr:`symopt.Loss.expr` is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from .limits import _literal
from .source import _Source
from .syntax import _parse_tree
from .vocabulary import _CONSTANTS, _FUNCTIONS

__all__ = ["Written", "as_written", "evaluated"]


@dataclass(frozen=True)
class Written:
    """An expression in its writer's form and term order (unevaluated), and the text it came from.

    ``str`` writes it back in that order, as Python-style text.
    """

    expr: sympy.Expr
    text: str

    def __str__(self) -> str:
        return _WrittenPrinter({"order": "none"}).doprint(self.expr)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # SymPy rebuilds an unpickled sum or product evaluated (its terms sorted); the text
        # rebuilds the written form itself
        return as_written, (self.text,)


class _WrittenPrinter(StrPrinter):
    """SymPy's str printer, in the order written; a leading sign reads ``-a*b``, not
    SymPy's ``-1*a*b`` for an unevaluated product."""

    def _print_Mul(self, expr: Any) -> str:
        if expr.args[0] is sympy.S.NegativeOne and len(expr.args) > 1:
            rest = expr.args[1:]
            if len(rest) == 1 and _led_by_negative_number(rest[0]):  # x - (-3)*y
                lead, *others = rest[0].args
                return "-(" + str(lead) + ")*" + self._print(
                    sympy.Mul(*others, evaluate=False))
            if len(rest) == 1:
                return "-" + self.parenthesize(rest[0], PRECEDENCE["Mul"])
            return "-" + self._print(sympy.Mul(*rest, evaluate=False))
        return super()._print_Mul(expr)

    def _print_Function(self, expr: Any) -> str:
        if expr.func.__name__ == "log_base":
            return "log(" + ", ".join(self._print(a) for a in expr.args) + ")"
        return super()._print_Function(expr)


def as_written(text: str, max_length: int = 5000, max_depth: int = 60) -> Written:
    """``text`` (already accepted by :func:`~symopt.parse.parse_expression`) as written.

    Examples
    --------
    >>> str(as_written("(1 - w1*w2)^2"))
    '(1 - w1*w2)**2'
    >>> str(as_written("100*(y - x**2)**2 + (1 - x)**2"))
    '100*(y - x**2)**2 + (1 - x)**2'
    """
    node, src = _parse_tree(text, max_length, max_depth)
    with sympy.evaluate(False):
        return Written(_Walk(src).walk(node), text)


class _Walk:
    """The walk over the syntax tree; ``src`` gives each number's digits as written."""

    def __init__(self, src: _Source) -> None:
        self.src = src

    def walk(self, node: ast.AST) -> Any:
        return _walk(node, self)

    def number(self, node: ast.Constant) -> sympy.Expr:
        decimal = _literal(self.src.code_text(node))
        if decimal is None:
            raise ValueError(f"{node.value!r} is not a decimal number")
        return sympy.Rational(str(decimal)) if decimal != int(decimal) else sympy.Integer(
            int(decimal))


def _walk(node: ast.AST, walker: _Walk) -> Any:
    if isinstance(node, ast.Constant):
        return walker.number(node)
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        return sympy.Symbol(node.id, real=True)
    if isinstance(node, ast.UnaryOp):
        operand = _walk(node.operand, walker)
        if isinstance(node.op, ast.USub):
            return _negative(operand)
        return operand
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, (ast.Add, ast.Sub)):
            return sympy.Add(*_run(node, (ast.Add, ast.Sub), walker), evaluate=False)
        if isinstance(node.op, (ast.Mult, ast.Div)):
            factors = _run(node, (ast.Mult, ast.Div), walker)
            if isinstance(factors[0], sympy.Mul):  # -a*b/2: one product, led by its sign
                factors[:1] = factors[0].args
            return sympy.Mul(*factors, evaluate=False)
        return sympy.Pow(_walk(node.left, walker), _walk(node.right, walker), evaluate=False)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _call(node.func.id, [_walk(arg, walker) for arg in node.args])
    raise ValueError(f"{ast.dump(node)[:40]} is not an accepted expression")


#: Functions SymPy knows by these names, applied unevaluated.
_SYMPY_FUNCTIONS = {"exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sin": sympy.sin,
                    "cos": sympy.cos, "tan": sympy.tan, "tanh": sympy.tanh, "sinh": sympy.sinh,
                    "cosh": sympy.cosh, "atan": sympy.atan, "abs": sympy.Abs}


def _call(name: str, args: list[Any]) -> Any:
    """A call as written: ``sqrt(x)`` as a root, and the functions SymPy has no notation for
    (``sigmoid``, ``softplus``, ``relu``, a logarithm to a base ``log(x, 2)``, kept as
    ``log_base(x, 2)``) by a name of their own, which the printers write as the lecture does."""
    if name == "sqrt":
        return sympy.Pow(args[0], sympy.S.Half, evaluate=False)
    if name in ("log", "ln") and len(args) == 2:  # log(x, 2): a logarithm to base 2
        return sympy.Function("log_base")(*args)
    if name in _SYMPY_FUNCTIONS:
        return _SYMPY_FUNCTIONS[name](*args, evaluate=False)
    return sympy.Function(name)(*args)


def evaluated(written: Written) -> sympy.Expr:
    """The value of a written form, built as the parser builds it (to check the two agree).

    Examples
    --------
    >>> evaluated(as_written("sigmoid(x) - relu(x)"))
    -Max(0, x) + 1/(1 + exp(-x))
    """
    from sympy.core.function import AppliedUndef

    def value(e: Any) -> Any:
        if e.func.__name__ == "log_base":
            return sympy.log(*e.args)
        return _FUNCTIONS[e.func.__name__][2](*e.args)

    expr = written.expr.replace(lambda e: isinstance(e, AppliedUndef), value)
    return expr.doit(deep=True)


def _negative(operand: Any) -> Any:
    """``-operand``, unevaluated: a number is negated, a product takes the sign on its
    leading number (or a factor -1 in front)."""
    if isinstance(operand, sympy.Number):
        return -operand
    factors = list(sympy.Mul.make_args(operand) if isinstance(operand, sympy.Mul) else (operand,))
    if _led_by_negative_number(operand):  # x - (-3)*y keeps both signs
        return sympy.Mul(sympy.S.NegativeOne, operand, evaluate=False)
    if isinstance(factors[0], sympy.Number):
        return sympy.Mul(-factors[0], *factors[1:], evaluate=False)
    return sympy.Mul(sympy.S.NegativeOne, *factors, evaluate=False)


def _led_by_negative_number(expr: Any) -> bool:
    return (isinstance(expr, sympy.Mul) and len(expr.args) > 1 and expr.args[0].is_Number
            and expr.args[0].is_negative)


def _run(node: ast.BinOp, ops: tuple[type, ...], walker: _Walk) -> list[Any]:
    """The operands of a run ``a - b + c`` (or ``a*b/c``) in order: ``-b``, ``1/c`` as written."""
    steps: list[ast.BinOp] = []
    current: ast.AST = node
    while isinstance(current, ast.BinOp) and isinstance(current.op, ops):
        steps.append(current)
        current = current.left
    operands = [_walk(current, walker)]
    for step in reversed(steps):
        right = _walk(step.right, walker)
        if isinstance(step.op, ast.Sub):
            right = _negative(right)
        elif isinstance(step.op, ast.Div):
            right = sympy.Pow(right, sympy.S.NegativeOne, evaluate=False)
        operands.append(right)
    return operands
