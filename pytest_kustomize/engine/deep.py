"""Run a build where deeply nested input fits: kubectl renders documents nested ~10,000
levels deep, more than Python's default recursion limit (1,000) and an 8 MB thread stack
allow. ``run_deep`` runs a function in a worker thread with a large stack and a raised
recursion limit (restored afterwards); calls made inside it run directly. The thread is
started once and kept."""
from __future__ import annotations

import gc
import os
import queue
import sys
import threading

from ..errors import KustomizeError

STACK_BYTES = 768 << 20          # virtual: only the pages a deep document touches are used
RECURSION_LIMIT = 250_000
_state = threading.local()
_lock = threading.Lock()


def run_deep(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` on a deep stack, with the cyclic garbage collector paused (a
    build makes millions of acyclic objects: collections took 13% of a CRD-heavy render);
    its result, or its exception re-raised."""
    if getattr(_state, "inside", False):
        return fn(*args, **kwargs)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_deep(fn, args, kwargs)
    finally:
        if collecting:
            _promote_young()
            gc.enable()


def _promote_young() -> None:
    """Move the objects made since the last collection (the build's output: big acyclic
    trees the caller is about to use) into the oldest generation without scanning them,
    as a collection that finds no garbage would: a scan right after re-enabling took ~8% of
    a CRD-heavy render. Nothing is frozen for good (skipped if the program froze objects)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


class _Worker:
    """One long-lived thread with the large stack that runs the builds handed to it, one at a
    time (starting a thread per build cost ~7% of a 315-directory ``build --all``)."""

    def __init__(self):
        self.pid = os.getpid()          # a forked child has no such thread: it starts its own
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        old_size = threading.stack_size()
        try:
            threading.stack_size(STACK_BYTES)
            threading.Thread(target=self._loop, name="pytest-kustomize-build",
                             daemon=True).start()
        finally:
            threading.stack_size(old_size)

    def _loop(self) -> None:
        _state.inside = True
        while True:
            fn, args, kwargs = self.inbox.get()
            try:
                result = (True, fn(*args, **kwargs))
            except BaseException as e:      # re-raised in the caller's thread
                result = (False, e)
            del fn, args, kwargs
            self.outbox.put(result)
            del result

    def run(self, fn, args, kwargs):
        self.inbox.put((fn, args, kwargs))
        return self.outbox.get()


_worker: _Worker | None = None


def _run_deep(fn, args, kwargs):
    global _worker
    with _lock:
        old_limit = sys.getrecursionlimit()
        try:
            if _worker is None or _worker.pid != os.getpid():
                try:
                    _worker = _Worker()
                except (RuntimeError, ValueError, MemoryError):
                    _worker = None              # no big stack here: run on this one
                    return fn(*args, **kwargs)
            sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
            worker = _worker
            try:
                ok, value = worker.run(fn, args, kwargs)
            except BaseException:
                # interrupted while waiting: that build's result would reach the next
                # caller, so the worker is left to finish it alone and a new one starts
                _worker = None
                raise
        finally:
            sys.setrecursionlimit(old_limit)
    if not ok:
        raise value
    return value


def guarded(where: str, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` on a deep stack (documents nested thousands of levels), with
    any exception that is not the project's own turned into a KustomizeError naming
    ``where`` (the original kept as ``__cause__``): none other may leave the public API."""
    try:
        return run_deep(fn, *args, **kwargs)
    except KustomizeError:
        raise
    except RecursionError as e:
        raise KustomizeError("input nested too deeply to process", file=where) from e
    except MemoryError as e:
        raise KustomizeError("out of memory while building", file=where) from e
    except Exception as e:
        raise KustomizeError("internal error (%s: %s); please report it with this input"
                             % (type(e).__name__, e), file=where) from e
