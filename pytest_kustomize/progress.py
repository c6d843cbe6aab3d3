"""Progress of long operations — a Flux tree build, the search for CRDs in a repository, a
reconcile's wait for health, a whole-repository validation — told to whoever listens: the
pytest layer shows it through pytest's terminal reporter (hooks/progress.py), the command
line on stderr when it is a terminal. With nobody listening it costs a list look-up.

    with progress.task("Flux tree clusters/prod") as t:
        ...
        progress.step("flux-system/apps")      # one unit of the innermost task done
        t.summary = "78 Kustomizations built"

A listener is ``fn(event, task)`` with ``event`` one of ``start``, ``step``, ``end``; the one
registered last hears the events.
"""
from __future__ import annotations

import contextlib
import time

_listeners: list = []
_active: list = []


class Task:
    """One operation: ``label``, ``total`` (None when unknown), ``count`` done, ``detail``
    (the unit last done), ``summary`` (set before it ends), ``failed`` (it raised)."""

    def __init__(self, label: str, total: int | None = None):
        self.label, self.total = label, total
        self.count, self.detail, self.summary, self.failed = 0, "", "", False
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def step(self, detail: str = "", n: int = 1) -> None:
        self.count += n
        self.detail = detail
        _emit("step", self)

    def update(self, count: int, detail: str = "", total: int | None = None) -> None:
        """Set how far it is (a wait: how many objects are ready)."""
        self.count, self.detail = count, detail
        if total is not None:
            self.total = total
        _emit("step", self)

    def line(self) -> str:
        """``label: 3/7 detail`` while it runs; ``label: summary (1.2 s)`` at the end."""
        if self.summary or self.failed:
            return "%s: %s (%.1f s)" % (self.label, self.summary or "failed", self.elapsed)
        done = "%d/%d" % (self.count, self.total) if self.total is not None else \
            "%d done" % self.count
        return "%s: %s%s" % (self.label, done, " " + self.detail if self.detail else "")


def _emit(event: str, t: Task) -> None:
    # the newest listener only: a pytest session run inside another (pytester) shows its
    # own tasks, not the outer one too
    for fn in _listeners[-1:]:
        try:
            fn(event, t)
        except Exception:       # a broken display must not break the operation
            pass


@contextlib.contextmanager
def task(label: str, total: int | None = None):
    t = Task(label, total)
    _active.append(t)
    _emit("start", t)
    try:
        yield t
    except BaseException:
        t.failed = True
        raise
    finally:
        _active.remove(t)
        _emit("end", t)


def step(detail: str = "", n: int = 1) -> None:
    """One unit of the innermost running task done (nothing when none runs)."""
    if _active:
        _active[-1].step(detail, n)


def listening() -> bool:
    return bool(_listeners)


def listen(fn) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def unlisten(fn) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def stream_listener(stream, *, min_interval: float = 0.2):
    """A listener drawing one line that rewrites itself (``\\r``) on a terminal ``stream``,
    and leaving the final line of each task."""
    last = [0.0]

    def show(event, t):
        now = time.monotonic()
        if event == "step" and now - last[0] < min_interval:
            return
        last[0] = now
        end = "\n" if event == "end" else ""
        stream.write("\r\x1b[K%s%s" % (t.line(), end))
        stream.flush()
    return show
