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

The modules, one job each: ``source`` reads the text (characters, tokens, positions),
``syntax`` builds the syntax tree and explains syntax errors, ``vocabulary`` lists the
functions, constants and refused syntax, ``limits`` bounds numbers and powers,
``size`` measures what an expression multiplies out to, ``builder`` turns the tree into
SymPy, ``expression`` is :func:`parse_expression`, and
``lists`` holds :func:`parse_point`, :func:`parse_names` and :func:`natural_key`.
"""

from __future__ import annotations

# Besides the public names: the limits, and the tables behind FUNCTIONS and CONSTANTS (the
# same objects the parser reads), as ``X as X`` re-exports.
from .expression import parse_expression
from .limits import Limits
from .limits import MAX_LITERAL_DIGITS as MAX_LITERAL_DIGITS
from .limits import MAX_LITERAL_EXPONENT as MAX_LITERAL_EXPONENT
from .limits import MAX_NUMBER_BITS as MAX_NUMBER_BITS
from .limits import MAX_ROOT_BITS as MAX_ROOT_BITS
from .limits import MAX_ROOT_DEGREE as MAX_ROOT_DEGREE
from .lists import natural_key, parse_names, parse_point
from .vocabulary import _CONSTANTS as _CONSTANTS
from .vocabulary import _FUNCTIONS as _FUNCTIONS
from .vocabulary import CONSTANTS, FUNCTIONS

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "Limits",
    "parse_expression",
    "parse_point",
    "parse_names",
    "natural_key",
]

# So that ``doctest.testmod(symopt.parse)`` runs the examples of the functions re-exported here.
__test__ = {
    "parse_expression": parse_expression,
    "parse_point": parse_point,
    "parse_names": parse_names,
    "natural_key": natural_key,
}
