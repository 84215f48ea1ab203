"""Run one call in a child process with a time limit and a memory cap; kill it when over.

:func:`run_bounded` is the hard budget: the call runs whole in a fresh Python child
process, started with :mod:`subprocess` (so it also works inside daemonic worker
processes such as Dask's, which may not start :mod:`multiprocessing` children), and
reports back by pickling.  The parent waits, polling every 20 ms, and kills the child
(with everything it started) when

* the time limit passes (:class:`~symopt.errors.BudgetExceeded`),
* its resident memory passes the cap (:class:`~symopt.errors.MemoryBudgetExceeded`), or
* the caller is interrupted (Ctrl-C, a Jupyter interrupt: the KeyboardInterrupt is
  re-raised after the kill).

When :func:`run_bounded` returns or raises, the child has ended and been reaped.  A child
whose parent dies stops by itself within a quarter of a second.

Platforms: on Linux the memory watchdog reads ``/proc/PID/statm`` from the parent; on
macOS the child watches its own peak resident size; on Windows the child is started the
same way (no ``fork``) but memory is not capped.  A child costs one Python start-up and
the imports of the call (about 0.5-1 s with SymPy); ``reuse=True`` pays that once per
process for a series of calls, keeping the child between them (:func:`close_children`
ends the idle ones).
"""

from __future__ import annotations

import atexit
import math
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable, TypeVar

from .errors import BudgetExceeded, MemoryBudgetExceeded, SymoptError

__all__ = ["DEFAULT_MEMORY_MB", "check_timeout", "close_children", "run_bounded"]

T = TypeVar("T")

#: Memory cap of a child process, in MiB, unless ``memory_mb`` says otherwise.
DEFAULT_MEMORY_MB = 4096.0
#: How often the parent checks the clock and the child's memory, in seconds.
_POLL = 0.02
#: Exit code of a child that stopped itself over its memory cap.
_OVER_MEMORY = 86
# The first thing a child runs: read the parent's import path, then take the job.
_BOOT = (
    "import pickle,sys;"
    "sys.path[:]=pickle.load(sys.stdin.buffer);"
    "from symopt.isolate import _child_main;"
    "_child_main()"
)


def check_timeout(seconds: Any, name: str = "timeout") -> float:
    """``seconds`` as a float (``None`` becomes ``inf``), or ValueError for anything else.

    Shared by every budget (also as :func:`symopt.budget.check_timeout`).

    Examples
    --------
    >>> check_timeout(2), check_timeout(None), check_timeout(1e308)
    (2.0, inf, 1e+308)
    >>> check_timeout(-1)
    Traceback (most recent call last):
        ...
    ValueError: timeout must be a positive number of seconds (or None / inf for no limit), got -1
    """
    if seconds is None:
        return math.inf
    if (isinstance(seconds, (int, float)) and not isinstance(seconds, bool)
            and seconds > 0):  # NaN fails the comparison
        return float(seconds)
    raise ValueError(f"{name} must be a positive number of seconds "
                     f"(or None / inf for no limit), got {seconds!r}")


def _check_memory(memory_mb: Any) -> float:
    if memory_mb is None:
        return math.inf
    if (isinstance(memory_mb, (int, float)) and not isinstance(memory_mb, bool)
            and memory_mb > 0):
        return float(memory_mb)
    raise ValueError(f"memory_mb must be a positive number of MiB (or None for no cap), "
                     f"got {memory_mb!r}")


def run_bounded(fn: Callable[..., T], /, *args: Any, timeout: float | None = None,
                memory_mb: float | None = DEFAULT_MEMORY_MB, what: str | None = None,
                reuse: bool = False, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a child process, stopped at ``timeout`` s or ``memory_mb`` MiB.

    Parameters
    ----------
    fn : callable
        A function importable by name (defined at the top level of a module, not in
        ``__main__`` of a script run with ``python -c``, not a lambda).  It, its
        arguments and its result must pickle.
    *args, **kwargs
        Passed to ``fn``.
    timeout : float or None, keyword-only
        Seconds of wall time for the whole call, child start-up included; None or
        ``inf`` for no limit.
    memory_mb : float or None, keyword-only
        Cap on the child's resident memory in MiB (default :data:`DEFAULT_MEMORY_MB`);
        None for no cap.
    what : str, optional
        How to name the call in messages (default: the function's name).
    reuse : bool, keyword-only
        Run the call in a child this process keeps between calls (its imports are done
        once) instead of a fresh one.  The limits are the same: a child over its time or
        memory is killed, and the next call starts a new one.  A child serves calls one at
        a time; it is retired once it holds half its memory cap, and ends with this process
        or at :func:`close_children`.

    Returns
    -------
    The value ``fn`` returned.

    Raises
    ------
    BudgetExceeded
        The time limit passed; the child was killed.
    MemoryBudgetExceeded
        The child's memory passed the cap; it was killed.
    SymoptError
        The child died on its own (a crash) or its result could not be pickled.
    Exception
        Whatever ``fn`` raised, re-raised here (if it pickles).

    Examples
    --------
    >>> import math
    >>> run_bounded(math.factorial, 20, timeout=60)
    2432902008176640000
    """
    seconds = check_timeout(timeout)
    cap_mb = _check_memory(memory_mb)
    what = what or getattr(fn, "__qualname__", repr(fn))
    if reuse:
        return _run_warm(fn, args, kwargs, seconds, cap_mb, what)
    job = pickle.dumps((fn, args, kwargs, cap_mb, os.getpid()), protocol=pickle.HIGHEST_PROTOCOL)
    data = pickle.dumps(list(sys.path), protocol=pickle.HIGHEST_PROTOCOL) + job
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=os.name == "posix")
    try:
        out, err = _wait(child, data, started + seconds, cap_mb, what, seconds)
    except BaseException:
        _kill(child)
        raise
    return _result(child.returncode, out, err, what, cap_mb)


def _wait(child: subprocess.Popen, data: bytes | None, deadline: float, cap_mb: float,
          what: str, seconds: float) -> tuple[bytes, bytes]:
    """Feed the child its job and collect its output, watching the clock and its memory."""
    while True:
        wait = min(_POLL, max(deadline - time.monotonic(), 0.0))
        try:
            out, err = child.communicate(data, timeout=wait)
            return out, err
        except subprocess.TimeoutExpired:
            data = None  # sent (or being sent) already
        if time.monotonic() >= deadline:
            _kill(child)
            raise BudgetExceeded(f"{what} did not finish within {seconds:.3g} s; "
                                 "its child process was stopped")
        if _resident_mb(child.pid) > cap_mb:
            _kill(child)
            raise MemoryBudgetExceeded(f"{what} used more than memory_mb={cap_mb:g} MiB; "
                                       "its child process was stopped (raise memory_mb to "
                                       "allow more)")


def _resident_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _kill(child: subprocess.Popen) -> None:
    """Kill the child and everything it started; reap it and close its pipes."""
    if child.poll() is None:
        try:
            if os.name == "posix":
                os.killpg(child.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                child.kill()
        except (ProcessLookupError, PermissionError):
            pass
    try:
        child.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):  # pragma: no cover
        child.kill()
        child.wait()


def _result(code: int, out: bytes, err: bytes, what: str, cap_mb: float) -> Any:
    """The child's value, or its exception raised here."""
    if code == _OVER_MEMORY:
        raise MemoryBudgetExceeded(f"{what} used more than memory_mb={cap_mb:g} MiB; "
                                   "its child process stopped (raise memory_mb to allow more)")
    if not out:  # no answer at all: the child crashed or was killed from outside
        lines = err.decode("utf-8", "replace").strip().splitlines()
        last = lines[-1] if lines else "no message"
        raise SymoptError(f"{what}: the child process ended with exit code {code} without a "
                          f"result ({last})")
    try:
        status, value = pickle.loads(out)
    except Exception as exc:  # noqa: BLE001 - e.g. an exception class that does not unpickle
        raise SymoptError(f"{what}: the answer of the child process could not be read "
                          f"({type(exc).__name__}: {exc})") from None
    if status == "ok":
        return value
    raise value


# -- children kept between calls (reuse=True) --------------------------------------------
# The first thing a kept child runs: read the parent's import path, then serve jobs.
_BOOT_KEPT = (
    "import pickle,sys;"
    "sys.path[:]=pickle.load(sys.stdin.buffer);"
    "from symopt.isolate import _kept_main;"
    "_kept_main()"
)
#: Idle kept children of this process, by memory cap (a child's macOS watchdog has one cap).
_IDLE: dict[float, list["_Kept"]] = {}
_IDLE_LOCK = threading.Lock()
_IDLE_OWNER = os.getpid()
#: Idle children kept per memory cap; more are closed when they come back.
_MAX_IDLE = 4
_HEADER = 8


class _Kept:
    """A child process that runs pickled jobs one after another, framed on its pipes."""

    def __init__(self, cap_mb: float) -> None:
        import tempfile
        self.cap_mb = cap_mb
        self.errors = tempfile.TemporaryFile()      # a pipe could fill up and block the child
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT_KEPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.errors, start_new_session=os.name == "posix")
        hello = pickle.dumps(list(sys.path), protocol=pickle.HIGHEST_PROTOCOL)
        hello += _frame(pickle.dumps((cap_mb, os.getpid()), protocol=pickle.HIGHEST_PROTOCOL))
        self._send(hello)

    def _send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def call(self, job: bytes, deadline: float, what: str, seconds: float) -> Any:
        """Send one job; its ``(status, value)`` answer, or an error after killing the child."""
        import select
        try:
            self._send(_frame(job))
        except OSError:
            return self._died(what)
        out = self.process.stdout
        assert out is not None
        fd = out.fileno()
        while True:
            wait = min(_POLL, max(deadline - time.monotonic(), 0.0))
            ready, _, _ = select.select([fd], [], [], wait)
            if ready:
                header = _read_exactly(fd, _HEADER)
                body = _read_exactly(fd, int.from_bytes(header, "little")) if header else b""
                if not header or body is None:
                    return self._died(what)
                try:
                    return pickle.loads(body)
                except Exception as exc:  # noqa: BLE001 - e.g. an exception that does not unpickle
                    raise SymoptError(f"{what}: the answer of the child process could not be "
                                      f"read ({type(exc).__name__}: {exc})") from None
            if time.monotonic() >= deadline:
                self.kill()
                raise BudgetExceeded(f"{what} did not finish within {seconds:.3g} s; "
                                     "its child process was stopped")
            if _resident_mb(self.process.pid) > self.cap_mb:
                self.kill()
                raise MemoryBudgetExceeded(f"{what} used more than memory_mb={self.cap_mb:g} "
                                           "MiB; its child process was stopped (raise "
                                           "memory_mb to allow more)")

    def _died(self, what: str) -> Any:
        """The child ended without an answer: raise why, as a fresh child would."""
        _kill(self.process)
        code = self.process.returncode
        if code == _OVER_MEMORY:
            self.errors.close()
            raise MemoryBudgetExceeded(f"{what} used more than memory_mb={self.cap_mb:g} MiB; "
                                       "its child process stopped (raise memory_mb to allow "
                                       "more)")
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        self.errors.close()
        last = lines[-1] if lines else "no message"
        raise SymoptError(f"{what}: the child process ended with exit code {code} without a "
                          f"result ({last})")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the child and everything it started; reap it and close its files."""
        _kill(self.process)
        self.errors.close()

    def close(self) -> None:
        """Ask an idle child to stop (end of its input), kill it if it does not."""
        try:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(_HEADER, "little") + data


def _read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd`` (blocking), or None at the end of the stream before that."""
    parts, got = [], 0
    while got < size:
        part = os.read(fd, min(size - got, 1 << 20))
        if not part:
            return None
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _take(cap_mb: float) -> _Kept:
    global _IDLE_OWNER
    with _IDLE_LOCK:
        if _IDLE_OWNER != os.getpid():   # a forked copy of this process: not its children
            _IDLE.clear()
            _IDLE_OWNER = os.getpid()
        idle = _IDLE.get(cap_mb, [])
        while idle:
            child = idle.pop()
            if child.alive():
                return child
            child.kill()
    return _Kept(cap_mb)


def _give_back(child: _Kept) -> None:
    if not child.alive() or _resident_mb(child.process.pid) > child.cap_mb / 2:
        child.close()
        return
    with _IDLE_LOCK:
        idle = _IDLE.setdefault(child.cap_mb, [])
        if _IDLE_OWNER == os.getpid() and len(idle) < _MAX_IDLE:
            idle.append(child)
            return
    child.close()


def close_children() -> None:
    """Stop the idle children that ``run_bounded(..., reuse=True)`` keeps for this process."""
    with _IDLE_LOCK:
        children = [c for idle in _IDLE.values() for c in idle] if _IDLE_OWNER == os.getpid() \
            else []
        _IDLE.clear()
    for child in children:
        child.close()


atexit.register(close_children)


def _run_warm(fn: Callable[..., T], args: tuple, kwargs: dict, seconds: float, cap_mb: float,
              what: str) -> T:
    """:func:`run_bounded` in a kept child: taken idle (or started), given back if healthy."""
    job = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    deadline = time.monotonic() + seconds
    child = _take(cap_mb)
    try:
        status, value = child.call(job, deadline, what, seconds)
    except BaseException:
        child.kill()     # over its time or memory, dead, or the caller was interrupted
        raise
    _give_back(child)
    if status == "ok":
        return value
    raise value


def _child_setup(cap_mb: float, parent: int):
    """In a child: the real stdout kept for answers (whatever a job prints goes to stderr),
    and watchers that stop the child when its parent dies or (macOS) its memory passes the cap."""
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    if os.name == "posix":
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
        if sys.platform == "darwin" and math.isfinite(cap_mb):  # pragma: no cover
            threading.Thread(target=_watch_peak, args=(cap_mb,), daemon=True).start()
    return result


def _kept_main() -> None:
    """Serve framed jobs from stdin until it ends; answer each, framed, on the real stdout."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    source = sys.stdin.buffer
    cap_mb, parent = pickle.loads(_read_frame(source) or b"")
    result = _child_setup(cap_mb, parent)
    while True:
        job = _read_frame(source)
        if job is None:
            os._exit(0)
        try:
            fn, args, kwargs = pickle.loads(job)
            message: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
            message = ("error", exc)
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)   # no alarm of this job reaches the next
        try:
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001
            data = pickle.dumps(("error", SymoptError(
                f"the result of the child process could not be pickled: {exc}")))
        result.write(_frame(data))
        result.flush()


def _read_frame(source: Any) -> bytes | None:
    header = source.read(_HEADER)
    if len(header) < _HEADER:
        return None
    size = int.from_bytes(header, "little")
    body = source.read(size)
    return body if len(body) == size else None


# -- the child's side --------------------------------------------------------------------
def _watch_parent(parent: int) -> None:
    """Stop this child soon after its parent has gone (the session would be orphaned)."""
    while True:
        time.sleep(0.25)
        if os.getppid() != parent:
            os._exit(1)


def _watch_peak(cap_mb: float) -> None:  # pragma: no cover - macOS
    """Stop this child when its peak resident memory passes the cap (no /proc)."""
    import resource

    while True:
        time.sleep(_POLL)
        if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20 > cap_mb:
            os._exit(_OVER_MEMORY)


def _child_main() -> None:
    """Run the pickled job from stdin; write ``(status, value)`` pickled to the real stdout."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    fn, args, kwargs, cap_mb, parent = pickle.load(sys.stdin.buffer)
    result = _child_setup(cap_mb, parent)
    try:
        message: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
        message = ("error", exc)
    try:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        data = pickle.dumps(("error", SymoptError(
            f"the result of the child process could not be pickled: {exc}")))
    result.write(data)
    result.flush()
    os._exit(0)
