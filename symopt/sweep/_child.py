"""The child process of :mod:`symopt.sweep.isolate`: answers analysis requests from a pipe."""

from __future__ import annotations

import os
import pickle
import sys


def _read(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _send(stream, value: object) -> None:
    data = pickle.dumps(value)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def main() -> None:
    """Answer ``(loss, budget)`` requests with Landmarks until the pipe closes."""
    from ..critical import critical_points
    from .landmarks import Landmarks, from_critical_set
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = open(os.devnull, "w")          # stray prints must not corrupt the pipe
    _send(sink, "ready")
    while True:
        try:
            size = int.from_bytes(_read(source, 8), "little")
            loss, budget = pickle.loads(_read(source, size))
        except EOFError:
            return
        try:
            answer = from_critical_set(critical_points(loss, timeout=budget))
        except Exception as error:  # noqa: BLE001 - reported as the analysis's status
            answer = Landmarks("failed", (), f"{type(error).__name__}: {error}")
        _send(sink, answer)


if __name__ == "__main__":
    main()
