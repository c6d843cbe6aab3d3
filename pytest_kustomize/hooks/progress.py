"""Progress of long operations (progress.py: Flux trees, the CRD search, a reconcile's wait)
through pytest's terminal reporter. ``--kustomize-progress``: ``auto`` (default) draws a
live line on a terminal and leaves a line for every task that took 2 s or more; ``always``
leaves a line for every task (a start line, and the end line with its summary and time);
``never``."""
from __future__ import annotations

import time

import pytest

from .. import progress

_LISTENER = pytest.StashKey[object]()
SLOW = 2.0          # seconds: in auto mode, a task at least this long leaves its line


def pytest_addoption(parser):
    group = parser.getgroup("kustomize-progress", "pytest-kustomize progress")
    group.addoption("--kustomize-progress", choices=["auto", "always", "never"],
                    default="auto", help="progress of Flux tree builds, the CRD search and "
                    "reconcile waits: auto (live on a terminal, slow ones kept), always, never")


class ReporterListener:
    """Writes through the terminal reporter, output capturing suspended (a wait inside a
    test shows on the terminal, not in the test's captured output)."""

    def __init__(self, tr, mode: str, capman=None):
        self.tr, self.mode, self.capman = tr, mode, capman
        self.live = mode != "never" and getattr(tr, "isatty", False)
        self.last = 0.0

    def __call__(self, event, t):
        if self.mode == "never":
            return None
        if self.capman is None:
            return self._show(event, t)
        with self.capman.global_and_fixture_disabled():
            return self._show(event, t)

    def _show(self, event, t):
        tr = self.tr
        if event == "start" and self.mode == "always":
            tr.write_line("kustomize: %s ..." % t.label)
        elif event == "step" and self.live:
            now = time.monotonic()
            if now - self.last >= 0.2:
                self.last = now
                tr.rewrite("kustomize: %s" % t.line(), erase=True)
        elif event == "end":
            if self.live:
                tr.rewrite("", erase=True)
            if self.mode == "always" or (self.mode == "auto" and t.elapsed >= SLOW):
                tr.write_line("kustomize: %s" % t.line(), red=t.failed)


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    tr = config.pluginmanager.get_plugin("terminalreporter")
    mode = config.getoption("kustomize_progress", "auto")
    if tr is None or hasattr(config, "workerinput"):
        return
    # "never" listens too, silently: a session inside another is not shown by the outer one
    listener = ReporterListener(tr, mode, config.pluginmanager.get_plugin("capturemanager"))
    config.stash[_LISTENER] = listener
    progress.listen(listener)


def pytest_unconfigure(config):
    listener = config.stash.get(_LISTENER, None)
    if listener is not None:
        progress.unlisten(listener)
