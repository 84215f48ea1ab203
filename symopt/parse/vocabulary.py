"""What an expression may say: its functions and constants, and the syntax it may not use.

Each refused kind of syntax and operator comes with what messages call it and what to write
instead.
"""

from __future__ import annotations

import ast
from typing import Callable

import sympy

from .messages import _PLAIN_MATH


def _sigmoid(x: sympy.Expr) -> sympy.Expr:
    return sympy.Integer(1) / (1 + sympy.exp(-x))


def _softplus(x: sympy.Expr) -> sympy.Expr:
    return sympy.log(1 + sympy.exp(x))


def _relu(x: sympy.Expr) -> sympy.Expr:
    return sympy.Max(sympy.Integer(0), x, evaluate=not _has_piecewise(x))


def _abs(x: sympy.Expr) -> sympy.Expr:
    return sympy.Abs(x, evaluate=not _has_piecewise(x))


def _has_piecewise(x: sympy.Expr) -> bool:
    # Evaluating Max/Abs of an argument that already holds Max/Abs asks SymPy's
    # assumption system questions whose cost grows exponentially with the nesting;
    # such calls are kept unevaluated (same value, same derivatives).
    return x.has(sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign, sympy.Piecewise)


# name -> (fewest arguments, most arguments, builder, example of a correct call)
_FUNCTIONS: dict[str, tuple[int, int, Callable[..., sympy.Expr], str]] = {
    "exp": (1, 1, sympy.exp, "exp(x)"),
    "log": (1, 2, sympy.log, "log(x) or log(x, 2)"),
    "ln": (1, 2, sympy.log, "ln(x) or ln(x, 2)"),
    "sqrt": (1, 1, sympy.sqrt, "sqrt(x)"),
    "abs": (1, 1, _abs, "abs(x)"),
    "sin": (1, 1, sympy.sin, "sin(x)"),
    "cos": (1, 1, sympy.cos, "cos(x)"),
    "tan": (1, 1, sympy.tan, "tan(x)"),
    "tanh": (1, 1, sympy.tanh, "tanh(x)"),
    "sinh": (1, 1, sympy.sinh, "sinh(x)"),
    "cosh": (1, 1, sympy.cosh, "cosh(x)"),
    "atan": (1, 1, sympy.atan, "atan(x)"),
    "sigmoid": (1, 1, _sigmoid, "sigmoid(x)"),
    "softplus": (1, 1, _softplus, "softplus(x)"),
    "relu": (1, 1, _relu, "relu(x)"),
}

#: Names of the functions an expression may call.
FUNCTIONS: tuple[str, ...] = tuple(sorted(_FUNCTIONS))

_CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "E": sympy.E}

#: Names that stand for constants rather than variables.
CONSTANTS: tuple[str, ...] = tuple(sorted(_CONSTANTS))

# Values that make an expression undefined, infinite or not real.
_BAD_VALUES = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)

# What each refused kind of syntax is called in messages, and what to write instead.
_REFUSED_NODES: dict[type, tuple[str, str]] = {
    ast.Attribute: ("attribute access", _PLAIN_MATH),
    ast.Subscript: ("indexing", "name each variable instead, e.g. w1, w2"),
    ast.Slice: ("slice", "name each variable instead, e.g. w1, w2"),
    ast.Lambda: ("lambda", _PLAIN_MATH),
    ast.ListComp: ("comprehension", "write the terms out, e.g. w1**2 + w2**2"),
    ast.SetComp: ("comprehension", "write the terms out, e.g. w1**2 + w2**2"),
    ast.DictComp: ("comprehension", "write the terms out, e.g. w1**2 + w2**2"),
    ast.GeneratorExp: ("comprehension", "write the terms out, e.g. w1**2 + w2**2"),
    ast.JoinedStr: ("string", "write numbers and names without quotes"),
    ast.FormattedValue: ("string", "write numbers and names without quotes"),
    ast.Compare: (
        "comparison",
        "a loss is one expression; write e.g. (x - 1)**2 instead of x == 1",
    ),
    ast.BoolOp: ("boolean operator", "a loss is one expression; use + to add terms"),
    ast.IfExp: ("conditional expression", "write piecewise terms with relu(x) or abs(x)"),
    ast.NamedExpr: ("assignment", _PLAIN_MATH),
    ast.Tuple: ("tuple", "a loss is one expression; use + to add terms"),
    ast.List: ("list", "a loss is one expression; use + to add terms"),
    ast.Set: ("set", "a loss is one expression; use + to add terms"),
    ast.Dict: ("dictionary", "a loss is one expression; use + to add terms"),
    ast.Starred: ("starred argument", "pass arguments one by one, e.g. log(x, 2)"),
    ast.Await: ("await", _PLAIN_MATH),
    ast.Yield: ("yield", _PLAIN_MATH),
    ast.YieldFrom: ("yield", _PLAIN_MATH),
}

# Refused binary operators: what messages call them, their symbol, what to write instead.
_REFUSED_OPERATORS: dict[type, tuple[str, str, str]] = {
    ast.FloorDiv: ("floor division", "//", "write / for division"),
    ast.Mod: ("remainder", "%", "write / for division"),
    ast.MatMult: ("matrix product", "@", "write * for multiplication"),
    ast.LShift: ("bit shift", "<<", "write * 2**k to scale by powers of two"),
    ast.RShift: ("bit shift", ">>", "write / 2**k to scale by powers of two"),
    ast.BitOr: ("bitwise operator", "|", "write + - * / and ** (or ^) for powers"),
    ast.BitAnd: ("bitwise operator", "&", "write + - * / and ** (or ^) for powers"),
    ast.BitXor: ("operator", "^", "write ** for powers"),
}
