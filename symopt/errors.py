"""Exception classes of symopt: bad input versus failures of the library itself."""

from __future__ import annotations


class ParseError(ValueError):
    """Text that is not a loss expression symopt accepts.

    The message names the column, the offending piece and what to write instead.
    """

    def __init__(self, message: str, column: int | None = None, piece: str | None = None):
        self.column = column
        self.piece = piece
        if column is not None:
            message = f"column {column}: {message}"
        super().__init__(message)


class ParseNote(UserWarning):
    """Text that parsed but may not mean what was written: a run-together name such as
    ``w1w2``, or a name such as ``x`` taken as a parameter when none were named.

    One line per note, the same words as the command line prints.  ``Loss.parse(...,
    strict=True)`` raises a :class:`ParseError` instead; ``warnings.simplefilter("ignore",
    ParseNote)`` silences the notes (they stay on ``Loss.notes``).
    """


class SymoptError(Exception):
    """A failure of symopt itself (not of the input)."""


class BudgetExceeded(SymoptError):
    """A symbolic step ran out of its time budget (or, as a subclass, of its memory cap)."""


class MemoryBudgetExceeded(BudgetExceeded):
    """A call bounded with a memory cap used more; its child process was stopped."""


class AlgorithmFailure(SymoptError):
    """An algorithm gave up for a reason other than time (for example no separating
    linear form among the candidates tried).  Reported as ``Status.ALGORITHM_FAILURE``,
    never as a timeout."""
