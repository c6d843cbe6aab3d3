"""The local control plane with kube-controller-manager, kube-scheduler and kwok: workloads
roll out and become available, Namespaces finish deleting, owned objects are collected."""
from __future__ import annotations

import os
import shutil
import time

import pytest

from pytest_kustomize.cluster import ClusterUnavailable, LocalApiServer
from pytest_kustomize.cluster import controllers as ctl


def poll(fn, timeout=60, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(every)
    raise AssertionError("condition not met within %ss (last: %r)" % (timeout, got))


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: %s}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: registry.example/web:1}]}
"""


def test_a_deployment_gets_pods_on_the_kwok_node_and_becomes_available(local_cluster):
    local_cluster.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: ctl-dep}\n")
    local_cluster.apply(DEPLOYMENT % "ctl-dep")
    status = poll(lambda: (local_cluster.get("deployment", "web", "ctl-dep").get("status", {})
                           if (local_cluster.get("deployment", "web", "ctl-dep")
                               .get("status", {}).get("availableReplicas") == 2) else None))
    assert status["readyReplicas"] == 2
    conds = {c["type"]: c for c in status["conditions"]}
    assert conds["Available"]["status"] == "True"
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
    pods = local_cluster.list("pods", "ctl-dep", selector="app=web")
    assert len(pods) == 2
    assert {p["spec"]["nodeName"] for p in pods} == {ctl.NODE_NAME}
    assert all(p["status"]["phase"] == "Running" for p in pods)
    # kwok's pod IPs are in its --cidr; the node's IP is outside it
    assert all(p["status"]["podIP"].startswith("10.244.") for p in pods)


def test_namespace_deletion_completes_and_owned_objects_are_collected(local_cluster):
    local_cluster.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: ctl-gc}\n")
    owner = local_cluster.apply("apiVersion: v1\nkind: ConfigMap\nmetadata: "
                                "{name: owner, namespace: ctl-gc}\n")
    assert owner == ["configmap/owner"]
    uid = local_cluster.get("configmap", "owner", "ctl-gc")["metadata"]["uid"]
    local_cluster.apply(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: ctl-gc\n"
        "  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: owner, uid: %s}\n"
        % uid)
    local_cluster.delete("configmap", "owner", "ctl-gc")
    poll(lambda: local_cluster.get("configmap", "owned", "ctl-gc") is None)
    local_cluster.delete("namespace", "ctl-gc")
    poll(lambda: local_cluster.get("namespace", "ctl-gc") is None)


def test_every_component_keeps_its_log_and_stops_before_the_api_server(local_server):
    logs = local_server.logs()
    assert set(logs) == {"etcd", "kube-apiserver", *ctl.COMPONENTS}
    assert all(os.path.getsize(p) > 0 for p in logs.values())
    # spawned etcd first, kwok last: stop() ends them in reverse
    names = [os.path.basename(log)[:-4] for _p, log in local_server._procs]
    assert names == ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
                     "kwok"]
    assert any("kwok" in line for line in local_server.cluster.limitations)


def test_controllers_required_but_missing_name_the_install_command(monkeypatch, tmp_path):
    for name in ctl.COMPONENTS:
        monkeypatch.delenv("PYTEST_KUSTOMIZE_" + name.upper().replace("-", "_"), raising=False)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ClusterUnavailable) as e:
        LocalApiServer(etcd="/bin/true", kube_apiserver="/bin/true", controllers=True)
    assert "kube-controller-manager, kube-scheduler, kwok not found" in str(e.value)
    assert "install-tools kwok" in str(e.value)


def test_a_component_that_dies_keeps_the_work_directory_and_its_log(control_plane_tools):
    server = LocalApiServer(controllers=True)
    server.start()
    procs = dict((os.path.basename(log)[:-4], p) for p, log in server._procs)
    procs["kube-scheduler"].kill()
    procs["kube-scheduler"].wait(10)
    workdir = server.workdir
    server.stop()
    assert server.crashed == [os.path.join(workdir, "kube-scheduler.log")]
    assert os.path.getsize(server.crashed[0]) > 0
    assert all(p.poll() is not None for p in procs.values())
    shutil.rmtree(workdir)
