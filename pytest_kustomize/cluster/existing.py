"""A cluster the user already has, given by a kubeconfig file (and optionally a context)."""
from __future__ import annotations

import os

import yaml

from .cluster import Cluster, ClusterError


class ExistingCluster:
    """:meth:`start` checks the API server answers ``/readyz`` and returns a
    :class:`Cluster`; :meth:`stop` leaves the cluster alone."""

    provider = "kubeconfig"

    def __init__(self, kubeconfig: str, context: str | None = None):
        self.kubeconfig = os.path.abspath(os.path.expanduser(kubeconfig))
        self.context = context
        self.cluster: Cluster | None = None

    def start(self) -> Cluster:
        if self.cluster is not None:
            return self.cluster
        try:
            with open(self.kubeconfig, encoding="utf-8") as f:
                cfg = yaml.safe_load(f) or {}
        except OSError as e:
            raise ClusterError("cannot read kubeconfig: %s" % e.strerror,
                               file=self.kubeconfig) from None
        except yaml.YAMLError as e:
            raise ClusterError("kubeconfig is not valid YAML: %s" % e,
                               file=self.kubeconfig) from None
        if not isinstance(cfg, dict):
            raise ClusterError("kubeconfig is not a mapping", file=self.kubeconfig)
        ctx_name = self.context or cfg.get("current-context")
        contexts = {c.get("name"): c.get("context") or {} for c in cfg.get("contexts") or []
                    if isinstance(c, dict)}
        if ctx_name not in contexts:
            raise ClusterError("context %r not found (have: %s)" % (
                ctx_name, ", ".join(sorted(map(str, contexts))) or "none"),
                file=self.kubeconfig, field="contexts")
        cluster_name = contexts[ctx_name].get("cluster")
        server = next((c.get("cluster", {}).get("server", "") for c in cfg.get("clusters") or []
                       if isinstance(c, dict) and c.get("name") == cluster_name), "")
        cluster = Cluster(str(ctx_name), self.kubeconfig, self.provider, server=server,
                          context=self.context)
        cluster.kubectl("get", "--raw", "/readyz", timeout=30)
        self.cluster = cluster
        return cluster

    def stop(self) -> None:
        self.cluster = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
