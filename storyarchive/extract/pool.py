"""A process pool for CPU-heavy extraction that an asyncio caller can await.

Work goes to worker processes so the Scrapy reactor never blocks on trafilatura. A worker
that dies (BrokenProcessPool) or hangs past the timeout costs one restart of the pool, not
the crawl: the pool is recreated, and each call that was in flight when a worker died is
run again alone in a one-worker pool, so only the input that kills a worker fails.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool, _RemoteTraceback
from typing import Any, TypeVar

from storyarchive.extract.parentdeath import die_with_parent

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Workers fork from a clean server process that has already imported the extractor, so
# they neither inherit the reactor's threads nor pay the import per worker.
# The fork server also dies with the crawl, even a crawl killed with kill -9.
_PRELOAD = ["storyarchive.extract", "storyarchive.extract.forkserver_child"]
# Isolated runs failing in a row before the start method, not the input, is blamed.
_SYSTEMIC_FAILURES = 3


class WorkerCrashedError(RuntimeError):
    """The worker running this call died (twice); the input probably crashes the parser."""


class WorkerTimeoutError(TimeoutError):
    """The call ran past the pool's timeout; its worker was killed and the pool restarted."""


class ExtractionPool:
    """workers=0 runs calls inline (debugging); otherwise a ProcessPoolExecutor.

    start_method: "forkserver" (default), "spawn" or "fork". timeout: seconds per call,
    None for no limit. `restarts` counts pool recreations.
    """

    def __init__(
        self, workers: int, timeout: float | None = None, start_method: str = "forkserver"
    ) -> None:
        if workers < 0:
            raise ValueError(f"workers must be >= 0, got {workers}")
        self.workers = workers
        self.timeout = timeout
        self.start_method = start_method
        self.restarts = 0
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0
        self._lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._failures_in_a_row = 0

    def start(self) -> None:
        if self.workers and self._executor is None:
            self._executor = self._new_executor()

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    @property
    def in_flight(self) -> int:
        """Calls handed to the pool and not finished: waiting for a worker or running in one
        (0 when calls run inline). Cheap, and safe to read from another thread."""
        # One entry per unfinished call in `_pending_work_items` (stable since Python 3.2),
        # looked up defensively like `_processes` in `_kill`.
        return len(getattr(self._executor, "_pending_work_items", None) or ())

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker; fn and args must pickle, and so must the result.

        Raises what fn raises, WorkerCrashedError or WorkerTimeoutError.
        """
        if not self.workers:
            return fn(*args)
        for _ in range(3):
            if self._executor is None:
                self.start()
            executor, generation = self._executor, self._generation
            assert executor is not None
            try:
                future = executor.submit(fn, *args)
                result = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except (CancelledError, asyncio.CancelledError):
                # Only our own restart cancels pool futures; anything else is the caller's.
                if self._generation == generation:
                    raise
                continue
            except TimeoutError:
                self._restart(generation, kill=True)
                raise WorkerTimeoutError(
                    f"extraction took longer than {self.timeout}s; the worker was stopped"
                ) from None
            except (BrokenProcessPool, OSError, EOFError) as exc:  # BrokenProcessPool is a RuntimeError
                if _raised_by_fn(exc):
                    raise
                # Every call in flight sees a dead worker, and nothing says whose input
                # did it: each is run again on its own, so only the culprit fails.
                self._restart(generation, kill=False)
                return await self._run_isolated(fn, *args)
            except RuntimeError as exc:  # submit after shutdown, racing a restart
                if _raised_by_fn(exc) or "shutdown" not in str(exc):
                    raise
                if self._generation == generation:
                    self._restart(generation, kill=False)
                continue
            self._failures_in_a_row = 0
            return result
        raise WorkerCrashedError("the extraction pool kept restarting during this call")

    async def _run_isolated(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) alone in a one-worker pool of its own, one suspect at a time."""
        async with self._isolation_lock():
            executor = self._new_executor(workers=1)
            try:
                future = executor.submit(fn, *args)
                result = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except TimeoutError:  # before OSError: TimeoutError is one
                _kill(executor)
                raise WorkerTimeoutError(
                    f"extraction took longer than {self.timeout}s; the worker was stopped"
                ) from None
            except (BrokenProcessPool, OSError, EOFError) as exc:
                if _raised_by_fn(exc):
                    raise
                self._note_failure()
                raise WorkerCrashedError(
                    "the extraction worker died on this input (a crash in the parser?)"
                ) from None
            finally:
                executor.shutdown(wait=False, cancel_futures=True)
            self._failures_in_a_row = 0
            return result

    def _note_failure(self) -> None:
        """Workers that die on input after input, with no success between, are not the
        inputs' fault: the start method is broken here (a dead fork server, a main module
        that cannot be re-imported). Fall back to plain fork, once."""
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= _SYSTEMIC_FAILURES and self.start_method != "fork":
            logger.error(
                "extraction workers keep dying with start method %r; falling back to 'fork'",
                self.start_method,
            )
            self.start_method = "fork"
            self._failures_in_a_row = 0
            self._restart(self._generation, kill=False)

    def _isolation_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock[0] is not loop:
            self._lock = (loop, asyncio.Lock())
        return self._lock[1]

    def _new_executor(self, workers: int | None = None) -> ProcessPoolExecutor:
        context = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            context.set_forkserver_preload(_PRELOAD)
        return ProcessPoolExecutor(max_workers=workers or self.workers, mp_context=context,
                                   initializer=die_with_parent)

    def _restart(self, generation: int, kill: bool) -> None:
        """Replace the pool, once per failure however many calls saw it."""
        if generation != self._generation:
            return
        old, self._executor = self._executor, self._new_executor()
        self._generation += 1
        self.restarts += 1
        logger.warning("extraction pool restarted (%s)", "worker hung" if kill else "worker died")
        if old is not None:
            if kill:  # a hung worker never finishes by itself
                _kill(old)
            old.shutdown(wait=False, cancel_futures=True)


def _raised_by_fn(exc: BaseException) -> bool:
    """Whether the exception was raised by the submitted function inside the worker (the
    pool attaches the worker's traceback as its cause), not by the pool machinery."""
    if isinstance(exc, BrokenProcessPool):  # carries the dead worker's traceback too
        return False
    return isinstance(exc.__cause__, _RemoteTraceback)


def _kill(executor: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor has no public way to stop a running call; its workers are
    # reachable through `_processes` (stable since Python 3.2), looked up defensively.
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()
