"""Parse the text of a loss into a SymPy expression: the one public entry of the parser.

A straight line: check the limits, read the text into a syntax tree (never evaluated), walk
the tree against the whitelist, building the SymPy objects, within the time limit.
"""

from __future__ import annotations

import sympy

from ..budget import check_timeout

from .builder import _build, _Builder
from .limits import Limits
from .syntax import _parse_tree


def parse_expression(
    text: str,
    *,
    limits: Limits | dict | None = None,
    max_length: int | None = None,
    max_depth: int | None = None,
    max_exponent: int | None = None,
    timeout: float | None = 5.0,
) -> sympy.Expr:
    """Parse the text of a loss into a SymPy expression without evaluating any code.

    Parameters
    ----------
    text : str
        Plain math: numbers (``3``, ``0.1``, ``1e-3``, all exact), variable names
        (real symbols), ``pi`` and ``E``, ``+ - * / **``, ``^`` as a synonym of ``**``,
        parentheses and calls of the functions in :data:`~symopt.parse.FUNCTIONS`.
    limits : Limits or dict, optional
        The limits on the text and on the value (:class:`~symopt.parse.Limits`; a dict
        such as ``{"max_degree": 5000}`` changes only the limits it names).  Every
        refusal names the limit it hit.
    max_length : int, optional
        Longest accepted text, in characters (overrides ``limits``; default 5000).
    max_depth : int, optional
        Deepest accepted nesting of brackets, operators and calls.  A run of
        terms such as ``a + b - c`` or factors such as ``a * b / c`` is one level
        (overrides ``limits``; default 60).
    max_exponent : int, optional
        Largest absolute value of a numeric exponent on a non-numeric base, as in
        ``x**100`` (overrides ``limits``; default 100).  Powers of plain numbers are
        limited by the size of the result.
    timeout : float or None, optional
        Seconds allowed for building the SymPy expression; None or ``inf`` for no limit.
        Building is interrupted at the deadline in the main thread; elsewhere the
        limits on the value keep it short.

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
    chosen = Limits.of(limits, max_length=max_length, max_depth=max_depth,
                       max_exponent=max_exponent)
    seconds = check_timeout(timeout)
    node, src = _parse_tree(text, chosen.max_length, chosen.max_depth)
    builder = _Builder(src, chosen)
    return _build([node], builder, src, seconds)[0]
