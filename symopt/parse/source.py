"""Read the text of an expression: length and characters checked, tokens, ``^`` as ``**``.

:class:`_Source` keeps what is needed to point from the syntax tree back into the input, so
every message names the column of the input, whatever was normalized on the way.
"""

from __future__ import annotations

import ast
import io
import tokenize
import unicodedata
import warnings
from dataclasses import dataclass

from ..errors import ParseError
from .messages import _EXAMPLE, _show

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

_Span = tuple[int, int]


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
