"""Wait until applied objects are Current (kstatus), as kustomize-controller's ``wait: true``
health check does: poll, stop early when one is Failed, and name every object that is not
Current when the time is up."""
from __future__ import annotations

import time

from .. import progress
from ..errors import ReconcileError
from . import status as kstatus
from .client import KubeClient


def statuses(client: KubeClient, entries) -> dict:
    """{entry: (status, message)} for inventory entries, read from the server now."""
    out = {}
    for e in entries:
        live = client.get(e.api_version, e.kind, e.name, e.namespace or None)
        st = kstatus.compute(live)
        if st[0] == kstatus.NOT_FOUND and e.kind == "Job" and e.group == "batch":
            st = (kstatus.CURRENT, "Job finished and was deleted (ttlSecondsAfterFinished)")
        out[e] = st
    return out


def wait_for(client: KubeClient, entries, *, timeout: float = 60, interval: float = 0.5,
             fail_fast: bool = True) -> dict:
    """Poll until every entry is Current; returns the last statuses. On timeout (or, with
    ``fail_fast``, as soon as one is Failed) raise :class:`ReconcileError` naming each object
    that is not Current with its status and message."""
    entries = list(entries)
    with progress.task("waiting for %d objects to be Current" % len(entries),
                       len(entries)) as t:
        got = _poll(client, entries, t, timeout, interval, fail_fast)
        t.summary = "%d objects Current" % len(entries)
        return got


def _poll(client, entries, t, timeout, interval, fail_fast) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = statuses(client, entries)
        pending = {e: st for e, st in got.items() if st[0] != kstatus.CURRENT}
        t.update(len(entries) - len(pending), "(%s: %s)" % (
            min(pending).id, pending[min(pending)][0]) if pending else "")
        if not pending:
            return got
        failed = {e: st for e, st in pending.items() if st[0] == kstatus.FAILED}
        if failed and fail_fast:
            raise ReconcileError("failed early due to stalled resources: [%s]"
                                 % _describe(failed))
        if time.monotonic() >= deadline:
            raise ReconcileError("timeout waiting for: [%s]" % _describe(pending))
        time.sleep(interval)


def _describe(pending: dict) -> str:
    return ", ".join("%s status: '%s': %s" % (e.id, st[0], st[1])
                     for e, st in sorted(pending.items()))
