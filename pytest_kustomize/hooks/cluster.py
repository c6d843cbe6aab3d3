"""The ``kube_cluster`` session fixture: a real API server, and the options choosing it."""
from __future__ import annotations

import pytest

from .. import tools
from ..cluster import ClusterUnavailable, choose_provider
from .options import option


def pytest_addoption(parser):
    group = parser.getgroup("kustomize-cluster", "pytest-kustomize clusters (kube_cluster)")
    group.addoption("--kube-cluster", default=None,
                    choices=["auto", "kubeconfig", "kind", "local"],
                    help="where kube_cluster comes from: auto (default: --kube-config if "
                    "given, else kind if Docker works, else a local kube-apiserver + etcd)")
    group.addoption("--kube-config", default=None,
                    help="kubeconfig of an existing cluster for kube_cluster (never taken "
                    "from $KUBECONFIG: tests change the cluster)")
    group.addoption("--kube-context", default=None, help="context in --kube-config")
    group.addoption("--kind-cluster-name", default=None,
                    help="name of the kind cluster to create or reuse")
    parser.addini("kube_cluster", "auto, kubeconfig, kind or local", default="auto")
    parser.addini("kind_cluster_name", "kind cluster name", default="pytest-kustomize")


@pytest.fixture(scope="session")
def kube_cluster(pytestconfig):
    """A real API server for the session (see docs/cluster.md): a
    :class:`pytest_kustomize.cluster.Cluster` with ``kubeconfig``, ``apply``, ``get`` and
    ``kubectl``. Skips (fails in CI) when no provider can run here. Under pytest-xdist
    each worker has its own (the local API server, or the kind cluster ``NAME-gwN``); a
    ``--kube-config`` cluster is shared by all workers (see docs/xdist.md)."""
    kind_name = option(pytestconfig, "kind_cluster_name")
    worker = getattr(pytestconfig, "workerinput", {}).get("workerid")
    if worker:                       # pytest-xdist: one kind cluster per worker
        kind_name = "%s-%s" % (kind_name, worker)
    try:
        provider = choose_provider(
            option(pytestconfig, "kube_cluster", "auto"),
            kubeconfig=pytestconfig.getoption("kube_config"),
            context=pytestconfig.getoption("kube_context"),
            kind_name=kind_name)
    except ClusterUnavailable as e:
        tools.missing(str(e), ["etcd", "kube-apiserver"])
    with provider as cluster:
        yield cluster
