"""kube_cluster.reconcile / diff on the local control plane (controllers + kwok): the shop
example v1 → v2 → v2 with wait, the inventory read back by a new process, prune limits,
Flux's per-object annotations, kstatus waits that fail, and the server-side dry-run diff."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from pytest_kustomize.cluster.inventory import Entry
from pytest_kustomize.errors import ReconcileError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def kubectl_ids(overlay: str) -> list:
    """Kind/namespace/name of what `kubectl kustomize` renders (the oracle of the render)."""
    out = subprocess.run(["kubectl", "kustomize", overlay], capture_output=True, text=True,
                         check=True).stdout
    return [Entry.of(d).id for d in yaml.safe_load_all(out) if d]


NEW_PROCESS = """
import json, sys
from pytest_kustomize.cluster.cluster import Cluster
r = Cluster("c", sys.argv[1], "kubeconfig").reconcile(sys.argv[2], name="shop", wait=True,
                                                     timeout=120)
print(json.dumps({"applied": [[c.id, c.action] for c in r.applied],
                  "pruned": [c.id for c in r.pruned],
                  "kept": [c.id for c in r.prune_skipped], "text": str(r)}))
"""


def test_shop_v1_v2_v2_waits_prunes_only_dropped_objects_and_ends_idle(local_cluster,
                                                                        shop_repo):
    # other tests of the session apply the shop too: start from a cluster without it
    client = local_cluster.client
    for api, kind, name in (("v1", "Namespace", "shop-prod"), ("apiextensions.k8s.io/v1",
                            "CustomResourceDefinition", "servicemonitors.monitoring.coreos.com")):
        client.delete(api, kind, name)
        client.wait_gone(api, kind, name, timeout=120)
    v1 = shop_repo("v1")
    want_v1 = kubectl_ids(v1)
    r1 = local_cluster.reconcile(v1, name="shop", wait=True, timeout=120)
    assert sorted(c.id for c in r1.applied) == sorted(want_v1)
    assert {c.action for c in r1.applied} == {"created"}
    assert r1.applied[0].id == "CustomResourceDefinition/servicemonitors.monitoring.coreos.com"
    assert r1.applied[1].id == "Namespace/shop-prod"
    assert r1.pruned == [] and sorted(r1.inventory) == sorted(want_v1)
    dep = local_cluster.get("deployment", "web", "shop-prod")
    assert dep["status"]["availableReplicas"] == 3            # wait=True: Available
    assert dep["metadata"]["labels"]["reconcile.pytest-kustomize.io/name"] == "shop"
    local_cluster.kubectl("create", "configmap", "by-hand", "-n", "shop-prod",
                          "--from-literal=a=b")

    # v2 from a new process: it finds v1's inventory in the cluster
    v2 = shop_repo("v2")
    p = subprocess.run([sys.executable, "-c", NEW_PROCESS, local_cluster.kubeconfig, v2],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    r2 = json.loads(p.stdout)
    assert r2["pruned"] == ["ConfigMap/shop-prod/extra-settings"]
    assert r2["kept"] == ["ConfigMap/shop-prod/legacy-flags"]
    actions = dict(r2["applied"])
    assert actions.pop("Deployment/shop-prod/web") == "configured"
    assert set(actions.values()) == {"unchanged"}
    assert sorted(dict(r2["applied"])) == sorted(kubectl_ids(v2))
    assert "Deployment/shop-prod/web configured" in r2["text"]
    assert "ConfigMap/shop-prod/extra-settings deleted" in r2["text"]
    dep = local_cluster.get("deployment", "web", "shop-prod")
    assert dep["spec"]["replicas"] == 4 and dep["status"]["availableReplicas"] == 4
    assert local_cluster.get("configmap", "extra-settings", "shop-prod") is None
    assert local_cluster.get("configmap", "legacy-flags", "shop-prod") is not None
    assert local_cluster.get("configmap", "by-hand", "shop-prod") is not None

    before = {i["metadata"]["name"]: i["metadata"]["resourceVersion"]
              for i in local_cluster.list("configmaps", "shop-prod")}
    r3 = local_cluster.reconcile(v2, name="shop", wait=True, timeout=120)
    assert not r3.changed and r3.pruned == []
    assert {c.action for c in r3.applied} == {"unchanged"}
    assert "9 unchanged" in str(r3) and "0 pruned" in str(r3)
    assert {i["metadata"]["name"]: i["metadata"]["resourceVersion"]
            for i in local_cluster.list("configmaps", "shop-prod")} == before

    cm = local_cluster.get("configmap", "pytest-kustomize-shop", "flux-system")
    ids = [e["id"] for e in json.loads(cm["data"]["entries"])]
    assert "shop-prod_web_apps_Deployment" in ids
    assert "_shop-prod__Namespace" in ids
    assert "_servicemonitors.monitoring.coreos.com_apiextensions.k8s.io_" \
        "CustomResourceDefinition" in ids
    assert "shop-prod_extra-settings__ConfigMap" not in ids


def cm(name, ns, data, annotations=None, immutable=None):
    out = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": ns}, "data": data}
    if annotations:
        out["metadata"]["annotations"] = annotations
    if immutable is not None:
        out["immutable"] = immutable
    return out


NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "rc-ann"}}
SSA = "kustomize.toolkit.fluxcd.io/ssa"


def test_flux_annotations_ignore_ifnotpresent_merge_and_force(local_cluster):
    c = local_cluster
    c.reconcile([NS, cm("ignored", "rc-ann", {"a": "1"}, {SSA: "Ignore"}),
                 cm("once", "rc-ann", {"a": "1"}, {SSA: "IfNotPresent"}),
                 cm("merged", "rc-ann", {"a": "1"}, {SSA: "merge"}),
                 cm("plain", "rc-ann", {"a": "1"})], name="ann")
    assert c.get("configmap", "ignored", "rc-ann") is None
    c.kubectl("patch", "configmap", "once", "-n", "rc-ann", "-p", '{"data":{"a":"hand"}}')
    for name in ("merged", "plain"):
        c.kubectl("label", "configmap", name, "-n", "rc-ann", "team=hand")
    r = c.reconcile([NS, cm("ignored", "rc-ann", {"a": "2"}, {SSA: "Ignore"}),
                     cm("once", "rc-ann", {"a": "2"}, {SSA: "IfNotPresent"}),
                     cm("merged", "rc-ann", {"a": "2"}, {SSA: "merge"}),
                     cm("plain", "rc-ann", {"a": "2"})], name="ann")
    acts = {x.id: x.action for x in r.applied}
    assert acts["ConfigMap/rc-ann/ignored"] == "skipped"
    assert acts["ConfigMap/rc-ann/once"] == "skipped"
    assert c.get("configmap", "once", "rc-ann")["data"] == {"a": "hand"}
    # kubectl's fields are taken over (and so dropped) unless ssa: Merge
    assert "team" not in c.get("configmap", "plain", "rc-ann")["metadata"]["labels"]
    assert c.get("configmap", "merged", "rc-ann")["metadata"]["labels"]["team"] == "hand"

    c.reconcile([NS, cm("frozen", "rc-ann", {"a": "1"}, immutable=True),
                 cm("forced", "rc-ann", {"a": "1"}, {"kustomize.toolkit.fluxcd.io/force":
                                                     "Enabled"}, immutable=True)], name="imm")
    uid = c.get("configmap", "forced", "rc-ann")["metadata"]["uid"]
    with pytest.raises(ReconcileError) as e:
        c.reconcile([NS, cm("frozen", "rc-ann", {"a": "2"}, immutable=True)], name="imm")
    assert "ConfigMap/rc-ann/frozen dry-run failed (422)" in str(e.value)
    assert "immutable" in str(e.value)
    r = c.reconcile([NS, cm("forced", "rc-ann", {"a": "2"}, {
        "kustomize.toolkit.fluxcd.io/force": "Enabled"}, immutable=True)], name="imm",
        prune=False)
    got = c.get("configmap", "forced", "rc-ann")
    assert got["data"] == {"a": "2"} and got["metadata"]["uid"] != uid
    assert c.get("configmap", "frozen", "rc-ann") is not None       # prune=False


def test_prune_spares_objects_another_owner_took_over(local_cluster):
    c = local_cluster
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "rc-own"}}
    c.reconcile([ns, cm("mine", "rc-own", {"a": "1"}), cm("taken", "rc-own", {"a": "1"})],
                name="own")
    c.kubectl("label", "--overwrite", "configmap", "taken", "-n", "rc-own",
              "reconcile.pytest-kustomize.io/name=someone-else")
    r = c.reconcile([ns], name="own")
    assert r.ids("deleted") == ["ConfigMap/rc-own/mine"]
    assert [x.id for x in r.prune_skipped] == ["ConfigMap/rc-own/taken"]
    assert c.get("configmap", "taken", "rc-own") is not None
    # another reconcile name never prunes what it did not apply
    r = c.reconcile([ns], name="other")
    assert r.pruned == [] and c.get("configmap", "taken", "rc-own") is not None


WORKLOADS = """\
apiVersion: v1
kind: Namespace
metadata: {name: rc-wait}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: rc-wait}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: rc-wait}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: rc-wait}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: agent}]}
"""


def test_wait_returns_when_jobs_statefulsets_and_daemonsets_are_current(local_cluster):
    r = local_cluster.reconcile(WORKLOADS, name="workloads", wait=True, timeout=120)
    assert {e.id: st for e, (st, _msg) in r.health.items()} == {
        "Namespace/rc-wait": "Current", "Job/rc-wait/once": "Current",
        "StatefulSet/rc-wait/db": "Current", "DaemonSet/rc-wait/agent": "Current"}
    job = local_cluster.get("job", "once", "rc-wait")
    assert any(c["type"] == "Complete" and c["status"] == "True"
               for c in job["status"]["conditions"])
    assert local_cluster.get("statefulset", "db", "rc-wait")["status"]["readyReplicas"] == 2


STUCK = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: nowhere, namespace: rc-wait}
spec:
  progressDeadlineSeconds: 1
  selector: {matchLabels: {app: nowhere}}
  template:
    metadata: {labels: {app: nowhere}}
    spec:
      nodeSelector: {no-such: node}
      containers: [{name: c, image: x}]
"""
PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: rc-wait}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""


def test_wait_fails_early_on_a_stalled_deployment_and_times_out_naming_objects(
        local_cluster):
    local_cluster.reconcile(WORKLOADS, name="workloads")
    with pytest.raises(ReconcileError) as e:
        local_cluster.reconcile(STUCK, name="stuck", wait=True, timeout=60)
    assert "failed early due to stalled resources" in str(e.value)
    assert "Deployment/rc-wait/nowhere status: 'Failed': Progress deadline exceeded" \
        in str(e.value)
    with pytest.raises(ReconcileError) as e:
        local_cluster.reconcile(PVC, name="pvc", wait=True, timeout=3)
    assert "timeout waiting for: [PersistentVolumeClaim/rc-wait/data status: " \
        "'InProgress'" in str(e.value)


def test_diff_shows_changes_prunes_and_masks_secrets(local_cluster, shop_repo):
    c = local_cluster
    secret = {"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": "creds", "namespace": "rc-diff"},
              "stringData": {"password": "hunter2", "user": "admin"}}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "rc-diff"}}
    c.reconcile([ns, secret, cm("old", "rc-diff", {"a": "1"})], name="diff")
    assert not c.diff([ns, secret, cm("old", "rc-diff", {"a": "1"})], name="diff")
    changed = dict(secret, stringData={"password": "s3cret!", "user": "admin"})
    d = c.diff([ns, changed, cm("new", "rc-diff", {"a": "1"})], name="diff")
    assert d.changed == ["Secret/rc-diff/creds"]
    assert d.created == ["ConfigMap/rc-diff/new"] and d.pruned == ["ConfigMap/rc-diff/old"]
    text = str(d)
    assert "► Secret/rc-diff/creds drifted" in text
    assert "*** (before)" in text and "*** (after)" in text and "user: '***'" in text
    for plain in ("hunter2", "s3cret!", "aHVudGVyMg==", "czNjcmV0IQ=="):
        assert plain not in text
    assert c.get("configmap", "new", "rc-diff") is None            # a dry run only
    assert c.get("configmap", "old", "rc-diff") is not None


def test_bad_sources_are_clear_errors(local_cluster, tmp_path):
    from pytest_kustomize.errors import ClusterError, LoadError
    with pytest.raises(ClusterError) as e:
        local_cluster.reconcile(str(tmp_path / "nope"), name="bad")
    assert "nope: source is not an overlay directory" in str(e.value)
    with pytest.raises(ClusterError) as e:
        local_cluster.reconcile("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", name="bad")
    assert "object without apiVersion, kind or metadata.name: ConfigMap/None" in str(e.value)
    with pytest.raises(ReconcileError) as e:
        local_cluster.reconcile("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n"
                                "  name: w\n  namespace: default\n", name="bad")
    assert "Widget/default/w: no resource Widget in example.com/v1" in str(e.value)
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(LoadError, match="missing.yaml"):
        local_cluster.reconcile(str(tmp_path), name="bad")
