"""Time ``Cluster.reconcile`` on a few hundred objects against the local control plane
(``scripts/install-tools etcd kube-apiserver kube-controller-manager kube-scheduler kwok``).

    python3 benchmarks/reconcile.py [--objects 300]

Rounds: first reconcile (all created), the same again (all unchanged), one with every
ConfigMap's data changed (configured), and one with half the objects dropped (pruned).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.cluster_clients import objects  # noqa: E402
from pytest_kustomize.cluster import LocalApiServer  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=300)
    args = ap.parse_args(argv)
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}
    objs = [ns] + objects(args.objects, "bench")
    changed = [ns] + [dict(o, data={"k": "changed"}) if o["kind"] == "ConfigMap" else o
                      for o in objs[1:]]
    with LocalApiServer() as cluster:
        rounds = (("create", objs, False), ("no-op", objs, False),
                  ("configure ConfigMaps", changed, False),
                  ("prune half", changed[: len(changed) // 2], False),
                  ("no-op, wait=True", changed[: len(changed) // 2], True))
        for label, source, wait in rounds:
            t = time.perf_counter()
            r = cluster.reconcile(source, name="bench", wait=wait, timeout=300)
            dt = time.perf_counter() - t
            print("%-22s %6.2fs  %s" % (label, dt, str(r).splitlines()[0].split(": ", 1)[1]))


if __name__ == "__main__":
    main()
