"""One local etcd + kube-apiserver for every cluster test of the session."""
from __future__ import annotations

import pytest

from pytest_kustomize.cluster import LocalApiServer
from pytest_kustomize.tools import require_tool


@pytest.fixture(scope="session")
def local_cluster():
    require_tool("etcd")
    require_tool("kube-apiserver")
    with LocalApiServer() as cluster:
        yield cluster
