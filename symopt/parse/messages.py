"""The shared wording of refusals: how a message quotes the input and what it suggests instead."""

from __future__ import annotations

import re

_EXAMPLE = "(1 - w1*w2)**2"
_PLAIN_MATH = f"write plain math such as {_EXAMPLE}"
_PIECE_WIDTH = 40


def _show(piece: str) -> str:
    """``piece`` quoted for a one-line message: shortened, control characters escaped."""
    if len(piece) > _PIECE_WIDTH:
        piece = piece[: _PIECE_WIDTH - 3] + "..."
    piece = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in piece)
    quote = '"' if "'" in piece and '"' not in piece else "'"
    return f"{quote}{piece}{quote}"


#: A name that reads as a variable (one letter, maybe digits): ``w(x + 1)`` is then most
#: likely a product, and only then is ``*`` suggested.
VARIABLE_LIKE = re.compile(r"[^\W\d_]\d*")

#: Advice for functions people often write that the vocabulary spells otherwise.
UNKNOWN_FUNCTION_ADVICE = {
    "max": "for max(w, 0) write relu(w)",
    "min": "for min(w, 0) write -relu(-w)",
    "softmax": "softmax is a vector function; write one output such as "
               "exp(a)/(exp(a) + exp(b)), or build a classification loss with "
               "Loss.from_model(..., loss='cross_entropy')",
    "logsumexp": "write log(exp(a) + exp(b))",
    "square": "write w**2",
    "pow": "write a**b",
}
