"""The words and notation of derivation steps: sentences in each language, fixed symbols.

:class:`Writer` turns a sentence key and its fields into text and inline-math segments;
the constants are symopt's own notation (``=``, ``\\approx``, the loss ``L``), never input.
"""

from __future__ import annotations

import string
from typing import Any

import sympy as sp

from .text_en import TEXT as _ENGLISH
from .text_zh import TEXT as _CHINESE
from .records import LANGUAGES, Tex

__all__ = ["Writer", "EQ", "APPROX", "LT", "IFF", "IMPLIES", "COMMA", "LOSS"]

EQ, APPROX, LT = Tex("="), Tex("\\approx"), Tex("<")
IFF, IMPLIES = Tex("\\iff"), Tex("\\Rightarrow")
COMMA = Tex(",\\quad")
LOSS = sp.Symbol("L")


class Writer:
    """Sentences of one language: ``say(key, **fields)`` gives text and inline-math segments."""

    def __init__(self, language: str):
        if language not in LANGUAGES:
            raise ValueError(f"language={language!r} is not known; "
                             f"use one of {', '.join(LANGUAGES)}")
        self.language = language
        self.table: dict[str, str] = {"en": _ENGLISH, "zh": _CHINESE}[language]

    def __call__(self, key: str, **fields: Any) -> tuple[Any, ...]:
        out: list[Any] = []
        count: Any = None
        for literal, name, _, _ in string.Formatter().parse(self.table[key]):
            if literal:
                out.append(_plural(literal, count))
            if name:
                out.append(fields[name])
                count = _number(fields[name]) if _number(fields[name]) is not None else count
        return tuple(out)

    def word(self, key: str) -> str:
        return self.table[key]

    def math_word(self, key: str) -> Tex:
        """A fixed word of this language as text inside math (``\\text{or}``)."""
        return Tex("\\quad\\text{" + self.table[key] + "}\\quad")


def _number(value: Any) -> int | None:
    """A count given as an int or as a string of digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _plural(literal: str, count: int | None) -> str:
    """Resolve ``noun(s)`` by the count shown before it: "1 case", "2 cases".

    >>> _plural(" case(s), those", 1), _plural(" case(s), those", 3)
    (' case, those', ' cases, those')
    """
    return literal.replace("(s)", "" if count == 1 else "s")
