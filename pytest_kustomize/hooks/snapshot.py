"""The ``kustomize_snapshot`` fixture; ``--kustomize-snapshot-update`` and
``--kustomize-snapshot-ci`` (with the short aliases ``--snapshot-update``/``--snapshot-ci``
only when no other snapshot plugin is installed); unused snapshot files reported at the end
of a run (removed when updating)."""
from __future__ import annotations

import importlib.util
import os

import pytest

from ..snapshot import Snapshot, unused_snapshots
from .options import option

# plugins known to define --snapshot-update themselves
OTHER_SNAPSHOT_PLUGINS = ("syrupy", "pytest_snapshot", "snapshottest")

_USED = pytest.StashKey[set]()
_NOT_PASSED = pytest.StashKey[set]()       # node ids that failed, skipped or did not run
_DESELECTED = pytest.StashKey[set]()       # test files with deselected items


def _other_snapshot_plugin(pluginmanager) -> bool:
    for name in OTHER_SNAPSHOT_PLUGINS:
        if pluginmanager.is_blocked(name):
            continue
        if pluginmanager.has_plugin(name) or importlib.util.find_spec(name) is not None:
            return True
    return False


def pytest_addoption(parser, pluginmanager):
    group = parser.getgroup("kustomize")
    short = not _other_snapshot_plugin(pluginmanager)
    for long, alias, dest, text in (
            ("--kustomize-snapshot-update", "--snapshot-update", "kustomize_snapshot_update",
             "rewrite kustomize render snapshots and remove unused ones"),
            ("--kustomize-snapshot-ci", "--snapshot-ci", "kustomize_snapshot_ci",
             "fail on a missing snapshot instead of writing it (default when CI=true)")):
        names = [long, alias] if short else [long]
        try:
            group.addoption(*names, action="store_true", default=None, dest=dest, help=text)
        except ValueError:    # the alias was taken by a plugin registered earlier
            group.addoption(long, action="store_true", default=None, dest=dest, help=text)
    parser.addini("kustomize_snapshot_ci", "fail on a missing snapshot instead of writing it",
                  type="bool", default=False)


def ci_mode(config) -> bool:
    """CI mode: ``--kustomize-snapshot-ci``, ini ``kustomize_snapshot_ci`` or ``CI=true``."""
    if option(config, "kustomize_snapshot_ci", False):
        return True
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_configure(config):
    config.stash[_USED] = set()
    config.stash[_NOT_PASSED] = set()
    config.stash[_DESELECTED] = set()


@pytest.fixture
def kustomize_snapshot(request) -> Snapshot:
    """``kustomize_snapshot.assert_match(resources)`` compares with a golden YAML file named
    after the test's node id."""
    config = request.config
    name = request.node.nodeid.split("::", 1)[1] if "::" in request.node.nodeid \
        else request.node.name
    return Snapshot(str(request.path), name, bool(option(config, "kustomize_snapshot_update")),
                    ci_mode(config), config.stash[_USED])


def pytest_deselected(items):
    for item in items:
        item.config.stash[_DESELECTED].add(str(item.path))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed or (report.skipped and call.when != "teardown"):
        item.config.stash[_NOT_PASSED].add(item.nodeid)
    return report


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput") or getattr(config.option, "numprocesses", None):
        return                # under xdist no process sees every test of a file
    session = terminalreporter._session
    if session is None or session.shouldfail or session.shouldstop:
        return
    ran = {r.nodeid for key in ("passed", "failed", "skipped", "error", "xfailed", "xpassed")
           for r in terminalreporter.stats.get(key, [])}
    by_file: dict = {}
    for item in session.items:
        by_file.setdefault(str(item.path), []).append(item)
    unused = []
    for path, items in sorted(by_file.items()):
        if path in config.stash[_DESELECTED] or any(i.nodeid not in ran for i in items):
            continue
        protected = [i.nodeid.split("::", 1)[1] for i in items
                     if i.nodeid in config.stash[_NOT_PASSED] and "::" in i.nodeid]
        unused += unused_snapshots(path, config.stash[_USED], protected)
    if not unused:
        return
    update = bool(option(config, "kustomize_snapshot_update"))
    terminalreporter.section("kustomize snapshots")
    for p in unused:
        if update:
            os.remove(p)
        terminalreporter.line("%s %s" % ("removed unused" if update else "unused",
                                         os.path.relpath(p, str(config.invocation_params.dir))))
    if not update:
        terminalreporter.line("%d unused snapshot file(s); --kustomize-snapshot-update removes "
                              "them" % len(unused))
