"""Walk the syntax tree against the whitelist and build the SymPy expression directly.

Every node is either built (numbers exactly, names as real symbols, arithmetic, the functions
of :data:`~symopt.parse.FUNCTIONS`) or refused with a message that points at it.  Building
runs under a time limit, and SymPy's own failures become messages too.
"""

from __future__ import annotations

import ast
import difflib
import operator
from decimal import Decimal
from typing import Callable, NoReturn, Sequence, Union

import sympy

from ..budget import bounded_call
from ..errors import BudgetExceeded, ParseError
from .limits import (
    MAX_LITERAL_DIGITS,
    MAX_LITERAL_EXPONENT,
    Limits,
    _exp_problem,
    _literal,
    _power_problem,
)
from .messages import _PLAIN_MATH, UNKNOWN_FUNCTION_ADVICE, VARIABLE_LIKE, _show
from .size import Size, measure, mul_sizes
from .source import _Source, _Span
from .vocabulary import (
    _BAD_VALUES,
    _CONSTANTS,
    _FUNCTIONS,
    _REFUSED_NODES,
    _REFUSED_OPERATORS,
    FUNCTIONS,
)

# Sums and products with more operands than this are built in one step rather than left
# to right as Python would (which takes quadratic time).
_SEQUENTIAL_OPERANDS = 64

_NodeOrSpan = Union[ast.AST, _Span]


class _Builder:
    """Walks a syntax tree against the whitelist and builds the SymPy expression."""

    def __init__(self, src: _Source, limits: Limits) -> None:
        self.src = src
        self.limits = limits
        self.max_depth = limits.max_depth
        self.max_exponent = limits.max_exponent
        self.sizes: dict[sympy.Basic, Size] = {}

    # -- messages

    def fail(self, where: _NodeOrSpan, message: str) -> NoReturn:
        """Raise ParseError at ``where``; ``{piece}`` in ``message`` is the quoted source there."""
        start, end = where if isinstance(where, tuple) else self.src.node_span(where)
        piece = self.src.text[start:end]
        raise ParseError(message.replace("{piece}", _show(piece)), column=start + 1, piece=piece)

    def piece(self, node: ast.AST) -> str:
        start, end = self.src.node_span(node)
        return self.src.text[start:end]

    def refuse(self, node: ast.AST) -> NoReturn:
        """Raise the ParseError for a kind of syntax that is not whitelisted."""
        if isinstance(node, ast.Constant):
            self.constant(node)  # raises for everything but numbers
        for kind, (what, hint) in _REFUSED_NODES.items():
            if isinstance(node, kind):
                self.fail(node, f"{what} {{piece}} is not allowed; {hint}")
        self.fail(node, f"{{piece}} is not allowed; {_PLAIN_MATH}")

    # -- the walk

    def build(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > self.max_depth:
            self.fail(
                node,
                f"{{piece}} is nested more than max_depth={self.max_depth} levels deep; "
                "simplify the expression or raise max_depth",
            )
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        self.refuse(node)

    def constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool):
            self.fail(node, "boolean {piece} is not allowed; write 1 or 0")
        if value is None:
            self.fail(node, "None is not allowed; write a number")
        if value is Ellipsis:
            self.fail(node, "{piece} is not allowed; write a number")
        if isinstance(value, (str, bytes)):
            self.fail(node, "string {piece} is not allowed; write numbers and names without quotes")
        if isinstance(value, complex):
            self.fail(node, "complex number {piece} is not allowed; losses are real-valued")
        if not isinstance(value, (int, float)):
            self.fail(node, f"{{piece}} is not allowed; {_PLAIN_MATH}")
        digits = self.src.code_text(node)
        decimal = _literal(digits)
        if decimal is None:
            self.fail(node, "number {piece} is not allowed; write decimal digits such as 16 or 0.5")
        assert isinstance(decimal, Decimal)
        if decimal.is_zero():
            return sympy.Integer(0)
        _, digit_tuple, exponent = decimal.as_tuple()
        assert isinstance(exponent, int)
        significant = len(digit_tuple)
        if significant > MAX_LITERAL_DIGITS or abs(decimal.adjusted()) > MAX_LITERAL_EXPONENT:
            self.fail(
                node,
                f"number {{piece}} is too large or too precise; numbers may have at most "
                f"{MAX_LITERAL_DIGITS} digits and a decimal exponent between "
                f"-{MAX_LITERAL_EXPONENT} "
                f"and {MAX_LITERAL_EXPONENT}",
            )
        mantissa = int("".join(map(str, digit_tuple)))
        if exponent >= 0:
            return sympy.Integer(mantissa * 10**exponent)
        return sympy.Rational(mantissa, 10**-exponent)

    def name(self, node: ast.Name) -> sympy.Expr:
        name = node.id
        # Python has read the name in NFKC normal form, as it reads identifiers in code:
        # "ｘ", "𝑥" and "x" are the same variable, "ℯ" is "e" and "𝑒𝑥𝑝" is exp.
        if name.startswith("_"):
            self.fail(
                node,
                "name {piece} is not allowed: names starting with an underscore are reserved; "
                "use letters and digits such as w1 or w_1",
            )
        if name in _FUNCTIONS:
            self.fail(node, f"{{piece}} is a function; write {name}(x)")
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        return sympy.Symbol(name, real=True)

    def unary(self, node: ast.UnaryOp, depth: int) -> sympy.Expr:
        if isinstance(node.op, ast.USub):
            return self.make(node, operator.neg, self.build(node.operand, depth + 1))
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand, depth + 1)
        if isinstance(node.op, ast.Not):
            self.fail(node, "boolean operator {piece} is not allowed; a loss is one expression")
        self.fail(node, "bitwise operator '~' in {piece} is not allowed; write - for negation")

    def operator_span(self, node: ast.BinOp, symbol: str) -> _Span:
        """Span in ``text`` of the operator ``symbol`` between the operands of ``node``."""
        left_end = self.src.node_span(node.left)[1]
        right_start = self.src.node_span(node.right)[0]
        found = self.src.text.find(symbol, left_end, right_start)
        if found < 0:
            return self.src.node_span(node)
        return found, found + len(symbol)

    def binary(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        op = node.op
        if isinstance(op, (ast.Add, ast.Sub)):
            return self.sum(node, depth)
        if isinstance(op, (ast.Mult, ast.Div)):
            return self.product(node, depth)
        if isinstance(op, ast.Pow):
            return self.power(node, depth)
        what, symbol, hint = _REFUSED_OPERATORS.get(type(op), ("operator", "?", _PLAIN_MATH))
        start, end = self.operator_span(node, symbol)
        whole = _show(self.piece(node))
        raise ParseError(
            f"{what} {_show(symbol)} in {whole} is not allowed; {hint}",
            column=start + 1,
            piece=self.src.text[start:end],
        )

    def chain(self, node: ast.BinOp, ops: tuple[type, ...]) -> tuple[ast.AST, list[ast.BinOp]]:
        """Unroll a left-nested run such as ``a - b + c``: first operand and the steps after it.

        Long sums and products count as one level of nesting, not one per term.
        """
        steps: list[ast.BinOp] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ops):
            steps.append(current)
            current = current.left
        steps.reverse()
        return current, steps

    def sum(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        return self.run(node, depth, (ast.Add, ast.Sub), sympy.Add, self.term)

    def product(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        return self.run(node, depth, (ast.Mult, ast.Div), sympy.Mul, self.factor)

    def run(
        self,
        node: ast.BinOp,
        depth: int,
        ops: tuple[type, ...],
        combine: Callable[..., sympy.Expr],
        join: Callable[[ast.BinOp, sympy.Expr | None, sympy.Expr], sympy.Expr],
    ) -> sympy.Expr:
        """A run of terms such as ``a - b + c``, or of factors such as ``a * b / c``.

        A short run is built left to right, exactly as Python evaluates it on SymPy objects:
        ``join(step, result, operand)``.  A long one is one ``combine`` (Add or Mul) of all
        its operands, each as ``join(step, None, operand)`` gives it: linear rather than
        quadratic time, same value (a number times a sum may stay undistributed where left
        to right would expand it).
        """
        first, steps = self.chain(node, ops)
        result = self.build(first, depth + 1)
        if len(steps) < _SEQUENTIAL_OPERANDS:
            for step in steps:
                result = join(step, result, self.build(step.right, depth + 1))
            return result
        operands = [result]
        for step in steps:
            operands.append(join(step, None, self.build(step.right, depth + 1)))
        return self.make(node, combine, *operands)

    def term(self, step: ast.BinOp, left: sympy.Expr | None, term: sympy.Expr) -> sympy.Expr:
        """``left + term`` or ``left - term``; without ``left``, the term of an Add (``-term``)."""
        subtract = isinstance(step.op, ast.Sub)
        if left is None:
            return self.make(step, operator.neg, term) if subtract else term
        return self.make(step, operator.sub if subtract else operator.add, left, term)

    def factor(self, step: ast.BinOp, left: sympy.Expr | None, factor: sympy.Expr) -> sympy.Expr:
        """``left * factor`` or ``left / factor``; without ``left``, the factor of a Mul."""
        divide = isinstance(step.op, ast.Div)
        if divide:
            inverse = self.make(step, sympy.Pow, factor, sympy.S.NegativeOne)
            if factor is sympy.S.Zero or inverse.has(*_BAD_VALUES):
                self.fail(
                    step.right, "division by zero: {piece} is 0; divide by a nonzero expression"
                )
        if left is None:
            return inverse if divide else factor
        return self.make(step, operator.truediv if divide else operator.mul, left, factor)

    def power(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        base = self.build(node.left, depth + 1)
        exponent = self.build(node.right, depth + 1)
        if base is sympy.E:
            self.check_exp(node, exponent)
        else:
            self.check_power(node, base, exponent)
        return self.checked(node, self.make(node, operator.pow, base, exponent))

    def check_power(self, node: ast.AST, base: sympy.Expr, exponent: sympy.Expr) -> None:
        """Refuse ``base**exponent`` before SymPy builds it if it would be a monster."""
        problem = _power_problem(base, exponent, self.max_exponent, self.limits.max_number_bits)
        if problem is not None:
            self.fail(node, problem)

    def check_exp(self, node: ast.AST, argument: sympy.Expr) -> None:
        """``exp(k*log(a))`` becomes ``a**k``: refuse it when that power would be a monster."""
        problem = _exp_problem(argument, self.max_exponent, self.limits.max_number_bits)
        if problem is not None:
            self.fail(node, problem)

    def make(self, node: ast.AST, fn: Callable[..., sympy.Expr], *args: sympy.Expr) -> sympy.Expr:
        """``fn(*args)``, with SymPy's own failures (e.g. "not comparable") reported at ``node``.

        The value is measured (:mod:`~symopt.parse.size`) and refused if it is too large;
        a product's numbers are checked before SymPy multiplies them.
        """
        try:
            if fn in (operator.mul, operator.truediv, sympy.Mul):
                self.check_size(node, mul_sizes([measure(a, self.sizes) for a in args]))
            value = fn(*args)
            self.check_size(node, measure(value, self.sizes))
            return value
        except ParseError:
            raise
        except (
            ValueError,
            TypeError,
            ArithmeticError,
            NotImplementedError,
            AttributeError,
            LookupError,
        ) as err:
            self.fail(node, f"SymPy cannot evaluate {{piece}} ({type(err).__name__}); simplify it")

    def check_size(self, node: ast.AST, size: Size) -> None:
        """Refuse a value whose expansion would pass one of the limits."""
        limits = self.limits
        for what, value, limit in (
            ("degree", size.degree, limits.max_degree),
            ("terms", size.terms, limits.max_terms),
            ("number_bits", size.bits, limits.max_number_bits),
        ):
            if value > limit:
                shown = f"{value:,}" if value < 10**15 else "astronomically many"
                amount = {"degree": f"a degree of {shown}", "terms": f"{shown} terms",
                          "number_bits": f"numbers of {shown} bits"}[what]
                self.fail(node, f"{{piece}} multiplied out would have {amount}, more than "
                                f"max_{what}={limit:,}; simplify it or raise the limit "
                                f"(limits={{'max_{what}': ...}})")

    def checked(self, node: ast.AST, value: sympy.Expr) -> sympy.Expr:
        """``value`` unless it is undefined, infinite or not real."""
        if value.has(*_BAD_VALUES):
            self.fail(
                node, "{piece} is undefined or infinite (division by zero or a pole); change it"
            )
        if value.has(sympy.I):
            self.fail(node, "{piece} is not a real number; losses are real-valued")
        return value

    def implicit_product(self, node: ast.Call) -> NoReturn:
        """Refuse ``2(x)`` or ``(a)(b)``, which Python reads as calls, suggesting ``2*(x)``."""
        text = self.src.text
        start, end = self.src.node_span(node)
        split = self.src.node_span(node.func)[1]
        while split < end and text[split] in ") ":
            split += 1  # past the brackets around the callee, up to the call's "("
        callee, args = text[start:split].rstrip(), text[split:end]
        self.fail(
            node, f"implicit multiplication {{piece}} is not supported; write {callee}*{args}"
        )

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            numeric = isinstance(func, ast.Constant) and type(func.value) in (int, float)
            if numeric or isinstance(func, (ast.BinOp, ast.UnaryOp, ast.Call)):
                self.implicit_product(node)
            self.refuse(func)
        name = func.id
        if name.startswith("_"):
            self.name(func)  # raises: reserved name
        if name in _CONSTANTS:
            self.implicit_product(node)
        if name not in _FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            advice = UNKNOWN_FUNCTION_ADVICE.get(name.lower())
            suggestion = f"{advice}; " if advice else f"did you mean {close[0]}? " if close else ""
            if not suggestion and VARIABLE_LIKE.fullmatch(name) and not node.keywords:
                args = self.piece(node)[len(name) :].strip()
                suggestion = f"for multiplication write {name}*{args}; "
            self.fail(
                node,
                f"unknown function {_show(name)} in {{piece}}; {suggestion}the functions "
                f"are: {known}",
            )
        fewest, most, builder, example = _FUNCTIONS[name]
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(
                    kw,
                    "unpacked arguments {piece} are not allowed; pass arguments one by one, e.g. "
                    "log(x, 2)",
                )
            self.fail(
                kw,
                "keyword argument {piece} is not allowed; pass arguments by position, e.g. "
                f"{example}",
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.refuse(arg)
        count = len(node.args)
        if not fewest <= count <= most:
            wanted = f"{fewest}" if fewest == most else f"{fewest} or {most}"
            plural = "" if wanted == "1" else "s"
            self.fail(
                node,
                f"{name} takes {wanted} argument{plural}, got {count} in {{piece}}; write "
                f"{example}",
            )
        args = [self.build(arg, depth + 1) for arg in node.args]
        if name in ("log", "ln") and len(args) == 2:
            base = args[1]
            if base.is_Rational and (base <= 0 or base == 1):
                self.fail(
                    node.args[1],
                    "the base {piece} of a logarithm must be positive and not 1; write e.g. "
                    "log(x, 2)",
                )
        if name == "exp":
            self.check_exp(node, args[0])
        elif name == "sigmoid":
            self.check_exp(node, -args[0])
        elif name == "softplus":
            self.check_exp(node, args[0])
        elif name == "sqrt":
            self.check_power(node, args[0], sympy.Rational(1, 2))
        return self.checked(node, self.make(node, builder, *args))


def _build(
    nodes: Sequence[ast.AST], builder: _Builder, src: _Source, timeout: float | None
) -> list[sympy.Expr]:
    """Build ``nodes`` within ``timeout`` seconds, turning every failure into a ParseError."""

    def work() -> list[sympy.Expr]:
        return [builder.build(node, 1) for node in nodes]

    try:
        if timeout is None:
            return work()
        return bounded_call(work, timeout, "building the expression")
    except BudgetExceeded:
        raise ParseError(
            f"building {_show(src.text.strip())} took more than {timeout:g} s; simplify the "
            "expression "
            "(deeply nested abs, relu or exact constants are costly)",
            column=1,
            piece=src.text,
        ) from None
    except (RecursionError, MemoryError):
        raise ParseError(
            f"{_show(src.text.strip())} is too deeply nested or too large to build; simplify it",
            column=1,
            piece=src.text,
        ) from None
