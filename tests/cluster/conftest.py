"""One local cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok)
for every cluster test of the session."""
from __future__ import annotations

import pytest

from pytest_kustomize import tools
from pytest_kustomize.cluster import LocalApiServer
from pytest_kustomize.tools import require_tool

CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")


def require_control_plane() -> None:
    for name in CONTROL_PLANE:
        require_tool(name)
    if tools.tool_data("kwok-stages.yaml") is None:
        tools.missing("kwok's Stages (share/kwok-stages.yaml) are missing; install with: %s"
                      % tools.install_command("kwok"), ["kwok"])


@pytest.fixture
def control_plane_tools():
    """Skip (fail under CI=true) unless every control-plane tool is installed."""
    require_control_plane()


@pytest.fixture(scope="session")
def local_server():
    """The :class:`LocalApiServer` itself (its logs, its work directory)."""
    require_control_plane()
    server = LocalApiServer(controllers=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def local_cluster(local_server):
    return local_server.cluster
