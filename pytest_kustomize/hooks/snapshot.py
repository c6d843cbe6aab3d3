"""The ``kustomize_snapshot`` fixture and ``--snapshot-update``."""
from __future__ import annotations

import importlib.metadata

import pytest

from ..snapshot import Snapshot


def _other_snapshot_plugin() -> bool:
    """True when another installed pytest plugin (syrupy) owns ``--snapshot-update``."""
    return any(ep.name == "syrupy" or ep.value.startswith("syrupy")
               for ep in importlib.metadata.entry_points(group="pytest11"))


def pytest_addoption(parser):
    names = ["--kustomize-snapshot-update"]
    if not _other_snapshot_plugin():   # with syrupy, its --snapshot-update is its own
        names.append("--snapshot-update")
    parser.getgroup("kustomize").addoption(
        *names, action="store_true", default=False, dest="kustomize_snapshot_update",
        help="rewrite kustomize render snapshots instead of comparing")


@pytest.fixture
def kustomize_snapshot(request) -> Snapshot:
    """``kustomize_snapshot.assert_match(resources)`` compares with a golden YAML file."""
    update = bool(request.config.getoption("kustomize_snapshot_update", default=False))
    return Snapshot(str(request.path), request.node.name, update)
