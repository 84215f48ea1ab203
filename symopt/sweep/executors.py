"""Where a sweep's tasks run: in-process, any concurrent.futures Executor, or Dask.

:func:`backend_of` turns the user's ``executor=`` into a :class:`Backend` with one method,
:meth:`Backend.map_unordered`, that yields ``(item, result)`` pairs as tasks finish. The
serial backend runs them one after the other in this process; the others submit them all and
cancel what is left when the caller stops early (an error, Ctrl-C).
"""

from __future__ import annotations

import sys
import uuid
from collections import deque
from concurrent.futures import Executor, as_completed
from typing import Any, Callable, Iterable, Iterator, TypeVar

__all__ = ["Backend", "Pipeline", "run_batch", "backend_of", "is_dask_client", "announce_dashboard"]

T = TypeVar("T")

DASK_HINT = 'Dask is an optional extra: pip install "symopt[dask]"'


def is_dask_client(executor: Any) -> bool:
    """Is ``executor`` a ``dask.distributed.Client`` (checked without importing Dask)?"""
    return any(cls.__module__.startswith("distributed") and cls.__name__ == "Client"
               for cls in type(executor).__mro__)


def run_batch(function: Callable[..., T], items: list) -> list[T]:
    """``[function(item) for item in items]``: one executor task doing several small ones."""
    return [function(item) for item in items]


class Pipeline:
    """Batches of tasks submitted at any time, yielded as ``(items, results)`` when done.

    More batches may be submitted while iterating (the runs of a loss once its analysis is
    in); the iteration ends when nothing is pending. In this process (the serial backend)
    each batch runs when the iteration reaches it, one item at a time, and each item is
    yielded on its own as soon as it is done.
    """

    def __init__(self, backend: "Backend") -> None:
        self.backend = backend
        self.queue: deque[tuple[Callable[..., Any], list]] = deque()

    def submit(self, function: Callable[..., Any], items: list, key: str) -> None:
        if items:
            self.queue.append((function, list(items)))

    def __iter__(self) -> Iterator[tuple[list, list]]:
        while self.queue:
            function, items = self.queue.popleft()
            for item in items:
                yield [item], [function(item)]

    def cancel(self) -> None:
        self.queue.clear()


class _FuturesPipeline(Pipeline):
    def __init__(self, backend: "_Futures") -> None:
        super().__init__(backend)
        self.pending: dict[Any, list] = {}

    def submit(self, function: Callable[..., Any], items: list, key: str) -> None:
        if items:
            future = self.backend.executor.submit(run_batch, function, list(items))
            self.pending[future] = list(items)

    def __iter__(self) -> Iterator[tuple[list, list]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        while self.pending:
            done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
            for future in done:
                yield self.pending.pop(future), future.result()

    def cancel(self) -> None:
        for future in self.pending:
            future.cancel()
        self.pending.clear()


class _DaskPipeline(Pipeline):
    def __init__(self, backend: "_Dask") -> None:
        super().__init__(backend)
        from distributed import as_completed as dask_completed
        self.run_id = uuid.uuid4().hex[:8]   # a re-run never meets a cancelled key of this one
        self.pending: dict[Any, list] = {}
        self.finished = dask_completed([], with_results=True)   # fetched as they finish

    def submit(self, function: Callable[..., Any], items: list, key: str) -> None:
        if items:
            future = self.backend.client.submit(run_batch, function, list(items),
                                                key=f"symopt-{key[:16]}-{self.run_id}",
                                                pure=False)
            self.pending[future] = list(items)
            self.finished.add(future)

    def __iter__(self) -> Iterator[tuple[list, list]]:
        while self.pending:
            future, results = next(self.finished)
            # let go of the finished future: its results leave the worker's memory
            yield self.pending.pop(future), results

    def cancel(self) -> None:
        pending = [future for future in self.pending if not future.done()]
        self.pending.clear()
        if pending:
            self.backend.client.cancel(pending)


class Backend:
    """Runs ``function(item)`` for each item, in this process, in order."""

    name = "serial"
    dashboard: str | None = None

    def map_unordered(self, function: Callable[..., T], items: Iterable[Any],
                      key: Callable[[Any], str]) -> Iterator[tuple[Any, T]]:
        for item in items:
            yield item, function(item)

    def pipeline(self) -> Pipeline:
        """A :class:`Pipeline` of batches on this backend."""
        return Pipeline(self)

    def close(self) -> None:
        """Release what the backend started (a Dask client it connected itself)."""


class _Futures(Backend):
    name = "concurrent.futures"

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def pipeline(self) -> Pipeline:
        return _FuturesPipeline(self)

    def map_unordered(self, function: Callable[..., T], items: Iterable[Any],
                      key: Callable[[Any], str]) -> Iterator[tuple[Any, T]]:
        futures = {self.executor.submit(function, item): item for item in items}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()


class _Dask(Backend):
    name = "dask"

    def __init__(self, client: Any, owned: bool) -> None:
        self.client = client
        self.owned = owned
        try:                 # a link only when the scheduler serves a dashboard
            served = "dashboard" in client.scheduler_info().get("services", {})
        except Exception:  # noqa: BLE001 - no link is better than no sweep
            served = False
        self.dashboard = getattr(client, "dashboard_link", None) if served else None

    def map_unordered(self, function: Callable[..., T], items: Iterable[Any],
                      key: Callable[[Any], str]) -> Iterator[tuple[Any, T]]:
        from distributed import as_completed as dask_completed
        run_id = uuid.uuid4().hex[:8]         # a re-run never meets a cancelled key of this one
        futures = {self.client.submit(function, item, key=f"symopt-{key(item)[:16]}-{run_id}",
                                      pure=False): item
                   for item in items}
        finished = dask_completed(futures, with_results=True)   # fetched as they finish
        try:
            for future, result in finished:
                # let go of the finished future: its result leaves the worker's memory
                yield futures.pop(future), result
        finally:
            pending = [future for future in futures if not future.done()]
            if pending:
                self.client.cancel(pending)

    def pipeline(self) -> Pipeline:
        return _DaskPipeline(self)

    def close(self) -> None:
        if self.owned:
            self.client.close()


def backend_of(executor: Any) -> Backend:
    """The backend for ``executor``: None, an Executor, a Dask Client or a scheduler address."""
    if executor is None:
        return Backend()
    if isinstance(executor, Executor):
        return _Futures(executor)
    if is_dask_client(executor):
        return _Dask(executor, owned=False)
    if isinstance(executor, str):
        try:
            from distributed import Client
        except ImportError:
            raise ImportError(f"executor={executor!r} is a Dask scheduler address, but Dask is "
                              f"not installed. {DASK_HINT}") from None
        try:
            client = Client(executor, timeout=30)
        except (OSError, TimeoutError) as error:
            raise ConnectionError(f"could not reach the Dask scheduler at {executor!r} "
                                  f"({error}); check the address (e.g. tcp://host:8786) and "
                                  "that the scheduler is running") from None
        return _Dask(client, owned=True)
    raise TypeError(f"executor must be None (serial), a concurrent.futures.Executor, a "
                    f"dask.distributed.Client or a scheduler address; got "
                    f"{type(executor).__name__}")


def announce_dashboard(backend: Backend) -> None:
    """Print Dask's dashboard link (to stderr) when there is one."""
    if backend.dashboard:
        print(f"symopt sweep: Dask dashboard at {backend.dashboard}", file=sys.stderr)
