"""Turn the text of a loss, such as ``(1 - w1*w2)**2``, into a SymPy expression, safely.

The text is never evaluated as Python.  :func:`parse_expression` reads it with
``ast.parse`` (which only builds a syntax tree), walks that tree against a whitelist
of arithmetic, numbers, variable names and a few functions, and builds the SymPy
objects directly.  Everything else is refused with a :class:`~symopt.errors.ParseError`
whose one-line message names the column, the offending piece and what to write
instead.  Limits on length, nesting, number sizes and powers make hostile input fail
fast instead of exhausting time or memory.

Also here: :func:`parse_point` for coordinates such as ``"1/2, -3"``,
:func:`parse_names` for variable lists such as ``"w1, w2"`` and :func:`natural_key`
to sort names so that ``w2`` comes before ``w10``.
"""

from __future__ import annotations

import ast
import difflib
import io
import keyword
import operator
import re
import tokenize
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, NoReturn, Sequence, Union

import sympy

from .budget import run_bounded
from .errors import BudgetExceeded, ParseError

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "parse_expression",
    "parse_point",
    "parse_names",
    "natural_key",
]

#: Largest number of significant digits in a number literal.
MAX_LITERAL_DIGITS = 400
#: Largest decimal exponent of a number literal (``1e400`` is allowed, ``1e401`` is not).
MAX_LITERAL_EXPONENT = 400
#: Largest exact number (in bits, about 6000 decimal digits) a power may produce.
MAX_NUMBER_BITS = 20_000
#: Largest number (in bits, about 420 decimal digits) whose root is taken exactly.
MAX_ROOT_BITS = 1_400
#: Largest denominator of a fractional exponent, as in ``x**(1/1000000)``.
MAX_ROOT_DEGREE = 10**6
# Sums and products with more terms than these are built in one step rather than left
# to right as Python would (which takes quadratic time).
_SEQUENTIAL_TERMS = 64
_SEQUENTIAL_FACTORS = 64

_EXAMPLE = "(1 - w1*w2)**2"
_PLAIN_MATH = f"write plain math such as {_EXAMPLE}"
_PIECE_WIDTH = 40


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

_BAD_VALUES = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)

# Characters people paste from typeset formulas, and what to type instead.
_TYPOGRAPHIC = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u00d7": "*",  # multiplication sign
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u2217": "*",  # asterisk operator
    "\u00f7": "/",  # division sign
    "\u2215": "/",  # division slash
    "\u00b2": "**2",
    "\u00b3": "**3",
    "\u00b9": "**1",
    "\u03c0": "pi",
    "\u221a": "sqrt(...)",
    "\u2018": "no quotes",
    "\u2019": "no quotes",
    "\u201c": "no quotes",
    "\u201d": "no quotes",
}

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

_Span = tuple[int, int]
_NodeOrSpan = Union[ast.AST, _Span]


# --------------------------------------------------------------------------- text


def _show(piece: str) -> str:
    """``piece`` quoted for a one-line message: shortened, control characters escaped."""
    if len(piece) > _PIECE_WIDTH:
        piece = piece[: _PIECE_WIDTH - 3] + "..."
    piece = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in piece)
    quote = '"' if "'" in piece and '"' not in piece else "'"
    return f"{quote}{piece}{quote}"


def _is_blank(ch: str) -> bool:
    return ch in "\t\n\r\f\v" or unicodedata.category(ch) == "Zs"


@dataclass
class _Source:
    """The text as read by ``ast.parse`` plus what is needed to point into the original.

    ``text`` is the input with every blank (newline, tab, no-break space...) turned into
    a plain space, so it is one line and has as many characters as the input.  ``code``
    is what ``ast.parse`` reads: ``text`` without leading blanks and with each ``^``
    operator spelled ``**``; ``origin[i]`` is the index in ``text`` of ``code[i]``.
    """

    text: str
    code: str
    origin: list[int]
    tokens: list[tokenize.TokenInfo]
    byte_to_char: list[int] | None

    def char_index(self, byte_offset: int) -> int:
        """Index in ``code`` of the character at UTF-8 ``byte_offset`` (as ``ast`` counts)."""
        if self.byte_to_char is None:
            return min(max(byte_offset, 0), len(self.code))
        return self.byte_to_char[min(max(byte_offset, 0), len(self.byte_to_char) - 1)]

    def node_span(self, node: ast.AST) -> _Span:
        """Start and end index in ``text`` of the source of ``node``."""
        start = self.char_index(getattr(node, "col_offset", 0) or 0)
        end_offset = getattr(node, "end_col_offset", None)
        end = self.char_index(end_offset) if end_offset is not None else start + 1
        return self.origin[start], self.origin[max(end, start)]

    def code_text(self, node: ast.AST) -> str:
        """Source of ``node`` as ``ast`` read it (``^`` already spelled ``**``)."""
        start = self.char_index(node.col_offset)  # type: ignore[attr-defined]
        end = self.char_index(node.end_col_offset)  # type: ignore[attr-defined]
        return self.code[start:end]


def _prepare(text: str, max_length: int, max_depth: int) -> _Source:
    """Check length and characters, tokenize, spell ``^`` as ``**``; see :class:`_Source`."""
    if not isinstance(text, str):
        raise TypeError(f"expected the expression as a str, got {type(text).__name__}")
    if len(text) > max_length:
        raise ParseError(
            f"the text is {len(text)} characters long, more than max_length={max_length}; "
            "shorten it or raise max_length",
            column=max_length + 1,
            piece=_show(text[max_length : max_length + 20]),
        )
    normalized = "".join(" " if _is_blank(ch) else ch for ch in text)
    if not normalized.strip():
        raise ParseError(f"the expression is empty; write e.g. {_EXAMPLE}", column=1, piece="")
    for index, ch in enumerate(normalized):
        if ch in _TYPOGRAPHIC:
            instead = _TYPOGRAPHIC[ch]
            hint = "leave out the quotes" if instead == "no quotes" else f"write {instead} instead"
            raise ParseError(
                f"character {_show(ch)} (U+{ord(ch):04X}) is not allowed; {hint}",
                column=index + 1,
                piece=ch,
            )
        if not ch.isprintable():
            raise ParseError(
                f"invisible character {_show(ch)} (U+{ord(ch):04X}) is not allowed; delete it",
                column=index + 1,
                piece=ch,
            )

    tokens: list[tokenize.TokenInfo] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for token in tokenize.generate_tokens(io.StringIO(normalized).readline):
                tokens.append(token)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # ast.parse below reports the problem with a better position

    carets: set[int] = set()
    depth = 0
    for token in tokens:
        if token.start[0] != 1:
            continue
        column = token.start[1]
        if token.type == tokenize.COMMENT:
            raise ParseError(
                f"comment {_show(token.string)} is not allowed; delete it",
                column=column + 1,
                piece=token.string,
            )
        if token.type != tokenize.OP:
            continue
        if token.string == "^":
            carets.add(column)
        elif token.string in "([{":
            depth += 1
            if depth > max_depth:
                raise ParseError(
                    f"brackets are nested more than max_depth={max_depth} deep at "
                    f"{_show(normalized[column:])}; "
                    "simplify the expression or raise max_depth",
                    column=column + 1,
                    piece=normalized[column:],
                )
        elif token.string in ")]}":
            depth -= 1

    lead = len(normalized) - len(normalized.lstrip(" "))
    pieces: list[str] = []
    origin: list[int] = []
    for index in range(lead, len(normalized)):
        if index in carets:
            pieces.append("**")
            origin += [index, index]
        else:
            pieces.append(normalized[index])
            origin.append(index)
    origin.append(len(normalized))
    code = "".join(pieces)

    byte_to_char: list[int] | None = None
    if not code.isascii():
        byte_to_char = []
        for index, ch in enumerate(code):
            byte_to_char.extend([index] * len(ch.encode("utf-8")))
        byte_to_char.append(len(code))
    return _Source(normalized, code, origin, tokens, byte_to_char)


def _parse_tree(text: str, max_length: int, max_depth: int) -> tuple[ast.expr, _Source]:
    """The syntax tree of ``text`` (never compiled to code) and its :class:`_Source`."""
    for name, value in (("max_length", max_length), ("max_depth", max_depth)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    src = _prepare(text, max_length, max_depth)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for "2(x)"
            tree = ast.parse(src.code, mode="eval")
    except SyntaxError as err:
        raise _syntax_error(src, err) from None
    except (RecursionError, MemoryError):
        raise ParseError(
            f"the expression is nested too deeply (the limit is max_depth={max_depth}); simplify "
            "it",
            column=1,
            piece=_show(src.text),
        ) from None
    except ValueError as err:  # e.g. null bytes; normally caught earlier
        raise ParseError(f"the text cannot be read ({err}); {_PLAIN_MATH}", column=1) from None
    return tree.body, src


def _significant(tokens: Sequence[tokenize.TokenInfo]) -> list[tokenize.TokenInfo]:
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    return [t for t in tokens if t.type not in skip and t.start[0] == 1]


def _operand_end(token: tokenize.TokenInfo) -> bool:
    return (
        token.type == tokenize.NUMBER
        or (token.type == tokenize.NAME and not keyword.iskeyword(token.string))
        or (token.type == tokenize.OP and token.string == ")")
    )


def _operand_start(token: tokenize.TokenInfo) -> bool:
    return (
        token.type == tokenize.NUMBER
        or (token.type == tokenize.NAME and not keyword.iskeyword(token.string))
        or (token.type == tokenize.OP and token.string == "(")
    )


def _implicit_product(src: _Source) -> ParseError | None:
    """A ParseError for the first ``2x``, ``2 x``, ``x y`` or ``)(`` in the tokens, if any."""
    tokens = _significant(src.tokens)
    for left, right in zip(tokens, tokens[1:]):
        if not (_operand_end(left) and _operand_start(right)):
            continue
        if left.type == tokenize.NAME and right.string == "(":
            continue  # a call, e.g. exp(x)
        if (
            left.type == tokenize.NUMBER
            and right.type == tokenize.NUMBER
            and left.end == right.start
        ):
            continue  # "007" or "1.5.3" is a malformed number, not a product
        start, end = left.start[1], right.end[1]
        piece = src.text[start:end]
        instead = left.string + "*" + right.string
        return ParseError(
            f"implicit multiplication {_show(piece)} is not supported; write {instead}",
            column=start + 1,
            piece=piece,
        )
    return None


def _syntax_error(src: _Source, err: SyntaxError) -> ParseError:
    """A one-line ParseError for a SyntaxError raised by ``ast.parse``."""
    implicit = _implicit_product(src)
    if implicit is not None:
        return implicit
    # Python's own advice ("Perhaps you forgot a comma?", "use an 0o prefix") does not apply here
    message = (err.msg or "invalid syntax").split(". Perhaps")[0].split("; ")[0]
    offset = err.offset if isinstance(err.offset, int) else 0
    at_end = offset < 1 or offset > len(src.code) or (err.lineno or 1) > 1
    if at_end:
        shown = src.text.rstrip()
        return ParseError(
            f"the expression ends too early after {_show(shown[-_PIECE_WIDTH:])}; complete it, "
            "e.g. x + 1",
            column=len(shown) + 1,
            piece="",
        )
    position = src.origin[offset - 1]
    piece = src.text[position]
    for token in _significant(src.tokens):
        if token.start[1] <= position < max(token.end[1], token.start[1] + 1):
            piece = token.string
            position = token.start[1]
            break
    lowered = message.lower()
    if keyword.iskeyword(piece):
        hint = f"{_show(piece)} is Python, not math; {_PLAIN_MATH}"
    elif "never closed" in lowered:
        hint = "add the missing closing bracket"
    elif "unmatched" in lowered or "does not match" in lowered:
        hint = "remove it or add the matching opening bracket"
    elif "string" in lowered:
        hint = "write numbers and names without quotes"
    elif "leading zeros" in lowered:
        digits = re.match(r"[0-9_]*", src.text[position:])
        piece = digits.group() if digits and digits.group() else piece
        hint = "write the number without leading zeros"
    elif "nested" in lowered:
        hint = "simplify the expression"
    elif piece == "=":
        hint = "a loss is one expression; write e.g. (x - 1)**2 instead of x = 1"
    else:
        hint = _PLAIN_MATH
    where = "" if _show(piece) in message else f" at {_show(piece)}"
    return ParseError(f"{message}{where}; {hint}", column=position + 1, piece=piece)


# ------------------------------------------------------------------------ numbers


def _bits(n: int) -> int:
    return abs(n).bit_length()


def _number_bits(expr: sympy.Basic) -> sympy.Rational | int:
    """Bits of the exact numbers that an integer power of ``expr`` would multiply out.

    ``(c*x)**n`` becomes ``c**n * x**n`` and ``(a**r)**n`` becomes ``a**(r*n)``, so the
    numbers in products and powers count; sums and functions are never expanded.
    """
    if expr.is_Rational:
        return max(_bits(expr.p), _bits(expr.q))  # type: ignore[attr-defined]
    if expr.is_Mul:
        return sum((_number_bits(arg) for arg in expr.args), 0)
    if expr.is_Pow and expr.exp.is_Rational:  # type: ignore[attr-defined]
        return abs(expr.exp) * _number_bits(expr.base)  # type: ignore[attr-defined]
    return 0


def _root_bits(expr: sympy.Basic) -> int:
    """Bits of the largest exact number whose root a fractional power of ``expr`` takes."""
    if expr.is_Rational:
        return max(_bits(expr.p), _bits(expr.q))  # type: ignore[attr-defined]
    if expr.is_Mul:
        return max((_root_bits(arg) for arg in expr.args), default=0)
    if expr.is_Pow and expr.exp.is_Rational:  # type: ignore[attr-defined]
        return _root_bits(expr.base)  # type: ignore[attr-defined]
    return 0


def _root_too_hard(base: sympy.Expr, exponent: sympy.Rational) -> bool:
    """Whether SymPy would take a root of too large a number, or of too high a degree."""
    return exponent.q > MAX_ROOT_DEGREE or _root_bits(base) > MAX_ROOT_BITS


def _literal(digits: str) -> Decimal | None:
    """Exact value of a decimal literal such as ``12``, ``0.1`` or ``1e-3``; None for others."""
    if not re.fullmatch(r"(\d[\d_]*)?(\.[\d_]*)?([eE][+-]?\d[\d_]*)?", digits) or not any(
        c.isdigit() for c in digits
    ):
        return None
    try:
        value = Decimal(digits.replace("_", ""))
    except InvalidOperation:
        return None
    return value


# ------------------------------------------------------------------------ builder


class _Builder:
    """Walks a syntax tree against the whitelist and builds the SymPy expression."""

    def __init__(self, src: _Source, max_depth: int, max_exponent: int) -> None:
        self.src = src
        self.max_depth = max_depth
        self.max_exponent = max_exponent

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
        written = self.piece(node)
        if written != name:
            self.fail(node, f"name {{piece}} is not in Unicode normal form; write {name}")
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
        first, steps = self.chain(node, (ast.Add, ast.Sub))
        result = self.build(first, depth + 1)
        sequential = len(steps) < _SEQUENTIAL_TERMS
        terms = [result]
        for step in steps:
            term = self.build(step.right, depth + 1)
            subtract = isinstance(step.op, ast.Sub)
            if sequential:
                # left to right, exactly as Python evaluates a + b - c on SymPy objects
                result = self.make(step, operator.sub if subtract else operator.add, result, term)
            else:
                terms.append(self.make(step, operator.neg, term) if subtract else term)
        if not sequential:
            # One Add of all terms (as a - b is Add(a, -b)): linear rather than quadratic time.
            result = self.make(node, sympy.Add, *terms)
        return result

    def product(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        first, steps = self.chain(node, (ast.Mult, ast.Div))
        result = self.build(first, depth + 1)
        sequential = len(steps) < _SEQUENTIAL_FACTORS
        factors = [result]
        for step in steps:
            factor = self.build(step.right, depth + 1)
            divide = isinstance(step.op, ast.Div)
            if divide:
                inverse = self.make(step, sympy.Pow, factor, sympy.S.NegativeOne)
                if factor is sympy.S.Zero or inverse.has(*_BAD_VALUES):
                    self.fail(
                        step.right, "division by zero: {piece} is 0; divide by a nonzero expression"
                    )
            if sequential:
                # left to right, exactly as Python evaluates a * b / c on SymPy objects
                result = self.make(
                    step, operator.truediv if divide else operator.mul, result, factor
                )
            else:
                factors.append(inverse if divide else factor)
        if not sequential:
            # One Mul of all factors: linear rather than quadratic time, same value (a
            # number times a sum may stay undistributed where left to right would expand it).
            result = self.make(node, sympy.Mul, *factors)
        return result

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
        if not exponent.is_Rational:
            return  # symbolic or irrational exponent: nothing is multiplied out
        size = abs(exponent)
        if base.is_Rational:
            if not exponent.is_Integer and base.is_negative:
                self.fail(
                    node,
                    "{piece} is not a real number (a fractional power of a negative number); "
                    "losses are real-valued",
                )
            if base in (sympy.S.Zero, sympy.S.One, sympy.S.NegativeOne):
                return
            if not exponent.is_Integer:
                if _root_too_hard(base, exponent):
                    self.fail(
                        node,
                        f"{{piece}} asks for a root of a number with more than about "
                        f"{MAX_ROOT_BITS * 3 // 10} digits or of degree above {MAX_ROOT_DEGREE}; "
                        "simplify it",
                    )
            if size * _number_bits(base) > MAX_NUMBER_BITS:
                self.fail(
                    node,
                    f"{{piece}} is too large: it would have more than {MAX_NUMBER_BITS * 3 // 10} "
                    "digits; "
                    "use smaller numbers or a symbolic exponent",
                )
            return
        if size > self.max_exponent:
            self.fail(
                node,
                f"the exponent in {{piece}} is larger than max_exponent={self.max_exponent}; "
                "use a smaller power or raise max_exponent",
            )
        if not exponent.is_Integer and _root_too_hard(base, exponent):
            self.fail(
                node,
                "{piece} asks for a root of a number that is too large or of too high a degree; "
                "simplify it",
            )
        if size * _number_bits(base) > MAX_NUMBER_BITS:
            self.fail(
                node,
                "{piece} is too large: its numbers would have more than "
                f"{MAX_NUMBER_BITS * 3 // 10} digits; "
                "use smaller numbers",
            )

    def check_exp(self, node: ast.AST, argument: sympy.Expr) -> None:
        """``exp(k*log(a))`` becomes ``a**k``: refuse it when that power would be a monster."""
        for term in sympy.Add.make_args(argument):
            factors = sympy.Mul.make_args(term)
            logs = [f for f in factors if isinstance(f, sympy.log)]
            if len(logs) != 1:
                continue
            coefficient = sympy.Mul(*[f for f in factors if not isinstance(f, sympy.log)])
            if coefficient.is_Rational:
                self.check_power(node, logs[0].args[0], coefficient)

    def make(self, node: ast.AST, fn: Callable[..., sympy.Expr], *args: sympy.Expr) -> sympy.Expr:
        """``fn(*args)``, with SymPy's own failures (e.g. "not comparable") reported at ``node``."""
        try:
            return fn(*args)
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
            suggestion = f"did you mean {close[0]}? " if close else ""
            args = self.piece(node)[len(name) :].strip()
            times = "" if close or node.keywords else f"for multiplication write {name}*{args}; "
            self.fail(
                node,
                f"unknown function {_show(name)} in {{piece}}; {suggestion}{times}the functions "
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


# ------------------------------------------------------------------- public API


def _build(
    nodes: Sequence[ast.AST], builder: _Builder, src: _Source, timeout: float | None
) -> list[sympy.Expr]:
    """Build ``nodes`` within ``timeout`` seconds, turning every failure into a ParseError."""

    def work() -> list[sympy.Expr]:
        return [builder.build(node, 1) for node in nodes]

    try:
        if timeout is None:
            return work()
        return run_bounded(work, timeout, "building the expression")
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


def parse_expression(
    text: str,
    *,
    max_length: int = 5000,
    max_depth: int = 60,
    max_exponent: int = 100,
    timeout: float | None = 5.0,
) -> sympy.Expr:
    """Parse the text of a loss into a SymPy expression without evaluating any code.

    Parameters
    ----------
    text : str
        Plain math: numbers (``3``, ``0.1``, ``1e-3``, all exact), variable names
        (real symbols), ``pi`` and ``E``, ``+ - * / **``, ``^`` as a synonym of ``**``,
        parentheses and calls of the functions in :data:`FUNCTIONS`.
    max_length : int, optional
        Longest accepted text, in characters.
    max_depth : int, optional
        Deepest accepted nesting of brackets, operators and calls.  A run of
        terms such as ``a + b - c`` or factors such as ``a * b / c`` is one level.
    max_exponent : int, optional
        Largest absolute value of a numeric exponent on a non-numeric base, as in
        ``x**100``.  Powers of plain numbers are limited by the size of the result.
    timeout : float or None, optional
        Seconds allowed for building the SymPy expression; None for no limit.

    Returns
    -------
    sympy.Expr
        The expression.  Decimals are exact rationals; every variable is
        ``sympy.Symbol(name, real=True)``.

    Raises
    ------
    ParseError
        If the text is not an accepted expression.  The one-line message names the
        column, the offending piece and what to write instead.
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> parse_expression("(1 - w1*w2)^2 + 0.1*w1")
    w1/10 + (-w1*w2 + 1)**2
    >>> parse_expression("os.system('ls')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symopt.errors.ParseError: column 1: attribute access 'os.system' is not allowed; write ...
    """
    if not isinstance(max_exponent, int) or isinstance(max_exponent, bool) or max_exponent < 0:
        raise ValueError(f"max_exponent must be a non-negative int, got {max_exponent!r}")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    node, src = _parse_tree(text, max_length, max_depth)
    builder = _Builder(src, max_depth, max_exponent)
    return _build([node], builder, src, timeout)[0]


def parse_point(text: str, n: int | None = None) -> tuple[sympy.Expr, ...]:
    """Parse comma-separated constant coordinates such as ``"1/2, -3"`` or ``"0.1,1e-3"``.

    Parameters
    ----------
    text : str
        Coordinates, each a constant expression in the syntax of
        :func:`parse_expression` (so ``sqrt(2)/2`` and ``log(8, 2)`` work).
        Surrounding parentheses or brackets are allowed.
    n : int, optional
        Number of coordinates required.

    Returns
    -------
    tuple of sympy.Expr
        Exact values (``0.1`` is ``Rational(1, 10)``).

    Raises
    ------
    ParseError
        If an entry is not a constant, or the count differs from ``n``.

    Examples
    --------
    >>> parse_point("1/2, -3, 0.1")
    (1/2, -3, 1/10)
    """
    node, src = _parse_tree(text, 5000, 60)
    elements: list[ast.AST] = list(node.elts) if isinstance(node, (ast.Tuple, ast.List)) else [node]
    if not elements:
        raise ParseError(
            "there are no coordinates; write numbers separated by commas, e.g. 0, 0",
            column=1,
            piece=text,
        )
    builder = _Builder(src, 60, 100)
    values = _build(elements, builder, src, 5.0)
    for element, value in zip(elements, values):
        if value.free_symbols:
            names = ", ".join(sorted(str(s) for s in value.free_symbols))
            builder.fail(
                element,
                f"coordinate {{piece}} is not a number (it contains {names}); write a constant "
                "such as 1/2 or -0.5",
            )
    if n is not None and len(values) != n:
        example = ", ".join(["0"] * n) if 0 < n <= 6 else "0, 0"
        raise ParseError(
            f"expected {n} coordinate{'s' if n != 1 else ''}, got {len(values)} in "
            f"{_show(src.text.strip())}; "
            f"write {n} comma-separated numbers such as {example}",
            piece=src.text.strip(),
        )
    return tuple(values)


def parse_names(text: str) -> list[str]:
    """Parse comma-separated variable names such as ``"w1, w2"``.

    Parameters
    ----------
    text : str
        Names, each usable as a variable in :func:`parse_expression`: an identifier
        that does not start with an underscore and is not a keyword, a function or
        a constant.

    Returns
    -------
    list of str
        The names in the order given.

    Raises
    ------
    ParseError
        If an entry is empty, not a valid name, or repeated.

    Examples
    --------
    >>> parse_names("w1, w2,b")
    ['w1', 'w2', 'b']
    """
    if not isinstance(text, str):
        raise TypeError(f"expected the names as a str, got {type(text).__name__}")
    if len(text) > 5000:
        raise ParseError(
            "the list of names is longer than 5000 characters; shorten it", column=5001
        )
    names: list[str] = []
    start = 0
    for entry in text.split(","):
        stripped = entry.strip()
        column = start + (len(entry) - len(entry.lstrip())) + 1
        start += len(entry) + 1
        shown = _show(stripped)
        if not stripped:
            raise ParseError(
                "empty name; write names separated by commas, e.g. w1, w2", column=column, piece=""
            )
        if not stripped.isidentifier() or keyword.iskeyword(stripped):
            raise ParseError(
                f"{shown} is not a valid name; use letters, digits and underscores, starting with "
                "a letter, e.g. w1",
                column=column,
                piece=stripped,
            )
        if unicodedata.normalize("NFKC", stripped) != stripped:
            normal = unicodedata.normalize("NFKC", stripped)
            raise ParseError(
                f"name {shown} is not in Unicode normal form; write {normal}",
                column=column,
                piece=stripped,
            )
        if stripped.startswith("_"):
            raise ParseError(
                f"name {shown} is not allowed: names starting with an underscore are reserved; "
                "e.g. write w_1",
                column=column,
                piece=stripped,
            )
        if stripped in _FUNCTIONS or stripped in _CONSTANTS:
            kind = "function" if stripped in _FUNCTIONS else "constant"
            raise ParseError(
                f"{shown} is a {kind}, not a variable name; choose another name",
                column=column,
                piece=stripped,
            )
        if stripped in names:
            raise ParseError(
                f"name {shown} is repeated; list each variable once", column=column, piece=stripped
            )
        names.append(stripped)
    return names


_NaturalPart = Union[str, tuple[int, str]]


def natural_key(name: str) -> tuple[tuple[_NaturalPart, ...], str]:
    """Sort key that orders runs of digits by value: ``w2`` before ``w10``.

    Parameters
    ----------
    name : str
        Any string.

    Returns
    -------
    tuple
        Alternating text and number parts, then ``name`` itself to break ties
        (``w01`` and ``w1`` compare equal otherwise).  Keys of any two strings are
        comparable.

    Examples
    --------
    >>> sorted(["w10", "w2", "b", "w1"], key=natural_key)
    ['b', 'w1', 'w2', 'w10']
    """
    parts: list[_NaturalPart] = []
    for index, part in enumerate(re.split(r"([0-9]+)", name)):
        if index % 2:
            digits = part.lstrip("0") or "0"
            parts.append((len(digits), digits))  # value order without int(): no size limit
        else:
            parts.append(part)
    return tuple(parts), name
