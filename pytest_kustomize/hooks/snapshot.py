"""The ``kustomize_snapshot`` fixture and its update option: ``--kustomize-snapshot-update``,
also spelled ``--snapshot-update`` unless syrupy (which owns that name) is active."""
from __future__ import annotations

import os
from importlib.metadata import entry_points

import pytest

from ..snapshot import Snapshot


def _syrupy_active(pluginmanager) -> bool:
    """Will syrupy's plugin (which adds --snapshot-update too) be loaded in this session?"""
    if pluginmanager.is_blocked("syrupy"):
        return False
    if pluginmanager.has_plugin("syrupy"):
        return True
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(ep.name == "syrupy" for ep in entry_points(group="pytest11"))


def pytest_addoption(parser, pluginmanager):
    names = ["--kustomize-snapshot-update"]
    if not _syrupy_active(pluginmanager):
        names.insert(0, "--snapshot-update")
    parser.getgroup("kustomize").addoption(
        *names, action="store_true", default=False, dest="kustomize_snapshot_update",
        help="rewrite kustomize render snapshots instead of comparing")


@pytest.fixture
def kustomize_snapshot(request) -> Snapshot:
    """``kustomize_snapshot.assert_match(resources)`` compares with a golden YAML file."""
    update = bool(request.config.getoption("kustomize_snapshot_update"))
    return Snapshot(str(request.path), request.node.name, update)
