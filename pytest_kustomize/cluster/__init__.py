"""Real API servers for tests: a kubeconfig you give, a kind cluster, or etcd + kube-apiserver
(+ controllers and kwok) started locally, and the reconcile-and-prune cycle on any of them.
:func:`choose_provider` picks one; each provider's ``start()`` returns a :class:`Cluster`
and ``stop()`` tears down what it started."""
from __future__ import annotations

from .. import tools
from ..errors import ReconcileError
from .client import KubeClient
from .cluster import Cluster, ClusterError, ClusterUnavailable
from .diff import DiffResult
from .existing import ExistingCluster
from .kind import KindCluster, container_engine_works
from .local import LocalApiServer
from .reconcile import ReconcileResult

__all__ = ["Cluster", "ClusterError", "ClusterUnavailable", "DiffResult", "ExistingCluster",
           "KindCluster", "KubeClient", "LocalApiServer", "ReconcileError", "ReconcileResult",
           "choose_provider", "PROVIDERS"]

PROVIDERS = ("auto", "kubeconfig", "kind", "local")


def choose_provider(provider: str = "auto", *, kubeconfig: str | None = None,
                    context: str | None = None, kind_name: str = "pytest-kustomize"):
    """The provider to use. ``auto``: the given kubeconfig, else kind when kind and a
    container engine work, else the local kube-apiserver; ``ClusterUnavailable`` (saying
    what to install) when none can run."""
    if provider not in PROVIDERS:
        raise ClusterError("unknown cluster provider %r (choose from %s)"
                           % (provider, ", ".join(PROVIDERS)))
    if provider == "kubeconfig" or (provider == "auto" and kubeconfig):
        if not kubeconfig:
            raise ClusterUnavailable("the kubeconfig provider needs --kube-config PATH")
        return ExistingCluster(kubeconfig, context)
    if provider == "kind":
        return KindCluster(kind_name)
    if provider == "local":
        return LocalApiServer()
    why = []
    if tools.find_tool("kind"):
        ok, reason = container_engine_works()
        if ok:
            return KindCluster(kind_name)
        why.append("kind: " + reason)
    else:
        why.append("kind: not installed (%s)" % tools.install_command("kind"))
    try:
        return LocalApiServer()
    except ClusterUnavailable as e:
        why.append("local: " + e.message)
    raise ClusterUnavailable("no cluster provider can run here (%s)" % "; ".join(why))
