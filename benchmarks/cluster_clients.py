"""Server-side apply of a few hundred objects with the two maintained Python Kubernetes
clients, the official ``kubernetes`` DynamicClient and ``lightkube``, against a local
etcd + kube-apiserver (``scripts/install-tools etcd kube-apiserver``).

    python3 benchmarks/cluster_clients.py [--objects 300] [--repeat 3]

Per client: client setup (kubeconfig + discovery), first apply (creates), a second apply
of the same objects (no changes), a server-side dry-run of them, one GET each and one
DELETE each; wall-clock seconds, best of ``--repeat``. Each round uses its own namespace.
Also reported: import time of each client module.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pytest_kustomize.cluster import LocalApiServer  # noqa: E402

MANAGER = "pytest-kustomize-bench"


def objects(n: int, ns: str) -> list:
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append({"apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": {"name": "web-%d" % i, "namespace": ns,
                                     "labels": {"app": "web-%d" % i}},
                        "spec": {"replicas": 1,
                                 "selector": {"matchLabels": {"app": "web-%d" % i}},
                                 "template": {"metadata": {"labels": {"app": "web-%d" % i}},
                                              "spec": {"containers": [
                                                  {"name": "c", "image": "nginx:1.27",
                                                   "ports": [{"containerPort": 80}]}]}}}})
        elif i % 3 == 1:
            out.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": "svc-%d" % i, "namespace": ns},
                        "spec": {"selector": {"app": "web"},
                                 "ports": [{"port": 80, "targetPort": 8080}]}})
        else:
            out.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "cm-%d" % i, "namespace": ns},
                        "data": {"k%d" % j: "v" * 40 for j in range(10)}})
    return out


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


class Official:
    name = "kubernetes %s DynamicClient"

    def __init__(self, kubeconfig):
        from kubernetes import config, dynamic
        self.name = self.name % importlib.import_module("kubernetes").__version__
        self.dyn = dynamic.DynamicClient(config.new_client_from_config(config_file=kubeconfig))
        self._res = {}

    def res(self, o):
        key = (o["apiVersion"], o["kind"])
        if key not in self._res:
            self._res[key] = self.dyn.resources.get(api_version=key[0], kind=key[1])
        return self._res[key]

    def apply(self, o, dry_run=False):
        self.dyn.server_side_apply(self.res(o), body=o, field_manager=MANAGER,
                                   force_conflicts=True, dry_run="All" if dry_run else None)

    def get(self, o):
        self.res(o).get(name=o["metadata"]["name"], namespace=o["metadata"]["namespace"])

    def delete(self, o):
        self.res(o).delete(name=o["metadata"]["name"], namespace=o["metadata"]["namespace"],
                           propagation_policy="Background")


class Light:
    name = "lightkube %s"

    def __init__(self, kubeconfig):
        import lightkube
        from lightkube.config.kubeconfig import KubeConfig
        self.name = self.name % importlib.metadata.version("lightkube")
        self.lk = lightkube
        self.client = lightkube.Client(KubeConfig.from_file(kubeconfig), field_manager=MANAGER)
        from lightkube.codecs import from_dict
        self.from_dict = from_dict

    def apply(self, o, dry_run=False):
        self.client.apply(self.from_dict(o), force=True, dry_run=dry_run)

    def get(self, o):
        obj = self.from_dict(o)
        self.client.get(type(obj), o["metadata"]["name"], namespace=o["metadata"]["namespace"])

    def delete(self, o):
        obj = self.from_dict(o)
        self.client.delete(type(obj), o["metadata"]["name"],
                           namespace=o["metadata"]["namespace"])


def measure(cls, kubeconfig, n, rnd):
    ns = "bench-%s-%d" % (cls.__name__.lower(), rnd)
    objs = objects(n, ns)
    row = {}
    t = time.perf_counter()
    c = cls(kubeconfig)
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    row["setup"] = time.perf_counter() - t
    row["create"] = timed(lambda: [c.apply(o) for o in objs])
    row["reapply"] = timed(lambda: [c.apply(o) for o in objs])
    row["dry-run"] = timed(lambda: [c.apply(o, dry_run=True) for o in objs])
    row["get"] = timed(lambda: [c.get(o) for o in objs])
    row["delete"] = timed(lambda: [c.delete(o) for o in objs])
    return c.name, row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    for mod in ("kubernetes.dynamic", "lightkube"):
        t = time.perf_counter()
        importlib.import_module(mod)
        print("import %-20s %.2fs" % (mod, time.perf_counter() - t))
    with LocalApiServer() as cluster:
        results = {}
        for rnd in range(args.repeat):
            for cls in (Official, Light):
                name, row = measure(cls, cluster.kubeconfig, args.objects, rnd)
                best = results.setdefault(name, row)
                for k, v in row.items():
                    best[k] = min(best[k], v)
    cols = ("setup", "create", "reapply", "dry-run", "get", "delete")
    print("%d objects, best of %d (seconds)" % (args.objects, args.repeat))
    print("%-34s" % "client" + "".join("%9s" % c for c in cols))
    for name, row in results.items():
        print("%-34s" % name + "".join("%9.2f" % row[c] for c in cols))


if __name__ == "__main__":
    main()
