"""The syntax tree of an expression, and one-line hints for text that Python cannot parse.

The tree is only built by ``ast.parse``, never compiled.  A ``SyntaxError`` becomes a
:class:`~symopt.errors.ParseError` that points at the offending piece and says what to
write: ``2x`` is an implicit product, an unclosed bracket wants closing, and so on.
"""

from __future__ import annotations

import ast
import keyword
import re
import tokenize
import warnings
from typing import Sequence

from ..errors import ParseError
from .messages import _PIECE_WIDTH, _PLAIN_MATH, _show
from .source import _prepare, _Source


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
