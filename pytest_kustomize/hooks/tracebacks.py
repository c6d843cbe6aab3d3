"""Short failures: when a test fails with a :class:`~pytest_kustomize.errors.KustomizeError`
or an assertion raised inside the plugin (assertion helpers, snapshots), the plugin's and the
engine's frames are hidden and the exception chain is dropped, so the failure shows the
test's own line and the one-line error naming the file and field. ``--full-trace`` shows
everything."""
from __future__ import annotations

import os
import types

import pytest

from ..errors import KustomizeError

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _inside_package(tb) -> bool:
    path = os.path.abspath(tb.tb_frame.f_code.co_filename)
    return path.startswith(PACKAGE_DIR + os.sep)


def _without_package_frames(tb):
    """A new raw traceback chain without the package's frames (pytest re-reads the raw
    chain when it cuts a traceback, so filtering its Traceback object is not enough)."""
    kept = []
    while tb is not None:
        if not _inside_package(tb):
            kept.append(tb)
        tb = tb.tb_next
    new = None
    for t in reversed(kept):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return new


def shorten(excinfo):
    """``excinfo`` without the package's frames (and, for a KustomizeError, without the
    chain); None when it is to be shown as it is."""
    value = excinfo.value
    if not isinstance(value, (KustomizeError, AssertionError)):
        return None                 # a bug in the plugin: keep every frame
    last = excinfo.tb
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    if last is None or not _inside_package(last):
        return None                 # raised by the test itself
    if isinstance(value, KustomizeError):
        value.__suppress_context__ = True
        value.__cause__ = None
    tb = _without_package_frames(excinfo.tb)
    return None if tb is None else pytest.ExceptionInfo.from_exc_info((type(value), value, tb))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    if call.excinfo is not None and not item.config.getoption("fulltrace", False):
        call.excinfo = shorten(call.excinfo) or call.excinfo
    return (yield)
