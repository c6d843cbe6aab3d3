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
import shutil

import pytest
import yaml

from pytest_kustomize import tools
from pytest_kustomize.cluster import LocalApiServer
from pytest_kustomize.cluster.kustomize_controller import (KustomizeController,
                                                           kustomization_object)
from pytest_kustomize.cluster.inventory import NAME_LABEL, NAMESPACE_LABEL
from pytest_kustomize.tools import require_tool

KEEP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: legacy-flags
  annotations:
    kustomize.toolkit.fluxcd.io/prune: disabled
data:
  OLD_CHECKOUT: "true"
"""
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
        mark = kc.mark()
        kc.publish(root, revision)
        if step == 0:
            kc.kustomization(name="shop", path="./overlays/production")
        ks = kc.reconciled(revision, name="shop")

        # what was applied, with which action: Flux logs a map {Kind/ns/name: action};
        # what was pruned: "garbage collection completed: <id> deleted|skipped" lines
        flux_apply, flux_gc = kc.outcome(mark, revision)
        assert {c.id: c.action for c in mine.applied} == flux_apply, (step, kc.log)
        assert sorted(str(c) for c in mine.pruned + mine.prune_skipped) == \
            sorted(flux_gc), step
        # the inventories: same Flux ids, versions and order
        mine_inv = json.loads(ours.get("configmap", "pytest-kustomize-shop",
                                       "flux-system")["data"]["entries"])
        assert mine_inv == ks["status"]["inventory"]["entries"], (step, kc.log)
        # the objects on both servers
        for entry_id in mine.inventory + watched:
            assert comparable(live(ours, entry_id)) == comparable(live(theirs, entry_id)), \
                (step, entry_id, kc.log)
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
        mark = kc.mark()
        kc.publish(root, rev, name="ann")
        if revision == 1:
            kc.kustomization(name="ann", path="./")
        ks = kc.reconciled(rev, name="ann")
        flux_apply, flux_gc = kc.outcome(mark, rev)
        assert {c.id: c.action for c in mine.applied} == flux_apply, (revision, kc.log)
        assert sorted(str(c) for c in mine.pruned + mine.prune_skipped) == sorted(flux_gc)
        assert json.loads(ours.get("configmap", "pytest-kustomize-ann", "flux-system")
                          ["data"]["entries"]) == ks["status"]["inventory"]["entries"]
        for entry_id in ids:
            assert comparable(live(ours, entry_id)) == comparable(live(theirs, entry_id)), \
                (revision, entry_id, kc.log)
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


# --- a Flux Kustomization as the source: the same object given to both -----------------
WEB = {
    "deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas:=1}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
""",
    "service.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
""",
    "settings.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: "${greeting}"
  region: ${region}
  token: ${token}
  cluster: ${cluster_name:=local}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: raw
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
data:
  text: "${greeting} stays"
""",
    "extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n",
    "keep.yaml": KEEP,
}


def write_web(root: str, version: str) -> None:
    """``apps/web`` at ``v1`` (with ConfigMaps extra and legacy-flags, prune: disabled) or
    ``v2`` (both dropped)."""
    d = os.path.join(root, "apps", "web")
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    names = list(WEB) if version == "v1" else ["deployment.yaml", "service.yaml",
                                              "settings.yaml"]
    for n in names:
        with open(os.path.join(d, n), "w") as f:
            f.write(WEB[n])
    with open(os.path.join(d, "kustomization.yaml"), "w") as f:
        f.write("resources:\n" + "".join("- %s\n" % n for n in names))


def web_spec(version: str) -> dict:
    """The Kustomization's own transformations; v2 changes the image tag and a variable."""
    return {
        "targetNamespace": "fluxapp",
        "images": [{"name": "nginx", "newTag": "1.27" if version == "v1" else "1.28"}],
        "patches": [
            {"target": {"kind": "Deployment"},
             "patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: any\n"
                      "spec:\n  template:\n    metadata:\n      annotations:\n"
                      "        patched: \"yes\"\n"},
            {"target": {"kind": "Service", "name": "web"},
             "patch": "- op: replace\n  path: /spec/ports/0/port\n  value: 8080\n"}],
        "postBuild": {
            "substitute": {"greeting": "hello", "replicas": "2" if version == "v1" else "3"},
            "substituteFrom": [{"kind": "ConfigMap", "name": "vars"},
                               {"kind": "Secret", "name": "secret-vars"},
                               {"kind": "ConfigMap", "name": "absent", "optional": True}]},
        "commonMetadata": {"labels": {"team": "shop"}, "annotations": {"owner": "qa"}},
    }


def test_a_flux_kustomization_source_leaves_the_same_state(two_clusters, tmp_path):
    ours, theirs, kc = two_clusters
    root = str(tmp_path / "repo")
    for c in (ours, theirs):
        for doc in ({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}
                    for n in ("flux-system", "fluxapp")):
            c.client.apply(doc)
        c.kubectl("create", "configmap", "vars", "-n", "flux-system", "--from-literal",
                  "region=eu")
        c.kubectl("create", "secret", "generic", "secret-vars", "-n", "flux-system",
                  "--from-literal", "token=s3cret")
    watched = ["ConfigMap/fluxapp/by-hand", "ConfigMap/fluxapp/extra",
               "ConfigMap/fluxapp/legacy-flags"]
    for step, version in enumerate(("v1", "v2", "v2")):
        write_web(root, version)
        obj = kustomization_object(name="webapp", path="./apps/web", **web_spec(version))
        mine = ours.reconcile(obj, root=root)       # prune, wait, timeout: the object's

        revision = "main@sha1:" + hashlib.sha1(b"web%d%s" % (step, version.encode())) \
            .hexdigest()
        if step:            # one reconcile with the new artifact and the new spec
            suspended = copy.deepcopy(obj)
            suspended["spec"]["suspend"] = True
            kc.client.apply(suspended)
        mark = kc.mark()
        kc.publish(root, revision, name="webapp")
        kc.client.apply(obj)
        ks = kc.reconciled(revision, name="webapp")
        flux_apply, flux_gc = kc.outcome(mark, revision)
        assert {c.id: c.action for c in mine.applied} == flux_apply, (step, kc.log)
        assert sorted(str(c) for c in mine.pruned + mine.prune_skipped) == \
            sorted(flux_gc), step
        mine_inv = json.loads(ours.get("configmap", "pytest-kustomize-webapp",
                                       "flux-system")["data"]["entries"])
        assert mine_inv == ks["status"]["inventory"]["entries"], (step, kc.log)
        for entry_id in mine.inventory + watched:
            assert comparable(live(ours, entry_id)) == comparable(live(theirs, entry_id)), \
                (step, entry_id, kc.log)
        if step == 0:
            for c in (ours, theirs):
                c.kubectl("create", "configmap", "by-hand", "-n", "fluxapp",
                          "--from-literal=a=b")
    # what both built, spelled out (so equal-but-unbuilt states cannot pass)
    dep = ours.get("deployment", "web", "fluxapp")
    assert dep["spec"]["replicas"] == 3 and dep["status"]["availableReplicas"] == 3
    pod = dep["spec"]["template"]
    assert pod["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert pod["metadata"]["annotations"] == {"patched": "yes"}
    assert dep["metadata"]["labels"]["team"] == "shop"
    assert dep["metadata"]["annotations"]["owner"] == "qa"
    assert ours.get("service", "web", "fluxapp")["spec"]["ports"][0]["port"] == 8080
    assert ours.get("configmap", "settings", "fluxapp")["data"] == {
        "greeting": "hello", "region": "eu", "token": "s3cret", "cluster": "local"}
    assert ours.get("configmap", "raw", "fluxapp")["data"] == {"text": "${greeting} stays"}
    assert ours.get("configmap", "extra", "fluxapp") is None
    assert ours.get("configmap", "legacy-flags", "fluxapp") is not None
    assert ours.get("configmap", "by-hand", "fluxapp") is not None
    assert set(flux_apply.values()) == {"unchanged"} and not mine.changed
