"""Run a build where deeply nested input fits: kubectl renders documents nested ~10,000
levels deep, more than Python's default recursion limit (1,000) and an 8 MB thread stack
allow. ``run_deep`` runs a function in a worker thread with a large stack and a raised
recursion limit (restored afterwards); calls made inside it run directly."""
from __future__ import annotations

import sys
import threading

from ..errors import KustomizeError

STACK_BYTES = 768 << 20          # virtual: only the pages a deep document touches are used
RECURSION_LIMIT = 250_000
_state = threading.local()
_lock = threading.Lock()


def run_deep(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` on a deep stack; its result, or its exception re-raised."""
    if getattr(_state, "inside", False):
        return fn(*args, **kwargs)
    box: dict = {}

    def work():
        _state.inside = True
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as e:      # re-raised in the caller's thread below
            box["error"] = e

    with _lock:
        old_limit = sys.getrecursionlimit()
        old_size = threading.stack_size()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            try:
                threading.stack_size(STACK_BYTES)
                worker = threading.Thread(target=work, name="pytest-kustomize-build",
                                          daemon=True)
                worker.start()
            except (RuntimeError, ValueError, MemoryError):
                worker = None                   # no big stack here: run on this one
            finally:
                threading.stack_size(old_size)
            if worker is None:
                sys.setrecursionlimit(old_limit)
                return fn(*args, **kwargs)
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box["value"]


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
