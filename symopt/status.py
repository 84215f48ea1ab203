"""The status of an analysis: why a list of critical points is, or is not, proven complete."""

from __future__ import annotations

import warnings
from enum import Enum

__all__ = ["Status", "as_status"]


class Status(str, Enum):
    """How an analysis ended.

    ``COMPLETE``: every critical point and family is listed, proven.
    ``INCOMPLETE``: the method cannot prove completeness (for example a numerical search
    over a box, or a region cap of a piecewise loss).
    ``TIMEOUT``: the time budget ran out; what was found so far is listed.
    ``ALGORITHM_FAILURE``: an algorithm gave up for a reason other than time.
    ``UNSUPPORTED``: the loss is outside what the analysis handles.

    A ``Status`` is a ``str``, so ``cs.status == "complete"`` keeps working.
    """

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    TIMEOUT = "timeout"
    ALGORITHM_FAILURE = "algorithm_failure"
    UNSUPPORTED = "unsupported"

    def __str__(self) -> str:
        return self.value


def as_status(value: Status | str) -> Status:
    """``value`` as a :class:`Status`; a plain string is accepted for one release, with a
    DeprecationWarning."""
    if isinstance(value, Status):
        return value
    try:
        status = Status(value)
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise ValueError(f"unknown status {value!r}; use one of symopt.Status: {known}") from None
    warnings.warn(f"status given as the string {value!r}; pass symopt.Status.{status.name} "
                  "(plain strings stop being accepted in the next release)",
                  DeprecationWarning, stacklevel=3)
    return status
