"""Exact analyses in a child process that is killed at its budget (a hard, process-level limit).

Dask workers run tasks in threads of daemonic processes: SIGALRM is unavailable there, a thread
cannot be stopped, and multiprocessing may not start children. So each thread that analyses a
loss keeps one long-lived Python child (``python -m symopt.sweep._child``, started with
:mod:`subprocess`), sends it pickled requests over a pipe and waits at most the budget plus a
short grace. A child that overruns is killed (its work cannot outlive the call) and a fresh one
is started for the next request. Inside the child the analysis runs in the main thread, so
symopt's own budget interrupts it first and reports ``"timeout"`` honestly.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

__all__ = ["analyse_in_child", "GRACE_SECONDS", "STARTUP_SECONDS"]

#: Extra seconds the parent waits beyond the budget before it kills the child.
GRACE_SECONDS = 2.0
#: Seconds a new child may take to import symopt and say it is ready.
STARTUP_SECONDS = 120.0

_HEADER = 8
_local = threading.local()
_children: "weakref.WeakSet[_Child]" = weakref.WeakSet()


class _Timeout(Exception):
    pass


def _read_exact(fd: int, size: int, deadline: float) -> bytes:
    chunks, left = [], size
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise _Timeout
        data = os.read(fd, left)
        if not data:
            raise EOFError("the analysis process ended unexpectedly")
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])      # the directory holding symopt/
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


class _Child:
    """One child process, ready for requests."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "symopt.sweep._child"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_environment())
        _children.add(self)
        try:
            self._receive(time.monotonic() + STARTUP_SECONDS)
        except BaseException:
            self.kill()
            raise

    def _receive(self, deadline: float) -> Any:
        fd = self.process.stdout.fileno()
        size = int.from_bytes(_read_exact(fd, _HEADER, deadline), "little")
        return pickle.loads(_read_exact(fd, size, deadline))

    def ask(self, request: Any, seconds: float) -> Any:
        """The child's answer, or raise _Timeout after ``seconds`` (the child is then killed)."""
        data = pickle.dumps(request)
        self.process.stdin.write(len(data).to_bytes(_HEADER, "little") + data)
        self.process.stdin.flush()
        try:
            return self._receive(time.monotonic() + seconds)
        except (_Timeout, EOFError):
            self.kill()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


@atexit.register
def _kill_all() -> None:
    for child in list(_children):
        child.kill()


def analyse_in_child(loss: Any, budget: float) -> Any:
    """``Landmarks`` of ``critical_points(loss, timeout=budget)`` computed in a child process.

    Returns a :class:`~symopt.sweep.landmarks.Landmarks` whose status is ``"timeout"`` when the
    child had to be killed, and ``"failed"`` when the analysis raised.
    """
    from .landmarks import Landmarks
    child = getattr(_local, "child", None)
    if child is None or child.process.poll() is not None:
        child = _local.child = _Child()
    try:
        answer = child.ask((loss, budget), budget + GRACE_SECONDS)
    except _Timeout:
        _local.child = None
        return Landmarks("timeout", (), f"the analysis was stopped at its budget of {budget:g} s "
                                        "(the process running it was killed)")
    except EOFError as error:
        _local.child = None
        return Landmarks("failed", (), str(error))
    return answer
