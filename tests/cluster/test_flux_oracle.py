"""The oracle: Flux's kustomize-controller v1.9.6, built from the Go module proxy and run
out-of-cluster against its own local control plane, reconciles the same shop revisions
(v1 → v2 → v2) as ``reconcile`` does on another. After each revision both clusters must
hold the same objects, both inventories the same entries in the same order, and both must
have applied (created/configured/unchanged) and pruned the same objects."""
from __future__ import annotations

import copy
import hashlib
import json
import os

import pytest
import yaml

from pytest_kustomize import tools
from pytest_kustomize.cluster import LocalApiServer
from pytest_kustomize.cluster.kustomize_controller import KustomizeController
from pytest_kustomize.cluster.inventory import NAME_LABEL, NAMESPACE_LABEL
from pytest_kustomize.tools import require_tool

FLUX_LABELS = ("kustomize.toolkit.fluxcd.io/name", "kustomize.toolkit.fluxcd.io/namespace")


@pytest.fixture(scope="module")
def two_clusters(tmp_path_factory, control_plane_tools_module):
    require_tool("kustomize-controller")
    if tools.tool_data("flux-crds") is None:
        tools.missing("Flux CRDs (share/flux-crds) missing; install with: %s"
                      % tools.install_command("kustomize-controller"),
                      ["kustomize-controller"])
    ours, theirs = LocalApiServer(controllers=True), LocalApiServer(controllers=True)
    try:
        ours.start()
        theirs.start()
        kc = KustomizeController(theirs.cluster,
                                 str(tmp_path_factory.mktemp("kustomize-controller"))).start()
        yield ours.cluster, theirs.cluster, kc
        kc.stop()
    finally:
        theirs.stop()
        ours.stop()


def comparable(obj: dict | None) -> dict | None:
    """The object without what differs between any two clusters (uids, versions, times,
    field managers, allocated cluster IPs, status) and without either owner's labels."""
    if obj is None:
        return None
    obj = copy.deepcopy(obj)
    obj.pop("status", None)
    md = obj["metadata"]
    for k in ("uid", "resourceVersion", "creationTimestamp", "managedFields"):
        md.pop(k, None)
    labels = md.get("labels") or {}
    for k in (NAME_LABEL, NAMESPACE_LABEL) + FLUX_LABELS:
        labels.pop(k, None)
    if obj["kind"] == "Service":
        obj["spec"].pop("clusterIP", None)
        obj["spec"].pop("clusterIPs", None)
    return obj


def live(cluster, entry_id: str) -> dict | None:
    kind, _, rest = entry_id.partition("/")
    ns, _, name = rest.rpartition("/")
    apis = {"Deployment": "apps/v1", "HorizontalPodAutoscaler": "autoscaling/v2",
            "ServiceMonitor": "monitoring.coreos.com/v1",
            "CustomResourceDefinition": "apiextensions.k8s.io/v1"}
    return cluster.client.get(apis.get(kind, "v1"), kind, name, ns or None)


def test_kustomize_controller_leaves_the_same_state_on_each_revision(two_clusters,
                                                                     shop_repo):
    ours, theirs, kc = two_clusters
    root = None
    watched = ["ConfigMap/shop-prod/by-hand", "ConfigMap/shop-prod/extra-settings",
               "ConfigMap/shop-prod/legacy-flags"]
    for step, version in enumerate(("v1", "v2", "v2")):
        overlay = shop_repo(version)
        root = os.path.dirname(os.path.dirname(overlay))
        mine = ours.reconcile(overlay, name="shop", wait=True, timeout=120)

        revision = "main@sha1:" + hashlib.sha1(b"%d%s" % (step, version.encode())).hexdigest()
        applies = len(kc.log_entries("server-side apply completed"))
        gcs = len(kc.log_entries("garbage collection completed"))
        kc.publish(root, revision)
        if step == 0:
            kc.kustomization(name="shop", path="./overlays/production")
        ks = kc.reconciled(revision, name="shop")

        # what was applied, with which action: Flux logs a map {Kind/ns/name: action}
        flux_apply = [r for r in kc.log_entries("server-side apply completed")[applies:]
                      if r.get("revision") == revision][0]["output"]
        assert {c.id: c.action for c in mine.applied} == flux_apply, step
        # what was pruned: "garbage collection completed: <id> deleted|skipped" lines
        flux_gc = [line for r in kc.log_entries("garbage collection completed")[gcs:]
                   for line in r["msg"].split(": ", 1)[1].splitlines()]
        assert sorted(str(c) for c in mine.pruned + mine.prune_skipped) == \
            sorted(flux_gc), step
        # the inventories: same Flux ids, versions and order
        mine_inv = json.loads(ours.get("configmap", "pytest-kustomize-shop",
                                       "flux-system")["data"]["entries"])
        assert mine_inv == ks["status"]["inventory"]["entries"], step
        # the objects on both servers
        for entry_id in mine.inventory + watched:
            assert comparable(live(ours, entry_id)) == comparable(live(theirs, entry_id)), \
                (step, entry_id)
        for c in (ours, theirs):
            dep = c.get("deployment", "web", "shop-prod")
            assert dep["status"]["availableReplicas"] == dep["spec"]["replicas"]
        if step == 0:
            for c in (ours, theirs):
                c.kubectl("create", "configmap", "by-hand", "-n", "shop-prod",
                          "--from-literal=a=b")
    assert flux_apply and set(flux_apply.values()) == {"unchanged"}   # the third run
    assert ours.get("configmap", "extra-settings", "shop-prod") is None
    assert ours.get("configmap", "legacy-flags", "shop-prod") is not None


def write_annotated(root: str, revision: int) -> None:
    """A repository whose ConfigMaps carry each of Flux's per-object annotations; revision 2
    changes every value and drops ``gone`` and ``keep``."""
    ann = {"ignored": {"kustomize.toolkit.fluxcd.io/ssa": "Ignore"},
           "once": {"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"},
           "merged": {"kustomize.toolkit.fluxcd.io/ssa": "merge"},
           "plain": {},
           "frozen": {"kustomize.toolkit.fluxcd.io/force": "Enabled"},
           "keep": {"kustomize.toolkit.fluxcd.io/prune": "disabled"},
           "gone": {}}
    names = [n for n in ann if revision == 1 or n not in ("gone", "keep")]
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ann"}}]
    for n in names:
        docs.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": n, "namespace": "ann", "annotations": ann[n]},
                     "data": {"value": str(revision)}, **(
                         {"immutable": True} if n == "frozen" else {})})
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "objects.yaml"), "w") as f:
        f.write(yaml.safe_dump_all(docs, sort_keys=False))
    with open(os.path.join(root, "kustomization.yaml"), "w") as f:
        f.write("resources: [objects.yaml]\n")


def test_kustomize_controller_treats_flux_annotations_the_same(two_clusters, tmp_path):
    ours, theirs, kc = two_clusters
    root = str(tmp_path / "ann")
    ids = ["ConfigMap/ann/%s" % n for n in ("ignored", "once", "merged", "plain", "frozen",
                                            "keep", "gone")]
    uids = {}
    for revision in (1, 2):
        write_annotated(root, revision)
        mine = ours.reconcile(root, name="ann", wait=True, timeout=60)
        rev = "main@sha1:" + hashlib.sha1(b"ann%d" % revision).hexdigest()
        applies = len(kc.log_entries("server-side apply completed"))
        gcs = len(kc.log_entries("garbage collection completed"))
        kc.publish(root, rev, name="ann")
        if revision == 1:
            kc.kustomization(name="ann", path="./")
        ks = kc.reconciled(rev, name="ann")
        flux_apply = [r for r in kc.log_entries("server-side apply completed")[applies:]
                      if r.get("revision") == rev][0]["output"]
        assert {c.id: c.action for c in mine.applied} == flux_apply, revision
        flux_gc = [line for r in kc.log_entries("garbage collection completed")[gcs:]
                   for line in r["msg"].split(": ", 1)[1].splitlines()]
        assert sorted(str(c) for c in mine.pruned + mine.prune_skipped) == sorted(flux_gc)
        assert json.loads(ours.get("configmap", "pytest-kustomize-ann", "flux-system")
                          ["data"]["entries"]) == ks["status"]["inventory"]["entries"]
        for entry_id in ids:
            assert comparable(live(ours, entry_id)) == comparable(live(theirs, entry_id)), \
                (revision, entry_id)
        if revision == 1:
            for c in (ours, theirs):     # drift made by hand with kubectl
                c.kubectl("patch", "configmap", "once", "-n", "ann", "-p",
                          '{"data":{"value":"hand"}}')
                for n in ("merged", "plain"):
                    c.kubectl("label", "configmap", n, "-n", "ann", "team=hand")
                uids[c.server] = c.get("configmap", "frozen", "ann")["metadata"]["uid"]
    assert flux_apply["ConfigMap/ann/frozen"] == "created"            # recreated
    assert flux_apply["ConfigMap/ann/ignored"] == "skipped"
    for c in (ours, theirs):
        assert c.get("configmap", "frozen", "ann")["metadata"]["uid"] != uids[c.server]
        assert c.get("configmap", "once", "ann")["data"] == {"value": "hand"}
        assert c.get("configmap", "merged", "ann")["metadata"]["labels"]["team"] == "hand"
        assert "team" not in c.get("configmap", "plain", "ann")["metadata"]["labels"]
