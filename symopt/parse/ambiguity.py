"""Notes on input that may be misread: run-together names and parameters nobody named.

The parser reads ``w1w2`` as one name, as Python does.  That is right for a name such as
``beta1``, but when the same expression also uses ``w1`` and ``w2`` (or the name is a run
of letter-digit groups), the writer most likely meant a product.  And when no parameters
are given, every name becomes a parameter, including names that usually hold data, such
as ``x`` in ``(1 - w1*w2*x)**2``.  :func:`misreadings` returns one line per such case.
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["misreadings", "split_into", "DATA_NAMES", "WEIGHT_NAMES"]

#: Names that usually hold data rather than parameters.
DATA_NAMES = re.compile(r"(x|y|t|X|Y|target|label)(_?\d+)?")
#: Names that usually hold weights: beside one of them, a data name is most likely data.
WEIGHT_NAMES = re.compile(r"(w|W|b|theta|weight|bias)(_?\d+)?")
_LETTER_DIGIT_GROUPS = re.compile(r"(?:[A-Za-z]+\d+){2,}[A-Za-z]*")
_GROUP = re.compile(r"[A-Za-z]+\d+")


def split_into(name: str, pieces: Iterable[str]) -> list[str] | None:
    """``name`` as a run of two or more of ``pieces`` (shortest such run), or None.

    Examples
    --------
    >>> split_into("w1w2", ["w1", "w2"])
    ['w1', 'w2']
    >>> split_into("ab", ["a", "ab"]) is None
    True
    """
    known = sorted({p for p in pieces if p and p != name}, key=len, reverse=True)
    best: dict[int, list[str]] = {0: []}
    for start in range(len(name)):
        if start not in best:
            continue
        for piece in known:
            end = start + len(piece)
            if name.startswith(piece, start) and (end not in best
                                                 or len(best[end]) > len(best[start]) + 1):
                best[end] = best[start] + [piece]
    found = best.get(len(name))
    return found if found is not None and len(found) >= 2 else None


def misreadings(names: Iterable[str], params_given: bool = False) -> tuple[str, ...]:
    """One line for each name that may not mean what was written.

    Parameters
    ----------
    names : iterable of str
        The names the parsed expression uses.
    params_given : bool
        Whether the parameters were named by the user; if not, names that usually hold
        data (x, y, t, ...) taken as parameters beside names that usually hold weights
        (w, b, theta, ...) get a note too; ``x**2 + y**2 + z**2`` is plain coordinates.

    Examples
    --------
    >>> misreadings(["w1w2"])
    ("'w1w2' is read as one name; if you meant a product, write w1*w2",)
    >>> [note.split(";")[0] for note in misreadings(["w1", "w2", "x"])]
    ["'x' is taken as a parameter"]
    >>> misreadings(["w1", "w2", "x"], params_given=True), misreadings(["x", "y", "z"])
    ((), ())
    """
    names = sorted(set(names))
    notes = []
    for name in names:
        pieces = split_into(name, names)
        if pieces is None and _LETTER_DIGIT_GROUPS.fullmatch(name):
            pieces = _GROUP.findall(name)
            rest = name[sum(map(len, pieces)):]
            pieces += [rest] if rest else []
        if pieces is not None:
            notes.append(f"{name!r} is read as one name; if you meant a product, write "
                         + "*".join(pieces))
    if not params_given and any(WEIGHT_NAMES.fullmatch(n) for n in names):
        for name in names:
            if DATA_NAMES.fullmatch(name):
                notes.append(f"{name!r} is taken as a parameter; if it is data, give the model "
                             "and the data (--model and --data, or Loss.from_model), else "
                             "name the parameters (--params, or params=)")
    return tuple(notes)
