"""The ``kustomize_snapshot`` fixture and ``--snapshot-update``."""
from __future__ import annotations

import pytest

from ..snapshot import Snapshot


def pytest_addoption(parser):
    try:
        parser.getgroup("kustomize").addoption(
            "--snapshot-update", action="store_true", default=False,
            help="rewrite kustomize render snapshots instead of comparing")
    except ValueError:   # another snapshot plugin (syrupy) already defines it
        pass


@pytest.fixture
def kustomize_snapshot(request) -> Snapshot:
    """``kustomize_snapshot.assert_match(resources)`` compares with a golden YAML file."""
    update = bool(request.config.getoption("snapshot_update", default=False))
    return Snapshot(str(request.path), request.node.name, update)
