"""Comma-separated inputs, coordinates and variable names, and the natural order of names."""

from __future__ import annotations

import ast
import keyword
import re
import unicodedata
from typing import Union

import sympy

from ..errors import ParseError
from .limits import Limits
from .builder import _build, _Builder
from .messages import _show
from .syntax import _parse_tree
from .vocabulary import _CONSTANTS, _FUNCTIONS


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
    builder = _Builder(src, Limits())
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
        if stripped.isidentifier():
            # the same name as in an expression: Python reads identifiers in NFKC form
            stripped = unicodedata.normalize("NFKC", stripped)
            shown = _show(stripped)
        if not stripped.isidentifier() or keyword.iskeyword(stripped):
            raise ParseError(
                f"{shown} is not a valid name; use letters, digits and underscores, starting with "
                "a letter, e.g. w1",
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
