"""The one process pool zwgk uses for big batches (scoring, issuing workbooks), and Ctrl-C.

* Workers ignore SIGINT (Ctrl-C reaches every process of the terminal's group): only the
  parent decides what an interrupt does, so no worker prints a traceback or dies holding a
  lock of the pool's queues.
* On any exception in the parent, and on an interrupt, the queued work is cancelled, the
  workers are ended and nothing waits for them: the command stops at once, no process is left.
* :data:`START_METHOD` chooses how workers start (``None``: the platform's way; tests try
  ``"spawn"``, the only way on Windows).

:func:`deferred_sigint` holds back a Ctrl-C for a short step that must not be cut in two (moving
a run's outputs into place); the interrupt happens right after it.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import InvalidStateError, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

START_METHOD: str | None = None
GRACE_SECONDS = 1.0  # how long an ended worker is waited for


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked while the pool started (see process_pool)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def process_pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """A :class:`ProcessPoolExecutor` of ``jobs`` workers that never outlives an exception.

    Submit the work (``pool.map``) inside :func:`starting_workers`, so that an interrupt while
    the workers start is held back until they ignore it themselves.
    """
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=_start_worker,
        initargs=(initializer, initargs),
    )
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        workers = [p for p in multiprocessing.active_children() if p not in before]
        # Workers finish the little work already handed to them (milliseconds a file) and leave
        # on their own; only one still busy after the grace period is ended.
        deadline = time.monotonic() + GRACE_SECONDS
        for p in workers:
            p.join(max(0.0, deadline - time.monotonic()))
        stragglers = [p for p in workers if p.is_alive()]
        with _quiet_broken_pool():
            for p in stragglers:
                p.terminate()
            for p in stragglers:
                p.join(GRACE_SECONDS)
            # With its workers gone the pool's manager thread winds up at once; waiting for it
            # here keeps it from racing the interpreter's exit (Python 3.11 then prints an OSError).
            pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)


@contextmanager
def _quiet_broken_pool() -> Iterator[None]:
    """While workers are being ended: Python 3.11's pool manager thread, finding its workers
    gone, sets an exception on every queued future, including those the interrupt has just
    cancelled, and dies printing ``InvalidStateError`` (fixed in later Pythons).  That thread's
    error is expected here and not printed; any other thread's error still is."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is InvalidStateError:
            return
        previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


@contextmanager
def starting_workers() -> Iterator[None]:
    """Hold back Ctrl-C while workers start: a forked worker inherits the deferring handler, a
    spawned one (POSIX) the blocked signal, until :func:`_start_worker` ignores it."""
    blocked = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    with deferred_sigint():
        if blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            if blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def deferred_sigint() -> Iterator[None]:
    """Run the block whole: a Ctrl-C during it takes effect right after it (outside the main
    thread, where signals cannot be handled, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, Any]] = []

    def hold(signum: int, frame: Any) -> None:
        caught.append((signum, frame))

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(*caught[0])
        elif caught and previous == signal.SIG_DFL:
            raise KeyboardInterrupt
